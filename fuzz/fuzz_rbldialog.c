/* The rejecting dialogue reads whatever a client sends. */
#include <stdint.h>
#include <stddef.h>
#include "rbldialog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct rbldialog d;
  size_t i;
  rbldialog_init(&d);
  for (i = 0; i < size; ++i) {
    enum rbldialog_reply r = rbldialog_byte(&d, (char)data[i]);
    if ((r != RBLD_NONE) != (data[i] == '\n')) __builtin_trap();
  }
  return 0;
}
