/* proxy.h — rcptfilter's SMTP relay as a state machine with no I/O: bytes
 * from the client and from the backend go in, bytes for each come out.
 * Replies leave in command order (PIPELINING), locally answered RCPTs
 * slotted in their place; DATA bodies pass untouched; the proxy never says
 * 250 for anything the backend did not accept. */
#ifndef PROXY_H
#define PROXY_H
#include <stddef.h>
#include "addr.h"
#include "rules.h"

#define PROXY_BUF_MAX 65536      /* each of the four buffers */
#define PROXY_QUEUE_MAX 2048     /* commands whose replies are still owed */

struct pbuf { char *s; size_t len, cap; };

enum proxy_kind { PK_LOCAL, PK_BANNER, PK_EHLO, PK_HELO, PK_MAIL, PK_RCPT, PK_DATA, PK_DATAEND, PK_AUTH, PK_QUIT, PK_RSET, PK_OTHER };
struct proxy_entry { enum proxy_kind kind; char *text; size_t len; };

struct proxy_conf {
  struct rules *rules;       /* 0: rules unreadable, every RCPT gets 451 (unless rules_off) */
  int rules_off;             /* RELAYCLIENT set */
  const char *rblsmtpd;      /* RBLSMTPD text when set and non-empty, else 0 */
  size_t maxline;            /* longest command line, without CRLF */
  const char *ip;            /* client address, for the log */
};

enum proxy_end { PROXY_RUNNING = 0, PROXY_DONE, PROXY_ABORT, PROXY_FAILED };

struct proxy {
  struct proxy_conf c;
  struct pbuf cin, bin, tocl, tobe;    /* from client, from backend, to client, to backend */
  struct proxy_entry *q;
  size_t qhead, qlen, qcap;
  int data;                  /* relaying a message body */
  int dstate;                /* end-of-data scanner state */
  int wait;                  /* DATA or AUTH sent (or MAIL, see proxy.c): no more commands until its reply */
  int authline;              /* after 334: the client's next line goes on as it is */
  int discarding;            /* inside a command line over maxline */
  int authenticated;
  int quit_done;
  int client_eof;
  char sender[ADDR_MAX + 1];  /* the sender of the transaction the backend has open */
  size_t slen;
  int have_sender;
  char pending[ADDR_MAX + 1]; /* a MAIL sent while a transaction may be open: its reply decides */
  size_t plen;
  int tentative;             /* sender[] is a MAIL sent with no transaction open, its reply not yet in */
  unsigned long rcpt_fwd, rcpt_denied;
  enum proxy_end end;
  const char *why;           /* why it ended, for the log */
};

int proxy_init(struct proxy *p, const struct proxy_conf *c);
void proxy_free(struct proxy *p);
/* How many bytes each side may give now (0: not now; that is the back-pressure). */
size_t proxy_client_room(const struct proxy *p);
size_t proxy_backend_room(const struct proxy *p);
void proxy_client_input(struct proxy *p, const char *b, size_t n);
void proxy_backend_input(struct proxy *p, const char *b, size_t n);
void proxy_client_eof(struct proxy *p);
/* The client has closed and nothing it sent can still go to the backend. */
int proxy_client_done(const struct proxy *p);
/* Process what is buffered (after output drained and made room). */
void proxy_run(struct proxy *p);
void proxy_backend_eof(struct proxy *p);
/* Nothing owed by the backend: the session is idle, waiting for the client. */
int proxy_idle(const struct proxy *p);
/* Give up on the backend (stalled): 421 to the client. */
void proxy_fail(struct proxy *p, const char *why);
/* One more line for the client, outside the command order (the session is ending). */
void proxy_say(struct proxy *p, const char *line);
void pbuf_consume(struct pbuf *b, size_t n);
#endif
