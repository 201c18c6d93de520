#include <string.h>
#include "addr.h"

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

/* A byte that may stand in an address we hand on: no controls, no DEL. */
static int addr_byte(unsigned char c) { return c >= 32 && c != 127; }

enum addr_result addr_parse(const char *arg, size_t len, char *out, size_t *outlen)
{
  size_t i = 0, end, n = 0, at = (size_t)-1;
  int bracket = 0, quoted = 0;

  while (i < len && arg[i] == ' ') ++i;
  if (i < len && arg[i] == '<') { bracket = 1; ++i; }
  /* source route "@a,@b:" is dropped (RFC 5321 4.1.2: receivers must accept and may ignore it) */
  if (bracket && i < len && arg[i] == '@') {
    while (i < len && arg[i] != ':' && arg[i] != '>') ++i;
    if (i >= len || arg[i] != ':') return ADDR_SYNTAX;
    ++i;
  }
  for (end = i; end < len; ++end) {
    unsigned char c = (unsigned char)arg[end];
    if (!addr_byte(c)) return ADDR_SYNTAX;
    if (quoted) {
      if (c == '\\') { if (++end == len) return ADDR_SYNTAX; if (!addr_byte((unsigned char)arg[end])) return ADDR_SYNTAX; }
      else if (c == '"') quoted = 0;
      else { /* inside quotes every printable byte is part of the local part */ }
      if (c != '"') {
        if (n == ADDR_MAX) return ADDR_TOO_LONG;
        out[n++] = lower(arg[end]);
      }
      continue;
    }
    if (c == '"' && at == (size_t)-1) { quoted = 1; continue; }
    if (bracket && c == '>') break;
    if (!bracket && c == ' ') break;
    if (c == '<' || c == '>' || (c == ' ' && bracket)) return ADDR_SYNTAX;
    if (c == '@') at = n;
    if (n == ADDR_MAX) return ADDR_TOO_LONG;
    out[n++] = lower((char)c);
  }
  if (quoted) return ADDR_SYNTAX;
  if (bracket) {
    if (end >= len || arg[end] != '>') return ADDR_SYNTAX;
    /* after '>' only ESMTP parameters, separated by a space */
    if (end + 1 < len && arg[end + 1] != ' ') return ADDR_SYNTAX;
  }
  if (at == (size_t)-1 && memchr(out, '@', n)) return ADDR_SYNTAX;   /* only a quoted '@': ambiguous */
  if (at != (size_t)-1) {
    if (at + 1 == n) return ADDR_SYNTAX;                 /* "user@" */
    if (n && out[n - 1] == '.' && out[at + 1] != '[') --n;  /* "example.com." */
    if (at + 1 == n || out[at + 1] == '.') return ADDR_SYNTAX;
    if (out[at + 1] != '[') {          /* a name, not a literal: no empty label, no brackets */
      size_t i2;
      for (i2 = at + 1; i2 < n; ++i2)
        if (out[i2] == '[' || out[i2] == ']' || (out[i2] == '.' && i2 + 1 < n && out[i2 + 1] == '.')) return ADDR_SYNTAX;
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
  size_t i = len;
  while (i > 0) if (a[--i] == '@') return i;
  return len;
}
