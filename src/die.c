#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <stdlib.h>
#include "die.h"
#include "fdio.h"

static void say(const char *a, const char *b, const char *c, const char *d, const char *e)
{
  const char *parts[5] = { a, b, c, d, e };
  char buf[1024];
  size_t len = 0;
  int i;

  for (i = 0; i < 5; ++i) {
    size_t n;
    if (!parts[i]) continue;
    n = strlen(parts[i]);
    if (n > sizeof buf - 1 - len) n = sizeof buf - 1 - len;
    memcpy(buf + len, parts[i], n);
    len += n;
  }
  buf[len++] = '\n';
  if (fdio_write_all(2, buf, len) < 0) { /* nowhere left to report it */ }
}

void die_sys(int code, const char *prog, const char *what)
{
  const char *reason = strerror(errno);
  char head[256];
  size_t n = strlen(prog);
  if (n > 200) n = 200;
  memcpy(head, prog, n);
  memcpy(head + n, ": fatal: unable to ", 20);
  say(head, what, ": ", reason, 0);
  _exit(code);
}

void die_msg(int code, const char *prog, const char *msg)
{
  say(prog, ": fatal: ", msg, 0, 0);
  _exit(code);
}

void die_usage(const char *prog, const char *usage)
{
  say(prog, ": usage: ", usage, 0, 0);
  _exit(EXIT_PERM);
}

void die_nomem(const char *prog)
{
  say(prog, ": fatal: out of memory", 0, 0, 0);
  _exit(EXIT_TEMP);
}

void warn_sys(const char *prog, const char *what)
{
  say(prog, ": warning: unable to ", what, ": ", strerror(errno));
}

void warn_msg(const char *prog, const char *msg)
{
  say(prog, ": warning: ", msg, 0, 0);
}
