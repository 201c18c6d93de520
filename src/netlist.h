/* netlist.h — a set of address ranges the operator names as "ours": the
 * never-list of traplist, the trusted hops of received-origin. Given as
 * arguments or in a file, one per line, in any iprange form (a reason after
 * it is ignored), or as tcp.smtp lines that set RELAYCLIENT
 * (`192.168.:allow,RELAYCLIENT=""`, tcprules' prefixes `1.2.3.`, `1.2.`,
 * ranges `1.2.3.4-9`): whoever may relay through us is never listed. */
#ifndef NETLIST_H
#define NETLIST_H
#include <stddef.h>
#include "iprange.h"

struct netlist {
  struct iprange *r;
  size_t n, cap;
};

/* Add one range text. NULL, or the reason it was refused ("out of memory" too). */
const char *netlist_add(struct netlist *nl, const char *s, size_t len);
/* Add one line of a file (see above). NULL when added or ignored (blank,
 * comment, a tcp.smtp line without RELAYCLIENT), else the reason. */
const char *netlist_add_line(struct netlist *nl, const char *line, size_t len);
/* Load a file. 0; -1 with errno on I/O; 1 with err = "path:line: reason". */
int netlist_load(struct netlist *nl, const char *path, char *err, size_t errmax);
int netlist_contains(const struct netlist *nl, const struct iprange_addr *a);
void netlist_free(struct netlist *nl);
#endif
