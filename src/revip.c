#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <ip4.h>
#include "revip.h"

static const char hex[] = "0123456789abcdef";

/* Strict dotted quad: four decimal fields 0..255, one to three digits each. */
static int dotted_quad(const char *s, unsigned char ip[4])
{
  int i;
  for (i = 0; i < 4; ++i) {
    unsigned v = 0, n = 0;
    while (*s >= '0' && *s <= '9' && n < 4) { v = v * 10 + (unsigned)(*s++ - '0'); ++n; }
    if (!n || n > 3 || v > 255) return 0;
    ip[i] = (unsigned char)v;
    if (i < 3 && *s++ != '.') return 0;
  }
  return *s == 0;
}

static void rev4(struct revip *r)
{
  char back[4] = { (char)r->ip[3], (char)r->ip[2], (char)r->ip[1], (char)r->ip[0] };
  r->revlen = fmt_ip4(r->rev, back);
  r->rev[r->revlen++] = '.';
  r->rev[r->revlen] = 0;
}

static void text4(struct revip *r)
{
  r->text[fmt_ip4(r->text, (const char *)r->ip)] = 0;
}

static void rev6(struct revip *r)
{
  char *p = r->rev;
  int i;
  for (i = 15; i >= 0; --i) {
    *p++ = hex[r->ip[i] & 15]; *p++ = '.';
    *p++ = hex[r->ip[i] >> 4]; *p++ = '.';
  }
  *p = 0;
  r->revlen = (size_t)(p - r->rev);
}

int revip_parse(struct revip *r, const char *s)
{
  static const unsigned char mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };
  char buf[REVIP_TEXT_MAX + 1];
  size_t n = strlen(s);
  char *pct;

  if (!n || n > REVIP_TEXT_MAX) return 0;
  memset(r, 0, sizeof *r);
  if (!strchr(s, ':')) {
    if (!dotted_quad(s, r->ip)) return 0;
    text4(r);
    rev4(r);
    return 1;
  }
  memcpy(buf, s, n + 1);
  pct = strchr(buf, '%');           /* link-local scope: not part of the address */
  if (pct) *pct = 0;
  if (inet_pton(AF_INET6, buf, r->ip) != 1) return 0;
  if (!memcmp(r->ip, mapped, 12)) {
    memmove(r->ip, r->ip + 12, 4);
    memset(r->ip + 4, 0, 12);
    text4(r);
    rev4(r);
    return 1;
  }
  r->v6 = 1;
  if (!inet_ntop(AF_INET6, r->ip, r->text, sizeof r->text)) return 0;
  rev6(r);
  return 1;
}

int revip_from_env(struct revip *r)
{
  const char *s = getenv("TCPREMOTEIP");
  if (!s || !*s) s = getenv("TCP6REMOTEIP");
  if (!s) return 0;
  return revip_parse(r, s);
}
