#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "atomicfile.h"
#include "fdio.h"

void outbuf_put(struct outbuf *b, const char *s, size_t len)
{
  size_t need;
  if (b->failed) return;
  if (__builtin_add_overflow(b->len, len, &need) || __builtin_add_overflow(need, 1, &need)) { b->failed = 1; return; }
  if (need > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    char *t;
    while (cap < need) if (__builtin_mul_overflow(cap, 2, &cap)) { b->failed = 1; return; }
    t = realloc(b->s, cap);
    if (!t) { b->failed = 1; return; }
    b->s = t;
    b->cap = cap;
  }
  memcpy(b->s + b->len, s, len);
  b->len += len;
  b->s[b->len] = 0;
}

void outbuf_puts(struct outbuf *b, const char *s) { outbuf_put(b, s, strlen(s)); }

void outbuf_putulong(struct outbuf *b, unsigned long long v)
{
  char tmp[24];
  size_t i = sizeof tmp;
  do { tmp[--i] = (char)('0' + v % 10); v /= 10; } while (v);
  outbuf_put(b, tmp + i, sizeof tmp - i);
}

void outbuf_free(struct outbuf *b)
{
  free(b->s);
  b->s = 0;
  b->len = b->cap = 0;
  b->failed = 0;
}

int atomicfile_read_fd(int fd, size_t max, char **data, size_t *len)
{
  struct outbuf b = { 0, 0, 0, 0 };
  char chunk[65536];
  for (;;) {
    ssize_t r = read(fd, chunk, sizeof chunk);
    if (r < 0) { if (errno == EINTR) continue; outbuf_free(&b); return -1; }
    if (r == 0) break;
    if (b.len + (size_t)r > max) { outbuf_free(&b); errno = EFBIG; return -1; }
    outbuf_put(&b, chunk, (size_t)r);
    if (b.failed) { outbuf_free(&b); errno = ENOMEM; return -1; }
  }
  if (!b.s) { outbuf_put(&b, "", 0); if (b.failed) { errno = ENOMEM; return -1; } }
  *data = b.s;
  *len = b.len;
  return 0;
}

int atomicfile_read(const char *path, size_t max, char **data, size_t *len)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  int r, e;
  if (fd < 0) return -1;
  r = atomicfile_read_fd(fd, max, data, len);
  e = errno;
  close(fd);
  errno = e;
  return r;
}

/* PATH.tmp into out; 0 when it does not fit. */
static int tmp_name(char *out, size_t max, const char *path)
{
  int n = snprintf(out, max, "%s.tmp", path);
  if (n < 0 || (size_t)n >= max) { errno = ENAMETOOLONG; return 0; }
  return 1;
}

void atomicfile_abort(const char *path)
{
  char tmp[4096];
  if (tmp_name(tmp, sizeof tmp, path)) unlink(tmp);
}

int atomicfile_commit(const char *path)
{
  char tmp[4096];
  int e;
  if (!tmp_name(tmp, sizeof tmp, path)) return -1;
  if (rename(tmp, path) == 0) return 0;
  e = errno;
  unlink(tmp);
  errno = e;
  return -1;
}

int atomicfile_write(const char *path, const char *data, size_t len, int keep_tmp)
{
  char tmp[4096];
  int fd, e;

  if (!tmp_name(tmp, sizeof tmp, path)) return -1;
  fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  if (fdio_write_all(fd, data, len) < 0) goto fail;
  if (fsync(fd) < 0) goto fail;
  if (close(fd) < 0) { fd = -1; goto fail; }
  fd = -1;
  if (keep_tmp) return 0;
  return atomicfile_commit(path);
fail:
  e = errno;
  if (fd >= 0) close(fd);
  unlink(tmp);
  errno = e;
  return -1;
}
