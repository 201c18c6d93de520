/* conn.h — one side of a connection: a read fd and a write fd (tcpserver
 * gives 0 and 1; the backend is two pipes), plaintext now, TLS over the same
 * two fds later. Everything is non-blocking: the caller polls on what
 * conn_events() asks for, then calls conn_read / conn_write, which return
 * CONN_AGAIN when the descriptors are not ready.
 *
 *   struct conn c; conn_init(&c, 0, 1);
 *   conn_events(&c, want_read, want_write, &rev, &wev);   -> poll rfd/wfd
 *   n = conn_read(&c, buf, room);   >0 bytes, 0 EOF, -1 error, CONN_AGAIN
 *   n = conn_write(&c, s, len);     >0 bytes taken, -1 error, CONN_AGAIN */
#ifndef CONN_H
#define CONN_H
#include <stddef.h>
#include <sys/types.h>

#define CONN_AGAIN (-2)

struct conn {
  int rfd, wfd;        /* -1 once closed */
};

void conn_init(struct conn *c, int rfd, int wfd);
ssize_t conn_read(struct conn *c, char *b, size_t n);
ssize_t conn_write(struct conn *c, const char *b, size_t n);
/* The poll events to ask for on rfd (*rev) and wfd (*wev) so that the next
 * read (want_read) or write (want_write) can make progress. */
void conn_events(const struct conn *c, int want_read, int want_write, short *rev, short *wev);
/* After poll: from the revents of rfd and wfd, may a read / a write make
 * progress now? (Plaintext: each on its own fd; TLS may need the other.) */
void conn_ready(const struct conn *c, short rrevents, short wrevents, int *can_read, int *can_write);
/* Bytes already read from the fds are waiting (TLS): read again without polling. */
int conn_pending(const struct conn *c);
void conn_close_read(struct conn *c);
void conn_close_write(struct conn *c);
#endif
