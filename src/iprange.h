/* iprange.h — IPv4/IPv6 addresses, CIDR prefixes and a-b ranges, as operators
 * write them in blocklists and never-lists:
 *   192.0.2.7   198.51.100.0/24   66.119.42.140-143   10.0.0.0-10.0.3.255
 *   2001:db8::7   2001:db8:1::/48   2001:db8::1-2001:db8::ff
 * A range is split into the minimal set of CIDR prefixes by iprange_walk. */
#ifndef IPRANGE_H
#define IPRANGE_H
#include <stddef.h>

#define IPRANGE_TEXT_MAX 100    /* longest range text accepted */
#define IPRANGE_FMT_MAX 48      /* "ffff:...:ffff/128" and NUL */

struct iprange_addr {
  int v6;                       /* 0: IPv4 in b[0..3], 1: IPv6 in b[0..15] */
  unsigned char b[16];
};

struct iprange_prefix {
  struct iprange_addr a;        /* host bits are zero */
  unsigned bits;                /* 0..32 or 0..128 */
};

struct iprange {                /* inclusive, both ends of one family */
  struct iprange_addr lo, hi;
};

/* One address, whole text. IPv4-mapped IPv6 (::ffff:a.b.c.d) gives IPv4.
 * Dotted quads with leading zeros are refused (octal or decimal? nobody knows).
 * 1 on success, 0 otherwise. */
int iprange_addr_parse(const char *s, size_t len, struct iprange_addr *a);

/* One range in any of the forms above. NULL on success, else the reason
 * ("not an IP address", "host bits set beyond /24", ...), a static string. */
const char *iprange_parse(const char *s, size_t len, struct iprange *r);

/* The range as a prefix, when it is exactly one (e.g. "192.0.2.0-255"). */
int iprange_is_prefix(const struct iprange *r, struct iprange_prefix *p);

/* Walking a range as its minimal list of CIDR prefixes, lowest first:
 *   struct iprange_walk w; iprange_walk_start(&w, &r);
 *   while (iprange_walk_next(&w, &p)) ... */
struct iprange_walk {
  unsigned __int128 cur, hi;
  int v6, done;
};
void iprange_walk_start(struct iprange_walk *w, const struct iprange *r);
int iprange_walk_next(struct iprange_walk *w, struct iprange_prefix *p);

int iprange_contains(const struct iprange *r, const struct iprange_addr *a);
/* -1, 0, 1 like memcmp; IPv4 sorts before IPv6. */
int iprange_addr_cmp(const struct iprange_addr *x, const struct iprange_addr *y);

/* Text forms, NUL-terminated, into out[IPRANGE_FMT_MAX]; return the length.
 * IPv6 in RFC 5952 form; a full-length prefix is printed as a bare address. */
size_t iprange_addr_fmt(char *out, const struct iprange_addr *a);
size_t iprange_prefix_fmt(char *out, const struct iprange_prefix *p);
#endif
