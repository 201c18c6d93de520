#include "blocklist.h"
#include "netlist.h"
#include "test.h"

static const struct { const char *line; int kind; const char *range; long long expires; const char *reason; const char *why; } lines[] = {
  { "192.0.2.7", 1, "192.0.2.7", 0, "", 0 },
  { "192.0.2.7 spam to trap", 1, "192.0.2.7", 0, "spam to trap", 0 },
  { "  198.51.100.0/24\texpires=2026-12-01 whole\tprovider  # comment", 1, "198.51.100.0/24", 1796083200LL, "whole provider", 0 },
  { "66.119.42.140-143 expires=2026-12-01T18:30Z", 1, "66.119.42.140/30", 1796149800LL, "", 0 },
  { "2001:db8::/32 expires=2026-12-01T18:30:05Z v6", 1, "2001:db8::/32", 1796149805LL, "v6", 0 },
  { "192.0.2.7 a#b is not a comment", 1, "192.0.2.7", 0, "a#b is not a comment", 0 },
  { "192.0.2.7 cr\r", -1, 0, 0, 0, "control or non-ASCII byte" },
  { "", 0, 0, 0, 0, 0 }, { "   ", 0, 0, 0, 0, 0 }, { "# comment", 0, 0, 0, 0, 0 }, { "  # indented", 0, 0, 0, 0, 0 },
  { "#192.0.2.7", 0, 0, 0, 0, 0 },
  { "192.0.2.7 expires=tomorrow", -1, 0, 0, 0, "bad expiry time (want 2026-12-01 or 2026-12-01T18:30:00Z)" },
  { "192.0.2.7 expires=2026-13-01", -1, 0, 0, 0, "bad expiry time (want 2026-12-01 or 2026-12-01T18:30:00Z)" },
  { "192.0.2.7 expires=2025-02-29", -1, 0, 0, 0, "bad expiry time (want 2026-12-01 or 2026-12-01T18:30:00Z)" },
  { "192.0.2.7 expires=2024-02-29", 1, "192.0.2.7", 1709164800LL, "", 0 },
  { "192.0.2.7 expires=1969-12-31", -1, 0, 0, 0, "bad expiry time (want 2026-12-01 or 2026-12-01T18:30:00Z)" },
  { "192.0.2.7 expires=2026-12-01T18:30:60Z", -1, 0, 0, 0, "bad expiry time (want 2026-12-01 or 2026-12-01T18:30:00Z)" },
  { "192.0.2.7 expires=2026-12-01T18:30", -1, 0, 0, 0, "bad expiry time (want 2026-12-01 or 2026-12-01T18:30:00Z)" },
  { "192.0.2.7/24", -1, 0, 0, 0, "host bits set beyond the prefix length" },
  { "host.example.com", -1, 0, 0, 0, "not an IP address" },
};

static const struct { const char *line; const char *why; int count; } nets[] = {
  { "192.0.2.0/24 our net", 0, 1 },
  { "10.:allow,RELAYCLIENT=\"\"", 0, 1 },
  { "172.16.0.1-9:allow,RELAYCLIENT=\"\",RBLSMTPD=\"\"", 0, 1 },
  { "127.0.0.1:allow,RELAYCLIENT=\"\"", 0, 1 },
  { "=mx.example.com:allow,RELAYCLIENT=\"\"", 0, 0 },
  { "192.168.:allow", 0, 0 },
  { ":deny", 0, 0 },
  { "2001:db8::/32", 0, 1 },
  { "# 1.2.3.4", 0, 0 },
  { "1.2.3.4.:allow,RELAYCLIENT=\"\"", "not a tcprules address", 0 },
  { "nonsense", "not an IP address", 0 },
};

int main(void)
{
  size_t i;
  struct blocklist_entry e;
  const char *why;
  char t[IPRANGE_FMT_MAX], tm[BLOCKLIST_TIME_MAX];
  long long x;
  struct netlist nl = { 0, 0, 0 };
  struct iprange_addr a;

  for (i = 0; i < sizeof lines / sizeof lines[0]; ++i) {
    int k = blocklist_parse_line(lines[i].line, strlen(lines[i].line), &e, &why);
    CHECK_INT(k, lines[i].kind, lines[i].line);
    if (k == BLOCKLIST_ENTRY && lines[i].kind == 1) {
      struct iprange_prefix p;
      if (iprange_is_prefix(&e.range, &p)) iprange_prefix_fmt(t, &p); else t[0] = 0;
      CHECK_STR(t, lines[i].range, "range");
      CHECK_INT(e.expires, lines[i].expires, "expires");
      CHECK_STR(e.reason, lines[i].reason, "reason");
    }
    if (k == BLOCKLIST_BAD && lines[i].why) CHECK_STR(why, lines[i].why, "why");
  }
  blocklist_time_fmt(tm, 1796149805LL);
  CHECK_STR(tm, "2026-12-01T18:30:05Z", "time format");
  blocklist_time_fmt(tm, 0);
  CHECK_STR(tm, "1970-01-01T00:00:00Z", "epoch");
  blocklist_time_fmt(tm, 951782400LL);
  CHECK_STR(tm, "2000-02-29T00:00:00Z", "leap day 2000");
  for (x = 0; x < 4102444800LL; x += 7777777) {   /* round trip through 2100 */
    long long back;
    blocklist_time_fmt(tm, x);
    if (!blocklist_time_parse(tm, 20, &back) || back != x) break;
  }
  CHECK(x >= 4102444800LL, "format and parse agree from 1970 to 2100");

  for (i = 0; i < sizeof nets / sizeof nets[0]; ++i) {
    size_t before = nl.n;
    why = netlist_add_line(&nl, nets[i].line, strlen(nets[i].line));
    if (nets[i].why) CHECK_STR(why, nets[i].why, nets[i].line);
    else CHECK(!why, nets[i].line);
    CHECK_INT(nl.n - before, nets[i].count, nets[i].line);
  }
  iprange_addr_parse("10.200.1.1", 10, &a);
  CHECK(netlist_contains(&nl, &a), "10. covers 10.200.1.1");
  iprange_addr_parse("172.16.0.9", 10, &a);
  CHECK(netlist_contains(&nl, &a), "172.16.0.1-9 covers .9");
  iprange_addr_parse("172.16.0.10", 11, &a);
  CHECK(!netlist_contains(&nl, &a), "but not .10");
  iprange_addr_parse("192.168.1.1", 11, &a);
  CHECK(!netlist_contains(&nl, &a), "allow without RELAYCLIENT is not ours");
  netlist_free(&nl);
  return test_done();
}
