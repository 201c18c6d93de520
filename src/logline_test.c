#include <unistd.h>
#include <fcntl.h>
#include "logline.h"
#include "sanitize.h"
#include "test.h"

static const char *line(struct logline *l)
{
  static char out[LOGLINE_MAX + 1];
  int p[2];
  ssize_t n;
  if (pipe(p)) return "pipe failed";
  logline_end_fd(l, p[1]);
  close(p[1]);
  n = read(p[0], out, sizeof out - 1);
  close(p[0]);
  out[n < 0 ? 0 : n] = 0;
  return out;
}

int main(void)
{
  struct logline l;
  char buf[8], big[5000];
  size_t n;

  logline_start(&l, "rblsmtpd2");
  logline_str(&l, "ip", "192.0.2.7");
  logline_ulong(&l, "pid", 4711);
  logline_str(&l, "action", "reject");
  logline_ulong(&l, "code", 451);
  logline_ulong(&l, "zero", 0);
  logline_text(&l, "text", "say \"hi\"\r\n\x80", 12);
  CHECK_STR(line(&l), "rblsmtpd2: ip=192.0.2.7 pid=4711 action=reject code=451 zero=0 text=\"say ?hi?????\"\n", "fields, quoting, sanitizing");

  logline_start(&l, "rcptfilter");
  logline_str(&l, "from", "<a b@c>");
  logline_str(&l, "rcpt", "");
  logline_bytes(&l, "x", "a\0b", 3);
  CHECK_STR(line(&l), "rcptfilter: from=<a?b@c> rcpt=- x=a?b\n", "plain values: spaces and NUL replaced, empty is -");

  memset(big, 'A', sizeof big);
  logline_start(&l, "p");
  for (n = 0; n < 20; ++n) logline_text(&l, "t", big, sizeof big);
  CHECK_INT(strlen(line(&l)), LOGLINE_MAX, "line bounded, ends in newline");

  n = sanitize(buf, sizeof buf, "ab\tc\xff" "defgh", 10);
  CHECK_INT(n, 7, "sanitize bounded by outmax-1");
  CHECK_STR(buf, "ab?c?de", "sanitize replaces control and 8-bit");
  n = sanitize(buf, 1, "abc", 3);
  CHECK_INT(n, 0, "outmax 1 gives empty");
  n = sanitize_quoted(buf, sizeof buf, "a\"b\\c", 5);
  CHECK_STR(buf, "a?b?c", "quoted sanitize replaces quote and backslash");
  return test_done();
}
