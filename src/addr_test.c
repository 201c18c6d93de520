#include <string.h>
#include "addr.h"
#include "test.h"

static const struct { const char *in; enum addr_result r; const char *out; } cases[] = {
  { "<joe@example.com>", ADDR_OK, "joe@example.com" },
  { "<Joe@Example.COM>", ADDR_OK, "joe@example.com" },
  { " <joe@example.com>", ADDR_OK, "joe@example.com" },
  { "<joe@example.com> SIZE=123 BODY=8BITMIME", ADDR_OK, "joe@example.com" },
  { "<>", ADDR_OK, "" },
  { "<> SIZE=10", ADDR_OK, "" },
  { "joe@example.com", ADDR_OK, "joe@example.com" },
  { "joe@example.com SIZE=1", ADDR_OK, "joe@example.com" },
  { "<@a.example,@b.example:joe@example.com>", ADDR_OK, "joe@example.com" },
  { "<@a.example:joe@example.com>", ADDR_OK, "joe@example.com" },
  { "<joe@example.com.>", ADDR_OK, "joe@example.com" },
  { "<\"john doe\"@example.com>", ADDR_OK, "john doe@example.com" },
  { "<\"a\\\"b\"@example.com>", ADDR_OK, "a\"b@example.com" },
  { "<\"a@b\"@example.com>", ADDR_OK, "a@b@example.com" },
  { "<joe@[192.0.2.1]>", ADDR_OK, "joe@[192.0.2.1]" },
  { "<joe@[IPv6:2001:db8::1]>", ADDR_OK, "joe@[ipv6:2001:db8::1]" },
  { "<postmaster>", ADDR_OK, "postmaster" },
  { "<Postmaster>", ADDR_OK, "postmaster" },
  { "<j\xc3\xb6rg@b\xc3\xbc" "cher.example>", ADDR_OK, "j\xc3\xb6rg@b\xc3\xbc" "cher.example" },
  /* quotes and backslashes anywhere, as qmail-smtpd strips them: the rules
   * must see the mailbox the server will deliver to */
  { "<jo\\e@example.com>", ADDR_OK, "joe@example.com" },
  { "<j\"o\"e@example.com>", ADDR_OK, "joe@example.com" },
  { "<joe@ex\"ample\".com>", ADDR_OK, "joe@example.com" },
  { "<joe@exa\\mple.com>", ADDR_OK, "joe@example.com" },
  { "<spammer@bad.ex\\ample>", ADDR_OK, "spammer@bad.example" },
  { "<\"jo\\e\"@example.com>", ADDR_OK, "joe@example.com" },
  { "joe\\ x@example.com", ADDR_OK, "joe x@example.com" },
  { "<\"a>b\"@example.com>", ADDR_OK, "a>b@example.com" },
  { "<joe@example.com\"@evil.example\">", ADDR_SYNTAX, 0 },
  { "<joe@example.com\\@evil.example>", ADDR_SYNTAX, 0 },
  { "<joe\\@example.com>", ADDR_SYNTAX, 0 },
  { "<joe@example.com\\>", ADDR_SYNTAX, 0 },
  { "<joe\\\x01@example.com>", ADDR_SYNTAX, 0 },
  { "<joe@example.com", ADDR_SYNTAX, 0 },
  { "<joe@example.com>x", ADDR_SYNTAX, 0 },
  { "<joe@>", ADDR_SYNTAX, 0 },
  { "<joe@.>", ADDR_SYNTAX, 0 },
  { "<joe@.example.com>", ADDR_SYNTAX, 0 },
  { "<joe@example..com>", ADDR_SYNTAX, 0 },
  { "<\"joe@example.com\">", ADDR_SYNTAX, 0 },
  { "<joe@example.com..>", ADDR_SYNTAX, 0 },
  { "<joe@exa[mple.com>", ADDR_SYNTAX, 0 },
  { "<joe@[192.0.2.1>", ADDR_SYNTAX, 0 },
  { "<jo e@example.com>", ADDR_SYNTAX, 0 },
  { "<joe@exa\rmple.com>", ADDR_SYNTAX, 0 },
  { "<joe@exa\x7fmple.com>", ADDR_SYNTAX, 0 },
  { "<\"unterminated@example.com>", ADDR_SYNTAX, 0 },
  { "<@a.example,@b.example>", ADDR_SYNTAX, 0 },
  { "<<joe@example.com>>", ADDR_SYNTAX, 0 },
  { "", ADDR_SYNTAX, 0 },
  { "   ", ADDR_SYNTAX, 0 },
};

int main(void)
{
  char out[ADDR_MAX + 1], big[400];
  size_t i, n;

  for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    enum addr_result r = addr_parse(cases[i].in, strlen(cases[i].in), out, &n);
    CHECK_INT(r, cases[i].r, cases[i].in);
    if (r == ADDR_OK && cases[i].out) { CHECK_STR(out, cases[i].out, "canonical"); CHECK_INT(n, strlen(cases[i].out), "length"); }
  }
  CHECK_INT(addr_parse("<a@b\0c>", 7, out, &n), ADDR_SYNTAX, "NUL refused");
  /* qmail-smtpd's addrparse() takes the address from the first '<'
   * anywhere in the argument, and drops "@route:" without brackets too: the
   * rules judged alice, or "@evil:joe", while qmail delivers to joe */
  CHECK_INT(addr_parse("alice@example.com <joe@example.com>", 35, out, &n), ADDR_SYNTAX, "no brackets, then <joe@...>: qmail-smtpd reads joe@example.com");
  CHECK_INT(addr_parse("\"<joe@example.com>\"alice@y.example", 34, out, &n), ADDR_SYNTAX, "a quoted <joe@...>: qmail-smtpd reads joe@example.com");
  n = 0;
  CHECK(addr_parse("@evil.example:joe@example.com", 29, out, &n) != ADDR_OK || (n == 15 && !memcmp(out, "joe@example.com", 15)),
        "a source route without brackets: qmail-smtpd strips it, joe@example.com");
  big[0] = '<';
  memset(big + 1, 'a', 310);
  memcpy(big + 311, "@example.com>", 13);
  CHECK_INT(addr_parse(big, 324, out, &n), ADDR_TOO_LONG, "over 320 bytes");
  memcpy(big + 300, "@example.com>", 13);
  CHECK_INT(addr_parse(big, 313, out, &n), ADDR_OK, "311 bytes fine");
  CHECK_INT(addr_at("a@b@c", 5), 3, "last @");
  CHECK_INT(addr_at("abc", 3), 3, "no @");
  return test_done();
}
