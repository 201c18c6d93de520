/* num.h — strict number parsing for options and configuration. */
#ifndef NUM_H
#define NUM_H
#include <stddef.h>

/* Decimal digits only, whole string, value <= max. 1 on success, 0 otherwise
 * (*out untouched). No sign, no spaces, no empty string. */
int num_ulong(const char *s, unsigned long max, unsigned long *out);

/* Seconds with an optional fraction ("5", "0.25", "2.5"), into milliseconds,
 * <= max_ms. Digits past the third decimal are accepted and truncated. */
int num_seconds_ms(const char *s, unsigned long max_ms, unsigned long *out_ms);

/* Decimal digits of v into out (at least NUM_FMT bytes), not NUL-terminated;
 * returns their count. (libowfat's fmt_ulong is declared pure, so a compiler
 * may assume it writes nothing: not used.) */
#define NUM_FMT 21
size_t num_fmt(char *out, unsigned long v);
#endif
