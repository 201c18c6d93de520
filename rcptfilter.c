/* rcptfilter — an SMTP proxy in front of qmail-smtpd (or any SMTP server on
 * stdin/stdout) that answers RCPT TO from per-mailbox sender rules and passes
 * everything else through byte for byte. See man/rcptfilter.8. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "proxy.h"
#include "rules.h"
#include "revip.h"
#include "logline.h"
#include "num.h"
#include "die.h"

#define PROG "rcptfilter"
#define USAGE "rcptfilter [ -t idle ] [ -l maxline ] rules.cdb prog [ arg ... ]"

static pid_t child;

static long long now_ms(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

/* Write what we can; -1 when the peer is gone. */
static int drain(int fd, struct pbuf *b)
{
  while (b->len) {
    ssize_t w = write(fd, b->s, b->len);
    if (w < 0) { if (errno == EINTR) continue; if (errno == EAGAIN) return 0; return -1; }
    pbuf_consume(b, (size_t)w);
  }
  return 0;
}

static void start_backend(char **argv, int *tobe, int *frombe)
{
  int in[2], out[2];
  if (pipe(in) == -1 || pipe(out) == -1) die_sys(EXIT_TEMP, PROG, "create pipes");
  child = fork();
  if (child == -1) die_sys(EXIT_TEMP, PROG, "fork");
  if (!child) {
    if (dup2(in[0], 0) == -1 || dup2(out[1], 1) == -1) _exit(EXIT_TEMP);
    close(in[0]); close(in[1]); close(out[0]); close(out[1]);
    signal(SIGPIPE, SIG_DFL);
    execvp(argv[0], argv);
    die_sys(EXIT_TEMP, PROG, "run the SMTP server");
  }
  close(in[0]);
  close(out[1]);
  fcntl(in[1], F_SETFD, FD_CLOEXEC);
  fcntl(out[0], F_SETFD, FD_CLOEXEC);
  *tobe = in[1];
  *frombe = out[0];
}

static void log_end(const char *ip, const char *action, const char *why)
{
  struct logline l;
  logline_start(&l, PROG);
  logline_str(&l, "ip", ip);
  logline_ulong(&l, "pid", (unsigned long)getpid());
  logline_str(&l, "action", action);
  logline_text(&l, "reason", why, strlen(why));
  logline_end(&l);
}

int main(int argc, char **argv)
{
  static struct proxy p;
  struct proxy_conf c;
  unsigned long idle = 1200, maxline = 4096;
  int opt, tobe, frombe, status = 0, client_open = 1, client_out = 1;
  long long last;
  const char *env, *ip = "unknown";
  struct revip rip;
  char buf[16384];

  opterr = 0;
  while ((opt = getopt(argc, argv, "+t:l:")) != -1)
    switch (opt) {
      case 't': if (!num_ulong(optarg, 86400, &idle) || !idle) die_usage(PROG, USAGE); break;
      case 'l': if (!num_ulong(optarg, 65000, &maxline) || maxline < 512) die_usage(PROG, USAGE); break;
      default: die_usage(PROG, USAGE);
    }
  argv += optind;
  if (!argv[0] || !argv[1]) die_usage(PROG, USAGE);
  signal(SIGPIPE, SIG_IGN);

  memset(&c, 0, sizeof c);
  if (revip_from_env(&rip)) ip = rip.text;
  c.ip = ip;
  c.maxline = maxline;
  c.rules_off = getenv("RELAYCLIENT") != 0;
  env = getenv("RBLSMTPD");
  if (env && *env) c.rblsmtpd = env;
  if (!c.rules_off) {
    c.rules = rules_open(argv[0]);   /* once per connection; missing means 451, never an open door */
    if (!c.rules) log_end(ip, "tempfail", errno == EPROTO ? "rules cdb is corrupt or not a rules cdb" : "unable to open the rules cdb");
  }
  if (proxy_init(&p, &c)) die_nomem(PROG);
  start_backend(argv + 1, &tobe, &frombe);
  nonblock(0); nonblock(1); nonblock(tobe); nonblock(frombe);
  last = now_ms();

  for (;;) {
    struct pollfd fds[4];
    int nfds = 0, ci = -1, co = -1, bi = -1, bo = -1, r;
    long long left;

    proxy_run(&p);
    if (p.end) break;
    if (client_open && proxy_client_room(&p)) { ci = nfds; fds[nfds].fd = 0; fds[nfds++].events = POLLIN; }
    if (client_out && p.tocl.len) { co = nfds; fds[nfds].fd = 1; fds[nfds++].events = POLLOUT; }
    if (tobe >= 0 && p.tobe.len) { bo = nfds; fds[nfds].fd = tobe; fds[nfds++].events = POLLOUT; }
    if (frombe >= 0 && proxy_backend_room(&p)) { bi = nfds; fds[nfds].fd = frombe; fds[nfds++].events = POLLIN; }
    if (!client_open && tobe >= 0 && !p.tobe.len && proxy_client_done(&p)) { close(tobe); tobe = -1; }   /* client gone: backend sees EOF */
    left = last + (long long)idle * 1000 - now_ms();
    if (left <= 0) {
      if (client_out && p.tocl.len) { p.end = PROXY_ABORT; p.why = "client not reading"; client_out = 0; }
      else if (proxy_idle(&p)) { p.end = PROXY_ABORT; p.why = "idle timeout"; proxy_say(&p, "421 4.4.2 timeout, closing\r\n"); }
      else proxy_fail(&p, "backend stalled");
      break;
    }
    r = poll(fds, (nfds_t)nfds, left > 60000 ? 60000 : (int)left);
    if (r < 0) { if (errno == EINTR) continue; die_sys(EXIT_TEMP, PROG, "poll"); }
    if (ci >= 0 && fds[ci].revents) {
      ssize_t n = read(0, buf, proxy_client_room(&p) < sizeof buf ? proxy_client_room(&p) : sizeof buf);
      /* the clock restarts only when a line is complete: a client that trickles
       * a byte at a time (slowloris) still has -t seconds per line, no more */
      if (n > 0) { if (memchr(buf, '\n', (size_t)n)) last = now_ms(); proxy_client_input(&p, buf, (size_t)n); }
      else if (n == 0 || (errno != EAGAIN && errno != EINTR)) { client_open = 0; proxy_client_eof(&p); }
    }
    if (bi >= 0 && fds[bi].revents) {
      ssize_t n = read(frombe, buf, proxy_backend_room(&p) < sizeof buf ? proxy_backend_room(&p) : sizeof buf);
      if (n > 0) { last = now_ms(); proxy_backend_input(&p, buf, (size_t)n); }
      else if (n == 0 || (errno != EAGAIN && errno != EINTR)) { close(frombe); frombe = -1; proxy_backend_eof(&p); }
    }
    if (co >= 0 && fds[co].revents && drain(1, &p.tocl) == -1) { client_out = 0; p.tocl.len = 0; }   /* nobody reads: drop replies */
    if (!client_out) p.tocl.len = 0;
    if (bo >= 0 && fds[bo].revents && drain(tobe, &p.tobe) == -1) { close(tobe); tobe = -1; p.tobe.len = 0; }
  }

  /* the end: say what is owed to the client (bounded), make sure the backend delivers nothing it should not */
  if (p.end != PROXY_DONE) { kill(child, SIGTERM); if (tobe >= 0) close(tobe); tobe = -1; }
  if (client_out && p.tocl.len) {
    long long until = now_ms() + (idle < 10 ? (long long)idle * 1000 : 10000);    /* a client that does not read gets 10 s (-t when shorter), no more */
    while (p.tocl.len && now_ms() < until) {
      struct pollfd w = { 1, POLLOUT, 0 };
      if (poll(&w, 1, 1000) < 0 && errno != EINTR) break;
      if (drain(1, &p.tocl) == -1) break;
    }
  }
  if (tobe >= 0) close(tobe);
  if (frombe >= 0) close(frombe);
  while (waitpid(child, &status, 0) == -1 && errno == EINTR) ;
  if (p.end == PROXY_FAILED) { log_end(ip, "fail", p.why); return EXIT_TEMP; }
  if (p.end == PROXY_ABORT) log_end(ip, "abort", p.why);
  return 0;
}
