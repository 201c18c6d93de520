/* conn and tlsserver over a socketpair: the server side is the code under
 * test, driven non-blocking with poll on what conn_events() asks for; the
 * client is libtls in a forked child (blocking), verifying against the test
 * CA that tests/tlscerts.sh makes. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <tls.h>
#include "conn.h"
#include "tlsserver.h"
#include "test.h"

static char dir[256];

static const char *file(const char *name)
{
  static char p[8][512];
  static int i;
  i = (i + 1) % 8;
  snprintf(p[i], sizeof p[i], "%s/%s", dir, name);
  return p[i];
}

/* ---- the client (child) ---- */

enum { ECHO, GARBAGE, PLAINTEXT, SENDBURST, VERIFYFAIL };

static void client_die(int code) __attribute__((noreturn));
static void client_die(int code) { _exit(code); }

static ssize_t tls_write_all(struct tls *t, const char *s, size_t n)
{
  size_t done = 0;
  while (done < n) {
    ssize_t w = tls_write(t, s + done, n - done);
    if (w == TLS_WANT_POLLIN || w == TLS_WANT_POLLOUT) continue;
    if (w < 0) return -1;
    done += (size_t)w;
  }
  return (ssize_t)done;
}

/* exit codes: 0 fine, 2 handshake failed, 3 no close_notify, 4 I/O error */
static void client(int fd, int mode, const char *sni, int verify)
{
  struct tls_config *cfg;
  struct tls *t;
  char buf[65536];
  if (mode == GARBAGE) {
    static const char junk[] = "\x16\x03\x01\x00\x05hello, this is no ClientHello at all\r\n";
    if (write(fd, junk, sizeof junk - 1) < 0) client_die(4);
    while (read(fd, buf, sizeof buf) > 0) ;
    client_die(0);
  }
  if (mode == PLAINTEXT) {
    if (write(fd, "EHLO x\r\nMAIL FROM:<a@b>\r\n", 25) < 0) client_die(4);
    while (read(fd, buf, sizeof buf) > 0) ;
    client_die(0);
  }
  if (tls_init() == -1 || !(cfg = tls_config_new()) || !(t = tls_client())) client_die(4);
  if (tls_config_set_ca_file(cfg, file("ca.pem")) == -1) client_die(4);
  if (!verify) { tls_config_insecure_noverifycert(cfg); tls_config_insecure_noverifyname(cfg); }
  if (tls_configure(t, cfg) == -1) client_die(4);
  if (tls_connect_fds(t, fd, fd, sni) == -1) client_die(4);
  if (tls_handshake(t) == -1) client_die(mode == VERIFYFAIL ? 0 : 2);
  if (mode == VERIFYFAIL) client_die(5);
  {   /* first line: the certificate the server chose */
    const char *subj = tls_peer_cert_subject(t);
    size_t n = subj ? strlen(subj) : 0;
    if (n > 400) n = 400;
    memcpy(buf, subj ? subj : "", n);
    buf[n++] = '\n';
    if (tls_write_all(t, buf, n) < 0) client_die(4);
  }
  if (mode == SENDBURST) {   /* 1000 bytes in one record, then wait for EOF */
    memset(buf, 'b', 1000);
    if (tls_write_all(t, buf, 1000) < 0) client_die(4);
  }
  for (;;) {
    ssize_t r = tls_read(t, buf, sizeof buf);
    if (r == TLS_WANT_POLLIN || r == TLS_WANT_POLLOUT) continue;
    if (r < 0) client_die(4);
    if (r == 0) break;
    if (mode == ECHO && tls_write_all(t, buf, (size_t)r) < 0) client_die(4);
  }
  client_die(tls_close(t) == 0 ? 0 : 3);
}

static pid_t start_client(int *sfd, int mode, const char *sni, int verify)
{
  int sv[2];
  pid_t pid;
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1) { perror("socketpair"); exit(2); }
  pid = fork();
  if (pid == -1) { perror("fork"); exit(2); }
  if (!pid) { close(sv[0]); client(sv[1], mode, sni, verify); }
  close(sv[1]);
  *sfd = sv[0];
  return pid;
}

static int client_exit(pid_t pid)
{
  int st;
  while (waitpid(pid, &st, 0) == -1) if (errno != EINTR) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

/* ---- the server side: the code under test ---- */

static int wait_conn(struct conn *c, int r, int w, int ms)
{
  short rev, wev;
  struct pollfd p;
  conn_events(c, r, w, &rev, &wev);
  p.fd = c->rfd >= 0 ? c->rfd : c->wfd;   /* one socket here */
  p.events = (short)(rev | wev);
  p.revents = 0;
  if (!p.events) return 0;
  return poll(&p, 1, ms);
}

static int handshake(struct conn *c)
{
  for (int i = 0; i < 1000; i++) {
    int h = conn_handshake(c);
    if (h != CONN_AGAIN) return h;
    if (wait_conn(c, 0, 0, 5000) <= 0) return 0;
  }
  return 0;
}

static struct tls *load2(const char *cert, const char *key, const char *cert2, const char *key2, const char **why)
{
  static struct tlsserver s[16];
  static int n;
  struct tlsserver *t = &s[n++ % 16];
  tlsserver_init(t);
  tlsserver_add_cert(t, cert);
  if (key) tlsserver_set_key(t, key);
  if (cert2) tlsserver_add_cert(t, cert2);
  if (key2) tlsserver_set_key(t, key2);
  return tlsserver_load(t, why);
}

static struct tls *load(const char *cert, const char *key, const char *cert2, const char **why)
{
  return load2(cert, key, cert2, 0, why);
}

/* read one line (the client's report of the certificate it got) */
static int read_line(struct conn *c, char *line, size_t room)
{
  size_t got = 0;
  while (got < room - 1) {
    ssize_t r = conn_read(c, line + got, 1);
    if (r == CONN_AGAIN) { if (wait_conn(c, 1, 0, 5000) <= 0) return -1; continue; }
    if (r <= 0) return -1;
    if (line[got] == '\n') { line[got] = 0; return 0; }
    got++;
  }
  return -1;
}

/* start a TLS client, handshake, return the certificate subject it saw */
static int session(struct conn *c, pid_t *pid, struct tls *server, int mode, const char *sni, char *subj, size_t room)
{
  int fd;
  *pid = start_client(&fd, mode, sni, 1);
  conn_init(c, fd, fd);
  if (conn_starttls(c, server) == -1) return -1;
  if (handshake(c) != 1) return -1;
  return read_line(c, subj, room);
}

static void test_check(void)
{
  struct tlsserver s;
  const char *why;
  tlsserver_init(&s);
  why = tlsserver_check(&s);
  CHECK(why && strstr(why, "no certificate"), "check: no -c, no STARTTLS");
  CHECK(tlsserver_set_key(&s, "x") == -1, "-k without -c refused");
  tlsserver_add_cert(&s, file("mx1.pem"));
  CHECK(tlsserver_set_key(&s, file("mx1.key")) == 0, "-k after -c");
  CHECK(tlsserver_set_key(&s, file("mx1.key")) == -1, "-k twice refused");
  CHECK(tlsserver_check(&s) == 0, "check: readable cert and key");
  tlsserver_add_cert(&s, file("nonexistent.pem"));
  why = tlsserver_check(&s);
  CHECK(why && strstr(why, "nonexistent.pem") && strstr(why, "no such file"), "check: a missing file named");
  tlsserver_init(&s);
  tlsserver_add_cert(&s, dir);
  why = tlsserver_check(&s);
  CHECK(why && strstr(why, "regular file"), "check: a directory is not a certificate");
  tlsserver_init(&s);
  tlsserver_add_cert(&s, file("combined.pem"));
  tlsserver_set_key(&s, file("nokey.pem"));
  why = tlsserver_check(&s);
  CHECK(why && strstr(why, "nokey.pem"), "check: a missing key named");
  tlsserver_init(&s);
  for (int i = 0; i < TLSSERVER_MAX; i++) tlsserver_add_cert(&s, "x");
  CHECK(tlsserver_add_cert(&s, "x") == -1, "more than TLSSERVER_MAX -c refused");
  CHECK(s.ctx == 0, "check loads nothing");
}

static void test_load(void)
{
  const char *why = 0;
  CHECK(load(file("garbage.pem"), 0, 0, &why) == 0 && why && *why, "load: garbage refused");
  why = 0;
  CHECK(load(file("mismatch.pem"), 0, 0, &why) == 0 && why && *why, "load: key that does not match refused");
  if (why) printf("# mismatch: %s\n", why);
  why = 0;
  CHECK(load(file("mx1.pem"), file("mx2.key"), 0, &why) == 0 && why && *why, "load: -k with the wrong key refused");
  why = 0;
  CHECK(load(file("mx1.pem"), 0, 0, &why) == 0 && why && *why, "load: certificate without its key refused");
  why = 0;
  CHECK(load(file("mx1.pem"), file("nothere.key"), 0, &why) == 0 && why && strstr(why, "nothere.key"), "load: missing key refused, named");
  if (why) printf("# missing key: %s\n", why);
  why = 0;
  CHECK(load(file("combined.pem"), file("combined.pem"), file("garbage.pem"), &why) == 0 && why && *why, "load: a bad SNI certificate refused too");
  CHECK(load(file("combined.pem"), 0, 0, &why) != 0, "load: combined PEM without -k");
  CHECK(load(file("mx1.pem"), file("mx1.key"), 0, &why) != 0, "load: -c and -k");
  CHECK(load(file("expired.pem"), file("expired.key"), 0, &why) != 0, "load: an expired certificate still loads (clients decide)");
  {
    struct tlsserver s;
    tlsserver_init(&s);
    tlsserver_add_cert(&s, file("combined.pem"));
    struct tls *a = tlsserver_load(&s, &why), *b = tlsserver_load(&s, &why);
    CHECK(a && a == b, "load: once per process");
    tlsserver_free(&s);
  }
}

static void test_plaintext(void)
{
  int sv[2];
  struct conn c;
  char buf[64];
  short rev, wev;
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  conn_init(&c, sv[0], sv[0]);
  CHECK(conn_read(&c, buf, sizeof buf) == CONN_AGAIN, "plain: nothing to read");
  CHECK(write(sv[1], "abc", 3) == 3, "plain: peer writes");
  CHECK(conn_read(&c, buf, 2) == 2 && !conn_pending(&c), "plain: no pending, the kernel keeps the rest");
  CHECK(conn_write(&c, "xy", 2) == 2, "plain: write");
  conn_events(&c, 1, 1, &rev, &wev);
  CHECK(rev == POLLIN && wev == POLLOUT && !conn_is_tls(&c), "plain: events as asked");
  struct conn_tlsinfo i;
  CHECK(conn_tls_info(&c, &i) == 0, "plain: no TLS info");
  CHECK(conn_handshake(&c) == -1, "plain: no handshake");
  close(sv[0]);
  close(sv[1]);
}

static void test_sessions(void)
{
  const char *why;
  struct tls *one = load(file("mx1.pem"), file("mx1.key"), 0, &why);
  struct tls *two = load(file("combined.pem"), 0, file("combined.pem"), &why);
  struct conn c;
  struct conn_tlsinfo info;
  struct tlsserver s2;
  char subj[512], buf[256];
  pid_t pid;
  short rev, wev;
  int fd;

  if (!one || !two) { CHECK(0, "server contexts"); return; }
  {   /* -k for the second pair */
    tlsserver_init(&s2);
    tlsserver_add_cert(&s2, file("combined.pem"));
    tlsserver_add_cert(&s2, file("mx2.pem"));
    tlsserver_set_key(&s2, file("mx2.key"));
    two = tlsserver_load(&s2, &why);
    CHECK(two != 0, "load: two pairs, the second with -k");
  }
  if (!two) return;

  /* handshake, info, data both ways, close_notify */
  pid = start_client(&fd, ECHO, "mx1.test", 1);
  conn_init(&c, fd, fd);
  CHECK(conn_starttls(&c, one) == 0 && conn_is_tls(&c), "starttls");
  conn_events(&c, 0, 1, &rev, &wev);
  CHECK(rev == POLLIN && wev == 0, "handshake waits for the ClientHello, whatever the caller wants");
  CHECK(conn_tls_info(&c, &info) == 0, "no info before the handshake");
  CHECK_INT(handshake(&c), 1, "handshake with a verifying client");
  CHECK(conn_tls_info(&c, &info) == 1, "info after the handshake");
  CHECK_STR(info.version, "TLSv1.3", "version");
  CHECK(info.cipher && strlen(info.cipher) > 5, "cipher named");
  printf("# cipher=%s bits=%d\n", info.cipher, info.bits);
  CHECK_STR(info.sni, "mx1.test", "sni");
  CHECK(read_line(&c, subj, sizeof subj) == 0 && strstr(subj, "CN=mx1.test"), "client got mx1's certificate");
  CHECK(conn_write(&c, "hello\r\n", 7) == 7, "write over TLS");
  {
    size_t got = 0;
    while (got < 7) {
      ssize_t r = conn_read(&c, buf + got, sizeof buf - got);
      if (r == CONN_AGAIN) { if (wait_conn(&c, 1, 0, 5000) <= 0) break; continue; }
      if (r <= 0) break;
      got += (size_t)r;
    }
    CHECK(got == 7 && !memcmp(buf, "hello\r\n", 7), "read the echo back");
  }
  CHECK(conn_write(&c, "x", 0) == -1 || 1, "a zero-length write does not crash");
  conn_close_read(&c);
  CHECK(c.rfd == -1 && c.wfd == fd, "close_read under TLS: no more reads, the fd stays for OpenSSL");
  CHECK(fcntl(fd, F_GETFD) != -1, "the fd is still open");
  conn_close_write(&c);
  CHECK(c.tls == 0 && c.wfd == -1 && fcntl(fd, F_GETFD) == -1, "close_write frees TLS and closes the fd");
  CHECK_INT(client_exit(pid), 0, "client saw a close_notify");

  /* SNI: the second certificate by name, the default for others */
  CHECK(session(&c, &pid, two, ECHO, "mx2.test", subj, sizeof subj) == 0 && strstr(subj, "CN=mx2.test"), "sni mx2.test: the second certificate (verified by the client)");
  CHECK(conn_tls_info(&c, &info) && !strcmp(info.sni, "mx2.test"), "sni logged");
  conn_close_write(&c);
  CHECK_INT(client_exit(pid), 0, "sni client done");
  CHECK(session(&c, &pid, two, ECHO, "localhost", subj, sizeof subj) == 0 && strstr(subj, "CN=mx1.test"), "sni localhost: the default certificate");
  conn_close_write(&c);
  client_exit(pid);
  {
    struct tls *old = load(file("expired.pem"), file("expired.key"), 0, &why);
    pid = start_client(&fd, VERIFYFAIL, "old.test", 1);
    conn_init(&c, fd, fd);
    conn_starttls(&c, old);
    CHECK(handshake(&c) == -1 && *conn_error(&c), "a verifying client refuses an expired certificate: handshake fails");
  }
  printf("# %s\n", conn_error(&c));
  conn_close_write(&c);
  CHECK_INT(client_exit(pid), 0, "the client saw a bad certificate");
  {   /* no SNI at all */
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pid = fork();
    if (!pid) {
      struct tls_config *cfg = tls_config_new();
      struct tls *t = tls_client();
      close(sv[0]);
      tls_config_insecure_noverifycert(cfg);
      tls_config_insecure_noverifyname(cfg);
      tls_configure(t, cfg);
      if (tls_connect_fds(t, sv[1], sv[1], 0) == -1 || tls_handshake(t) == -1) _exit(2);
      tls_close(t);
      _exit(0);
    }
    close(sv[1]);
    conn_init(&c, sv[0], sv[0]);
    conn_starttls(&c, two);
    CHECK(handshake(&c) == 1 && conn_tls_info(&c, &info) && !strcmp(info.sni, ""), "no SNI: empty sni");
    conn_close_write(&c);
    CHECK_INT(client_exit(pid), 0, "no-SNI client done");
  }

  /* a huge write while the echo comes back: WANT_POLLOUT and the same-bytes rule */
  CHECK(session(&c, &pid, one, ECHO, "mx1.test", subj, sizeof subj) == 0, "session for the huge write");
  {
    size_t total = 8u << 20, sent = 0, back = 0, bad = 0, agains = 0;
    char *out = malloc(total), in[20000];
    for (size_t i = 0; i < total; i++) out[i] = (char)('a' + (i * 7 + i / 4099) % 26);
    while (sent < total) {   /* without reading: the echo stalls, our socket fills */
      ssize_t w = conn_write(&c, out + sent, total - sent);
      if (w == CONN_AGAIN) { agains++; break; }
      if (w <= 0) break;
      sent += (size_t)w;
    }
    while (back < total) {
      short r2, w2;
      struct pollfd p = { c.rfd, 0, 0 };
      conn_events(&c, 1, sent < total, &r2, &w2);
      p.events = (short)(r2 | w2);
      if (poll(&p, 1, 10000) <= 0) break;
      if (sent < total) {
        ssize_t w = conn_write(&c, out + sent, total - sent);
        if (w == CONN_AGAIN) agains++;
        else if (w < 0) break;
        else sent += (size_t)w;
      }
      for (;;) {
        ssize_t r = conn_read(&c, in, sizeof in);
        if (r == CONN_AGAIN) break;
        if (r <= 0) { bad++; break; }
        if (memcmp(in, out + back, (size_t)r)) bad++;
        back += (size_t)r;
        if (!conn_pending(&c)) break;
      }
      if (bad) break;
    }
    CHECK(sent == total && back == total && !bad, "8 MB written and echoed back intact");
    CHECK(agains > 0, "writes met a full socket (CONN_AGAIN) and went on");
    printf("# %zu writes had to wait\n", agains);
    free(out);
  }
  conn_close_write(&c);
  CHECK_INT(client_exit(pid), 0, "huge-write client done");

  /* a small read buffer: decrypted bytes wait inside OpenSSL, poll cannot see them */
  CHECK(session(&c, &pid, one, SENDBURST, "mx1.test", subj, sizeof subj) == 0, "session for the small buffer");
  {
    char small[10];
    size_t got = 0;
    int nopoll = 1;
    ssize_t r;
    while ((r = conn_read(&c, small, sizeof small)) == CONN_AGAIN)
      if (wait_conn(&c, 1, 0, 5000) <= 0) break;
    if (r > 0) got = (size_t)r;
    CHECK(r == (ssize_t)sizeof small && conn_pending(&c), "a read that fills the buffer says more is pending");
    {
      struct pollfd p = { c.rfd, POLLIN, 0 };
      CHECK(poll(&p, 1, 100) == 0, "and poll sees nothing on the socket");
    }
    while (got < 1000 && conn_pending(&c)) {
      r = conn_read(&c, small, sizeof small);
      if (r <= 0) { nopoll = 0; break; }
      got += (size_t)r;
    }
    CHECK(got == 1000 && nopoll, "the whole record read without polling");
    r = conn_read(&c, small, sizeof small);
    CHECK(r == CONN_AGAIN && !conn_pending(&c), "then nothing pending");
  }
  conn_close_write(&c);
  CHECK_INT(client_exit(pid), 0, "small-buffer client done");

  /* handshake failures */
  pid = start_client(&fd, GARBAGE, 0, 0);
  conn_init(&c, fd, fd);
  conn_starttls(&c, one);
  CHECK(handshake(&c) == -1, "garbage instead of a ClientHello: handshake fails");
  printf("# %s\n", conn_error(&c));
  CHECK(conn_read(&c, buf, sizeof buf) == -1, "and the connection is unusable");
  conn_close_write(&c);
  CHECK_INT(client_exit(pid), 0, "garbage client done");
  pid = start_client(&fd, PLAINTEXT, 0, 0);
  conn_init(&c, fd, fd);
  conn_starttls(&c, one);
  CHECK(handshake(&c) == -1 && strstr(conn_error(&c), "handshake"), "plaintext SMTP instead of a ClientHello: handshake fails");
  conn_close_write(&c);
  client_exit(pid);
  {   /* EOF before any byte */
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    close(sv[1]);
    conn_init(&c, sv[0], sv[0]);
    conn_starttls(&c, one);
    CHECK(handshake(&c) == -1, "EOF instead of a ClientHello: handshake fails");
    CHECK(conn_starttls(&c, one) == -1, "starttls twice refused");
    conn_close_write(&c);
  }
  {   /* a client that stops half way: the handshake waits (the caller's -t ends it) */
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    CHECK(write(sv[1], "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) == 11, "half a ClientHello sent");
    conn_init(&c, sv[0], sv[0]);
    conn_starttls(&c, one);
    CHECK(conn_handshake(&c) == CONN_AGAIN, "half a ClientHello: the handshake waits");
    conn_events(&c, 1, 1, &rev, &wev);
    CHECK(rev == POLLIN && wev == 0, "for more input");
    close(sv[1]);
    CHECK(handshake(&c) == -1, "then the peer's EOF fails it");
    conn_close_write(&c);
  }
  tlsserver_free(&s2);
}

int main(void)
{
  char cmd[600];
  const char *tmp = getenv("TMPDIR");
  signal(SIGPIPE, SIG_IGN);
  snprintf(dir, sizeof dir, "%s/conn_test.%ld", tmp && *tmp ? tmp : "/tmp", (long)getpid());
  snprintf(cmd, sizeof cmd, "sh tests/tlscerts.sh '%s'", dir);
  if (system(cmd) != 0) { CHECK(0, "tests/tlscerts.sh made the test certificates (run from the top directory)"); return test_done(); }
  test_check();
  test_plaintext();
  test_load();
  test_sessions();
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) printf("# could not remove %s\n", dir);
  return test_done();
}
