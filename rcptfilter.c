/* rcptfilter — an SMTP proxy in front of qmail-smtpd (or any SMTP server on
 * stdin/stdout) that answers RCPT TO from per-mailbox sender rules and passes
 * everything else through byte for byte. See man/rcptfilter.8.
 *
 * The decisions are src/proxy.c's (no I/O there); this file moves bytes
 * between the two connections (src/conn.h) and the proxy, keeps the clock,
 * and writes the log. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <dns.h>
#include "conn.h"
#include "tlsserver.h"
#include "sendercheck.h"
#include "dnsquery.h"
#include "proxy.h"
#include "addr.h"
#include "rules.h"
#include "revip.h"
#include "logline.h"
#include "fdio.h"
#include "num.h"
#include "die.h"

#define PROG "rcptfilter"
#define USAGE "rcptfilter [ -t idle ] [ -l maxline ] [ -m maxrcpt ] [ -u maxbad ] [ -S ] [ -d base[=codes] ]... [ -c cert [ -k key ] ]... [ -i ] rules.cdb prog [ arg ... ]"
#define FINAL_DRAIN_MS 10000   /* what a client that does not read gets at the end, at most */
#define CHECK_DEADLINE_MS 8000 /* SPF and the domain lists of one transaction (rblsmtpd2 -T's default) */

struct relay {
  struct proxy *p;
  struct conn client, server;
  int client_reading;        /* the client may still send */
  int client_listening;      /* the client still takes what we write */
  pid_t child;
  long long last;            /* when the last complete line (or a reply) came, ms */
  long long idle_ms;         /* -t */
  const char *ip;
  char **argv;               /* the server's command */
  pid_t old_child;           /* the server of the plaintext part, ended at STARTTLS */
  struct tlsserver tls;      /* -c, -k: loaded only when a client says STARTTLS */
  struct sendercheck_conf checkconf;   /* -S, -d */
  struct sendercheck check;  /* the running one, when check_id */
  unsigned long check_id;
  int server_blocking;       /* the pipe to the server is in blocking mode (inside a body) */
};

static void log_end(const char *ip, const char *action, const char *why)
{
  struct logline l;
  logline_begin(&l, PROG, ip, action);
  logline_text(&l, "reason", why, strlen(why));
  logline_end(&l);
}

static void log_address(struct logline *l, const char *key, const char *a, size_t len)
{
  char b[ADDR_MAX + 3];
  b[0] = '<';
  memcpy(b + 1, a, len);
  b[len + 1] = '>';
  logline_bytes(l, key, b, len + 2);
}

/* The proxy's decisions, one line each. */
static void log_event(void *ctx, const struct proxy_event *e)
{
  const struct relay *r = ctx;
  struct logline l;
  logline_begin(&l, PROG, r->ip, e->action);
  if (e->rcpt) {
    log_address(&l, "from", e->from, e->flen);
    log_address(&l, "rcpt", e->rcpt, e->rlen);
  }
  if (e->d && e->d->rule) {
    char where[RULES_FILE_MAX + 1 + NUM_FMT];
    size_t n = strlen(e->d->file);
    logline_ulong(&l, "rule", e->d->rule);
    memcpy(where, e->d->file, n);
    where[n] = ':';
    logline_bytes(&l, "file", where, n + 1 + num_fmt(where + n + 1, e->d->line));
  }
  if (e->key) logline_str(&l, e->key, e->val);
  logline_end(&l);
}

/* The server on two pipes, spawned (vfork and exec: no copy of this
 * process's page tables, no copy-on-write faults after; bench/COST.md).
 * A server that cannot be run is logged and looks like one that exited at
 * once: the relay sees EOF and says 421, exit 111. -1 then. */
static pid_t start_server(char **argv, int *to_server, int *from_server)
{
  int in[2], out[2], e;
  pid_t pid = -1;
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  sigset_t dfl;

  if (pipe2(in, O_CLOEXEC) == -1 || pipe2(out, O_CLOEXEC) == -1) die_sys(EXIT_TEMP, PROG, "create pipes");
  if (posix_spawn_file_actions_init(&fa) || posix_spawnattr_init(&at)) die_nomem(PROG);
  /* dup2 leaves the server's 0 and 1 open across exec; everything else closes */
  if (posix_spawn_file_actions_adddup2(&fa, in[0], 0) || posix_spawn_file_actions_adddup2(&fa, out[1], 1)) die_nomem(PROG);
  sigemptyset(&dfl);
  sigaddset(&dfl, SIGPIPE);   /* we ignore it; the server gets the default */
  if (posix_spawnattr_setsigdefault(&at, &dfl) || posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF)) die_nomem(PROG);
  e = posix_spawnp(&pid, argv[0], &fa, &at, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  if (e) {
    errno = e;
    warn_sys(PROG, "run the SMTP server");
    pid = -1;
  }
  close(in[0]);
  close(out[1]);
  *to_server = in[1];
  *from_server = out[0];
  return pid;
}

/* The TLS handshake with the client (after our 220, or before the banner
 * with -i), bounded by -t as a whole: one that trickles is cut. */
static int handshake(struct relay *r, const char **why)
{
  long long until = fdio_now_ms() + r->idle_ms;
  int one = 1;
  /* TLS writes small records right after one another (session tickets, then
   * the EHLO reply): with Nagle each waits for the peer's delayed ACK, 40 ms
   * a session. Not a TCP socket (a test's pipe): nothing to do. */
  (void)setsockopt(r->client.wfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  for (;;) {
    struct pollfd f[2];
    nfds_t n = 0;
    short rev, wev;
    long long left;
    int h = conn_handshake(&r->client);
    if (h == 1) return 1;
    if (h == -1) { *why = conn_error(&r->client); return 0; }
    conn_events(&r->client, 0, 0, &rev, &wev);
    if (rev) { f[n].fd = r->client.rfd; f[n].events = rev; f[n++].revents = 0; }
    if (wev) { f[n].fd = r->client.wfd; f[n].events = wev; f[n++].revents = 0; }
    left = until - fdio_now_ms();
    if (left <= 0) { *why = "handshake timed out"; return 0; }
    if (poll(f, n, left > 60000 ? 60000 : (int)left) < 0 && errno != EINTR) die_sys(EXIT_TEMP, PROG, "poll");
  }
}

/* Why the handshake failed, for the log line. */
static const char *tls_failure(struct relay *r, const char *why)
{
  static char t[200];
  size_t a, b;
  if (!why || !*why) why = conn_error(&r->client);
  if (!why || !*why) why = "handshake failed";
  a = sizeof "TLS " - 1;
  b = strlen(why);
  if (b > sizeof t - 1 - a) b = sizeof t - 1 - a;
  memcpy(t, "TLS ", a);
  memcpy(t + a, why, b);
  t[a + b] = 0;
  return t;
}

/* One line per TLS session; the server after it learns what the client has
 * (the ucspi-ssl names). */
static void tls_started(struct relay *r)
{
  struct conn_tlsinfo i;
  struct logline l;
  if (!conn_tls_info(&r->client, &i)) return;
  logline_begin(&l, PROG, r->ip, "tls");
  logline_str(&l, "version", i.version);
  logline_str(&l, "cipher", i.cipher);
  logline_str(&l, "sni", i.sni);
  logline_end(&l);
  if (setenv("SSL_PROTOCOL", i.version, 1) == -1 || setenv("SSL_CIPHER", i.cipher, 1) == -1) die_nomem(PROG);
}

/* Move what the proxy has for one side; a side that cannot take it is gone. */
static int flush(struct proxy *p, struct conn *c, enum proxy_side to)
{
  size_t len;
  const char *s;
  while ((s = proxy_output(p, to, &len)), len) {
    ssize_t w = conn_write(c, s, len);
    if (w == CONN_AGAIN) return 0;
    if (w < 0) return -1;
    proxy_sent(p, to, (size_t)w);
    if ((size_t)w < len) return 0;   /* the pipe is full: poll says when it has room, no write to learn EAGAIN */
  }
  return 0;
}

static volatile sig_atomic_t alarmed;
static void on_alarm(int sig) { (void)sig; alarmed = 1; }   /* only to interrupt a blocking write */

/* To the server. Inside a body it is one blocking write, bounded by -t: the
 * server reads the body in its own small chunks (exim 8 KiB), and each would
 * otherwise wake us for a poll and a write (bench/COST.md: 2 syscalls per
 * chunk). Outside a body the server answers as it reads, so we never block
 * on it there: its replies could fill the pipe back to us. */
static int flush_server(struct relay *r)
{
  int body = proxy_in_body(r->p), rc, fl;
  long long left;
  if (body != r->server_blocking) {
    fl = fcntl(r->server.wfd, F_GETFL);
    if (fl != -1) fcntl(r->server.wfd, F_SETFL, body ? fl & ~O_NONBLOCK : fl | O_NONBLOCK);
    r->server_blocking = body;
  }
  if (!body) return flush(r->p, &r->server, PROXY_SERVER);
  left = r->last + r->idle_ms - fdio_now_ms();
  alarmed = 0;
  alarm(left > 1000 ? (unsigned)(left / 1000) : 1);
  for (rc = 0; !rc; ) {
    size_t len;
    const char *s = proxy_output(r->p, PROXY_SERVER, &len);
    ssize_t w;
    if (!len || !proxy_in_body(r->p)) break;   /* past the dot: the rest goes the careful way */
    w = write(r->server.wfd, s, len);          /* a pipe, never TLS: plain write(2) */
    if (w < 0) rc = errno == EINTR ? 1 : -1;   /* EINTR: the alarm, -t went by inside the write */
    else proxy_sent(r->p, PROXY_SERVER, (size_t)w);
    if (alarmed) rc = 1;                       /* it went off after part of a write: do not block again */
  }
  alarm(0);
  if (rc == 1) { proxy_fail(r->p, "backend stalled"); return 0; }
  if (rc < 0) return -1;
  return proxy_in_body(r->p) ? 0 : flush_server(r);
}

/* Read what one side sent straight into the proxy's buffer. 1: bytes came,
 * 0: nothing now, -1: EOF or error. */
static int pump_in(struct relay *r, struct conn *c, enum proxy_side from)
{
  size_t room;
  char *buf = proxy_space(r->p, from, &room);
  ssize_t n;
  if (!buf) return 0;
  n = conn_read(c, buf, room);
  if (n == CONN_AGAIN) return 0;
  if (n <= 0) return -1;
  /* the clock restarts only when a client's line is complete: one that
   * trickles a byte at a time (slowloris) still has -t per line, no more */
  if (from == PROXY_SERVER || memchr(buf, '\n', (size_t)n)) r->last = fdio_now_ms();
  proxy_commit(r->p, from, (size_t)n);
  return 1;
}

struct pollset {
  struct pollfd fd[4 + SENDERCHECK_FDS];
  int n;
  int check_at, ncheck;      /* the sender check's fds: fd[check_at .. +ncheck) */
  int at[2][2];              /* [client/server][read/write] -> index in fd, or -1 */
  int want_read[2];          /* [client/server]: a read was asked for (under TLS it may poll the write fd) */
};

static void poll_add(struct pollset *ps, int side, const struct conn *c, int want_read, int want_write)
{
  short rev, wev;
  conn_events(c, want_read, want_write, &rev, &wev);
  ps->want_read[side] = want_read;
  ps->at[side][0] = ps->at[side][1] = -1;
  if (rev) { ps->at[side][0] = ps->n; ps->fd[ps->n].fd = c->rfd; ps->fd[ps->n++].events = rev; }
  if (wev) { ps->at[side][1] = ps->n; ps->fd[ps->n].fd = c->wfd; ps->fd[ps->n++].events = wev; }
}

static short revents(const struct pollset *ps, int side, int dir)
{
  int i = ps->at[side][dir];
  return i < 0 ? 0 : ps->fd[i].revents;
}

static void build_pollset(struct relay *r, struct pollset *ps)
{
  size_t len;
  ps->n = 0;
  proxy_output(r->p, PROXY_CLIENT, &len);
  poll_add(ps, PROXY_CLIENT, &r->client, r->client_reading && proxy_room(r->p, PROXY_CLIENT), r->client_listening && len);
  proxy_output(r->p, PROXY_SERVER, &len);
  poll_add(ps, PROXY_SERVER, &r->server, r->server.rfd >= 0 && proxy_room(r->p, PROXY_SERVER), r->server.wfd >= 0 && len);
  ps->check_at = ps->n;
  ps->ncheck = r->check_id ? (int)sendercheck_pollfds(&r->check, ps->fd + ps->n, SENDERCHECK_FDS) : 0;
  ps->n += ps->ncheck;
}

/* The sender check is done: its verdict to the proxy. */
static void check_end(struct relay *r)
{
  unsigned long id = r->check_id;
  if (!id || !sendercheck_done(&r->check)) return;
  r->check_id = 0;
  r->last = fdio_now_ms();   /* our own DNS time is nobody's idleness: -t starts again */
  proxy_check_done(r->p, id, sendercheck_verdict(&r->check));
  sendercheck_free(&r->check);
}

/* The sender checks (-S, -d) of a transaction that has just begun: started
 * when the proxy asks (a newer transaction's check replaces an older one),
 * answered when done. Out of memory is a 451, never a pass. */
static void check_begin(struct relay *r)
{
  struct proxy_check_req req;
  unsigned long id = proxy_check_wanted(r->p, &req);
  if (!id) return;
  if (r->check_id) sendercheck_free(&r->check);
  r->check_id = 0;
  if (sendercheck_start(&r->check, &r->checkconf, &req) == -1) {
    static const struct proxy_check nomem = { "tempfail", "451 4.3.0 out of memory, try again later", 0, 0 };
    proxy_check_done(r->p, id, &nomem);
    return;
  }
  r->check_id = id;
  check_end(r);               /* nothing to ask (no domain, no lists): done at once */
}


/* -t has passed with nothing happening: whose fault is it? */
static void timed_out(struct relay *r)
{
  size_t owed;
  proxy_output(r->p, PROXY_CLIENT, &owed);
  if (r->client_listening && owed) {
    proxy_abort(r->p, "client not reading", 0);
    r->client_listening = 0;
    proxy_drop_output(r->p, PROXY_CLIENT);
  } else if (proxy_idle(r->p))
    proxy_abort(r->p, "idle timeout", "421 4.4.2 timeout, closing\r\n");
  else
    proxy_fail(r->p, "backend stalled");
}

/* STARTTLS, when the proxy asks: the certificates (first use in this
 * process), then, once our 220 is out, the handshake and a fresh server.
 * 1: the loop goes on; 0: the session has ended. */
static int starttls(struct relay *r)
{
  const char *why;
  size_t len;
  int to_server, from_server;
  switch (proxy_tls_state(r->p)) {
    case PROXY_TLS_NONE: return 1;
    case PROXY_TLS_ASK:
      if (!tlsserver_load(&r->tls, &why)) {
        log_end(r->ip, "tlsfail", why);
        proxy_tls_refuse(r->p);
      } else
        proxy_tls_go(r->p);
      return 1;
    case PROXY_TLS_HANDSHAKE:
      proxy_output(r->p, PROXY_CLIENT, &len);
      if (!r->client_listening) { proxy_abort(r->p, "client gone before the TLS handshake", 0); return 0; }
      if (len) return 1;   /* the 220 first, all of it, in plaintext */
      if (conn_starttls(&r->client, r->tls.ctx) == -1 || !handshake(r, &why)) {
        proxy_abort(r->p, tls_failure(r, why), 0);   /* never a plaintext fallback */
        r->client_listening = 0;
        return 0;
      }
      tls_started(r);
      /* RFC 3207 4.2: a new session, for the server too. The old one sees EOF. */
      conn_close_write(&r->server);
      conn_close_read(&r->server);
      r->old_child = r->child;
      r->child = start_server(r->argv, &to_server, &from_server);
      conn_init(&r->server, from_server, to_server);
      proxy_tls_up(r->p);
      r->last = fdio_now_ms();
      return 1;
  }
  return 1;
}

static void relay_loop(struct relay *r)
{
  while (!proxy_end(r->p, 0)) {
    struct pollset ps;
    long long left;
    int rc, rd, wr, timeout;
    size_t len;

    if (!r->client_listening) proxy_drop_output(r->p, PROXY_CLIENT);
    if (!starttls(r)) return;
    if (proxy_end(r->p, 0)) return;
    check_begin(r);

    build_pollset(r, &ps);
    proxy_output(r->p, PROXY_SERVER, &len);
    if (!r->client_reading && r->server.wfd >= 0 && !len && proxy_client_done(r->p))
      conn_close_write(&r->server);   /* the client is gone: the server sees EOF */
    left = r->last + r->idle_ms - fdio_now_ms();
    if (left <= 0 && !r->check_id) { timed_out(r); return; }   /* a running check has its own deadline */
    if (left < 0) left = 0;
    timeout = left > 60000 ? 60000 : (int)left;
    if (ps.want_read[PROXY_CLIENT] && conn_pending(&r->client)) timeout = 0;   /* decrypted bytes wait inside TLS: poll cannot see them */
    if (r->check_id) {
      int t = sendercheck_timeout_ms(&r->check);
      if (t >= 0 && t < timeout) timeout = t;
    }
    rc = poll(ps.fd, (nfds_t)ps.n, timeout);
    if (rc < 0) { if (errno == EINTR) continue; die_sys(EXIT_TEMP, PROG, "poll"); }
    if (r->check_id) {
      sendercheck_step(&r->check, ps.fd + ps.check_at, (size_t)ps.ncheck);
      check_end(r);
    }

    conn_ready(&r->client, revents(&ps, PROXY_CLIENT, 0), revents(&ps, PROXY_CLIENT, 1), &rd, &wr);
    if (rd && ps.want_read[PROXY_CLIENT] && pump_in(r, &r->client, PROXY_CLIENT) < 0) {
      r->client_reading = 0;
      proxy_eof(r->p, PROXY_CLIENT);
    }
    conn_ready(&r->server, revents(&ps, PROXY_SERVER, 0), revents(&ps, PROXY_SERVER, 1), &rd, &wr);
    if (rd && ps.want_read[PROXY_SERVER] && pump_in(r, &r->server, PROXY_SERVER) < 0) {
      conn_close_read(&r->server);
      proxy_eof(r->p, PROXY_SERVER);
    }
    if (r->client_listening && flush(r->p, &r->client, PROXY_CLIENT) < 0) {
      r->client_listening = 0;       /* nobody reads: drop replies */
      proxy_drop_output(r->p, PROXY_CLIENT);
    }
    if (r->server.wfd >= 0 && flush_server(r) < 0) {
      conn_close_write(&r->server);
      proxy_drop_output(r->p, PROXY_SERVER);
    }
  }
}

/* Say what is owed to the client, bounded: one that does not read gets
 * FINAL_DRAIN_MS (-t when shorter), no more. */
static void final_drain(struct relay *r)
{
  long long until = fdio_now_ms() + (r->idle_ms < FINAL_DRAIN_MS ? r->idle_ms : FINAL_DRAIN_MS);
  size_t len;
  if (!r->client_listening) return;
  while (proxy_output(r->p, PROXY_CLIENT, &len), len && fdio_now_ms() < until) {
    struct pollfd w[2] = { { r->client.rfd, 0, 0 }, { r->client.wfd, 0, 0 } };
    conn_events(&r->client, 0, 1, &w[0].events, &w[1].events);   /* under TLS a write may need a read */
    if (poll(w, 2, 1000) < 0 && errno != EINTR) break;
    if (flush(r->p, &r->client, PROXY_CLIENT) < 0) break;
  }
}

int main(int argc, char **argv)
{
  static struct relay r;
  struct proxy_conf c;
  unsigned long idle = 1200, maxline = 4096, maxrcpt = 100, maxbad = 20;
  int opt, to_server, from_server, status = 0, implicit = 0;
  static struct dnsbl_list lists[DNSBL_MAX];
  static char servers[256];
  size_t nlists = 0;
  const char *env, *why, *tlswhy;
  struct revip rip;
  enum proxy_end end;

  opterr = 0;
  tlsserver_init(&r.tls);
  while ((opt = getopt(argc, argv, "+t:l:m:u:Sd:c:k:i")) != -1)
    switch (opt) {
      case 't': if (!num_ulong(optarg, 86400, &idle) || !idle) die_usage(PROG, USAGE); break;
      case 'l': if (!num_ulong(optarg, 65000, &maxline) || maxline < 512) die_usage(PROG, USAGE); break;
      case 'm': if (!num_ulong(optarg, 1000000, &maxrcpt) || maxrcpt < 1) die_usage(PROG, USAGE); break;   /* RFC 5321 4.5.3.1.8: at least 100 should be taken */
      case 'u': if (!num_ulong(optarg, 1000000, &maxbad)) die_usage(PROG, USAGE); break;
      case 'c': if (tlsserver_add_cert(&r.tls, optarg)) die_usage(PROG, USAGE); break;
      case 'k': if (tlsserver_set_key(&r.tls, optarg)) die_usage(PROG, USAGE); break;
      case 'i': implicit = 1; break;
      case 'S': r.checkconf.spf = 1; break;
      case 'd':
        if (nlists == DNSBL_MAX || !dnsbl_parse(&lists[nlists], optarg, 0, 1, 0)) die_usage(PROG, USAGE);
        ++nlists;
        break;
      default: die_usage(PROG, USAGE);
    }
  argv += optind;
  if (!argv[0] || !argv[1]) die_usage(PROG, USAGE);
  signal(SIGPIPE, SIG_IGN);
  {
    struct sigaction sa;     /* no SA_RESTART: the alarm must end a blocking write (flush_server) */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, 0);
  }

  r.ip = revip_from_env(&rip) ? rip.text : "unknown";
  r.idle_ms = (long long)idle * 1000;
  memset(&c, 0, sizeof c);
  c.maxline = maxline;
  c.maxrcpt = maxrcpt;
  c.maxbad = maxbad;
  c.rules_off = getenv("RELAYCLIENT") != 0;
  c.log = log_event;
  c.log_ctx = &r;
  c.trace = getenv("RCPTFILTER_TRACE") != 0;
  env = getenv("RBLSMTPD");
  if (env && *env) c.rblsmtpd = env;
  if (r.checkconf.spf || nlists) {
    /* $DNSCACHEIP, else /etc/resolv.conf; none: every lookup fails, which is
     * SPF's temperror (451) and a pass for the lists, never a 5xx */
    r.checkconf.servers = dns_resolvconfip(servers) == 0 ? servers : 0;
    dnsquery_random_init();   /* query ids and ports nobody can guess */
    r.checkconf.lists = lists;
    r.checkconf.nlists = nlists;
    r.checkconf.ip = r.ip;
    r.checkconf.receiver = getenv("TCPLOCALHOST");
    r.checkconf.deadline_ms = r.idle_ms < CHECK_DEADLINE_MS ? (unsigned long)r.idle_ms : CHECK_DEADLINE_MS;
    c.checks = 1;
  }
  if (!c.rules_off) {
    c.rules = rules_open(argv[0]);   /* once per connection; missing means 451, never an open door */
    if (!c.rules) log_end(r.ip, "tempfail", errno == EPROTO ? "rules cdb is corrupt or not a rules cdb" : "unable to open the rules cdb");
  }
  /* STARTTLS is offered when the files can be read; they are loaded only
   * when a client says it (a plaintext session never pays for OpenSSL) */
  tlswhy = tlsserver_check(&r.tls);
  if (tlswhy) log_end(r.ip, "tlsfail", tlswhy);
  c.tls_offer = !tlswhy && !implicit;
  conn_init(&r.client, 0, 1);
  if (implicit) {   /* SMTPS: the handshake comes before the banner, and there is no plaintext */
    if (tlswhy) return EXIT_TEMP;
    if (!tlsserver_load(&r.tls, &why)) { log_end(r.ip, "tlsfail", why); return EXIT_TEMP; }
    if (conn_starttls(&r.client, r.tls.ctx) == -1 || !handshake(&r, &why)) {
      log_end(r.ip, "abort", tls_failure(&r, why));
      return 0;
    }
    tls_started(&r);
    c.tls_active = 1;
  }
  r.p = proxy_new(&c);
  if (!r.p) die_nomem(PROG);
  r.argv = argv + 1;
  r.child = start_server(r.argv, &to_server, &from_server);
  conn_init(&r.server, from_server, to_server);
  r.client_reading = r.client_listening = 1;
  r.last = fdio_now_ms();

  relay_loop(&r);

  /* the end: make sure the server delivers nothing it should not, say what is owed */
  end = proxy_end(r.p, &why);
  if (end != PROXY_DONE) { if (r.child > 0) kill(r.child, SIGTERM); conn_close_write(&r.server); }
  final_drain(&r);
  conn_close_write(&r.server);
  conn_close_read(&r.server);
  conn_close_write(&r.client);   /* under TLS: close_notify */
  if (r.old_child > 0) {         /* the plaintext part's server had EOF long ago */
    if (waitpid(r.old_child, &status, WNOHANG) == 0) kill(r.old_child, SIGTERM);
    while (waitpid(r.old_child, &status, 0) == -1 && errno == EINTR) ;
  }
  while (r.child > 0 && waitpid(r.child, &status, 0) == -1 && errno == EINTR) ;
  if (end == PROXY_FAILED) { log_end(r.ip, "fail", why); return EXIT_TEMP; }
  if (end == PROXY_ABORT) log_end(r.ip, "abort", why);
  return 0;
}
