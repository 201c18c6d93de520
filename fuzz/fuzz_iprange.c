/* iprange_parse, the prefix walk and the blocklist line parser on arbitrary bytes:
 * every walk must cover exactly lo..hi with aligned prefixes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "blocklist.h"
#include "iprange.h"
#include "netlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct iprange r;
  struct iprange_walk w;
  struct iprange_prefix p;
  struct blocklist_entry e;
  struct netlist nl = { 0, 0, 0 };
  const char *why;
  char t[IPRANGE_FMT_MAX];
  unsigned long n = 0;
  struct iprange_addr next;
  int first = 1;

  if (!iprange_parse((const char *)data, size, &r)) {
    iprange_walk_start(&w, &r);
    while (iprange_walk_next(&w, &p)) {
      struct iprange one;
      struct iprange_walk w1;
      struct iprange_prefix p1;
      if (iprange_prefix_fmt(t, &p) >= IPRANGE_FMT_MAX) abort();
      if (!first && iprange_addr_cmp(&p.a, &next) != 0) abort();   /* contiguous */
      if (!iprange_contains(&r, &p.a)) abort();
      /* the prefix's own text parses back to itself */
      if (iprange_parse(t, strlen(t), &one)) abort();
      iprange_walk_start(&w1, &one);
      if (!iprange_walk_next(&w1, &p1) || p1.bits != p.bits || iprange_addr_cmp(&p1.a, &p.a)) abort();
      /* next expected start = end of this prefix + 1 */
      next = one.hi;
      {
        int i = next.v6 ? 15 : 3;
        while (i >= 0 && ++next.b[i] == 0) --i;
      }
      first = 0;
      if (++n > 300) abort();   /* at most 2*128 prefixes for any range */
    }
  }
  (void)blocklist_parse_line((const char *)data, size, &e, &why);
  (void)netlist_add_line(&nl, (const char *)data, size);
  netlist_free(&nl);
  return 0;
}
