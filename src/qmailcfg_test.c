/* qmail's configuration lines, as qmail-newu, qmail-send and qmail-local read them. */
#include <string.h>
#include "qmailcfg.h"
#include "test.h"

static int is(struct qfield f, const char *want) { return f.n == strlen(want) && !memcmp(f.s, want, f.n); }

static const struct { const char *line; int ret, wild; const char *local, *user, *home, *dash, *ext; unsigned long uid, gid; const char *why; } assign[] = {
  { "=joe:joe:1001:1001:/home/joe:::", 1, 0, "joe", "joe", "/home/joe", "", "", 1001, 1001, 0 },
  { "=info:alias:7790:2108:/var/qmail/alias:-:info:", 1, 0, "info", "alias", "/var/qmail/alias", "-", "info", 7790, 2108, 0 },
  { "+v.example-:vpopmail:89:89:/home/vpopmail/domains/v.example:-::", 1, 1, "v.example-", "vpopmail", "/home/vpopmail/domains/v.example", "-", "", 89, 89, 0 },
  { "+:alias:7790:2108:/var/qmail/alias:-::", 1, 1, "", "alias", "/var/qmail/alias", "-", "", 7790, 2108, 0 },
  { "+joe-:joe:1:2:/home/joe:-:lists-:", 1, 1, "joe-", "joe", "/home/joe", "-", "lists-", 1, 2, 0 },
  { "=a:b:1:2:/h:-:x:ignored after the seventh colon", 1, 0, "a", "b", "/h", "-", "x", 1, 2, 0 },
  { ".", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
  { ".end, as qmail-newu reads it", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
  { "joe:joe:1:1:/home/joe:::", 1, 0, "oe", "joe", "/home/joe", "", "", 1, 1, 0 },   /* qmail-newu skips the first byte */
  { "=:joe:1:1:/home/joe:::", 1, 0, "", "joe", "/home/joe", "", "", 1, 1, 0 },
  { "", -1, 0, 0, 0, 0, 0, 0, 0, 0, "want =local" },
  { "# comment", -1, 0, 0, 0, 0, 0, 0, 0, 0, "want =local" },
  { "=joe:joe:1:1:/home/joe::", -1, 0, 0, 0, 0, 0, 0, 0, 0, "seven fields" },
  { "=joe:joe:x:1:/home/joe:::", -1, 0, 0, 0, 0, 0, 0, 0, 0, "numbers" },
  { "=joe:joe:1:99999999999999999999999:/home/joe:::", -1, 0, 0, 0, 0, 0, 0, 0, 0, "numbers" },
  { "=joe:joe:1:1:home/joe:::", -1, 0, 0, 0, 0, 0, 0, 0, 0, "absolute" },
  { "=joe::1:1:/home/joe:::", -1, 0, 0, 0, 0, 0, 0, 0, 0, "empty user" },
  { ":joe:1:1:/home/joe:::", -1, 0, 0, 0, 0, 0, 0, 0, 0, "want =local" },
  { "=joe:joe:1:1:/home/joe:-:../x:", -1, 0, 0, 0, 0, 0, 0, 0, 0, "slash" },
};

static const struct { const char *line; int ret; const char *key, *prefix, *why; } vdom[] = {
  { "example.org:joe", 1, "example.org", "joe", 0 },
  { "v.example:v.example   ", 1, "v.example", "v.example", 0 },
  { ".sub.example:sub", 1, ".sub.example", "sub", 0 },
  { "joe@example.net:joe-net", 1, "joe@example.net", "joe-net", 0 },
  { "relay.example:", 1, "relay.example", "", 0 },
  { ":catchall", 1, "", "catchall", 0 },
  { "", 0, 0, 0, 0 }, { "# a comment", 0, 0, 0, 0 }, { "   ", 0, 0, 0, 0 },
  { "example.org", 2, 0, 0, "qmail ignores" },
  { "exa mple.org:x y", 1, "exa mple.org", "x y", 0 },
  { "example.org:a:b", 1, "example.org", "a:b", 0 },
  { "joe@:x", 1, "joe@", "x", 0 },
  { "a\x01b:x", -1, 0, 0, "control character" },
};

static const struct { const char *name; int kind; const char *ext; size_t pre; } dot[] = {
  { "x", QDOT_EXACT, "x", 0 },
  { "lists-default", QDOT_DEFAULT, "lists-default", 6 },
  { "default", QDOT_DEFAULT, "default", 0 },
  { "a-b-default", QDOT_DEFAULT, "a-b-default", 4 },
  { "foodefault", QDOT_EXACT, "foodefault", 0 },
  { "a:b", QDOT_EXACT, "a.b", 0 },
  { "a:b-default", QDOT_DEFAULT, "a.b-default", 4 },
  { "", QDOT_EXACT, "", 0 },
  { "Upper", QDOT_NEVER, 0, 0 },
  { "a.b", QDOT_NEVER, 0, 0 },
};

int main(void)
{
  size_t i;
  for (i = 0; i < sizeof assign / sizeof assign[0]; ++i) {
    struct qassign a;
    const char *why = 0;
    int k = qmailcfg_assign_line(assign[i].line, strlen(assign[i].line), &a, &why);
    CHECK_INT(k, assign[i].ret, assign[i].line);
    if (k == 1) {
      CHECK_INT(a.wild, assign[i].wild, "= or +");
      CHECK(is(a.local, assign[i].local) && is(a.user, assign[i].user) && is(a.home, assign[i].home), "local, user, home");
      CHECK(is(a.dash, assign[i].dash) && is(a.ext, assign[i].ext), "dash, ext");
      CHECK(a.uid == assign[i].uid && a.gid == assign[i].gid, "uid, gid");
    }
    if (k == -1) CHECK(why && strstr(why, assign[i].why), assign[i].why);
  }
  for (i = 0; i < sizeof vdom / sizeof vdom[0]; ++i) {
    struct qvdom v;
    const char *why = 0;
    int k = qmailcfg_vdom_line(vdom[i].line, strlen(vdom[i].line), &v, &why);
    CHECK_INT(k, vdom[i].ret, vdom[i].line);
    if (k == 1) CHECK(is(v.key, vdom[i].key) && is(v.prefix, vdom[i].prefix), "key and prefix");
    if (k == -1 || k == 2) CHECK(why && strstr(why, vdom[i].why), vdom[i].why);
  }
  for (i = 0; i < sizeof dot / sizeof dot[0]; ++i) {
    char ext[64];
    size_t pre = 99, n = strlen(dot[i].name);
    int k = qmailcfg_dotqmail(dot[i].name, n, ext, &pre);
    CHECK_INT(k, dot[i].kind, dot[i].name);
    if (k != QDOT_NEVER) CHECK(n == strlen(dot[i].ext) && !memcmp(ext, dot[i].ext, n), "extension, ':' as '.'");
    if (k == QDOT_DEFAULT) CHECK_INT(pre, dot[i].pre, "prefix it catches");
  }
  {
    struct qfield d;
    struct qpasswd p;
    const char *why;
    CHECK_INT(qmailcfg_domain_line("Example.COM \t", 13, &d, &why), 1, "locals line, trailing blanks");
    CHECK(is(d, "Example.COM"), "the domain");
    CHECK_INT(qmailcfg_domain_line("#x", 2, &d, &why), 0, "comment");
    CHECK_INT(qmailcfg_domain_line("a b", 3, &d, &why), 2, "two words: never matches");
    CHECK_INT(qmailcfg_domain_line("a@b", 3, &d, &why), 2, "an address: never matches");
    CHECK_INT(qmailcfg_domain_line("a\033b", 3, &d, &why), -1, "control character");
    CHECK_INT(qmailcfg_vpasswd_line("bob:$1$x:1:0:Bob:/home/vpopmail/domains/v/bob:NOQUOTA", 53, &d, &why), 1, "vpasswd");
    CHECK(is(d, "bob"), "vpasswd name");
    CHECK_INT(qmailcfg_vpasswd_line("bob", 3, &d, &why), -1, "vpasswd without fields");
    CHECK_INT(qmailcfg_passwd_line("joe:x:1001:1001:Joe:/home/joe:/bin/sh", 37, &p, &why), 1, "passwd");
    CHECK(is(p.name, "joe") && is(p.home, "/home/joe") && p.uid == 1001, "passwd fields");
    CHECK_INT(qmailcfg_passwd_line("joe:x:1001:1001", 15, &p, &why), -1, "short passwd line");
    CHECK_INT(qmailcfg_passwd_line("+@netgroup", 10, &p, &why), 0, "NIS compat line");
  }
  return test_done();
}
