/* -r / -a arguments: any bytes, as an operator (or a script) may type them. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include "dnsbl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char arg[1024];
  struct dnsbl_list l;
  struct dnsbl_verdict v;
  size_t n = size < sizeof arg - 1 ? size : sizeof arg - 1;

  memcpy(arg, data, n);
  arg[n] = 0;
  if (!dnsbl_parse(&l, arg, n && (data[0] & 1), 1, 0)) return 0;
  if (!l.baselen || l.baselen > 253 || l.nranges > DNSBL_CODES_MAX) __builtin_trap();
  l.state = DNSBL_LISTED;
  dnsbl_decide(&l, 1, "2001:db8::1", &v);
  if (v.textlen > sizeof v.text) __builtin_trap();
  return 0;
}
