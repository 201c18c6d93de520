#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sendercheck.h"
#include "sanitize.h"

static size_t copy(char *out, size_t max, const char *s, size_t n)
{
  if (n > max) n = max;
  memcpy(out, s, n);
  out[n] = 0;
  return n;
}

int sendercheck_start(struct sendercheck *s, const struct sendercheck_conf *c, const struct proxy_check_req *req)
{
  const char *at;
  s->c = c;
  s->spf_running = s->rbl_running = 0;
  s->nspf = 0;
  copy(s->sender, ADDR_MAX, req->sender, req->slen);
  copy(s->helo, ADDR_MAX, req->helo, req->hlen);
  if (c->spf) {
    if (!s->cache && !(s->cache = malloc(sizeof *s->cache))) return -1;
    memset(&s->rq, 0, sizeof s->rq);
    s->rq.sender = s->sender;
    s->rq.helo = s->helo[0] ? s->helo : 0;
    s->rq.receiver = c->receiver;
    s->rq.now = (unsigned long)time(0);
    if (spf_request_ip(&s->rq, c->ip)) {   /* a client we cannot name (no TCPREMOTEIP) gets no SPF verdict */
      spfdns_start(&s->spf, &s->rq, s->cache, c->servers, c->deadline_ms);
      s->spf_running = 1;
    }
  }
  at = strrchr(s->sender, '@');
  if (c->nlists && at && at[1]) {
    rhsbl_start(&s->rbl, c->lists, c->nlists, at + 1, c->ip, c->servers, c->deadline_ms);
    s->rbl_running = 1;
  }
  return 0;
}

int sendercheck_done(const struct sendercheck *s)
{
  return (!s->spf_running || spfdns_done(&s->spf)) && (!s->rbl_running || rhsbl_done(&s->rbl));
}

size_t sendercheck_pollfds(struct sendercheck *s, struct pollfd *fds, size_t max)
{
  size_t n = 0;
  if (s->spf_running && !spfdns_done(&s->spf)) n = spfdns_pollfds(&s->spf, fds, max);
  s->nspf = n;
  if (s->rbl_running && !rhsbl_done(&s->rbl)) n += rhsbl_pollfds(&s->rbl, fds + n, max - n);
  return n;
}

int sendercheck_timeout_ms(const struct sendercheck *s)
{
  int t = -1, u;
  if (s->spf_running && !spfdns_done(&s->spf)) t = spfdns_timeout_ms(&s->spf);
  if (s->rbl_running && !rhsbl_done(&s->rbl)) { u = rhsbl_timeout_ms(&s->rbl); if (t < 0 || u < t) t = u; }
  return t;
}

void sendercheck_step(struct sendercheck *s, struct pollfd *fds, size_t n)
{
  size_t k = s->nspf < n ? s->nspf : n;
  if (s->spf_running && !spfdns_done(&s->spf)) spfdns_step(&s->spf, fds, k);
  if (s->rbl_running && !rhsbl_done(&s->rbl)) rhsbl_step(&s->rbl, fds + k, n - k);
}

/* The reply from its parts (a 0-terminated list), cut at RULES_MSG_MAX. */
static void say(struct sendercheck *s, const char *action, const char *const *part)
{
  size_t n = 0;
  for (; *part; ++part) n += copy(s->reply + n, RULES_MSG_MAX - n, *part, strlen(*part));
  s->verdict.action = action;
  s->verdict.reply = s->reply;
}

const struct proxy_check *sendercheck_verdict(struct sendercheck *s)
{
  enum spf_result r = s->spf_running ? s->spf.out.result : SPF_NONE;
  char text[DNSBL_TEXT_MAX + 1], domain[SPF_NAME_MAX + 1];
  size_t n;

  memset(&s->verdict, 0, sizeof s->verdict);
  if (s->spf_running) {
    s->verdict.key = "spf";
    s->verdict.val = spf_result_name(r);
    n = sanitize(domain, sizeof domain, s->spf.out.domain, strlen(s->spf.out.domain));
    domain[n] = 0;
  }
  if (s->rbl_running && s->rbl.v.action == DNSBL_REJECT) {
    text[dnsbl_cleantext(text, s->rbl.v.text, s->rbl.v.textlen)] = 0;
    say(s, "rhsbl", (const char *const[]){ "550 5.7.1 ", text, 0 });
  } else if (r == SPF_FAIL)
    say(s, "spf", (const char *const[]){ "550 5.7.23 SPF: ", domain, " does not designate ", s->c->ip, " as permitted sender", 0 });
  else if (r == SPF_TEMPERROR)
    say(s, "spf", (const char *const[]){ "451 4.7.24 SPF: temporary error checking ", domain, ", try again later", 0 });
  return &s->verdict;
}

void sendercheck_free(struct sendercheck *s)
{
  if (s->spf_running) spfdns_free(&s->spf);
  if (s->rbl_running) rhsbl_free(&s->rbl);
  s->spf_running = s->rbl_running = 0;
}
