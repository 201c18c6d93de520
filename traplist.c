/* traplist — rcptfilter's spamtrap hits (log lines) into the private
 * blocklist, with an expiry, never listing our own networks. man/traplist.8. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#include "atomicfile.h"
#include "blocklist.h"
#include "die.h"
#include "fdio.h"
#include "iprange.h"
#include "logline.h"
#include "netlist.h"
#include "num.h"
#include "traplog.h"

#define PROG "traplist"
#define USAGE "traplist [-e hours] [-N network]... [-x file]... [-c] [-n now] list [logfile...]"
#define INPUT_MAX (256u << 20)
#define LIST_MAX (256u << 20)
#define HITS_MAX 100000
#define TRAP_REASON "spamtrap"         /* our entries start with it: we may prune them */

struct hits { struct traplog_hit *h; size_t n, cap; };

struct line {                           /* one line of the list, as it will be written */
  char *text;                           /* points into the old file, or malloc'd when rewritten/new */
  size_t len;
  int owned, dropped, is_entry;
  struct blocklist_entry e;
};

struct list { struct line *l; size_t n, cap; };

static void add_hit(struct hits *hs, const struct traplog_hit *h, long long now)
{
  size_t i;
  struct traplog_hit x = *h;
  if (!x.when) x.when = now;            /* stdin without stamps: the hit is now */
  for (i = 0; i < hs->n; ++i)
    if (!iprange_addr_cmp(&hs->h[i].ip, &x.ip)) {
      if (x.when > hs->h[i].when) hs->h[i] = x;
      return;
    }
  if (hs->n >= HITS_MAX) return;        /* bounded; the rest come round next run */
  if (hs->n == hs->cap) {
    size_t cap = hs->cap ? hs->cap * 2 : 64;
    struct traplog_hit *t = realloc(hs->h, cap * sizeof *t);
    if (!t) die_nomem(PROG);
    hs->h = t;
    hs->cap = cap;
  }
  hs->h[hs->n++] = x;
}

struct scan_ctx { struct hits *hs; long long now; };

static int scan_line(const char *line, size_t len, unsigned long lineno, void *p)
{
  struct scan_ctx *c = p;
  struct traplog_hit h;
  (void)lineno;
  if (traplog_parse(line, len, &h)) add_hit(c->hs, &h, c->now);
  return 0;
}

static void scan_input(const char *name, int fd, int copy, struct hits *hs, long long now)
{
  struct scan_ctx c = { hs, now };
  char *data;
  size_t len;

  if (atomicfile_read_fd(fd, INPUT_MAX, &data, &len) < 0) die_sys(EXIT_TEMP, PROG, name);
  if (copy)   /* multilog processor: the input is the log file to keep */
    if (fdio_write_all(1, data, len) < 0) die_sys(EXIT_TEMP, PROG, "copy input to output");
  blocklist_lines(data, len, scan_line, &c);
  free(data);
}

static struct line *push_line(struct list *ls)
{
  if (ls->n == ls->cap) {
    size_t cap = ls->cap ? ls->cap * 2 : 256, bytes;
    struct line *t;
    if (__builtin_mul_overflow(cap, sizeof *t, &bytes) || !(t = realloc(ls->l, bytes))) die_nomem(PROG);
    ls->l = t;
    ls->cap = cap;
  }
  memset(&ls->l[ls->n], 0, sizeof ls->l[0]);
  return &ls->l[ls->n++];
}

struct load_ctx { struct list *ls; const char *name; };

static int load_line(const char *line, size_t len, unsigned long lineno, void *p)
{
  struct load_ctx *c = p;
  struct line *l = push_line(c->ls);
  const char *why;

  l->text = (char *)line;
  l->len = len;
  switch (blocklist_parse_line(line, len, &l->e, &why)) {
  case BLOCKLIST_ENTRY: l->is_entry = 1; break;
  case BLOCKLIST_BLANK: break;
  default: {
    struct outbuf m = { 0, 0, 0, 0 };
    outbuf_puts(&m, c->name);
    outbuf_puts(&m, ":");
    outbuf_putulong(&m, lineno);
    outbuf_puts(&m, ": ");
    outbuf_puts(&m, why);
    outbuf_puts(&m, " (list left untouched)");
    die_msg(EXIT_PERM, PROG, m.failed ? why : m.s);
  }
  }
  return 0;
}

/* "IP expires=TIME reason" into a fresh malloc'd line. */
static void set_line(struct line *l, const struct iprange_addr *ip, long long expires, const char *reason)
{
  struct outbuf b = { 0, 0, 0, 0 };
  char a[IPRANGE_FMT_MAX], t[BLOCKLIST_TIME_MAX];
  const char *why;

  iprange_addr_fmt(a, ip);
  blocklist_time_fmt(t, expires);
  outbuf_puts(&b, a);
  outbuf_puts(&b, " expires=");
  outbuf_puts(&b, t);
  if (reason[0]) { outbuf_puts(&b, " "); outbuf_puts(&b, reason); }
  if (b.failed) die_nomem(PROG);
  if (l->owned) free(l->text);
  l->text = b.s;
  l->len = b.len;
  l->owned = 1;
  l->is_entry = blocklist_parse_line(b.s, b.len, &l->e, &why) == BLOCKLIST_ENTRY;
}

static void log_decision(const struct iprange_addr *ip, const char *action, long long expires)
{
  struct logline l;
  char a[IPRANGE_FMT_MAX], t[BLOCKLIST_TIME_MAX];
  iprange_addr_fmt(a, ip);
  logline_start(&l, PROG);
  logline_str(&l, "ip", a);
  logline_str(&l, "action", action);
  if (expires) { blocklist_time_fmt(t, expires); logline_str(&l, "expires", t); }
  logline_end(&l);
}

static int single(const struct blocklist_entry *e, const struct iprange_addr *ip)
{
  return !iprange_addr_cmp(&e->range.lo, ip) && !iprange_addr_cmp(&e->range.hi, ip);
}

/* One hit against the list. 1 when the list changed. */
static int apply_hit(struct list *ls, const struct traplog_hit *h, long long expires, const struct netlist *never)
{
  struct line *exact = 0;
  char reason[BLOCKLIST_REASON_MAX + 1];
  size_t i;

  if (netlist_contains(never, &h->ip)) { log_decision(&h->ip, "never", 0); return 0; }
  for (i = 0; i < ls->n; ++i) {
    struct line *l = &ls->l[i];
    if (!l->is_entry || l->dropped || !iprange_contains(&l->e.range, &h->ip)) continue;
    if (!l->e.expires || l->e.expires >= expires) { log_decision(&h->ip, "listed", l->e.expires); return 0; }
    if (single(&l->e, &h->ip) && !exact) exact = l;
  }
  if (exact) {
    memcpy(reason, exact->e.reason, exact->e.reason_len + 1);
    set_line(exact, &h->ip, expires, reason);
    log_decision(&h->ip, "refresh", expires);
    return 1;
  }
  memcpy(reason, TRAP_REASON, sizeof TRAP_REASON);
  if (h->rcpt[0]) {
    size_t n = strlen(reason), k = strlen(h->rcpt);
    memcpy(reason + n, " rcpt=", 7);
    n += 6;
    if (k > BLOCKLIST_REASON_MAX - n) k = BLOCKLIST_REASON_MAX - n;
    memcpy(reason + n, h->rcpt, k);
    reason[n + k] = 0;
  }
  set_line(push_line(ls), &h->ip, expires, reason);
  log_decision(&h->ip, "add", expires);
  return 1;
}

int main(int argc, char **argv)
{
  struct netlist never = { 0, 0, 0 };
  struct hits hs = { 0, 0, 0 };
  struct list ls = { 0, 0, 0 };
  struct outbuf out = { 0, 0, 0, 0 };
  unsigned long hours = 24, v;
  long long now = (long long)time(0);
  const char *listname;
  char err[512], lockname[4096], *old = 0;
  size_t oldlen = 0, i;
  int opt, copy = 0, changed = 0, lockfd;

  while ((opt = getopt(argc, argv, "e:N:x:cn:")) != -1) {
    const char *why;
    switch (opt) {
    case 'e': if (!num_ulong(optarg, 24UL * 366 * 100, &hours) || !hours) die_usage(PROG, USAGE); break;
    case 'N': if ((why = netlist_add(&never, optarg, strlen(optarg)))) die_msg(EXIT_PERM, PROG, why); break;
    case 'x':
      switch (netlist_load(&never, optarg, err, sizeof err)) {
      case 0: break;
      case 1: die_msg(EXIT_PERM, PROG, err);
      default: die_sys(EXIT_TEMP, PROG, "read never-list file");
      }
      break;
    case 'c': copy = 1; break;
    case 'n': if (!num_ulong(optarg, 253402300799UL, &v)) die_usage(PROG, USAGE); now = (long long)v; break;
    default: die_usage(PROG, USAGE);
    }
  }
  argc -= optind;
  argv += optind;
  if (argc < 1) die_usage(PROG, USAGE);
  listname = argv[0];

  if (argc == 1) scan_input("read stdin", 0, copy, &hs, now);
  for (i = 1; i < (size_t)argc; ++i) {
    int fd = open(argv[i], O_RDONLY | O_CLOEXEC);
    if (fd < 0) die_sys(EXIT_TEMP, PROG, "open log file");
    scan_input("read log file", fd, copy, &hs, now);
    close(fd);
  }

  /* one writer at a time (cron and a log script may overlap) */
  if ((size_t)snprintf(lockname, sizeof lockname, "%s.lock", listname) >= sizeof lockname) die_msg(EXIT_PERM, PROG, "list name too long");
  lockfd = open(lockname, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lockfd < 0) die_sys(EXIT_TEMP, PROG, "open lock file");
  if (flock(lockfd, LOCK_EX) < 0) die_sys(EXIT_TEMP, PROG, "lock list");

  if (atomicfile_read(listname, LIST_MAX, &old, &oldlen) < 0) {
    if (errno != ENOENT) die_sys(EXIT_TEMP, PROG, "read list");
    old = 0;
    oldlen = 0;
  }
  {
    struct load_ctx c = { &ls, listname };
    if (old) blocklist_lines(old, oldlen, load_line, &c);
  }

  /* our own entries that have run out are removed; the operator's stay */
  for (i = 0; i < ls.n; ++i) {
    struct line *l = &ls.l[i];
    if (l->is_entry && l->e.expires && l->e.expires <= now &&
        !strncmp(l->e.reason, TRAP_REASON, sizeof TRAP_REASON - 1)) {
      l->dropped = 1;
      changed = 1;
      log_decision(&l->e.range.lo, "expired", l->e.expires);
    }
  }
  for (i = 0; i < hs.n; ++i) {
    long long expires = hs.h[i].when + (long long)hours * 3600;
    if (expires <= now) continue;   /* an old hit, already run out */
    changed |= apply_hit(&ls, &hs.h[i], expires, &never);
  }

  if (changed) {
    for (i = 0; i < ls.n; ++i) {
      if (ls.l[i].dropped) continue;
      outbuf_put(&out, ls.l[i].text, ls.l[i].len);
      outbuf_put(&out, "\n", 1);
    }
    if (out.failed) die_nomem(PROG);
    if (atomicfile_write(listname, out.s ? out.s : "", out.len, 0) < 0) die_sys(EXIT_TEMP, PROG, "write list");
  }
  close(lockfd);
  for (i = 0; i < ls.n; ++i) if (ls.l[i].owned) free(ls.l[i].text);
  free(ls.l);
  free(old);
  free(hs.h);
  outbuf_free(&out);
  netlist_free(&never);
  return 0;
}
