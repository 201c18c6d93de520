#include "num.h"
#include "test.h"

static const struct { const char *s; unsigned long max; int ok; unsigned long v; } ulongs[] = {
  { "0", 10, 1, 0 }, { "60", 1000, 1, 60 }, { "1000", 1000, 1, 1000 }, { "1001", 1000, 0, 0 },
  { "", 10, 0, 0 }, { "-1", 10, 0, 0 }, { "+1", 10, 0, 0 }, { " 1", 10, 0, 0 }, { "1 ", 10, 0, 0 },
  { "1x", 10, 0, 0 }, { "007", 10, 1, 7 }, { "18446744073709551615", (unsigned long)-1, 1, (unsigned long)-1 },
  { "18446744073709551616", (unsigned long)-1, 0, 0 }, { "99999999999999999999999", (unsigned long)-1, 0, 0 },
};
static const struct { const char *s; int ok; unsigned long ms; } secs[] = {
  { "8", 1, 8000 }, { "0", 1, 0 }, { "0.5", 1, 500 }, { "2.25", 1, 2250 }, { "1.0001", 1, 1000 },
  { "0.001", 1, 1 }, { ".5", 0, 0 }, { "5.", 0, 0 }, { "5.x", 0, 0 }, { "", 0, 0 }, { "-1", 0, 0 },
  { "86400", 1, 86400000 }, { "86401", 0, 0 }, { "1e3", 0, 0 }, { "18446744073709551615", 0, 0 },
};

int main(void)
{
  size_t i;
  for (i = 0; i < sizeof ulongs / sizeof ulongs[0]; ++i) {
    unsigned long v = 12345;
    int r = num_ulong(ulongs[i].s, ulongs[i].max, &v);
    CHECK_INT(r, ulongs[i].ok, ulongs[i].s);
    CHECK_INT(v, ulongs[i].ok ? ulongs[i].v : 12345, "value or untouched");
  }
  for (i = 0; i < sizeof secs / sizeof secs[0]; ++i) {
    unsigned long ms = 777;
    int r = num_seconds_ms(secs[i].s, 86400000, &ms);
    CHECK_INT(r, secs[i].ok, secs[i].s);
    CHECK_INT(ms, secs[i].ok ? secs[i].ms : 777, "ms or untouched");
  }
  {
    char out[NUM_FMT + 1];
    out[num_fmt(out, 0)] = 0; CHECK_STR(out, "0", "num_fmt 0");
    out[num_fmt(out, 4711)] = 0; CHECK_STR(out, "4711", "num_fmt 4711");
    out[num_fmt(out, (unsigned long)-1)] = 0; CHECK_STR(out, "18446744073709551615", "num_fmt max");
  }
  return test_done();
}
