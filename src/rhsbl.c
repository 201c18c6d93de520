#include <string.h>
#include "rhsbl.h"

size_t rhsbl_name(char *out, const char *d, size_t n, const struct dnsbl_list *l)
{
  size_t i, label = 0;
  if (n && d[n - 1] == '.') --n;
  if (!n || n + 1 + l->baselen > 253 + 1) return 0;
  for (i = 0; i < n; ++i) {
    unsigned char c = (unsigned char)d[i];
    if (c == '.') { if (!label) return 0; label = 0; continue; }
    if (c <= ' ' || c >= 127 || c == '\\' || c == '[' || c == ']' || c == '@') return 0;
    if (++label > 63) return 0;
  }
  memcpy(out, d, n);
  out[n] = '.';
  memcpy(out + n + 1, l->base, l->baselen);
  n += 1 + l->baselen;
  if (out[n - 1] == '.') --n;               /* base given with its root dot */
  if (n > 253) return 0;
  out[n] = 0;
  return n;
}

static void ms_to_taia(struct taia *t, unsigned long ms)
{
  memset(t, 0, sizeof *t);
  t->sec.x = ms / 1000;
  t->nano = (uint32)(ms % 1000 * 1000000UL);
}

static void fail_list(struct dnsbl_list *l, enum dnsbl_fail why)
{
  l->a_done = l->txt_done = 1;
  l->a_failed = l->txt_failed = 1;
  if (!l->fail) l->fail = why;
  dnsbl_settle(l);
}

/* one query finished: failed, or its packet */
static void finish(struct rhsbl *r, size_t s, int failed, const char *pkt, size_t len)
{
  struct dnsbl_list *l = &r->lists[r->list[s]];
  struct dnsmsg *m = r->txt[s] ? &l->txt : &l->a;
  if (!failed && (dnsmsg_parse((const unsigned char *)pkt, len, m) == -1 || (m->rcode && m->rcode != 3))) failed = 1;
  if (r->txt[s]) { l->txt_done = 1; l->txt_failed = failed; }
  else { l->a_done = 1; l->a_failed = failed; }
  dnsslot_free(&r->slot[s]);
  r->list[s] = -1;
  if ((!l->want_a || l->a_done) && (!l->want_txt || l->txt_done)) dnsbl_settle(l);
}

static void decide(struct rhsbl *r)
{
  if (dnsbl_decide(r->lists, r->n, r->client, &r->v) != DNSBL_WAIT) { rhsbl_free(r); r->done = 1; }
}

void rhsbl_start(struct rhsbl *r, struct dnsbl_list *lists, size_t n, const char *domain,
                 const char *client, const char *servers, unsigned long deadline_ms)
{
  struct taia now, span;
  size_t i, s = 0, cl = strlen(client);

  memset(r, 0, sizeof *r);
  r->lists = lists;
  r->n = n > DNSBL_MAX ? DNSBL_MAX : n;
  if (cl >= sizeof r->client) cl = sizeof r->client - 1;
  memcpy(r->client, client, cl);
  if (servers) memcpy(r->servers, servers, 256);
  for (s = 0; s < RHSBL_FDS; ++s) r->list[s] = -1;
  taia_now(&now);
  ms_to_taia(&span, deadline_ms);
  taia_add(&r->deadline, &now, &span);
  s = 0;
  for (i = 0; i < r->n; ++i) {
    struct dnsbl_list *l = &lists[i];
    char name[RHSBL_NAME_MAX], q[258];
    size_t len = rhsbl_name(name, domain, strlen(domain), l), k = 0, start = 0, j;
    int t;
    l->a_done = l->txt_done = l->a_failed = l->txt_failed = 0;
    l->state = DNSBL_PENDING;
    l->fail = DNSBL_FAIL_NONE;
    if (!servers) { fail_list(l, DNSBL_FAIL_NOSERVER); continue; }
    if (!len) { fail_list(l, DNSBL_FAIL_BADNAME); continue; }
    for (j = 0; j <= len; ++j) {            /* wire form: labels already checked */
      if (j < len && name[j] != '.') continue;
      q[k++] = (char)(j - start);
      memcpy(q + k, name + start, j - start);
      k += j - start;
      start = j + 1;
    }
    q[k] = 0;
    for (t = 0; t < 2; ++t) {
      if (t ? !l->want_txt : !l->want_a) continue;
      r->list[s] = (int)i;
      r->txt[s] = t;
      if (dnsslot_start(&r->slot[s], r->servers, q, t ? DNS_T_TXT : DNS_T_A) == -1) {
        finish(r, s, 1, 0, 0);
        continue;
      }
      ++s;
    }
  }
  decide(r);
}

int rhsbl_done(const struct rhsbl *r) { return r->done; }

size_t rhsbl_pollfds(struct rhsbl *r, struct pollfd *fds, size_t max)
{
  return dnsslots_pollfds(r->slot, r->list, RHSBL_FDS, &r->deadline, fds, max);
}

int rhsbl_timeout_ms(const struct rhsbl *r)
{
  return dnsslots_timeout_ms(r->slot, r->list, RHSBL_FDS, &r->deadline);
}

void rhsbl_step(struct rhsbl *r, struct pollfd *fds, size_t n)
{
  struct taia now;
  size_t s;
  if (r->done) return;
  taia_now(&now);
  for (s = 0; s < RHSBL_FDS; ++s) {
    const char *pkt;
    unsigned len;
    int g;
    if (r->list[s] == -1) continue;
    g = dnsslot_get(&r->slot[s], fds, n, &now, &pkt, &len);
    if (g == -1) finish(r, s, 1, 0, 0);
    else if (g == 1) finish(r, s, 0, pkt, len);
  }
  if (!taia_less(&now, &r->deadline))
    for (s = 0; s < RHSBL_FDS; ++s)
      if (r->list[s] != -1) {
        struct dnsbl_list *l = &r->lists[r->list[s]];
        if (!l->fail) l->fail = DNSBL_FAIL_TIMEOUT;
        finish(r, s, 1, 0, 0);
      }
  decide(r);
}

void rhsbl_free(struct rhsbl *r)
{
  size_t s;
  for (s = 0; s < RHSBL_FDS; ++s)
    if (r->list[s] != -1) { dnsslot_free(&r->slot[s]); r->list[s] = -1; }
}

enum dnsbl_action rhsbl_run(struct rhsbl *r, struct dnsbl_list *lists, size_t n, const char *domain,
                            const char *client, const char *servers, unsigned long deadline_ms)
{
  rhsbl_start(r, lists, n, domain, client, servers, deadline_ms);
  while (!rhsbl_done(r)) {
    struct pollfd fds[RHSBL_POLLFDS];
    size_t k = rhsbl_pollfds(r, fds, RHSBL_POLLFDS);
    dnsslots_poll(fds, k, rhsbl_timeout_ms(r));
    rhsbl_step(r, fds, k);
  }
  rhsbl_free(r);
  return r->v.action;
}
