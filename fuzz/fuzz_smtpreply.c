/* Replies from the backend: complete-reply detection and the EHLO filter. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "smtpreply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *buf = malloc(size ? size : 1);
  int code = 0, removed;
  long n;
  size_t m;
  if (!buf) return 0;
  memcpy(buf, data, size);
  n = smtpreply_complete(buf, size, &code);
  if (n > (long)size || (n > 0 && (code < 200 || code > 599 || buf[n - 1] != '\n'))) __builtin_trap();
  if (n > 0) {
    m = smtpreply_ehlo_filter(buf, (size_t)n, &removed);
    if (m > (size_t)n) __builtin_trap();
  }
  free(buf);
  return 0;
}
