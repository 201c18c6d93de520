/* traplog.h — reading rcptfilter's spamtrap log lines, as multilog stores them:
 *   @4000000069246c1d2a6f3e1c rcptfilter: ip=192.0.2.7 pid=4712 action=trap from=<a@b.example> rcpt=<trap@example.com> rule=3 file=rules:17
 * (the @tai64n stamp is optional). A line counts only when it is rcptfilter's,
 * says action=trap exactly once and names exactly one ip=; key=value tokens are
 * split on spaces, so a sender address cannot smuggle in a second ip=. */
#ifndef TRAPLOG_H
#define TRAPLOG_H
#include <stddef.h>
#include "iprange.h"

#define TRAPLOG_RCPT_MAX 100

struct traplog_hit {
  struct iprange_addr ip;
  long long when;                 /* unix seconds from the @tai64n stamp; 0 without one */
  char rcpt[TRAPLOG_RCPT_MAX + 1]; /* rcpt= value, kept to [A-Za-z0-9.@<>+_=-], may be cut */
};

/* 1 when line[0..len) is a trap line (hit filled), else 0. */
int traplog_parse(const char *line, size_t len, struct traplog_hit *hit);
/* "@" and 24 hex digits → unix seconds. 1 on success. */
int traplog_tai64n(const char *s, size_t len, long long *unix_seconds);
#endif
