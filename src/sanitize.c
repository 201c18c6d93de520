#include "sanitize.h"

static size_t copy_printable(char *out, size_t outmax, const char *in, size_t len, int quoted)
{
  size_t i, n = len < outmax - 1 ? len : outmax - 1;

  for (i = 0; i < n; ++i) {
    unsigned char c = (unsigned char)in[i];
    if (c < 0x20 || c > 0x7e || (quoted && (c == '"' || c == '\\'))) c = '?';
    out[i] = (char)c;
  }
  out[n] = 0;
  return n;
}

size_t sanitize(char *out, size_t outmax, const char *in, size_t len)
{
  return copy_printable(out, outmax, in, len, 0);
}

size_t sanitize_quoted(char *out, size_t outmax, const char *in, size_t len)
{
  return copy_printable(out, outmax, in, len, 1);
}
