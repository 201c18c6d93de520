/* atomicfile.h — whole small text files in and out, the tcprules way:
 * write PATH.tmp, fsync, rename over PATH, so readers see old or new, never half. */
#ifndef ATOMICFILE_H
#define ATOMICFILE_H
#include <stddef.h>

/* A growing byte buffer; every size overflow-checked. */
struct outbuf {
  char *s;
  size_t len, cap;
  int failed;                   /* set once an allocation failed; later appends are no-ops */
};
void outbuf_put(struct outbuf *b, const char *s, size_t len);
void outbuf_puts(struct outbuf *b, const char *s);
void outbuf_putulong(struct outbuf *b, unsigned long long v);
void outbuf_free(struct outbuf *b);

/* Read all of path (at most max bytes) into a malloc'd buffer. 0, or -1 with
 * errno (EFBIG when over max). A missing file is ENOENT. */
int atomicfile_read(const char *path, size_t max, char **data, size_t *len);
/* Same for an open descriptor (stdin). */
int atomicfile_read_fd(int fd, size_t max, char **data, size_t *len);

/* Write data to PATH.tmp, fsync, rename to PATH. 0, or -1 with errno (the
 * tmp file is removed, PATH untouched). With keep_tmp the rename is left to
 * atomicfile_commit (so two files can be prepared before either moves). */
int atomicfile_write(const char *path, const char *data, size_t len, int keep_tmp);
int atomicfile_commit(const char *path);
void atomicfile_abort(const char *path);
#endif
