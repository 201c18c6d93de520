/* dnsquery.h — every list's queries at once (libowfat dns_transmit + iopause),
 * one overall deadline, answers heard on every transmission still open, and
 * the client's socket watched for readability on the side. The caller decides
 * between rounds (dnsbl_decide, dnsbl_score_decide). */
#ifndef DNSQUERY_H
#define DNSQUERY_H
#include <dns.h>
#include <taia.h>
#include "dnsbl.h"
#include "revip.h"
#include "dnsslots.h"

#define DNSQUERY_LISTS (DNSBL_MAX * 4)   /* -H asks four test points of each list */
/* One question: its transmission and the earlier ones still listening
 * (src/dnsslots.h: late answers are heard on every one of them). */
struct dnsquery_q {
  struct dnsslot slot;
  struct dnsbl_list *list;
  int txt;                       /* 1: the TXT query, 0: the A query */
  int active;                    /* no answer yet */
};

struct dnsquery {
  struct dnsquery_q q[DNSQUERY_LISTS * 2];
  size_t nq;
  struct dnsbl_list *lists;
  size_t n;
  struct taia deadline;
  const char *servers;
  unsigned long sent;            /* queries started (the guard A queries too) */
  unsigned long late;            /* answers taken from an earlier transmission (logged by tests) */
};

/* servers: 256 bytes as dns_resolvconfip() gives them, or 0 when none could be
 * read (every lookup fails at once). Asks ip's name in every list (a list's
 * own probe, when set, instead). A plain TXT list (-r base) gets its A query,
 * the 127.255.255.x guard, only when the TXT answer has a text; a codes list
 * without a message (-r base=codes) its TXT query, for the text, only when
 * the A answer lists: a clean client costs one query per list, as with rblsmtpd. */
void dnsquery_start(struct dnsquery *d, struct dnsbl_list *lists, size_t n, const struct revip *ip,
                    const char *servers, unsigned long deadline_ms);

/* One round: wait for answers, at most until the DNS deadline or *until (0:
 * no limit of its own), and while clientfd >= 0 also for clientfd to become
 * readable (nothing is read from it): then *clientready = 1. Lists not
 * answered by the deadline count as failed (DNSBL_FAIL_TIMEOUT). */
void dnsquery_round(struct dnsquery *d, int clientfd, const struct taia *until, int *clientready);

/* 1 while some query has not finished. */
int dnsquery_pending(const struct dnsquery *d);

/* Close every socket still open. */
void dnsquery_end(struct dnsquery *d);

/* All of it in one call: rounds until dnsbl_decide decides (rblsmtpd's way). */
enum dnsbl_action dnsquery_run(struct dnsbl_list *lists, size_t n, const struct revip *ip,
                               const char *servers, unsigned long deadline_ms, struct dnsbl_verdict *v);

/* Seed libowfat's query-id generator from the kernel (ids must not be guessable). */
void dnsquery_random_init(void);
#endif
