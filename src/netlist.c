#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netlist.h"
#include "blocklist.h"
#include "atomicfile.h"

static const char *push(struct netlist *nl, const struct iprange *r)
{
  if (nl->n == nl->cap) {
    size_t cap, bytes;
    struct iprange *t;
    if (__builtin_mul_overflow(nl->cap ? nl->cap : 8, 2, &cap) ||
        __builtin_mul_overflow(cap, sizeof *t, &bytes)) return "out of memory";
    t = realloc(nl->r, bytes);
    if (!t) return "out of memory";
    nl->r = t;
    nl->cap = cap;
  }
  nl->r[nl->n++] = *r;
  return 0;
}

const char *netlist_add(struct netlist *nl, const char *s, size_t len)
{
  struct iprange r;
  const char *why = iprange_parse(s, len, &r);
  return why ? why : push(nl, &r);
}

/* tcprules' IPv4 address field: "", "1.", "1.2.", "1.2.3.", "1.2.3.4", "1.2.3.4-9". */
static const char *tcprules_addr(struct netlist *nl, const char *s, size_t len)
{
  struct iprange r;
  unsigned char b[4] = { 0, 0, 0, 0 };
  unsigned octets = 0;
  size_t i = 0;

  if (len && s[len - 1] != '.') return netlist_add(nl, s, len);
  while (i < len) {
    unsigned v = 0, nd = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9' && nd < 4) v = v * 10 + (unsigned)(s[i++] - '0'), ++nd;
    if (!nd || nd > 3 || v > 255 || i >= len || s[i] != '.' || octets >= 3) return "not a tcprules address";
    b[octets++] = (unsigned char)v;
    ++i;
  }
  memset(&r, 0, sizeof r);
  memcpy(r.lo.b, b, 4);
  memcpy(r.hi.b, b, 4);
  for (i = octets; i < 4; ++i) r.hi.b[i] = 255;
  return push(nl, &r);
}

const char *netlist_add_line(struct netlist *nl, const char *line, size_t len)
{
  struct blocklist_entry e;
  const char *why;
  const char *colon = memchr(line, ':', len);

  /* A tcp.smtp rule "addr:allow..." or "addr:deny": its addr has no ':' (IPv4 only). */
  size_t rest = colon ? (size_t)(line + len - colon - 1) : 0;

  if (colon && ((rest >= 5 && !memcmp(colon + 1, "allow", 5)) || (rest >= 4 && !memcmp(colon + 1, "deny", 4)))) {
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i < len && line[i] == '#') return 0;
    if (!memmem(line, len, "RELAYCLIENT", 11)) return 0;   /* may connect, may not relay */
    if (i < len && line[i] == '=') return 0;   /* =host.name: names are not addresses */
    if ((size_t)(colon - line) > i && memchr(line + i, '.', (size_t)(colon - line) - i))
      return tcprules_addr(nl, line + i, (size_t)(colon - line) - i);
    if (colon == line + i) return tcprules_addr(nl, "", 0);  /* everyone may relay */
    return 0;   /* =host.name or an IPv6 form: names are not addresses, nothing to add */
  }
  switch (blocklist_parse_line(line, len, &e, &why)) {
  case BLOCKLIST_BLANK: return 0;
  case BLOCKLIST_ENTRY: return push(nl, &e.range);
  default: return why;
  }
}

struct load_ctx { struct netlist *nl; const char *path; char *err; size_t errmax; };

static int load_line(const char *line, size_t len, unsigned long lineno, void *p)
{
  struct load_ctx *c = p;
  const char *why = netlist_add_line(c->nl, line, len);
  if (!why) return 0;
  snprintf(c->err, c->errmax, "%s:%lu: %s", c->path, lineno, why);
  return 1;
}

int netlist_load(struct netlist *nl, const char *path, char *err, size_t errmax)
{
  struct load_ctx c = { nl, path, err, errmax };
  char *data;
  size_t len;
  int r;

  if (atomicfile_read(path, 64u << 20, &data, &len) < 0) return -1;
  r = blocklist_lines(data, len, load_line, &c);
  free(data);
  return r ? 1 : 0;
}

int netlist_contains(const struct netlist *nl, const struct iprange_addr *a)
{
  size_t i;
  for (i = 0; i < nl->n; ++i)
    if (iprange_contains(&nl->r[i], a)) return 1;
  return 0;
}

void netlist_free(struct netlist *nl)
{
  free(nl->r);
  nl->r = 0;
  nl->n = nl->cap = 0;
}
