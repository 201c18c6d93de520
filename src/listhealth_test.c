#include <string.h>
#include "listhealth.h"
#include "test.h"

/* one probe's outcome: FAILED (with a reason), an A answer, a TXT text, or nothing */
struct probe { enum dnsbl_state st; enum dnsbl_fail fail; int a; unsigned char addr[4]; const char *txt; };
#define NOTHING { DNSBL_CLEAN, 0, 0, { 0 }, 0 }
#define A2      { DNSBL_LISTED, 0, 1, { 127, 0, 0, 2 }, 0 }
#define TXT     { DNSBL_LISTED, 0, 0, { 0 }, "listed" }
#define TIMEOUT { DNSBL_FAILED, DNSBL_FAIL_TIMEOUT, 0, { 0 }, 0 }
#define BLOCKED { DNSBL_FAILED, DNSBL_FAIL_BLOCKED, 1, { 127, 255, 255, 254 }, 0 }
#define CODE99  { DNSBL_CLEAN, 0, 1, { 127, 0, 0, 99 }, 0 }   /* outside the list's codes, still an answer */

static const struct { const char *what, *arg; struct probe listed, notlisted; enum listhealth want; } cases[] = {
  { "healthy A list", "bl.test:m", A2, NOTHING, LH_OK },
  { "healthy TXT list", "bl.test", TXT, NOTHING, LH_OK },
  { "codes filter does not hide the test point", "zen.test=127.0.0.10-11", CODE99, NOTHING, LH_OK },
  { "not answering", "bl.test", TIMEOUT, NOTHING, LH_DOWN },
  { "not answering the clean point", "bl.test", A2, TIMEOUT, LH_DOWN },
  { "refuses queries", "bl.test", BLOCKED, BLOCKED, LH_REFUSED },
  { "lists the world", "bl.test:m", A2, A2, LH_WORLD },
  { "lists the world, TXT", "bl.test", TXT, TXT, LH_WORLD },
  { "lists the world, even when 127.0.0.2 times out", "bl.test", TIMEOUT, A2, LH_WORLD },
  { "test point not listed", "bl.test", NOTHING, NOTHING, LH_NOTLISTED },
};

static void fill(struct dnsbl_list *l, const char *arg, const struct probe *p)
{
  dnsbl_parse(l, arg, 0, 0, 0);
  l->state = p->st;
  l->fail = p->fail;
  if (p->a) { memcpy(l->a.a[0], p->addr, 4); l->a.na = l->a.natotal = 1; }
  if (p->fail == DNSBL_FAIL_BLOCKED) memcpy(l->blocked, p->addr, 4);
  if (p->st == DNSBL_FAILED) l->a_failed = l->txt_failed = 1;
  if (p->txt) { strcpy(l->txt.txt, p->txt); l->txt.txtlen = l->txt.txttotal = strlen(p->txt); }
}

int main(void)
{
  size_t i;
  struct dnsbl_list a, b, lists[2], probes[2 * LH_PROBES];
  struct revip p[LH_PROBES];
  unsigned char blocked[4];
  static const enum listhealth allok[] = { LH_OK, LH_OK }, down[] = { LH_OK, LH_DOWN }, refused[] = { LH_REFUSED, LH_OK },
    world[] = { LH_DOWN, LH_WORLD }, notlisted[] = { LH_NOTLISTED, LH_OK };

  for (i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    fill(&a, cases[i].arg, &cases[i].listed);
    fill(&b, cases[i].arg, &cases[i].notlisted);
    CHECK_INT(listhealth_judge(&a, &b, blocked), cases[i].want, cases[i].what);
  }
  fill(&a, "bl.test", &(struct probe)BLOCKED);
  fill(&b, "bl.test", &(struct probe)NOTHING);
  listhealth_judge(&a, &b, blocked);
  CHECK(blocked[3] == 254, "the 127.255.255.x answer is passed back");

  CHECK_INT(listhealth_exit(allok, 2), 0, "all healthy: 0");
  CHECK_INT(listhealth_exit(down, 2), 111, "one down: 111");
  CHECK_INT(listhealth_exit(refused, 2), 111, "one refusing: 111");
  CHECK_INT(listhealth_exit(world, 2), 100, "one listing the world: 100, even beside a down one");
  CHECK_INT(listhealth_exit(notlisted, 2), 100, "test point not listed: 100");

  listhealth_points(p);
  CHECK_STR(p[0].rev, "2.0.0.127.", "127.0.0.2");
  CHECK_STR(p[1].rev, "1.0.0.127.", "127.0.0.1");
  CHECK_STR(p[2].rev, "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.", "::ffff:7f00:2 in nibbles (not mapped to IPv4)");
  CHECK_STR(p[3].rev, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.", "::1 in nibbles");
  dnsbl_parse(&lists[0], "bl.test", 0, 1, 0);
  dnsbl_parse(&lists[1], "wl.test", 1, 0, 0);
  lists[0].state = DNSBL_LISTED;
  listhealth_probes(lists, 2, p, probes);
  CHECK(probes[0].probe == &p[0] && probes[3].probe == &p[3] && probes[4].probe == &p[0], "four probes a list, in order");
  CHECK(probes[1].state == DNSBL_PENDING && probes[1].bounce && probes[5].allow && probes[5].baselen == 7, "options kept, answers cleared");
  return test_done();
}
