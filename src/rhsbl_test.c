#include <string.h>
#include "rhsbl.h"
#include "test.h"

static const struct { const char *domain, *base, *want; } names[] = {
  { "example.com", "dbl.test", "example.com.dbl.test" },
  { "Example.COM.", "dbl.test", "Example.COM.dbl.test" },
  { "example.com", "dbl.test.", "example.com.dbl.test" },
  { "", "dbl.test", 0 }, { ".", "dbl.test", 0 }, { "a..b", "dbl.test", 0 }, { ".a", "dbl.test", 0 },
  { "[192.0.2.1]", "dbl.test", 0 }, { "a b.example", "dbl.test", 0 }, { "a\\.example", "dbl.test", 0 },
  { "caf\xc3\xa9.example", "dbl.test", 0 }, { "a@b.example", "dbl.test", 0 },
  { "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.example", "dbl.test", 0 },
};

int main(void)
{
  struct dnsbl_list l;
  char out[RHSBL_NAME_MAX], longd[300];
  size_t i, n;
  for (i = 0; i < sizeof names / sizeof names[0]; ++i) {
    dnsbl_parse(&l, names[i].base, 0, 1, 0);
    n = rhsbl_name(out, names[i].domain, strlen(names[i].domain), &l);
    if (!names[i].want) CHECK_INT(n, 0, names[i].domain);
    else CHECK_STR(n ? out : "(none)", names[i].want, names[i].domain);
  }
  /* 253 bytes in all is the most a name may have */
  memset(longd, 'a', sizeof longd);
  for (i = 50; i < sizeof longd; i += 50) longd[i] = '.';
  dnsbl_parse(&l, "dbl.test", 0, 1, 0);
  CHECK_INT(rhsbl_name(out, longd, 244, &l), 253, "253 bytes: fits");
  CHECK_INT(rhsbl_name(out, longd, 245, &l), 0, "254 bytes: too long");
  {
    static struct rhsbl r;
    struct dnsbl_list ls[2];
    dnsbl_parse(&ls[0], "dbl.test", 0, 1, 0);
    dnsbl_parse(&ls[1], "cl.test=127.0.1.2", 0, 1, 0);
    rhsbl_start(&r, ls, 2, "example.com", "192.0.2.1", 0, 1000);
    CHECK(rhsbl_done(&r), "no servers: done at once");
    CHECK_INT(r.v.action, DNSBL_PASS, "no servers: pass (a failed lookup never rejects)");
    CHECK_INT(ls[0].fail, DNSBL_FAIL_NOSERVER, "failure reason");
    char servers[256];
    memset(servers, 0, sizeof servers);
    memcpy(servers, "\0\0\0\0\0\0\0\0\0\0\xff\xff\x7f\0\0\1", 16);   /* 256 bytes, as dns_resolvconfip fills */
    rhsbl_start(&r, ls, 2, "bad name.example", "192.0.2.1", servers, 1000);
    CHECK(rhsbl_done(&r) && r.v.action == DNSBL_PASS && ls[1].fail == DNSBL_FAIL_BADNAME, "bad name: no query, pass");
  }
  return test_done();
}
