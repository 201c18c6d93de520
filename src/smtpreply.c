#include <string.h>
#include <strings.h>
#include "smtpreply.h"

static int digit(char c) { return c >= '0' && c <= '9'; }

long smtpreply_complete(const char *buf, size_t len, int *code)
{
  size_t pos = 0, lines = 0;
  int first = -1;

  while (pos < len) {
    const char *line = buf + pos, *nl = memchr(line, '\n', len - pos);
    size_t ll;
    int c;
    if (!nl) return len - pos > SMTPREPLY_LINE_MAX ? -1 : 0;
    ll = (size_t)(nl - line);
    if (ll > SMTPREPLY_LINE_MAX) return -1;
    if (ll && line[ll - 1] == '\r') --ll;
    if (ll < 3 || !digit(line[0]) || !digit(line[1]) || !digit(line[2]) || line[0] < '2' || line[0] > '5') return -1;
    if (ll > 3 && line[3] != ' ' && line[3] != '-') return -1;
    c = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (first >= 0 && c != first) return -1;
    first = c;
    if (++lines > SMTPREPLY_LINES_MAX) return -1;
    pos = (size_t)(nl - buf) + 1;
    if (ll == 3 || line[3] == ' ') { *code = c; return (long)pos; }
  }
  return 0;
}

static int keyword(const char *line, size_t ll, const char *kw)
{
  size_t n = strlen(kw);
  if (ll < 4 + n) return 0;
  if (strncasecmp(line + 4, kw, n)) return 0;
  return ll == 4 + n || line[4 + n] == ' ';
}

/* What the proxy cannot carry: BDAT bodies it would not see (CHUNKING,
 * BINARYMIME), TLS it does not terminate itself, a client talking before the
 * banner (PIPECONNECT). Bits as in smtpreply.h. */
static const struct { int bit; const char *name; } removable[] = {
  { SMTPREPLY_STARTTLS, "STARTTLS" }, { SMTPREPLY_CHUNKING, "CHUNKING" },
  { SMTPREPLY_BINARYMIME, "BINARYMIME" }, { SMTPREPLY_PIPECONNECT, "PIPECONNECT" },
};
#define NREMOVABLE (sizeof removable / sizeof removable[0])

size_t smtpreply_ehlo_names(int removed, char *out, size_t size)
{
  size_t i, n = 0;
  for (i = 0; i < NREMOVABLE; ++i) {
    size_t k = strlen(removable[i].name);
    if (!(removed & removable[i].bit)) continue;
    if (n + (n > 0) + k + 1 > size) break;
    if (n) out[n++] = ',';
    memcpy(out + n, removable[i].name, k);
    n += k;
  }
  if (size) out[n] = 0;
  return n;
}

size_t smtpreply_ehlo_filter(char *r, size_t len, int *removed)
{
  size_t in = 0, out = 0, last = (size_t)-1, lastll = 0, nlines = 0;

  *removed = 0;
  while (in < len) {
    const char *nl = memchr(r + in, '\n', len - in);
    size_t full = nl ? (size_t)(nl - (r + in)) + 1 : len - in, ll = full;
    int drop = 0;
    if (ll && r[in + ll - 1] == '\n') --ll;
    if (ll && r[in + ll - 1] == '\r') --ll;
    if (nlines) {              /* the first line is the greeting, never a keyword */
      size_t k;
      for (k = 0; k < NREMOVABLE && !drop; ++k)
        if (keyword(r + in, ll, removable[k].name)) { drop = 1; *removed |= removable[k].bit; }
    }
    if (!drop) {
      memmove(r + out, r + in, full);
      if (ll > 3) r[out + 3] = '-';
      last = out;
      lastll = ll;
      out += full;
    }
    ++nlines;
    in += full;
  }
  if (last != (size_t)-1 && lastll > 3) r[last + 3] = ' ';
  return out;
}
