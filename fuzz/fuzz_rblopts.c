/* -r / -a arguments: any bytes, as an operator (or a script) may type them,
 * with the new syntax (base[=codes][*W][:message]). Up to four arguments,
 * separated by newlines; the first byte of each says -a (odd) or -r and how
 * the list answered, then the serial and the -S decisions run over them. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include "dnsbl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const enum dnsbl_state states[] = { DNSBL_PENDING, DNSBL_CLEAN, DNSBL_LISTED, DNSBL_FAILED };
  char args[4][1024];
  struct dnsbl_list l[4];
  struct dnsbl_verdict v;
  size_t n = 0, pos = 0, i;
  long threshold = 1 + (size ? data[size - 1] % 8 : 0);

  while (pos < size && n < 4) {
    const uint8_t *nl = memchr(data + pos, '\n', size - pos);
    size_t len = nl ? (size_t)(nl - data - pos) : size - pos;
    size_t k = len < sizeof args[n] - 1 ? len : sizeof args[n] - 1;
    uint8_t flags = len ? data[pos] : 0;
    memcpy(args[n], data + pos, k);
    args[n][k] = 0;
    pos += len + 1;
    if (!dnsbl_parse(&l[n], args[n], flags & 1, (flags >> 3) & 1, (flags >> 4) & 1)) {
      if (!l[n].err) __builtin_trap();           /* every refusal says why */
      continue;
    }
    if (!l[n].baselen || l[n].baselen > 253 || l[n].nranges > DNSBL_CODES_MAX || l[n].weight > DNSBL_WEIGHT_MAX)
      __builtin_trap();
    if (l[n].message && !l[n].message[0]) __builtin_trap();
    l[n].state = states[(flags >> 1) & 3];
    if (l[n].state == DNSBL_LISTED && !l[n].allow) { memcpy(l[n].txt.txt, "t", 1); l[n].txt.txtlen = l[n].txt.txttotal = 1; }
    ++n;
  }
  dnsbl_decide(l, n, "2001:db8::1", &v);
  if (v.textlen > sizeof v.text) __builtin_trap();
  if (dnsbl_score_decide(l, n, threshold, "192.0.2.1", &v) == DNSBL_REJECT) {
    if (v.code != 451 && v.code != 553) __builtin_trap();
    if (v.list >= (int)n || (v.list >= 0 && l[v.list].allow)) __builtin_trap();
    if (v.code == 553 && (v.list < 0 || !l[v.list].bounce)) __builtin_trap();
  }
  if (v.textlen > sizeof v.text) __builtin_trap();
  for (i = 0; i < n; ++i) if (l[i].state == DNSBL_PENDING) return 0;
  if (dnsbl_score_decide(l, n, threshold, "x", &v) == DNSBL_WAIT) __builtin_trap();   /* all known: decided */
  return 0;
}
