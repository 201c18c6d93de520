/* conn.c — plaintext over read(2)/write(2), TLS over libtls (tls_accept_fds
 * on the same two fds). libtls returns TLS_WANT_POLLIN / TLS_WANT_POLLOUT
 * from any call; we remember which call wanted what, so conn_events() can
 * ask poll for the right thing (a read that wants POLLOUT, a write that
 * wants POLLIN), the way s6-networking's stls_run and OpenSMTPD's ioev do. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <tls.h>
#include "conn.h"

static void nonblock(int fd)
{
  int fl = fcntl(fd, F_GETFL);
  if (fl != -1) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static size_t put(char *dst, size_t at, size_t room, const char *s, size_t n)
{
  if (n > room - 1 - at) n = room - 1 - at;
  memcpy(dst + at, s, n);
  return at + n;
}

/* "what" + libtls's message, without OpenSSL's "error:0A000415:SSL routines::" */
static void set_err(struct conn *c, const char *what, const char *why)
{
  const char *e, *colons;
  size_t at = put(c->err, 0, sizeof c->err, what, strlen(what));
  if (!why || !*why) why = "unknown error";
  if ((e = strstr(why, "error:")) && (colons = strstr(e, "::")) && colons[2]) {
    at = put(c->err, at, sizeof c->err, why, (size_t)(e - why));
    why = colons + 2;
  }
  at = put(c->err, at, sizeof c->err, why, strlen(why));
  c->err[at] = 0;
}

void conn_init(struct conn *c, int rfd, int wfd)
{
  memset(c, 0, sizeof *c);
  c->rfd = rfd;
  c->wfd = wfd;
  c->tlsrfd = c->tlswfd = -1;
  if (rfd >= 0) nonblock(rfd);
  if (wfd >= 0 && wfd != rfd) nonblock(wfd);
}

static ssize_t plain_read(struct conn *c, char *b, size_t n)
{
  for (;;) {
    ssize_t r = read(c->rfd, b, n);
    if (r >= 0) return r;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? CONN_AGAIN : -1;
  }
}

static ssize_t plain_write(struct conn *c, const char *b, size_t n)
{
  for (;;) {
    ssize_t w = write(c->wfd, b, n);
    if (w >= 0) return w;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? CONN_AGAIN : -1;
  }
}

/* libtls answers TLS_WANT_* or -1; map to what poll must wait for */
static short want(ssize_t r)
{
  return r == TLS_WANT_POLLIN ? POLLIN : r == TLS_WANT_POLLOUT ? POLLOUT : 0;
}

int conn_handshake(struct conn *c)
{
  int r;
  if (!c->tls) { set_err(c, "handshake: ", "not a TLS connection"); return -1; }
  if (!c->hwant) return 1;
  r = tls_handshake(c->tls);
  if (r == 0) { c->hwant = 0; return 1; }
  if (want(r)) { c->hwant = want(r); return CONN_AGAIN; }
  set_err(c, "", tls_error(c->tls));
  return -1;
}

ssize_t conn_read(struct conn *c, char *b, size_t n)
{
  ssize_t r;
  if (c->rfd < 0) { errno = EBADF; return -1; }
  if (!c->tls) return plain_read(c, b, n);
  if (c->hwant) { int h = conn_handshake(c); if (h != 1) return h; }
  if (n > 1 << 30) n = 1 << 30;           /* tls_read refuses more than INT_MAX */
  c->more = 0;
  r = tls_read(c->tls, b, n);
  if (r > 0) { c->rwant = 0; c->more = (size_t)r == n; return r; }
  if (r == 0) { c->rwant = 0; return 0; }  /* close_notify, or EOF after the handshake */
  if (want(r)) { c->rwant = want(r); return CONN_AGAIN; }
  set_err(c, "read: ", tls_error(c->tls));
  return -1;
}

ssize_t conn_write(struct conn *c, const char *b, size_t n)
{
  ssize_t w;
  if (c->wfd < 0) { errno = EBADF; return -1; }
  if (!c->tls) return plain_write(c, b, n);
  if (c->hwant) { int h = conn_handshake(c); if (h != 1) return h; }
  if (n > 1 << 30) n = 1 << 30;
  w = tls_write(c->tls, b, n);
  if (w > 0) { c->wwant = 0; return w; }
  if (w == TLS_WANT_POLLIN && c->rfd < 0) { set_err(c, "write: ", "peer wants a read after the read side was closed"); return -1; }
  if (want(w)) { c->wwant = want(w); return CONN_AGAIN; }
  set_err(c, "write: ", w == 0 ? "wrote nothing" : tls_error(c->tls));
  return -1;
}

static void add(const struct conn *c, short ev, short *rev, short *wev)
{
  if (ev == POLLIN && c->rfd >= 0) *rev |= POLLIN;
  if (ev == POLLOUT && c->wfd >= 0) *wev |= POLLOUT;
}

void conn_events(const struct conn *c, int want_read, int want_write, short *rev, short *wev)
{
  *rev = *wev = 0;
  if (!c->tls) {
    *rev = want_read && c->rfd >= 0 ? POLLIN : 0;
    *wev = want_write && c->wfd >= 0 ? POLLOUT : 0;
    return;
  }
  if (c->hwant) {   /* the handshake needs the read fd even when only a write is wanted */
    add(c, c->hwant, rev, wev);
    return;
  }
  if (want_read) add(c, c->rwant ? c->rwant : POLLIN, rev, wev);
  if (want_write) add(c, c->wwant ? c->wwant : POLLOUT, rev, wev);
}

void conn_ready(const struct conn *c, short rrevents, short wrevents, int *can_read, int *can_write)
{
  short trouble = (short)((rrevents | wrevents) & (POLLERR | POLLHUP | POLLNVAL));
  if (!c->tls) {
    *can_read = rrevents != 0;
    *can_write = wrevents != 0;
    return;
  }
  if (c->hwant) {   /* the handshake goes on in whichever call comes */
    *can_read = *can_write = (rrevents | wrevents) != 0;
    return;
  }
  /* a read that waits for POLLOUT, a write that waits for POLLIN; an error
   * or hang-up lets both try and fail */
  *can_read = conn_pending(c) || (c->rwant == POLLOUT ? wrevents : rrevents) != 0 || trouble;
  *can_write = (c->wwant == POLLIN ? rrevents : wrevents) != 0 || trouble;
}

int conn_pending(const struct conn *c)
{
  return c->tls && !c->hwant && c->more && c->rfd >= 0;
}

void conn_close_read(struct conn *c)
{
  /* under TLS the fd stays open for OpenSSL until conn_close_write: a
   * number that close() freed could come back as the backend's pipe */
  if (!c->tls && c->rfd >= 0 && c->rfd != c->wfd) close(c->rfd);
  c->rfd = -1;
  c->more = 0;
}

void conn_close_write(struct conn *c)
{
  if (c->tls) {
    if (!c->hwant) (void)tls_close(c->tls);   /* close_notify, best effort: never blocks */
    tls_free(c->tls);
    c->tls = 0;
    if (c->tlsrfd >= 0 && c->tlsrfd != c->tlswfd) close(c->tlsrfd);
    if (c->tlswfd >= 0) close(c->tlswfd);
    c->tlsrfd = c->tlswfd = c->rfd = c->wfd = -1;
    return;
  }
  if (c->wfd >= 0 && c->wfd != c->rfd) close(c->wfd);
  c->wfd = -1;
}

int conn_starttls(struct conn *c, struct tls *server)
{
  if (c->tls) { set_err(c, "starttls: ", "TLS already active"); return -1; }
  if (!server || c->rfd < 0 || c->wfd < 0) { set_err(c, "starttls: ", "no TLS context or connection closed"); return -1; }
  if (tls_accept_fds(server, &c->tls, c->rfd, c->wfd) == -1) {
    set_err(c, "starttls: ", tls_error(server));
    c->tls = 0;
    return -1;
  }
  c->tlsrfd = c->rfd;
  c->tlswfd = c->wfd;
  c->hwant = POLLIN;   /* the server waits for the ClientHello */
  c->rwant = c->wwant = 0;
  c->more = 0;
  c->err[0] = 0;
  return 0;
}

int conn_is_tls(const struct conn *c) { return c->tls != 0; }

const char *conn_error(const struct conn *c) { return c->err; }

int conn_tls_info(const struct conn *c, struct conn_tlsinfo *i)
{
  const char *s;
  if (!c->tls || c->hwant) return 0;
  i->version = tls_conn_version(c->tls);
  i->cipher = tls_conn_cipher(c->tls);
  s = tls_conn_servername(c->tls);
  i->sni = s ? s : "";
  i->bits = tls_conn_cipher_strength(c->tls);
  if (!i->version) i->version = "unknown";
  if (!i->cipher) i->cipher = "unknown";
  return 1;
}
