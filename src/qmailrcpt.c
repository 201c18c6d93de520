/* qmailrcpt.c — qmail's delivery decision, turned into rules lines.
 *
 * qmail-send: a recipient domain in control/locals is local with local part
 * L = local; else control/virtualdomains is asked for "user@domain", then
 * "domain", then ".parent" suffixes longest first, then "" — a non-empty
 * prefix P makes it local with L = P-local. qmail-lspawn: users/cdb (built
 * from users/assign) is asked for the exact L, then for the longest "+"
 * prefix of L; only when neither matches does qmail-getpw look for the
 * longest passwd user at a '-' boundary (uid not 0, home owned by it), and
 * last the alias user with the whole L as its extension. qmail-local: a
 * delivery with an extension finds .qmail-ext, else .qmail-ext-default
 * tried from the longest '-' prefix down to .qmail-default, else bounces.
 *
 * So each delivery context (assign entry, user, alias) gives, from its
 * .qmail files, patterns over L: exact L's and "L-prefix-*" catch-alls.
 * Per domain the patterns that can apply are rewritten into the domain's
 * local parts. Over-approximation is safe (a missed deny is what qmail does
 * today); an address we cannot express leaves the domain open. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cdb.h>
#include "qmailcfg.h"
#include "qmailrcpt.h"
#include "rulesfile.h"
#include "num.h"

#define PATH_MAX_Q 4096
#define FILE_MAX_Q (256UL << 20)   /* no configuration file is bigger */
#define SRC_SYSTEM (-1L)           /* a passwd user (ulen: the length of its name) */
#define SRC_EXACT (-2L)            /* an = entry of users/assign */
#define SRC_ALIAS (-3L)            /* the alias user's .qmail files, for the L no user takes */

struct pat { const char *s; size_t n; unsigned char prefix, uncertain; long src; size_t ulen; };
/* why a pattern is uncertain (struct pat.uncertain) */
#define UNSURE_NOVPASSWD 1
#define UNSURE_VPOPSQL 2
#define UNSURE_NOHOME 3
#define UNSURE_BADVPASSWD 4
static const char *const unsure[] = { "", " left open: a vpopmail domain without vpasswd or vpasswd.cdb",
  " left open: vpopmail keeps its users in SQL", " left open: a users/assign home directory is missing (qmail defers its mail)",
  " left open: its vpasswd has a line we cannot read" };
struct kv { const char *k; size_t kn; const char *v; size_t vn; };
struct vec { void *p; size_t n, cap; };
struct block { struct block *next; size_t used, cap; char mem[]; };
struct buf { char *s; size_t n, cap; };

struct q {
  const struct qr_opts *o;
  struct qr_stats *st;
  char *err;
  int code;
  struct block *blocks;
  struct vec pats, wilds, locals, rh, vdoms, vaddrs, cands, users, percent;
  size_t ulen;          /* the name length of the user whose files are being read */
  int have_rcpthosts;
  int vpopsql;          /* vpopmail keeps its users in SQL: vpasswd says nothing */
  int inputs_lost;      /* out of memory for the list of inputs: a short list would hide changes */
  struct buf out, dom, inputs;
  int fd;
};

/* ---- memory ---- */

static int fail(struct q *q, int code, const char *a, const char *b, const char *c)
{
  size_t n = 0;
  const char *parts[3] = { a, b, c };
  int i;
  for (i = 0; i < 3; ++i) {
    size_t k;
    if (!parts[i]) continue;
    k = strlen(parts[i]);
    if (k > QR_ERR_MAX - 1 - n) k = QR_ERR_MAX - 1 - n;
    memcpy(q->err + n, parts[i], k);
    n += k;
  }
  q->err[n] = 0;
  q->code = code;
  return -1;
}

static int nomem(struct q *q) { return fail(q, 111, "out of memory", 0, 0); }

/* strings are never moved once stored: patterns point at them */
static const char *store(struct q *q, const char *a, size_t an, const char *b, size_t bn)
{
  struct block *bl = q->blocks;
  char *p;
  size_t n = an + bn;
  if (!bl || bl->cap - bl->used < n) {
    size_t cap = n > (1UL << 20) ? n : (1UL << 20);
    bl = malloc(sizeof *bl + cap);
    if (!bl) return 0;
    bl->used = 0; bl->cap = cap; bl->next = q->blocks;
    q->blocks = bl;
  }
  p = bl->mem + bl->used;
  memcpy(p, a, an);
  if (bn) memcpy(p + an, b, bn);
  bl->used += n ? n : 1;
  return p;
}

static void *push(struct vec *v, size_t size)
{
  if (v->n == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 256;
    void *p = realloc(v->p, cap * size);
    if (!p) return 0;
    v->p = p; v->cap = cap;
  }
  return (char *)v->p + v->n++ * size;
}

static int bput(struct buf *b, const char *s, size_t n)
{
  if (b->cap - b->n < n) {
    size_t cap = b->cap ? b->cap : 65536;
    char *p;
    while (cap - b->n < n) cap *= 2;
    p = realloc(b->s, cap);
    if (!p) return -1;
    b->s = p; b->cap = cap;
  }
  memcpy(b->s + b->n, s, n);
  b->n += n;
  return 0;
}

static int flush(struct q *q)
{
  size_t i = 0;
  while (i < q->out.n) {
    ssize_t w = write(q->fd, q->out.s + i, q->out.n - i);
    if (w < 0) { if (errno == EINTR) continue; return fail(q, 111, "unable to write the rules: ", strerror(errno), 0); }
    i += (size_t)w;
  }
  q->out.n = 0;
  return 0;
}

static void warn(const char *a, size_t an, const char *b)
{
  struct buf w = { 0, 0, 0 };
  size_t i;
  if (bput(&w, "qmail-recipients: warning: ", 27) == 0) {
    for (i = 0; i < an; ++i) {   /* names come from files: printable only */
      char c = (unsigned char)a[i] < 32 || a[i] == 127 ? '?' : a[i];
      if (bput(&w, &c, 1)) break;
    }
    if (!bput(&w, b, strlen(b)) && !bput(&w, "\n", 1) && write(2, w.s, w.n) < 0) { /* nowhere to say it */ }
  }
  free(w.s);
}

/* ---- files ---- */

static int mkpath(struct q *q, char *out, const char *a, size_t an, const char *b)
{
  size_t bn = strlen(b);
  if (an + bn + 1 > PATH_MAX_Q) return fail(q, 111, "unable to read ", b, ": path too long");
  memcpy(out, a, an);
  memcpy(out + an, b, bn + 1);
  if (memchr(out, 0, an)) return fail(q, 100, "NUL byte in a path", 0, 0);
  return 0;
}

static void seen(struct q *q, const char *path, const struct stat *s)
{
  ++q->st->inputs;
  /* a line per path: a name with a line feed cannot be listed (qmail never reads such a .qmail file) */
  if (q->o->inputs_fd != -1 && !strchr(path, '\n') && (bput(&q->inputs, path, strlen(path)) || bput(&q->inputs, "\n", 1))) q->inputs_lost = 1;
  if (s->st_mtime > q->st->newest || !q->st->newest_path[0]) {
    size_t n = strlen(path);
    if (n >= sizeof q->st->newest_path) n = sizeof q->st->newest_path - 1;
    q->st->newest = s->st_mtime;
    memcpy(q->st->newest_path, path, n);
    q->st->newest_path[n] = 0;
  }
}

static int missing(int e) { return e == ENOENT || e == ENOTDIR; }

/* 1 read into *b (NUL-terminated), 0 absent, -1 error */
static int slurp(struct q *q, const char *path, struct buf *b)
{
  struct stat s;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  b->n = 0;
  if (fd == -1) {
    if (missing(errno)) return 0;
    goto bad;
  }
  if (fstat(fd, &s) == -1) { int e = errno; close(fd); errno = e; goto bad; }
  if (!S_ISREG(s.st_mode)) { close(fd); return fail(q, 111, "unable to read ", path, ": not a regular file"); }
  if ((unsigned long long)s.st_size > FILE_MAX_Q) { close(fd); return fail(q, 100, "unable to read ", path, ": larger than 256 MB"); }
  seen(q, path, &s);
  for (;;) {
    ssize_t r;
    if (b->cap - b->n < 65537) {
      size_t cap = b->cap ? b->cap * 2 : 65536 * 2;
      char *p = realloc(b->s, cap);
      if (!p) { close(fd); return nomem(q); }
      b->s = p; b->cap = cap;
    }
    r = read(fd, b->s + b->n, 65536);
    if (r < 0) { if (errno == EINTR) continue; { int e = errno; close(fd); errno = e; } goto bad; }
    if (r == 0) break;
    b->n += (size_t)r;
    if (b->n > FILE_MAX_Q) { close(fd); return fail(q, 100, "unable to read ", path, ": larger than 256 MB"); }
  }
  close(fd);
  b->s[b->n] = 0;
  return 1;
bad:
  {
    char e[256];
    size_t n = strlen(strerror(errno));
    if (n > sizeof e - 3) n = sizeof e - 3;
    e[0] = ':'; e[1] = ' ';
    memcpy(e + 2, strerror(errno), n);
    e[n + 2] = 0;
    return fail(q, 111, "unable to read ", path, e);
  }
}

static int badline(struct q *q, const char *path, unsigned long line, const char *why)
{
  char num[NUM_FMT + 3];
  size_t n = 0;
  num[n++] = ':';
  n += num_fmt(num + n, line);
  num[n++] = ':'; num[n++] = ' ';
  num[n] = 0;
  return fail(q, 100, path, num, why);
}

/* "file:line: why" as a warning: a line qmail reads past */
static int warnline(const char *path, unsigned long line, const char *why)
{
  char num[NUM_FMT + 4], msg[256];
  size_t n = 0, w = strlen(why);
  num[n++] = ':';
  n += num_fmt(num + n, line);
  num[n++] = ':'; num[n++] = ' ';
  if (w > sizeof msg - n - 1) w = sizeof msg - n - 1;
  memcpy(msg, num, n);
  memcpy(msg + n, why, w);
  msg[n + w] = 0;
  warn(path, strlen(path), msg);
  return 0;
}

typedef int (*linefn)(struct q *q, const char *path, unsigned long line, const char *s, size_t n, void *arg);

/* every line of b; a missing final LF is a line as well */
static int lines(struct q *q, const char *path, const struct buf *b, linefn fn, void *arg)
{
  size_t i = 0;
  unsigned long line = 0;
  while (i < b->n) {
    const char *nl = memchr(b->s + i, '\n', b->n - i);
    size_t len = nl ? (size_t)(nl - (b->s + i)) : b->n - i;
    if (fn(q, path, ++line, b->s + i, len, arg) == -1) return -1;
    i += len + 1;
  }
  return 0;
}

/* ---- patterns over qmail's local part L ---- */

static int addpat(struct q *q, const char *a, size_t an, const char *b, size_t bn, int prefix, int uncertain, long src)
{
  struct pat *p;
  const char *s = store(q, a, an, b, bn);
  char *w;
  if (!s || !(p = push(&q->pats, sizeof *p))) return nomem(q);
  w = (char *)s;
  qmailcfg_lower(w, an + bn);
  p->s = s; p->n = an + bn; p->prefix = (unsigned char)prefix; p->uncertain = (unsigned char)uncertain; p->src = src;
  p->ulen = q->ulen;
  return 0;
}

static int startswith(const char *s, size_t n, const char *p, size_t pn) { return pn <= n && !memcmp(s, p, pn); }

/* "| /home/vpopmail/bin/vdelivermail '' bounce-no-mailbox": 1 bounces the
 * unknown, 0 delivers them somewhere (a catch-all), -1 not vdelivermail */
static int vdeliver(const char *s, size_t n)
{
  const char *v = memmem(s, n, "vdelivermail", 12), *end = s + n, *a;
  size_t k = 0;
  if (!v) return -1;
  for (a = v; a > s && a[-1] != '\n'; --a) ;
  if (a == end || *a != '|') return -1;          /* only a program line runs it */
  v += 12;
  while (v < end && *v != '\n') {            /* the second argument */
    const char *w;
    while (v < end && (*v == ' ' || *v == '\t')) ++v;
    if (v == end || *v == '\n') break;
    w = v;
    while (v < end && *v != ' ' && *v != '\t' && *v != '\n') ++v;
    if (++k == 2) {
      size_t wn = (size_t)(v - w);
      if (wn >= 2 && (*w == '\'' || *w == '"') && w[wn - 1] == *w) { ++w; wn -= 2; }
      return wn == 17 && !memcmp(w, "bounce-no-mailbox", 17);
    }
  }
  return 0;   /* no second argument: not the bounce we know, so no deny for this domain */
}

struct vpctx { const char *P; size_t Pn; const char *pre; size_t pren; long src; unsigned long users; int bad; };

/* a vpopmail mailbox (name lowercased), and user-* when vdelivermail strips extensions */
static int vpuser(struct q *q, const struct vpctx *c, const char *u, size_t un)
{
  if (!startswith(u, un, c->pre, c->pren)) return 0;
  if (addpat(q, c->P, c->Pn, u + c->pren, un - c->pren, 0, 0, c->src) == -1) return -1;
  if (q->o->vpopext) {
    char ext[514];
    memcpy(ext, u + c->pren, un - c->pren);
    ext[un - c->pren] = '-';
    return addpat(q, c->P, c->Pn, ext, un - c->pren + 1, 1, 0, c->src);
  }
  return 0;
}

static int vpasswd_line(struct q *q, const char *path, unsigned long line, const char *s, size_t n, void *arg)
{
  struct vpctx *c = arg;
  struct qfield name;
  const char *why;
  int k = qmailcfg_vpasswd_line(s, n, &name, &why);
  /* one domain's broken vpasswd leaves that domain open, the others keep their rules */
  if (k < 0) { c->bad = 1; return warnline(path, line, why); }
  if (!k) return 0;
  ++c->users;
  {
    char low[512];
    if (name.n > sizeof low) { c->bad = 1; return warnline(path, line, "name longer than 512 bytes"); }
    memcpy(low, name.s, name.n);
    qmailcfg_lower(low, name.n);
    return vpuser(q, c, low, name.n);
  }
}

/* the mailboxes of a vpopmail domain: vpasswd and vpasswd.cdb, both when both are there */
static int vpopmail(struct q *q, const char *home, size_t hn, struct vpctx *c)
{
  char path[PATH_MAX_Q];
  struct buf b = { 0, 0, 0 };
  int k, found = 0, fd;
  struct stat s;

  if (mkpath(q, path, home, hn, "/vpasswd") == -1) return -1;
  k = slurp(q, path, &b);
  if (k == 1) { found = 1; k = lines(q, path, &b, vpasswd_line, c); }
  free(b.s);
  if (k == -1) return -1;
  if (mkpath(q, path, home, hn, "/vpasswd.cdb") == -1) return -1;
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd == -1 && !missing(errno)) return fail(q, 111, "unable to read ", path, "");
  if (fd != -1) {
    struct cdb cdb;
    unsigned pos;
    found = 1;
    if (fstat(fd, &s) == 0) seen(q, path, &s);
    if (cdb_init(&cdb, fd) == -1) { close(fd); return fail(q, 111, "unable to read ", path, ": not a cdb"); }
    cdb_seqinit(&pos, &cdb);
    while ((k = cdb_seqnext(&pos, &cdb)) > 0) {
      char low[512];
      unsigned kl = cdb_keylen(&cdb);
      if (kl == 0 || kl > sizeof low || cdb_read(&cdb, low, kl, cdb_keypos(&cdb)) == -1) continue;
      qmailcfg_lower(low, kl);
      ++c->users;
      if (vpuser(q, c, low, kl) == -1) { cdb_free(&cdb); close(fd); return -1; }
    }
    cdb_free(&cdb);
    close(fd);
    if (k < 0) return fail(q, 111, "unable to read ", path, ": corrupt cdb");
  }
  if (!found || q->vpopsql || c->bad)   /* users kept elsewhere (SQL, LDAP), or unreadable: we cannot know them */
    return addpat(q, c->P, c->Pn, "", 0, 1, q->vpopsql ? UNSURE_VPOPSQL : c->bad ? UNSURE_BADVPASSWD : UNSURE_NOVPASSWD, c->src);
  return 0;
}

/* A delivery context: addresses P+X go to home with extension pre+X and
 * this dash (users/assign "+", or a user "U-" with pre ""). */
static int context(struct q *q, const char *home, size_t hn, const char *dash, size_t dn,
                   const char *pre, size_t pren, const char *P, size_t Pn, long src)
{
  char path[PATH_MAX_Q], ext[1024];
  DIR *d;
  struct dirent *e;
  struct stat s;

  if (!dn) return addpat(q, P, Pn, "", 0, 1, 0, src);   /* no dash: everything gets the default delivery */
  if (mkpath(q, path, home, hn, "") == -1) return -1;
  d = opendir(path);
  if (!d) {
    if (!missing(errno)) return fail(q, 111, "unable to read ", path, errno == EACCES ? ": permission denied" : ": cannot open directory");
    /* qmail-local defers while the home is missing: mail would come later */
    return src == SRC_SYSTEM || src == SRC_ALIAS ? 0 : addpat(q, P, Pn, "", 0, 1, UNSURE_NOHOME, src);
  }
  if (fstat(dirfd(d), &s) == 0) seen(q, path, &s);
  for (;;) {
    size_t nn, prelen = 0;
    int kind;
    errno = 0;
    e = readdir(d);
    if (!e) break;
    nn = strlen(e->d_name);
    if (nn < 6 + dn || memcmp(e->d_name, ".qmail", 6) || memcmp(e->d_name + 6, dash, dn)) continue;
    nn -= 6 + dn;
    if (nn > sizeof ext) continue;
    kind = qmailcfg_dotqmail(e->d_name + 6 + dn, nn, ext, &prelen);
    if (kind == QDOT_NEVER) continue;
    if (kind == QDOT_EXACT) {
      if (startswith(ext, nn, pre, pren) && addpat(q, P, Pn, ext + pren, nn - pren, 0, 0, src) == -1) goto err;
      continue;
    }
    /* a -default file also serves its own name as an extension, which its prefix covers */
    if (startswith(pre, pren, ext, prelen)) {
      /* catches every extension of this context: a catch-all, unless vpopmail bounces the unknown */
      if (!prelen) {
        struct buf b = { 0, 0, 0 };
        int k;
        size_t pl = strlen(path);
        if (pl + 1 + strlen(e->d_name) + 1 > sizeof path) continue;
        path[pl] = '/';
        memcpy(path + pl + 1, e->d_name, strlen(e->d_name) + 1);
        k = slurp(q, path, &b);
        path[pl] = 0;
        if (k == -1) { free(b.s); goto err; }
        k = k == 1 ? vdeliver(b.s, b.n) : -1;
        free(b.s);
        if (k == 1) {
          struct vpctx c;
          c.P = P; c.Pn = Pn; c.pre = pre; c.pren = pren; c.src = src; c.users = 0; c.bad = 0;
          if (vpopmail(q, home, hn, &c) == -1) goto err;
          continue;
        }
      }
      if (addpat(q, P, Pn, "", 0, 1, 0, src) == -1) goto err;
    } else if (startswith(ext, prelen, pre, pren)) {
      if (addpat(q, P, Pn, ext + pren, prelen - pren, 1, 0, src) == -1) goto err;
    }
  }
  if (errno) { closedir(d); return fail(q, 111, "unable to read ", path, ": readdir failed"); }
  closedir(d);
  return 0;
err:
  closedir(d);
  return -1;
}

/* An = entry: deliverable when there is no dash, or a .qmail file serves ext. */
static int exact_entry(struct q *q, const struct qassign *a)
{
  char path[PATH_MAX_Q], safe[1024];
  size_t i, n = a->ext.n;
  struct stat s;

  if (!a->dash.n) return addpat(q, a->local.s, a->local.n, "", 0, 0, 0, SRC_EXACT);
  if (n + a->home.n + a->dash.n + 16 > sizeof path || n > sizeof safe) return fail(q, 100, "users/assign: extension too long", 0, 0);
  for (i = 0; i < n; ++i) { char c = a->ext.s[i]; safe[i] = c == '.' ? ':' : (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }
  memcpy(path, a->home.s, a->home.n);
  path[a->home.n] = 0;
  if (memchr(path, 0, a->home.n)) return fail(q, 100, "NUL byte in a path", 0, 0);
  if (stat(path, &s) == -1) {
    if (!missing(errno)) return fail(q, 111, "unable to read ", path, ": stat failed");
    return addpat(q, a->local.s, a->local.n, "", 0, 0, UNSURE_NOHOME, SRC_EXACT);   /* qmail-local defers: unsure */
  }
  seen(q, path, &s);
  /* .qmail<dash>ext, then ext's '-' prefixes + "default", longest first */
  for (i = n + 1; i-- > 0; ) {
    size_t p = a->home.n;
    int dflt = i < n;
    if (dflt && i && safe[i - 1] != '-') continue;
    memcpy(path + p, "/.qmail", 7); p += 7;
    memcpy(path + p, a->dash.s, a->dash.n); p += a->dash.n;
    memcpy(path + p, safe, dflt ? i : n); p += dflt ? i : n;
    if (dflt) { memcpy(path + p, "default", 7); p += 7; }
    path[p] = 0;
    if (stat(path, &s) == 0) { seen(q, path, &s); return addpat(q, a->local.s, a->local.n, "", 0, 0, 0, SRC_EXACT); }
    if (!missing(errno)) return fail(q, 111, "unable to read ", path, ": stat failed");
  }
  return 0;
}

struct assignctx { int end; };

static int assign_line(struct q *q, const char *path, unsigned long line, const char *s, size_t n, void *arg)
{
  struct assignctx *c = arg;
  struct qassign a;
  const char *why;
  int k;
  if (c->end) return 0;   /* qmail-newu stops at the "." */
  k = qmailcfg_assign_line(s, n, &a, &why);
  if (k < 0) return badline(q, path, line, why);
  if (!k) { c->end = 1; return 0; }
  if (a.wild) {
    long idx = (long)q->wilds.n;
    struct pat *w;
    const char *low = store(q, a.local.s, a.local.n, "", 0);
    if (!low || !(w = push(&q->wilds, sizeof *w))) return nomem(q);
    qmailcfg_lower((char *)low, a.local.n);
    w->s = low; w->n = a.local.n;
    return context(q, a.home.s, a.home.n, a.dash.s, a.dash.n, a.ext.s, a.ext.n, low, a.local.n, idx);
  }
  return exact_entry(q, &a);
}

/* users/cdb, when users/assign is not there: the same entries as qmail-newu wrote them */
static int users_cdb(struct q *q, const char *path)
{
  struct cdb cdb;
  unsigned pos;
  int fd = open(path, O_RDONLY | O_CLOEXEC), k;
  struct stat s;
  if (fd == -1) return missing(errno) ? 0 : fail(q, 111, "unable to read ", path, "");
  if (fstat(fd, &s) == 0) seen(q, path, &s);
  if (cdb_init(&cdb, fd) == -1) { close(fd); return fail(q, 111, "unable to read ", path, ": not a cdb"); }
  cdb_seqinit(&pos, &cdb);
  while ((k = cdb_seqnext(&pos, &cdb)) > 0) {
    unsigned kl = cdb_keylen(&cdb), vl = cdb_datalen(&cdb);
    const char *key = cdb_get(&cdb, kl, cdb_keypos(&cdb));
    const char *val;
    char line[8192];
    size_t n = 0, i, zeros = 0;
    if (!key || kl < 1 || key[0] != '!') continue;   /* "" holds the wildcard characters */
    val = cdb_get(&cdb, vl, cdb_datapos(&cdb));
    if (!val || kl + vl + 4 > sizeof line) { k = -1; break; }
    /* "!local\0" exact, "!prefix" wildcard; value user\0uid\0gid\0home\0dash\0ext\0 */
    if (key[kl - 1] == 0) { line[n++] = '='; memcpy(line + n, key + 1, kl - 2); n += kl - 2; }
    else { line[n++] = '+'; memcpy(line + n, key + 1, kl - 1); n += kl - 1; }
    line[n++] = ':';
    for (i = 0; i < vl; ++i) { char c = val[i]; if (!c) ++zeros; line[n++] = c ? c : ':'; }
    if (zeros != 6 || memchr(key + 1, 0, key[kl - 1] == 0 ? kl - 2 : kl - 1)) { k = -1; break; }
    {
      struct assignctx c = { 0 };
      if (assign_line(q, path, 0, line, n, &c) == -1) { cdb_free(&cdb); close(fd); return -1; }
    }
  }
  cdb_free(&cdb);
  close(fd);
  if (k < 0) return fail(q, 111, "unable to read ", path, ": corrupt cdb");
  return 0;
}

/* ---- passwd users and the alias user ---- */

struct sysuser { const char *name; size_t nn; const char *home; size_t hn; unsigned long uid; };

static int user(struct q *q, const struct sysuser *u)
{
  struct stat s;
  char path[PATH_MAX_Q], P[64];
  size_t i;
  if (u->hn + 1 > sizeof path) return 0;
  memcpy(path, u->home, u->hn);
  path[u->hn] = 0;
  if (u->nn == strlen(q->o->alias) && !memcmp(u->name, q->o->alias, u->nn)) {
    /* the alias user: every L no user takes, as its extension */
    q->ulen = 0;
    if (context(q, u->home, u->hn, "-", 1, "", 0, "", 0, SRC_ALIAS) == -1) return -1;
  }
  /* qmail-getpw: getpwnam(lowercased), so only lowercase names; uid 0 never; home owned by the user */
  if (!u->nn || u->nn >= 32 || !u->uid) return 0;
  for (i = 0; i < u->nn; ++i) if ((u->name[i] >= 'A' && u->name[i] <= 'Z') || u->name[i] == '/') return 0;
  if (stat(path, &s) == -1) {
    if (missing(errno)) return 0;
    return fail(q, 111, "unable to read ", path, ": stat failed");
  }
  if (s.st_uid != u->uid) return 0;
  memcpy(P, u->name, u->nn);
  P[u->nn] = '-';
  {
    struct pat *x = push(&q->users, sizeof *x);
    if (!x || !(x->s = store(q, P, u->nn + 1, "", 0))) return nomem(q);
    x->n = u->nn + 1;
  }
  q->ulen = u->nn;
  if (addpat(q, u->name, u->nn, "", 0, 0, 0, SRC_SYSTEM) == -1) return -1;
  return context(q, u->home, u->hn, "-", 1, "", 0, P, u->nn + 1, SRC_SYSTEM);
}

static int passwd_line(struct q *q, const char *path, unsigned long line, const char *s, size_t n, void *arg)
{
  struct qpasswd p;
  struct sysuser u;
  const char *why;
  int k = qmailcfg_passwd_line(s, n, &p, &why);
  (void)arg;
  if (k < 0) return badline(q, path, line, why);
  if (!k) return 0;
  u.name = p.name.s; u.nn = p.name.n; u.home = p.home.s; u.hn = p.home.n; u.uid = p.uid;
  return user(q, &u);
}

static int passwd_all(struct q *q)
{
  struct vec all = { 0, 0, 0 };
  struct passwd *pw;
  size_t i;
  int r = 0;
  if (q->o->passwd) {
    struct buf b = { 0, 0, 0 };
    int k = slurp(q, q->o->passwd, &b);
    if (k == 0) { free(b.s); return fail(q, 111, "unable to read ", q->o->passwd, ": no such file"); }
    if (k == 1) k = lines(q, q->o->passwd, &b, passwd_line, 0);
    free(b.s);
    return k;
  }
  /* getpwent's answers live in a static buffer: copy them all, then look at homes */
  {
    struct stat s;
    if (stat("/etc/passwd", &s) == 0) seen(q, "/etc/passwd", &s);
  }
  setpwent();
  errno = 0;
  while ((pw = getpwent())) {
    struct sysuser *u = push(&all, sizeof *u);
    if (!u) { endpwent(); free(all.p); return nomem(q); }
    u->nn = strlen(pw->pw_name); u->hn = strlen(pw->pw_dir); u->uid = pw->pw_uid;
    u->name = store(q, pw->pw_name, u->nn, "", 0);
    u->home = store(q, pw->pw_dir, u->hn, "", 0);
    if (!u->name || !u->home) { endpwent(); free(all.p); return nomem(q); }
  }
  endpwent();
  for (i = 0; i < all.n && r == 0; ++i) r = user(q, (struct sysuser *)all.p + i);
  free(all.p);
  return r;
}

/* ---- domains ---- */

static int domline(struct q *q, const char *path, unsigned long line, const char *s, size_t n, void *arg)
{
  struct vec *v = arg;
  struct qfield d;
  struct kv *e;
  const char *why;
  int k = qmailcfg_domain_line(s, n, &d, &why);
  if (k < 0) return badline(q, path, line, why);
  if (k == 2) return warnline(path, line, why);
  if (!k) return 0;
  if (d.n > 1 && d.s[d.n - 1] == '.') --d.n;
  if (!(e = push(v, sizeof *e)) || !(e->k = store(q, d.s, d.n, "", 0))) return nomem(q);
  qmailcfg_lower((char *)e->k, d.n);
  e->kn = d.n; e->v = 0; e->vn = 0;
  return 0;
}

static int vdomline(struct q *q, const char *path, unsigned long line, const char *s, size_t n, void *arg)
{
  struct qvdom v;
  struct kv *e;
  const char *why;
  int k = qmailcfg_vdom_line(s, n, &v, &why);
  (void)arg;
  if (k < 0) return badline(q, path, line, why);
  if (k == 2) return warnline(path, line, why);
  if (!k) return 0;
  e = push(memchr(v.key.s, '@', v.key.n) ? &q->vaddrs : &q->vdoms, sizeof *e);
  if (!e || !(e->k = store(q, v.key.s, v.key.n, "", 0)) || !(e->v = store(q, v.prefix.s, v.prefix.n, "", 0))) return nomem(q);
  qmailcfg_lower((char *)e->k, v.key.n);
  e->kn = v.key.n; e->vn = v.prefix.n;
  return 0;
}

static int strcmpn(const char *a, size_t an, const char *b, size_t bn)
{
  int c = memcmp(a, b, an < bn ? an : bn);
  if (c) return c;
  return an < bn ? -1 : an > bn;
}

static int kvcmp(const void *x, const void *y)
{
  const struct kv *a = x, *b = y;
  return strcmpn(a->k, a->kn, b->k, b->kn);
}

/* the last entry (in file order) with key k: constmap puts each new line in
 * front of the older ones with the same key, so the last line wins */
static const struct kv *kvfind(const struct vec *v, const char *k, size_t kn)
{
  const struct kv *a = v->p;
  size_t lo = 0, hi = v->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmpn(a[mid].k, a[mid].kn, k, kn) <= 0) lo = mid + 1; else hi = mid;
  }
  return lo > 0 && !strcmpn(a[lo - 1].k, a[lo - 1].kn, k, kn) ? &a[lo - 1] : 0;
}

static int patcmp(const void *x, const void *y)
{
  const struct pat *a = x, *b = y;
  int c = strcmpn(a->s, a->n, b->s, b->n);
  return c ? c : (int)a->prefix - (int)b->prefix;
}

static size_t patlower(const struct vec *v, const char *k, size_t kn)
{
  const struct pat *a = v->p;
  size_t lo = 0, hi = v->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmpn(a[mid].s, a[mid].n, k, kn) < 0) lo = mid + 1; else hi = mid;
  }
  return lo;
}

static int accepted(const struct q *q, const char *d, size_t n)
{
  size_t j;
  if (!q->have_rcpthosts) return 1;   /* qmail-smtpd without rcpthosts takes every domain */
  for (j = 0; j < n; ++j)
    if ((!j || d[j] == '.') && kvfind(&q->rh, d + j, n - j)) return 1;
  return 0;
}

/* qmail-send's rewrite for a domain: 1 with the prefix of L ("" for locals), 0 remote */
static int local_prefix(const struct q *q, const char *d, size_t n, const char **pfx, size_t *pn)
{
  const struct kv *e;
  size_t j;
  if (kvfind(&q->locals, d, n)) { *pfx = ""; *pn = 0; return 1; }
  for (j = 0; j <= n; ++j)
    if ((!j || j == n || d[j] == '.') && (e = kvfind(&q->vdoms, d + j, n - j))) {
      if (!e->vn) return 0;
      *pfx = e->v; *pn = e->vn;
      return 1;
    }
  return 0;
}

/* Can p apply to some L of a domain? W: the users/assign + entry that takes
 * every L of it, or -1; uw: the longest user U with every L starting "U-", or 0. */
/* ".x" of rcpthosts: would an unlisted subdomain of x be delivered locally?
 * virtualdomains is asked for ".x", its parents, then "" (as for any subdomain) */
static int subdomains_local(const struct q *q, const char *d, size_t n)
{
  const struct kv *e;
  size_t j;
  for (j = 0; j <= n; ++j)
    if ((j == n || d[j] == '.') && (e = kvfind(&q->vdoms, d + j, n - j))) return e->vn != 0;
  return 0;
}

static int keep(const struct q *q, const struct pat *p, long W, size_t uw)
{
  const struct pat *w = q->wilds.p;
  if (W < 0) {
    if (!uw) return 1;
    if (p->src == SRC_ALIAS) return 0;        /* qmail-getpw finds a user first */
    if (p->src == SRC_SYSTEM) return p->ulen >= uw;   /* and the longest one */
    return 1;
  }
  if (p->src == SRC_SYSTEM || p->src == SRC_ALIAS) return 0;   /* users/assign takes every L of this domain */
  if (p->src == SRC_EXACT) return 1;
  return w[p->src].n >= w[W].n;             /* shorter + prefixes lose to the longest one */
}

/* "local@domain" or "local-*@domain" as a rules line; 0 when the rules cannot say it */
static int allowline(struct q *q, const char *l, size_t ln, int prefix, const char *d, size_t dn)
{
  size_t i, start = q->dom.n;
  int plain = ln && l[0] != '.' && l[ln - 1] != '.';
  for (i = 0; i < ln && plain; ++i) {
    char c = l[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '+' || c == '=' || (c == '.' && l[i + 1] != '.'))) plain = 0;
  }
  if (plain || prefix) {
    if (bput(&q->dom, l, ln) || (prefix && bput(&q->dom, "*", 1))) return nomem(q);
  } else {
    if (bput(&q->dom, "\"", 1)) return nomem(q);
    for (i = 0; i < ln; ++i) {
      if ((l[i] == '"' || l[i] == '\\') && bput(&q->dom, "\\", 1)) return nomem(q);
      if (bput(&q->dom, l + i, 1)) return nomem(q);
    }
    if (bput(&q->dom, "\"", 1)) return nomem(q);
  }
  if (bput(&q->dom, "@", 1) || bput(&q->dom, d, dn) || bput(&q->dom, "::allow\n", 8)) return nomem(q);
  if (!plain) {
    /* read it back the way cdbmake-rules will, and check it says this address */
    struct rule r;
    const char *why;
    char want[ADDR_MAX + 2];
    size_t wn = 0;
    if (ln + dn + 2 > sizeof want) { q->dom.n = start; return 0; }
    memcpy(want, l, ln); wn = ln;
    if (prefix) want[wn++] = RULES_PREFIX_MARK;
    want[wn++] = '@';
    memcpy(want + wn, d, dn); wn += dn;
    if (rulesfile_line(q->dom.s + start, q->dom.n - start - 1, &r, &why) != 1 ||
        r.rkind != (prefix ? RR_PREFIX : RR_EXACT) || r.rlen != wn || memcmp(r.rcpt, want, wn)) { q->dom.n = start; return 0; }
  }
  return 1;
}

static int domain(struct q *q, const char *d, size_t dn)
{
  const char *pfx;
  size_t pn, Qn, k, i;
  char Qs[1024];
  long W = -1;
  size_t uw = 0;
  const struct pat *pats = q->pats.p, *wilds = q->wilds.p, *last = 0;
  const char *why = 0;
  unsigned long allows = 0;

  if (!accepted(q, d, dn) || !local_prefix(q, d, dn, &pfx, &pn)) return 0;   /* relayed elsewhere: not ours */
  ++q->st->domains;
  if (kvfind(&q->percent, d, dn)) { warn(d, dn, " left open: in control/percenthack (user%host addresses are sent on)"); ++q->st->open; return 0; }
  if (pn + 2 > sizeof Qs) { warn(d, dn, " left open: virtualdomains prefix too long"); ++q->st->open; return 0; }
  memcpy(Qs, pfx, pn);
  qmailcfg_lower(Qs, pn);
  Qn = pn;
  if (pn) Qs[Qn++] = '-';
  /* the longest users/assign "+" prefix that takes every L of this domain */
  for (i = 0; i < q->wilds.n; ++i)
    if (startswith(Qs, Qn, wilds[i].s, wilds[i].n) && (W < 0 || wilds[i].n > wilds[W].n)) W = (long)i;
  /* the longest passwd user U with every L here starting with "U-" */
  for (i = 0; i < q->users.n; ++i) {
    const struct pat *u = (const struct pat *)q->users.p + i;
    if (startswith(Qs, Qn, u->s, u->n) && u->n - 1 > uw) uw = u->n - 1;
  }
  q->dom.n = 0;
  {
    struct rule r;
    const char *w;
    if (bput(&q->dom, "@", 1) || bput(&q->dom, d, dn) || bput(&q->dom, "::deny", 6)) return nomem(q);
    if (q->o->msg) {
      if (bput(&q->dom, ",MSG=\"", 6)) return nomem(q);
      for (i = 0; q->o->msg[i]; ++i) {
        if ((q->o->msg[i] == '"' || q->o->msg[i] == '\\') && bput(&q->dom, "\\", 1)) return nomem(q);
        if (bput(&q->dom, q->o->msg + i, 1)) return nomem(q);
      }
      if (bput(&q->dom, "\"", 1)) return nomem(q);
    }
    if (rulesfile_line(q->dom.s, q->dom.n, &r, &w) != 1) { warn(d, dn, " left open: the rules cannot name this domain"); ++q->st->open; return 0; }
    if (bput(&q->dom, "\n", 1)) return nomem(q);
  }
  /* a catch-all on a prefix of every L here */
  for (k = 0; k <= Qn; ++k) {
    size_t j = patlower(&q->pats, Qs, k);
    for (; j < q->pats.n && pats[j].n == k && !memcmp(pats[j].s, Qs, k); ++j) {
      if (!pats[j].prefix || !keep(q, &pats[j], W, uw)) continue;
      if (pats[j].uncertain) { why = unsure[pats[j].uncertain]; goto open; }
      ++q->st->catchall;
      return 0;
    }
  }
  /* every pattern under Qs */
  for (i = patlower(&q->pats, Qs, Qn); i < q->pats.n && startswith(pats[i].s, pats[i].n, Qs, Qn); ++i) {
    const struct pat *p = &pats[i];
    const char *l = p->s + Qn;
    size_t ln = p->n - Qn;
    int ok;
    if (!keep(q, p, W, uw)) continue;
    if (p->uncertain) { why = unsure[p->uncertain]; goto open; }
    if (p->prefix && l[ln - 1] != '-') { why = " left open: a catch-all the rules cannot say (a prefix not ending in '-')"; goto open; }
    if (!ln) continue;   /* the empty local part: no SMTP address */
    if (last && last->n == p->n && last->prefix == p->prefix && !memcmp(last->s, p->s, p->n)) continue;
    last = p;
    ok = allowline(q, l, ln, p->prefix, d, dn);
    if (ok < 0) return -1;
    if (!ok) { why = " left open: a mailbox name the rules cannot say"; goto open; }
    ++allows;
  }
  /* virtualdomains entries for single addresses ("user@domain:prefix") */
  for (i = 0; i < q->vaddrs.n; ++i) {
    const struct kv *e = (const struct kv *)q->vaddrs.p + i;
    const char *at = memchr(e->k, '@', e->kn);
    int ok;
    /* a prefix delivers it locally, an empty one sends it away: qmail takes it either way */
    if ((size_t)(e->k + e->kn - at - 1) != dn || memcmp(at + 1, d, dn)) continue;
    ok = allowline(q, e->k, (size_t)(at - e->k), 0, d, dn);
    if (ok < 0) return -1;
    if (!ok) { why = " left open: a mailbox name the rules cannot say"; goto open; }
    ++allows;
  }
  ++q->st->closed;
  q->st->allow += allows;
  if (bput(&q->out, q->dom.s, q->dom.n)) return nomem(q);
  return q->out.n > 65536 ? flush(q) : 0;
open:
  warn(d, dn, why);
  ++q->st->open;
  return 0;
}

/* ---- the whole run ---- */

static int readctl(struct q *q, const char *name, struct vec *v, linefn fn)
{
  char path[PATH_MAX_Q];
  struct buf b = { 0, 0, 0 };
  int k;
  if (mkpath(q, path, q->o->qmaildir, strlen(q->o->qmaildir), name) == -1) return -1;
  k = slurp(q, path, &b);
  if (k == 1 && lines(q, path, &b, fn, v) == -1) k = -1;
  free(b.s);
  return k;
}

static int morercpthosts(struct q *q)
{
  char path[PATH_MAX_Q];
  struct cdb cdb;
  unsigned pos;
  int fd, k;
  struct stat s;
  if (mkpath(q, path, q->o->qmaildir, strlen(q->o->qmaildir), "/control/morercpthosts.cdb") == -1) return -1;
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd == -1) return missing(errno) ? 0 : fail(q, 111, "unable to read ", path, "");
  if (fstat(fd, &s) == 0) seen(q, path, &s);
  if (cdb_init(&cdb, fd) == -1) { close(fd); return fail(q, 111, "unable to read ", path, ": not a cdb"); }
  cdb_seqinit(&pos, &cdb);
  while ((k = cdb_seqnext(&pos, &cdb)) > 0) {
    unsigned kl = cdb_keylen(&cdb);
    const char *key = cdb_get(&cdb, kl, cdb_keypos(&cdb));
    struct kv *e;
    if (!key || !kl) continue;
    if (!(e = push(&q->rh, sizeof *e)) || !(e->k = store(q, key, kl, "", 0))) { cdb_free(&cdb); close(fd); return nomem(q); }
    qmailcfg_lower((char *)e->k, kl);
    e->kn = kl; e->v = 0; e->vn = 0;
  }
  cdb_free(&cdb);
  close(fd);
  return k < 0 ? fail(q, 111, "unable to read ", path, ": corrupt cdb") : 0;
}

static int run(struct q *q)
{
  char path[PATH_MAX_Q];
  const char *dir = q->o->qmaildir;
  size_t dn = strlen(dir), i;
  struct stat s;
  int k;

  {
    static const char *const sql[] = { "/etc/vpopmail.mysql", "/etc/vpopmail.pgsql" };
    for (i = 0; i < 2; ++i) {
      if (mkpath(q, path, q->o->vpopdir, strlen(q->o->vpopdir), sql[i]) == -1) return -1;
      if (stat(path, &s) == 0) q->vpopsql = 1;
    }
  }
  /* the directories: a file appearing in them changes what qmail does */
  if (mkpath(q, path, dir, dn, "/control") == -1) return -1;
  if (stat(path, &s) == 0) seen(q, path, &s);
  if (mkpath(q, path, dir, dn, "/users") == -1) return -1;
  if (stat(path, &s) == 0) seen(q, path, &s);
  /* control/locals, or control/me when it is missing (as qmail-send) */
  if ((k = readctl(q, "/control/locals", &q->locals, domline)) == -1) return -1;
  if (!k) {
    if ((k = readctl(q, "/control/me", &q->locals, domline)) == -1) return -1;
    if (!k) return fail(q, 111, "unable to read ", dir, "/control/me: neither locals nor me exists");
  }
  if (readctl(q, "/control/percenthack", &q->percent, domline) == -1) return -1;
  if (q->percent.n) qsort(q->percent.p, q->percent.n, sizeof(struct kv), kvcmp);
  if ((k = readctl(q, "/control/rcpthosts", &q->rh, domline)) == -1) return -1;
  q->have_rcpthosts = k;
  if (k && morercpthosts(q) == -1) return -1;
  if (!k) warn(dir, dn, "/control/rcpthosts missing: qmail-smtpd takes mail for every domain");
  if (readctl(q, "/control/virtualdomains", 0, vdomline) == -1) return -1;
  if (q->locals.n) qsort(q->locals.p, q->locals.n, sizeof(struct kv), kvcmp);
  if (q->rh.n) qsort(q->rh.p, q->rh.n, sizeof(struct kv), kvcmp);
  if (q->vdoms.n) {
    struct kv *a = q->vdoms.p;
    size_t j, n = q->vdoms.n;
    /* a merge sort keeps file order among equal keys: kvfind takes the last, as constmap does */
    struct kv *tmp = malloc(n * sizeof *tmp);
    size_t w;
    if (!tmp) return nomem(q);
    for (w = 1; w < n; w *= 2) {
      for (i = 0; i < n; i += 2 * w) {
        size_t l = i, m = i + w < n ? i + w : n, r = m, e = i + 2 * w < n ? i + 2 * w : n, o = i;
        while (l < m && r < e) tmp[o++] = kvcmp(&a[r], &a[l]) < 0 ? a[r++] : a[l++];
        while (l < m) tmp[o++] = a[l++];
        while (r < e) tmp[o++] = a[r++];
      }
      for (j = 0; j < n; ++j) a[j] = tmp[j];
    }
    free(tmp);
  }

  /* users/assign (users/cdb when assign is missing) */
  if (mkpath(q, path, dir, dn, "/users/assign") == -1) return -1;
  {
    struct buf b = { 0, 0, 0 };
    struct assignctx c = { 0 };
    k = slurp(q, path, &b);
    if (k == 1) {
      if (lines(q, path, &b, assign_line, &c) == -1) k = -1;
      else if (!c.end) k = badline(q, path, 0, "no final \".\" line: qmail-newu refuses it");
    }
    free(b.s);
    if (k == -1) return -1;
    if (k == 1) {
      char cdbp[PATH_MAX_Q];
      struct stat a;
      if (mkpath(q, cdbp, dir, dn, "/users/cdb") == -1) return -1;
      if (stat(path, &a) == 0 && stat(cdbp, &s) == 0 && s.st_mtime < a.st_mtime)
        warn(path, strlen(path), " is newer than users/cdb: run qmail-newu (the rules follow assign)");
    } else {
      if (mkpath(q, path, dir, dn, "/users/cdb") == -1 || users_cdb(q, path) == -1) return -1;
    }
  }
  if (passwd_all(q) == -1) return -1;
  if (q->pats.n) qsort(q->pats.p, q->pats.n, sizeof(struct pat), patcmp);

  /* candidate domains: locals, virtualdomains, rcpthosts, morercpthosts */
  {
    const struct vec *src[3] = { &q->locals, &q->vdoms, &q->rh };
    size_t v;
    for (v = 0; v < 3; ++v)
      for (i = 0; i < src[v]->n; ++i) {
        const struct kv *e = (const struct kv *)src[v]->p + i;
        struct kv *c;
        if (!e->kn || e->k[0] == '.') {
          /* ".example.com" in rcpthosts: every subdomain, which no list can name */
          if (v == 2 && e->kn && subdomains_local(q, e->k, e->kn))
            warn(e->k, e->kn, " in rcpthosts: subdomains are left open (only the ones listed get rules)");
          continue;
        }
        if (!(c = push(&q->cands, sizeof *c))) return nomem(q);
        *c = *e;
      }
    if (q->cands.n) qsort(q->cands.p, q->cands.n, sizeof(struct kv), kvcmp);
  }
  for (i = 0; i < q->cands.n; ++i) {
    const struct kv *c = (const struct kv *)q->cands.p + i;
    if (i && !kvcmp(c, c - 1)) continue;
    if (domain(q, c->k, c->kn) == -1) return -1;
  }
  return flush(q);
}

int qr_run(const struct qr_opts *o, int fd, struct qr_stats *st, char *err)
{
  struct q q;
  int r;
  memset(&q, 0, sizeof q);
  memset(st, 0, sizeof *st);
  q.o = o; q.st = st; q.err = err; q.fd = fd;
  err[0] = 0;
  r = run(&q);
  if (r == 0 && q.inputs_lost) r = nomem(&q);
  if (r == 0 && o->inputs_fd != -1) {
    size_t i = 0;
    while (i < q.inputs.n) {
      ssize_t w = write(o->inputs_fd, q.inputs.s + i, q.inputs.n - i);
      if (w < 0) { if (errno == EINTR) continue; r = fail(&q, 111, "unable to write the list of inputs: ", strerror(errno), 0); break; }
      i += (size_t)w;
    }
  }
  while (q.blocks) { struct block *b = q.blocks; q.blocks = b->next; free(b); }
  free(q.pats.p); free(q.wilds.p); free(q.locals.p); free(q.rh.p); free(q.vdoms.p); free(q.vaddrs.p); free(q.cands.p); free(q.users.p); free(q.percent.p);
  free(q.out.s); free(q.dom.s); free(q.inputs.s);
  return r == -1 ? q.code : 0;
}
