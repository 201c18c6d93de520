/* rbldialog.h — the rejecting SMTP dialogue of rblsmtpd, byte for byte:
 * lines end at LF (one CR before it is dropped), the verb is what comes
 * before the first space (a NUL is part of it); QUIT/HELO/EHLO/MAIL/RSET/NOOP get their
 * fixed answers, every other line gets the rejection. Memory stays bounded
 * whatever the line length. */
#ifndef RBLDIALOG_H
#define RBLDIALOG_H
#include <stddef.h>

enum rbldialog_reply { RBLD_NONE = 0, RBLD_OK, RBLD_QUIT, RBLD_REJECT };

#define RBLD_GREETING "220 rblsmtpd.local\r\n"
#define RBLD_OKLINE   "250 rblsmtpd.local\r\n"
#define RBLD_QUITLINE "221 rblsmtpd.local\r\n"

struct rbldialog {
  char verb[8];       /* the first bytes of the verb */
  size_t verblen;     /* the verb's full length so far (saturates) */
  int verbdone;       /* a space ended the verb */
  int lastcr;         /* the line's last byte so far was CR */
};

void rbldialog_init(struct rbldialog *d);
/* Feed one byte from the client: RBLD_NONE until a line ends, then its answer. */
enum rbldialog_reply rbldialog_byte(struct rbldialog *d, char c);
#endif
