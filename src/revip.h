/* revip.h — the client's address as tcpserver gives it, and its DNSBL form:
 * IPv4 "a.b.c.d" → "d.c.b.a.", IPv6 → 32 reversed nibbles "x.x.(...).x.",
 * IPv4-mapped "::ffff:a.b.c.d" → the IPv4 form. */
#ifndef REVIP_H
#define REVIP_H
#include <stddef.h>

#define REVIP_TEXT_MAX 64      /* longest address text we accept */
#define REVIP_REV_MAX 64       /* 32 nibbles and 32 dots */

struct revip {
  int v6;                        /* 0: IPv4, 1: IPv6 */
  unsigned char ip[16];          /* 4 or 16 bytes used */
  char text[REVIP_TEXT_MAX + 1]; /* canonical text: dotted quad, or the IPv6 text as given */
  char rev[REVIP_REV_MAX + 1];   /* reversed labels, each followed by '.' */
  size_t revlen;
};

/* Parse one address text. 1 on success, 0 when it is not an address. */
int revip_parse(struct revip *r, const char *s);

/* The client address from the environment: TCPREMOTEIP, else TCP6REMOTEIP.
 * 1 on success; 0 when unset or unparseable (*r is then unusable). */
int revip_from_env(struct revip *r);
#endif
