/* cdbmake-rules — compile a rules file into the cdb rcptfilter reads, the
 * tcprules way (tmp, fsync, rename); check one (-t); ask one (-q).
 * See man/cdbmake-rules.8 and man/rcptfilter-rules.5. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "rulesfile.h"
#include "rulesmake.h"
#include "rules.h"
#include "addr.h"
#include "num.h"
#include "die.h"

#define PROG "cdbmake-rules"
#define USAGE "cdbmake-rules [ -f name ] rules.cdb rules.tmp < rules\n" \
              "       cdbmake-rules -t [ -f name ] rulesfile|-\n" \
              "       cdbmake-rules -q sender recipient rules.cdb"
#define LINE_MAX_RULES 4096
#define ERRORS_MAX 20

static void out(int fd, const char *s) { if (write(fd, s, strlen(s)) < 0) { /* nothing better to do */ } }

static void outnum(int fd, unsigned long v)
{
  char tmp[NUM_FMT];
  if (write(fd, tmp, num_fmt(tmp, v)) < 0) { /* nothing better to do */ }
}

static const char *tmppath;   /* removed before any exit that leaves the cdb alone */

static void fail_io(const char *what) __attribute__((noreturn));
static void fail_io(const char *what)
{
  int e = errno;
  if (tmppath) unlink(tmppath);
  errno = e;
  die_sys(EXIT_TEMP, PROG, what);
}

/* Bad lines come in order while reading; conflicting duplicates only once the
 * cdb is written. Both are kept (the first ERRORS_MAX of each) and told by line. */
static struct { unsigned long line; const char *why; } bad[ERRORS_MAX];
static size_t nbad;

static void report(const char *src, unsigned long line, const char *why, unsigned long other)
{
  out(2, src); out(2, ":"); outnum(2, line); out(2, ": "); out(2, why);
  if (other) { out(2, " (conflicts with line "); outnum(2, other); out(2, ")"); }
  out(2, "\n");
}

static void report_all(const char *src, const struct rulesmake *m)
{
  size_t i = 0, j = 0, n;
  for (n = 0; n < ERRORS_MAX && (i < nbad || j < m->nconflicts); ++n)
    if (j == m->nconflicts || (i < nbad && bad[i].line <= m->conflict[j].line)) {
      report(src, bad[i].line, bad[i].why, 0);
      ++i;
    } else {
      report(src, m->conflict[j].line, m->conflict[j].glob ? "same recipient and glob as another rule, different action or MSG"
                                       : "same recipient and sender as another rule, different action or MSG", m->conflict[j].other);
      ++j;
    }
}

/* Read rules from fd into m. 0 when every line was good, 100 on bad input, 111 on I/O. */
static int compile(int in, const char *src, struct rulesmake *m, const char *what)
{
  static char buf[65536], line[LINE_MAX_RULES + 2];
  size_t llen = 0;
  unsigned long lineno = 0, errors = 0;
  int toolong = 0, eof = 0;

  while (!eof) {
    ssize_t r = read(in, buf, sizeof buf), i;
    if (r < 0) { if (errno == EINTR) continue; fail_io("read the rules"); }
    if (r == 0) { eof = 1; if (!llen && !toolong) break; buf[0] = '\n'; r = 1; }
    for (i = 0; i < r; ) {
      struct rule rule;
      const char *why = 0, *nl = memchr(buf + i, '\n', (size_t)(r - i));
      size_t take = nl ? (size_t)(nl - (buf + i)) : (size_t)(r - i);
      int k;
      /* a whole line, or the start of one carried over to the next read */
      if (llen + take > LINE_MAX_RULES) toolong = 1;
      else { memcpy(line + llen, buf + i, take); llen += take; }
      i += (ssize_t)take;
      if (!nl) break;
      ++i;
      ++lineno;
      if (toolong) why = "line longer than 4096 bytes";
      else if ((k = rulesfile_line(line, llen, &rule, &why)) >= 0) {
        why = 0;
        if (k > 0 && rulesmake_add(m, &rule, lineno) == -1) fail_io(what);
      }
      if (why && ++errors <= ERRORS_MAX) { bad[nbad].line = lineno; bad[nbad].why = why; ++nbad; }
      llen = 0;
      toolong = 0;
    }
  }
  if (rulesmake_finish(m, src) == -1) fail_io(what);
  report_all(src, m);
  return errors || m->conflicts ? EXIT_PERM : 0;
}

static void summary(const char *src, const struct rulesmake *m)
{
  out(1, src); out(1, ": "); outnum(1, m->rules); out(1, " rules (");
  outnum(1, m->allow); out(1, " allow, "); outnum(1, m->deny); out(1, " deny, ");
  outnum(1, m->trap); out(1, " trap), "); outnum(1, m->nglobs); out(1, " with a glob");
  if (m->prefixes) { out(1, ", "); outnum(1, m->prefixes); out(1, " for a prefix-* recipient"); }
  out(1, ": ok\n");
}

/* An address as an operator types it: with or without <>, "<>" for the null sender. */
static int cli_address(const char *a, char *out, size_t *len)
{
  char arg[ADDR_MAX * 2 + 8];
  size_t n = strlen(a);
  if (n > ADDR_MAX + 2) return 0;
  if (n && a[0] == '<') memcpy(arg, a, n);
  else { arg[0] = '<'; memcpy(arg + 1, a, n); arg[n + 1] = '>'; n += 2; }
  return addr_parse(arg, n, out, len) == ADDR_OK;
}

static int query(const char *sender, const char *rcpt, const char *cdbpath)
{
  static const char *const act[] = { "pass", "allow", "deny", "trap" };
  char s[ADDR_MAX + 1], r[ADDR_MAX + 1];
  size_t slen, rlen;
  struct rules *rules;
  struct rules_decision d;

  if (!cli_address(sender, s, &slen)) die_msg(EXIT_PERM, PROG, "unable to parse the sender address");
  if (!cli_address(rcpt, r, &rlen) || !rlen) die_msg(EXIT_PERM, PROG, "unable to parse the recipient address");
  rules = rules_open(cdbpath);
  if (!rules) die_sys(EXIT_TEMP, PROG, "read the rules cdb");
  if (rules_decide(rules, s, slen, r, rlen, &d) == -1) die_msg(EXIT_TEMP, PROG, "unable to read the rules cdb: corrupt");
  out(1, act[d.action]);
  if (d.action == RULES_PASS) out(1, " (no rule matches: the backend decides)\n");
  else {
    out(1, " rule="); outnum(1, d.rule);
    out(1, " file="); out(1, d.file); out(1, ":"); outnum(1, d.line);
    if (d.msg[0]) { out(1, " reply=\""); out(1, d.msg); out(1, "\""); }
    out(1, "\n");
  }
  rules_close(rules);
  return 0;
}

/* rules.cdb -> "rules": the name the log lines and messages give the source */
static const char *default_name(const char *cdb)
{
  static char name[RULES_FILE_MAX + 1];
  const char *slash = strrchr(cdb, '/'), *b = slash ? slash + 1 : cdb;
  size_t n = strlen(b);
  if (n > 4 && !strcmp(b + n - 4, ".cdb")) n -= 4;
  if (n > RULES_FILE_MAX) n = RULES_FILE_MAX;
  memcpy(name, b, n);
  name[n] = 0;
  return name;
}

int main(int argc, char **argv)
{
  struct rulesmake m;
  const char *src = 0, *tmp, *cdb;
  int opt, testmode = 0, querymode = 0, fd, in = 0, rc;

  opterr = 0;   /* our usage line says it all */
  while ((opt = getopt(argc, argv, "+tqf:")) != -1)
    switch (opt) {
      case 't': testmode = 1; break;
      case 'q': querymode = 1; break;
      case 'f': src = optarg; if (!*src || strlen(src) > RULES_FILE_MAX || strchr(src, '\n')) die_usage(PROG, USAGE); break;
      default: die_usage(PROG, USAGE);
    }
  argv += optind;
  argc -= optind;
  if (querymode) {
    if (argc != 3 || testmode) die_usage(PROG, USAGE);
    return query(argv[0], argv[1], argv[2]);
  }
  if (testmode) {
    if (argc != 1) die_usage(PROG, USAGE);
    if (strcmp(argv[0], "-")) {
      in = open(argv[0], O_RDONLY | O_CLOEXEC);
      if (in == -1) die_sys(EXIT_TEMP, PROG, "open the rules file");
      if (!src) src = argv[0];
    }
    if (!src) src = "-";
    fd = memfd_create("rules", MFD_CLOEXEC);   /* compiled for real, duplicates checked, then thrown away */
    if (fd == -1 || rulesmake_start(&m, fd) == -1) die_sys(EXIT_TEMP, PROG, "make a scratch file");
    rc = compile(in, src, &m, "compile the rules");
    if (!rc) summary(src, &m);
    rulesmake_free(&m);
    return rc;
  }
  if (argc != 2) die_usage(PROG, USAGE);
  cdb = argv[0];
  tmp = argv[1];
  if (!src) src = default_name(cdb);
  signal(SIGXFSZ, SIG_IGN);   /* a file size limit is a write error, not a crash */
  if (unlink(tmp) == -1 && errno != ENOENT) die_sys(EXIT_TEMP, PROG, "remove the old tmp file");
  fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd == -1) die_sys(EXIT_TEMP, PROG, "create the tmp file");
  tmppath = tmp;
  if (fchmod(fd, 0644) == -1 || rulesmake_start(&m, fd) == -1) fail_io("write the tmp file");
  rc = compile(0, src, &m, "write the tmp file");
  rulesmake_free(&m);
  if (rc) { unlink(tmp); return rc; }
  if (fsync(fd) == -1 || close(fd) == -1) fail_io("write the tmp file");
  if (rename(tmp, cdb) == -1) fail_io("move the tmp file over the cdb");
  return 0;
}
