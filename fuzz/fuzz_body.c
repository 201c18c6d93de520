/* The body scanner (memchr over the middle of lines) against the plain byte
 * machine it replaced, as the oracle: the input is a message body cut into
 * chunks (the first byte of each says how long). Whatever the cuts:
 *  - a clean body ending in CRLF.CRLF: exactly the bytes up to that end reach
 *    the server, and the session goes on;
 *  - a bare CR, bare LF or NUL before any end: the session is aborted and the
 *    server has got a prefix of the bytes before it, never that byte. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <stdlib.h>
#include "proxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { S_BOL, S_MID, S_CR, S_DOT, S_DOTCR };

/* The oracle: -1 - (index of the first bad byte), or the length up to and including the end, or 0 (neither). */
static long oracle(const char *s, size_t n)
{
  size_t i;
  int st = S_BOL;
  for (i = 0; i < n; ++i) {
    char c = s[i];
    int bad = c == '\0', end = 0;
    switch (st) {
      case S_BOL: st = c == '.' ? S_DOT : c == '\r' ? S_CR : S_MID; bad |= c == '\n'; break;
      case S_MID: st = c == '\r' ? S_CR : S_MID; bad |= c == '\n'; break;
      case S_CR: st = S_BOL; bad |= c != '\n'; break;
      case S_DOT: st = c == '\r' ? S_DOTCR : S_MID; bad |= c == '\n'; break;
      case S_DOTCR: end = c == '\n'; bad |= !end; st = S_BOL; break;
    }
    if (bad) return -1 - (long)i;
    if (end) return (long)i + 1;
  }
  return 0;
}

static char *got;
static size_t glen, gcap;

static void take(struct proxy *p)
{
  size_t n;
  const char *s = proxy_output(p, PROXY_SERVER, &n);
  if (glen + n > gcap) {
    gcap = (glen + n) * 2 + 1024;
    got = realloc(got, gcap);
    if (!got) abort();
  }
  memcpy(got + glen, s, n);
  glen += n;
  proxy_sent(p, PROXY_SERVER, n);
  proxy_output(p, PROXY_CLIENT, &n);
  proxy_sent(p, PROXY_CLIENT, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct proxy_conf c;
  struct proxy *p;
  char *body = malloc(size + 1);
  size_t i = 0, blen = 0;
  long want;

  if (!body) return 0;
  memset(&c, 0, sizeof c);
  c.rules_off = 1;
  c.maxline = 512;
  p = proxy_new(&c);
  if (!p) { free(body); return 0; }
  glen = 0;
  proxy_input(p, PROXY_SERVER, "220 hi\r\n", 8);
  proxy_input(p, PROXY_CLIENT, "DATA\r\n", 6);
  proxy_input(p, PROXY_SERVER, "354 go\r\n", 8);
  take(p);
  glen = 0;                  /* count body bytes only */
  while (i < size && !proxy_end(p, 0)) {
    size_t n = data[i++] % 64 + 1;
    if (n > size - i) n = size - i;
    memcpy(body + blen, data + i, n);
    blen += n;
    proxy_input(p, PROXY_CLIENT, (const char *)data + i, n);
    take(p);
    i += n;
  }
  want = oracle(body, blen);
  if (want < 0) {
    size_t badat = (size_t)(-1 - want);
    if (proxy_end(p, 0) != PROXY_ABORT) __builtin_trap();
    if (glen > badat || memcmp(got, body, glen)) __builtin_trap();
  } else if (want > 0) {
    if (glen < (size_t)want || memcmp(got, body, (size_t)want)) __builtin_trap();
    if (proxy_end(p, 0) == PROXY_ABORT && glen == (size_t)want) {
      /* what came after the end was read as commands: fine, but never body bytes */
    }
  } else {
    /* no end yet: what went on is a prefix of the body, short of at most a held CR */
    if (proxy_end(p, 0) || glen > blen || memcmp(got, body, glen)) __builtin_trap();
    if (blen - glen > 1 || (blen - glen == 1 && body[blen - 1] != '\r')) __builtin_trap();
  }
  proxy_free(p);
  free(body);
  return 0;
}
