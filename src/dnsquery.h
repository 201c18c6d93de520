/* dnsquery.h — every list's queries at once (libowfat dns_transmit + iopause),
 * one overall deadline, and the serial decision as soon as it is known. */
#ifndef DNSQUERY_H
#define DNSQUERY_H
#include "dnsbl.h"
#include "revip.h"

/* servers: 256 bytes as dns_resolvconfip() gives them, or 0 when none could be
 * read (every lookup fails). Returns the verdict's action, never DNSBL_WAIT;
 * lists not answered by deadline_ms count as failed (DNSBL_FAIL_TIMEOUT).
 * Every socket it opened is closed when it returns. */
enum dnsbl_action dnsquery_run(struct dnsbl_list *lists, size_t n, const struct revip *ip,
                               const char *servers, unsigned long deadline_ms, struct dnsbl_verdict *v);

/* Seed libowfat's query-id generator from the kernel (ids must not be guessable). */
void dnsquery_random_init(void);
#endif
