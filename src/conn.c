#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include "conn.h"

static void nonblock(int fd)
{
  int fl = fcntl(fd, F_GETFL);
  if (fl != -1) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

void conn_init(struct conn *c, int rfd, int wfd)
{
  c->rfd = rfd;
  c->wfd = wfd;
  if (rfd >= 0) nonblock(rfd);
  if (wfd >= 0 && wfd != rfd) nonblock(wfd);
}

ssize_t conn_read(struct conn *c, char *b, size_t n)
{
  for (;;) {
    ssize_t r = read(c->rfd, b, n);
    if (r >= 0) return r;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? CONN_AGAIN : -1;
  }
}

ssize_t conn_write(struct conn *c, const char *b, size_t n)
{
  for (;;) {
    ssize_t w = write(c->wfd, b, n);
    if (w >= 0) return w;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? CONN_AGAIN : -1;
  }
}

void conn_events(const struct conn *c, int want_read, int want_write, short *rev, short *wev)
{
  *rev = want_read && c->rfd >= 0 ? POLLIN : 0;
  *wev = want_write && c->wfd >= 0 ? POLLOUT : 0;
}

void conn_ready(const struct conn *c, short rrevents, short wrevents, int *can_read, int *can_write)
{
  (void)c;
  *can_read = rrevents != 0;
  *can_write = wrevents != 0;
}

int conn_pending(const struct conn *c)
{
  (void)c;
  return 0;
}

void conn_close_read(struct conn *c)
{
  if (c->rfd >= 0 && c->rfd != c->wfd) close(c->rfd);
  c->rfd = -1;
}

void conn_close_write(struct conn *c)
{
  if (c->wfd >= 0 && c->wfd != c->rfd) close(c->wfd);
  c->wfd = -1;
}
