#include <string.h>
#include <arpa/inet.h>
#include "iprange.h"
#include "num.h"

typedef unsigned __int128 u128;

static const unsigned char v4mapped[12] = { 0,0,0,0, 0,0,0,0, 0,0,0xff,0xff };

static int parse_one(const char *s, struct iprange_addr *a, int unmap)
{
  memset(a, 0, sizeof *a);
  if (strchr(s, ':')) {
    if (inet_pton(AF_INET6, s, a->b) != 1) return 0;
    a->v6 = 1;
    if (unmap && !memcmp(a->b, v4mapped, 12)) {
      memmove(a->b, a->b + 12, 4);
      memset(a->b + 4, 0, 12);
      a->v6 = 0;
    }
    return 1;
  }
  /* glibc's inet_pton refuses leading zeros and short forms ("10.1"): good. */
  return inet_pton(AF_INET, s, a->b) == 1;
}

/* A NUL-terminated copy of s[0..len), refusing NUL bytes and overlong text. */
static int copy_text(char *buf, const char *s, size_t len)
{
  if (len == 0 || len > IPRANGE_TEXT_MAX || memchr(s, 0, len)) return 0;
  memcpy(buf, s, len);
  buf[len] = 0;
  return 1;
}

int iprange_addr_parse(const char *s, size_t len, struct iprange_addr *a)
{
  char buf[IPRANGE_TEXT_MAX + 1];
  return copy_text(buf, s, len) && parse_one(buf, a, 1);
}

static unsigned width(int v6) { return v6 ? 128 : 32; }

static u128 to_u128(const struct iprange_addr *a)
{
  u128 v = 0;
  unsigned i, n = a->v6 ? 16 : 4;
  for (i = 0; i < n; ++i) v = (v << 8) | a->b[i];
  return v;
}

static void from_u128(struct iprange_addr *a, u128 v, int v6)
{
  unsigned n = v6 ? 16 : 4;
  memset(a, 0, sizeof *a);
  a->v6 = v6;
  while (n--) { a->b[n] = (unsigned char)(v & 0xff); v >>= 8; }
}

/* The host-bit mask of a prefix of length bits in a family of width w. */
static u128 host_mask(unsigned bits, unsigned w)
{
  unsigned k = w - bits;
  return k >= 128 ? ~(u128)0 : (((u128)1 << k) - 1);
}

const char *iprange_parse(const char *s, size_t len, struct iprange *r)
{
  char buf[IPRANGE_TEXT_MAX + 1];
  char *slash, *dash;

  if (!copy_text(buf, s, len)) return len ? "address too long or contains NUL" : "empty address";
  slash = strchr(buf, '/');
  dash = strchr(buf, '-');
  if (slash && dash) return "both / and - in one range";
  if (slash) {
    unsigned long bits;
    u128 v, mask;
    *slash = 0;
    if (!parse_one(buf, &r->lo, 0)) return "not an IP address";
    if (!num_ulong(slash + 1, width(r->lo.v6), &bits)) return "bad prefix length";
    v = to_u128(&r->lo);
    mask = host_mask((unsigned)bits, width(r->lo.v6));
    if (v & mask) return "host bits set beyond the prefix length";
    from_u128(&r->hi, v | mask, r->lo.v6);
    return 0;
  }
  if (dash) {
    *dash = 0;
    if (!parse_one(buf, &r->lo, 1)) return "not an IP address";
    if (!r->lo.v6 && !strchr(dash + 1, '.') && !strchr(dash + 1, ':')) {
      unsigned long last;   /* short form 66.119.42.140-143: the last octet only */
      if (!num_ulong(dash + 1, 255, &last)) return "bad range end";
      if (dash[1] == '0' && dash[2]) return "bad range end";
      r->hi = r->lo;
      r->hi.b[3] = (unsigned char)last;
    } else if (!parse_one(dash + 1, &r->hi, 1)) {
      return "bad range end";
    }
    if (r->lo.v6 != r->hi.v6) return "range mixes IPv4 and IPv6";
    if (to_u128(&r->hi) < to_u128(&r->lo)) return "range end below its start";
    return 0;
  }
  if (!parse_one(buf, &r->lo, 1)) return "not an IP address";
  r->hi = r->lo;
  return 0;
}

void iprange_walk_start(struct iprange_walk *w, const struct iprange *r)
{
  w->v6 = r->lo.v6;
  w->cur = to_u128(&r->lo);
  w->hi = to_u128(&r->hi);
  w->done = w->hi < w->cur;
}

int iprange_walk_next(struct iprange_walk *w, struct iprange_prefix *p)
{
  unsigned wd = width(w->v6), bits;
  u128 mask = 0;

  if (w->done) return 0;
  /* The largest aligned block starting at cur that does not pass hi. */
  for (bits = 0; bits <= wd; ++bits) {
    mask = host_mask(bits, wd);
    if (!(w->cur & mask) && (w->cur | mask) <= w->hi) break;
  }
  from_u128(&p->a, w->cur, w->v6);
  p->bits = bits;
  if ((w->cur | mask) == w->hi) w->done = 1;
  else w->cur = (w->cur | mask) + 1;
  return 1;
}

int iprange_is_prefix(const struct iprange *r, struct iprange_prefix *p)
{
  struct iprange_walk w;
  iprange_walk_start(&w, r);
  return iprange_walk_next(&w, p) && w.done;
}

int iprange_addr_cmp(const struct iprange_addr *x, const struct iprange_addr *y)
{
  u128 a, b;
  if (x->v6 != y->v6) return x->v6 ? 1 : -1;
  a = to_u128(x);
  b = to_u128(y);
  return a < b ? -1 : a > b;
}

int iprange_contains(const struct iprange *r, const struct iprange_addr *a)
{
  return iprange_addr_cmp(&r->lo, a) <= 0 && iprange_addr_cmp(a, &r->hi) <= 0;
}

size_t iprange_addr_fmt(char *out, const struct iprange_addr *a)
{
  if (!inet_ntop(a->v6 ? AF_INET6 : AF_INET, a->b, out, IPRANGE_FMT_MAX)) { out[0] = 0; return 0; }
  return strlen(out);
}

size_t iprange_prefix_fmt(char *out, const struct iprange_prefix *p)
{
  size_t n = iprange_addr_fmt(out, &p->a);
  unsigned bits = p->bits;
  char digits[4];
  size_t k = sizeof digits;

  if (bits == width(p->a.v6)) return n;
  do { digits[--k] = (char)('0' + bits % 10); bits /= 10; } while (bits);
  out[n++] = '/';
  memcpy(out + n, digits + k, sizeof digits - k);
  n += sizeof digits - k;
  out[n] = 0;
  return n;
}
