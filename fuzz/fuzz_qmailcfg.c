/* qmail's configuration lines: users/assign, virtualdomains, locals, vpasswd, passwd, .qmail names. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include "qmailcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const char *s, size_t n, struct qfield f)
{
  if (f.n && (f.s < s || f.s + f.n > s + n)) __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *s = (const char *)data, *why = 0;
  struct qassign a;
  struct qvdom v;
  struct qfield d;
  struct qpasswd p;
  char ext[4096];
  size_t pre = 0;
  int k;

  k = qmailcfg_assign_line(s, size, &a, &why);
  if (k < 0 && !why) __builtin_trap();
  if (k == 1) {
    inside(s, size, a.local); inside(s, size, a.user); inside(s, size, a.home); inside(s, size, a.dash); inside(s, size, a.ext);
    if (!a.home.n || a.home.s[0] != '/' || memchr(a.ext.s, '/', a.ext.n)) __builtin_trap();
  }
  why = 0;
  k = qmailcfg_vdom_line(s, size, &v, &why);
  if (k < 0 && !why) __builtin_trap();
  if (k == 1) { inside(s, size, v.key); inside(s, size, v.prefix); if (memchr(v.key.s, ':', v.key.n)) __builtin_trap(); }
  why = 0;
  k = qmailcfg_domain_line(s, size, &d, &why);
  if (k < 0 && !why) __builtin_trap();
  if (k == 1) { inside(s, size, d); if (!d.n || memchr(d.s, ' ', d.n) || memchr(d.s, '@', d.n)) __builtin_trap(); }
  if (qmailcfg_vpasswd_line(s, size, &d, &why) == 1) inside(s, size, d);
  if (qmailcfg_passwd_line(s, size, &p, &why) == 1) { inside(s, size, p.name); inside(s, size, p.home); }
  if (size <= sizeof ext) {
    k = qmailcfg_dotqmail(s, size, ext, &pre);
    if (k == QDOT_DEFAULT && (pre > size || (pre && ext[pre - 1] != '-'))) __builtin_trap();
    if (k != QDOT_NEVER && (memchr(ext, ':', size) || memchr(ext, '/', size))) __builtin_trap();
  }
  return 0;
}
