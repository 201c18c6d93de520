#include "traplog.h"
#include "test.h"

static const struct { const char *what; const char *line; int hit; const char *ip; long long when; const char *rcpt; } cases[] = {
  { "multilog line", "@4000000069246c1d2a6f3e1c rcptfilter: ip=192.0.2.7 pid=4712 action=trap from=<a@b.example> rcpt=<trap@example.com> rule=3 file=rules:17",
    1, "192.0.2.7", 0x69246c1dLL - 10, "<trap@example.com>" },
  { "no stamp", "rcptfilter: ip=192.0.2.7 pid=4712 action=trap from=<a@b.example> rcpt=<trap@example.com> rule=3 file=rules:17", 1, "192.0.2.7", 0, "<trap@example.com>" },
  { "IPv6 client", "rcptfilter: ip=2001:db8::7 pid=1 action=trap from=<> rcpt=<trap@example.com>", 1, "2001:db8::7", 0, "<trap@example.com>" },
  { "mapped IPv4", "rcptfilter: ip=::ffff:192.0.2.8 action=trap", 1, "192.0.2.8", 0, "" },
  { "quoted text with spaces", "rcptfilter: ip=192.0.2.9 action=trap text=\"a ip=10.0.0.1 b\" rcpt=<t@x>", 1, "192.0.2.9", 0, "<t@x>" },
  { "deny is not trap", "rcptfilter: ip=192.0.2.7 pid=4712 action=deny from=<a@b.example> rcpt=<joe@example.com> rule=3 file=rules:17", 0, 0, 0, 0 },
  { "another program", "rblsmtpd2: ip=192.0.2.7 pid=4711 action=trap", 0, 0, 0, 0 },
  { "sender smuggling ip=", "rcptfilter: ip=192.0.2.7 action=trap from=<ip=10.0.0.1@x> rcpt=<t@x>", 1, "192.0.2.7", 0, "<t@x>" },
  { "two ip= tokens", "rcptfilter: ip=192.0.2.7 ip=10.0.0.1 action=trap", 0, 0, 0, 0 },
  { "two actions", "rcptfilter: ip=192.0.2.7 action=trap action=deny", 0, 0, 0, 0 },
  { "no ip", "rcptfilter: pid=1 action=trap", 0, 0, 0, 0 },
  { "bad ip", "rcptfilter: ip=unknown action=trap", 0, 0, 0, 0 },
  { "bad stamp", "@40000000zz246c1d2a6f3e1c rcptfilter: ip=192.0.2.7 action=trap", 0, 0, 0, 0 },
  { "stamp before 1970", "@3fffffffffffffff2a6f3e1c rcptfilter: ip=192.0.2.7 action=trap", 0, 0, 0, 0 },
  { "actiontrap without =", "rcptfilter: ip=192.0.2.7 actiontrap", 0, 0, 0, 0 },
  { "empty", "", 0, 0, 0, 0 },
};

int main(void)
{
  size_t i;
  struct traplog_hit h;
  char t[IPRANGE_FMT_MAX];
  long long u;

  for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    int hit = traplog_parse(cases[i].line, strlen(cases[i].line), &h);
    CHECK_INT(hit, cases[i].hit, cases[i].what);
    if (!hit || !cases[i].hit) continue;
    iprange_addr_fmt(t, &h.ip);
    CHECK_STR(t, cases[i].ip, cases[i].what);
    CHECK_INT(h.when, cases[i].when, cases[i].what);
    CHECK_STR(h.rcpt, cases[i].rcpt, cases[i].what);
  }
  CHECK(traplog_tai64n("@400000003b9aca0a00000000", 25, &u) && u == 1000000000, "tai64n of unix 1000000000");
  CHECK(!traplog_tai64n("@400000003b9aca0a0000000", 24, &u), "short stamp refused");
  return test_done();
}
