/* proxy.h — rcptfilter's SMTP relay as a state machine that does no I/O at
 * all: bytes from the client and from the server go in, bytes for each come
 * out, and every decision leaves through the log callback. Replies leave in
 * command order (PIPELINING), locally answered RCPTs slotted in their place;
 * DATA bodies pass untouched; the proxy never says 250 for anything the
 * server did not accept.
 *
 * Inside (src/proxy.c, HACKING.md "The relay"): the client side is in one
 * phase at a time, the transaction in one state; each verb is a row of a
 * table (check, then proceed); every change of phase goes through one
 * function, which traces it when conf.trace is set.
 *
 * The driver's loop (rcptfilter.c):
 *   p = proxy_new(&conf);
 *   read up to proxy_room(p, PROXY_CLIENT) bytes -> proxy_input(p, PROXY_CLIENT, b, n)
 *   s = proxy_output(p, PROXY_SERVER, &len) -> write -> proxy_sent(p, PROXY_SERVER, written)
 *   ... until proxy_end(p, &why) != PROXY_RUNNING */
#ifndef PROXY_H
#define PROXY_H
#include <stddef.h>
#include "rules.h"

#define PROXY_BUF_MAX 65536      /* each of the four buffers */
#define PROXY_QUEUE_MAX 2048     /* commands whose replies are still owed */

struct proxy;                    /* opaque */

/* One decision or event, for the log. Strings are not NUL-terminated where a
 * length is given; the driver sanitizes everything it prints. */
struct proxy_event {
  const char *action;              /* deny allow pass trap tempfail rblsmtpd refuse ehlo auth trace */
  const char *from, *rcpt;         /* sender and recipient, no brackets; rcpt 0: not about a RCPT */
  size_t flen, rlen;
  const struct rules_decision *d;  /* the rule that decided, or 0 */
  const char *key, *val;           /* one more key=value, or key 0 */
};
typedef void proxy_log_fn(void *ctx, const struct proxy_event *e);

struct proxy_conf {
  struct rules *rules;       /* 0: rules unreadable, every RCPT gets 451 (unless rules_off) */
  int rules_off;             /* RELAYCLIENT set */
  const char *rblsmtpd;      /* RBLSMTPD text when set and non-empty, else 0 */
  size_t maxline;            /* longest command line, without CRLF */
  proxy_log_fn *log;         /* 0: nothing is logged */
  void *log_ctx;
  int trace;                 /* log every change of phase (action=trace) */
  int tls_offer;             /* EHLO offers STARTTLS (the certificate files are readable) */
  int tls_active;            /* the session is inside TLS from the start (-i, SMTPS) */
  unsigned long maxrcpt;     /* RCPTs forwarded per transaction; more get 452 (0: no limit) */
  unsigned long maxbad;      /* refused RCPTs per session before 421 and the end (0: no limit) */
  int checks;                /* the driver runs sender checks (SPF, RHSBL): see proxy_check_wanted */
};

enum proxy_end { PROXY_RUNNING = 0, PROXY_DONE, PROXY_ABORT, PROXY_FAILED };
enum proxy_side { PROXY_CLIENT, PROXY_SERVER };

/* 0 when out of memory. */
struct proxy *proxy_new(const struct proxy_conf *c);
void proxy_free(struct proxy *p);

/* How many bytes that side may give now (0: not now; that is the back-pressure). */
size_t proxy_room(const struct proxy *p, enum proxy_side from);
void proxy_input(struct proxy *p, enum proxy_side from, const char *b, size_t n);
/* The same without a copy: read up to *room bytes into the space given (0:
 * none now), then say how many came. */
char *proxy_space(struct proxy *p, enum proxy_side from, size_t *room);
void proxy_commit(struct proxy *p, enum proxy_side from, size_t n);
/* That side has closed its sending half. */
void proxy_eof(struct proxy *p, enum proxy_side from);
/* Bytes waiting for that side; proxy_sent() says how many were written. */
const char *proxy_output(const struct proxy *p, enum proxy_side to, size_t *len);
void proxy_sent(struct proxy *p, enum proxy_side to, size_t n);
/* That side reads no more: forget what was waiting for it. */
void proxy_drop_output(struct proxy *p, enum proxy_side to);

/* The client has closed and nothing it sent can still go to the server. */
int proxy_client_done(const struct proxy *p);
/* Nothing owed by the server: the session is idle, waiting for the client. */
int proxy_idle(const struct proxy *p);
/* Give up on the server (stalled): 421 to the client, PROXY_FAILED. */
void proxy_fail(struct proxy *p, const char *why);
/* End the session here (PROXY_ABORT); line, when not 0, is the client's last. */
void proxy_abort(struct proxy *p, const char *why, const char *line);
/* PROXY_RUNNING until the session has ended; *why (when why is not 0) says why. */
enum proxy_end proxy_end(const struct proxy *p, const char **why);

/* STARTTLS. The core does no I/O, so the driver loads the certificates and
 * does the handshake when the core asks:
 *   PROXY_TLS_ASK        a STARTTLS has every earlier reply out before it; load
 *                        the certificates, then proxy_tls_refuse() (454, the
 *                        session goes on in plaintext) or proxy_tls_go() (220;
 *                        what the client sent after STARTTLS is discarded and
 *                        logged, never executed: CVE-2011-0411);
 *   PROXY_TLS_HANDSHAKE  once the 220 has been written, the handshake; then end
 *                        the server, start a fresh one and say proxy_tls_up():
 *                        the session starts over (RFC 3207 4.2: no HELO, sender,
 *                        recipient or AUTH survives), the new server's banner is
 *                        swallowed. A failed handshake ends the connection.
 * Until then the client is not read (proxy_room is 0). */
enum proxy_tls { PROXY_TLS_NONE, PROXY_TLS_ASK, PROXY_TLS_HANDSHAKE };
enum proxy_tls proxy_tls_state(const struct proxy *p);
void proxy_tls_refuse(struct proxy *p);
void proxy_tls_go(struct proxy *p);
void proxy_tls_up(struct proxy *p);
int proxy_tls_active(const struct proxy *p);
/* Relaying a message body: the server reads and does not answer until the dot. */
int proxy_in_body(const struct proxy *p);
/* Sender checks (SPF, domain lists), run by the driver because they need
 * DNS: when a transaction begins while rules apply and conf.checks is set,
 * no command after its MAIL is read until the answer is in (the MAIL itself
 * goes on at once, so the DNS time overlaps its round trip).
 * proxy_check_wanted() gives a check to start, once: its id (0: none), the
 * sender (no brackets, "" for <>) and the HELO/EHLO name. The driver calls
 * proxy_check_done() with the same id; an answer for a transaction that has
 * ended meanwhile is ignored. */
struct proxy_check_req { unsigned long id; const char *sender, *helo; size_t slen, hlen; };
struct proxy_check {
  const char *action;        /* log action for a refused RCPT ("spf", "rhsbl"), 0: nothing refused */
  const char *reply;         /* the reply each RCPT gets (without CRLF), postmaster@ and abuse@ except */
  const char *key, *val;     /* on every RCPT log line of the transaction (e.g. "spf", "fail"), key 0: none */
};
unsigned long proxy_check_wanted(struct proxy *p, struct proxy_check_req *req);
void proxy_check_done(struct proxy *p, unsigned long id, const struct proxy_check *result);

/* For tests and the fuzz invariant. */
unsigned long proxy_rcpts_forwarded(const struct proxy *p);
int proxy_rules_apply(const struct proxy *p);   /* rules on: not RELAYCLIENT, not authenticated */
#endif
