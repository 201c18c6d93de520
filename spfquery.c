/* spfquery — one SPF (RFC 7208) check from the command line: what rcptfilter
 * -S would decide for a client, a sender and a HELO name. man/spfquery.8. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <poll.h>
#include <unistd.h>
#include <dns.h>
#include "atomicfile.h"
#include "die.h"
#include "dnsquery.h"
#include "num.h"
#include "sanitize.h"
#include "spf.h"
#include "spfdns.h"
#include "spfzone.h"
#include "rhsbl.h"

#define PROG "spfquery"
#define USAGE "spfquery [-z zonefile] [-t seconds] [-r receiver] [-n now] [-d base[=codes]]... ip sender [helo]"

static char line[4096];
static size_t linelen;

static void out(const char *s, size_t n)
{
  if (n > sizeof line - linelen) n = sizeof line - linelen;
  memcpy(line + linelen, s, n);
  linelen += n;
}
static void outs(const char *s) { out(s, strlen(s)); }
static void outnum(unsigned long v) { char b[NUM_FMT]; out(b, num_fmt(b, v)); }
static void outq(const char *key, const char *v)
{
  char clean[SPF_EXP_MAX + 1];
  outs(" "); outs(key); outs("=\"");
  out(clean, sanitize_quoted(clean, sizeof clean, v, strlen(v)));
  outs("\"");
}

int main(int argc, char **argv)
{
  static struct spf_cache cache;
  static struct spfzone zone;
  static struct spfdns d;
  struct spf_request rq;
  struct spf_outcome o;
  const char *zonefile = 0;
  unsigned long ms = 20000, now = (unsigned long)time(0);
  unsigned passes = 0, queries = 0;
  static struct dnsbl_list lists[DNSBL_MAX];
  static struct rhsbl rh;
  size_t nlists = 0, i;
  int opt;

  memset(&rq, 0, sizeof rq);
  while ((opt = getopt(argc, argv, "z:t:r:n:d:")) != -1) {
    switch (opt) {
    case 'd':
      if (nlists == DNSBL_MAX) die_msg(EXIT_PERM, PROG, "too many -d lists");
      if (!dnsbl_parse(&lists[nlists++], optarg, 0, 1, 0)) die_usage(PROG, USAGE);
      break;
    case 'z': zonefile = optarg; break;
    case 't': if (!num_seconds_ms(optarg, 3600000UL, &ms) || !ms) die_usage(PROG, USAGE); break;
    case 'r': rq.receiver = optarg; break;
    case 'n': if (!num_ulong(optarg, 253402300799UL, &now)) die_usage(PROG, USAGE); break;
    default: die_usage(PROG, USAGE);
    }
  }
  argv += optind; argc -= optind;
  if (argc < 2 || argc > 3 || (zonefile && nlists)) die_usage(PROG, USAGE);
  if (!spf_request_ip(&rq, argv[0])) die_msg(EXIT_PERM, PROG, "not an IP address");
  rq.sender = argv[1];
  rq.helo = argc == 3 ? argv[2] : 0;
  rq.now = now;
  spf_cache_init(&cache);

  if (zonefile) {
    char *text;
    size_t len;
    unsigned long bad;
    if (atomicfile_read(zonefile, SPFZONE_BYTES, &text, &len) < 0) die_sys(EXIT_TEMP, PROG, "read zone file");
    if (!spfzone_parse(&zone, text, len, &bad)) {
      char msg[64] = "bad zone file line ";
      size_t k = strlen(msg);
      msg[k + num_fmt(msg + k, bad)] = 0;
      die_msg(EXIT_PERM, PROG, msg);
    }
    spfzone_eval(&zone, &rq, &cache, &o, &passes);
    queries = o.queries;
  } else {
    char servers[256];
    dnsquery_random_init();
    const char *at = strrchr(rq.sender, '@');
    int have = dns_resolvconfip(servers) != -1;
    /* SPF and the -d lists at once, in one poll loop: what rcptfilter does beside its client and backend */
    spfdns_start(&d, &rq, &cache, have ? servers : 0, ms);
    if (nlists) rhsbl_start(&rh, lists, nlists, at ? at + 1 : "", argv[0], have ? servers : 0, ms);
    else rh.done = 1;
    while (!spfdns_done(&d) || !rhsbl_done(&rh)) {
      struct pollfd fds[SPFDNS_POLLFDS + RHSBL_POLLFDS];
      size_t ns = 0, nr = 0;
      int wait = -1, w;
      if (!spfdns_done(&d)) { ns = spfdns_pollfds(&d, fds, SPFDNS_POLLFDS); wait = spfdns_timeout_ms(&d); }
      if (!rhsbl_done(&rh)) {
        nr = rhsbl_pollfds(&rh, fds + ns, RHSBL_POLLFDS);
        w = rhsbl_timeout_ms(&rh);
        if (wait < 0 || w < wait) wait = w;
      }
      if (poll(fds, (nfds_t)(ns + nr), wait) < 0) for (i = 0; i < ns + nr; ++i) fds[i].revents = 0;
      if (!spfdns_done(&d)) spfdns_step(&d, fds, ns);
      if (!rhsbl_done(&rh)) rhsbl_step(&rh, fds + ns, nr);
    }
    spfdns_free(&d);
    rhsbl_free(&rh);
    o = d.out;
    passes = d.passes;
    queries = d.queries;
  }

  outs(spf_result_name(o.result));
  outs("\n");
  outs("domain="); { char clean[SPF_NAME_MAX + 1]; out(clean, sanitize(clean, sizeof clean, o.domain, strlen(o.domain))); }
  outs(" lookups="); outnum(o.lookups);
  outs(" voids="); outnum(o.voids);
  outs(" queries="); outnum(queries);
  outs(" passes="); outnum(passes);
  outq("mechanism", o.mechanism);
  outq("problem", o.problem);
  outq("explanation", o.explanation);
  outs("\n");
  if (nlists) {
    static const char *const states[] = { "pending", "clean", "listed", "failed" };
    static const char *const fails[] = { "", "lookup", "timeout", "blocked", "badname", "noserver" };
    char text[DNSBL_TEXT_MAX + 1];
    outs(rh.v.action == DNSBL_REJECT ? "rhsbl=listed" : "rhsbl=pass");
    if (rh.v.action == DNSBL_REJECT && rh.v.list >= 0) {
      outs(" list="); out(lists[rh.v.list].base, lists[rh.v.list].baselen);
      dnsbl_cleantext(text, rh.v.text, rh.v.textlen);
      outq("text", text);
    }
    for (i = 0; i < nlists; ++i) {
      outs(" "); out(lists[i].base, lists[i].baselen); outs("=");
      outs(states[lists[i].state]);
      if (lists[i].state == DNSBL_FAILED) { outs("/"); outs(fails[lists[i].fail]); }
    }
    outs("\n");
  }
  if (write(1, line, linelen) != (ssize_t)linelen) die_sys(EXIT_TEMP, PROG, "write");
  return 0;
}
