#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "num.h"
#include "rulesmake.h"

static uint64_t fnv(const char *s, size_t n, uint64_t h)
{
  size_t i;
  for (i = 0; i < n; ++i) { h ^= (unsigned char)s[i]; h *= 1099511628211ULL; }
  return h;
}
#define FNV0 14695981039346656037ULL

static char actchar(enum rules_action a) { return a == RULES_ALLOW ? 'a' : a == RULES_TRAP ? 't' : 'd'; }

/* "act line rule " into out (at least 2 * NUM_FMT + 3 bytes); returns its length */
static size_t head(char *out, char act, unsigned long line, unsigned long rule)
{
  size_t n = 0;
  out[n++] = act;
  n += num_fmt(out + n, line);
  out[n++] = ' ';
  n += num_fmt(out + n, rule);
  out[n++] = ' ';
  return n;
}

int rulesmake_start(struct rulesmake *m, int fd)
{
  memset(m, 0, sizeof *m);
  return cdb_make_start(&m->cdb, fd);
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
  size_t n = *cap ? *cap : 1024, bytes;
  void *q;
  while (n < need) if (__builtin_mul_overflow(n, 2, &n)) { errno = ENOMEM; return -1; }
  if (n == *cap) return 0;
  if (__builtin_mul_overflow(n, size, &bytes)) { errno = ENOMEM; return -1; }
  q = realloc(*p, bytes);
  if (!q) return -1;
  *p = q;
  *cap = n;
  return 0;
}

/* Keep the RULESMAKE_CONFLICTS_MAX conflicts with the lowest line numbers, in order. */
static void conflict(struct rulesmake *m, unsigned long line, unsigned long other, int glob)
{
  size_t i, n = m->nconflicts;
  if (line < other) { unsigned long t = line; line = other; other = t; }
  ++m->conflicts;
  if (n == RULESMAKE_CONFLICTS_MAX) {
    if (line >= m->conflict[n - 1].line) return;
    --n;
  }
  for (i = n; i > 0 && m->conflict[i - 1].line > line; --i) m->conflict[i] = m->conflict[i - 1];
  m->conflict[i].line = line;
  m->conflict[i].other = other;
  m->conflict[i].glob = glob;
  m->nconflicts = n + 1;
}

/* Every RULESMAKE_WRITEBACK rules, start writing what is in the file so far
 * to disk (Linux: sync_file_range, asynchronous): the fsync before the rename
 * then waits for the last stretch only, not for the whole cdb. Advisory: its
 * errors are the fsync's to report. */
#define RULESMAKE_WRITEBACK 65536
static void start_writeback(struct rulesmake *m)
{
#ifdef SYNC_FILE_RANGE_WRITE
  off_t end = lseek(m->cdb.cdb_fd, 0, SEEK_CUR);
  if (end > m->written) {
    (void)sync_file_range(m->cdb.cdb_fd, m->written, end - m->written, SYNC_FILE_RANGE_WRITE);
    m->written = end;
  }
#else
  (void)m;
#endif
}

int rulesmake_add(struct rulesmake *m, const struct rule *r, unsigned long line)
{
  char key[RULES_KEY_MAX], val[48 + RULES_MSG_MAX];
  size_t klen, vlen;
  char act = actchar(r->action);
  unsigned long ruleno = m->rules + 1;

  if (r->skind == RS_GLOB) {
    struct rulesmake_glob *g;
    if (grow((void **)&m->globs, &m->capglobs, m->nglobs + 1, sizeof *m->globs) == -1) return -1;
    g = &m->globs[m->nglobs];
    memset(g, 0, sizeof *g);
    vlen = head(val, act, line, ruleno);
    g->rcpt = malloc(r->rlen + 1);
    g->entry = malloc(vlen + r->slen + 1 + r->msglen + 1);
    if (!g->rcpt || !g->entry) { free(g->rcpt); free(g->entry); errno = ENOMEM; return -1; }
    memcpy(g->rcpt, r->rcpt, r->rlen); g->rlen = r->rlen;
    memcpy(g->entry, val, vlen);
    memcpy(g->entry + vlen, r->sender, r->slen);
    g->pat = g->entry + vlen; g->plen = r->slen;
    g->entry[vlen + r->slen] = ' ';
    memcpy(g->entry + vlen + r->slen + 1, r->msg, r->msglen);
    g->entry[vlen + r->slen + 1 + r->msglen] = '\n';
    g->elen = vlen + r->slen + 1 + r->msglen + 1;
    g->act = act; g->msg = (uint32_t)fnv(r->msg, r->msglen, FNV0); g->line = line; g->order = m->nglobs;
    ++m->nglobs;
  } else {
    /* duplicates are looked for once the cdb is written (rulesmake_finish):
     * a table of every key seen here would cost more than all the rest */
    klen = rules_pairkey(key, r->rcpt, r->rlen, r->skind == RS_NULL ? "<>" : r->sender, r->slen);
    vlen = head(val, act, line, ruleno);
    memcpy(val + vlen, r->msg, r->msglen);
    vlen += r->msglen;
    if (cdb_make_add(&m->cdb, key, (unsigned)klen, val, (unsigned)vlen) == -1) return -1;
  }
  if (!(++m->rules % RULESMAKE_WRITEBACK)) start_writeback(m);
  if (r->rkind == RR_PREFIX) ++m->prefixes;
  if (r->action == RULES_ALLOW) ++m->allow; else if (r->action == RULES_TRAP) ++m->trap; else ++m->deny;
  return 0;
}

static int readall(int fd, void *buf, size_t n, off_t off)
{
  char *p = buf;
  while (n) {
    ssize_t r = pread(fd, p, n, off);
    if (r < 0) { if (errno == EINTR) continue; return -1; }
    if (r == 0) { errno = EIO; return -1; }   /* the file we just wrote is short */
    p += r; n -= (size_t)r; off += r;
  }
  return 0;
}

/* One record of the finished cdb, when it is a rule (a "P" key). */
struct rec { char key[RULES_KEY_MAX]; size_t klen; char val[48 + RULES_MSG_MAX]; size_t vlen; };

/* 1: a rule in *r; 0: another kind of record; -1 with errno */
static int readrec(int fd, uint32_t pos, struct rec *r)
{
  unsigned char h[8];
  uint32_t klen, vlen;
  if (readall(fd, h, 8, pos) == -1) return -1;
  klen = cdb_unpack(h); vlen = cdb_unpack(h + 4);
  if (klen > sizeof r->key || klen < 1) return 0;
  if (readall(fd, r->key, klen, (off_t)pos + 8) == -1) return -1;
  if (r->key[0] != 'P') return 0;
  if (vlen > sizeof r->val) { errno = EINVAL; return -1; }
  if (readall(fd, r->val, vlen, (off_t)pos + 8 + klen) == -1) return -1;
  r->klen = klen; r->vlen = vlen;
  return 1;
}

/* The two records share a key: the same rule twice, or a conflict? -1 when
 * a value we just wrote does not read back (errno EINVAL). */
static int compare(struct rulesmake *m, const struct rec *a, const struct rec *b)
{
  struct rules_decision da, db;
  const char *ta = a->val, *tb = b->val;
  size_t na, nb;
  if (!rules_head(&ta, a->val + a->vlen, &da) || !rules_head(&tb, b->val + b->vlen, &db)) { errno = EINVAL; return -1; }
  na = (size_t)(a->val + a->vlen - ta);
  nb = (size_t)(b->val + b->vlen - tb);
  if (da.action != db.action || na != nb || memcmp(ta, tb, na)) { conflict(m, da.line, db.line, 0); return 0; }
  --m->rules;   /* the same rule twice: harmless, counted once */
  if (da.action == RULES_ALLOW) --m->allow; else if (da.action == RULES_TRAP) --m->trap; else --m->deny;
  return 0;
}

/* Walk each hash table of the cdb just written. Records with the same key have
 * the same hash and start slot; linear probing put each later one after the
 * first, so the first slot on a record's probe path holding its key is the
 * copy it is compared with: every copy once, against the same first copy. */
static int duplicates(struct rulesmake *m)
{
  int fd = m->cdb.cdb_fd;
  unsigned char hdr[2048], *tab = 0;
  size_t cap = 0;
  struct rec a, b;
  unsigned t;

  if (readall(fd, hdr, sizeof hdr, 0) == -1) return -1;
  for (t = 0; t < 256; ++t) {
    uint32_t tpos = cdb_unpack(hdr + 8 * t), tlen = cdb_unpack(hdr + 8 * t + 4), i, j;
    if (!tlen) continue;
    if (grow((void **)&tab, &cap, (size_t)tlen * 8, 1) == -1 || readall(fd, tab, (size_t)tlen * 8, tpos) == -1) { free(tab); return -1; }
    for (i = 0; i < tlen; ++i) {
      uint32_t h = cdb_unpack(tab + 8 * i), pos = cdb_unpack(tab + 8 * i + 4);
      int have = 0;
      if (!pos) continue;
      for (j = (h >> 8) % tlen; j != i; j = j + 1 == tlen ? 0 : j + 1) {
        int k;
        if (cdb_unpack(tab + 8 * j) != h) continue;
        if (!have && (have = readrec(fd, pos, &a)) == -1) { free(tab); return -1; }
        if (!have) break;   /* not a rule */
        if ((k = readrec(fd, cdb_unpack(tab + 8 * j + 4), &b)) == -1) { free(tab); return -1; }
        if (k && a.klen == b.klen && !memcmp(a.key, b.key, a.klen)) {
          if (compare(m, &b, &a) == -1) { free(tab); return -1; }
          break;
        }
      }
    }
  }
  free(tab);
  return 0;
}

static int globcmp(const void *a, const void *b)
{
  const struct rulesmake_glob *x = a, *y = b;
  size_t n = x->rlen < y->rlen ? x->rlen : y->rlen;
  int c = memcmp(x->rcpt, y->rcpt, n);
  if (c) return c;
  if (x->rlen != y->rlen) return x->rlen < y->rlen ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;   /* file order within a recipient */
}

int rulesmake_finish(struct rulesmake *m, const char *srcname)
{
  char key[RULES_KEY_MAX];
  size_t i = 0, j, k;

  if (m->nglobs) qsort(m->globs, m->nglobs, sizeof *m->globs, globcmp);   /* globs is NULL when there are none */
  while (i < m->nglobs) {
    size_t total = 0;
    char *val;
    for (j = i; j < m->nglobs && m->globs[j].rlen == m->globs[i].rlen && !memcmp(m->globs[j].rcpt, m->globs[i].rcpt, m->globs[i].rlen); ++j) {
      for (k = i; k < j; ++k)
        if (m->globs[k].plen == m->globs[j].plen && !memcmp(m->globs[k].pat, m->globs[j].pat, m->globs[j].plen) &&
            (m->globs[k].act != m->globs[j].act || m->globs[k].msg != m->globs[j].msg)) {
          conflict(m, m->globs[j].line, m->globs[k].line, 1);
          break;
        }
      total += m->globs[j].elen;
    }
    val = malloc(total ? total : 1);
    if (!val) return -1;
    for (total = 0, k = i; k < j; ++k) { memcpy(val + total, m->globs[k].entry, m->globs[k].elen); total += m->globs[k].elen; }
    if (cdb_make_add(&m->cdb, key, (unsigned)rules_globkey(key, m->globs[i].rcpt, m->globs[i].rlen), val, (unsigned)total) == -1) { free(val); return -1; }
    free(val);
    i = j;
  }
  {
    size_t n = strlen(srcname), magic = sizeof RULES_MAGIC - 1;
    char *v = malloc(magic + 1 + n);
    if (!v) return -1;
    /* only a cdb that needs it says version 2: older readers keep reading the others */
    memcpy(v, m->prefixes ? RULES_MAGIC2 "\n" : RULES_MAGIC "\n", magic + 1);
    memcpy(v + magic + 1, srcname, n);
    if (cdb_make_add(&m->cdb, "M", 1, v, (unsigned)(magic + 1 + n)) == -1) { free(v); return -1; }
    free(v);
  }
  m->finished = 1;
  if (cdb_make_finish(&m->cdb) == -1 || duplicates(m) == -1) return -1;
  return m->conflicts ? 1 : 0;
}

void rulesmake_free(struct rulesmake *m)
{
  size_t i;
  /* tinycdb frees its tables only in cdb_make_finish; the caller throws the file away */
  if (!m->finished) { m->finished = 1; cdb_make_finish(&m->cdb); }
  for (i = 0; i < m->nglobs; ++i) { free(m->globs[i].rcpt); free(m->globs[i].entry); }
  free(m->globs);
  m->globs = 0;
}

int rulesmake_text(int fd, const char *text, const char *srcname, unsigned long *bad)
{
  struct rulesmake m;
  struct rule r;
  const char *why, *p = text;
  unsigned long line = 0;
  int k;
  if (rulesmake_start(&m, fd) == -1) return -1;
  while (*p) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    ++line;
    k = rulesfile_line(p, n, &r, &why);
    if (k == -1 && bad) ++*bad;
    if (k == 1 && rulesmake_add(&m, &r, line) != 0) { rulesmake_free(&m); return -1; }
    p += n + (nl != 0);
  }
  k = rulesmake_finish(&m, srcname);
  rulesmake_free(&m);
  return k ? -1 : 0;
}
