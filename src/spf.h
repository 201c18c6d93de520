/* spf.h — SPF (RFC 7208) check_host() with no I/O: the evaluator reads DNS
 * answers from a cache the caller fills, and never blocks.
 *
 * One evaluation is a loop: spf_eval() runs check_host() from the start
 * against the cache. When it meets a question whose answer is not there it
 * records the question in the cache (state SPF_DNS_PENDING), carries on with
 * the rest of the record to find the other questions it can already ask (so
 * independent lookups go out together), and returns SPF_NEED. The caller
 * answers every pending entry (src/spfdns.c over the network, src/spfzone.c
 * from a scripted zone) and calls spf_eval() again. Evaluation is
 * deterministic, so the last run is exactly the sequential check_host() of
 * the RFC. Everything is bounded: record length, 10 DNS terms, 2 void
 * lookups, 10 MX/PTR names, answers per query, cache entries, passes.
 *
 * Poll loop use (what rcptfilter does; spfdns.h has the full example):
 *
 *   struct spf_cache *c = malloc(sizeof *c);     (about 150 KB, no pointers inside)
 *   struct spf_request rq = { .sender = "a@b.example", .helo = "mx.b.example" };
 *   struct spfdns d;
 *   spf_request_ip(&rq, "192.0.2.1");
 *   spfdns_start(&d, &rq, c, servers, deadline_ms);   empties c, runs spf_eval, sends queries
 *   while (!spfdns_done(&d)) {
 *     n = spfdns_pollfds(&d, fds + k, max);          add its fds to your own
 *     poll(...); spfdns_step(&d, fds + k, n);        answers in, spf_eval again
 *   }
 *   d.out.result ...; spfdns_free(&d);
 */
#ifndef SPF_H
#define SPF_H
#include <stddef.h>

enum spf_result {
  SPF_NEED = -1,       /* answers missing: fill the cache and call again */
  SPF_NONE = 0, SPF_NEUTRAL, SPF_PASS, SPF_FAIL, SPF_SOFTFAIL, SPF_TEMPERROR, SPF_PERMERROR
};

/* DNS types the evaluator asks for */
#define SPF_T_A 1
#define SPF_T_PTR 12
#define SPF_T_MX 15
#define SPF_T_TXT 16
#define SPF_T_AAAA 28

enum spf_dns {
  SPF_DNS_PENDING = 0, /* asked, not answered yet */
  SPF_DNS_OK,          /* NOERROR: the records (maybe none: a void lookup) */
  SPF_DNS_NXDOMAIN,    /* a void lookup */
  SPF_DNS_TEMPFAIL     /* SERVFAIL, timeout, garbage: temperror */
};

#define SPF_CACHE_MAX 256       /* questions in one evaluation (the limits need ~130) */
#define SPF_ARENA_MAX 131072    /* names and records of all answers */
#define SPF_RRS_MAX 64          /* records kept per answer; more are counted */
#define SPF_RECORD_MAX 4096     /* longest TXT record kept (an SPF record is far shorter) */
#define SPF_NAME_MAX 253        /* a domain name in text, no trailing dot */
#define SPF_EXP_MAX 512         /* explanation text kept */
#define SPF_PASSES_MAX 40       /* spf_eval calls a driver allows */

struct spf_entry {
  unsigned type;
  enum spf_dns state;
  size_t name, namelen;  /* in the arena: lowercase, no trailing dot */
  size_t data, datalen;  /* in the arena: records, each a 2-byte length + bytes */
  unsigned nrr;          /* records kept */
  unsigned nrrtotal;     /* records seen */
};

struct spf_cache {
  size_t n;
  struct spf_entry e[SPF_CACHE_MAX];
  size_t used;
  int open;               /* entry being answered, -1 none */
  int full;               /* a question found no room */
  char arena[SPF_ARENA_MAX];
};

void spf_cache_init(struct spf_cache *c);
/* the entry for (name, type), or 0. name is dotted text, any case. */
struct spf_entry *spf_cache_find(struct spf_cache *c, const char *name, size_t len, unsigned type);
/* The name of an entry (NUL-terminated in the arena). */
const char *spf_entry_name(const struct spf_cache *c, const struct spf_entry *e);
/* Answering an entry: begin with its state, then add its records one by one
 * (A: 4 bytes, AAAA: 16, TXT: the strings of one record concatenated, MX and
 * PTR: the target name as dotted text). Records that find no room are
 * counted, not kept. Only one entry may be open at a time: begin closes the
 * previous one. */
void spf_cache_begin(struct spf_cache *c, struct spf_entry *e, enum spf_dns st);
void spf_cache_add(struct spf_cache *c, struct spf_entry *e, const void *rr, size_t len);
/* Walk an entry's records: *pos starts at 0; returns 0 at the end. */
const unsigned char *spf_entry_next(const struct spf_cache *c, const struct spf_entry *e, size_t *pos, size_t *len);

struct spf_request {
  unsigned char ip[16];    /* the client: 4 bytes used when !v6 */
  int v6;
  const char *sender;      /* MAIL FROM address without <>, "" for the null sender */
  const char *helo;        /* HELO/EHLO argument (may be 0) */
  const char *receiver;    /* %{r}: this host's name (0: "unknown") */
  unsigned long now;       /* %{t}: seconds since the epoch */
};

/* Set ip/v6 from text; "::ffff:a.b.c.d" is the IPv4 client a.b.c.d. 1 ok, 0 bad. */
int spf_request_ip(struct spf_request *rq, const char *text);

struct spf_outcome {
  enum spf_result result;
  char domain[SPF_NAME_MAX + 1];  /* the domain checked (sender's, or HELO's for <>; client's bytes: sanitize) */
  char explanation[SPF_EXP_MAX];  /* for fail: the expanded exp= text, else "" (raw ASCII: sanitize) */
  const char *problem;            /* why permerror/temperror (static text), else "" */
  char mechanism[64];             /* the term that decided, "" when the default applied (raw: sanitize) */
  unsigned lookups;               /* DNS terms counted (limit 10) */
  unsigned voids;                 /* void lookups counted (limit 2) */
  unsigned queries;               /* questions in the cache after this pass */
  unsigned pending;               /* of them unanswered (SPF_NEED) */
};

/* check_host() for rq against c. Returns o->result. No I/O. */
enum spf_result spf_eval(const struct spf_request *rq, struct spf_cache *c, struct spf_outcome *o);

/* "pass", "fail", ... ("need" for SPF_NEED). */
const char *spf_result_name(enum spf_result r);

/* For the fuzz harness and tests: check the syntax of one record ("v=spf1 ...").
 * 1 valid, 0 permerror. */
int spf_record_valid(const char *rec, size_t len);

/* For the fuzz harness and tests: expand a macro-string for rq with current
 * domain d, as an explanation (exp=1: c r t allowed, no truncation) or as a
 * domain-spec. Macros that need DNS (%{p}) expand to "unknown". Returns the
 * length, or -1 on a syntax error. out gets at most outmax-1 bytes + NUL. */
long spf_expand_test(const struct spf_request *rq, const char *d, const char *s, size_t len,
                     int exp, char *out, size_t outmax);
#endif
