/* tlsserver.h — the server side's certificates (-c cert [-k key]...), loaded
 * only when a client says STARTTLS: OpenSSL's set-up costs milliseconds per
 * process, and a session that stays plaintext must not pay it.
 *
 *   struct tlsserver s; tlsserver_init(&s);
 *   tlsserver_add_cert(&s, "/var/qmail/control/servercert.pem");  -c
 *   tlsserver_set_key(&s, "key.pem");                             -k (optional)
 *   why = tlsserver_check(&s);   0: advertise STARTTLS; else log tlsfail
 *   ctx = tlsserver_load(&s, &why);  on STARTTLS: 0 -> 454 and log why
 *
 * The first pair is the default; the others are chosen by the name the
 * client asks for (SNI) among the certificates' names. Without -k the key is
 * read from the certificate's file (qmail's combined servercert.pem). */
#ifndef TLSSERVER_H
#define TLSSERVER_H
#include <stddef.h>

#define TLSSERVER_MAX 32

struct tls;

struct tlsserver {
  struct { const char *cert, *key; } kp[TLSSERVER_MAX];
  size_t n;
  struct tls *ctx;     /* configured on the first tlsserver_load */
  char err[300];
};

void tlsserver_init(struct tlsserver *s);
/* -c: 0, or -1 when there are already TLSSERVER_MAX. */
int tlsserver_add_cert(struct tlsserver *s, const char *cert);
/* -k, for the -c just before it: 0, or -1 when there is none or it has a key. */
int tlsserver_set_key(struct tlsserver *s, const char *key);
/* Can every file be opened for reading? No OpenSSL: two system calls per
 * file. 0 when yes, else why not (in s->err). */
const char *tlsserver_check(struct tlsserver *s);
/* The configured libtls server context (loaded once per process), or 0 with
 * *why set (certificate unreadable, not PEM, key does not match...). */
struct tls *tlsserver_load(struct tlsserver *s, const char **why);
/* Frees the context (no connection may use it any more). */
void tlsserver_free(struct tlsserver *s);
#endif
