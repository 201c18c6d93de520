/* The precedence, as a table: (rules, sender, recipient) -> (action, line). */
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <cdb.h>
#include "rules.h"
#include "rulesfile.h"
#include "rulesmake.h"
#include "addr.h"
#include "test.h"

static const char *const spec_rules =
  "# the SPEC example\n"
  "joe@example.com:spammer@bad.example:deny\n"            /* 2 */
  "joe@example.com:@bad.example:deny\n"                   /* 3 */
  "joe@example.com:.bad.example:deny\n"                   /* 4 */
  "joe@example.com:*viagra*:deny\n"                       /* 5 */
  "joe@example.com:friend@bad.example:allow\n"            /* 6 */
  "joe@example.com:<>:deny\n"                             /* 7 */
  "@example.com::deny,MSG=\"5.1.1 no such mailbox\"\n"    /* 8 */
  "alice@example.com::allow\n"                            /* 9 */
  "bob@example.com::allow\n"                              /* 10 */
  ":@spam.example:deny\n"                                 /* 11 */
  "trap@example.com::trap\n";                             /* 12 */

static const char *const more_rules =
  ":.evil.example:deny\n"                                 /* 1 */
  ":@evil.example:allow\n"                                /* 2 */
  "ann@corp.example:.evil.example:allow\n"                /* 3 */
  ":sub.deep.evil.example:deny\n"                         /* 4: no '@': a malformed sender, skipped below */
  ":.deep.evil.example:allow\n"                           /* 5 */
  ":*casino*:deny\n"                                      /* 6 */
  ":*cas*:allow\n"                                        /* 7 */
  "@corp.example:*casino*:allow\n"                        /* 8 */
  "ann@corp.example:*casino*:trap\n"                      /* 9 */
  "ann@corp.example:*:deny,MSG=\"451 4.7.1 try later\"\n" /* 10 */
  ":<>:deny\n"                                            /* 11 */
  "@corp.example:<>:allow\n"                              /* 12 */
  "ann@corp.example:Boss@Corp.Example:allow\n"            /* 13 */
  "@Shop.Example.:@Spam.Example:deny\n"                   /* 14 */
  ":@[192.0.2.1]:deny\n"                                  /* 15 */
  "x@[192.0.2.9]::deny\n"                                 /* 16 */
  "carl@corp.example:?@short.test:deny\n"              /* 17 */
  "carl@corp.example:.example:deny\n"                     /* 18 */
  "carl@corp.example:@example:allow\n";                   /* 19 */

static const char *const prefix_rules =
  "@q.example::deny\n"                                    /* 1 */
  "joe@q.example::allow\n"                                /* 2 */
  "joe-*@q.example::allow\n"                              /* 3 */
  "joe-lists-*@q.example::allow\n"                        /* 4 */
  "joe-lists-spam-*@q.example::deny,MSG=\"no spam\"\n"    /* 5 */
  "joe-lists-*@q.example:@bad.example:deny\n"             /* 6 */
  "\"joe-*\"@q.example::trap\n"                           /* 7: quoted: the exact address joe-*@ */
  "-*@q.example::allow\n"                                 /* 8 */
  "Ann-*@Q.Example.::allow\n"                             /* 9 */
  "ann-x@q.example::deny\n"                               /* 10 */
  ":@spam.example:deny\n";                                /* 11 */

static const struct { int set; const char *sender, *rcpt; enum rules_action want; unsigned long line; } rows[] = {
  /* the SPEC example: personal rules for joe */
  { 0, "spammer@bad.example", "joe@example.com", RULES_DENY, 2 },
  { 0, "SPAMMER@BAD.EXAMPLE", "Joe@Example.Com", RULES_DENY, 2 },
  { 0, "other@bad.example", "joe@example.com", RULES_DENY, 3 },
  { 0, "friend@bad.example", "joe@example.com", RULES_ALLOW, 6 },
  { 0, "Friend@Bad.Example.", "joe@example.com", RULES_ALLOW, 6 },
  { 0, "x@sub.bad.example", "joe@example.com", RULES_DENY, 4 },
  { 0, "x@a.b.c.bad.example", "joe@example.com", RULES_DENY, 4 },
  { 0, "x@notbad.example", "joe@example.com", RULES_DENY, 8 },
  { 0, "x@bad.example.org", "joe@example.com", RULES_DENY, 8 },
  { 0, "cheap-viagra@x.org", "joe@example.com", RULES_DENY, 5 },
  { 0, "VIAGRA@x.org", "joe@example.com", RULES_DENY, 5 },
  { 0, "viagra@bad.example", "joe@example.com", RULES_DENY, 3 },
  { 0, "", "joe@example.com", RULES_DENY, 7 },
  { 0, "", "alice@example.com", RULES_ALLOW, 9 },
  { 0, "", "nobody@example.com", RULES_DENY, 8 },
  { 0, "", "someone@elsewhere.example", RULES_PASS, 0 },
  /* closed domain with its mailboxes */
  { 0, "a@b.example", "alice@example.com", RULES_ALLOW, 9 },
  { 0, "a@b.example", "bob@example.com", RULES_ALLOW, 10 },
  { 0, "a@b.example", "carol@example.com", RULES_DENY, 8 },
  { 0, "a@b.example", "ALICE@EXAMPLE.COM", RULES_ALLOW, 9 },
  { 0, "a@b.example", "alice@sub.example.com", RULES_PASS, 0 },
  { 0, "a@b.example", "alice@example.com.evil", RULES_PASS, 0 },
  /* a global sender block beats a mailbox's allow (sender specificity first) */
  { 0, "x@spam.example", "alice@example.com", RULES_DENY, 11 },
  { 0, "x@spam.example", "anyone@anywhere.example", RULES_DENY, 11 },
  { 0, "x@sub.spam.example", "anyone@anywhere.example", RULES_PASS, 0 },
  { 0, "x@spam.example", "joe@example.com", RULES_DENY, 11 },
  /* spamtrap */
  { 0, "a@b.example", "trap@example.com", RULES_TRAP, 12 },
  { 0, "", "trap@example.com", RULES_TRAP, 12 },
  { 0, "friend@bad.example", "trap@example.com", RULES_TRAP, 12 },
  /* no rule */
  { 0, "a@b.example", "x@y.example", RULES_PASS, 0 },
  { 0, "postmaster", "x@y.example", RULES_PASS, 0 },
  { 0, "a@b.example", "postmaster", RULES_PASS, 0 },

  /* more of the same, from other angles */
  { 0, "spammer@bad.example", "alice@example.com", RULES_ALLOW, 9 },
  { 0, "spammer@bad.example", "bob@example.com", RULES_ALLOW, 10 },
  { 0, "spammer@bad.example", "carol@example.com", RULES_DENY, 8 },
  { 0, "spammer@bad.example", "joe@other.example", RULES_PASS, 0 },
  { 0, "friend@bad.example", "alice@example.com", RULES_ALLOW, 9 },
  { 0, "friend@sub.bad.example", "joe@example.com", RULES_DENY, 4 },
  { 0, "friend@bad.example", "JOE@example.com", RULES_ALLOW, 6 },
  { 0, "viagra-friend@bad.example", "joe@example.com", RULES_DENY, 3 },
  { 0, "v1agra@x.org", "joe@example.com", RULES_DENY, 8 },
  { 0, "", "bob@example.com", RULES_ALLOW, 10 },
  { 0, "", "x@spam.example", RULES_PASS, 0 },
  { 0, "x@spam.example", "trap@example.com", RULES_DENY, 11 },
  { 0, "x@SPAM.EXAMPLE", "nobody@other.example", RULES_DENY, 11 },
  { 0, "bad.example@x.org", "joe@example.com", RULES_DENY, 8 },
  { 0, "x@example.com", "joe@example.com", RULES_DENY, 8 },
  { 1, "x@evil.example", "bob@corp.example", RULES_ALLOW, 2 },
  { 1, "x@z.evil.example", "bob@corp.example", RULES_DENY, 1 },
  { 1, "casino@x.example", "zed@corp.example", RULES_ALLOW, 8 },
  { 1, "boss@corp.example", "bob@corp.example", RULES_PASS, 0 },
  { 1, "BOSS@CORP.EXAMPLE", "Ann@Corp.Example", RULES_ALLOW, 13 },
  { 1, "x@[192.0.2.1]", "ann@corp.example", RULES_DENY, 15 },
  { 1, "casinocasino@x.example", "z@any.example", RULES_DENY, 6 },

  /* subdomain suffixes, longest first */
  { 1, "x@evil.example", "z@any.example", RULES_ALLOW, 2 },
  { 1, "x@a.evil.example", "z@any.example", RULES_DENY, 1 },
  { 1, "x@deep.evil.example", "z@any.example", RULES_DENY, 1 },
  { 1, "x@a.deep.evil.example", "z@any.example", RULES_ALLOW, 5 },
  { 1, "x@b.a.deep.evil.example", "z@any.example", RULES_ALLOW, 5 },
  { 1, "x@a.evil.example", "ann@corp.example", RULES_ALLOW, 3 },
  { 1, "x@a.deep.evil.example", "ann@corp.example", RULES_ALLOW, 5 },
  { 1, "x@evil.example", "ann@corp.example", RULES_ALLOW, 2 },
  { 1, "x@xevil.example", "z@any.example", RULES_PASS, 0 },
  /* globs: recipient specificity, then file order */
  { 1, "casino@x.example", "z@any.example", RULES_DENY, 6 },
  { 1, "cash@x.example", "z@any.example", RULES_ALLOW, 7 },
  { 1, "casino@x.example", "bob@corp.example", RULES_ALLOW, 8 },
  { 1, "casino@x.example", "ann@corp.example", RULES_TRAP, 9 },
  { 1, "random@x.example", "ann@corp.example", RULES_DENY, 10 },
  { 1, "boss@corp.example", "ann@corp.example", RULES_ALLOW, 13 },
  { 1, "casino@evil.example", "ann@corp.example", RULES_ALLOW, 2 },
  { 1, "casino@a.evil.example", "z@any.example", RULES_DENY, 1 },
  /* the null sender: exact "<>", never a glob */
  { 1, "", "z@any.example", RULES_DENY, 11 },
  { 1, "", "bob@corp.example", RULES_ALLOW, 12 },
  { 1, "", "ann@corp.example", RULES_ALLOW, 12 },
  /* case and trailing dots in the rules themselves */
  { 1, "x@spam.example", "y@shop.example", RULES_DENY, 14 },
  { 1, "x@SPAM.example", "Y@SHOP.EXAMPLE.", RULES_DENY, 14 },
  { 1, "x@spam.example", "y@shop.example.org", RULES_PASS, 0 },
  /* IP literals */
  { 1, "x@[192.0.2.1]", "y@shop.example", RULES_DENY, 15 },
  { 1, "x@[192.0.2.2]", "y@shop.example", RULES_PASS, 0 },
  { 1, "a@b.example", "x@[192.0.2.9]", RULES_DENY, 16 },
  /* ? matches one byte; .domain vs @domain on a one-label domain */
  { 1, "a@short.test", "carl@corp.example", RULES_DENY, 17 },
  { 1, "ab@short.test", "carl@corp.example", RULES_PASS, 0 },
  { 1, "a@short.example", "carl@corp.example", RULES_DENY, 18 },
  { 1, "a@example", "carl@corp.example", RULES_ALLOW, 19 },
  { 1, "a@x.example", "carl@corp.example", RULES_DENY, 18 },
  { 1, "a@x.other", "carl@corp.example", RULES_PASS, 0 },

  /* prefix-*: after the exact recipient, longest prefix first, before @domain */
  { 2, "x@y.example", "joe@q.example", RULES_ALLOW, 2 },
  { 2, "x@y.example", "joe-@q.example", RULES_ALLOW, 3 },
  { 2, "x@y.example", "joe-x@q.example", RULES_ALLOW, 3 },
  { 2, "x@y.example", "joe-x-y-z@q.example", RULES_ALLOW, 3 },
  { 2, "x@y.example", "joe-lists-@q.example", RULES_ALLOW, 4 },
  { 2, "x@y.example", "joe-lists-x@q.example", RULES_ALLOW, 4 },
  { 2, "x@y.example", "JOE-Lists-X@Q.EXAMPLE", RULES_ALLOW, 4 },
  { 2, "x@y.example", "joe-lists-spam@q.example", RULES_ALLOW, 4 },
  { 2, "x@y.example", "joe-lists-spam-1@q.example", RULES_DENY, 5 },
  { 2, "x@y.example", "joe-lists-spam-1-2@q.example", RULES_DENY, 5 },
  { 2, "x@y.example", "joex@q.example", RULES_DENY, 1 },
  { 2, "x@y.example", "jo@q.example", RULES_DENY, 1 },
  { 2, "x@y.example", "jo-e@q.example", RULES_DENY, 1 },
  { 2, "x@y.example", "bob@q.example", RULES_DENY, 1 },
  { 2, "x@y.example", "joe-*@q.example", RULES_TRAP, 7 },
  { 2, "x@y.example", "-@q.example", RULES_ALLOW, 8 },
  { 2, "x@y.example", "-joe@q.example", RULES_ALLOW, 8 },
  { 2, "x@y.example", "ann-x@q.example", RULES_DENY, 10 },
  { 2, "x@y.example", "ann-y@q.example", RULES_ALLOW, 9 },
  { 2, "x@y.example", "ann-@q.example", RULES_ALLOW, 9 },
  { 2, "x@y.example", "ann@q.example", RULES_DENY, 1 },
  { 2, "x@y.example", "joe-x@other.example", RULES_PASS, 0 },
  { 2, "x@y.example", "joe-x@q.example.org", RULES_PASS, 0 },
  { 2, "x@y.example", "joe-x", RULES_PASS, 0 },
  /* sender specificity still comes first */
  { 2, "a@bad.example", "joe-lists-x@q.example", RULES_DENY, 6 },
  { 2, "a@bad.example", "joe-lists-spam-1@q.example", RULES_DENY, 6 },
  { 2, "a@bad.example", "joe-x@q.example", RULES_ALLOW, 3 },
  { 2, "a@spam.example", "joe-x@q.example", RULES_DENY, 11 },
  { 2, "", "joe-lists-x@q.example", RULES_ALLOW, 4 },
  { 2, "", "nobody@q.example", RULES_DENY, 1 },
};

static const char *const conflicts[] = {
  "joe@example.com:a@b.example:deny\njoe@example.com:a@b.example:allow\n",
  "joe@example.com:A@B.Example:deny\njoe@example.com:a@b.example.:allow\n",
  ":*x*:deny\n:*X*:allow\n",
  "@example.com::deny\n@Example.com::deny,MSG=\"go away\"\n",
  "joe-*@example.com::allow\nJoe-*@Example.com.::deny\n",
};

static struct rules *build(const char *text, const char *path)
{
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644), k;
  if (fd == -1) return 0;
  k = rulesmake_text(fd, text, "rules", 0);
  close(fd);
  return k ? 0 : rules_open(path);
}

/* the "M" record says which version the file is */
static int magic(const char *path, const char *want)
{
  struct cdb c;
  int fd = open(path, O_RDONLY), ok = 0;
  size_t n = strlen(want);
  if (fd == -1) return 0;
  if (cdb_init(&c, fd) == 0) {
    if (cdb_find(&c, "M", 1) > 0 && cdb_datalen(&c) > n) {
      const char *v = cdb_get(&c, cdb_datalen(&c), cdb_datapos(&c));
      ok = v && !memcmp(v, want, n) && v[n] == '\n';
    }
    cdb_free(&c);
  }
  close(fd);
  return ok;
}

static int conflict(const char *text)
{
  struct rulesmake m;
  struct rule r;
  const char *why, *p = text;
  unsigned long line = 0;
  int fd = memfd_create("t", 0), k = 0;
  rulesmake_start(&m, fd);
  while (*p && !k) {
    const char *nl = strchr(p, '\n');
    ++line;
    if (rulesfile_line(p, (size_t)(nl - p), &r, &why) == 1) k = rulesmake_add(&m, &r, line);
    p = nl + 1;
  }
  if (!k) k = rulesmake_finish(&m, "t");
  rulesmake_free(&m);
  close(fd);
  return k == 1 && m.conflicts == 1 && m.nconflicts == 1 && m.conflict[0].line == 2 && m.conflict[0].other == 1;
}

int main(void)
{
  char path[3][64] = { "/tmp/rules_test_a.XXXXXX", "/tmp/rules_test_b.XXXXXX", "/tmp/rules_test_c.XXXXXX" };
  struct rules *set[3];
  struct rules_decision d;
  size_t i;

  close(mkstemp(path[0]));
  close(mkstemp(path[1]));
  close(mkstemp(path[2]));
  set[0] = build(spec_rules, path[0]);
  set[1] = build(more_rules, path[1]);
  set[2] = build(prefix_rules, path[2]);
  CHECK(set[0] && set[1] && set[2], "rule sets compile");
  if (!set[0] || !set[1] || !set[2]) return test_done();
  CHECK(magic(path[0], RULES_MAGIC), "no prefix rules: version 1, as before");
  CHECK(magic(path[2], RULES_MAGIC2), "prefix rules: version 2, which older readers refuse");
  for (i = 0; i < sizeof rows / sizeof rows[0]; ++i) {
    char s[ADDR_MAX + 1], r[ADDR_MAX + 1], arg[ADDR_MAX + 3], what[256];
    size_t sl, rl, n = strlen(rows[i].sender);
    arg[0] = '<'; memcpy(arg + 1, rows[i].sender, n); arg[n + 1] = '>';
    addr_parse(arg, n + 2, s, &sl);
    n = strlen(rows[i].rcpt);
    arg[0] = '<'; memcpy(arg + 1, rows[i].rcpt, n); arg[n + 1] = '>';
    addr_parse(arg, n + 2, r, &rl);
    snprintf(what, sizeof what, "set %d: <%s> -> <%s>: action", rows[i].set, rows[i].sender, rows[i].rcpt);
    CHECK_INT(rules_decide(set[rows[i].set], s, sl, r, rl, &d), 0, "decided");
    CHECK_INT(d.action, rows[i].want, what);
    CHECK_INT(d.line, rows[i].line, "winning line");
  }
  rules_decide(set[0], "a@b.example", 11, "nobody@example.com", 18, &d);
  CHECK_STR(d.msg, "550 5.1.1 no such mailbox", "MSG becomes a 550 reply");
  CHECK_STR(d.file, "rules", "source name kept");
  rules_decide(set[0], "spammer@bad.example", 19, "joe@example.com", 15, &d);
  CHECK_STR(d.msg, RULES_DEFAULT_MSG, "default deny text");
  CHECK_INT(d.rule, 1, "rule number");
  rules_decide(set[1], "random@x.example", 16, "ann@corp.example", 16, &d);
  CHECK_STR(d.msg, "451 4.7.1 try later", "MSG with its own code");
  for (i = 0; i < sizeof conflicts / sizeof conflicts[0]; ++i)
    CHECK(conflict(conflicts[i]), "conflicting duplicate reported with both lines");
  CHECK(!rules_open("/nonexistent/rules.cdb"), "missing cdb: no rules");
  CHECK(!rules_open("/etc/passwd"), "not a cdb: no rules");
  rules_close(set[0]);
  rules_close(set[1]);
  rules_close(set[2]);
  unlink(path[0]);
  unlink(path[1]);
  unlink(path[2]);
  return test_done();
}
