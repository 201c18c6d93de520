#include <string.h>
#include "num.h"
#include <unistd.h>
#include "fdio.h"
#include "logline.h"
#include "sanitize.h"

static void put(struct logline *l, const char *s, size_t n)
{
  size_t room = LOGLINE_MAX - 1 - l->len;   /* one byte kept for '\n' */
  if (n > room) n = room;
  memcpy(l->buf + l->len, s, n);
  l->len += n;
}

static void key(struct logline *l, const char *k)
{
  put(l, " ", 1);
  put(l, k, strlen(k));
  put(l, "=", 1);
}

void logline_start(struct logline *l, const char *prog)
{
  l->len = 0;
  put(l, prog, strlen(prog));
  put(l, ":", 1);
}

static int plain(unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c && strchr("._:@<>+/=-,[]", c));
}

void logline_bytes(struct logline *l, const char *k, const char *val, size_t len)
{
  size_t i;
  key(l, k);
  if (!len) { put(l, "-", 1); return; }
  for (i = 0; i < len && i < LOGLINE_TEXT_MAX; ++i) {
    char c = plain((unsigned char)val[i]) ? val[i] : '?';
    put(l, &c, 1);
  }
}

void logline_str(struct logline *l, const char *k, const char *val)
{
  logline_bytes(l, k, val ? val : "", val ? strlen(val) : 0);
}

void logline_ulong(struct logline *l, const char *k, unsigned long val)
{
  char tmp[NUM_FMT];
  key(l, k);
  put(l, tmp, num_fmt(tmp, val));
}

void logline_text(struct logline *l, const char *k, const char *val, size_t len)
{
  char clean[LOGLINE_TEXT_MAX + 1];
  size_t n = sanitize_quoted(clean, sizeof clean, val, len);
  key(l, k);
  put(l, "\"", 1);
  put(l, clean, n);
  put(l, "\"", 1);
}

void logline_begin(struct logline *l, const char *prog, const char *ip, const char *action)
{
  logline_start(l, prog);
  logline_str(l, "ip", ip);
  logline_ulong(l, "pid", (unsigned long)getpid());
  logline_str(l, "action", action);
}

int logline_end_fd(struct logline *l, int fd)
{
  l->buf[l->len++] = '\n';
  return fdio_write_all(fd, l->buf, l->len);
}

int logline_end(struct logline *l)
{
  return logline_end_fd(l, 2);
}
