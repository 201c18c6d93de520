/* fdio.h — the two system chores every program here needs, done once:
 * writing a whole buffer, and a monotonic clock in milliseconds. */
#ifndef FDIO_H
#define FDIO_H
#include <stddef.h>

/* Write all n bytes to fd, retrying on EINTR and waiting (poll) when the fd
 * is non-blocking and full. 0, or -1 with errno set (peer gone, error). */
int fdio_write_all(int fd, const char *s, size_t n);
/* Milliseconds on CLOCK_MONOTONIC: for deadlines and durations, never dates. */
long long fdio_now_ms(void);
#endif
