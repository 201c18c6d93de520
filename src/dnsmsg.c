#include <string.h>
#include "dnsmsg.h"

/* Position after the name at pos; 0 when malformed. Like djbdns, a
 * compression pointer ends the name: pointers are never followed, so no loop. */
size_t dnsmsg_skipname(const unsigned char *p, size_t len, size_t pos)
{
  for (;;) {
    unsigned c;
    if (pos >= len) return 0;
    c = p[pos++];
    if (c >= 192) return pos + 1 <= len ? pos + 1 : 0;
    if (c >= 64) return 0;
    if (!c) return pos;
    pos += c;
  }
}

static unsigned u16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }

int dnsmsg_parse(const unsigned char *p, size_t len, struct dnsmsg *m)
{
  size_t pos;
  unsigned qd, an, i;

  memset(m, 0, sizeof *m);
  if (len < 12) return -1;
  m->rcode = p[3] & 15;
  qd = u16(p + 4);
  an = u16(p + 6);
  if (qd != 1) return -1;
  pos = dnsmsg_skipname(p, len, 12);
  if (!pos || pos + 4 > len) return -1;
  pos += 4;
  for (i = 0; i < an; ++i) {
    unsigned type, class, rdlen;
    pos = dnsmsg_skipname(p, len, pos);
    if (!pos || pos + 10 > len) return -1;
    type = u16(p + pos);
    class = u16(p + pos + 2);
    rdlen = u16(p + pos + 8);
    pos += 10;
    if (pos + rdlen > len) return -1;
    if (class == 1 && type == 1 && rdlen == 4) {
      if (m->na < DNSMSG_A_MAX) memcpy(m->a[m->na++], p + pos, 4);
      ++m->natotal;
    }
    if (class == 1 && type == 16) {
      /* character-strings: a length byte, then bytes; concatenated like djbdns's dns_txt */
      size_t j, left = 0;
      for (j = 0; j < rdlen; ++j) {
        if (!left) { left = p[pos + j]; continue; }
        --left;
        if (m->txtlen < DNSMSG_TXT_MAX) m->txt[m->txtlen++] = (char)p[pos + j];
        ++m->txttotal;
      }
    }
    pos += rdlen;
  }
  return 0;
}

