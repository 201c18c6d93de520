#include <string.h>
#include "blocklist.h"

static int blank(char c) { return c == ' ' || c == '\t'; }

static long long days_from_civil(long long y, unsigned m, unsigned d)
{
  long long era;
  unsigned yoe, doy, doe;
  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = (unsigned)(y - era * 400);
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (long long)doe - 719468;
}

static int digits(const char *s, size_t n, unsigned *out)
{
  unsigned v = 0;
  size_t i;
  for (i = 0; i < n; ++i) {
    if (s[i] < '0' || s[i] > '9') return 0;
    v = v * 10 + (unsigned)(s[i] - '0');
  }
  *out = v;
  return 1;
}

static unsigned month_days(unsigned y, unsigned m)
{
  static const unsigned char dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return dm[m - 1];
}

int blocklist_time_parse(const char *s, size_t len, long long *t)
{
  unsigned y, mo, d, h = 0, mi = 0, se = 0;

  if (len != 10 && len != 17 && len != 20) return 0;
  if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d)) return 0;
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo)) return 0;
  if (len > 10) {
    if (s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi)) return 0;
    if (len == 17 && s[16] != 'Z') return 0;
    if (len == 20 && (s[16] != ':' || !digits(s + 17, 2, &se) || s[19] != 'Z')) return 0;
    if (h > 23 || mi > 59 || se > 59) return 0;
  }
  *t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
  return 1;
}

static void put2(char *o, unsigned v) { o[0] = (char)('0' + v / 10 % 10); o[1] = (char)('0' + v % 10); }

size_t blocklist_time_fmt(char *out, long long t)
{
  long long z, era, days, secs;
  unsigned doe, yoe, doy, mp, d, m;
  long long y;

  if (t < 0) t = 0;
  if (t > 253402300799LL) t = 253402300799LL;   /* 9999-12-31T23:59:59Z */
  days = t / 86400;
  secs = t % 86400;
  z = days + 719468;
  era = z / 146097;
  doe = (unsigned)(z - era * 146097);
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = (long long)yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  put2(out, (unsigned)(y / 100));
  put2(out + 2, (unsigned)(y % 100));
  out[4] = '-'; put2(out + 5, m);
  out[7] = '-'; put2(out + 8, d);
  out[10] = 'T'; put2(out + 11, (unsigned)(secs / 3600));
  out[13] = ':'; put2(out + 14, (unsigned)(secs / 60 % 60));
  out[16] = ':'; put2(out + 17, (unsigned)(secs % 60));
  out[19] = 'Z';
  out[20] = 0;
  return 20;
}

enum blocklist_line blocklist_parse_line(const char *line, size_t len, struct blocklist_entry *e, const char **why)
{
  size_t i = 0, start, end;

  if (len > BLOCKLIST_LINE_MAX) { *why = "line too long"; return BLOCKLIST_BAD; }
  for (end = 0; end < len; ++end) {
    unsigned char c = (unsigned char)line[end];
    if (c == '#' && (end == 0 || blank(line[end - 1]))) break;   /* comment */
    if ((c < 0x20 && c != '\t') || c > 0x7e) { *why = "control or non-ASCII byte"; return BLOCKLIST_BAD; }
  }
  while (end > 0 && blank(line[end - 1])) --end;
  while (i < end && blank(line[i])) ++i;
  if (i == end) return BLOCKLIST_BLANK;

  memset(e, 0, sizeof *e);
  start = i;
  while (i < end && !blank(line[i])) ++i;
  if ((*why = iprange_parse(line + start, i - start, &e->range))) return BLOCKLIST_BAD;
  while (i < end && blank(line[i])) ++i;

  if (end - i >= 8 && !memcmp(line + i, "expires=", 8)) {
    i += 8;
    start = i;
    while (i < end && !blank(line[i])) ++i;
    if (!blocklist_time_parse(line + start, i - start, &e->expires) || e->expires == 0) {
      *why = "bad expiry time (want 2026-12-01 or 2026-12-01T18:30:00Z)";
      return BLOCKLIST_BAD;
    }
    while (i < end && blank(line[i])) ++i;
  }
  if (end - i > BLOCKLIST_REASON_MAX) { *why = "reason too long"; return BLOCKLIST_BAD; }
  for (start = i; i < end; ++i) e->reason[e->reason_len++] = line[i] == '\t' ? ' ' : line[i];
  e->reason[e->reason_len] = 0;
  return BLOCKLIST_ENTRY;
}

int blocklist_lines(const char *data, size_t len,
                    int (*each)(const char *line, size_t len, unsigned long lineno, void *ctx), void *ctx)
{
  size_t off = 0;
  unsigned long lineno = 0;

  while (off < len) {
    const char *nl = memchr(data + off, '\n', len - off);
    size_t n = nl ? (size_t)(nl - (data + off)) : len - off;
    size_t k = n;
    int r;
    if (k && data[off + k - 1] == '\r') --k;
    r = each(data + off, k, ++lineno, ctx);
    if (r) return r;
    off += n + (nl != 0);
  }
  return 0;
}
