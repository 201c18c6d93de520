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
  unsigned long check = 0;

  memset(&c, 0, sizeof c);
  c.rules_off = size && (data[0] & 1);
  c.rblsmtpd = size && (data[0] & 2) ? "-listed" : 0;
  c.trace = size && (data[0] & 4);
  c.maxline = 512;
  c.tls_offer = size && (data[0] & 8);
  c.tls_active = size && (data[0] & 16);
  /* REVIEW: the second wave's phases too: sender checks (answered when the
   * chunk's top bit is set), the harvest guard, the RCPT limit */
  c.checks = size && (data[0] & 32);
  c.maxbad = size && (data[0] & 64) ? 3 : 0;
  c.maxrcpt = size && (data[0] & 128) ? 2 : 0;
  p = proxy_new(&c);
  if (!p) return 0;
  while (i < size && !proxy_end(p, 0)) {
    size_t n = (data[i] >> 1) + 1;
    int server = data[i] & 1;
    ++i;
    if (n > size - i) n = size - i;
    /* STARTTLS: the driver says yes or no by the chunk's low bit; after the
     * handshake no AUTH survives, and nothing is left for the old server */
    if (proxy_tls_state(p) == PROXY_TLS_ASK) {
      if (proxy_room(p, PROXY_CLIENT)) __builtin_trap();
      if (server) proxy_tls_go(p); else proxy_tls_refuse(p);
    } else if (proxy_tls_state(p) == PROXY_TLS_HANDSHAKE) {
      if (proxy_room(p, PROXY_CLIENT)) __builtin_trap();
      proxy_output(p, PROXY_CLIENT, &len);
      proxy_sent(p, PROXY_CLIENT, len);
      proxy_tls_up(p);
      proxy_output(p, PROXY_SERVER, &len);
      if (len || !proxy_tls_active(p) || (!c.rules_off && !proxy_rules_apply(p))) __builtin_trap();
    }
    if (c.checks) {
      struct proxy_check_req req;
      unsigned long w = proxy_check_wanted(p, &req);
      if (w) check = w;
      if (check && (data[i - 1] & 128)) {
        static const struct proxy_check no = { "spf", "550 5.7.23 SPF fail", "spf", "fail" }, yes = { 0, 0, "spf", "pass" };
        unsigned long id = check;
        check = 0;
        proxy_check_done(p, id, (data[i - 1] & 64) ? &no : &yes);
        if (proxy_end(p, 0)) break;
      }
    }
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
