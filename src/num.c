#include <string.h>
#include "num.h"

static int digits(const char *s, const char **end, unsigned long *out)
{
  unsigned long v = 0;
  const char *p = s;

  for (; *p >= '0' && *p <= '9'; ++p)
    if (__builtin_mul_overflow(v, 10UL, &v) || __builtin_add_overflow(v, (unsigned long)(*p - '0'), &v)) return 0;
  if (p == s) return 0;
  *end = p;
  *out = v;
  return 1;
}

int num_ulong(const char *s, unsigned long max, unsigned long *out)
{
  const char *end;
  unsigned long v;

  if (!digits(s, &end, &v) || *end || v > max) return 0;
  *out = v;
  return 1;
}

int num_seconds_ms(const char *s, unsigned long max_ms, unsigned long *out_ms)
{
  const char *end;
  unsigned long whole, ms, scale = 100;

  if (!digits(s, &end, &whole)) return 0;
  if (__builtin_mul_overflow(whole, 1000UL, &ms)) return 0;
  if (*end == '.') {
    const char *p = end + 1;
    if (*p < '0' || *p > '9') return 0;
    for (; *p >= '0' && *p <= '9'; ++p) {
      ms += (unsigned long)(*p - '0') * scale;   /* cannot overflow: adds < 1000 in total */
      scale /= 10;
    }
    end = p;
  }
  if (*end || ms > max_ms) return 0;
  *out_ms = ms;
  return 1;
}

size_t num_fmt(char *out, unsigned long v)
{
  char tmp[NUM_FMT];
  size_t i = sizeof tmp, n;
  do { tmp[--i] = (char)('0' + v % 10); v /= 10; } while (v);
  n = sizeof tmp - i;
  memcpy(out, tmp + i, n);
  return n;
}
