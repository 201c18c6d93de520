#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <tls.h>
#include "tlsserver.h"

void tlsserver_init(struct tlsserver *s)
{
  memset(s, 0, sizeof *s);
}

int tlsserver_add_cert(struct tlsserver *s, const char *cert)
{
  if (s->n >= TLSSERVER_MAX || !cert || !*cert) return -1;
  s->kp[s->n].cert = cert;
  s->kp[s->n].key = 0;
  s->n++;
  return 0;
}

int tlsserver_set_key(struct tlsserver *s, const char *key)
{
  if (!s->n || s->kp[s->n - 1].key || !key || !*key) return -1;
  s->kp[s->n - 1].key = key;
  return 0;
}

static const char *key_of(const struct tlsserver *s, size_t i)
{
  return s->kp[i].key ? s->kp[i].key : s->kp[i].cert;
}

static void say(struct tlsserver *s, const char *a, const char *b, const char *c)
{
  size_t len = 0;
  const char *part[3] = { a, b, c };
  for (int i = 0; i < 3; i++) {
    size_t k = part[i] ? strlen(part[i]) : 0;
    if (k > sizeof s->err - 1 - len) k = sizeof s->err - 1 - len;
    if (k) memcpy(s->err + len, part[i], k);
    len += k;
  }
  s->err[len] = 0;
}

static int readable(struct tlsserver *s, const char *file)
{
  struct stat st;
  int fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd == -1) { say(s, "unable to read ", file, errno == EACCES ? ": permission denied" : errno == ENOENT ? ": no such file" : ": cannot open"); return 0; }
  if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size == 0) {
    close(fd);
    say(s, "unable to read ", file, ": not a non-empty regular file");
    return 0;
  }
  close(fd);
  return 1;
}

const char *tlsserver_check(struct tlsserver *s)
{
  if (!s->n) { say(s, "no certificate (-c)", 0, 0); return s->err; }
  for (size_t i = 0; i < s->n; i++) {
    if (!readable(s, s->kp[i].cert)) return s->err;
    if (s->kp[i].key && !readable(s, s->kp[i].key)) return s->err;
  }
  return 0;
}

struct tls *tlsserver_load(struct tlsserver *s, const char **why)
{
  struct tls_config *cfg;
  struct tls *ctx;
  if (s->ctx) return s->ctx;
  *why = s->err;
  if (!s->n) { say(s, "no certificate (-c)", 0, 0); return 0; }
  if (tls_init() == -1) { say(s, "unable to initialise TLS", 0, 0); return 0; }
  cfg = tls_config_new();
  if (!cfg) { say(s, "unable to initialise TLS: out of memory", 0, 0); return 0; }
  for (size_t i = 0; i < s->n; i++) {
    int r = i ? tls_config_add_keypair_file(cfg, s->kp[i].cert, key_of(s, i))
              : tls_config_set_keypair_file(cfg, s->kp[i].cert, key_of(s, i));
    if (r == -1) { say(s, s->kp[i].cert, ": ", tls_config_error(cfg)); tls_config_free(cfg); return 0; }
  }
  ctx = tls_server();
  if (!ctx) { say(s, "unable to initialise TLS: out of memory", 0, 0); tls_config_free(cfg); return 0; }
  if (tls_configure(ctx, cfg) == -1) {
    say(s, "unusable certificate: ", tls_error(ctx), 0);
    tls_free(ctx);
    tls_config_free(cfg);
    return 0;
  }
  tls_config_free(cfg);   /* the context keeps its own reference */
  s->ctx = ctx;
  *why = 0;
  return ctx;
}

void tlsserver_free(struct tlsserver *s)
{
  if (s->ctx) tls_free(s->ctx);
  s->ctx = 0;
}
