#include <errno.h>
#include <stdlib.h>
#include <string.h>
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

/* The table of keys seen, to find duplicates without reading the cdb back. */
static struct rulesmake_seen *seen_slot(struct rulesmake *m, uint64_t key)
{
  size_t mask = m->capseen - 1, i = (size_t)key & mask;
  while (m->seen[i].line && m->seen[i].key != key) i = (i + 1) & mask;
  return &m->seen[i];
}

static int seen_grow(struct rulesmake *m)
{
  struct rulesmake_seen *old = m->seen;
  size_t oldcap = m->capseen, i, cap = oldcap ? oldcap * 2 : 4096;
  m->seen = calloc(cap, sizeof *m->seen);
  if (!m->seen) { m->seen = old; return -1; }
  m->capseen = cap;
  for (i = 0; i < oldcap; ++i) if (old[i].line) *seen_slot(m, old[i].key) = old[i];
  free(old);
  return 0;
}

int rulesmake_add(struct rulesmake *m, const struct rule *r, unsigned long line, unsigned long *other)
{
  char key[RULES_KEY_MAX], val[48 + RULES_MSG_MAX];
  size_t klen, vlen;
  uint32_t msgh = (uint32_t)fnv(r->msg, r->msglen, FNV0);
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
    g->act = act; g->msg = msgh; g->line = line; g->order = m->nglobs;
    ++m->nglobs;
  } else {
    struct rulesmake_seen *s;
    uint64_t h;
    klen = rules_pairkey(key, r->rcpt, r->rlen, r->skind == RS_NULL ? "<>" : r->sender, r->slen);
    h = fnv(key, klen, FNV0);
    if (!h) h = 1;
    if ((m->nseen + 1) * 2 > m->capseen && seen_grow(m) == -1) return -1;
    s = seen_slot(m, h);
    if (s->line) {
      /* the same 64-bit hash: believe it only when the cdb has the key too (the
       * cdb compares whole keys; a true 64-bit collision only loses the line number) */
      int e = cdb_make_exists(&m->cdb, key, (unsigned)klen);
      if (e < 0) return -1;
      if (e) {
        if (s->act == act && s->msg == msgh) return 0;   /* the same rule twice: harmless */
        *other = s->line;
        return 1;
      }
    } else {
      s->key = h; s->line = (uint32_t)line; s->act = act; s->msg = msgh;
      ++m->nseen;
    }
    vlen = head(val, act, line, ruleno);
    memcpy(val + vlen, r->msg, r->msglen);
    vlen += r->msglen;
    if (cdb_make_add(&m->cdb, key, (unsigned)klen, val, (unsigned)vlen) == -1) return -1;
  }
  ++m->rules;
  if (r->action == RULES_ALLOW) ++m->allow; else if (r->action == RULES_TRAP) ++m->trap; else ++m->deny;
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

int rulesmake_finish(struct rulesmake *m, const char *srcname, unsigned long *line, unsigned long *other)
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
          *line = m->globs[j].line;
          *other = m->globs[k].line;
          return 1;
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
    memcpy(v, RULES_MAGIC "\n", magic + 1);
    memcpy(v + magic + 1, srcname, n);
    if (cdb_make_add(&m->cdb, "M", 1, v, (unsigned)(magic + 1 + n)) == -1) { free(v); return -1; }
    free(v);
  }
  m->finished = 1;
  return cdb_make_finish(&m->cdb);
}

void rulesmake_free(struct rulesmake *m)
{
  size_t i;
  /* tinycdb frees its tables only in cdb_make_finish; the caller throws the file away */
  if (!m->finished) { m->finished = 1; cdb_make_finish(&m->cdb); }
  for (i = 0; i < m->nglobs; ++i) { free(m->globs[i].rcpt); free(m->globs[i].entry); }
  free(m->globs);
  free(m->seen);
  m->globs = 0; m->seen = 0;
}
