/* blocklist.h — one line of a private blocklist (rblzone's input, traplist's
 * output):
 *     ADDRESS [expires=TIME] [reason text]        # comment
 * ADDRESS is anything iprange_parse takes (192.0.2.7, 198.51.100.0/24,
 * 66.119.42.140-143, 2001:db8::/48 ...). TIME is UTC: 2026-12-01 (00:00 that
 * day), 2026-12-01T18:30Z or 2026-12-01T18:30:00Z. The reason is printable
 * ASCII, at most BLOCKLIST_REASON_MAX bytes. Blank lines and lines whose first
 * non-blank byte is '#' are ignored; so is a '#' after whitespace (a trailing
 * comment). Lines end in LF (a CR before it is dropped). */
#ifndef BLOCKLIST_H
#define BLOCKLIST_H
#include <stddef.h>
#include "iprange.h"

#define BLOCKLIST_LINE_MAX 1000
#define BLOCKLIST_REASON_MAX 200
#define BLOCKLIST_TIME_MAX 21      /* "2026-12-01T18:30:00Z" and NUL */

struct blocklist_entry {
  struct iprange range;
  long long expires;               /* unix seconds; 0: never */
  char reason[BLOCKLIST_REASON_MAX + 1];
  size_t reason_len;
};

enum blocklist_line { BLOCKLIST_BAD = -1, BLOCKLIST_BLANK = 0, BLOCKLIST_ENTRY = 1 };

/* line[0..len) without its LF. On BLOCKLIST_BAD *why is a static reason. */
enum blocklist_line blocklist_parse_line(const char *line, size_t len, struct blocklist_entry *e, const char **why);

/* UTC time text → unix seconds (years 1970..9999). 1 on success. */
int blocklist_time_parse(const char *s, size_t len, long long *t);
/* unix seconds → "YYYY-MM-DDTHH:MM:SSZ" into out[BLOCKLIST_TIME_MAX]. */
size_t blocklist_time_fmt(char *out, long long t);

/* Calls each(line, len, lineno, ctx) for every line of data[0..len), without
 * the LF (and without a CR before it); stops when each returns nonzero and
 * returns that value, else 0. */
int blocklist_lines(const char *data, size_t len,
                    int (*each)(const char *line, size_t len, unsigned long lineno, void *ctx), void *ctx);
#endif
