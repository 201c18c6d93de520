#include <string.h>
#include "rulesfile.h"
#include "test.h"

static const struct { const char *line; int ret; int act; const char *rcpt, *sender, *msg, *why; } rows[] = {
  { "joe@example.com:spammer@bad.example:deny", 1, RULES_DENY, "joe@example.com", "spammer@bad.example", RULES_DEFAULT_MSG, 0 },
  { "Joe@Example.COM:Spammer@Bad.Example.:DENY", 1, RULES_DENY, "joe@example.com", "spammer@bad.example", RULES_DEFAULT_MSG, 0 },
  { "joe@example.com:@bad.example:deny   # whole domain", 1, RULES_DENY, "joe@example.com", "@bad.example", 0, 0 },
  { "joe@example.com:.bad.example:deny\t# subdomains", 1, RULES_DENY, "joe@example.com", ".bad.example", 0, 0 },
  { "joe@example.com:*Viagra*:deny", 1, RULES_DENY, "joe@example.com", "*viagra*", 0, 0 },
  { "joe@example.com:<>:deny", 1, RULES_DENY, "joe@example.com", "<>", 0, 0 },
  { "@example.com::deny,MSG=\"5.1.1 no such mailbox\"", 1, RULES_DENY, "@example.com", "", "550 5.1.1 no such mailbox", 0 },
  { "@example.com::deny,msg=\"451 4.3.0 later\"", 1, RULES_DENY, "@example.com", "", "451 4.3.0 later", 0 },
  { "@example.com::deny,MSG=\"say \\\"no\\\" \\\\ # not a comment\"", 1, RULES_DENY, "@example.com", "", "550 say \"no\" \\ # not a comment", 0 },
  { "alice@example.com::allow", 1, RULES_ALLOW, "alice@example.com", "", "", 0 },
  { ":@spam.example:deny", 1, RULES_DENY, "", "@spam.example", 0, 0 },
  { "trap@example.com::trap", 1, RULES_TRAP, "trap@example.com", "", RULES_DEFAULT_MSG, 0 },
  { "trap@example.com::trap\r", 1, RULES_TRAP, "trap@example.com", "", 0, 0 },
  { "  joe@example.com:a@b.example:deny   ", 1, RULES_DENY, "joe@example.com", "a@b.example", 0, 0 },
  { "j\xc3\xb6rg@b\xc3\xbc" "cher.example:@x.example:deny", 1, RULES_DENY, "j\xc3\xb6rg@b\xc3\xbc" "cher.example", "@x.example", 0, 0 },
  { "x@[192.0.2.1]:@[IPv6:2001:db8::1]:deny", 1, RULES_DENY, "x@[192.0.2.1]", "@[ipv6:2001:db8::1]", 0, 0 },
  { "joe@example.com:a#b@example.org:deny", 1, RULES_DENY, "joe@example.com", "a#b@example.org", 0, 0 },
  { "", 0, 0, 0, 0, 0, 0 }, { "   ", 0, 0, 0, 0, 0, 0 }, { "# comment", 0, 0, 0, 0, 0, 0 },
  { "   # indented comment", 0, 0, 0, 0, 0, 0 }, { "\r", 0, 0, 0, 0, 0, 0 },
  { "joe@example.com:a@b.example:reject", -1, 0, 0, 0, 0, "unknown action" },
  { "joe@example.com:a@b.example:", -1, 0, 0, 0, 0, "missing action" },
  { "joe@example.com:a@b.example", -1, 0, 0, 0, 0, "want recipient" },
  { "joe@example.com", -1, 0, 0, 0, 0, "want recipient" },
  { "joe:a@b.example:deny", -1, 0, 0, 0, 0, "malformed recipient" },
  { "joe@:a@b.example:deny", -1, 0, 0, 0, 0, "malformed recipient" },
  { "@:a@b.example:deny", -1, 0, 0, 0, 0, "malformed recipient" },
  { "@.example.com::deny", -1, 0, 0, 0, 0, "malformed recipient" },
  { "joe@example.com:@:deny", -1, 0, 0, 0, 0, "empty or malformed domain" },
  { "joe@example.com:.:deny", -1, 0, 0, 0, 0, "empty or malformed domain" },
  { "joe@example.com:..x:deny", -1, 0, 0, 0, 0, "empty or malformed domain" },
  { "joe@example.com:nobody:deny", -1, 0, 0, 0, 0, "malformed sender" },
  { "joe@example.com:a b@c.d:deny", -1, 0, 0, 0, 0, "malformed sender" },
  { "joe@example.com:<A@b.c>:deny", 1, RULES_DENY, "joe@example.com", "a@b.c", 0, 0 },
  { "joe@example.com::allow,MSG=\"hi\"", -1, 0, 0, 0, 0, "MSG makes no sense" },
  { "joe@example.com::deny,MSG=\"250 ok\"", -1, 0, 0, 0, 0, "MSG reply code must be 4xx or 5xx" },
  { "joe@example.com::deny,MSG=\"bad\ttab\"", -1, 0, 0, 0, 0, "control character" },
  { "joe@example.com::deny,MSG=\"550\"", -1, 0, 0, 0, 0, "text after its reply code" },
  { "joe@example.com::deny,MSG=\"open", -1, 0, 0, 0, 0, "no closing quote" },
  { "joe@example.com::deny,MSG=\"x\"y", -1, 0, 0, 0, 0, "text after the closing quote" },
  { "joe@example.com::deny,MSG=\"\"", -1, 0, 0, 0, 0, "empty MSG" },
  { "joe@example.com::deny,TEXT=\"x\"", -1, 0, 0, 0, 0, "only ,MSG=" },
  { "joe@example.com::deny extra", -1, 0, 0, 0, 0, "unknown action" },
  /* prefix-*@domain: the key holds RULES_PREFIX_MARK where the '*' was */
  { "joe-lists-*@example.com::allow", 1, RULES_ALLOW, "joe-lists-\001@example.com", "", "", 0 },
  { "Joe-*@Example.COM.:@bad.example:deny", 1, RULES_DENY, "joe-\001@example.com", "@bad.example", 0, 0 },
  { "-*@example.com::allow", 1, RULES_ALLOW, "-\001@example.com", "", "", 0 },
  { "\"joe-*\"@example.com::allow", 1, RULES_ALLOW, "joe-*@example.com", "", "", 0 },
  { "joe*@example.com::allow", 1, RULES_ALLOW, "joe*@example.com", "", "", 0 },
  { "joe-*x@example.com::allow", 1, RULES_ALLOW, "joe-*x@example.com", "", "", 0 },
  { "joe-*@::allow", -1, 0, 0, 0, 0, "malformed recipient" },
  { "-*@.x::allow", -1, 0, 0, 0, 0, "malformed recipient" },
  { "joe-* @x.example::allow", -1, 0, 0, 0, 0, "malformed recipient" },
};

int main(void)
{
  size_t i;
  struct rule r;
  const char *why;
  char longmsg[600];

  for (i = 0; i < sizeof rows / sizeof rows[0]; ++i) {
    int k = rulesfile_line(rows[i].line, strlen(rows[i].line), &r, &why);
    CHECK_INT(k, rows[i].ret, rows[i].line);
    if (k == 1 && rows[i].ret == 1) {
      CHECK_INT(r.action, rows[i].act, "action");
      r.rcpt[r.rlen] = 0; r.sender[r.slen] = 0;
      CHECK_STR(r.rcpt, rows[i].rcpt, "recipient key");
      CHECK_STR(r.sender, rows[i].sender, "sender key");
      if (rows[i].msg) CHECK_STR(r.msg, rows[i].msg, "reply");
    }
    if (k == -1 && rows[i].why) CHECK(strstr(why, rows[i].why) != 0, rows[i].why);
  }
  memcpy(longmsg, "x@y.z::deny,MSG=\"", 17);
  memset(longmsg + 17, 'a', 401);
  memcpy(longmsg + 418, "\"", 1);
  CHECK_INT(rulesfile_line(longmsg, 419, &r, &why), -1, "MSG of 401 bytes");
  CHECK(strstr(why, "400") != 0, "says the limit");
  CHECK_INT(rulesfile_line(longmsg, 418 - 1, &r, &why) , -1, "unterminated long MSG");
  memcpy(longmsg + 417, "\"", 1);
  CHECK_INT(rulesfile_line(longmsg, 418, &r, &why), 1, "MSG of 400 bytes");
  CHECK_INT(rulesfile_line("a@b.c:\0:deny", 12, &r, &why), -1, "NUL byte");
  memcpy(longmsg, "a@b.c:*", 7);
  memset(longmsg + 7, 'g', 400);
  memcpy(longmsg + 407, ":deny", 5);
  CHECK_INT(rulesfile_line(longmsg, 412, &r, &why), -1, "glob over 320 bytes");
  return test_done();
}
