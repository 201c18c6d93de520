/* rblsmtpd2 — drop-in rblsmtpd: DNS lists queried in parallel under one
 * deadline, IPv6, return codes, delayed rejection; and a postscreen for
 * tcpserver: scores, greet pause, early talkers, list health. See man/rblsmtpd2.8. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <dns.h>
#include <ip4.h>
#include "dnsbl.h"
#include "dnsquery.h"
#include <taia.h>
#include "revip.h"
#include "rbldialog.h"
#include "listhealth.h"
#include "sanitize.h"
#include "logline.h"
#include "num.h"
#include "die.h"

#define PROG "rblsmtpd2"
#define USAGE "rblsmtpd2 [ -bBcCDPH ] [ -t timeout ] [ -T deadline ] [ -S threshold ] [ -g ms ] [ -r base[=codes][*W][:message] ] [ -a base[=codes][*W] ] prog [ arg ... ]"
#define GREET_MAX_MS 300000UL
#define PREGREET_LINE "554 5.5.1 protocol error: talked before the greeting\r\n"

static struct dnsbl_list lists[DNSBL_MAX];
static size_t nlists;
static unsigned long session_timeout = 60;    /* -t: the whole rejecting dialogue, like rblsmtpd */
static unsigned long deadline_ms = 8000;      /* -T: all lookups */
static int delayed;                           /* -D */
static struct revip client;
static int have_client;

static int have_rbl_lists(void)
{
  size_t i;
  for (i = 0; i < nlists; ++i) if (!lists[i].allow) return 1;
  return 0;
}
static struct timeval started;
static struct taia started_taia;
static long threshold;                        /* -S: 0 is rblsmtpd's serial decision */
static unsigned long greet_ms;                /* -g */
static int pregreet_reject;                   /* -P */
static int teased;                            /* the 220- line is out */
static int pregreet;                          /* the client talked early */

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

/* -S: the score, every list that matched with its weight, and every failed
 * lookup that counted (-c on a -r list, -C on an -a list) */
static void log_lists(struct logline *l, const char *key, int failed)
{
  char buf[LOGLINE_MAX];
  size_t n = 0, i;
  for (i = 0; i < nlists; ++i) {
    char num[NUM_FMT];
    size_t k;
    int counts = failed ? lists[i].state == DNSBL_FAILED && lists[i].failclosed != lists[i].allow
                        : lists[i].state == DNSBL_LISTED;
    if (!counts || n + lists[i].baselen + NUM_FMT + 3 > sizeof buf) continue;
    if (n) buf[n++] = '/';
    memcpy(buf + n, lists[i].base, lists[i].baselen);
    n += lists[i].baselen;
    buf[n++] = ':';
    if (lists[i].allow) buf[n++] = '-';
    k = num_fmt(num, lists[i].weight);
    memcpy(buf + n, num, k);
    n += k;
  }
  if (n) logline_bytes(l, key, buf, n);
}

static void log_score(struct logline *l, long score)
{
  char buf[NUM_FMT + 1];
  size_t n;
  if (!threshold) return;
  n = score < 0;
  buf[0] = '-';
  n += num_fmt(buf + n, score < 0 ? (unsigned long)-score : (unsigned long)score);
  logline_bytes(l, "score", buf, n);
  log_lists(l, "hits", 0);
  log_lists(l, "failed", 1);
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
  if (!session_timeout) {
    if (teased) say(RBLD_GREETING, sizeof RBLD_GREETING - 1);   /* the greeting must end before any other reply */
    say(msg, n);
    _exit(0);
  }
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
static void reject(char **argv, int code, const char *list, size_t listlen, const char *text, size_t textlen, long score)
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
  log_score(&l, score);
  if (pregreet) logline_str(&l, "pregreet", "yes");
  logline_end(&l);
  if (!delayed) reject_dialogue(code, text, textlen);
  if (setenv("RBLSMTPD", code == 553 ? clean : clean + 1, 1) == -1) die_nomem(PROG);
  run(argv);
}

static void pass(char **argv, const char *action, const char *list, size_t listlen, long score)
{
  struct logline l;
  log_start(&l, action);
  if (list) logline_bytes(&l, "list", list, listlen);
  logline_ulong(&l, "ms", elapsed_ms());
  log_score(&l, score);
  if (pregreet) logline_str(&l, "pregreet", "yes");
  logline_end(&l);
  run(argv);
}

/* The last reply is out: let the client read it. Closing a socket with
 * unread input sends a reset, which may destroy what is still in flight. */
static void linger_exit(void)
{
  char buf[512];
  struct pollfd p;
  int i;
  shutdown(1, SHUT_WR);
  p.fd = 0;
  p.events = POLLIN;
  for (i = 0; i < 20; ++i) {          /* at most 2 s, or until the client closes */
    ssize_t r;
    p.revents = 0;
    if (poll(&p, 1, 100) != 1) continue;
    r = read(0, buf, sizeof buf);
    if (r <= 0 && !(r < 0 && errno == EINTR)) break;
  }
  _exit(0);
}

/* the client went away before the program could run: one line, exit 0 */
static void log_gone(void) __attribute__((noreturn));
static void log_gone(void)
{
  struct logline l;
  log_start(&l, "hangup");
  logline_ulong(&l, "ms", elapsed_ms());
  logline_end(&l);
  _exit(0);
}

/* -g: the first line of a multi-line greeting; the program's 220 ends it */
static void tease(void)
{
  char line[4 + 255 + 2];
  const char *h = getenv("TCPLOCALHOST");
  size_t n;
  if (!h || !*h || !strcmp(h, "0")) h = getenv("TCPLOCALIP");   /* tcpserver -l0 gives "0" */
  if (!h || !*h) h = "rblsmtpd.local";
  memcpy(line, "220-", 4);
  n = strlen(h);
  if (n > 255) n = 255;
  n = 4 + sanitize(line + 4, 256, h, n);
  line[n++] = '\r';
  line[n++] = '\n';
  teased = 1;
  while (n) {
    ssize_t w = write(1, line, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) log_gone();
    memmove(line, line + w, n - (size_t)w);
    n -= (size_t)w;
  }
}

/* fd 0 became readable before the program runs: an early talker, or a
 * client that is gone. MSG_PEEK leaves every byte for the program. */
static void client_readable(short revents)
{
  char c;
  ssize_t r = recv(0, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  struct logline l;
  if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (r == 0 || (r < 0 && errno != ENOTSOCK) || (r < 0 && !(revents & POLLIN))) log_gone();
  pregreet = 1;
  log_start(&l, "pregreet");
  if (pregreet_reject) logline_ulong(&l, "code", 554);
  logline_ulong(&l, "ms", elapsed_ms());
  logline_end(&l);
  if (!pregreet_reject) return;
  if (teased) say(RBLD_GREETING, sizeof RBLD_GREETING - 1);
  say(PREGREET_LINE, sizeof PREGREET_LINE - 1);
  linger_exit();
}

/* the last look before exec: has the client talked in the meantime? */
static void client_check(void)
{
  struct pollfd p;
  p.fd = 0;
  p.events = POLLIN;
  p.revents = 0;
  if (poll(&p, 1, 0) == 1 && p.revents) client_readable(p.revents);
}

static void ms_after_start(struct taia *t, unsigned long ms)
{
  struct taia span;
  memset(&span, 0, sizeof span);
  span.sec.x = ms / 1000;
  span.nano = (uint32)(ms % 1000 * 1000000UL);
  taia_add(t, &started_taia, &span);
}

/* -H: every list asked for the RFC 5782 test points; one line each on stdout */
static int health(const char *servers)
{
  static struct dnsbl_list probes[DNSQUERY_LISTS];
  static struct dnsquery d;
  static const char *const what[] = { "ok", "not answering", "refuses queries", "does not list the test point 127.0.0.2",
                                      "lists the world: 127.0.0.1 is listed" };
  static const char *const word[] = { "ok", "down", "refused", "notlisted", "world" };
  enum listhealth v[DNSBL_MAX];
  struct revip p[LH_PROBES];
  size_t i;
  int ignored = 0;

  listhealth_points(p);
  listhealth_probes(lists, nlists, p, probes);
  dnsquery_start(&d, probes, nlists * LH_PROBES, &p[0], servers, deadline_ms);
  while (dnsquery_pending(&d)) dnsquery_round(&d, -1, 0, &ignored);
  dnsquery_end(&d);
  for (i = 0; i < nlists; ++i) {
    struct dnsbl_list *x = &probes[i * LH_PROBES];
    unsigned char blocked[4], b6[4];
    enum listhealth six = listhealth_judge(&x[2], &x[3], b6);
    struct logline l;
    v[i] = listhealth_judge(&x[0], &x[1], blocked);
    logline_start(&l, PROG);
    logline_bytes(&l, "list", lists[i].base, lists[i].baselen);
    logline_str(&l, "health", word[v[i]]);
    if (v[i] == LH_DOWN) {
      static const char *const why[] = { "none", "lookup", "timeout", "blocked", "badname", "noserver" };
      logline_str(&l, "reason", why[x[0].state == DNSBL_FAILED ? x[0].fail : x[1].fail]);
    }
    if (v[i] == LH_REFUSED) { char a[IP4_FMT]; logline_bytes(&l, "answer", a, fmt_ip4(a, (const char *)blocked)); }
    logline_str(&l, "ipv6", six == LH_OK ? "yes" : "no");
    logline_ulong(&l, "ms", elapsed_ms());
    logline_text(&l, "text", what[v[i]], strlen(what[v[i]]));
    logline_end_fd(&l, 1);
  }
  return listhealth_exit(v, nlists);
}

static void usage_why(const char *why)
{
  warn_msg(PROG, why);
  die_usage(PROG, USAGE);
}

/* Lookups, the greet pause and the early-talker watch, all in one wait;
 * returns when the decision can be acted on. */
static void screen(const char *servers, struct dnsbl_verdict *v)
{
  static struct dnsquery d;
  struct taia pause_end, now;
  size_t n = have_rbl_lists() ? nlists : 0;
  int watch = greet_ms || pregreet_reject;

  ms_after_start(&pause_end, greet_ms);
  if (greet_ms) tease();
  if (threshold && dnsbl_score_decide(lists, n, threshold, client.text, v) != DNSBL_WAIT) n = 0;   /* no list can reach it */
  dnsquery_start(&d, lists, n, &client, servers, deadline_ms);
  for (;;) {
    enum dnsbl_action a = threshold ? dnsbl_score_decide(lists, n, threshold, client.text, v)
                                    : dnsbl_decide(lists, n, client.text, v);
    int ready = 0, paused;
    taia_now(&now);
    paused = greet_ms && taia_less(&now, &pause_end);
    if (a == DNSBL_REJECT && !delayed) break;        /* a refusal need not wait for the pause */
    if (a != DNSBL_WAIT && !paused) break;
    dnsquery_round(&d, watch && !pregreet ? 0 : -1, paused ? &pause_end : 0, &ready);
    if (ready) {
      struct pollfd p;
      p.fd = 0; p.events = POLLIN; p.revents = 0;
      if (poll(&p, 1, 0) == 1) client_readable(p.revents);
    }
  }
  dnsquery_end(&d);
  if (watch && !pregreet && (v->action != DNSBL_REJECT || delayed)) client_check();
}

int main(int argc, char **argv)
{
  static char servers[256];
  int bounce = 0, failclosed = 0, opt, check_health = 0, weighted = 0;
  unsigned long num;
  const char *env;
  struct dnsbl_verdict v;
  const char *srv = servers;

  gettimeofday(&started, 0);
  taia_now(&started_taia);
  opterr = 0;   /* our usage line says it all */
  while ((opt = getopt(argc, argv, "+bBcCDPHt:T:S:g:r:a:")) != -1)
    switch (opt) {
      case 'b': bounce = 1; break;
      case 'B': bounce = 0; break;
      case 'c': failclosed = 1; break;
      case 'C': failclosed = 0; break;
      case 'D': delayed = 1; break;
      case 'P': pregreet_reject = 1; break;
      case 'H': check_health = 1; break;
      case 't': if (!num_ulong(optarg, 86400, &session_timeout)) die_usage(PROG, USAGE); break;
      case 'T': if (!num_seconds_ms(optarg, 3600000, &deadline_ms)) die_usage(PROG, USAGE); break;
      case 'S':
        if (!num_ulong(optarg, DNSBL_WEIGHT_MAX, &num) || !num) usage_why("-S wants a whole number from 1 to 1000000");
        threshold = (long)num;
        break;
      case 'g':
        if (!num_ulong(optarg, GREET_MAX_MS, &greet_ms)) usage_why("-g wants milliseconds from 0 to 300000");
        break;
      case 'r': case 'a':
        if (nlists == DNSBL_MAX) die_msg(EXIT_PERM, PROG, "too many lists (at most 32)");
        if (!dnsbl_parse(&lists[nlists], optarg, opt == 'a', bounce, failclosed)) {
          if (lists[nlists].err && strchr(optarg, '*')) usage_why(lists[nlists].err);   /* the new syntax explains itself */
          die_usage(PROG, USAGE);
        }
        if (lists[nlists].weighted) weighted = 1;
        ++nlists;
        break;
      default: die_usage(PROG, USAGE);
    }
  argv += optind;
  if (weighted && !threshold && !check_health) usage_why("weights (*W) count only with -S threshold");

  if (check_health) {
    if (!nlists) usage_why("-H needs the -r and -a lists to check");
    dnsquery_random_init();
    if (dns_resolvconfip(servers) == -1) srv = 0;
    _exit(health(srv));
  }
  if (!*argv) die_usage(PROG, USAGE);
  signal(SIGPIPE, SIG_IGN);   /* a vanished client is a write error, not a signal */
  have_client = revip_from_env(&client);

  if (getenv("RELAYCLIENT")) pass(argv, "pass", "relayclient", 11, 0);
  env = getenv("RBLSMTPD");   /* set by tcprules: the decision is made already */
  if (env) {
    if (!*env) pass(argv, "pass", "rblsmtpd", 8, 0);
    if (delayed) pass(argv, "delay", "rblsmtpd", 8, 0);
    if (*env == '-') reject(argv, 553, "rblsmtpd", 8, env + 1, strlen(env + 1), 0);
    reject(argv, 451, "rblsmtpd", 8, env, strlen(env), 0);
  }
  if (!have_rbl_lists() && !greet_ms && !pregreet_reject) run(argv);   /* nothing could reject: no lookups at all */
  if (have_rbl_lists() && !have_client) {
    static const char bad[] = "temporary failure: unable to read the client address";
    reject(argv, 451, "-", 1, bad, sizeof bad - 1, 0);
  }

  if (have_rbl_lists()) {
    dnsquery_random_init();
    if (dns_resolvconfip(servers) == -1) {
      warn_msg(PROG, "unable to read DNSCACHEIP or /etc/resolv.conf: every lookup fails");
      srv = 0;
    }
  }
  if (!have_client) revip_parse(&client, "0.0.0.0");   /* no lists are asked; only the watch and the pause */
  screen(srv, &v);
  log_failures();

  switch (v.action) {
    case DNSBL_REJECT:
      if (v.list < 0) reject(argv, v.code, "-", 1, v.text, v.textlen, v.score);
      reject(argv, v.code, lists[v.list].base, lists[v.list].baselen, v.text, v.textlen, v.score);
      break;
    case DNSBL_ACCEPT:
      pass(argv, "accept", lists[v.list].base, lists[v.list].baselen, v.score);
      break;
    default:
      pass(argv, "pass", 0, 0, v.score);
  }
  return EXIT_TEMP;   /* not reached */
}
