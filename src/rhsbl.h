/* rhsbl.h — domain blocklists (RHSBL) for the sender's domain: the lists of
 * rcptfilter -d base[=codes], in rblsmtpd2 -r's syntax and with its meaning
 * (src/dnsbl.h: codes filter the A answer, 127.255.255.x is an error and
 * not a listing, a plain list's TXT record is the text), asked about
 * "<domain>.<base>" instead of the reversed client address. Every list at
 * once, one deadline, no blocking: poll the fds beside your own.
 *
 *   static struct dnsbl_list lists[DNSBL_MAX];  n = 0;
 *   for each -d arg: if (!dnsbl_parse(&lists[n++], arg, 0, 1, 0)) usage;
 *   static struct rhsbl r;
 *   rhsbl_start(&r, lists, n, "sender.example", "192.0.2.1", servers, 5000);
 *   while (!rhsbl_done(&r)) {
 *     k = rhsbl_pollfds(&r, fds + m, RHSBL_POLLFDS);   poll(fds, m + k, rhsbl_timeout_ms(&r));
 *     rhsbl_step(&r, fds + m, k);
 *   }
 *   r.v.action == DNSBL_REJECT: listed (r.v.list, r.v.text); DNSBL_PASS: not
 *   listed or every failing list failed (a failed lookup never rejects here);
 *   lists[i].state / .fail say which, for the log. rhsbl_free(&r) closes all.
 *   The lists may be reused for the next transaction: rhsbl_start resets them.
 */
#ifndef RHSBL_H
#define RHSBL_H
#include <stddef.h>
#include <poll.h>
#include <dns.h>
#include <taia.h>
#include "dnsbl.h"
#include "dnsslots.h"

#define RHSBL_FDS (DNSBL_MAX * 2)                 /* queries at once */
#define RHSBL_POLLFDS (RHSBL_FDS * DNSSLOT_FDS)   /* pollfds they may need */

struct rhsbl {
  struct dnsbl_list *lists;
  size_t n;
  char client[64];
  char servers[256];
  struct taia deadline;
  struct dnsslot slot[RHSBL_FDS];
  int list[RHSBL_FDS];          /* list index of each query, -1 none */
  int txt[RHSBL_FDS];           /* 1 TXT query, 0 A query */
  int done;
  struct dnsbl_verdict v;
};

/* "<domain>.<base>" into out (RHSBL_NAME_MAX bytes): its length, or 0 when
 * the domain is not a usable name (empty, a label over 63, over 253 in all,
 * bytes outside printable ASCII, '[' literal...). */
#define RHSBL_NAME_MAX 256
size_t rhsbl_name(char *out, const char *domain, size_t dlen, const struct dnsbl_list *l);

/* Start every list's queries. servers: 256 bytes from dns_resolvconfip(), or 0.
 * client: what %IP% in a base:message becomes. A domain that is no usable
 * name fails every list (DNSBL_FAIL_BADNAME): that is a pass. */
void rhsbl_start(struct rhsbl *r, struct dnsbl_list *lists, size_t n, const char *domain,
                 const char *client, const char *servers, unsigned long deadline_ms);
int rhsbl_done(const struct rhsbl *r);
size_t rhsbl_pollfds(struct rhsbl *r, struct pollfd *fds, size_t max);
int rhsbl_timeout_ms(const struct rhsbl *r);
void rhsbl_step(struct rhsbl *r, struct pollfd *fds, size_t n);
void rhsbl_free(struct rhsbl *r);
/* Blocking: start, iopause until done, free. Returns r->v.action. */
enum dnsbl_action rhsbl_run(struct rhsbl *r, struct dnsbl_list *lists, size_t n, const char *domain,
                            const char *client, const char *servers, unsigned long deadline_ms);
#endif
