/* spfdns.h — SPF over the network: the driver that answers spf_eval()'s
 * questions with libowfat's dns_transmit (parallel, UDP then TCP on a
 * truncated answer), under one overall deadline. It never blocks: the
 * caller polls its fds beside its own and calls spfdns_step(). A lookup
 * that fails or is still unanswered at the deadline is a temporary failure,
 * so the result is temperror, never fail.
 *
 * From a poll loop (rcptfilter polls client, backend and DNS together):
 *
 *   static struct spf_cache cache;      (~150 KB, no pointers inside; one per check at a time)
 *   static struct spfdns d;
 *   char servers[256];                  (dns_resolvconfip: $DNSCACHEIP, else resolv.conf)
 *   struct spf_request rq = { .sender = from, .helo = helo, .receiver = me, .now = time(0) };
 *   if (!spf_request_ip(&rq, ip)) ...;
 *   spfdns_start(&d, &rq, &cache, dns_resolvconfip(servers) == 0 ? servers : 0, 5000);
 *   for (;;) {
 *     struct pollfd fds[2 + SPFDNS_POLLFDS];
 *     size_t n = 2, k = 0;              (fds[0], fds[1]: client and backend)
 *     int ms = -1;
 *     if (!spfdns_done(&d)) { k = spfdns_pollfds(&d, fds + n, SPFDNS_POLLFDS); ms = spfdns_timeout_ms(&d); }
 *     poll(fds, n + k, ms);             (EINTR: fine, just step again)
 *     if (!spfdns_done(&d)) spfdns_step(&d, fds + n, k);
 *     if (spfdns_done(&d)) { use d.out.result, d.out.explanation; spfdns_free(&d); ... }
 *     ... client and backend I/O ...
 *   }
 *
 * Once per process, before the first query: dnsquery_random_init() (query
 * ids from the kernel, src/dnsquery.h). rq (and the strings it points to)
 * and cache must stay put until done. Nothing here writes to stderr or
 * blocks; spfdns_start and spfdns_step only send UDP (or connect TCP,
 * non-blocking, for a truncated answer).
 * The blocking wrapper spfdns_run() is exactly that loop (spfquery.c runs
 * SPF and the -d lists of src/rhsbl.h together in one). */
#ifndef SPFDNS_H
#define SPFDNS_H
#include <stddef.h>
#include <poll.h>
#include <dns.h>
#include <taia.h>
#include "spf.h"
#include "dnsslots.h"

#define SPFDNS_INFLIGHT 32     /* queries on the wire at once; the rest wait their turn */
#define SPFDNS_POLLFDS (SPFDNS_INFLIGHT * DNSSLOT_FDS)   /* pollfds they may need */

struct spfdns {
  const struct spf_request *rq;
  struct spf_cache *c;
  char servers[256];
  int haveservers;
  struct taia deadline;
  struct dnsslot slot[SPFDNS_INFLIGHT];
  int slot_entry[SPFDNS_INFLIGHT];  /* cache entry of each slot, -1 free */
  unsigned char sent[SPF_CACHE_MAX];
  unsigned passes, queries;         /* spf_eval runs, questions sent */
  int done;
  struct spf_outcome out;
};

/* Begin: empties c, runs the first pass and sends its questions. servers: 256 bytes as
 * dns_resolvconfip() fills them, or 0 (every lookup fails: temperror). */
void spfdns_start(struct spfdns *d, const struct spf_request *rq, struct spf_cache *c,
                  const char *servers, unsigned long deadline_ms);
int spfdns_done(const struct spfdns *d);
/* Fill fds[0..max) with what to poll (struct pollfd); returns how many. */
size_t spfdns_pollfds(struct spfdns *d, struct pollfd *fds, size_t max);
/* Milliseconds until the next retransmission or the deadline (>= 0). */
int spfdns_timeout_ms(const struct spfdns *d);
/* After poll: read answers (fds as filled by spfdns_pollfds, revents set),
 * re-evaluate, send new questions; at the deadline, finish. */
void spfdns_step(struct spfdns *d, struct pollfd *fds, size_t n);
/* Close every socket (also safe after done, and before it: gives up). */
void spfdns_free(struct spfdns *d);

/* Blocking: start, loop with iopause until done, free. Returns d->out.result. */
enum spf_result spfdns_run(struct spfdns *d, const struct spf_request *rq, struct spf_cache *c,
                           const char *servers, unsigned long deadline_ms);

/* Read one answer packet (hostile) for a question of the given type into
 * entry e: records of that type in the answer section (owner not checked,
 * as djbdns does: libowfat already matched id and question). */
void spfdns_parse(const unsigned char *pkt, size_t len, struct spf_cache *c, struct spf_entry *e);
#endif
