#include <errno.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include "fdio.h"

int fdio_write_all(int fd, const char *s, size_t n)
{
  while (n) {
    ssize_t w = write(fd, s, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        struct pollfd p = { fd, POLLOUT, 0 };
        if (poll(&p, 1, -1) < 0 && errno != EINTR) return -1;
        continue;
      }
      return -1;
    }
    if (!w) { errno = EPIPE; return -1; }
    s += w;
    n -= (size_t)w;
  }
  return 0;
}

long long fdio_now_ms(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}
