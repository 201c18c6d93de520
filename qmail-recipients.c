/* qmail-recipients — the closed-domain rules from qmail's own configuration:
 * "@domain::deny" then one allow line per address qmail would deliver.
 * See man/qmail-recipients.8 and SPEC "qmail-recipients". */
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "qmailrcpt.h"
#include "rulesfile.h"
#include "logline.h"
#include "die.h"

#define PROG "qmail-recipients"
#define USAGE "qmail-recipients [ -d qmaildir ] [ -v vpopmaildir ] [ -p passwdfile ] [ -a aliasuser ] [ -m MSG ] [ -i inputsfile ] [ -e ]"

/* the MSG as a deny line will carry it: refused here rather than by cdbmake-rules */
static void check_msg(const char *msg)
{
  char line[RULES_USERMSG_MAX * 2 + 64];
  size_t n = 0, i, m = strlen(msg);
  struct rule r;
  const char *why;
  if (m > RULES_USERMSG_MAX) die_msg(EXIT_PERM, PROG, "MSG longer than 400 bytes");
  memcpy(line, "@x.invalid::deny,MSG=\"", 22); n = 22;
  for (i = 0; i < m; ++i) { if (msg[i] == '"' || msg[i] == '\\') line[n++] = '\\'; line[n++] = msg[i]; }
  line[n++] = '"';
  if (rulesfile_line(line, n, &r, &why) != 1) {
    char e[300] = "bad MSG: ";
    size_t k = strlen(why);
    if (k > sizeof e - 10) k = sizeof e - 10;
    memcpy(e + 9, why, k);
    e[9 + k] = 0;
    die_msg(EXIT_PERM, PROG, e);
  }
}

int main(int argc, char **argv)
{
  struct qr_opts o;
  struct qr_stats st;
  struct logline l;
  char err[QR_ERR_MAX];
  int opt, rc;
  const char *inputs = 0;
  time_t now;

  o.qmaildir = "/var/qmail";
  o.vpopdir = "/home/vpopmail";
  o.passwd = 0;
  o.alias = "alias";
  o.msg = 0;
  o.inputs_fd = -1;
  o.vpopext = 0;
  opterr = 0;
  while ((opt = getopt(argc, argv, "+d:v:p:a:m:i:e")) != -1)
    switch (opt) {
      case 'd': o.qmaildir = optarg; break;
      case 'v': o.vpopdir = optarg; break;
      case 'p': o.passwd = optarg; break;
      case 'a': o.alias = optarg; break;
      case 'm': o.msg = optarg; break;
      case 'i': inputs = optarg; break;
      case 'e': o.vpopext = 1; break;
      default: die_usage(PROG, USAGE);
    }
  if (optind != argc || !*o.qmaildir || !*o.vpopdir || !*o.alias || (o.passwd && !*o.passwd)) die_usage(PROG, USAGE);
  if (o.msg) check_msg(o.msg);
  if (inputs && (!*inputs || (o.inputs_fd = open(inputs, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) == -1))
    die_sys(EXIT_TEMP, PROG, "create the list of inputs");
  rc = qr_run(&o, 1, &st, err);
  if (rc) die_msg(rc, PROG, err);
  now = time(0);
  logline_start(&l, PROG);
  logline_ulong(&l, "domains", st.domains);
  logline_ulong(&l, "closed", st.closed);
  logline_ulong(&l, "catchall", st.catchall);
  logline_ulong(&l, "open", st.open);
  logline_ulong(&l, "allow", st.allow);
  logline_ulong(&l, "inputs", st.inputs);
  if (st.newest_path[0]) {
    logline_str(&l, "newest", st.newest_path);
    logline_ulong(&l, "age", now > st.newest ? (unsigned long)(now - st.newest) : 0);
  }
  logline_end(&l);
  if (o.inputs_fd != -1 && close(o.inputs_fd) == -1) die_sys(EXIT_TEMP, PROG, "write the list of inputs");
  return 0;
}
