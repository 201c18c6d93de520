/* sendercheck.h — the checks on a transaction's sender that need DNS: SPF
 * (RFC 7208, src/spf + src/spfdns) and the domain blocklists (src/rhsbl),
 * both at once under one deadline, from rcptfilter's poll loop. The verdict
 * is what src/proxy.h's proxy_check_done() takes:
 *   a domain list lists the sender's domain  550 5.7.1 <the list's text>
 *   SPF fail                                550 5.7.23 SPF: <domain> does not designate <ip> ...
 *   SPF temperror (DNS failed or too slow)  451 4.7.24 ...
 *   anything else                           nothing refused
 * A lookup that fails is never a 5xx: the domain lists pass, SPF says temperror.
 *
 *   sendercheck_start(&s, &conf, &req);       req from proxy_check_wanted()
 *   while (!sendercheck_done(&s)) { n = sendercheck_pollfds(&s, fds, max);
 *     poll(fds, n, sendercheck_timeout_ms(&s)); sendercheck_step(&s, fds, n); }
 *   proxy_check_done(p, req.id, sendercheck_verdict(&s)); sendercheck_free(&s); */
#ifndef SENDERCHECK_H
#define SENDERCHECK_H
#include <stddef.h>
#include <poll.h>
#include "addr.h"
#include "dnsbl.h"
#include "proxy.h"
#include "rhsbl.h"
#include "rules.h"
#include "spf.h"
#include "spfdns.h"

struct sendercheck_conf {
  int spf;                       /* -S */
  struct dnsbl_list *lists;      /* -d, parsed with dnsbl_parse */
  size_t nlists;
  const char *ip;                /* the client, as text */
  const char *servers;           /* 256 bytes from dns_resolvconfip(), or 0: every lookup fails */
  unsigned long deadline_ms;
  const char *receiver;          /* SPF's %{r}: this host's name, or 0 */
};

#define SENDERCHECK_FDS (SPFDNS_POLLFDS + RHSBL_POLLFDS)

struct sendercheck {
  const struct sendercheck_conf *c;
  char sender[ADDR_MAX + 1], helo[ADDR_MAX + 1];
  struct spf_request rq;
  struct spf_cache *cache;       /* 200 KB: allocated once, kept for the next transaction */
  struct spfdns spf;
  struct rhsbl rbl;
  int spf_running, rbl_running;
  size_t nspf;                   /* of the last pollfds: how many were SPF's (the rest the lists') */
  char reply[RULES_MSG_MAX + 1];
  struct proxy_check verdict;
};

/* 0, or -1 when out of memory (the caller answers 451: never a pass by our failure). */
int sendercheck_start(struct sendercheck *s, const struct sendercheck_conf *c, const struct proxy_check_req *req);
int sendercheck_done(const struct sendercheck *s);
size_t sendercheck_pollfds(struct sendercheck *s, struct pollfd *fds, size_t max);
int sendercheck_timeout_ms(const struct sendercheck *s);
void sendercheck_step(struct sendercheck *s, struct pollfd *fds, size_t n);
/* Once done, before sendercheck_free: what each RCPT of the transaction gets (strings live in s). */
const struct proxy_check *sendercheck_verdict(struct sendercheck *s);
/* Give up (also safe when done); the cache stays for the next start. */
void sendercheck_free(struct sendercheck *s);
#endif
