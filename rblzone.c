/* rblzone — a private blocklist (text) into an rbldnsd zone and tinydns-data
 * lines, atomically. man/rblzone.8. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "atomicfile.h"
#include "blocklist.h"
#include "die.h"
#include "iprange.h"
#include "logline.h"
#include "num.h"

#define PROG "rblzone"
#define USAGE "rblzone [-t ttl] [-a 127.0.0.2] [-m text] [-z zone] [-n now] list zonefile [datafile]"
#define MAX_BAD_REPORTED 50
#define LIST_MAX (256u << 20)

/* The prefixes already written: a duplicate would give rbldnsd a warning and
 * tinydns two TXT records, so the first entry wins and later ones are reported. */
struct seen {
  struct iprange_prefix *slot;   /* bits == 255: empty */
  size_t cap, n;
};

static size_t prefix_hash(const struct iprange_prefix *p)
{
  size_t h = 2166136261u, i;
  for (i = 0; i < 16; ++i) h = (h ^ p->a.b[i]) * 16777619u;
  return (h ^ p->bits ^ (size_t)p->a.v6 << 8) * 16777619u;
}

static int same_prefix(const struct iprange_prefix *x, const struct iprange_prefix *y)
{
  return x->bits == y->bits && x->a.v6 == y->a.v6 && !memcmp(x->a.b, y->a.b, 16);
}

/* 1 when p was new (and is now remembered), 0 when seen before. */
static int seen_add(struct seen *s, const struct iprange_prefix *p)
{
  size_t i;
  if ((s->n + 1) * 2 > s->cap) {
    struct seen bigger;
    size_t bytes;
    bigger.cap = s->cap ? s->cap * 2 : 1024;
    bigger.n = 0;
    if (__builtin_mul_overflow(bigger.cap, sizeof *bigger.slot, &bytes) || !(bigger.slot = malloc(bytes))) die_nomem(PROG);
    for (i = 0; i < bigger.cap; ++i) bigger.slot[i].bits = 255;
    for (i = 0; i < s->cap; ++i) if (s->slot[i].bits != 255) seen_add(&bigger, &s->slot[i]);
    free(s->slot);
    *s = bigger;
  }
  for (i = prefix_hash(p) & (s->cap - 1); s->slot[i].bits != 255; i = (i + 1) & (s->cap - 1))
    if (same_prefix(&s->slot[i], p)) return 0;
  s->slot[i] = *p;
  ++s->n;
  return 1;
}

struct tinydns_rec {            /* "+name:ip:ttl\n'name:text:ttl\n" */
  char *s;
  size_t len, namelen, order;
  unsigned bits;
};

struct zone_job {
  const char *listname;
  long long now;
  unsigned long ttl;
  char answer[IPRANGE_FMT_MAX];     /* the A record, 127.0.0.2 */
  const char *default_text;
  const char *zone;                 /* for tinydns-data; NULL: no data output */
  struct outbuf v4, v6, data;       /* rbldnsd ip4trie part, ip6trie part, tinydns lines */
  struct seen seen;
  struct tinydns_rec *recs;
  size_t nrecs, caprecs;
  unsigned long entries, prefixes4, prefixes6, expired, bad, duplicates;
};

static void say(const char *a, const char *b, const char *c, const char *d)
{
  struct outbuf o = { 0, 0, 0, 0 };
  outbuf_puts(&o, PROG ": ");
  outbuf_puts(&o, a);
  if (b) outbuf_puts(&o, b);
  if (c) outbuf_puts(&o, c);
  if (d) outbuf_puts(&o, d);
  outbuf_put(&o, "\n", 1);
  if (!o.failed && write(2, o.s, o.len) < 0) { /* nowhere to report it */ }
  outbuf_free(&o);
}

static void say_line(const struct zone_job *j, unsigned long lineno, const char *what, const char *detail)
{
  char num[24];
  size_t i = sizeof num - 1;
  num[i] = 0;
  do { num[--i] = (char)('0' + lineno % 10); lineno /= 10; } while (lineno && i);
  {
    struct outbuf o = { 0, 0, 0, 0 };
    outbuf_puts(&o, j->listname);
    outbuf_puts(&o, ":");
    outbuf_puts(&o, num + i);
    outbuf_puts(&o, ": ");
    outbuf_puts(&o, what);
    say(o.failed ? "out of memory" : o.s, detail, 0, 0);
    outbuf_free(&o);
  }
}

/* tinydns-data text field: ':' '\\' and anything unprintable as \ooo. */
static void put_tinydns_text(struct outbuf *b, const char *s, size_t len)
{
  size_t i;
  for (i = 0; i < len; ++i) {
    unsigned char c = (unsigned char)s[i];
    if (c == ':' || c == '\\' || c < 0x20 || c > 0x7e) {
      char o[4] = { '\\', (char)('0' + (c >> 6)), (char)('0' + ((c >> 3) & 7)), (char)('0' + (c & 7)) };
      outbuf_put(b, o, 4);
    } else {
      outbuf_put(b, (const char *)&c, 1);
    }
  }
}

/* The longest TXT text rbldnsd serves (it cuts the rest off silently). */
#define TEXT_MAX 254

/* The text one prefix gets: each '$' replaced by the listed address or prefix,
 * "$$" by one '$'. rblzone does it for both servers, so they agree (rbldnsd
 * would put the queried address in, tinydns cannot). 0 when it is too long. */
static int expand_text(char out[TEXT_MAX + 1], const char *text, const char *prefix_text)
{
  size_t n = 0, plen = strlen(prefix_text);
  for (; *text; ++text) {
    const char *add = text;
    size_t len = 1;
    if (*text == '$') {
      if (text[1] == '$') ++text;
      else { add = prefix_text; len = plen; }
    }
    if (len > TEXT_MAX - n) return 0;
    memcpy(out + n, add, len);
    n += len;
  }
  out[n] = 0;
  return 1;
}

/* The expanded text as rbldnsd must read it to serve it unchanged: it takes
 * '$' as a substitution and strips one leading '=' (its "no base template"
 * mark), so each '$' is doubled and a leading '=' written twice. */
static void put_rbldnsd_text(struct outbuf *b, const char *s)
{
  if (*s == '=') outbuf_put(b, "=", 1);
  for (; *s; ++s) {
    if (*s == '$') outbuf_put(b, "$", 1);
    outbuf_put(b, s, 1);
  }
}

static const char hexdigit[] = "0123456789abcdef";

/* One DNS name (under zone) for block `index` of a prefix, reversed octets
 * or nibbles; a wildcard when the prefix stops short of the full address. */
static void put_tinydns_name(struct outbuf *b, const struct iprange_prefix *p, unsigned labels, unsigned long index, const char *zone)
{
  unsigned char v[16];
  unsigned full = p->a.v6 ? 32 : 4, k;

  memcpy(v, p->a.b, 16);
  /* block index goes into the last label's low bits */
  if (p->a.v6) {
    unsigned nib = labels - 1;   /* nibble position 0..31 */
    unsigned byte = nib / 2;
    unsigned cur = (nib % 2) ? (v[byte] & 0x0f) : (v[byte] >> 4);
    cur += (unsigned)index;
    if (nib % 2) v[byte] = (unsigned char)((v[byte] & 0xf0) | (cur & 0x0f));
    else v[byte] = (unsigned char)((v[byte] & 0x0f) | ((cur & 0x0f) << 4));
  } else {
    v[labels - 1] = (unsigned char)(v[labels - 1] + index);
  }
  if (labels < full) outbuf_put(b, "*.", 2);
  for (k = labels; k-- > 0;) {
    if (p->a.v6) {
      unsigned char nib = (k % 2) ? (v[k / 2] & 0x0f) : (v[k / 2] >> 4);
      outbuf_put(b, &hexdigit[nib], 1);
    } else {
      char t[4];
      size_t n = 0;
      unsigned o = v[k];
      if (o >= 100) t[n++] = (char)('0' + o / 100);
      if (o >= 10) t[n++] = (char)('0' + o / 10 % 10);
      t[n++] = (char)('0' + o % 10);
      outbuf_put(b, t, n);
    }
    outbuf_put(b, ".", 1);
  }
  outbuf_puts(b, zone);
}

static void put_tinydns(struct zone_job *j, const struct iprange_prefix *p, const char *text)
{
  unsigned step = p->a.v6 ? 4 : 8;
  unsigned labels = (p->bits + step - 1) / step;   /* labels fixed by the prefix */
  unsigned long blocks = 1UL << (labels * step - p->bits), i;

  if (labels == 0) blocks = 1;   /* /0: the wildcard under the zone itself */
  for (i = 0; i < blocks; ++i) {
    struct outbuf b = { 0, 0, 0, 0 };
    struct tinydns_rec *r;
    outbuf_put(&b, "+", 1);
    if (labels) put_tinydns_name(&b, p, labels, i, j->zone);
    else { outbuf_puts(&b, "*."); outbuf_puts(&b, j->zone); }
    if (b.failed) die_nomem(PROG);
    {
      char name[300];    /* zone <= 200 bytes, 32 nibble labels: fits */
      size_t namelen = b.len - 1;
      if (namelen >= sizeof name) die_msg(EXIT_PERM, PROG, "zone name too long");
      memcpy(name, b.s + 1, namelen);   /* b.s may move while it grows */
      outbuf_put(&b, ":", 1);
      outbuf_puts(&b, j->answer);
      outbuf_put(&b, ":", 1);
      outbuf_putulong(&b, j->ttl);
      outbuf_put(&b, "\n'", 2);
      outbuf_put(&b, name, namelen);
      outbuf_put(&b, ":", 1);
      put_tinydns_text(&b, text, strlen(text));
      outbuf_put(&b, ":", 1);
      outbuf_putulong(&b, j->ttl);
      outbuf_put(&b, "\n", 1);
      if (b.failed) die_nomem(PROG);
      if (j->nrecs == j->caprecs) {
        size_t cap = j->caprecs ? j->caprecs * 2 : 256, bytes;
        struct tinydns_rec *t;
        if (__builtin_mul_overflow(cap, sizeof *t, &bytes) || !(t = realloc(j->recs, bytes))) die_nomem(PROG);
        j->recs = t;
        j->caprecs = cap;
      }
      r = &j->recs[j->nrecs];
      r->s = b.s;
      r->len = b.len;
      r->namelen = namelen;
      r->bits = p->bits;
      r->order = j->nrecs++;
    }
  }
}

/* By name; for one name the longest prefix first (as rbldnsd's trie
 * answers), then the earliest line. */
static int rec_order(const void *x, const void *y)
{
  const struct tinydns_rec *a = x, *b = y;
  size_t n = a->namelen < b->namelen ? a->namelen : b->namelen;
  int c = memcmp(a->s + 1, b->s + 1, n);
  if (c) return c;
  if (a->namelen != b->namelen) return a->namelen < b->namelen ? -1 : 1;
  if (a->bits != b->bits) return a->bits > b->bits ? -1 : 1;
  return a->order < b->order ? -1 : a->order > b->order;
}

/* One A and one TXT per name: tinydns would otherwise answer every TXT. */
static void finish_tinydns(struct zone_job *j)
{
  size_t i;
  qsort(j->recs, j->nrecs, sizeof *j->recs, rec_order);
  for (i = 0; i < j->nrecs; ++i) {
    const struct tinydns_rec *r = &j->recs[i];
    if (i && r->namelen == r[-1].namelen && !memcmp(r->s + 1, r[-1].s + 1, r->namelen)) continue;
    outbuf_put(&j->data, r->s, r->len);
  }
  for (i = 0; i < j->nrecs; ++i) free(j->recs[i].s);
  free(j->recs);
  j->recs = 0;
  j->nrecs = 0;
}

static int one_line(const char *line, size_t len, unsigned long lineno, void *ctx)
{
  struct zone_job *j = ctx;
  struct blocklist_entry e;
  struct iprange_walk w;
  struct iprange_prefix p;
  const char *why, *text;

  switch (blocklist_parse_line(line, len, &e, &why)) {
  case BLOCKLIST_BLANK: return 0;
  case BLOCKLIST_BAD:
    if (++j->bad <= MAX_BAD_REPORTED) say_line(j, lineno, why, 0);
    return 0;
  case BLOCKLIST_ENTRY: break;
  }
  if (e.expires && e.expires <= j->now) {
    char t[BLOCKLIST_TIME_MAX];
    blocklist_time_fmt(t, e.expires);
    ++j->expired;
    say_line(j, lineno, "expired at ", t);
    return 0;
  }
  ++j->entries;
  text = e.reason_len ? e.reason : j->default_text;
  iprange_walk_start(&w, &e.range);
  while (iprange_walk_next(&w, &p)) {
    char pt[IPRANGE_FMT_MAX], txt[TEXT_MAX + 1];
    struct outbuf *zb = p.a.v6 ? &j->v6 : &j->v4;
    iprange_prefix_fmt(pt, &p);
    if (!expand_text(txt, text, pt)) {
      if (++j->bad <= MAX_BAD_REPORTED) say_line(j, lineno, "text too long once each $ is replaced (254 bytes at most): ", pt);
      return 0;
    }
    if (!seen_add(&j->seen, &p)) {
      ++j->duplicates;
      say_line(j, lineno, "listed earlier, this line's text not used: ", pt);
      continue;
    }
    ++*(p.a.v6 ? &j->prefixes6 : &j->prefixes4);
    if (pt[0] == ':') outbuf_put(zb, "0", 1);   /* rbldnsd reads a line starting with ':' as the default value */
    outbuf_puts(zb, pt);
    outbuf_put(zb, " :", 2);
    outbuf_puts(zb, j->answer);
    outbuf_put(zb, ":", 1);
    put_rbldnsd_text(zb, txt);
    outbuf_put(zb, "\n", 1);
    if (j->zone) put_tinydns(j, &p, txt);
  }
  return 0;
}

static int zone_name_ok(const char *z)
{
  size_t i, n = strlen(z), label = 0;
  if (n == 0 || n > 200 || z[0] == '.' || z[n - 1] == '.') return 0;
  for (i = 0; i < n; ++i) {
    char c = z[i];
    if (c == '.') { if (!label) return 0; label = 0; continue; }
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return 0;
    if (++label > 63) return 0;
  }
  return 1;
}

static int text_ok(const char *s)
{
  size_t n = strlen(s), i;
  if (n == 0 || n > BLOCKLIST_REASON_MAX) return 0;
  for (i = 0; i < n; ++i) if (s[i] < 0x20 || s[i] > 0x7e) return 0;
  return 1;
}

int main(int argc, char **argv)
{
  struct zone_job j;
  struct iprange_addr answer;
  struct outbuf zone = { 0, 0, 0, 0 };
  const char *zonefile, *datafile = 0;
  char *list;
  size_t listlen;
  int opt;

  memset(&j, 0, sizeof j);
  j.ttl = 300;
  j.now = (long long)time(0);
  j.default_text = "listed in a private blocklist";
  memcpy(j.answer, "127.0.0.2", 10);

  while ((opt = getopt(argc, argv, "t:a:m:z:n:")) != -1) {
    unsigned long v;
    switch (opt) {
    case 't': if (!num_ulong(optarg, 2147483647UL, &j.ttl)) die_usage(PROG, USAGE); break;
    case 'a':
      if (!iprange_addr_parse(optarg, strlen(optarg), &answer) || answer.v6) die_msg(EXIT_PERM, PROG, "-a wants an IPv4 address such as 127.0.0.2");
      iprange_addr_fmt(j.answer, &answer);
      break;
    case 'm': if (!text_ok(optarg)) die_msg(EXIT_PERM, PROG, "-m wants 1 to 200 printable ASCII characters"); j.default_text = optarg; break;
    case 'z': if (!zone_name_ok(optarg)) die_msg(EXIT_PERM, PROG, "-z wants a DNS name such as bl.example.org"); j.zone = optarg; break;
    case 'n': if (!num_ulong(optarg, 253402300799UL, &v)) die_usage(PROG, USAGE); j.now = (long long)v; break;
    default: die_usage(PROG, USAGE);
    }
  }
  argc -= optind;
  argv += optind;
  if (argc != 2 && argc != 3) die_usage(PROG, USAGE);
  j.listname = argv[0];
  zonefile = argv[1];
  if (argc == 3) {
    datafile = argv[2];
    if (!j.zone) die_msg(EXIT_PERM, PROG, "tinydns-data output needs -z zone");
  } else {
    j.zone = 0;
  }

  if (atomicfile_read(j.listname, LIST_MAX, &list, &listlen) < 0) die_sys(EXIT_TEMP, PROG, "read list");
  blocklist_lines(list, listlen, one_line, &j);
  free(list);
  if (j.zone) finish_tinydns(&j);
  if (j.bad) {
    say("bad lines in list, nothing written", 0, 0, 0);
    _exit(EXIT_PERM);
  }

  outbuf_puts(&zone, "# rbldnsd zone (type combined), written by rblzone; do not edit\n$TTL ");
  outbuf_putulong(&zone, j.ttl);
  outbuf_puts(&zone, "\n$DATASET ip4trie @\n");
  if (j.v4.len) outbuf_put(&zone, j.v4.s, j.v4.len);
  outbuf_puts(&zone, "$DATASET ip6trie @\n");
  if (j.v6.len) outbuf_put(&zone, j.v6.s, j.v6.len);
  if (zone.failed || j.v4.failed || j.v6.failed || j.data.failed) die_nomem(PROG);

  if (atomicfile_write(zonefile, zone.s, zone.len, 1) < 0) die_sys(EXIT_TEMP, PROG, "write zone file");
  if (datafile) {
    if (atomicfile_write(datafile, j.data.s ? j.data.s : "", j.data.len, 1) < 0) {
      int e = errno;
      atomicfile_abort(zonefile);
      errno = e;
      die_sys(EXIT_TEMP, PROG, "write tinydns data file");
    }
    if (atomicfile_commit(datafile) < 0) { atomicfile_abort(zonefile); die_sys(EXIT_TEMP, PROG, "rename tinydns data file"); }
  }
  if (atomicfile_commit(zonefile) < 0) die_sys(EXIT_TEMP, PROG, "rename zone file");

  {
    struct logline l;
    logline_start(&l, PROG);
    logline_str(&l, "list", j.listname);
    logline_ulong(&l, "entries", j.entries);
    logline_ulong(&l, "prefixes4", j.prefixes4);
    logline_ulong(&l, "prefixes6", j.prefixes6);
    logline_ulong(&l, "expired", j.expired);
    logline_ulong(&l, "duplicates", j.duplicates);
    logline_str(&l, "zone", zonefile);
    if (datafile) logline_str(&l, "data", datafile);
    logline_end(&l);
  }
  outbuf_free(&zone);
  outbuf_free(&j.v4);
  outbuf_free(&j.v6);
  outbuf_free(&j.data);
  free(j.seen.slot);
  return 0;
}
