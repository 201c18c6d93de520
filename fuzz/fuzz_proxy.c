/* The whole relay state machine: the first byte of each chunk says who
 * speaks (client or server) and how much; any order, any bytes. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include "proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct proxy *p;
  struct proxy_conf c;
  size_t i = 0, len;

  memset(&c, 0, sizeof c);
  c.rules_off = size && (data[0] & 1);
  c.rblsmtpd = size && (data[0] & 2) ? "-listed" : 0;
  c.trace = size && (data[0] & 4);
  c.maxline = 512;
  p = proxy_new(&c);
  if (!p) return 0;
  while (i < size && !proxy_end(p, 0)) {
    size_t n = (data[i] >> 1) + 1;
    int server = data[i] & 1;
    ++i;
    if (n > size - i) n = size - i;
    if (server) { if (proxy_room(p, PROXY_SERVER) >= n) proxy_input(p, PROXY_SERVER, (const char *)data + i, n); }
    else if (proxy_room(p, PROXY_CLIENT) >= n) {
      unsigned long fwd = proxy_rcpts_forwarded(p);
      int judged = proxy_rules_apply(p);
      proxy_input(p, PROXY_CLIENT, (const char *)data + i, n);
      /* the rules are unreadable here: every RCPT they would judge gets 451,
       * so with rules on no RCPT may ever be forwarded, whatever came before */
      if (judged && proxy_rules_apply(p) && proxy_rcpts_forwarded(p) > fwd) __builtin_trap();
    }
    /* the peers read everything at once; the limits must hold */
    proxy_output(p, PROXY_CLIENT, &len);
    if (len > 2 * PROXY_BUF_MAX) __builtin_trap();
    proxy_sent(p, PROXY_CLIENT, len);
    proxy_output(p, PROXY_SERVER, &len);
    if (len > 2 * PROXY_BUF_MAX) __builtin_trap();
    proxy_sent(p, PROXY_SERVER, len);
    i += n;
  }
  proxy_free(p);
  return 0;
}
