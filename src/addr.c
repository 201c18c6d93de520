#include <string.h>
#include "addr.h"

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

/* A byte that may stand in an address we hand on: no controls, no DEL. */
static int addr_byte(unsigned char c) { return c >= 32 && c != 127; }

/* Bytes the loop below copies without a second look (most of any address):
 * printable or 8-bit, and none of space " \\ < > @ DEL. The table gives such a
 * byte lowercased, and 0 for every other byte. */
#define LOW(c) ((c) + 32 * ((c) >= 'A' && (c) <= 'Z'))
#define PLAIN(c) ((c) > 32 && (c) != 127 && (c) != '"' && (c) != '\\' && (c) != '<' && (c) != '>' && (c) != '@' ? LOW(c) : 0)
#define PLAIN4(c) PLAIN(c), PLAIN((c) + 1), PLAIN((c) + 2), PLAIN((c) + 3)
#define PLAIN16(c) PLAIN4(c), PLAIN4((c) + 4), PLAIN4((c) + 8), PLAIN4((c) + 12)
#define PLAIN64(c) PLAIN16(c), PLAIN16((c) + 16), PLAIN16((c) + 32), PLAIN16((c) + 48)
static const unsigned char plain[256] = { PLAIN64(0), PLAIN64(64), PLAIN64(128), PLAIN64(192) };

enum addr_result addr_parse(const char *arg, size_t len, char *out, size_t *outlen)
{
  size_t i = 0, end, n = 0, at = (size_t)-1;
  int bracket = 0, quoted = 0;

  while (i < len && arg[i] == ' ') ++i;
  if (i < len && arg[i] == '<') { bracket = 1; ++i; }
  /* qmail-smtpd takes the address from the first '<' anywhere, and drops a
   * source route with or without brackets: an unbracketed argument that has
   * a '<' later, or starts with '@', would be another mailbox to the server
   * than to the rules. Nobody sends them: refuse. */
  else if (memchr(arg + i, '<', len - i) || (i < len && arg[i] == '@')) return ADDR_SYNTAX;
  /* source route "@a,@b:" is dropped (RFC 5321 4.1.2: receivers must accept and may ignore it) */
  if (bracket && i < len && arg[i] == '@') {
    while (i < len && arg[i] != ':' && arg[i] != '>') ++i;
    if (i >= len || arg[i] != ':') return ADDR_SYNTAX;
    ++i;
  }
  for (end = i; end < len; ++end) {
    unsigned char c;
    if (!quoted) {    /* the fast run of plain bytes, as far as ADDR_MAX allows */
      size_t stop = len - end < ADDR_MAX - n ? len : end + (ADDR_MAX - n);
      unsigned char p;
      while (end < stop && (p = plain[(unsigned char)arg[end]])) { out[n++] = (char)p; ++end; }
      if (end == len) break;
    }
    c = (unsigned char)arg[end];
    if (!addr_byte(c)) return ADDR_SYNTAX;
    /* quotes and backslashes as qmail-smtpd reads them, anywhere in the
     * address: a backslash takes the next byte as it is, a quote opens or
     * closes, both vanish. "jo\e"@ex"ample".com is joe@example.com to the
     * server, so it must be joe@example.com to the rules too. */
    if (c == '\\') {
      if (++end == len || !addr_byte((unsigned char)arg[end])) return ADDR_SYNTAX;
      if (n == ADDR_MAX) return ADDR_TOO_LONG;
      out[n++] = lower(arg[end]);
      continue;
    }
    if (c == '"') { quoted = !quoted; continue; }
    if (!quoted) {
      if (bracket && c == '>') break;
      if (!bracket && c == ' ') break;
      if (c == '<' || c == '>' || (c == ' ' && bracket)) return ADDR_SYNTAX;
      if (c == '@') at = n;
    }
    if (n == ADDR_MAX) return ADDR_TOO_LONG;
    out[n++] = lower((char)c);
  }
  if (quoted) return ADDR_SYNTAX;
  if (bracket) {
    if (end >= len || arg[end] != '>') return ADDR_SYNTAX;
    /* after '>' only ESMTP parameters, separated by a space */
    if (end + 1 < len && arg[end + 1] != ' ') return ADDR_SYNTAX;
  }
  /* a quoted or escaped '@' with no plain one, or after the plain one: the
   * server splits at the last '@' of what it read, we cannot say which is meant */
  if (n && memrchr(out, '@', n) != (at == (size_t)-1 ? NULL : out + at)) return ADDR_SYNTAX;
  if (at != (size_t)-1) {
    if (at + 1 == n) return ADDR_SYNTAX;                 /* "user@" */
    if (n && out[n - 1] == '.' && out[at + 1] != '[') --n;  /* "example.com." */
    if (at + 1 == n || out[at + 1] == '.') return ADDR_SYNTAX;
    if (out[at + 1] != '[') {          /* a name, not a literal: no empty label, no brackets */
      const char *d = out + at + 1;
      size_t dn = n - at - 1;
      const char *dot;
      if (memchr(d, '[', dn) || memchr(d, ']', dn)) return ADDR_SYNTAX;
      for (dot = d; (dot = memchr(dot, '.', (size_t)(d + dn - dot))); ++dot)
        if (dot + 1 < d + dn && dot[1] == '.') return ADDR_SYNTAX;
      if (out[n - 1] == '.') return ADDR_SYNTAX;
    } else if (out[n - 1] != ']') return ADDR_SYNTAX;
  }
  if (!bracket && !n) return ADDR_SYNTAX;
  out[n] = 0;
  *outlen = n;
  return ADDR_OK;
}

size_t addr_at(const char *a, size_t len)
{
  const char *p = memrchr(a, '@', len);
  return p ? (size_t)(p - a) : len;
}
