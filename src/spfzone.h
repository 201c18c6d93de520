/* spfzone.h — a scripted DNS zone for SPF tests and spfquery -z: answers the
 * questions an spf_eval() pass left pending, with no network.
 *
 * One record a line, '#' starts a comment:
 *   name A 192.0.2.1          name AAAA 2001:db8::1
 *   name MX 10 mx.example     name PTR host.example
 *   name CNAME other.example  name TXT "v=spf1 " "-all"   (strings concatenated)
 *   name TIMEOUT              every later question for name times out (temperror)
 *   name A TIMEOUT            that type times out
 *   name EXISTS               the name exists (no data, not NXDOMAIN)
 * TXT strings take \" \\ and \DDD (decimal). A name not in the zone is
 * NXDOMAIN; CNAME chains are followed (a loop or 10 links: a failure, as
 * a resolver would give). Records of one name answer in file order. */
#ifndef SPFZONE_H
#define SPFZONE_H
#include <stddef.h>
#include "spf.h"

#define SPFZONE_RECORDS 4096
#define SPFZONE_BYTES 262144

struct spfzone_rec {
  size_t name, namelen;      /* in buf, lowercase, no trailing dot */
  unsigned type;             /* SPF_T_*, or 5 CNAME, or SPFZONE_TIMEOUT / SPFZONE_EXISTS */
  int timeout;               /* "name TYPE TIMEOUT" */
  size_t data, datalen;      /* in buf: 4/16 address bytes, TXT bytes, target name */
};
#define SPFZONE_CNAME 5
#define SPFZONE_TIMEOUT 1000
#define SPFZONE_EXISTS 1001

struct spfzone {
  size_t n, used;
  struct spfzone_rec r[SPFZONE_RECORDS];
  char buf[SPFZONE_BYTES];
};

/* Parse text (len bytes). 1 ok; 0 with *line set to the bad line. */
int spfzone_parse(struct spfzone *z, const char *text, size_t len, unsigned long *line);
/* Answer every pending entry of c from z. */
void spfzone_answer(const struct spfzone *z, struct spf_cache *c);
/* spf_eval until it stops needing answers (at most SPF_PASSES_MAX passes). */
enum spf_result spfzone_eval(const struct spfzone *z, const struct spf_request *rq, struct spf_cache *c,
                             struct spf_outcome *o, unsigned *passes);
#endif
