/* test.h — the smallest TAP producer: unit tests print "ok N - what" or
 * "not ok N - what (file:line)"; tests/run counts them. Include in *_test.c only. */
#ifndef TEST_H
#define TEST_H
#include <stdio.h>
#include <string.h>

static int test_n, test_failed;

#define CHECK(cond, what) do { ++test_n; if (cond) printf("ok %d - %s\n", test_n, (what)); \
  else { ++test_failed; printf("not ok %d - %s (%s:%d: %s)\n", test_n, (what), __FILE__, __LINE__, #cond); } } while (0)

#define CHECK_STR(got, want, what) do { const char *g_ = (got), *w_ = (want); ++test_n; \
  if (g_ && w_ && !strcmp(g_, w_)) printf("ok %d - %s\n", test_n, (what)); \
  else { ++test_failed; printf("not ok %d - %s (%s:%d: got \"%s\", want \"%s\")\n", test_n, (what), \
    __FILE__, __LINE__, g_ ? g_ : "(null)", w_ ? w_ : "(null)"); } } while (0)

#define CHECK_INT(got, want, what) do { long long g_ = (long long)(got), w_ = (long long)(want); ++test_n; \
  if (g_ == w_) printf("ok %d - %s\n", test_n, (what)); \
  else { ++test_failed; printf("not ok %d - %s (%s:%d: got %lld, want %lld)\n", test_n, (what), \
    __FILE__, __LINE__, g_, w_); } } while (0)

/* main ends with: return test_done(); */
static inline int test_done(void) { printf("1..%d\n", test_n); fflush(stdout); return test_failed != 0; }
#endif
