/* DNS answers are hostile: parse anything, settle a list on the result, and
 * judge it as a late answer to an earlier transmission (its own id, so the
 * header passes and the question is what gets tested). */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include "dnsmsg.h"
#include "dnsbl.h"
#include "dnsslots.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static struct dnsbl_list l;
  struct dnsbl_verdict v;
  struct dnsmsg m;
  int r = dnsmsg_parse(data, size, &m);

  if (r == 0 && (m.na > DNSMSG_A_MAX || m.txtlen > DNSMSG_TXT_MAX || m.txtlen > m.txttotal)) __builtin_trap();
  dnsbl_parse(&l, size & 1 ? "bl.test=127.0.0.2-11:%IP% said no" : "bl.test", 0, size & 2, size & 4);
  l.a = m; l.txt = m;
  l.a_failed = l.txt_failed = r != 0;
  dnsbl_settle(&l);
  dnsbl_decide(&l, 1, "192.0.2.1", &v);
  if (v.textlen > sizeof v.text) __builtin_trap();
  if (size >= 2)
    (void)dnsslots_late_answer((const char *)data, "\0012\0010\0010\003127\002bl\004test", size & 8 ? DNS_T_TXT : DNS_T_A,
                               (const char *)data, size);
  return 0;
}
