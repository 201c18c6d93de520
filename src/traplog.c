#include <string.h>
#include "traplog.h"

static int hexval(char c)
{
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int traplog_tai64n(const char *s, size_t len, long long *unix_seconds)
{
  unsigned long long tai = 0;
  size_t i;
  if (len != 25 || s[0] != '@') return 0;
  for (i = 1; i < 25; ++i) if (hexval(s[i]) < 0) return 0;
  for (i = 1; i <= 16; ++i) tai = tai << 4 | (unsigned)hexval(s[i]);
  /* TAI64 label = 2^62 + 10 + unix seconds (the libtai convention multilog uses) */
  if (tai < 4611686018427387914ULL || tai - 4611686018427387914ULL > 253402300799ULL) return 0;
  *unix_seconds = (long long)(tai - 4611686018427387914ULL);
  return 1;
}

static void keep_rcpt(char *out, const char *s, size_t len)
{
  size_t i, n = 0;
  for (i = 0; i < len && n < TRAPLOG_RCPT_MAX; ++i) {
    char c = s[i];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c && strchr(".@<>+_=-", c));
    out[n++] = ok ? c : '?';
  }
  out[n] = 0;
}

int traplog_parse(const char *line, size_t len, struct traplog_hit *hit)
{
  size_t i = 0;
  int traps = 0, ips = 0;

  memset(hit, 0, sizeof *hit);
  if (len >= 26 && line[0] == '@' && line[25] == ' ') {
    if (!traplog_tai64n(line, 25, &hit->when)) return 0;
    i = 26;
  }
  if (len - i < 11 || memcmp(line + i, "rcptfilter:", 11)) return 0;
  i += 11;
  while (i < len) {
    size_t start, eq, end;
    while (i < len && line[i] == ' ') ++i;
    start = i;
    while (i < len && line[i] != ' ' && line[i] != '=') ++i;
    if (i >= len || line[i] != '=') { while (i < len && line[i] != ' ') ++i; continue; }
    eq = i++;
    if (i < len && line[i] == '"') {                /* quoted text may hold spaces */
      const char *q = memchr(line + i + 1, '"', len - i - 1);
      i = q ? (size_t)(q - line) + 1 : len;
    }
    while (i < len && line[i] != ' ') ++i;
    end = i;
    if (eq - start == 6 && !memcmp(line + start, "action", 6)) {
      if (end - eq - 1 == 4 && !memcmp(line + eq + 1, "trap", 4)) ++traps;
      else return 0;
    } else if (eq - start == 2 && !memcmp(line + start, "ip", 2)) {
      if (++ips > 1 || !iprange_addr_parse(line + eq + 1, end - eq - 1, &hit->ip)) return 0;
    } else if (eq - start == 4 && !memcmp(line + start, "rcpt", 4)) {
      keep_rcpt(hit->rcpt, line + eq + 1, end - eq - 1);
    }
  }
  return traps == 1 && ips == 1;
}
