/* fuzz/stubsmtp — the smallest SMTP server on stdin/stdout, the backend for
 * the AFL++ run of the whole rcptfilter (fuzz/afl-rcptfilter). Fast to start,
 * never blocks on anything but its input. Says PIPELINING, STARTTLS, CHUNKING
 * in its EHLO reply (rcptfilter must strip two of them); RCPT to a local part
 * starting with "unknown" gets 550; AUTH gets 334, then 235 for "good". */
#include <stdio.h>
#include <string.h>
#include <strings.h>

static void say(const char *s) { fputs(s, stdout); fflush(stdout); }

/* the line is this verb, alone or followed by a space (CRLF or LF ends it) */
static int is(const char *line, const char *verb)
{
  size_t n = strlen(verb);
  if (strncasecmp(line, verb, n)) return 0;
  return line[n] == ' ' || !strcmp(line + n, "\r\n") || !strcmp(line + n, "\n");
}

int main(void)
{
  char line[70000];
  say("220 stub ESMTP\r\n");
  while (fgets(line, sizeof line, stdin)) {
    if (is(line, "EHLO")) say("250-stub\r\n250-PIPELINING\r\n250-STARTTLS\r\n250-CHUNKING\r\n250 8BITMIME\r\n");
    else if (is(line, "HELO")) say("250 stub\r\n");
    else if (!strncasecmp(line, "RCPT TO:<unknown", 16)) say("550 5.1.1 unknown\r\n");
    else if (is(line, "MAIL") || is(line, "RCPT") || is(line, "RSET") || is(line, "NOOP")) say("250 ok\r\n");
    else if (is(line, "DATA")) {
      say("354 go ahead\r\n");
      while (fgets(line, sizeof line, stdin) && strcmp(line, ".\r\n")) ;
      say("250 ok queued\r\n");
    } else if (is(line, "AUTH")) {
      say("334 \r\n");
      if (!fgets(line, sizeof line, stdin)) return 0;
      say(strncmp(line, "good", 4) ? "535 no\r\n" : "235 ok\r\n");
    } else if (is(line, "QUIT")) { say("221 bye\r\n"); return 0; }
    else say("502 unimplemented\r\n");
  }
  return 0;
}
