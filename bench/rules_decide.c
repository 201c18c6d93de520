/* bench/rules_decide RULES.CDB N — N decisions against one rules cdb, timed
 * (built by bench/rules.bench against build/libsuite.a). Prints ns per decision. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "rules.h"

int main(int argc, char **argv)
{
  struct rules *r;
  struct rules_decision d;
  struct timespec a, b;
  unsigned long n, i, denied = 0;
  char sender[64], rcpt[64];
  if (argc != 3 || !(r = rules_open(argv[1]))) return 111;
  n = strtoul(argv[2], 0, 10);
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (i = 0; i < n; ++i) {
    int sl = snprintf(sender, sizeof sender, "s%lu@sub%lu.spam.example", i % 7, i % 13);
    int rl = snprintf(rcpt, sizeof rcpt, "u%lu@example.com", i % 10);
    if (rules_decide(r, sender, (size_t)sl, rcpt, (size_t)rl, &d)) return 111;
    denied += d.action == RULES_DENY;
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.0f %lu\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n, denied);
  rules_close(r);
  return 0;
}
