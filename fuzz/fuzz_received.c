/* received_origin and received_parse on arbitrary messages; traplog_parse too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "received.h"
#include "traplog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static struct netlist trusted;
  static int init;
  struct received_hop h;
  struct traplog_hit hit;
  unsigned hop;
  char *copy;

  if (!init) {
    netlist_add(&trusted, "192.0.2.0/24", 12);
    netlist_add(&trusted, "2001:db8::/32", 13);
    init = 1;
  }
  copy = malloc(size ? size : 1);   /* exact-size copy: ASan sees any overread */
  if (!copy) return 0;
  memcpy(copy, data, size);
  switch (received_origin(copy, size, &trusted, &h, &hop)) {
  case RECEIVED_FOUND: if (hop == 0 || h.kind != RECEIVED_CLIENT) abort(); break;
  case RECEIVED_SUBMITTED: if (hop == 0 || h.kind != RECEIVED_ACCOUNT) abort(); break;
  case RECEIVED_STOPPED: if (hop == 0 || h.kind != RECEIVED_UNREADABLE) abort(); break;
  case RECEIVED_ALL_TRUSTED: break;
  }
  (void)received_parse(copy, size, &h);
  if (strlen(h.from) > RECEIVED_NAME_MAX) abort();
  (void)traplog_parse(copy, size, &hit);
  free(copy);
  return 0;
}
