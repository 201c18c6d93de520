#include <string.h>
#include <sys/random.h>
#include <dns.h>
#include <iopause.h>
#include <taia.h>
#include "dnsquery.h"

struct query {
  struct dns_transmit tx;
  struct dnsbl_list *list;
  int txt;        /* 1: the TXT query, 0: the A query */
  int active;
  size_t fd;      /* index in the iopause array this round */
};

static void finish(struct query *q, int failed, const char *pkt, size_t len)
{
  struct dnsbl_list *l = q->list;
  struct dnsmsg *m = q->txt ? &l->txt : &l->a;

  /* libowfat already checked id and question; the rest is still hostile */
  if (!failed && (dnsmsg_parse((const unsigned char *)pkt, len, m) == -1 || (m->rcode && m->rcode != 3)))
    failed = 1;
  if (q->txt) { l->txt_done = 1; l->txt_failed = failed; }
  else { l->a_done = 1; l->a_failed = failed; }
  if (q->active) dns_transmit_free(&q->tx);
  q->active = 0;
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

enum dnsbl_action dnsquery_run(struct dnsbl_list *lists, size_t n, const struct revip *ip,
                               const char *servers, unsigned long deadline_ms, struct dnsbl_verdict *v)
{
  static struct query q[DNSBL_MAX * 2];
  static iopause_fd fds[DNSBL_MAX * 2];
  static const char localip[16];
  struct taia now, deadline, span;
  size_t nq = 0, i;

  taia_now(&now);
  ms_to_taia(&span, deadline_ms);
  taia_add(&deadline, &now, &span);

  for (i = 0; i < n && i < DNSBL_MAX; ++i) {
    struct dnsbl_list *l = &lists[i];
    char name[REVIP_REV_MAX + 256];
    char *wire = 0;
    int t;
    if (!servers) { fail_list(l, DNSBL_FAIL_NOSERVER); continue; }
    memcpy(name, ip->rev, ip->revlen);
    memcpy(name + ip->revlen, l->base, l->baselen);
    if (!dns_domain_fromdot(&wire, name, ip->revlen + l->baselen) || dns_domain_length(wire) > 255) {
      dns_domain_free(&wire);
      fail_list(l, DNSBL_FAIL_BADNAME);
      continue;
    }
    for (t = 0; t < 2; ++t) {
      struct query *x = &q[nq];
      if (t ? !l->want_txt : !l->want_a) continue;
      memset(x, 0, sizeof *x);
      x->list = l;
      x->txt = t;
      if (dns_transmit_start(&x->tx, servers, 1, wire, t ? DNS_T_TXT : DNS_T_A, localip) == -1) {
        finish(x, 1, 0, 0);
        continue;
      }
      x->active = 1;
      ++nq;
    }
    dns_domain_free(&wire);
  }

  for (;;) {
    struct taia stamp = deadline;
    size_t nfd = 0;

    if (dnsbl_decide(lists, n, ip->text, v) != DNSBL_WAIT) break;
    taia_now(&now);
    if (!taia_less(&now, &deadline)) {
      for (i = 0; i < nq; ++i)
        if (q[i].active) { if (!q[i].list->fail) q[i].list->fail = DNSBL_FAIL_TIMEOUT; finish(&q[i], 1, 0, 0); }
      continue;   /* every list is known now: decide once more */
    }
    for (i = 0; i < nq; ++i)
      if (q[i].active) { q[i].fd = nfd; dns_transmit_io(&q[i].tx, &fds[nfd++], &stamp); }
    iopause(fds, (unsigned)nfd, &stamp, &now);
    for (i = 0; i < nq; ++i) {
      int r;
      if (!q[i].active) continue;
      r = dns_transmit_get(&q[i].tx, &fds[q[i].fd], &now);
      if (r == -1) finish(&q[i], 1, 0, 0);
      else if (r == 1) finish(&q[i], 0, q[i].tx.packet, q[i].tx.packetlen);
    }
  }
  for (i = 0; i < nq; ++i)
    if (q[i].active) { dns_transmit_free(&q[i].tx); q[i].active = 0; }
  return v->action;
}
