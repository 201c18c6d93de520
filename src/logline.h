/* logline.h — one key=value line per decision, written to stderr in one write(2).
 *   struct logline l; logline_start(&l, "rcptfilter");
 *   logline_str(&l, "ip", ip); logline_ulong(&l, "pid", getpid());
 *   logline_text(&l, "text", txt, txtlen); logline_end(&l);
 * Values are sanitized: plain values keep [A-Za-z0-9._:@<>+/=-] and others become '?';
 * logline_text quotes its value. The line is cut at LOGLINE_MAX. */
#ifndef LOGLINE_H
#define LOGLINE_H
#include <stddef.h>

#define LOGLINE_MAX 1024
#define LOGLINE_TEXT_MAX 300      /* longest quoted text kept */

struct logline {
  char buf[LOGLINE_MAX];
  size_t len;
};

void logline_start(struct logline *l, const char *prog);
/* The opening every decision line shares: "prog: ip=IP pid=PID action=ACTION". */
void logline_begin(struct logline *l, const char *prog, const char *ip, const char *action);
void logline_str(struct logline *l, const char *key, const char *val);
void logline_bytes(struct logline *l, const char *key, const char *val, size_t len);
void logline_ulong(struct logline *l, const char *key, unsigned long val);
void logline_text(struct logline *l, const char *key, const char *val, size_t len);
/* Terminate with '\n' and write to fd 2. Returns 0, or -1 when write failed. */
int logline_end(struct logline *l);
/* Same, into fd (tests). */
int logline_end_fd(struct logline *l, int fd);
#endif
