#include <stdlib.h>
#include "iprange.h"
#include "test.h"

/* input → its minimal prefixes, space-separated, or "!reason". */
static const struct { const char *in; const char *want; } cases[] = {
  { "192.0.2.7", "192.0.2.7" },
  { "198.51.100.0/24", "198.51.100.0/24" },
  { "66.119.42.140-143", "66.119.42.140/30" },
  { "66.119.42.140-66.119.42.143", "66.119.42.140/30" },
  { "192.0.2.1-6", "192.0.2.1 192.0.2.2/31 192.0.2.4/31 192.0.2.6" },
  { "192.0.2.0-255", "192.0.2.0/24" },
  { "10.0.0.255-10.0.1.0", "10.0.0.255 10.0.1.0" },
  { "10.0.0.0-10.0.3.255", "10.0.0.0/22" },
  { "10.0.0.1-10.0.3.255", "10.0.0.1 10.0.0.2/31 10.0.0.4/30 10.0.0.8/29 10.0.0.16/28 10.0.0.32/27 10.0.0.64/26 10.0.0.128/25 10.0.1.0/24 10.0.2.0/23" },
  { "0.0.0.0/0", "0.0.0.0/0" },
  { "0.0.0.0-255.255.255.255", "0.0.0.0/0" },
  { "255.255.255.255", "255.255.255.255" },
  { "192.0.2.7-7", "192.0.2.7" },
  { "192.0.2.7/32", "192.0.2.7" },
  { "::ffff:192.0.2.7", "192.0.2.7" },
  { "2001:db8::7", "2001:db8::7" },
  { "2001:DB8:0:0::7", "2001:db8::7" },
  { "2001:db8:1::/48", "2001:db8:1::/48" },
  { "2001:db8::/128", "2001:db8::" },
  { "::/0", "::/0" },
  { "2001:db8::1-2001:db8::6", "2001:db8::1 2001:db8::2/127 2001:db8::4/127 2001:db8::6" },
  { "2001:db8::-2001:db8::ffff:ffff:ffff:ffff", "2001:db8::/64" },
  { "192.0.2.7/24", "!host bits set beyond the prefix length" },
  { "2001:db8::1/64", "!host bits set beyond the prefix length" },
  { "192.0.2.0/33", "!bad prefix length" },
  { "192.0.2.0/", "!bad prefix length" },
  { "192.0.2.0/+8", "!bad prefix length" },
  { "2001:db8::/129", "!bad prefix length" },
  { "192.0.2.9-3", "!range end below its start" },
  { "192.0.2.9-256", "!bad range end" },
  { "192.0.2.9-010", "!bad range end" },
  { "192.0.2.1-", "!bad range end" },
  { "192.0.2.1-2001:db8::1", "!range mixes IPv4 and IPv6" },
  { "2001:db8::1-ff", "!bad range end" },
  { "192.0.2.0/24-30", "!both / and - in one range" },
  { "192.0.2", "!not an IP address" },
  { "192.0.2.07", "!not an IP address" },
  { "192.0.2.256", "!not an IP address" },
  { "1.2.3.4 ", "!not an IP address" },
  { "example.com", "!not an IP address" },
  { "2001:db8::1::2", "!not an IP address" },
  { "fe80::1%eth0", "!not an IP address" },
  { "", "!empty address" },
};

static void expand(const char *in, char *out, size_t max)
{
  struct iprange r;
  struct iprange_walk w;
  struct iprange_prefix p;
  const char *why = iprange_parse(in, strlen(in), &r);
  size_t n = 0;

  out[0] = 0;
  if (why) { snprintf(out, max, "!%s", why); return; }
  iprange_walk_start(&w, &r);
  while (iprange_walk_next(&w, &p)) {
    char t[IPRANGE_FMT_MAX];
    size_t k = iprange_prefix_fmt(t, &p);
    if (n + k + 2 > max) break;
    if (n) out[n++] = ' ';
    memcpy(out + n, t, k + 1);
    n += k;
  }
}

static unsigned long v4(const struct iprange_addr *a)
{
  return (unsigned long)a->b[0] << 24 | (unsigned long)a->b[1] << 16 | (unsigned long)a->b[2] << 8 | a->b[3];
}

/* Random IPv4 ranges: prefixes are aligned, contiguous, cover lo..hi exactly,
 * and each is maximal (doubling it would misalign it or pass hi). */
static int walk_is_minimal(unsigned long lo, unsigned long hi)
{
  struct iprange r;
  struct iprange_walk w;
  struct iprange_prefix p;
  unsigned long next = lo;
  int i;

  memset(&r, 0, sizeof r);
  for (i = 0; i < 4; ++i) { r.lo.b[i] = (unsigned char)(lo >> (24 - 8 * i)); r.hi.b[i] = (unsigned char)(hi >> (24 - 8 * i)); }
  iprange_walk_start(&w, &r);
  while (iprange_walk_next(&w, &p)) {
    unsigned long start = v4(&p.a), size = p.bits ? 1UL << (32 - p.bits) : 1UL << 32;
    if (start != next || start % size) return 0;
    if (p.bits > 0 && !(start % (size * 2)) && start + size * 2 - 1 <= hi) return 0;
    next = start + size;
  }
  return next == hi + 1;
}

int main(void)
{
  size_t i;
  char got[1024];
  struct iprange r;
  struct iprange_addr a;
  int all = 1;

  for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    expand(cases[i].in, got, sizeof got);
    CHECK_STR(got, cases[i].want, cases[i].in);
  }

  CHECK(iprange_addr_parse("192.0.2.7", 9, &a) && !a.v6 && a.b[3] == 7, "address parse");
  CHECK(iprange_addr_parse("::ffff:10.1.2.3", 15, &a) && !a.v6 && a.b[0] == 10, "mapped address is IPv4");
  CHECK(!iprange_addr_parse("192.0.2.7/32", 12, &a), "address parse refuses a prefix");
  CHECK(!iprange_addr_parse("192.0.2.7\0", 10, &a), "address parse refuses NUL");

  iprange_parse("66.119.42.140-143", 17, &r);
  iprange_addr_parse("66.119.42.143", 13, &a);
  CHECK(iprange_contains(&r, &a), "range contains its end");
  iprange_addr_parse("66.119.42.144", 13, &a);
  CHECK(!iprange_contains(&r, &a), "range does not contain the next address");
  iprange_addr_parse("2001:db8::1", 11, &a);
  CHECK(!iprange_contains(&r, &a), "IPv4 range does not contain IPv6");
  iprange_parse("2001:db8::/32", 13, &r);
  CHECK(iprange_contains(&r, &a), "IPv6 prefix contains its address");

  {
    struct iprange_prefix p;
    char t[IPRANGE_FMT_MAX];
    iprange_parse("192.0.2.0-255", 13, &r);
    CHECK(iprange_is_prefix(&r, &p) && p.bits == 24, "aligned range is one prefix");
    iprange_prefix_fmt(t, &p);
    CHECK_STR(t, "192.0.2.0/24", "its text");
    iprange_parse("192.0.2.0-254", 13, &r);
    CHECK(!iprange_is_prefix(&r, &p), "unaligned range is not one prefix");
  }

  srandom(7);
  for (i = 0; i < 20000 && all; ++i) {
    unsigned long x = ((unsigned long)random() << 1 ^ (unsigned long)random()) & 0xffffffffUL;
    unsigned long y = i % 2 ? (x + ((unsigned long)random() % 5000)) & 0xffffffffUL
                            : ((unsigned long)random() << 1 ^ (unsigned long)random()) & 0xffffffffUL;
    if (y < x) { unsigned long t = x; x = y; y = t; }
    all = walk_is_minimal(x, y);
  }
  CHECK(all, "20000 random IPv4 ranges split into aligned, maximal, exact prefixes");
  CHECK(walk_is_minimal(0, 0xffffffffUL), "the whole IPv4 space");
  CHECK(walk_is_minimal(1, 0xfffffffeUL), "the whole IPv4 space but its ends");
  return test_done();
}
