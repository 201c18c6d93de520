#include <string.h>
#include "dnsbl.h"
#include "test.h"

static const struct { const char *arg; int allow; int ok; size_t baselen; size_t nranges; const char *msg; int want_txt; } parses[] = {
  { "bl.example.net", 0, 1, 14, 0, 0, 1 },
  { "zen.example.org=127.0.0.2-11", 0, 1, 15, 1, 0, 1 },
  { "zen.example.org=127.0.0.2,127.0.0.4-11", 0, 1, 15, 2, 0, 1 },
  { "zen.example.org=127.0.0.2-127.0.1.3", 0, 1, 15, 1, 0, 1 },
  { "bl.test:Blocked, see http://bl.test/?ip=%IP%", 0, 1, 7, 0, "Blocked, see http://bl.test/?ip=%IP%", 0 },
  { "bl.test=127.0.0.2:go away: really", 0, 1, 7, 1, "go away: really", 0 },
  { "al.test", 1, 1, 7, 0, 0, 0 },
  { "al.test=127.0.0.5", 1, 1, 7, 1, 0, 0 },
  { "al.test:message", 1, 0, 0, 0, 0, 0 },
  { "", 0, 0, 0, 0, 0, 0 }, { "=127.0.0.2", 0, 0, 0, 0, 0, 0 }, { ":msg", 0, 0, 0, 0, 0, 0 },
  { "bl.test:", 0, 0, 0, 0, 0, 0 }, { "bl.test=", 0, 0, 0, 0, 0, 0 }, { "bl.test=127.0.0", 0, 0, 0, 0, 0, 0 },
  { "bl.test=127.0.0.11-2", 0, 0, 0, 0, 0, 0 }, { "bl.test=127.0.0.2,", 0, 0, 0, 0, 0, 0 },
  { "bl.test=127.0.0.256", 0, 0, 0, 0, 0, 0 }, { "bl.test=127.0.0.2-300", 0, 0, 0, 0, 0, 0 },
  { "bl..test", 0, 0, 0, 0, 0, 0 }, { ".bl.test", 0, 0, 0, 0, 0, 0 }, { "bl test", 0, 0, 0, 0, 0, 0 },
  { "bl\\.test", 0, 0, 0, 0, 0, 0 }, { "bl.test.", 0, 1, 8, 0, 0, 1 },
  { "a.b=1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4,5.5.5.5,6.6.6.6,7.7.7.7,8.8.8.8,9.9.9.9,1.1.1.2,1.1.1.3,1.1.1.4,1.1.1.5,1.1.1.6,1.1.1.7,1.1.1.8,1.1.1.9", 0, 0, 0, 0, 0, 0 },
  { "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.test", 0, 0, 0, 0, 0, 0 },
};

/* A list already answered: state given directly, the way dnsbl_settle leaves it. */
static void known(struct dnsbl_list *l, const char *arg, int allow, int bounce, int fc, enum dnsbl_state st, const char *txt)
{
  dnsbl_parse(l, arg, allow, bounce, fc);
  l->state = st;
  if (txt) { memcpy(l->txt.txt, txt, strlen(txt)); l->txt.txtlen = l->txt.txttotal = strlen(txt); }
}

static void settle_case(const char *arg, const unsigned char (*a)[4], unsigned na, int a_failed,
                        const char *txt, int txt_failed, enum dnsbl_state want, enum dnsbl_fail wantfail, const char *what)
{
  struct dnsbl_list l;
  unsigned i;
  dnsbl_parse(&l, arg, 0, 0, 0);
  for (i = 0; i < na; ++i) memcpy(l.a.a[i], a[i], 4);
  l.a.na = l.a.natotal = na;
  l.a_failed = a_failed;
  if (txt) { memcpy(l.txt.txt, txt, strlen(txt)); l.txt.txtlen = l.txt.txttotal = strlen(txt); }
  l.txt_failed = txt_failed;
  dnsbl_settle(&l);
  CHECK_INT(l.state, want, what);
  if (want == DNSBL_FAILED) CHECK_INT(l.fail, wantfail, "failure reason");
}

/* -S: lists as given on a command line, and how each one finally answers */
struct scored { const char *arg; int allow, bounce, failclosed; enum dnsbl_state final; const char *txt; };
static const struct {
  const char *what;
  long threshold;
  size_t n;
  struct scored l[4];
  enum dnsbl_action action;      /* with every answer in */
  int code, list;
  const char *text;
} scores[] = {
  { "one heavy list reaches it", 3, 3, { { "zen.test*3", 0, 0, 0, DNSBL_LISTED, "zen" }, { "a.test", 0, 0, 0, DNSBL_LISTED, "a" },
    { "b.test", 0, 0, 0, DNSBL_CLEAN, 0 } }, DNSBL_REJECT, 451, 0, "zen" },
  { "two light lists add up", 2, 3, { { "a.test", 0, 0, 0, DNSBL_LISTED, "a" }, { "b.test", 0, 0, 0, DNSBL_CLEAN, 0 },
    { "c.test", 0, 0, 0, DNSBL_LISTED, "c" } }, DNSBL_REJECT, 451, 0, "a" },
  { "heaviest list's text", 3, 3, { { "a.test", 0, 0, 0, DNSBL_LISTED, "a" }, { "b.test*2", 0, 0, 0, DNSBL_LISTED, "b" },
    { "c.test", 0, 0, 0, DNSBL_CLEAN, 0 } }, DNSBL_REJECT, 451, 1, "b" },
  { "below the threshold", 3, 3, { { "a.test", 0, 0, 0, DNSBL_LISTED, "a" }, { "b.test", 0, 0, 0, DNSBL_LISTED, "b" },
    { "c.test", 0, 0, 0, DNSBL_CLEAN, 0 } }, DNSBL_PASS, 0, -1, 0 },
  { "an allowlist outweighs", 2, 3, { { "wl.test*5", 1, 0, 0, DNSBL_LISTED, 0 }, { "zen.test*3", 0, 0, 0, DNSBL_LISTED, "zen" },
    { "b.test", 0, 0, 0, DNSBL_LISTED, "b" } }, DNSBL_ACCEPT, 0, 0, 0 },
  { "a light allowlist does not", 2, 3, { { "wl.test", 1, 0, 0, DNSBL_LISTED, 0 }, { "zen.test*3", 0, 0, 0, DNSBL_LISTED, "zen" },
    { "b.test", 0, 0, 0, DNSBL_CLEAN, 0 } }, DNSBL_REJECT, 451, 1, "zen" },
  { "-b: 553", 1, 2, { { "a.test", 0, 1, 0, DNSBL_LISTED, "a" }, { "b.test", 0, 1, 0, DNSBL_CLEAN, 0 } },
    DNSBL_REJECT, 553, 0, "a" },
  { "-b, certain despite a failed lookup: 553", 1, 2, { { "a.test", 0, 1, 0, DNSBL_FAILED, 0 }, { "b.test", 0, 1, 0, DNSBL_LISTED, "b" } },
    DNSBL_REJECT, 553, 1, "b" },
  { "-C: failed -r list counts for nothing", 2, 2, { { "a.test*2", 0, 0, 0, DNSBL_FAILED, 0 }, { "b.test", 0, 0, 0, DNSBL_LISTED, "b" } },
    DNSBL_PASS, 0, -1, 0 },
  { "-c: failed -r list counts against: temporary", 2, 2, { { "a.test*2", 0, 0, 1, DNSBL_FAILED, 0 }, { "b.test", 0, 0, 1, DNSBL_LISTED, "b" } },
    DNSBL_REJECT, 451, 1, "temporary RBL lookup error" },
  { "-c: failed -r list alone: temporary", 1, 2, { { "a.test", 0, 1, 1, DNSBL_FAILED, 0 }, { "b.test", 0, 1, 1, DNSBL_CLEAN, 0 } },
    DNSBL_REJECT, 451, -1, "temporary RBL lookup error" },
  { "-C: failed -a list counts as allowlisted", 2, 2, { { "wl.test*3", 1, 0, 0, DNSBL_FAILED, 0 }, { "zen.test*3", 0, 0, 0, DNSBL_LISTED, "zen" } },
    DNSBL_ACCEPT, 0, 0, 0 },
  { "-c: failed -a list does not help: temporary", 2, 2, { { "wl.test*3", 1, 1, 1, DNSBL_FAILED, 0 }, { "zen.test*3", 0, 1, 1, DNSBL_LISTED, "zen" } },
    DNSBL_REJECT, 451, 1, "temporary RBL lookup error" },
  { "weight 0: logged, never counts", 1, 2, { { "a.test*0", 0, 0, 0, DNSBL_LISTED, "a" }, { "b.test", 0, 0, 0, DNSBL_CLEAN, 0 } },
    DNSBL_PASS, 0, -1, 0 },
  { "four lists, mixed", 4, 4, { { "wl.test*2", 1, 0, 0, DNSBL_LISTED, 0 }, { "a.test*3", 0, 0, 0, DNSBL_LISTED, "a" },
    { "b.test*2", 0, 0, 0, DNSBL_LISTED, "b" }, { "c.test", 0, 0, 0, DNSBL_LISTED, "c" } }, DNSBL_REJECT, 451, 1, "a" },
  { "four lists, one short", 5, 4, { { "wl.test*2", 1, 0, 0, DNSBL_LISTED, 0 }, { "a.test*3", 0, 0, 0, DNSBL_LISTED, "a" },
    { "b.test*2", 0, 0, 0, DNSBL_LISTED, "b" }, { "c.test", 0, 0, 0, DNSBL_CLEAN, 0 } }, DNSBL_ACCEPT, 0, 0, 0 },
};

static void score_setup(struct dnsbl_list *l, size_t n, const struct scored *sc)
{
  size_t i;
  for (i = 0; i < n; ++i) {
    dnsbl_parse(&l[i], sc[i].arg, sc[i].allow, sc[i].bounce, sc[i].failclosed);
    l[i].state = DNSBL_PENDING;
    if (sc[i].txt) { memcpy(l[i].txt.txt, sc[i].txt, strlen(sc[i].txt)); l[i].txt.txtlen = l[i].txt.txttotal = strlen(sc[i].txt); }
  }
}

/* Is reject-or-not already certain? Every way the pending lists could still answer, tried. */
static int certain(struct dnsbl_list *l, size_t n, long threshold, int *rejects)
{
  static const enum dnsbl_state outcomes[] = { DNSBL_CLEAN, DNSBL_LISTED, DNSBL_FAILED };
  struct dnsbl_list t[4];
  struct dnsbl_verdict v;
  size_t pend[4], np = 0, i;
  unsigned combo, total = 1;
  int seen = -1;
  for (i = 0; i < n; ++i) if (l[i].state == DNSBL_PENDING) { pend[np++] = i; total *= 3; }
  for (combo = 0; combo < total; ++combo) {
    unsigned c = combo;
    int r;
    memcpy(t, l, n * sizeof *l);
    for (i = 0; i < np; ++i) { t[pend[i]].state = outcomes[c % 3]; c /= 3; }
    r = dnsbl_score_decide(t, n, threshold, "x", &v) == DNSBL_REJECT;
    if (seen >= 0 && r != seen) return 0;
    seen = r;
  }
  *rejects = seen;
  return 1;
}

static void score_orders(size_t k)
{
  static const size_t perms4[24][4] = {
    {0,1,2,3},{0,1,3,2},{0,2,1,3},{0,2,3,1},{0,3,1,2},{0,3,2,1},{1,0,2,3},{1,0,3,2},{1,2,0,3},{1,2,3,0},{1,3,0,2},{1,3,2,0},
    {2,0,1,3},{2,0,3,1},{2,1,0,3},{2,1,3,0},{2,3,0,1},{2,3,1,0},{3,0,1,2},{3,0,2,1},{3,1,0,2},{3,1,2,0},{3,2,0,1},{3,2,1,0} };
  size_t n = scores[k].n, p, step, i;
  int all_ok = 1, timely = 1, same = 1;
  struct dnsbl_list l[4];
  struct dnsbl_verdict v;
  char what[200];

  score_setup(l, n, scores[k].l);
  for (i = 0; i < n; ++i) l[i].state = scores[k].l[i].final;
  dnsbl_score_decide(l, n, scores[k].threshold, "192.0.2.1", &v);
  snprintf(what, sizeof what, "-S %ld, %s: decision with every answer in", scores[k].threshold, scores[k].what);
  CHECK(v.action == scores[k].action && v.code == scores[k].code && v.list == scores[k].list
        && (!scores[k].text || (v.textlen == strlen(scores[k].text) && !memcmp(v.text, scores[k].text, v.textlen))), what);

  for (p = 0; p < 24; ++p) {
    int dup = 0, early = -1, r;
    for (i = 0; i < 4; ++i) if (perms4[p][i] >= n) dup = 1;
    if (dup) continue;
    score_setup(l, n, scores[k].l);
    for (step = 0; step <= n; ++step) {
      enum dnsbl_action a = dnsbl_score_decide(l, n, scores[k].threshold, "x", &v);
      int sure = certain(l, n, scores[k].threshold, &r);
      if (a != DNSBL_WAIT) {
        if (!sure || (a == DNSBL_REJECT) != r) all_ok = 0;
        if ((a == DNSBL_REJECT) != (scores[k].action == DNSBL_REJECT)) same = 0;
        early = (int)step;
        break;
      }
      if (sure) timely = 0;            /* certain, yet still waiting */
      if (step < n) l[perms4[p][step]].state = scores[k].l[perms4[p][step]].final;
    }
    if (early < 0) all_ok = 0;
  }
  snprintf(what, sizeof what, "-S %ld, %s: every arrival order decides the same", scores[k].threshold, scores[k].what);
  CHECK(same && all_ok, what);
  snprintf(what, sizeof what, "-S %ld, %s: at the earliest certain moment", scores[k].threshold, scores[k].what);
  CHECK(timely, what);
}

int main(void)
{
  size_t i;
  struct dnsbl_list l[4];
  struct dnsbl_verdict v;
  char clean[DNSBL_TEXT_MAX + 1];
  static const unsigned char a2[][4] = { { 127, 0, 0, 2 } }, a10[][4] = { { 127, 0, 0, 10 } },
    a12[][4] = { { 127, 0, 0, 12 } }, blocked[][4] = { { 127, 255, 255, 254 } },
    mix[][4] = { { 127, 0, 0, 12 }, { 127, 0, 0, 4 } };

  for (i = 0; i < sizeof parses / sizeof parses[0]; ++i) {
    int ok = dnsbl_parse(&l[0], parses[i].arg, parses[i].allow, 0, 0);
    CHECK_INT(ok, parses[i].ok, parses[i].arg);
    if (!ok || !parses[i].ok) continue;
    CHECK_INT(l[0].baselen, parses[i].baselen, "base length");
    CHECK_INT(l[0].nranges, parses[i].nranges, "ranges");
    CHECK_STR(l[0].message ? l[0].message : "(none)", parses[i].msg ? parses[i].msg : "(none)", "message");
    CHECK_INT(l[0].want_txt, parses[i].want_txt, "TXT query wanted");
    CHECK_INT(l[0].want_a, 1, "A query always (guard or decision)");
  }
  dnsbl_parse(&l[0], "z.test=127.0.0.4-11", 0, 0, 0);
  CHECK(l[0].ranges[0].lo == 0x7f000004UL && l[0].ranges[0].hi == 0x7f00000bUL, "short range is the last octet");

  /* settle: what an answer means for one list */
  settle_case("bl.test", 0, 0, 0, "listed", 0, DNSBL_LISTED, 0, "TXT text lists");
  settle_case("bl.test", 0, 0, 0, "", 0, DNSBL_CLEAN, 0, "no TXT text: clean");
  settle_case("bl.test", 0, 0, 1, "listed", 0, DNSBL_LISTED, 0, "failed A guard is ignored");
  settle_case("bl.test", 0, 0, 0, 0, 1, DNSBL_FAILED, DNSBL_FAIL_LOOKUP, "failed TXT fails");
  settle_case("bl.test", blocked, 1, 0, "Error: open resolver", 0, DNSBL_FAILED, DNSBL_FAIL_BLOCKED, "127.255.255.254 on a TXT list");
  settle_case("bl.test:msg", a2, 1, 0, 0, 0, DNSBL_LISTED, 0, "any A lists with a message");
  settle_case("bl.test:msg", 0, 0, 0, 0, 0, DNSBL_CLEAN, 0, "no A: clean");
  settle_case("bl.test:msg", 0, 0, 1, 0, 0, DNSBL_FAILED, DNSBL_FAIL_LOOKUP, "failed A fails");
  settle_case("bl.test:msg", blocked, 1, 0, 0, 0, DNSBL_FAILED, DNSBL_FAIL_BLOCKED, "127.255.255.x never lists");
  settle_case("bl.test=127.0.0.2,127.0.0.4-11:m", a10, 1, 0, 0, 0, DNSBL_LISTED, 0, "code in range");
  settle_case("bl.test=127.0.0.2,127.0.0.4-11:m", a12, 1, 0, 0, 0, DNSBL_CLEAN, 0, "code outside the ranges");
  settle_case("bl.test=127.0.0.2,127.0.0.4-11:m", mix, 2, 0, 0, 0, DNSBL_LISTED, 0, "one matching code of two");
  settle_case("bl.test=127.0.0.2", a2, 1, 0, 0, 1, DNSBL_LISTED, 0, "codes without message: A decides, TXT may fail");
  settle_case("bl.test=127.0.0.3", a2, 1, 0, "text", 0, DNSBL_CLEAN, 0, "codes: TXT alone never lists");

  /* the serial decision */
  known(&l[0], "a.test", 0, 0, 0, DNSBL_CLEAN, 0);
  known(&l[1], "b.test", 0, 0, 0, DNSBL_LISTED, "in b");
  CHECK_INT(dnsbl_decide(l, 2, "192.0.2.1", &v), DNSBL_REJECT, "second list listed: reject");
  CHECK(v.code == 451 && v.list == 1 && v.textlen == 4 && !memcmp(v.text, "in b", 4), "451, list 1, its text");

  known(&l[0], "a.test", 0, 0, 0, DNSBL_PENDING, 0);
  CHECK_INT(dnsbl_decide(l, 2, "192.0.2.1", &v), DNSBL_WAIT, "first list pending: wait even if the second is listed");
  known(&l[0], "a.test", 0, 0, 0, DNSBL_LISTED, "in a");
  known(&l[1], "b.test", 0, 0, 0, DNSBL_PENDING, 0);
  CHECK_INT(dnsbl_decide(l, 2, "192.0.2.1", &v), DNSBL_REJECT, "first list listed: decide without the second");
  CHECK_INT(v.list, 0, "deciding list");

  known(&l[0], "a.test", 0, 1, 0, DNSBL_LISTED, "in a");
  dnsbl_decide(l, 1, "x", &v);
  CHECK_INT(v.code, 553, "-b: 553");
  known(&l[0], "a.test", 0, 1, 0, DNSBL_FAILED, 0);
  known(&l[1], "b.test", 0, 1, 0, DNSBL_LISTED, "in b");
  dnsbl_decide(l, 2, "x", &v);
  CHECK_INT(v.code, 451, "-b but an earlier lookup failed: 451, never a bounce");
  known(&l[0], "a.test", 0, 0, 1, DNSBL_FAILED, 0);
  CHECK_INT(dnsbl_decide(l, 2, "x", &v), DNSBL_REJECT, "-c: failed lookup rejects");
  CHECK(v.code == 451 && v.textlen == 26 && !memcmp(v.text, "temporary RBL lookup error", 26), "rblsmtpd's text");
  known(&l[0], "a.test", 0, 0, 0, DNSBL_FAILED, 0);
  known(&l[1], "b.test", 0, 0, 0, DNSBL_CLEAN, 0);
  CHECK_INT(dnsbl_decide(l, 2, "x", &v), DNSBL_PASS, "-C: failed lookup passes");

  known(&l[0], "al.test", 1, 0, 0, DNSBL_LISTED, 0);
  known(&l[1], "b.test", 0, 0, 0, DNSBL_LISTED, "b");
  CHECK_INT(dnsbl_decide(l, 2, "x", &v), DNSBL_ACCEPT, "allowlist before: accept");
  known(&l[0], "b.test", 0, 0, 0, DNSBL_LISTED, "b");
  known(&l[1], "al.test", 1, 0, 0, DNSBL_LISTED, 0);
  CHECK_INT(dnsbl_decide(l, 2, "x", &v), DNSBL_REJECT, "allowlist after: too late");
  known(&l[0], "al.test", 1, 0, 0, DNSBL_FAILED, 0);
  CHECK_INT(dnsbl_decide(l, 2, "x", &v), DNSBL_ACCEPT, "failed allowlist with -C accepts (as rblsmtpd)");
  known(&l[0], "al.test", 1, 0, 1, DNSBL_FAILED, 0);
  known(&l[1], "b.test", 0, 1, 0, DNSBL_LISTED, "b");
  CHECK_INT(dnsbl_decide(l, 2, "x", &v), DNSBL_REJECT, "failed allowlist with -c goes on");
  CHECK_INT(v.code, 451, "and forbids bouncing");
  known(&l[0], "al.test", 1, 0, 0, DNSBL_CLEAN, 0);
  known(&l[1], "b.test", 0, 0, 0, DNSBL_CLEAN, 0);
  CHECK_INT(dnsbl_decide(l, 2, "x", &v), DNSBL_PASS, "nothing listed: pass");
  CHECK_INT(dnsbl_decide(l, 0, "x", &v), DNSBL_PASS, "no lists: pass");

  known(&l[0], "bl.test:Blocked %IP% (%IP%) %IP", 0, 0, 0, DNSBL_LISTED, 0);
  dnsbl_decide(l, 1, "192.0.2.7", &v);
  CHECK(v.textlen == 33 && !memcmp(v.text, "Blocked 192.0.2.7 (192.0.2.7) %IP", 33), "%IP% replaced, every time");
  known(&l[0], "bl.test=127.0.0.2", 0, 0, 0, DNSBL_LISTED, 0);
  dnsbl_decide(l, 1, "x", &v);
  CHECK(v.textlen == 17 && !memcmp(v.text, "listed in bl.test", 17), "codes and no TXT: default text");

  /* -S: the score decision, every arrival order */
  for (i = 0; i < sizeof scores / sizeof scores[0]; ++i) score_orders(i);
  known(&l[0], "zen.test*3", 0, 0, 0, DNSBL_LISTED, "zen");
  known(&l[1], "slow.test", 0, 0, 0, DNSBL_PENDING, 0);
  known(&l[2], "slow2.test", 0, 0, 0, DNSBL_PENDING, 0);
  CHECK_INT(dnsbl_score_decide(l, 3, 3, "x", &v), DNSBL_REJECT, "heavy list in: reject, the others still pending");
  CHECK_INT(v.score, 3, "score so far");
  known(&l[0], "wl.test*9", 1, 0, 0, DNSBL_LISTED, 0);
  CHECK_INT(dnsbl_score_decide(l, 3, 3, "x", &v), DNSBL_ACCEPT, "heavy allowlist in: accept, the others still pending");
  CHECK_INT(v.score, -9, "negative score");
  known(&l[0], "a.test*2", 0, 0, 0, DNSBL_PENDING, 0);
  CHECK_INT(dnsbl_score_decide(l, 3, 5, "x", &v), DNSBL_PASS, "2 + 1 + 1 can never reach 5: pass before any answer");

  /* weights: the option syntax */
  CHECK(dnsbl_parse(&l[0], "zen.test=127.0.0.2-11*3:msg *not a weight*", 0, 0, 0) && l[0].weight == 3 && l[0].weighted
        && l[0].baselen == 8 && l[0].nranges == 1 && !strcmp(l[0].message, "msg *not a weight*"), "base=codes*W:message");
  CHECK(dnsbl_parse(&l[0], "wl.test*4", 1, 0, 0) && l[0].weight == 4 && l[0].allow, "-a base*W");
  CHECK(dnsbl_parse(&l[0], "bl.test", 0, 0, 0) && l[0].weight == 1 && !l[0].weighted, "no weight: 1");
  CHECK(dnsbl_parse(&l[0], "bl.test*1000000", 0, 0, 0) && l[0].weight == 1000000, "largest weight");
  {
    static const char *const bad[] = { "bl.test*", "bl.test*x", "bl.test*-4", "bl.test*1000001", "bl.test*99999999999999999999999",
                                       "bl.test*2*3", "bl.test*+2", "bl.test* 2", "*2", "bl.test=*2", "bl.test*2=127.0.0.2" };
    for (i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
      int ok = dnsbl_parse(&l[0], bad[i], 0, 0, 0);
      CHECK(!ok && l[0].err, bad[i]);
    }
  }

  CHECK_INT(dnsbl_cleantext(clean, "a\r\nb\x80\x7f~", 7), 7, "cleantext length");
  CHECK_STR(clean, "a??b??~", "cleantext replaces outside 32..126");
  memset(l[0].txt.txt, 'x', 300);
  CHECK_INT(dnsbl_cleantext(clean, l[0].txt.txt, 300), 200, "cleantext cuts at 200");
  return test_done();
}
