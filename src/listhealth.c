#include <string.h>
#include "listhealth.h"

static void nibbles(struct revip *r, const unsigned char ip[16])
{
  static const char hex[] = "0123456789abcdef";
  int i;
  memset(r, 0, sizeof *r);
  r->v6 = 1;
  memcpy(r->ip, ip, 16);
  for (i = 15; i >= 0; --i) {
    r->rev[r->revlen++] = hex[ip[i] & 15]; r->rev[r->revlen++] = '.';
    r->rev[r->revlen++] = hex[ip[i] >> 4]; r->rev[r->revlen++] = '.';
  }
}

void listhealth_points(struct revip p[LH_PROBES])
{
  static const unsigned char v6listed[16] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff,0x7f,0,0,2 };
  static const unsigned char v6clean[16] = { 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1 };
  revip_parse(&p[0], "127.0.0.2");
  revip_parse(&p[1], "127.0.0.1");
  nibbles(&p[2], v6listed);
  memcpy(p[2].text, "::ffff:7f00:2", 14);
  nibbles(&p[3], v6clean);
  memcpy(p[3].text, "::1", 4);
}

void listhealth_probes(const struct dnsbl_list *lists, size_t n, const struct revip p[LH_PROBES],
                       struct dnsbl_list *out)
{
  size_t i, k;
  for (i = 0; i < n; ++i)
    for (k = 0; k < LH_PROBES; ++k) {
      struct dnsbl_list *o = &out[i * LH_PROBES + k];
      *o = lists[i];
      memset(&o->a_done, 0, sizeof *o - offsetof(struct dnsbl_list, a_done));
      o->probe = &p[k];
    }
}

/* Any answer at all, whatever the list's return-code filter: test points are
 * about the list, not about which codes this host acts on. */
static int answers_yes(const struct dnsbl_list *l)
{
  return (l->want_a && !l->a_failed && l->a.na) || (l->want_txt && !l->txt_failed && l->txt.txttotal);
}

enum listhealth listhealth_judge(const struct dnsbl_list *listed, const struct dnsbl_list *notlisted,
                                 unsigned char blocked[4])
{
  const struct dnsbl_list *b = 0;
  if (listed->state == DNSBL_FAILED && listed->fail == DNSBL_FAIL_BLOCKED) b = listed;
  if (notlisted->state == DNSBL_FAILED && notlisted->fail == DNSBL_FAIL_BLOCKED) b = notlisted;
  if (b) { memcpy(blocked, b->blocked, 4); return LH_REFUSED; }
  if (notlisted->state != DNSBL_FAILED && answers_yes(notlisted)) return LH_WORLD;
  if (listed->state == DNSBL_FAILED || notlisted->state == DNSBL_FAILED) return LH_DOWN;
  if (!answers_yes(listed)) return LH_NOTLISTED;
  return LH_OK;
}

int listhealth_exit(const enum listhealth *v, size_t n)
{
  size_t i;
  int code = 0;
  for (i = 0; i < n; ++i) {
    if (v[i] == LH_WORLD || v[i] == LH_NOTLISTED) return 100;
    if (v[i] != LH_OK) code = 111;
  }
  return code;
}
