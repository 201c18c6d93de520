#include <stdlib.h>
#include "revip.h"
#include "test.h"

static const struct { const char *in; int ok; int v6; const char *text; const char *rev; } cases[] = {
  { "192.0.2.7", 1, 0, "192.0.2.7", "7.2.0.192." },
  { "127.0.0.2", 1, 0, "127.0.0.2", "2.0.0.127." },
  { "0.0.0.0", 1, 0, "0.0.0.0", "0.0.0.0." },
  { "255.255.255.255", 1, 0, "255.255.255.255", "255.255.255.255." },
  { "010.001.002.003", 1, 0, "10.1.2.3", "3.2.1.10." },
  { "256.1.1.1", 0, 0, 0, 0 }, { "1.2.3", 0, 0, 0, 0 }, { "1.2.3.4.5", 0, 0, 0, 0 },
  { "1.2.3.4 ", 0, 0, 0, 0 }, { " 1.2.3.4", 0, 0, 0, 0 }, { "1..3.4", 0, 0, 0, 0 },
  { "1.2.3.0004", 0, 0, 0, 0 }, { "", 0, 0, 0, 0 }, { "a.b.c.d", 0, 0, 0, 0 }, { "1.2.3.4x", 0, 0, 0, 0 },
  { "-1.2.3.4", 0, 0, 0, 0 },
  { "::ffff:192.0.2.7", 1, 0, "192.0.2.7", "7.2.0.192." },
  { "::FFFF:10.0.0.1", 1, 0, "10.0.0.1", "1.0.0.10." },
  { "2001:db8::1", 1, 1, "2001:db8::1",
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2." },
  { "2001:DB8:0:0:0:0:0:1", 1, 1, "2001:db8::1",
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2." },
  { "::1", 1, 1, "::1", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0." },
  { "fe80::1%eth0", 1, 1, "fe80::1", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f." },
  { "2001:db8::1::2", 0, 0, 0, 0 }, { ":::", 0, 0, 0, 0 }, { "2001:db8:g::1", 0, 0, 0, 0 },
  { "12345678901234567890123456789012345678901234567890123456789012345", 0, 0, 0, 0 },
};

int main(void)
{
  size_t i;
  struct revip r;

  for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    int ok = revip_parse(&r, cases[i].in);
    CHECK_INT(ok, cases[i].ok, cases[i].in);
    if (!ok || !cases[i].ok) continue;
    CHECK_INT(r.v6, cases[i].v6, "family");
    CHECK_STR(r.text, cases[i].text, "text");
    CHECK_STR(r.rev, cases[i].rev, "reversed");
    CHECK_INT(r.revlen, strlen(cases[i].rev), "revlen");
  }

  unsetenv("TCPREMOTEIP"); unsetenv("TCP6REMOTEIP");
  CHECK_INT(revip_from_env(&r), 0, "no address in env");
  setenv("TCP6REMOTEIP", "2001:db8::2", 1);
  CHECK(revip_from_env(&r) && r.v6, "TCP6REMOTEIP used when TCPREMOTEIP unset");
  setenv("TCPREMOTEIP", "192.0.2.1", 1);
  CHECK(revip_from_env(&r) && !r.v6 && !strcmp(r.text, "192.0.2.1"), "TCPREMOTEIP preferred");
  setenv("TCPREMOTEIP", "garbage", 1);
  CHECK_INT(revip_from_env(&r), 0, "garbage TCPREMOTEIP is an error, not a fallback");
  return test_done();
}
