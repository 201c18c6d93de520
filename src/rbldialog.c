#include <string.h>
#include <strings.h>
#include "rbldialog.h"

void rbldialog_init(struct rbldialog *d)
{
  memset(d, 0, sizeof *d);
}

static enum rbldialog_reply answer(const struct rbldialog *d)
{
  static const char *const ok[] = { "helo", "ehlo", "mail", "rset", "noop" };
  size_t len = d->verblen, i;

  if (!d->verbdone && d->lastcr) --len;      /* "QUIT\r": the CR is not part of the verb */
  if (len != 4) return RBLD_REJECT;
  if (!strncasecmp(d->verb, "quit", 4)) return RBLD_QUIT;
  for (i = 0; i < sizeof ok / sizeof ok[0]; ++i)
    if (!strncasecmp(d->verb, ok[i], 4)) return RBLD_OK;
  return RBLD_REJECT;
}

enum rbldialog_reply rbldialog_byte(struct rbldialog *d, char c)
{
  enum rbldialog_reply r;

  if (c == '\n') {
    r = answer(d);
    rbldialog_init(d);
    return r;
  }
  d->lastcr = c == '\r';
  if (d->verbdone) return RBLD_NONE;
  if (c == ' ') { d->verbdone = 1; return RBLD_NONE; }   /* NUL is an ordinary byte, as in rblsmtpd */
  if (d->verblen < sizeof d->verb) d->verb[d->verblen] = c;
  if (d->verblen < 64) ++d->verblen;           /* only "is it 4 (or 5 with CR)" matters */
  return RBLD_NONE;
}
