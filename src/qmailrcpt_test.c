/* qmailrcpt: small qmail trees (users/assign contexts, no passwd users, so no
 * chown is needed) -> the rules lines, as a table. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "qmailrcpt.h"
#include "test.h"

/* each file: "path" (empty) or "path=content"; "@" in a path or content is the tree's root */
static const struct { const char *what; const char *files[10]; const char *out; int rc; } rows[] = {
  { "+ entry with pre: exact files after pre, a default past pre is a prefix",
    { "control/virtualdomains=d.example:p", "users/assign=+p-:u:1:1:@/h:-:x-:\n.",
      "h/.qmail-x-a", "h/.qmail-x-l-default", "h/.qmail-y", "h/.qmail-x-B" },
    "@d.example::deny\na@d.example::allow\nl-*@d.example::allow\n", 0 },
  { "+ entry with pre: a default that covers pre is a catch-all",
    { "control/virtualdomains=d.example:p", "users/assign=+p-:u:1:1:@/h:-:x-:\n.", "h/.qmail-x-default" }, "", 0 },
  { "+ entry with pre: .qmail-default is a catch-all too",
    { "control/virtualdomains=d.example:p", "users/assign=+p-:u:1:1:@/h:-:x-:\n.", "h/.qmail-default" }, "", 0 },
  { "+ entry without dash: everything it takes is delivered",
    { "control/virtualdomains=d.example:p", "users/assign=+p-:u:1:1:@/h:::\n." }, "", 0 },
  { "+ entry without dash on a longer prefix: prefix-*",
    { "control/virtualdomains=d.example:p", "users/assign=+p-:u:1:1:@/h:-::\n+p-lists-:u:1:1:@/h2:::\n.", "h2/x", "h/.qmail-a" },
    "@d.example::deny\na@d.example::allow\nlists-*@d.example::allow\n", 0 },
  { "the longest + prefix wins: the shorter one's catch-all does not open the domain",
    { "control/virtualdomains=d.example:p", "users/assign=+:alias:1:1:@/a:-::\n+p-:u:1:1:@/h:-::\n.", "a/.qmail-default", "h/.qmail-a" },
    "@d.example::deny\na@d.example::allow\n", 0 },
  { "= entry: deliverable through .qmail-ext or a default on a '-' prefix of ext only",
    { "control/locals=d.example", "users/assign==one:u:1:1:@/h:-:foo:\n=two:u:1:1:@/h:-:bar-baz:\n=three:u:1:1:@/h:-:qux:\n.",
      "h/.qmail-foo", "h/.qmail-bar-default", "h/.qmail-qux-default" },
    "@d.example::deny\none@d.example::allow\ntwo@d.example::allow\n", 0 },
  { "names the rules must quote, and file names qmail-local never reads",
    { "control/locals=d.example", "users/assign=+:alias:1:1:@/a:-::\n.", "a/.qmail-a\"b", "a/.qmail-x-*", "a/.qmail-Cap", "a/.qmail-dot.ted", "a/.qmail-col:on" },
    "@d.example::deny\n\"a\\\"b\"@d.example::allow\ncol.on@d.example::allow\n\"x-*\"@d.example::allow\n", 0 },
  { "a name with a blank cannot be said: the domain stays open",
    { "control/locals=d.example", "users/assign=+:alias:1:1:@/a:-::\n.", "a/.qmail-sp ace", "a/.qmail-ok" }, "", 0 },
  { "a + home that is missing: qmail defers, so the domain stays open",
    { "control/locals=d.example", "users/assign=+:alias:1:1:@/missing:-::\n." }, "", 0 },
};

static int put(const char *root, const char *spec)
{
  char path[4096], content[512];
  const char *eq = strchr(spec, '='), *s;
  size_t n = eq ? (size_t)(eq - spec) : strlen(spec), c = 0;
  int fd;
  char *slash;
  snprintf(path, sizeof path, "%s/%.*s", root, (int)n, spec);
  for (slash = path + strlen(root) + 1; (slash = strchr(slash, '/')); ++slash) { *slash = 0; mkdir(path, 0755); *slash = '/'; }
  if (eq)
    for (s = eq + 1; *s && c + strlen(root) + 2 < sizeof content; ++s) {
      if (*s == '@') { memcpy(content + c, root, strlen(root)); c += strlen(root); }
      else content[c++] = *s;
    }
  if (eq && c && content[c - 1] != '\n') content[c++] = '\n';
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd == -1 || write(fd, content, c) != (ssize_t)c) return -1;
  return close(fd);
}

int main(void)
{
  size_t i, k;
  for (i = 0; i < sizeof rows / sizeof rows[0]; ++i) {
    char root[] = "/tmp/qmailrcpt_test.XXXXXX", cmd[128], err[QR_ERR_MAX], out[4096], pw[4200];
    struct qr_opts o;
    struct qr_stats st;
    int fd, rc, ok = 1;
    ssize_t n;
    if (!mkdtemp(root)) { CHECK(0, "mkdtemp"); continue; }
    for (k = 0; k < 10 && rows[i].files[k]; ++k) if (put(root, rows[i].files[k]) == -1) ok = 0;
    ok &= put(root, "control/rcpthosts=d.example") == 0;
    ok &= put(root, "control/me=me.invalid") == 0;   /* locals when there is none */
    snprintf(pw, sizeof pw, "passwd=root:x:0:0::/root:/bin/sh");
    ok &= put(root, pw) == 0;
    CHECK(ok, "tree written");
    o.qmaildir = root; o.vpopdir = "/nonexistent"; o.alias = "alias"; o.msg = 0; o.inputs_fd = -1; o.vpopext = 0;
    snprintf(pw, sizeof pw, "%s/passwd", root);
    o.passwd = pw;
    fd = memfd_create("out", 0);
    rc = qr_run(&o, fd, &st, err);
    n = pread(fd, out, sizeof out - 1, 0);
    out[n > 0 ? n : 0] = 0;
    close(fd);
    CHECK_INT(rc, rows[i].rc, rows[i].what);
    CHECK_STR(out, rows[i].out, "the rules");
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0) { /* a leftover in /tmp */ }
  }
  return test_done();
}
