/* SPF parsers on hostile bytes. The first byte picks the target:
 *   0: a record (spf_record_valid), 1: a domain-spec macro expansion,
 *   2: an explanation expansion, 3: an answer packet (spfdns_parse) for
 *   each question type, else: the rest is a zone (spfzone) and the client
 *   a@<first name> is evaluated against it, pass after pass. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include "spf.h"
#include "spfdns.h"
#include "spfzone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static struct spf_cache c;
  static struct spfzone z;
  static const unsigned types[] = { SPF_T_A, SPF_T_AAAA, SPF_T_TXT, SPF_T_MX, SPF_T_PTR };
  struct spf_request rq;
  struct spf_outcome o;
  char out[SPF_EXP_MAX + 8];
  unsigned long line;
  size_t i;

  if (!size) return 0;
  memset(&rq, 0, sizeof rq);
  spf_request_ip(&rq, data[0] & 16 ? "2001:db8::1" : "192.0.2.1");
  rq.sender = "strong-bad@email.example.com";
  rq.helo = "helo.example.org";
  rq.now = 1400000000;
  switch (data[0] & 15) {
  case 0:
    spf_record_valid((const char *)data + 1, size - 1);
    break;
  case 1: case 2: {
    long n = spf_expand_test(&rq, "email.example.com", (const char *)data + 1, size - 1, (data[0] & 15) == 2, out, sizeof out);
    if (n >= (long)sizeof out || (n >= 0 && out[n])) __builtin_trap();
    if ((data[0] & 15) == 1 && n > SPF_NAME_MAX) __builtin_trap();
    break;
  }
  case 3:
    for (i = 0; i < sizeof types / sizeof types[0]; ++i) {
      const unsigned char *rr;
      size_t pos = 0, len, total = 0;
      spf_cache_init(&c);
      spf_eval(&rq, &c, &o);              /* one pending question to answer */
      if (c.n != 1) __builtin_trap();
      c.e[0].type = types[i];
      spfdns_parse(data + 1, size - 1, &c, &c.e[0]);
      while ((rr = spf_entry_next(&c, &c.e[0], &pos, &len))) total += len + 2;
      if (total != c.e[0].datalen || c.e[0].nrr > c.e[0].nrrtotal || c.used > SPF_ARENA_MAX) __builtin_trap();
    }
    break;
  default: {
    unsigned passes;
    const char *nl;
    char sender[300] = "a@";
    if (!spfzone_parse(&z, (const char *)data + 1, size - 1, &line)) break;
    nl = memchr(data + 1, ' ', size - 1);
    if (nl && (size_t)(nl - (const char *)data - 1) < sizeof sender - 3) {
      memcpy(sender + 2, data + 1, (size_t)(nl - (const char *)data - 1));
      sender[2 + (nl - (const char *)data - 1)] = 0;
    }
    rq.sender = sender;
    spf_cache_init(&c);
    spfzone_eval(&z, &rq, &c, &o, &passes);
    if (o.result == SPF_NEED || o.lookups > 11 || o.voids > 3 || passes > SPF_PASSES_MAX) __builtin_trap();
    if (strlen(o.explanation) >= SPF_EXP_MAX) __builtin_trap();
  }
  }
  return 0;
}
