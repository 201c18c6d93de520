/* sanitize.h — make bytes from the network or DNS safe to echo or log. */
#ifndef SANITIZE_H
#define SANITIZE_H
#include <stddef.h>

/* Copy at most outmax-1 bytes of in[0..len) to out, each byte outside
 * printable ASCII (0x20..0x7e) replaced by '?'; NUL-terminate; return the
 * length written. outmax must be at least 1. */
size_t sanitize(char *out, size_t outmax, const char *in, size_t len);

/* Same, for a double-quoted log value: also '"' and '\\' become '?'. */
size_t sanitize_quoted(char *out, size_t outmax, const char *in, size_t len);
#endif
