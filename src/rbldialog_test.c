#include <string.h>
#include "rbldialog.h"
#include "test.h"

/* Feed a client stream; the answers as a string of letters: O(k) Q(uit) R(eject). */
static const char *run(const char *in, size_t len)
{
  static char out[64];
  struct rbldialog d;
  size_t i, n = 0;
  rbldialog_init(&d);
  for (i = 0; i < len && n < sizeof out - 1; ++i)
    switch (rbldialog_byte(&d, in[i])) {
      case RBLD_OK: out[n++] = 'O'; break;
      case RBLD_QUIT: out[n++] = 'Q'; break;
      case RBLD_REJECT: out[n++] = 'R'; break;
      case RBLD_NONE: break;
    }
  out[n] = 0;
  return out;
}

#define RUN(s) run(s, sizeof s - 1)

int main(void)
{
  static char longline[10000];
  CHECK_STR(RUN("HELO x\r\nEHLO y\r\nMAIL FROM:<a@b>\r\nRSET\r\nNOOP\r\nQUIT\r\n"), "OOOOOQ", "the accepted verbs");
  CHECK_STR(RUN("helo x\r\nqUiT\r\n"), "OQ", "case-insensitive");
  CHECK_STR(RUN("RCPT TO:<a@b>\r\nDATA\r\nVRFY x\r\nAUTH PLAIN\r\nSTARTTLS\r\n\r\n"), "RRRRRR", "everything else rejected");
  CHECK_STR(RUN("HELO\nQUIT\n"), "OQ", "bare LF ends a line");
  CHECK_STR(RUN("QUIT\r\r\n"), "R", "only one CR is dropped");
  CHECK_STR(RUN("QUIT \r\n"), "Q", "space ends the verb");
  CHECK_STR(RUN(" QUIT\r\n"), "R", "leading space: empty verb");
  CHECK_STR(RUN("QUIT\tnow\r\n"), "R", "tab does not end the verb");
  CHECK_STR(RUN("HELO\0x\r\n"), "R", "NUL is part of the verb");
  CHECK_STR(RUN("HELO \0\r\n"), "O", "NUL in the argument is fine");
  CHECK_STR(RUN("QUIT"), "", "no newline: no answer");
  CHECK_STR(RUN("QUI\r\nQUITS\r\n"), "RR", "prefix and longer verb");
  CHECK_STR(RUN("HEL\rO\r\n"), "R", "CR inside the verb");
  memset(longline, 'a', sizeof longline - 3);
  memcpy(longline + sizeof longline - 3, "\r\n", 2);
  CHECK_STR(run(longline, sizeof longline - 1), "R", "10 kB line: one answer, bounded memory");
  memcpy(longline, "HELO ", 5);
  CHECK_STR(run(longline, sizeof longline - 1), "O", "10 kB HELO argument");
  return test_done();
}
