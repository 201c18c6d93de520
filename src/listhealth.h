/* listhealth.h — rblsmtpd2 -H: RFC 5782 test points for every list.
 * 127.0.0.2 must be listed and 127.0.0.1 must not; for IPv6 the same with
 * ::FFFF:7F00:2 and ::1 (reported, not required: many lists are IPv4 only). */
#ifndef LISTHEALTH_H
#define LISTHEALTH_H
#include <stddef.h>
#include "dnsbl.h"
#include "revip.h"

enum listhealth { LH_OK = 0, LH_DOWN, LH_REFUSED, LH_NOTLISTED, LH_WORLD };

#define LH_PROBES 4   /* 127.0.0.2, 127.0.0.1, ::ffff:7f00:2, ::1 */

/* The four test points as revip (rev[] ready for a DNS name). */
void listhealth_points(struct revip p[LH_PROBES]);

/* out[i * LH_PROBES + k]: list i asked for test point k (probe set, state pending). */
void listhealth_probes(const struct dnsbl_list *lists, size_t n, const struct revip p[LH_PROBES],
                       struct dnsbl_list *out);

/* The verdict from a listed probe and a not-listed probe, both settled.
 * For LH_REFUSED, *blocked gets the 127.255.255.x answer. */
enum listhealth listhealth_judge(const struct dnsbl_list *listed, const struct dnsbl_list *notlisted,
                                 unsigned char blocked[4]);

/* Exit code over every list's IPv4 verdict: 100 when one lists the world or
 * does not list its test point, else 111 when one is down or refuses, else 0. */
int listhealth_exit(const enum listhealth *v, size_t n);
#endif
