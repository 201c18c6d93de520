/* MAIL FROM / RCPT TO arguments straight from the network. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include "addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char out[ADDR_MAX + 1], again[ADDR_MAX + 3];
  size_t n, m, i;
  if (addr_parse((const char *)data, size, out, &n) != ADDR_OK) return 0;
  if (n > ADDR_MAX || out[n]) __builtin_trap();
  for (i = 0; i < n; ++i)
    if ((unsigned char)out[i] < 32 || out[i] == 127 || (out[i] >= 'A' && out[i] <= 'Z')) __builtin_trap();
  if (addr_at(out, n) > n) __builtin_trap();
  /* canonical stays canonical when it has no quotes-worthy bytes (a quoted '@' is one) */
  if (addr_at(out, n) == (size_t)((const char *)memchr(out, '@', n) ? (size_t)((const char *)memchr(out, '@', n) - out) : n) && !memchr(out, ' ', n) && !memchr(out, '"', n) && !memchr(out, '\\', n) && !memchr(out, '<', n) && !memchr(out, '>', n) && !memchr(out, ':', n)) {
    again[0] = '<'; memcpy(again + 1, out, n); again[n + 1] = '>';
    if (addr_parse(again, n + 2, again, &m) == ADDR_OK && (m != n || memcmp(again, out, n))) __builtin_trap();
  }
  return 0;
}
