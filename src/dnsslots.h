/* dnsslots.h — the poll(2) glue for a fixed array of libowfat dns_transmit
 * slots under one overall deadline, shared by rhsbl and spfdns. Which slots
 * are in use is the caller's: busy[s] != -1. fd[s] is the slot's index in the
 * last pollfds array (-1: none this round). */
#ifndef DNSSLOTS_H
#define DNSSLOTS_H
#include <stddef.h>
#include <poll.h>
#include <dns.h>
#include <taia.h>

/* Fill fds[0..max) with what the busy slots wait for; returns how many. */
size_t dnsslots_pollfds(struct dns_transmit *tx, const int *busy, int *fd, size_t slots,
                        const struct taia *deadline, struct pollfd *fds, size_t max);

/* Milliseconds until the first slot's retransmission or the deadline (0: now). */
int dnsslots_timeout_ms(const struct dns_transmit *tx, const int *busy, size_t slots,
                        const struct taia *deadline);

/* dns_transmit_get for one slot with what poll said of it (nothing when it had
 * no pollfd this round): 1 an answer, 0 not yet, -1 failed. */
int dnsslots_get(struct dns_transmit *tx, int fd, struct pollfd *fds, size_t n, const struct taia *now);

/* poll(2) for the _run() loops: after an error nothing is readable. */
void dnsslots_poll(struct pollfd *fds, size_t n, int ms);
#endif
