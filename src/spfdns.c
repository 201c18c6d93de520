#include <string.h>
#include "spfdns.h"
#include "dnsslots.h"
#include "dnsmsg.h"

static unsigned u16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }


/* The name at pos as dotted text, following compression pointers (bounded). */
static size_t getname(const unsigned char *p, size_t len, size_t pos, char *out, size_t max)
{
  size_t n = 0;
  unsigned jumps = 0;
  for (;;) {
    unsigned c;
    if (pos >= len) return 0;
    c = p[pos++];
    if (c >= 192) {
      if (pos >= len || ++jumps > 64) return 0;
      pos = (c & 63) << 8 | p[pos];
      continue;
    }
    if (c >= 64) return 0;
    if (!c) break;
    if (pos + c > len || n + c + 1 > max) return 0;
    if (n) out[n++] = '.';
    memcpy(out + n, p + pos, c);
    n += c;
    pos += c;
  }
  if (!n) return 0;            /* the root: no usable name (a null MX) */
  return n;
}

void spfdns_parse(const unsigned char *p, size_t len, struct spf_cache *c, struct spf_entry *e)
{
  size_t pos;
  unsigned an, i, rcode;

  if (len < 12 || u16(p + 4) != 1) { spf_cache_begin(c, e, SPF_DNS_TEMPFAIL); return; }
  rcode = p[3] & 15;
  if (rcode == 3) { spf_cache_begin(c, e, SPF_DNS_NXDOMAIN); return; }
  if (rcode) { spf_cache_begin(c, e, SPF_DNS_TEMPFAIL); return; }
  an = u16(p + 6);
  pos = dnsmsg_skipname(p, len, 12);
  if (!pos || pos + 4 > len) { spf_cache_begin(c, e, SPF_DNS_TEMPFAIL); return; }
  pos += 4;
  spf_cache_begin(c, e, SPF_DNS_OK);
  for (i = 0; i < an; ++i) {
    unsigned type, class, rdlen;
    pos = dnsmsg_skipname(p, len, pos);
    if (!pos || pos + 10 > len) break;
    type = u16(p + pos);
    class = u16(p + pos + 2);
    rdlen = u16(p + pos + 8);
    pos += 10;
    if (pos + rdlen > len) { spf_cache_begin(c, e, SPF_DNS_TEMPFAIL); return; }
    if (class == 1 && type == e->type) {
      char name[256];
      size_t n;
      if (type == SPF_T_A && rdlen == 4) spf_cache_add(c, e, p + pos, 4);
      else if (type == SPF_T_AAAA && rdlen == 16) spf_cache_add(c, e, p + pos, 16);
      else if (type == SPF_T_TXT) {
        char txt[SPF_RECORD_MAX + 1];
        size_t j, left = 0, k = 0, over = 0;
        for (j = 0; j < rdlen; ++j) {
          if (!left) { left = p[pos + j]; continue; }
          --left;
          if (k < sizeof txt) txt[k++] = (char)p[pos + j]; else over = 1;
        }
        spf_cache_add(c, e, txt, over ? SPF_RECORD_MAX + 1 : k);   /* too long: counted, not kept */
      } else if (type == SPF_T_PTR && (n = getname(p, pos + rdlen, pos, name, sizeof name)))
        spf_cache_add(c, e, name, n);
      else if (type == SPF_T_MX && rdlen > 2 && (n = getname(p, pos + rdlen, pos + 2, name, sizeof name)))
        spf_cache_add(c, e, name, n);
      else if (type == SPF_T_MX && rdlen > 2)
        ++e->nrrtotal;        /* a null MX ("."): counted, no address to look up */
    }
    pos += rdlen;
  }
}

static void ms_to_taia(struct taia *t, unsigned long ms)
{
  memset(t, 0, sizeof *t);
  t->sec.x = ms / 1000;
  t->nano = (uint32)(ms % 1000 * 1000000UL);
}

/* dotted text → wire form; 0 when it does not fit (name_ok already checked it) */
static size_t wire(const char *s, size_t n, char *out)
{
  size_t k = 0, start = 0, i;
  for (i = 0; i <= n; ++i) {
    if (i < n && s[i] != '.') continue;
    if (i - start > 63 || k + 1 + (i - start) > 254) return 0;
    if (i > start) { out[k++] = (char)(i - start); memcpy(out + k, s + start, i - start); k += i - start; }
    start = i + 1;
  }
  out[k++] = 0;
  return k;
}

static void answer_fail(struct spfdns *d, int entry) { spf_cache_begin(d->c, &d->c->e[entry], SPF_DNS_TEMPFAIL); }

static void send_pending(struct spfdns *d)
{
  size_t i, s = 0;
  for (i = 0; i < d->c->n; ++i) {
    struct spf_entry *e = &d->c->e[i];
    char q[256];
    char qtype[2];
    if (e->state != SPF_DNS_PENDING || d->sent[i]) continue;
    while (s < SPFDNS_INFLIGHT && d->slot_entry[s] != -1) ++s;
    if (s == SPFDNS_INFLIGHT) return;
    d->sent[i] = 1;
    qtype[0] = (char)(e->type >> 8); qtype[1] = (char)(e->type & 255);
    if (!d->haveservers || !wire(spf_entry_name(d->c, e), e->namelen, q)) { answer_fail(d, (int)i); continue; }
    if (dnsslot_start(&d->slot[s], d->servers, q, qtype) == -1) { answer_fail(d, (int)i); continue; }
    d->slot_entry[s] = (int)i;
    ++d->queries;
  }
}

static int inflight(const struct spfdns *d)
{
  size_t s;
  for (s = 0; s < SPFDNS_INFLIGHT; ++s) if (d->slot_entry[s] != -1) return 1;
  return 0;
}

static void finish(struct spfdns *d)
{
  spfdns_free(d);
  d->done = 1;
}

/* Evaluate again; send what it asks for; done when it asks nothing. */
static void evaluate(struct spfdns *d)
{
  enum spf_result r;
  ++d->passes;
  r = spf_eval(d->rq, d->c, &d->out);
  if (r != SPF_NEED) { finish(d); return; }
  send_pending(d);
  if (!inflight(d)) {          /* nothing could be sent (no room, no servers): once more, it settles */
    r = spf_eval(d->rq, d->c, &d->out);
    if (r == SPF_NEED) { d->out.result = SPF_TEMPERROR; d->out.problem = "DNS questions could not be sent"; }
    finish(d);
  }
}

void spfdns_start(struct spfdns *d, const struct spf_request *rq, struct spf_cache *c,
                  const char *servers, unsigned long deadline_ms)
{
  struct taia now, span;
  size_t s;
  memset(d, 0, sizeof *d);
  d->rq = rq;
  d->c = c;
  spf_cache_init(c);
  if (servers) { memcpy(d->servers, servers, 256); d->haveservers = 1; }
  for (s = 0; s < SPFDNS_INFLIGHT; ++s) d->slot_entry[s] = -1;
  taia_now(&now);
  ms_to_taia(&span, deadline_ms);
  taia_add(&d->deadline, &now, &span);
  evaluate(d);
}

int spfdns_done(const struct spfdns *d) { return d->done; }

size_t spfdns_pollfds(struct spfdns *d, struct pollfd *fds, size_t max)
{
  return dnsslots_pollfds(d->slot, d->slot_entry, SPFDNS_INFLIGHT, &d->deadline, fds, max);
}

int spfdns_timeout_ms(const struct spfdns *d)
{
  return dnsslots_timeout_ms(d->slot, d->slot_entry, SPFDNS_INFLIGHT, &d->deadline);
}

void spfdns_step(struct spfdns *d, struct pollfd *fds, size_t n)
{
  struct taia now;
  size_t s;
  int answered = 0;
  if (d->done) return;
  taia_now(&now);
  for (s = 0; s < SPFDNS_INFLIGHT; ++s) {
    int e = d->slot_entry[s], r;
    const char *pkt;
    unsigned len;
    if (e == -1) continue;
    r = dnsslot_get(&d->slot[s], fds, n, &now, &pkt, &len);
    if (r == 0) continue;
    if (r == 1) spfdns_parse((const unsigned char *)pkt, len, d->c, &d->c->e[e]);
    else answer_fail(d, e);
    dnsslot_free(&d->slot[s]);
    d->slot_entry[s] = -1;
    answered = 1;
  }
  if (!taia_less(&now, &d->deadline)) {  /* the deadline: whatever is unanswered failed */
    for (s = 0; s < SPFDNS_INFLIGHT; ++s)
      if (d->slot_entry[s] != -1) { answer_fail(d, d->slot_entry[s]); dnsslot_free(&d->slot[s]); d->slot_entry[s] = -1; }
    for (s = 0; s < d->c->n; ++s)
      if (d->c->e[s].state == SPF_DNS_PENDING) answer_fail(d, (int)s);
    ++d->passes;
    if (spf_eval(d->rq, d->c, &d->out) == SPF_NEED) { d->out.result = SPF_TEMPERROR; d->out.problem = "DNS deadline"; }
    if (d->out.result == SPF_TEMPERROR && !*d->out.problem) d->out.problem = "DNS deadline";
    finish(d);
    return;
  }
  if (answered) evaluate(d);
  else send_pending(d);
}

void spfdns_free(struct spfdns *d)
{
  size_t s;
  for (s = 0; s < SPFDNS_INFLIGHT; ++s)
    if (d->slot_entry[s] != -1) { dnsslot_free(&d->slot[s]); d->slot_entry[s] = -1; }
}

enum spf_result spfdns_run(struct spfdns *d, const struct spf_request *rq, struct spf_cache *c,
                           const char *servers, unsigned long deadline_ms)
{
  /* the same calls a poll loop with other work makes */
  spfdns_start(d, rq, c, servers, deadline_ms);
  while (!spfdns_done(d)) {
    struct pollfd fds[SPFDNS_POLLFDS];
    size_t n = spfdns_pollfds(d, fds, SPFDNS_POLLFDS);
    dnsslots_poll(fds, n, spfdns_timeout_ms(d));
    spfdns_step(d, fds, n);
  }
  spfdns_free(d);
  return d->out.result;
}
