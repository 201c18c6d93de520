/* conn.h — one side of a connection: a read fd and a write fd (tcpserver
 * gives 0 and 1; the backend is two pipes), plaintext or TLS over the same
 * two fds. Everything is non-blocking: the caller polls on what
 * conn_events() asks for, then calls conn_read / conn_write, which return
 * CONN_AGAIN when the descriptors are not ready.
 *
 *   struct conn c; conn_init(&c, 0, 1);
 *   conn_events(&c, want_read, want_write, &rev, &wev);   -> poll rfd/wfd
 *   n = conn_read(&c, buf, room);   >0 bytes, 0 EOF, -1 error, CONN_AGAIN
 *   n = conn_write(&c, s, len);     >0 bytes taken, -1 error, CONN_AGAIN
 *
 * TLS (server side, libtls): conn_starttls(&c, server) once, then
 * conn_handshake() until it returns 1, polling on conn_events() between
 * calls; then conn_read/conn_write as before. Under TLS a read may need the
 * fd to be writable and a write may need it readable (renegotiation, key
 * updates): conn_events() knows, so always ask it. Two rules the caller
 * keeps:
 * - after conn_write() returned CONN_AGAIN, call it again with the same bytes
 *   at the start of the buffer (more may follow): OpenSSL holds a pointer;
 * - when conn_pending() says so, call conn_read() again before sleeping in
 *   poll: a read that filled the caller's buffer may have left decrypted
 *   bytes inside OpenSSL that no poll will announce. */
#ifndef CONN_H
#define CONN_H
#include <stddef.h>
#include <sys/types.h>

#define CONN_AGAIN (-2)

struct tls;

struct conn {
  int rfd, wfd;          /* -1 once closed (what the caller polls) */
  struct tls *tls;       /* 0: plaintext */
  int tlsrfd, tlswfd;    /* the fds OpenSSL uses, closed with the TLS context */
  short hwant;           /* handshake: POLLIN/POLLOUT it waits for, 0 when done */
  short rwant, wwant;    /* what the last TLS read / write waited for */
  unsigned char more;    /* the last TLS read filled the caller's buffer */
  char err[160];         /* the last TLS error, for the log */
};

void conn_init(struct conn *c, int rfd, int wfd);
ssize_t conn_read(struct conn *c, char *b, size_t n);
ssize_t conn_write(struct conn *c, const char *b, size_t n);
/* The poll events to ask for on rfd (*rev) and wfd (*wev) so that the next
 * read (want_read) or write (want_write) can make progress. During a TLS
 * handshake: what the handshake needs, whatever the caller wants. */
void conn_events(const struct conn *c, int want_read, int want_write, short *rev, short *wev);
/* After poll: from the revents of rfd and wfd, may a read / a write make
 * progress now? (Plaintext: each on its own fd; TLS may need the other.) */
void conn_ready(const struct conn *c, short rrevents, short wrevents, int *can_read, int *can_write);
/* Bytes already read from the fds are waiting (TLS): read again without polling. */
int conn_pending(const struct conn *c);
void conn_close_read(struct conn *c);
/* Under TLS: sends close_notify (one non-blocking try), frees the TLS
 * context, closes both fds. */
void conn_close_write(struct conn *c);

/* Start a server-side TLS session on the conn's fds, using a configured
 * libtls server context (which must outlive the conn). 0, or -1 with
 * conn_error(). Bytes the caller read before this call are the caller's
 * business (discard them: CVE-2011-0411). */
int conn_starttls(struct conn *c, struct tls *server);
/* One step of the handshake: 1 done, CONN_AGAIN (poll on conn_events), -1
 * failed (conn_error() says why; the connection is unusable). */
int conn_handshake(struct conn *c);
int conn_is_tls(const struct conn *c);
/* Why the last TLS call failed ("" when unknown). */
const char *conn_error(const struct conn *c);

/* The negotiated session, for the log line and SSL_PROTOCOL/SSL_CIPHER.
 * Fields point into the TLS context (valid until conn_close_write); sni is
 * "" when the client sent none. 0 when not TLS or not yet handshaken. */
struct conn_tlsinfo { const char *version, *cipher, *sni; int bits; };
int conn_tls_info(const struct conn *c, struct conn_tlsinfo *i);
#endif
