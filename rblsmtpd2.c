/* rblsmtpd2 — drop-in rblsmtpd: DNS lists queried in parallel under one
 * deadline, IPv6, return codes, delayed rejection. See man/rblsmtpd2.8. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/time.h>
#include <dns.h>
#include <ip4.h>
#include "dnsbl.h"
#include "dnsquery.h"
#include "revip.h"
#include "rbldialog.h"
#include "logline.h"
#include "num.h"
#include "die.h"

#define PROG "rblsmtpd2"
#define USAGE "rblsmtpd2 [ -bBcCD ] [ -t timeout ] [ -T deadline ] [ -r base[=codes][:message] ] [ -a base[=codes] ] prog [ arg ... ]"

static struct dnsbl_list lists[DNSBL_MAX];
static size_t nlists;
static unsigned long session_timeout = 60;    /* -t: the whole rejecting dialogue, like rblsmtpd */
static unsigned long deadline_ms = 8000;      /* -T: all lookups */
static int delayed;                           /* -D */
static struct revip client;
static int have_client;
static struct timeval started;

static unsigned long elapsed_ms(void)
{
  struct timeval now;
  gettimeofday(&now, 0);
  return (unsigned long)((now.tv_sec - started.tv_sec) * 1000 + (now.tv_usec - started.tv_usec) / 1000);
}

static void log_start(struct logline *l, const char *action)
{
  logline_start(l, PROG);
  logline_str(l, "ip", have_client ? client.text : "unknown");
  logline_ulong(l, "pid", (unsigned long)getpid());
  logline_str(l, "action", action);
}

static void log_failures(void)
{
  static const char *const why[] = { "none", "lookup", "timeout", "blocked", "badname", "noserver" };
  size_t i;
  for (i = 0; i < nlists; ++i) {
    struct logline l;
    if (lists[i].state != DNSBL_FAILED) continue;
    log_start(&l, "lookupfail");
    logline_bytes(&l, "list", lists[i].base, lists[i].baselen);
    logline_str(&l, "reason", why[lists[i].fail]);
    if (lists[i].fail == DNSBL_FAIL_BLOCKED) {
      char a[IP4_FMT];
      logline_bytes(&l, "answer", a, fmt_ip4(a, (const char *)lists[i].blocked));
      logline_text(&l, "warning", "list refused the query: count as a failed lookup", 48);
    }
    logline_end(&l);
  }
}

static void run(char **argv)
{
  execvp(argv[0], argv);
  die_sys(EXIT_TEMP, PROG, argv[0][0] ? "run program" : "run the empty program name");
}

static void drop(int sig)
{
  (void)sig;
  _exit(0);
}

static void say(const char *s, size_t n)
{
  while (n) {
    ssize_t w = write(1, s, n);
    if (w < 0) { if (errno == EINTR) continue; _exit(0); }   /* client gone */
    s += w;
    n -= (size_t)w;
  }
}

/* The rejecting dialogue: 220, then the fixed answers, until QUIT, EOF or -t. */
static void reject_dialogue(int code, const char *text, size_t textlen)
{
  char msg[4 + DNSBL_TEXT_MAX + 3];
  char in[64];
  struct rbldialog d;
  size_t n;

  msg[0] = code == 553 ? '5' : '4';
  msg[1] = '5';
  msg[2] = code == 553 ? '3' : '1';
  msg[3] = ' ';
  n = 4 + dnsbl_cleantext(msg + 4, text, textlen);
  msg[n++] = '\r';
  msg[n++] = '\n';
  if (!session_timeout) { say(msg, n); _exit(0); }
  signal(SIGALRM, drop);
  alarm(session_timeout > 1000000 ? 1000000 : (unsigned)session_timeout);
  say(RBLD_GREETING, sizeof RBLD_GREETING - 1);
  rbldialog_init(&d);
  for (;;) {
    ssize_t r = read(0, in, sizeof in), i;
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) _exit(0);
    for (i = 0; i < r; ++i)
      switch (rbldialog_byte(&d, in[i])) {
        case RBLD_NONE: break;
        case RBLD_OK: say(RBLD_OKLINE, sizeof RBLD_OKLINE - 1); break;
        case RBLD_REJECT: say(msg, n); break;
        case RBLD_QUIT: say(RBLD_QUITLINE, sizeof RBLD_QUITLINE - 1); _exit(0);
      }
  }
}

/* A rejection: the dialogue here, or with -D the text in RBLSMTPD for the next program. */
static void reject(char **argv, int code, const char *list, size_t listlen, const char *text, size_t textlen)
{
  char clean[DNSBL_TEXT_MAX + 2];
  size_t n;
  struct logline l;

  clean[0] = '-';
  n = dnsbl_cleantext(clean + 1, text, textlen);
  log_start(&l, delayed ? "delay" : "reject");
  logline_ulong(&l, "code", (unsigned long)code);
  logline_bytes(&l, "list", list, listlen);
  logline_ulong(&l, "ms", elapsed_ms());
  logline_text(&l, "text", clean + 1, n);
  logline_end(&l);
  if (!delayed) reject_dialogue(code, text, textlen);
  if (setenv("RBLSMTPD", code == 553 ? clean : clean + 1, 1) == -1) die_nomem(PROG);
  run(argv);
}

static void pass(char **argv, const char *action, const char *list, size_t listlen)
{
  struct logline l;
  log_start(&l, action);
  if (list) logline_bytes(&l, "list", list, listlen);
  logline_ulong(&l, "ms", elapsed_ms());
  logline_end(&l);
  run(argv);
}

int main(int argc, char **argv)
{
  static char servers[256];
  int bounce = 0, failclosed = 0, opt;
  const char *env;
  struct dnsbl_verdict v;
  int have_rbl = 0;

  gettimeofday(&started, 0);
  opterr = 0;   /* our usage line says it all */
  while ((opt = getopt(argc, argv, "+bBcCDt:T:r:a:")) != -1)
    switch (opt) {
      case 'b': bounce = 1; break;
      case 'B': bounce = 0; break;
      case 'c': failclosed = 1; break;
      case 'C': failclosed = 0; break;
      case 'D': delayed = 1; break;
      case 't': if (!num_ulong(optarg, 86400, &session_timeout)) die_usage(PROG, USAGE); break;
      case 'T': if (!num_seconds_ms(optarg, 3600000, &deadline_ms)) die_usage(PROG, USAGE); break;
      case 'r': case 'a':
        if (nlists == DNSBL_MAX) die_msg(EXIT_PERM, PROG, "too many lists (at most 32)");
        if (!dnsbl_parse(&lists[nlists], optarg, opt == 'a', bounce, failclosed)) die_usage(PROG, USAGE);
        if (opt == 'r') have_rbl = 1;
        ++nlists;
        break;
      default: die_usage(PROG, USAGE);
    }
  argv += optind;
  if (!*argv) die_usage(PROG, USAGE);
  signal(SIGPIPE, SIG_IGN);   /* a vanished client is a write error, not a signal */
  have_client = revip_from_env(&client);

  if (getenv("RELAYCLIENT")) pass(argv, "pass", "relayclient", 11);
  env = getenv("RBLSMTPD");   /* set by tcprules: the decision is made already */
  if (env) {
    if (!*env) pass(argv, "pass", "rblsmtpd", 8);
    if (delayed) pass(argv, "delay", "rblsmtpd", 8);
    if (*env == '-') reject(argv, 553, "rblsmtpd", 8, env + 1, strlen(env + 1));
    reject(argv, 451, "rblsmtpd", 8, env, strlen(env));
  }
  if (!have_rbl) run(argv);   /* nothing could reject: no lookups at all */
  if (!have_client) {
    static const char bad[] = "temporary failure: unable to read the client address";
    reject(argv, 451, "-", 1, bad, sizeof bad - 1);
  }

  dnsquery_random_init();
  if (dns_resolvconfip(servers) == -1) {
    warn_msg(PROG, "unable to read DNSCACHEIP or /etc/resolv.conf: every lookup fails");
    dnsquery_run(lists, nlists, &client, 0, deadline_ms, &v);
  } else
    dnsquery_run(lists, nlists, &client, servers, deadline_ms, &v);
  log_failures();

  switch (v.action) {
    case DNSBL_REJECT:
      reject(argv, v.code, lists[v.list].base, lists[v.list].baselen, v.text, v.textlen);
      break;
    case DNSBL_ACCEPT:
      pass(argv, "accept", lists[v.list].base, lists[v.list].baselen);
      break;
    default:
      pass(argv, "pass", 0, 0);
  }
  return EXIT_TEMP;   /* not reached */
}
