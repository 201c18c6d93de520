/* The whole relay state machine: the first byte of each chunk says who
 * speaks (client or backend) and how much; any order, any bytes. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include "proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static struct proxy p;
  struct proxy_conf c;
  size_t i = 0;

  memset(&c, 0, sizeof c);
  c.rules_off = size && (data[0] & 1);
  c.rblsmtpd = size && (data[0] & 2) ? "-listed" : 0;
  c.maxline = 512;
  c.ip = "192.0.2.1";
  memset(&p, 0, sizeof p);
  if (proxy_init(&p, &c)) return 0;
  while (i < size && !p.end) {
    size_t n = (data[i] >> 1) + 1;
    int backend = data[i] & 1;
    ++i;
    if (n > size - i) n = size - i;
    if (backend) { if (proxy_backend_room(&p) >= n) proxy_backend_input(&p, (const char *)data + i, n); }
    else if (proxy_client_room(&p) >= n) {
      unsigned long fwd = p.rcpt_fwd;
      int judged = !c.rules_off && !p.authenticated;
      proxy_client_input(&p, (const char *)data + i, n);
      /* the rules are unreadable here: every RCPT they would judge gets 451,
       * so with rules on no RCPT may ever be forwarded, whatever came before */
      if (judged && !p.authenticated && p.rcpt_fwd > fwd) __builtin_trap();
    }
    /* the peers read everything at once; the limits must hold */
    if (p.tocl.len > 2 * PROXY_BUF_MAX || p.tobe.len > 2 * PROXY_BUF_MAX || p.qlen > PROXY_QUEUE_MAX + 1) __builtin_trap();
    pbuf_consume(&p.tocl, p.tocl.len);
    pbuf_consume(&p.tobe, p.tobe.len);
    i += n;
  }
  proxy_free(&p);
  return 0;
}
