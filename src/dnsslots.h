/* dnsslots.h — a fixed array of DNS query slots under one overall deadline,
 * polled beside the caller's own fds: the poll(2) glue for libowfat's
 * dns_transmit that rhsbl, spfdns and (one slot at a time) rblsmtpd2's
 * dnsquery share. Which slots are in use is the caller's: busy[s] != -1.
 *
 * libowfat closes a query's UDP socket when it retransmits (3 s, then 11 s),
 * so an answer to the first transmission that comes late would be lost and
 * cost the second one's whole round trip. A slot keeps up to DNSSLOT_OLD
 * earlier sockets open and listening, and believes what comes on them only
 * when it answers that transmission (id, question, type, class). */
#ifndef DNSSLOTS_H
#define DNSSLOTS_H
#include <stddef.h>
#include <poll.h>
#include <dns.h>
#include <taia.h>

#define DNSSLOT_OLD 6                  /* earlier transmissions kept listening */
#define DNSSLOT_FDS (1 + DNSSLOT_OLD)  /* pollfds one slot may need */

struct dnsslot {
  struct dns_transmit tx;
  int txon;                      /* tx still running */
  char q[256];                   /* the question's name (wire form) and type, for late answers */
  char qtype[2];
  size_t nold;
  int oldfd[DNSSLOT_OLD];
  char oldid[DNSSLOT_OLD][2];
  int at, oldat[DNSSLOT_OLD];    /* indexes in the last pollfds array, -1: none */
  char late[513];                /* a late answer's packet */
};

/* Send the question (q in wire form, at most 255 bytes). -1: failed, nothing to free. */
int dnsslot_start(struct dnsslot *s, const char *servers, const char *q, const char qtype[2]);
/* The transmission and every earlier socket: closed. */
void dnsslot_free(struct dnsslot *s);

/* Append what one slot waits for to fds[n..max); returns the new n. *stamp
 * comes down to the slot's next retransmission (iopause's deadline). */
size_t dnsslot_pollfds(struct dnsslot *s, struct pollfd *fds, size_t n, size_t max, struct taia *stamp);

/* Fill fds[0..max) with what the busy slots wait for; returns how many. */
size_t dnsslots_pollfds(struct dnsslot *sl, const int *busy, size_t slots,
                        const struct taia *deadline, struct pollfd *fds, size_t max);

/* Milliseconds until the first slot's retransmission or the deadline (0: now). */
int dnsslots_timeout_ms(const struct dnsslot *sl, const int *busy, size_t slots,
                        const struct taia *deadline);

/* One slot, with what poll said of the fds dnsslots_pollfds gave it: 1 an
 * answer (*pkt, *len, valid until dnsslot_free), 0 not yet, -1 failed (every
 * transmission over). */
int dnsslot_get(struct dnsslot *s, struct pollfd *fds, size_t n, const struct taia *now,
                const char **pkt, unsigned *len);

/* A packet on an earlier transmission's socket is its answer: same id, a
 * response with one question, that name (wire form), that type, class IN;
 * not truncated, and not SERVFAIL or REFUSED (let another transmission
 * answer). */
int dnsslots_late_answer(const char id[2], const char *q, const char qtype[2], const char *buf, size_t len);

/* poll(2) for the _run() loops: after an error nothing is readable. */
void dnsslots_poll(struct pollfd *fds, size_t n, int ms);
#endif
