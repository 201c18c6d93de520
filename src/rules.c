#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cdb.h>
#include "rules.h"
#include "addr.h"

struct rules {
  struct cdb cdb;
  int fd;
  int prefixes;   /* the cdb holds "prefix-*@domain" rules (RULES_MAGIC2) */
  char file[RULES_FILE_MAX + 1];
};

/* One recipient key, in pieces: a, then RULES_PREFIX_MARK when mark, then b. */
struct rkey { const char *a; size_t alen; int mark; const char *b; size_t blen; };

static size_t rkey_put(char *out, const struct rkey *k)
{
  size_t n = k->alen;
  memcpy(out, k->a, k->alen);
  if (k->mark) out[n++] = RULES_PREFIX_MARK;
  memcpy(out + n, k->b, k->blen);
  return n + k->blen;
}

size_t rules_pairkey(char *out, const char *rcpt, size_t rlen, const char *sender, size_t slen)
{
  out[0] = 'P';
  memcpy(out + 1, rcpt, rlen);
  out[1 + rlen] = 0;
  memcpy(out + 2 + rlen, sender, slen);
  return 2 + rlen + slen;
}

size_t rules_globkey(char *out, const char *rcpt, size_t rlen)
{
  out[0] = 'G';
  memcpy(out + 1, rcpt, rlen);
  return 1 + rlen;
}

/* '*' any run, '?' one byte; iterative with one backtrack point: O(plen * slen). */
int rules_glob_match(const char *p, size_t pn, const char *s, size_t sn)
{
  size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
  while (si < sn) {
    if (pi < pn && (p[pi] == '?' || p[pi] == s[si])) { ++pi; ++si; }
    else if (pi < pn && p[pi] == '*') { star = pi++; mark = si; }
    else if (star != (size_t)-1) { pi = star + 1; si = ++mark; }
    else return 0;
  }
  while (pi < pn && p[pi] == '*') ++pi;
  return pi == pn;
}

struct rules *rules_open(const char *path)
{
  struct rules *r = calloc(1, sizeof *r);
  unsigned len;
  const char *v;
  size_t magic = sizeof RULES_MAGIC - 1;

  if (!r) return 0;
  r->fd = open(path, O_RDONLY | O_CLOEXEC);
  if (r->fd == -1) { free(r); return 0; }
  if (cdb_init(&r->cdb, r->fd) == -1) goto bad;
  if (cdb_find(&r->cdb, "M", 1) <= 0) goto bad;
  len = cdb_datalen(&r->cdb);
  v = cdb_get(&r->cdb, len, cdb_datapos(&r->cdb));
  if (!v || len < magic + 1) goto bad;
  if (!memcmp(v, RULES_MAGIC2 "\n", magic + 1)) r->prefixes = 1;
  else if (memcmp(v, RULES_MAGIC "\n", magic + 1)) goto bad;
  len -= (unsigned)magic + 1;
  if (len > RULES_FILE_MAX) len = RULES_FILE_MAX;
  memcpy(r->file, v + magic + 1, len);
  r->file[len] = 0;
  return r;
bad:
  if (r->cdb.cdb_mem) cdb_free(&r->cdb);
  close(r->fd);
  free(r);
  errno = EPROTO;
  return 0;
}

void rules_close(struct rules *r)
{
  if (!r) return;
  cdb_free(&r->cdb);
  close(r->fd);
  free(r);
}

static int num(const char **p, const char *end, unsigned long *out)
{
  unsigned long v = 0;
  const char *s = *p;
  if (s == end || *s < '0' || *s > '9') return 0;
  while (s < end && *s >= '0' && *s <= '9')
    if (__builtin_mul_overflow(v, 10UL, &v) || __builtin_add_overflow(v, (unsigned long)(*s++ - '0'), &v)) return 0;
  *p = s;
  *out = v;
  return 1;
}

/* "act line rule " at p: fill d except msg; 0 when corrupt. */
int rules_head(const char **p, const char *end, struct rules_decision *d)
{
  const char *s = *p;
  if (s == end) return 0;
  switch (*s++) {
    case 'a': d->action = RULES_ALLOW; break;
    case 'd': d->action = RULES_DENY; break;
    case 't': d->action = RULES_TRAP; break;
    default: return 0;
  }
  if (!num(&s, end, &d->line) || s == end || *s++ != ' ') return 0;
  if (!num(&s, end, &d->rule) || s == end || *s++ != ' ') return 0;
  *p = s;
  return 1;
}

static int setmsg(struct rules_decision *d, const char *s, size_t n)
{
  if (n > RULES_MSG_MAX) return 0;
  if (d->action != RULES_ALLOW && n < 4) return 0;   /* a deny always carries its reply line */
  memcpy(d->msg, s, n);
  d->msg[n] = 0;
  return 1;
}

/* 1 found, 0 not, -1 corrupt or unreadable */
static int pair(struct rules *r, const struct rkey *rk, const char *snd, size_t slen, struct rules_decision *d)
{
  char key[RULES_KEY_MAX + 1], rcpt[ADDR_MAX + 2];
  unsigned len;
  const char *v, *p;
  int f = rk->mark ? cdb_find(&r->cdb, key, (unsigned)rules_pairkey(key, rcpt, rkey_put(rcpt, rk), snd, slen))
                   : cdb_find(&r->cdb, key, (unsigned)rules_pairkey(key, rk->a, rk->alen, snd, slen));
  if (f <= 0) return f < 0 ? -1 : 0;
  len = cdb_datalen(&r->cdb);
  v = cdb_get(&r->cdb, len, cdb_datapos(&r->cdb));
  if (!v) return -1;
  p = v;
  if (!rules_head(&p, v + len, d) || !setmsg(d, p, (size_t)(v + len - p))) return -1;
  return 1;
}

static int globs(struct rules *r, const struct rkey *rk, const char *snd, size_t slen, struct rules_decision *d)
{
  char key[RULES_KEY_MAX + 1], rcpt[ADDR_MAX + 2];
  unsigned len;
  const char *v, *p, *end;
  int f = rk->mark ? cdb_find(&r->cdb, key, (unsigned)rules_globkey(key, rcpt, rkey_put(rcpt, rk)))
                   : cdb_find(&r->cdb, key, (unsigned)rules_globkey(key, rk->a, rk->alen));
  if (f <= 0) return f < 0 ? -1 : 0;
  len = cdb_datalen(&r->cdb);
  v = cdb_get(&r->cdb, len, cdb_datapos(&r->cdb));
  if (!v) return -1;
  for (p = v, end = v + len; p < end; ) {
    const char *nl = memchr(p, '\n', (size_t)(end - p)), *pat, *sp;
    if (!nl || !rules_head(&p, nl, d)) return -1;
    pat = p;
    sp = memchr(pat, ' ', (size_t)(nl - pat));
    if (!sp) return -1;
    if (rules_glob_match(pat, (size_t)(sp - pat), snd, slen)) return setmsg(d, sp + 1, (size_t)(nl - sp - 1)) ? 1 : -1;
    p = nl + 1;
  }
  return 0;
}

int rules_decide(struct rules *r, const char *sender, size_t slen, const char *rcpt, size_t rlen, struct rules_decision *d)
{
  /* exact, one per dash of the local part (prefix-*), @domain, all */
  struct rkey rk[ADDR_MAX + 3];
  const char *dom;
  size_t nrk = 0, at, dlen, k;
  char sdom[ADDR_MAX + 2];
  int f;

  if (rlen > ADDR_MAX) return -1;   /* addr_parse never gives more */
  memset(d, 0, sizeof *d);
  memcpy(d->file, r->file, sizeof d->file);
  /* recipient keys, most specific first: exact, prefix-* longest first, @domain, all */
  if (rlen) { rk[nrk].a = rcpt; rk[nrk].alen = rlen; rk[nrk].mark = 0; rk[nrk].blen = 0; rk[nrk++].b = ""; }
  at = addr_at(rcpt, rlen);
  if (at < rlen && at + 1 < rlen) {
    if (r->prefixes)
      for (k = at; k > 0; --k)
        if (rcpt[k - 1] == '-') {
          rk[nrk].a = rcpt; rk[nrk].alen = k; rk[nrk].mark = 1;
          rk[nrk].b = rcpt + at; rk[nrk++].blen = rlen - at;
        }
    rk[nrk].a = rcpt + at; rk[nrk].alen = rlen - at; rk[nrk].mark = 0; rk[nrk].blen = 0; rk[nrk++].b = "";
  }
  rk[nrk].a = ""; rk[nrk].alen = 0; rk[nrk].mark = 0; rk[nrk].blen = 0; rk[nrk++].b = "";

#define TRY(snd, sl) for (k = 0; k < nrk; ++k) if ((f = pair(r, &rk[k], (snd), (sl), d))) return f < 0 ? -1 : 0
  if (!slen) {
    TRY("<>", 2);                  /* the null sender: exact "<>", then "any"; globs never match it */
    TRY("", 0);
    goto pass;
  }
  TRY(sender, slen);
  at = addr_at(sender, slen);
  if (at < slen && at + 1 < slen) {
    dom = sender + at + 1;
    dlen = slen - at - 1;
    sdom[0] = '@';
    memcpy(sdom + 1, dom, dlen);
    TRY(sdom, dlen + 1);
    /* ".domain": every proper parent of the sender's domain, longest first */
    for (k = 0; k < dlen; ++k) {
      size_t j;
      if (dom[k] != '.' || k + 1 == dlen) continue;
      for (j = 0; j < nrk; ++j)
        if ((f = pair(r, &rk[j], dom + k, dlen - k, d))) return f < 0 ? -1 : 0;
    }
  }
  for (k = 0; k < nrk; ++k)
    if ((f = globs(r, &rk[k], sender, slen, d))) return f < 0 ? -1 : 0;
  TRY("", 0);
#undef TRY
pass:
  memset(d, 0, sizeof *d);
  d->action = RULES_PASS;
  return 0;
}
