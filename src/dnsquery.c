#include <string.h>
#include <sys/random.h>
#include <dns.h>
#include <iopause.h>
#include <taia.h>
#include "dnsquery.h"
#include "dnsslots.h"

static void finish(struct dnsquery *d, struct dnsquery_q *q, int failed, const char *pkt, size_t len);

/* Only the 127.255.255.x guard: the TXT answer decides such a list. */
static int guard_only(const struct dnsbl_list *l)
{
  return l->want_a && l->want_txt && !l->nranges && !l->message;
}

/* The TXT query only fetches the text of a list the A answer decides (base=codes). */
static int text_only(const struct dnsbl_list *l)
{
  return l->want_a && l->want_txt && l->nranges && !l->message;
}

static int start(struct dnsquery *d, struct dnsbl_list *l, const char *wire, int txt)
{
  struct dnsquery_q *x = &d->q[d->nq];
  x->list = l;
  x->txt = txt;
  ++d->sent;
  if (dnsslot_start(&x->slot, d->servers, wire, txt ? DNS_T_TXT : DNS_T_A) == -1) {
    finish(d, x, 1, 0, 0);
    return 0;
  }
  x->active = 1;
  ++d->nq;
  return 1;
}

static void finish(struct dnsquery *d, struct dnsquery_q *q, int failed, const char *pkt, size_t len)
{
  struct dnsbl_list *l = q->list;
  struct dnsmsg *m = q->txt ? &l->txt : &l->a;

  /* id and question are checked already; the rest is still hostile */
  if (!failed && (dnsmsg_parse((const unsigned char *)pkt, len, m) == -1 || (m->rcode && m->rcode != 3)))
    failed = 1;
  if (q->txt) { l->txt_done = 1; l->txt_failed = failed; }
  else { l->a_done = 1; l->a_failed = failed; }
  dnsslot_free(&q->slot);
  q->active = 0;
  if (q->txt && !l->a_done && guard_only(l)) {
    if (!failed && l->txt.txttotal && d->nq < sizeof d->q / sizeof d->q[0]) {
      if (start(d, l, q->slot.q, 0)) return;
    } else
      l->a_done = l->a_failed = 1;     /* no text (or no answer): nothing to guard */
  }
  if (!q->txt && !l->txt_done && text_only(l)) {
    l->txt_done = l->txt_failed = 1;     /* as if no text came: does the A answer list? */
    dnsbl_settle(l);
    if (l->state == DNSBL_LISTED && d->nq < sizeof d->q / sizeof d->q[0]) {
      l->state = DNSBL_PENDING;
      l->txt_done = l->txt_failed = 0;
      if (start(d, l, q->slot.q, 1)) return;
    }
    return;
  }
  if ((!l->want_a || l->a_done) && (!l->want_txt || l->txt_done)) dnsbl_settle(l);
}

static void fail_list(struct dnsbl_list *l, enum dnsbl_fail why)
{
  l->a_done = l->txt_done = 1;
  l->a_failed = l->txt_failed = 1;
  l->fail = why;
  dnsbl_settle(l);
}

static void ms_to_taia(struct taia *t, unsigned long ms)
{
  memset(t, 0, sizeof *t);
  t->sec.x = ms / 1000;
  t->nano = (uint32)(ms % 1000 * 1000000UL);
}

void dnsquery_random_init(void)
{
  char seed[128];
  memset(seed, 0, sizeof seed);
  if (getrandom(seed, sizeof seed, GRND_NONBLOCK) < 0) { /* dns_random_init still mixes in time and pid */ }
  dns_random_init(seed);
}

void dnsquery_start(struct dnsquery *d, struct dnsbl_list *lists, size_t n, const struct revip *ip,
                    const char *servers, unsigned long deadline_ms)
{
  struct taia now, span;
  size_t i;

  d->nq = 0;
  d->sent = 0;
  d->servers = servers;
  d->lists = lists;
  d->n = n;
  d->late = 0;
  taia_now(&now);
  ms_to_taia(&span, deadline_ms);
  taia_add(&d->deadline, &now, &span);

  for (i = 0; i < n && i < DNSQUERY_LISTS; ++i) {
    struct dnsbl_list *l = &lists[i];
    const struct revip *r = l->probe ? l->probe : ip;
    char name[REVIP_REV_MAX + 256];
    char *wire = 0;
    if (!servers) { fail_list(l, DNSBL_FAIL_NOSERVER); continue; }
    memcpy(name, r->rev, r->revlen);
    memcpy(name + r->revlen, l->base, l->baselen);
    if (!dns_domain_fromdot(&wire, name, r->revlen + l->baselen) || dns_domain_length(wire) > 255) {
      dns_domain_free(&wire);
      fail_list(l, DNSBL_FAIL_BADNAME);
      continue;
    }
    if (l->want_a && !guard_only(l)) start(d, l, wire, 0);
    if (l->want_txt && !text_only(l)) start(d, l, wire, 1);
    dns_domain_free(&wire);
  }
}

void dnsquery_round(struct dnsquery *d, int clientfd, const struct taia *until, int *clientready)
{
  static iopause_fd fds[DNSQUERY_LISTS * 2 * DNSSLOT_FDS + 1];
  struct taia now, stamp;
  size_t nfd = 0, i, cfd = 0, nq;
  int pending = dnsquery_pending(d);

  taia_now(&now);
  if (pending && !taia_less(&now, &d->deadline)) {
    for (i = 0; i < d->nq; ++i)
      if (d->q[i].active) {
        if (!d->q[i].list->fail) d->q[i].list->fail = DNSBL_FAIL_TIMEOUT;
        finish(d, &d->q[i], 1, 0, 0);
      }
    return;
  }
  if (!pending && !until && clientfd < 0) return;   /* nothing to wait for */
  stamp = d->deadline;
  if (!pending) { taia_now(&stamp); stamp.sec.x += 86400; }
  if (until && taia_less(until, &stamp)) stamp = *until;
  for (i = 0; i < d->nq; ++i)
    if (d->q[i].active) nfd = dnsslot_pollfds(&d->q[i].slot, fds, nfd, sizeof fds / sizeof fds[0] - 1, &stamp);
  if (clientfd >= 0) {
    cfd = nfd;
    fds[nfd].fd = clientfd;
    fds[nfd].events = IOPAUSE_READ;
    ++nfd;
  }
  iopause(fds, (unsigned)nfd, &stamp, &now);
  if (clientfd >= 0 && fds[cfd].revents) *clientready = 1;

  for (i = 0, nq = d->nq; i < nq; ++i) {       /* not the guard queries started in this loop */
    struct dnsquery_q *q = &d->q[i];
    const char *pkt;
    unsigned len;
    int r;
    if (!q->active) continue;
    r = dnsslot_get(&q->slot, fds, nfd, &now, &pkt, &len);
    if (r == 1) {
      if (pkt == q->slot.late) ++d->late;
      finish(d, q, 0, pkt, len);
    } else if (r == -1)
      finish(d, q, 1, 0, 0);
  }
}

int dnsquery_pending(const struct dnsquery *d)
{
  size_t i;
  for (i = 0; i < d->nq; ++i) if (d->q[i].active) return 1;
  return 0;
}

void dnsquery_end(struct dnsquery *d)
{
  size_t i;
  for (i = 0; i < d->nq; ++i) {
    dnsslot_free(&d->q[i].slot);
    d->q[i].active = 0;
  }
}

enum dnsbl_action dnsquery_run(struct dnsbl_list *lists, size_t n, const struct revip *ip,
                               const char *servers, unsigned long deadline_ms, struct dnsbl_verdict *v)
{
  static struct dnsquery d;
  int ignored = 0;
  dnsquery_start(&d, lists, n, ip, servers, deadline_ms);
  while (dnsbl_decide(lists, n, ip->text, v) == DNSBL_WAIT) dnsquery_round(&d, -1, 0, &ignored);
  dnsquery_end(&d);
  return v->action;
}
