/* bench/tlsstub.c — libtls replaced by failures: rcptfilter linked with this
 * instead of the archives is today's rcptfilter without TLS code, the
 * reference for "a plaintext session pays nothing for TLS" (bench/tls.bench). */
#include <stddef.h>
#include <sys/types.h>
#include <tls.h>
int tls_init(void) { return -1; }
struct tls_config *tls_config_new(void) { return 0; }
void tls_config_free(struct tls_config *c) { (void)c; }
const char *tls_config_error(struct tls_config *c) { (void)c; return "no TLS in this build"; }
int tls_config_set_keypair_file(struct tls_config *c, const char *a, const char *b) { (void)c; (void)a; (void)b; return -1; }
int tls_config_add_keypair_file(struct tls_config *c, const char *a, const char *b) { (void)c; (void)a; (void)b; return -1; }
struct tls *tls_server(void) { return 0; }
int tls_configure(struct tls *t, struct tls_config *c) { (void)t; (void)c; return -1; }
const char *tls_error(struct tls *t) { (void)t; return "no TLS in this build"; }
void tls_free(struct tls *t) { (void)t; }
int tls_accept_fds(struct tls *t, struct tls **c, int r, int w) { (void)t; (void)c; (void)r; (void)w; return -1; }
int tls_handshake(struct tls *t) { (void)t; return -1; }
ssize_t tls_read(struct tls *t, void *b, size_t n) { (void)t; (void)b; (void)n; return -1; }
ssize_t tls_write(struct tls *t, const void *b, size_t n) { (void)t; (void)b; (void)n; return -1; }
int tls_close(struct tls *t) { (void)t; return -1; }
const char *tls_conn_version(struct tls *t) { (void)t; return 0; }
const char *tls_conn_cipher(struct tls *t) { (void)t; return 0; }
const char *tls_conn_servername(struct tls *t) { (void)t; return 0; }
int tls_conn_cipher_strength(struct tls *t) { (void)t; return 0; }
