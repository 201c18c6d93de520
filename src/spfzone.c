#include <string.h>
#include <arpa/inet.h>
#include "spfzone.h"

static unsigned char lc(unsigned char c) { return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c; }

static int space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* the next word of line [*p, end); 0 when none */
static int word(const char **p, const char *end, const char **w, size_t *n)
{
  const char *s = *p;
  while (s < end && space(*s)) ++s;
  if (s == end || *s == '#') return 0;
  *w = s;
  while (s < end && !space(*s)) ++s;
  *n = (size_t)(s - *w);
  *p = s;
  return 1;
}

static int put(struct spfzone *z, const void *d, size_t n, int lower)
{
  size_t i;
  if (SPFZONE_BYTES - z->used < n + 1) return 0;
  for (i = 0; i < n; ++i) z->buf[z->used + i] = lower ? (char)lc(((const unsigned char *)d)[i]) : ((const char *)d)[i];
  z->used += n;
  z->buf[z->used++] = 0;
  return 1;
}

/* a name word: \DDD and \c escapes decoded (names may hold spaces); 0 when bad */
static size_t unescape(const char *w, size_t n, char *out, size_t max)
{
  size_t i = 0, k = 0;
  while (i < n) {
    unsigned char c = (unsigned char)w[i++];
    if (c == '\\') {
      if (i == n) return 0;
      if (w[i] >= '0' && w[i] <= '9') {
        unsigned v = 0, j;
        for (j = 0; j < 3 && i < n && w[i] >= '0' && w[i] <= '9'; ++j) v = v * 10 + (unsigned)(w[i++] - '0');
        if (v > 255) return 0;
        c = (unsigned char)v;
      } else c = (unsigned char)w[i++];
    }
    if (k == max) return 0;
    out[k++] = (char)c;
  }
  return k;
}

static int ieq(const char *s, size_t n, const char *lit)
{
  size_t i;
  if (n != strlen(lit)) return 0;
  for (i = 0; i < n; ++i) if (lc((unsigned char)s[i]) != (unsigned char)lit[i]) return 0;
  return 1;
}

static size_t nodot(const char *s, size_t n) { return n > 1 && s[n - 1] == '.' ? n - 1 : n; }

/* quoted strings "..." "..." → bytes */
static int txt(struct spfzone *z, const char *s, const char *end, struct spfzone_rec *r)
{
  r->data = z->used;
  for (;;) {
    while (s < end && space(*s)) ++s;
    if (s == end) break;
    if (*s++ != '"') return 0;
    for (;;) {
      unsigned char c;
      if (s == end) return 0;
      c = (unsigned char)*s++;
      if (c == '"') break;
      if (c == '\\') {
        if (s == end) return 0;
        if (*s >= '0' && *s <= '9') {
          unsigned v = 0, k;
          for (k = 0; k < 3 && s < end && *s >= '0' && *s <= '9'; ++k) v = v * 10 + (unsigned)(*s++ - '0');
          if (v > 255) return 0;
          c = (unsigned char)v;
        } else c = (unsigned char)*s++;
      }
      if (z->used == SPFZONE_BYTES - 1) return 0;
      z->buf[z->used++] = (char)c;
    }
  }
  r->datalen = z->used - r->data;
  if (z->used == SPFZONE_BYTES) return 0;
  z->buf[z->used++] = 0;
  return 1;
}

static int one_line(struct spfzone *z, const char *s, const char *end)
{
  const char *w, *t;
  size_t wn, tn;
  struct spfzone_rec *r;
  char tmp[1024];

  if (!word(&s, end, &w, &wn)) return 1;      /* blank or comment */
  if (z->n == SPFZONE_RECORDS || !word(&s, end, &t, &tn)) return 0;
  r = &z->r[z->n];
  memset(r, 0, sizeof *r);
  r->name = z->used;
  if (!(wn = unescape(w, wn, tmp, sizeof tmp))) return 0;
  r->namelen = nodot(tmp, wn);
  if (!put(z, tmp, r->namelen, 1)) return 0;
  if (ieq(t, tn, "timeout")) r->type = SPFZONE_TIMEOUT;
  else if (ieq(t, tn, "exists")) r->type = SPFZONE_EXISTS;
  else if (ieq(t, tn, "txt")) {
    const char *p = s, *v;
    size_t vn;
    r->type = SPF_T_TXT;
    if (word(&p, end, &v, &vn) && ieq(v, vn, "timeout")) r->timeout = 1;
    else if (!txt(z, s, end, r)) return 0;
    z->n++;
    return 1;
  }
  else if (ieq(t, tn, "a")) r->type = SPF_T_A;
  else if (ieq(t, tn, "aaaa")) r->type = SPF_T_AAAA;
  else if (ieq(t, tn, "mx")) r->type = SPF_T_MX;
  else if (ieq(t, tn, "ptr")) r->type = SPF_T_PTR;
  else if (ieq(t, tn, "cname")) r->type = SPFZONE_CNAME;
  else return 0;
  if (r->type < SPFZONE_TIMEOUT) {
    if (!word(&s, end, &w, &wn)) return 0;
    if (ieq(w, wn, "timeout")) r->timeout = 1;
    else if (r->type == SPF_T_A || r->type == SPF_T_AAAA) {
      unsigned char ip[16];
      if (wn >= sizeof tmp) return 0;
      memcpy(tmp, w, wn); tmp[wn] = 0;
      if (inet_pton(r->type == SPF_T_A ? AF_INET : AF_INET6, tmp, ip) != 1) return 0;
      r->data = z->used; r->datalen = r->type == SPF_T_A ? 4 : 16;
      if (!put(z, ip, r->datalen, 0)) return 0;
    } else {
      if (r->type == SPF_T_MX && !word(&s, end, &w, &wn)) return 0;   /* the preference is not kept */
      if (!(wn = unescape(w, wn, tmp, sizeof tmp))) return 0;
      r->data = z->used; r->datalen = nodot(tmp, wn);
      if (!put(z, tmp, r->datalen, 0)) return 0;
    }
  }
  if (word(&s, end, &w, &wn)) return 0;
  z->n++;
  return 1;
}

int spfzone_parse(struct spfzone *z, const char *text, size_t len, unsigned long *line)
{
  const char *end = text + len;
  z->n = z->used = 0;
  *line = 0;
  while (text < end) {
    const char *nl = memchr(text, '\n', (size_t)(end - text));
    if (!nl) nl = end;
    ++*line;
    if (!one_line(z, text, nl)) return 0;
    text = nl < end ? nl + 1 : end;
  }
  return 1;
}

static int same(const struct spfzone *z, const struct spfzone_rec *r, const char *name, size_t n)
{
  size_t i;
  if (r->namelen != n) return 0;
  for (i = 0; i < n; ++i) if (z->buf[r->name + i] != (char)lc((unsigned char)name[i])) return 0;
  return 1;
}

static enum spf_dns resolve(const struct spfzone *z, struct spf_cache *c, struct spf_entry *e,
                            const char *name, size_t n, int depth)
{
  size_t i;
  int known = 0, found = 0;
  const struct spfzone_rec *cname = 0;
  n = nodot(name, n);
  for (i = 0; i < z->n; ++i) {
    const struct spfzone_rec *r = &z->r[i];
    if (!same(z, r, name, n)) continue;
    known = 1;
    if (r->type == SPFZONE_TIMEOUT) { if (found) break; return SPF_DNS_TEMPFAIL; }
    if (r->type == e->type && r->timeout) return SPF_DNS_TEMPFAIL;
    if (r->type == e->type) { spf_cache_add(c, e, z->buf + r->data, r->datalen); found = 1; }
    if (r->type == SPFZONE_CNAME && !cname) cname = r;
  }
  if (found) return SPF_DNS_OK;
  if (cname) {
    if (depth >= 10) return SPF_DNS_TEMPFAIL;
    return resolve(z, c, e, z->buf + cname->data, cname->datalen, depth + 1);
  }
  return known ? SPF_DNS_OK : SPF_DNS_NXDOMAIN;
}

void spfzone_answer(const struct spfzone *z, struct spf_cache *c)
{
  size_t i;
  for (i = 0; i < c->n; ++i) {
    struct spf_entry *e = &c->e[i];
    enum spf_dns st;
    char name[SPF_NAME_MAX + 1];
    if (e->state != SPF_DNS_PENDING) continue;
    memcpy(name, spf_entry_name(c, e), e->namelen + 1);
    spf_cache_begin(c, e, SPF_DNS_OK);
    st = resolve(z, c, e, name, e->namelen, 0);
    if (st != SPF_DNS_OK) spf_cache_begin(c, e, st);
    else e->state = SPF_DNS_OK;
  }
}

enum spf_result spfzone_eval(const struct spfzone *z, const struct spf_request *rq, struct spf_cache *c,
                             struct spf_outcome *o, unsigned *passes)
{
  enum spf_result r;
  unsigned k = 0;
  while ((r = spf_eval(rq, c, o)) == SPF_NEED && ++k < SPF_PASSES_MAX) spfzone_answer(z, c);
  if (r == SPF_NEED) { o->result = r = SPF_TEMPERROR; o->problem = "too many passes"; }
  if (passes) *passes = k + 1;
  return r;
}
