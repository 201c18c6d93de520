#include <string.h>
#include "qmailcfg.h"

void qmailcfg_lower(char *s, size_t n)
{
  size_t i;
  for (i = 0; i < n; ++i) if (s[i] >= 'A' && s[i] <= 'Z') s[i] = (char)(s[i] + 32);
}

static int blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* a byte a domain or a key may hold: printable, no blank */
static int plain(const char *s, size_t n)
{
  size_t i;
  for (i = 0; i < n; ++i) {
    unsigned char c = (unsigned char)s[i];
    if (c <= ' ' || c == 127) return 0;
  }
  return 1;
}

/* control_readfile: trailing blanks dropped, blank lines and '#' lines skipped */
static size_t trim(const char *s, size_t n)
{
  while (n && blank(s[n - 1])) --n;
  return n;
}

static int digits(const char *s, size_t n, unsigned long *out)
{
  unsigned long v = 0;
  size_t i;
  if (!n) return 0;
  for (i = 0; i < n; ++i) {
    if (s[i] < '0' || s[i] > '9') return 0;
    if (__builtin_mul_overflow(v, 10UL, &v) || __builtin_add_overflow(v, (unsigned long)(s[i] - '0'), &v)) return 0;
  }
  *out = v;
  return 1;
}

/* split at ':' into up to max fields; returns how many colons there were */
static size_t split(const char *s, size_t n, struct qfield *f, size_t max)
{
  size_t i, start = 0, k = 0;
  for (i = 0; i < n; ++i)
    if (s[i] == ':') {
      if (k < max) { f[k].s = s + start; f[k].n = i - start; }
      ++k;
      start = i + 1;
    }
  if (k < max) { f[k].s = s + start; f[k].n = n - start; }
  return k;
}

int qmailcfg_assign_line(const char *s, size_t n, struct qassign *a, const char **why)
{
  struct qfield f[8];
  const char *c;
  if (memchr(s, 0, n)) { *why = "NUL byte in line"; return -1; }
  if (n && s[0] == '.') return 0;   /* qmail-newu stops at the first line starting with '.' */
  /* as qmail-newu: '+' makes a wildcard, any other first byte an exact entry */
  c = memchr(s, ':', n);
  if (!c || c == s) { *why = "want =local:user:uid:gid:homedir:dash:ext: or +prefix:... or the final ."; return -1; }
  /* six more fields, each ended by ':'; the rest of the line is ignored */
  if (split(c + 1, n - (size_t)(c + 1 - s), f + 1, 7) < 6) { *why = "want seven fields, each ended by a colon"; return -1; }
  a->wild = s[0] == '+';
  a->local.s = s + 1; a->local.n = (size_t)(c - s) - 1;
  a->user = f[1]; a->home = f[4]; a->dash = f[5]; a->ext = f[6];
  if (!a->user.n) { *why = "empty user"; return -1; }
  if (!digits(f[2].s, f[2].n, &a->uid) || !digits(f[3].s, f[3].n, &a->gid)) { *why = "uid and gid must be numbers"; return -1; }
  if (!a->home.n || a->home.s[0] != '/') { *why = "homedir must be an absolute path"; return -1; }
  if (memchr(a->dash.s, '/', a->dash.n) || memchr(a->ext.s, '/', a->ext.n)) { *why = "dash and ext may not hold a slash"; return -1; }
  return 1;
}

/* no control byte (a tab is trailing white space, trimmed before) */
static int printable(const char *s, size_t n)
{
  size_t i;
  for (i = 0; i < n; ++i) if ((unsigned char)s[i] < ' ' || s[i] == 127) return 0;
  return 1;
}

int qmailcfg_vdom_line(const char *s, size_t n, struct qvdom *v, const char **why)
{
  const char *c;
  if (memchr(s, 0, n)) { *why = "NUL byte in line"; return -1; }
  n = trim(s, n);
  if (!n || s[0] == '#') return 0;
  if (!printable(s, n)) { *why = "control character in line"; return -1; }
  c = memchr(s, ':', n);
  /* constmap skips a line without a colon; the rest after the first colon is the prefix */
  if (!c) { *why = "no colon: qmail ignores this line"; return 2; }
  v->key.s = s; v->key.n = (size_t)(c - s);
  v->prefix.s = c + 1; v->prefix.n = n - v->key.n - 1;
  return 1;
}

int qmailcfg_domain_line(const char *s, size_t n, struct qfield *d, const char **why)
{
  if (memchr(s, 0, n)) { *why = "NUL byte in line"; return -1; }
  n = trim(s, n);
  if (!n || s[0] == '#') return 0;
  if (!printable(s, n)) { *why = "control character in line"; return -1; }
  d->s = s; d->n = n;
  /* qmail takes the line as it is; with a blank, '@' or ':' it never matches a domain */
  if (!plain(s, n) || memchr(s, ':', n) || memchr(s, '@', n) || (n == 1 && s[0] == '.')) { *why = "not a domain: qmail never matches this line"; return 2; }
  return 1;
}

int qmailcfg_vpasswd_line(const char *s, size_t n, struct qfield *name, const char **why)
{
  const char *c;
  if (memchr(s, 0, n)) { *why = "NUL byte in line"; return -1; }
  n = trim(s, n);
  if (!n || s[0] == '#') return 0;
  c = memchr(s, ':', n);
  if (!c || c == s) { *why = "want name:password:uid:gid:gecos:dir:quota"; return -1; }
  name->s = s; name->n = (size_t)(c - s);
  if (!plain(name->s, name->n)) { *why = "blank or control character in the name"; return -1; }
  return 1;
}

int qmailcfg_passwd_line(const char *s, size_t n, struct qpasswd *p, const char **why)
{
  struct qfield f[7];
  if (memchr(s, 0, n)) { *why = "NUL byte in line"; return -1; }
  n = trim(s, n);
  if (!n || s[0] == '#') return 0;
  if (n && (s[0] == '+' || s[0] == '-')) return 0;   /* NIS compat lines: nothing to read here */
  if (split(s, n, f, 7) != 6 || !f[0].n) { *why = "want name:password:uid:gid:gecos:home:shell"; return -1; }
  if (!digits(f[2].s, f[2].n, &p->uid)) { *why = "uid must be a number"; return -1; }
  p->name = f[0]; p->home = f[5];
  return 1;
}

int qmailcfg_dotqmail(const char *name, size_t n, char *ext, size_t *prelen)
{
  size_t i;
  for (i = 0; i < n; ++i) {
    char c = name[i];
    if ((c >= 'A' && c <= 'Z') || c == '.' || c == '/' || c == 0) return QDOT_NEVER;
    ext[i] = c == ':' ? '.' : c;
  }
  if (n >= 7 && !memcmp(name + n - 7, "default", 7) && (n == 7 || name[n - 8] == '-')) {
    *prelen = n - 7;
    return QDOT_DEFAULT;
  }
  return QDOT_EXACT;
}
