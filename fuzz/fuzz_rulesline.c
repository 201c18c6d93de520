/* One line of a rules file, as an operator may write it, then its lookup keys. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include "rulesfile.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct rule r;
  const char *why = 0;
  char key[RULES_KEY_MAX];
  int k = rulesfile_line((const char *)data, size, &r, &why);
  if (k < 0 && !why) __builtin_trap();
  if (k != 1) return 0;
  if (r.rlen > ADDR_MAX + 1 || r.slen > ADDR_MAX + 1 || r.msglen > RULES_MSG_MAX) __builtin_trap();
  if (r.action != RULES_ALLOW && (r.msglen < 4 || (r.msg[0] != '4' && r.msg[0] != '5'))) __builtin_trap();
  if (memchr(r.msg, '\n', r.msglen) || memchr(r.sender, ' ', r.slen)) __builtin_trap();
  {
    /* the prefix mark: in a prefix-* key only, once, after a '-' and before the '@' */
    const char *mk = memchr(r.rcpt, RULES_PREFIX_MARK, r.rlen);
    if ((r.rkind == RR_PREFIX) != (mk != 0)) __builtin_trap();
    if (mk && (mk == r.rcpt || mk[-1] != '-' || (size_t)(mk - r.rcpt) + 1 >= r.rlen || mk[1] != '@' ||
               memchr(mk + 1, RULES_PREFIX_MARK, r.rlen - (size_t)(mk - r.rcpt) - 1))) __builtin_trap();
  }
  rules_pairkey(key, r.rcpt, r.rlen, r.sender, r.slen);
  if (r.skind == RS_GLOB) rules_glob_match(r.sender, r.slen, "someone@example.com", 19);
  return 0;
}
