/* spf.c — RFC 7208 check_host() against an answer cache (see spf.h). */
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include "spf.h"

/* ---- the answer cache ---- */

static unsigned char lc(unsigned char c) { return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c; }

void spf_cache_init(struct spf_cache *c)
{
  c->n = 0;
  c->used = 0;
  c->open = -1;
  c->full = 0;
}

static size_t trimdot(const char *name, size_t len) { return len && name[len - 1] == '.' ? len - 1 : len; }

struct spf_entry *spf_cache_find(struct spf_cache *c, const char *name, size_t len, unsigned type)
{
  size_t i, j;
  len = trimdot(name, len);
  for (i = 0; i < c->n; ++i) {
    struct spf_entry *e = &c->e[i];
    if (e->type != type || e->namelen != len) continue;
    for (j = 0; j < len; ++j)
      if (lc((unsigned char)name[j]) != (unsigned char)c->arena[e->name + j]) break;
    if (j == len) return e;
  }
  return 0;
}

const char *spf_entry_name(const struct spf_cache *c, const struct spf_entry *e) { return c->arena + e->name; }

/* A new pending entry; 0 when there is no room. */
static struct spf_entry *cache_want(struct spf_cache *c, const char *name, size_t len, unsigned type)
{
  struct spf_entry *e;
  size_t j;
  len = trimdot(name, len);
  if (c->n == SPF_CACHE_MAX || len > SPF_NAME_MAX || SPF_ARENA_MAX - c->used < len + 1) { c->full = 1; return 0; }
  c->open = -1;            /* a question written into the arena ends any open answer */
  e = &c->e[c->n++];
  memset(e, 0, sizeof *e);
  e->type = type;
  e->state = SPF_DNS_PENDING;
  e->name = c->used;
  e->namelen = len;
  for (j = 0; j < len; ++j) c->arena[c->used++] = (char)lc((unsigned char)name[j]);
  c->arena[c->used++] = 0;
  e->data = c->used;
  return e;
}

void spf_cache_begin(struct spf_cache *c, struct spf_entry *e, enum spf_dns st)
{
  e->state = st;
  e->data = c->used;
  e->datalen = 0;
  e->nrr = e->nrrtotal = 0;
  c->open = (int)(e - c->e);
}

void spf_cache_add(struct spf_cache *c, struct spf_entry *e, const void *rr, size_t len)
{
  ++e->nrrtotal;
  if (c->open != (int)(e - c->e) || e->nrr >= SPF_RRS_MAX || len > SPF_RECORD_MAX || SPF_ARENA_MAX - c->used < len + 2)
    return;
  c->arena[c->used++] = (char)(len >> 8);
  c->arena[c->used++] = (char)(len & 255);
  memcpy(c->arena + c->used, rr, len);
  c->used += len;
  e->datalen += len + 2;
  ++e->nrr;
}

const unsigned char *spf_entry_next(const struct spf_cache *c, const struct spf_entry *e, size_t *pos, size_t *len)
{
  const unsigned char *p = (const unsigned char *)c->arena + e->data;
  if (*pos + 2 > e->datalen) return 0;
  *len = (size_t)p[*pos] << 8 | p[*pos + 1];
  p += *pos + 2;
  *pos += 2 + *len;
  return p;
}

/* ---- the request ---- */

static int dotted_quad(const char *s, size_t n, unsigned char ip[4])
{
  size_t k = 0;
  int i;
  for (i = 0; i < 4; ++i) {
    unsigned v = 0, d = 0;
    while (k < n && s[k] >= '0' && s[k] <= '9' && d < 4) { v = v * 10 + (unsigned)(s[k++] - '0'); ++d; }
    if (!d || d > 3 || v > 255 || (d > 1 && s[k - d] == '0')) return 0;
    ip[i] = (unsigned char)v;
    if (i < 3) { if (k >= n || s[k] != '.') return 0; ++k; }
  }
  return k == n;
}

static int ip6_text(const char *s, size_t n, unsigned char ip[16])
{
  char buf[64];
  size_t i;
  if (!n || n >= sizeof buf) return 0;
  for (i = 0; i < n; ++i) {        /* inet_pton is pure; keep it to hex, ':' and '.' */
    char ch = s[i];
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F') || ch == ':' || ch == '.')) return 0;
    buf[i] = ch;
  }
  buf[n] = 0;
  return inet_pton(AF_INET6, buf, ip) == 1;
}

int spf_request_ip(struct spf_request *rq, const char *text)
{
  static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
  unsigned char ip[16];
  size_t n = strlen(text);
  memset(rq->ip, 0, sizeof rq->ip);
  if (dotted_quad(text, n, ip)) { memcpy(rq->ip, ip, 4); rq->v6 = 0; return 1; }
  if (!ip6_text(text, n, ip)) return 0;
  if (!memcmp(ip, mapped, 12)) { memcpy(rq->ip, ip + 12, 4); rq->v6 = 0; return 1; }
  memcpy(rq->ip, ip, 16);
  rq->v6 = 1;
  return 1;
}

const char *spf_result_name(enum spf_result r)
{
  switch (r) {
  case SPF_NEED: return "need";
  case SPF_NONE: return "none";
  case SPF_NEUTRAL: return "neutral";
  case SPF_PASS: return "pass";
  case SPF_FAIL: return "fail";
  case SPF_SOFTFAIL: return "softfail";
  case SPF_TEMPERROR: return "temperror";
  case SPF_PERMERROR: return "permerror";
  }
  return "permerror";
}

/* ---- one evaluation ---- */

#define UNKNOWN 100          /* a term whose answer is not in yet */
#define NOMATCH 101
#define MATCH 102
#define DEPTH_MAX 24         /* include/redirect nesting; the 10-term limit stops sooner */

struct ev {
  const struct spf_request *rq;
  struct spf_cache *c;
  struct spf_outcome *o;
  unsigned lookups, voids, pending;
  const char *problem;
  const char *local; size_t locallen;    /* %{l} */
  const char *odom; size_t odomlen;      /* %{o} */
  char sender[SPF_NAME_MAX + 80];        /* %{s} when built from HELO */
  const char *s; size_t slen;
  int pstate;                            /* %{p}: 0 not yet, 1 known, -1 pending, else the error result */
  char p[SPF_NAME_MAX + 1];
  int explained;
};

static int error(struct ev *ev, int r, const char *why)
{
  if (!ev->problem) ev->problem = why;
  return r;
}

/* Labels of 1..63 bytes, at most 253 bytes. */
static int name_ok(const char *s, size_t n)
{
  size_t i, label = 0;
  n = trimdot(s, n);
  if (!n || n > SPF_NAME_MAX) return 0;
  for (i = 0; i < n; ++i) {
    if (s[i] == '.') { if (!label) return 0; label = 0; continue; }
    if (++label > 63) return 0;
  }
  return label > 0;
}

/* The answer to (name, type): 1 and *e when known, 0 when pending (asked now), -1 no room. */
static int ask(struct ev *ev, const char *name, size_t len, unsigned type, struct spf_entry **e)
{
  *e = spf_cache_find(ev->c, name, len, type);
  if (*e && (*e)->state != SPF_DNS_PENDING) return 1;
  if (!*e && !cache_want(ev->c, name, len, type)) return -1;
  ++ev->pending;
  return 0;
}

static int is_void(const struct spf_entry *e) { return e->state == SPF_DNS_NXDOMAIN || (e->state == SPF_DNS_OK && !e->nrrtotal); }

/* Count a void answer; an error result when the limit is passed, else 0. */
static int count_void(struct ev *ev, const struct spf_entry *e)
{
  if (!is_void(e)) return 0;
  if (++ev->voids > 2) return error(ev, SPF_PERMERROR, "more than 2 void lookups");
  return 0;
}

static int cidr_match(const unsigned char *net, const unsigned char *ip, unsigned bits)
{
  unsigned i;
  for (i = 0; bits >= 8; ++i, bits -= 8)
    if (net[i] != ip[i]) return 0;
  return !bits || !((net[i] ^ ip[i]) & (0xff00 >> bits) & 0xff);
}

/* An address lookup for a term: MATCH/NOMATCH against the client, UNKNOWN, or an error.
 * skiperr: a failed lookup is no match (PTR names), not temperror. */
static int addr_match(struct ev *ev, const char *name, size_t len, unsigned type, unsigned cidr, int skiperr)
{
  struct spf_entry *e;
  const unsigned char *rr;
  size_t pos = 0, rl, alen = type == SPF_T_AAAA ? 16 : 4;
  int r;

  if (!name_ok(name, len)) return NOMATCH;
  r = ask(ev, name, len, type, &e);
  if (r == -1) return error(ev, SPF_TEMPERROR, "too many DNS questions");
  if (r == 0) return UNKNOWN;
  if (e->state == SPF_DNS_TEMPFAIL) return skiperr ? NOMATCH : error(ev, SPF_TEMPERROR, "DNS lookup failed");
  if ((r = count_void(ev, e))) return r;
  if (e->nrrtotal > e->nrr) return error(ev, SPF_TEMPERROR, "DNS answer too large");
  while ((rr = spf_entry_next(ev->c, e, &pos, &rl)))
    if (rl == alen && cidr_match(rr, ev->rq->ip, type == SPF_T_A && ev->rq->v6 ? 0 : cidr)) return MATCH;
  return NOMATCH;
}

/* ---- macros ---- */

struct out { char *p; size_t n, max; int over; };

static void put(struct out *o, const char *s, size_t n)
{
  if (n > o->max - o->n) { n = o->max - o->n; o->over = 1; }
  memcpy(o->p + o->n, s, n);
  o->n += n;
}

static int is_delim(char c) { return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' || c == '_' || c == '='; }
static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alnum(char c) { return is_alpha(c) || is_digit(c); }

/* The value of a macro letter; 0, or -1 pending, -2 error (%{p}: ev->pstate is the result). */
static int letter_value(struct ev *ev, const char *d, size_t dlen, char letter, char *buf, size_t bufmax,
                        const char **v, size_t *vn);

/* Check one macro-expand at s (s[0] == '%'); its length, or 0 when invalid.
 * exp: c r t allowed. Fills letter/digits/reverse/delims when given. */
static size_t macro_syntax(const char *s, size_t n, int exp, char *letter, unsigned *digits, int *rev,
                           const char **delims, size_t *ndelims)
{
  size_t k = 2, d0;
  unsigned long num = 0;
  char l;
  if (n < 2) return 0;
  if (s[1] == '%' || s[1] == '_' || s[1] == '-') { if (letter) *letter = s[1]; return 2; }
  if (s[1] != '{' || n < 4) return 0;
  l = (char)lc((unsigned char)s[2]);
  if (!strchr("slodiphv", l) && !(exp && strchr("crt", l))) return 0;
  if (l == 0) return 0;
  k = 3;
  d0 = k;
  while (k < n && is_digit(s[k])) { if (num < 1000) num = num * 10 + (unsigned long)(s[k] - '0'); ++k; }
  if (k > d0 && !num) return 0;               /* a DIGIT transformer must be nonzero */
  if (rev) *rev = 0;
  if (k < n && (s[k] == 'r' || s[k] == 'R')) { if (rev) *rev = 1; ++k; }
  d0 = k;
  while (k < n && is_delim(s[k])) ++k;
  if (delims) { *delims = s + d0; *ndelims = k - d0; }
  if (k >= n || s[k] != '}') return 0;
  if (letter) *letter = s[2];
  if (digits) *digits = (unsigned)num;
  return k + 1;
}

/* A macro-string (exp=0) or explain-string (exp=1): 1 valid, 0 not. */
static int macro_string_ok(const char *s, size_t n, int exp)
{
  size_t i = 0;
  while (i < n) {
    unsigned char c = (unsigned char)s[i];
    if (c == '%') {
      size_t m = macro_syntax(s + i, n - i, exp, 0, 0, 0, 0, 0);
      if (!m) return 0;
      i += m;
      continue;
    }
    if (c < 0x21 || c > 0x7e) { if (!(exp && c == ' ')) return 0; }
    ++i;
  }
  return 1;
}

static const char hexd[] = "0123456789abcdef", hexu[] = "0123456789ABCDEF";

/* Split v by delims, reverse, keep the rightmost `digits` parts, join with '.', escape. */
static void transform(struct out *o, const char *v, size_t vn, unsigned digits, int rev,
                      const char *delims, size_t ndelims, int escape)
{
  size_t starts[1024], lens[1024], np = 0, i, first;
  size_t st = 0;
  char tmp[2048];
  struct out t = { tmp, 0, sizeof tmp, 0 };
  if (!ndelims) { delims = "."; ndelims = 1; }
  for (i = 0; i <= vn; ++i) {
    if (i == vn || memchr(delims, v[i], ndelims)) {
      if (np == 1024) lens[np - 1] = i - starts[np - 1];   /* bounded: later parts join the last */
      else { starts[np] = st; lens[np] = i - st; ++np; }
      st = i + 1;
    }
  }
  if (rev)
    for (i = 0; i < np / 2; ++i) {
      size_t a = starts[i], b = lens[i];
      starts[i] = starts[np - 1 - i]; lens[i] = lens[np - 1 - i];
      starts[np - 1 - i] = a; lens[np - 1 - i] = b;
    }
  first = digits && digits < np ? np - digits : 0;
  for (i = first; i < np; ++i) {
    if (i > first) put(&t, ".", 1);
    put(&t, v + starts[i], lens[i]);
  }
  if (!escape) { put(o, tmp, t.n); return; }
  for (i = 0; i < t.n; ++i) {
    char c = tmp[i];
    if (is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~') put(o, &c, 1);
    else { char e[3] = { '%', hexu[(unsigned char)c >> 4], hexu[(unsigned char)c & 15] }; put(o, e, 3); }
  }
}

/* Expand s[0..n) into o. 1 done, 0 syntax error, -1 pending (%{p} needs DNS), -2 error in %{p}. */
static int expand(struct ev *ev, const char *d, size_t dlen, const char *s, size_t n, int exp, struct out *o)
{
  size_t i = 0;
  while (i < n) {
    char letter, buf[SPF_NAME_MAX + 80];
    unsigned digits = 0;
    int rev = 0, r;
    const char *delims = 0, *v;
    size_t nd = 0, m, vn;
    if (s[i] != '%') { put(o, s + i, 1); ++i; continue; }
    m = macro_syntax(s + i, n - i, exp, &letter, &digits, &rev, &delims, &nd);
    if (!m) return 0;
    i += m;
    if (letter == '%') { put(o, "%", 1); continue; }
    if (letter == '_') { put(o, " ", 1); continue; }
    if (letter == '-') { put(o, "%20", 3); continue; }
    r = letter_value(ev, d, dlen, (char)lc((unsigned char)letter), buf, sizeof buf, &v, &vn);
    if (r < 0) return r;
    transform(o, v, vn, digits, rev, delims, nd, letter >= 'A' && letter <= 'Z');
  }
  return 1;
}

/* Expand a domain-spec into a name to query: trailing dot removed, then
 * labels dropped from the left until it fits in 253 bytes. Return as expand(). */
static int expand_domain(struct ev *ev, const char *d, size_t dlen, const char *s, size_t n, char *name, size_t *len)
{
  char buf[2048];
  struct out o = { buf, 0, sizeof buf, 0 };
  size_t k = 0;
  int r = expand(ev, d, dlen, s, n, 0, &o);
  if (r != 1) return r;
  if (o.n && buf[o.n - 1] == '.') --o.n;
  while (o.n - k > SPF_NAME_MAX) {
    const char *dot = memchr(buf + k, '.', o.n - k);
    if (!dot) { k = o.n; break; }
    k = (size_t)(dot - buf) + 1;
  }
  memcpy(name, buf + k, o.n - k);
  *len = o.n - k;
  name[*len] = 0;
  return 1;
}

/* %{p}: a validated name of the client (PTR, then A/AAAA back to the client). */
static int validated_names(struct ev *ev, const char *target, size_t tlen, int want_p, int *matched);

static int letter_value(struct ev *ev, const char *d, size_t dlen, char letter, char *buf, size_t bufmax,
                        const char **v, size_t *vn)
{
  const struct spf_request *rq = ev->rq;
  size_t i, k = 0;
  switch (letter) {
  case 's': *v = ev->s; *vn = ev->slen; return 0;
  case 'l': *v = ev->local; *vn = ev->locallen; return 0;
  case 'o': *v = ev->odom; *vn = ev->odomlen; return 0;
  case 'd': *v = d; *vn = dlen; return 0;
  case 'h': *v = rq->helo ? rq->helo : ""; *vn = strlen(*v); return 0;
  case 'r': *v = rq->receiver ? rq->receiver : "unknown"; *vn = strlen(*v); return 0;
  case 'v': *v = rq->v6 ? "ip6" : "in-addr"; *vn = strlen(*v); return 0;
  case 't': {
    unsigned long t = rq->now;
    char rev[24];
    size_t n = 0;
    do { rev[n++] = (char)('0' + t % 10); t /= 10; } while (t && n < sizeof rev);
    while (n) buf[k++] = rev[--n];
    *v = buf; *vn = k; return 0;
  }
  case 'i':
    if (!rq->v6) {
      for (i = 0; i < 4; ++i) {
        unsigned o = rq->ip[i];
        if (i) buf[k++] = '.';
        if (o >= 100) buf[k++] = (char)('0' + o / 100);
        if (o >= 10) buf[k++] = (char)('0' + o / 10 % 10);
        buf[k++] = (char)('0' + o % 10);
      }
    } else
      for (i = 0; i < 16; ++i) {
        if (i) buf[k++] = '.';
        buf[k++] = hexu[rq->ip[i] >> 4];   /* upper case, as pyspf and the RFC 7208 suite */
        buf[k++] = '.';
        buf[k++] = hexu[rq->ip[i] & 15];
      }
    *v = buf; *vn = k; return 0;
  case 'c':
    if (!inet_ntop(rq->v6 ? AF_INET6 : AF_INET, rq->ip, buf, (socklen_t)bufmax)) buf[0] = 0;
    *v = buf; *vn = strlen(buf); return 0;
  case 'p':
    if (!ev->pstate) {
      int m;
      ev->pstate = validated_names(ev, d, dlen, 1, &m);
    }
    if (ev->pstate == -1) return -1;
    if (ev->pstate != 1) return -2;        /* its lookups broke a limit: the check's error */
    *v = ev->p; *vn = strlen(ev->p); return 0;
  }
  *v = ""; *vn = 0;
  return 0;
}

/* ---- records and terms ---- */

enum mech { M_ALL = 1, M_INCLUDE, M_A, M_MX, M_PTR, M_IP4, M_IP6, M_EXISTS };

struct term {
  int modifier;             /* 1: name=value */
  const char *name; size_t namelen;
  char qual;                /* '+', '-', '~', '?' */
  enum mech mech;
  const char *arg; size_t arglen;   /* domain-spec (0: none) or the address text */
  unsigned cidr4, cidr6;
  unsigned char net[16];
};

static int ieq(const char *s, size_t n, const char *lit)
{
  size_t i, m = strlen(lit);
  if (n != m) return 0;
  for (i = 0; i < n; ++i) if (lc((unsigned char)s[i]) != (unsigned char)lit[i]) return 0;
  return 1;
}

/* "/" 1*DIGIT at the end of s[0..*n): take it off. 1 found (value in *v), 0 none. */
static int strip_cidr(const char *s, size_t *n, int dual, unsigned *v)
{
  size_t k = *n, d;
  unsigned long num = 0;
  while (k > 0 && is_digit(s[k - 1])) --k;
  d = *n - k;
  if (!d || k == 0 || s[k - 1] != '/') return 0;
  if (d > 1 && s[k] == '0') return 0;       /* no leading zeros: then it is part of the domain-spec */
  if (dual && (k < 2 || s[k - 2] != '/')) return 0;
  for (; k < *n; ++k) if (num < 1000) num = num * 10 + (unsigned long)(s[k] - '0');
  *v = (unsigned)num;
  *n -= d + (dual ? 2 : 1);
  return 1;
}

/* toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
static int toplabel_ok(const char *s, size_t n)
{
  size_t i;
  int alpha = 0, dash = 0;
  if (!n || !is_alnum(s[0]) || !is_alnum(s[n - 1])) return 0;
  for (i = 0; i < n; ++i) {
    if (is_alpha(s[i])) alpha = 1;
    else if (s[i] == '-') dash = 1;
    else if (!is_digit(s[i])) return 0;
  }
  return alpha || dash;
}

/* domain-spec = macro-string domain-end; domain-end = ( "." toplabel [ "." ] ) / macro-expand */
static int domain_spec_ok(const char *s, size_t n)
{
  size_t k, i, lastmacro_end = 0;
  if (!n || !macro_string_ok(s, n, 0)) return 0;
  for (i = 0; i < n;) {                      /* where the last macro-expand ends */
    if (s[i] == '%') { size_t m = macro_syntax(s + i, n - i, 0, 0, 0, 0, 0, 0); i += m; lastmacro_end = i; }
    else ++i;
  }
  if (lastmacro_end == n) return 1;
  k = n;
  if (s[k - 1] == '.') --k;
  i = k;
  while (i > lastmacro_end && s[i - 1] != '.') --i;
  if (i <= lastmacro_end || s[i - 1] != '.') return 0;   /* a "." must come before the toplabel */
  return toplabel_ok(s + i, k - i);
}

/* name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
static size_t modifier_name(const char *s, size_t n)
{
  size_t i;
  if (!n || !is_alpha(s[0])) return 0;
  for (i = 1; i < n; ++i)
    if (!(is_alnum(s[i]) || s[i] == '-' || s[i] == '_' || s[i] == '.')) break;
  return i < n && s[i] == '=' ? i : 0;
}

/* Parse one term; 1 ok, 0 syntax error. */
static int parse_term(const char *s, size_t n, struct term *t)
{
  size_t k, namelen, rest;
  memset(t, 0, sizeof *t);
  if ((namelen = modifier_name(s, n))) {
    t->modifier = 1;
    t->name = s; t->namelen = namelen;
    t->arg = s + namelen + 1; t->arglen = n - namelen - 1;
    if (ieq(s, namelen, "redirect") || ieq(s, namelen, "exp")) return domain_spec_ok(t->arg, t->arglen);
    return macro_string_ok(t->arg, t->arglen, 0);
  }
  t->qual = '+';
  if (n && strchr("+-~?", s[0])) { t->qual = s[0]; ++s; --n; }
  for (k = 0; k < n && is_alnum(s[k]); ++k) {}
  namelen = k;
  rest = n;
  t->cidr4 = 32; t->cidr6 = 128;
  if (ieq(s, namelen, "all")) { t->mech = M_ALL; return namelen == n; }
  if (ieq(s, namelen, "include")) t->mech = M_INCLUDE;
  else if (ieq(s, namelen, "exists")) t->mech = M_EXISTS;
  else if (ieq(s, namelen, "ptr")) t->mech = M_PTR;
  else if (ieq(s, namelen, "a") || ieq(s, namelen, "mx")) {
    unsigned v;
    t->mech = namelen == 1 ? M_A : M_MX;
    if (strip_cidr(s, &rest, 1, &v)) { if (v > 128) return 0; t->cidr6 = v; }
    if (strip_cidr(s, &rest, 0, &v)) { if (v > 32) return 0; t->cidr4 = v; }
  } else if (ieq(s, namelen, "ip4") || ieq(s, namelen, "ip6")) {
    unsigned v, max = s[2] == '4' ? 32 : 128;
    t->mech = max == 32 ? M_IP4 : M_IP6;
    if (namelen == n || s[namelen] != ':') return 0;
    if (strip_cidr(s, &rest, 0, &v)) { if (v > max) return 0; if (max == 32) t->cidr4 = v; else t->cidr6 = v; }
    t->arg = s + namelen + 1; t->arglen = rest - namelen - 1;
    if (max == 32) return dotted_quad(t->arg, t->arglen, t->net);
    return ip6_text(t->arg, t->arglen, t->net);
  } else
    return 0;
  if (namelen == rest) {                     /* no ":domain-spec" */
    return t->mech != M_INCLUDE && t->mech != M_EXISTS;
  }
  if (s[namelen] != ':') return 0;
  t->arg = s + namelen + 1; t->arglen = rest - namelen - 1;
  if (t->mech == M_PTR && rest != n) return 0;
  return domain_spec_ok(t->arg, t->arglen);
}

/* Walk the terms of a record body (after "v=spf1"). */
static int next_term(const char *r, size_t n, size_t *pos, const char **t, size_t *tn)
{
  size_t k = *pos;
  while (k < n && r[k] == ' ') ++k;
  if (k == n) { *pos = k; return 0; }
  *t = r + k;
  while (k < n && r[k] != ' ') ++k;
  *tn = (size_t)(r + k - *t);
  *pos = k;
  return 1;
}

static int is_spf1(const char *r, size_t n)
{
  return n >= 6 && ieq(r, 6, "v=spf1") && (n == 6 || r[6] == ' ');
}

/* Syntax of a whole record body: 1 valid; finds redirect= and exp= */
static int record_syntax(const char *r, size_t n, struct term *redirect, struct term *exp)
{
  size_t pos = 0, tn;
  const char *t;
  int have_redirect = 0, have_exp = 0;
  while (next_term(r, n, &pos, &t, &tn)) {
    struct term x;
    if (!parse_term(t, tn, &x)) return 0;
    if (!x.modifier) continue;
    if (ieq(x.name, x.namelen, "redirect")) { if (have_redirect++) return 0; if (redirect) *redirect = x; }
    if (ieq(x.name, x.namelen, "exp")) { if (have_exp++) return 0; if (exp) *exp = x; }
  }
  return 1;
}

int spf_record_valid(const char *rec, size_t len)
{
  size_t i;
  for (i = 0; i < len; ++i) if ((unsigned char)rec[i] > 126 || (unsigned char)rec[i] < 32) return 0;
  return is_spf1(rec, len) && record_syntax(rec + 6, len - 6, 0, 0);
}

/* The SPF record of a domain: 1 found (*rec, *len), 0 none, UNKNOWN, or an error result. */
static int get_record(struct ev *ev, const char *d, size_t dlen, const char **rec, size_t *len)
{
  struct spf_entry *e;
  const unsigned char *rr;
  size_t pos = 0, rl, i;
  int r, found = 0;

  r = ask(ev, d, dlen, SPF_T_TXT, &e);
  if (r == -1) return error(ev, SPF_TEMPERROR, "too many DNS questions");
  if (r == 0) return UNKNOWN;
  if (e->state == SPF_DNS_TEMPFAIL) return error(ev, SPF_TEMPERROR, "DNS lookup of the SPF record failed");
  if ((r = count_void(ev, e))) return r;
  if (e->nrrtotal > e->nrr) return error(ev, SPF_TEMPERROR, "DNS answer too large");
  while ((rr = spf_entry_next(ev->c, e, &pos, &rl))) {
    if (!is_spf1((const char *)rr, rl)) continue;
    if (found++) return error(ev, SPF_PERMERROR, "two or more SPF records");
    *rec = (const char *)rr; *len = rl;
  }
  if (!found) return 0;
  for (i = 0; i < *len; ++i)
    if ((unsigned char)(*rec)[i] > 126) return error(ev, SPF_PERMERROR, "non-ASCII SPF record");
  return 1;
}

static int count_lookup(struct ev *ev)
{
  if (++ev->lookups > 10) return error(ev, SPF_PERMERROR, "more than 10 DNS lookups");
  return 0;
}

static const unsigned char *client(struct ev *ev) { return ev->rq->ip; }

/* PTR names of the client validated by an address lookup, for ptr (target
 * given: *matched when one is target or under it) or %{p} (want_p: ev->p set).
 * Return 1 done, -1 pending, or an error result for ptr's own use. */
static int validated_names(struct ev *ev, const char *target, size_t tlen, int want_p, int *matched)
{
  char rname[80], bestbuf[SPF_NAME_MAX + 1];
  size_t k = 0, pos = 0, rl, i;
  struct spf_entry *e;
  const unsigned char *rr;
  int r, unknown = 0, best = 0, n = 0;
  unsigned type = ev->rq->v6 ? SPF_T_AAAA : SPF_T_A;

  *matched = 0;
  if (ev->rq->v6) {
    for (i = 16; i-- > 0;) {
      rname[k++] = hexd[ev->rq->ip[i] & 15]; rname[k++] = '.';
      rname[k++] = hexd[ev->rq->ip[i] >> 4]; rname[k++] = '.';
    }
    memcpy(rname + k, "ip6.arpa", 8); k += 8;
  } else {
    for (i = 4; i-- > 0;) {
      unsigned o = ev->rq->ip[i];
      if (o >= 100) rname[k++] = (char)('0' + o / 100);
      if (o >= 10) rname[k++] = (char)('0' + o / 10 % 10);
      rname[k++] = (char)('0' + o % 10);
      rname[k++] = '.';
    }
    memcpy(rname + k, "in-addr.arpa", 12); k += 12;
  }
  if (want_p) strcpy(ev->p, "unknown");
  r = ask(ev, rname, k, SPF_T_PTR, &e);
  if (r == -1) return error(ev, SPF_TEMPERROR, "too many DNS questions");
  if (r == 0) return -1;
  /* RFC 7208 5.5 would have ptr not match (and %{p} be "unknown"); a DNS failure must
   * never lead to a fail: temperror, as pyspf */
  if (e->state == SPF_DNS_TEMPFAIL) return error(ev, SPF_TEMPERROR, "PTR lookup failed");
  if ((r = count_void(ev, e))) return r;
  bestbuf[0] = 0;
  while (n < 10 && (rr = spf_entry_next(ev->c, e, &pos, &rl))) {
    int m;
    ++n;
    m = addr_match(ev, (const char *)rr, rl, type, ev->rq->v6 ? 128 : 32, 1);
    if (m == UNKNOWN) { unknown = 1; continue; }
    if (m != MATCH && m != NOMATCH) return m;
    if (m != MATCH) continue;
    rl = trimdot((const char *)rr, rl);
    {
      /* target itself, else a name under it, else the first validated name */
      int rank = 1;
      if (rl == tlen && !strncasecmp((const char *)rr, target, rl)) rank = 3;
      else if (rl > tlen && rr[rl - tlen - 1] == '.' && !strncasecmp((const char *)rr + rl - tlen, target, tlen)) rank = 2;
      if (rank >= 2) *matched = 1;
      if (rank > best && rl <= SPF_NAME_MAX) { best = rank; memcpy(bestbuf, rr, rl); bestbuf[rl] = 0; }
    }
  }
  if (unknown) return -1;
  if (want_p && best) {
    for (i = 0; bestbuf[i]; ++i) ev->p[i] = (char)lc((unsigned char)bestbuf[i]);
    ev->p[i] = 0;
  }
  return 1;
}

static int check_host(struct ev *ev, const char *d, size_t dlen, int depth, int top);

/* One mechanism: MATCH, NOMATCH, UNKNOWN or an error result. */
static int mechanism(struct ev *ev, const char *d, size_t dlen, const struct term *t, int depth)
{
  char name[SPF_NAME_MAX + 1];
  size_t nlen;
  int r;
  unsigned type = ev->rq->v6 ? SPF_T_AAAA : SPF_T_A, cidr = ev->rq->v6 ? t->cidr6 : t->cidr4;

  switch (t->mech) {
  case M_ALL: return MATCH;
  case M_IP4: return !ev->rq->v6 && cidr_match(t->net, client(ev), t->cidr4) ? MATCH : NOMATCH;
  case M_IP6: return ev->rq->v6 && cidr_match(t->net, client(ev), t->cidr6) ? MATCH : NOMATCH;
  default: break;
  }
  if ((r = count_lookup(ev))) return r;
  if (t->arg) {
    r = expand_domain(ev, d, dlen, t->arg, t->arglen, name, &nlen);
    if (r == -1) return UNKNOWN;
    if (r == -2) return ev->pstate;
    if (r != 1) return error(ev, SPF_PERMERROR, "bad macro");
  } else {
    memcpy(name, d, dlen); nlen = dlen; name[nlen] = 0;
  }
  switch (t->mech) {
  case M_A: return addr_match(ev, name, nlen, type, cidr, 0);
  case M_EXISTS: return addr_match(ev, name, nlen, SPF_T_A, 0, 0);
  case M_INCLUDE:
    r = check_host(ev, name, nlen, depth + 1, 0);
    if (r == SPF_NEED) return UNKNOWN;
    if (r == SPF_PASS) return MATCH;
    if (r == SPF_FAIL || r == SPF_SOFTFAIL || r == SPF_NEUTRAL) return NOMATCH;
    if (r == SPF_NONE) return error(ev, SPF_PERMERROR, "include of a domain with no SPF record");
    return r;
  case M_PTR: {
    int m;
    r = validated_names(ev, name, nlen, 0, &m);
    if (r == -1) return UNKNOWN;
    if (r != 1) return r;
    return m ? MATCH : NOMATCH;
  }
  case M_MX: {
    struct spf_entry *e;
    const unsigned char *rr;
    size_t pos = 0, rl;
    int found = 0, unknown = 0, m;
    if (!name_ok(name, nlen)) return NOMATCH;
    r = ask(ev, name, nlen, SPF_T_MX, &e);
    if (r == -1) return error(ev, SPF_TEMPERROR, "too many DNS questions");
    if (r == 0) return UNKNOWN;
    if (e->state == SPF_DNS_TEMPFAIL) return error(ev, SPF_TEMPERROR, "MX lookup failed");
    if ((r = count_void(ev, e))) return r;
    if (e->nrrtotal > 10) return error(ev, SPF_PERMERROR, "more than 10 MX records");
    /* every exchange is looked up (as pyspf does), then matched */
    while ((rr = spf_entry_next(ev->c, e, &pos, &rl))) {
      m = addr_match(ev, (const char *)rr, rl, type, cidr, 0);
      if (m == MATCH) found = 1;
      else if (m == UNKNOWN) unknown = 1;
      else if (m != NOMATCH) return m;
    }
    if (unknown) return UNKNOWN;
    return found ? MATCH : NOMATCH;
  }
  default: return error(ev, SPF_PERMERROR, "unknown mechanism");
  }
}

static int qual_result(char q)
{
  switch (q) {
  case '-': return SPF_FAIL;
  case '~': return SPF_SOFTFAIL;
  case '?': return SPF_NEUTRAL;
  default: return SPF_PASS;
  }
}

static void explain(struct ev *ev, const char *d, size_t dlen, const struct term *exp)
{
  char name[SPF_NAME_MAX + 1];
  size_t nlen, pos = 0, rl, i;
  struct spf_entry *e;
  const unsigned char *txt = 0;
  struct out o = { ev->o->explanation, 0, SPF_EXP_MAX - 1, 0 };
  int r;

  if (expand_domain(ev, d, dlen, exp->arg, exp->arglen, name, &nlen) != 1 || !name_ok(name, nlen)) return;
  r = ask(ev, name, nlen, SPF_T_TXT, &e);
  if (r != 1 || e->state != SPF_DNS_OK || e->nrrtotal != 1 || e->nrr != 1) return;
  txt = spf_entry_next(ev->c, e, &pos, &rl);
  if (!txt) return;
  for (i = 0; i < rl; ++i) if (txt[i] > 126) return;
  if (!macro_string_ok((const char *)txt, rl, 1)) return;
  if (expand(ev, d, dlen, (const char *)txt, rl, 1, &o) != 1) { o.n = 0; }
  ev->o->explanation[o.n] = 0;
}

static int check_host(struct ev *ev, const char *d, size_t dlen, int depth, int top)
{
  const char *rec = 0, *t;
  size_t len = 0, pos = 0, tn;
  struct term redirect, exp;
  int r, unknown = 0;

  if (depth > DEPTH_MAX) return error(ev, SPF_PERMERROR, "too deep");
  if (!name_ok(d, dlen)) return depth ? error(ev, SPF_PERMERROR, "bad domain name") : SPF_NONE;
  r = get_record(ev, d, dlen, &rec, &len);
  if (r == UNKNOWN) return SPF_NEED;
  if (r == 0) return SPF_NONE;
  if (r != 1) return r;
  rec += 6; len -= 6;
  redirect.arg = exp.arg = 0;
  if (!record_syntax(rec, len, &redirect, &exp)) return error(ev, SPF_PERMERROR, "syntax error in the SPF record");
  while (next_term(rec, len, &pos, &t, &tn)) {
    struct term x;
    parse_term(t, tn, &x);
    if (x.modifier) continue;
    r = mechanism(ev, d, dlen, &x, depth);
    if (r == UNKNOWN) { unknown = 1; continue; }
    if (r == NOMATCH) continue;
    if (unknown) return SPF_NEED;
    if (r != MATCH) return r;
    r = qual_result(x.qual);
    if (top) {
      size_t n = tn < sizeof ev->o->mechanism - 1 ? tn : sizeof ev->o->mechanism - 1;
      memcpy(ev->o->mechanism, t, n);
      ev->o->mechanism[n] = 0;
      if (r == SPF_FAIL && exp.arg) explain(ev, d, dlen, &exp);
    }
    return r;
  }
  if (redirect.arg) {
    char name[SPF_NAME_MAX + 1];
    size_t nlen;
    if ((r = count_lookup(ev))) return unknown ? SPF_NEED : r;
    r = expand_domain(ev, d, dlen, redirect.arg, redirect.arglen, name, &nlen);
    if (r == -1) return SPF_NEED;
    if (r == -2) return unknown ? SPF_NEED : ev->pstate;
    if (r != 1) return unknown ? SPF_NEED : error(ev, SPF_PERMERROR, "bad macro");
    r = check_host(ev, name, nlen, depth + 1, top);
    if (unknown) return SPF_NEED;
    if (r == SPF_NONE) return error(ev, SPF_PERMERROR, "redirect to a domain with no SPF record");
    return r;
  }
  return unknown ? SPF_NEED : SPF_NEUTRAL;
}

static void setup(struct ev *ev, const struct spf_request *rq, struct spf_cache *c, struct spf_outcome *o)
{
  const char *at;
  memset(ev, 0, sizeof *ev);
  ev->rq = rq; ev->c = c; ev->o = o;
  ev->s = rq->sender ? rq->sender : "";
  if (!*ev->s) {                             /* the null sender: postmaster@HELO */
    const char *h = rq->helo ? rq->helo : "";
    size_t hn = strlen(h);
    if (hn > SPF_NAME_MAX + 1) hn = SPF_NAME_MAX + 1;
    memcpy(ev->sender, "postmaster@", 11);
    memcpy(ev->sender + 11, h, hn);
    ev->sender[11 + hn] = 0;
    ev->s = ev->sender;
  }
  ev->slen = strlen(ev->s);
  at = strrchr(ev->s, '@');
  if (!at) { ev->local = "postmaster"; ev->locallen = 10; ev->odom = ev->s; ev->odomlen = ev->slen; return; }
  ev->local = ev->s; ev->locallen = (size_t)(at - ev->s);
  if (!ev->locallen) { ev->local = "postmaster"; ev->locallen = 10; }
  ev->odom = at + 1; ev->odomlen = strlen(at + 1);
}

/* The identity's domain: well formed, more than one label, DNS-ish bytes only. */
static int identity_ok(const char *d, size_t n)
{
  size_t i;
  if (!name_ok(d, n) || !memchr(d, '.', trimdot(d, n))) return 0;
  for (i = 0; i < n; ++i) {
    unsigned char ch = (unsigned char)d[i];
    if (ch <= ' ' || ch >= 127 || ch == '[' || ch == ']' || ch == '\\' || ch == '@') return 0;
  }
  return 1;
}

enum spf_result spf_eval(const struct spf_request *rq, struct spf_cache *c, struct spf_outcome *o)
{
  struct ev ev;
  size_t dn;
  int r;

  memset(o, 0, sizeof *o);
  o->problem = "";
  setup(&ev, rq, c, o);
  dn = ev.odomlen < SPF_NAME_MAX ? ev.odomlen : SPF_NAME_MAX;
  memcpy(o->domain, ev.odom, dn);
  o->domain[dn] = 0;
  if (!identity_ok(ev.odom, ev.odomlen)) r = SPF_NONE;
  else r = check_host(&ev, ev.odom, trimdot(ev.odom, ev.odomlen), 0, 1);
  if (c->full) { r = SPF_TEMPERROR; ev.problem = "too many DNS questions"; }
  else if (ev.pending) r = SPF_NEED;
  if (r != SPF_FAIL) o->explanation[0] = 0;
  if (r != SPF_PASS && r != SPF_FAIL && r != SPF_SOFTFAIL && r != SPF_NEUTRAL) o->mechanism[0] = 0;
  o->result = (enum spf_result)r;
  o->problem = (r == SPF_TEMPERROR || r == SPF_PERMERROR) && ev.problem ? ev.problem : "";
  o->lookups = ev.lookups;
  o->voids = ev.voids;
  o->queries = (unsigned)c->n;
  o->pending = ev.pending;
  return o->result;
}

long spf_expand_test(const struct spf_request *rq, const char *d, const char *s, size_t len,
                     int exp, char *out, size_t outmax)
{
  static struct spf_cache c;     /* empty: %{p} stays pending and is shown as "unknown" */
  struct spf_outcome o;
  struct ev ev;
  struct out w = { out, 0, outmax - 1, 0 };
  int r;
  spf_cache_init(&c);
  setup(&ev, rq, &c, &o);
  ev.pstate = 1;
  strcpy(ev.p, "unknown");
  if (!macro_string_ok(s, len, exp)) return -1;
  if (exp) r = expand(&ev, d, strlen(d), s, len, 1, &w);
  else {
    char name[SPF_NAME_MAX + 1];
    size_t n;
    r = expand_domain(&ev, d, strlen(d), s, len, name, &n);
    if (r == 1) put(&w, name, n);
  }
  if (r != 1) return -1;
  out[w.n] = 0;
  return (long)w.n;
}
