/* dnsbl.h — DNS lists as rblsmtpd2 sees them: the -r/-a option syntax, what
 * an answer means for one list, and the decision a serial left-to-right
 * evaluation would reach (taken as soon as the lists it depends on are known). */
#ifndef DNSBL_H
#define DNSBL_H
#include <stddef.h>
#include "dnsmsg.h"
struct revip;

#define DNSBL_MAX 32          /* lists on one command line */
#define DNSBL_CODES_MAX 16    /* return-code ranges of one list */
#define DNSBL_TEXT_MAX 200    /* rblsmtpd cuts the text here */
#define DNSBL_WEIGHT_MAX 1000000UL   /* *W and -S: 32 lists stay far from overflow */

enum dnsbl_state { DNSBL_PENDING = 0, DNSBL_CLEAN, DNSBL_LISTED, DNSBL_FAILED };
enum dnsbl_fail { DNSBL_FAIL_NONE = 0, DNSBL_FAIL_LOOKUP, DNSBL_FAIL_TIMEOUT, DNSBL_FAIL_BLOCKED,
                  DNSBL_FAIL_BADNAME, DNSBL_FAIL_NOSERVER };

struct dnsbl_range { unsigned long lo, hi; };   /* IPv4 as 32-bit numbers */

struct dnsbl_list {
  /* from the command line */
  int allow;                     /* -a: an allowlist */
  int bounce;                    /* -b in force: a listing answers 553 */
  int failclosed;                /* -c in force: a failed lookup rejects (451) */
  const char *base; size_t baselen;
  const char *message;           /* base:message, or 0: the TXT record is the text */
  size_t nranges;                /* 0: any A record counts */
  struct dnsbl_range ranges[DNSBL_CODES_MAX];
  unsigned long weight;          /* *W: what a listing adds (-r) or takes off (-a) under -S; 1 */
  int weighted;                  /* *W was given */
  const char *err;               /* why dnsbl_parse said no */
  const struct revip *probe;     /* -H: the test point asked instead of the client */
  int want_a, want_txt;          /* which queries the list needs */
  /* what came back */
  int a_done, txt_done;          /* that query finished (answer or failure) */
  int a_failed, txt_failed;
  struct dnsmsg a, txt;          /* the parsed answers */
  /* the list's verdict, once both queries are done */
  enum dnsbl_state state;
  enum dnsbl_fail fail;
  unsigned char blocked[4];      /* the 127.255.255.x answer, when fail == BLOCKED */
};

/* Parse the argument of -r (allow 0) or -a (allow 1):
 * base[=codes][*W][:message] (no message for -a). 1 on success, 0 on a
 * syntax error (l->err says which part). l->base/message point into arg,
 * which must outlive l. */
int dnsbl_parse(struct dnsbl_list *l, const char *arg, int allow, int bounce, int failclosed);

/* Both queries done (or given up): work out state and fail. */
void dnsbl_settle(struct dnsbl_list *l);

enum dnsbl_action { DNSBL_WAIT = 0, DNSBL_PASS, DNSBL_ACCEPT, DNSBL_REJECT };

struct dnsbl_verdict {
  enum dnsbl_action action;
  int code;                      /* 451 or 553 when REJECT */
  int list;                      /* the deciding list's index, -1 when none */
  char text[DNSBL_TEXT_MAX * 2 + 64];  /* rejection text, raw (not yet cut or sanitized) */
  size_t textlen;
  long score;                    /* -S: the score of the lists known (failed ones as -c/-C count them) */
};

/* The serial decision over lists[0..n): DNSBL_WAIT while a list it needs is pending. */
enum dnsbl_action dnsbl_decide(struct dnsbl_list *lists, size_t n, const char *client, struct dnsbl_verdict *v);

/* The -S decision over lists[0..n): each matching -r list adds its weight,
 * each matching -a list takes its weight off; a failed lookup counts as the
 * unfavourable answer under -c, the favourable one under -C. Score >= threshold:
 * DNSBL_REJECT with the heaviest matching -r list's text and code (451 and
 * rblsmtpd's "temporary RBL lookup error" when only failed lookups reach it).
 * Below: DNSBL_ACCEPT when an -a list matched (v->list the heaviest), else
 * DNSBL_PASS. DNSBL_WAIT while a pending list could still change which. */
enum dnsbl_action dnsbl_score_decide(struct dnsbl_list *lists, size_t n, long threshold, const char *client,
                                     struct dnsbl_verdict *v);

/* Turn text into what rblsmtpd writes after the code: at most 200 bytes, each
 * byte outside 32..126 replaced by '?'. out needs DNSBL_TEXT_MAX + 1 bytes. */
size_t dnsbl_cleantext(char *out, const char *text, size_t len);
#endif
