#include <stdlib.h>
#include <string.h>
#include "spf.h"
#include "spfdns.h"
#include "spfzone.h"
#include "test.h"

static const struct { const char *rec; int ok; } records[] = {
  { "v=spf1", 1 }, { "v=spf1 -all", 1 }, { "V=SPF1 -ALL", 1 }, { "v=spf1  a   mx  ", 1 },
  { "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all", 1 }, { "v=spf1 a/24//64 mx//0 a:x.example/32", 1 },
  { "v=spf1 include:_spf.example.com ?all", 1 }, { "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d}", 1 },
  { "v=spf1 redirect=_spf.example.com", 1 }, { "v=spf1 -all exp=explain._spf.%{d}", 1 },
  { "v=spf1 ptr ptr:example.com", 1 }, { "v=spf1 foo=bar moo=", 1 }, { "v=spf1 a:example.com.", 1 },
  { "v=spf1 ip6:::ffff:192.0.2.1", 1 }, { "v=spf1 mx:%{d}", 1 },
  { "v=spf10", 0 }, { "spf1 -all", 0 }, { "v=spf1 foo", 0 }, { "v=spf1 -all:x", 0 },
  { "v=spf1 ip4:192.0.2.300", 0 }, { "v=spf1 ip4:192.0.02.1", 0 }, { "v=spf1 ip4:192.0.2.1/33", 0 },
  { "v=spf1 ip4:192.0.2.1//64", 0 }, { "v=spf1 ip6:2001:db8::/129", 0 }, { "v=spf1 ip6:zz::", 0 },
  { "v=spf1 a/33", 0 }, { "v=spf1 a//129", 0 }, { "v=spf1 a:foo.1", 0 }, { "v=spf1 a:localhost", 0 },
  { "v=spf1 mx:example.com/024", 0 }, { "v=spf1 include", 0 }, { "v=spf1 include:", 0 }, { "v=spf1 exists", 0 },
  { "v=spf1 redirect=a.example redirect=b.example", 0 }, { "v=spf1 exp=a.example exp=b.example", 0 },
  { "v=spf1 a:%{z}.example.com", 0 }, { "v=spf1 a:%{d0}.example.com", 0 }, { "v=spf1 a:%{c}.example.com", 0 },
  { "v=spf1 a:%(d).example.com", 0 }, { "v=spf1 a:foo%.example.com", 0 }, { "v=spf1 x=%", 0 },
  { "v=spf1 =a", 0 }, { "v=spf1 !a", 0 }, { "v=spf1 ptr/24", 0 }, { "v=spf1 a:example.com:8080", 0 },
  { "v=spf1 -all\tmx", 0 }, { "v=spf1 a:caf\xc3\xa9.example", 0 },
};

/* RFC 7208 7.4 */
static const struct { const char *in; int exp; const char *out; } macros[] = {
  { "%{s}", 0, "strong-bad@email.example.com" }, { "%{o}", 0, "email.example.com" },
  { "%{d}", 0, "email.example.com" }, { "%{d4}", 0, "email.example.com" }, { "%{d3}", 0, "email.example.com" },
  { "%{d2}", 0, "example.com" }, { "%{d1}", 0, "com" }, { "%{dr}", 0, "com.example.email" },
  { "%{d2r}", 0, "example.email" }, { "%{l}", 0, "strong-bad" }, { "%{l-}", 0, "strong.bad" },
  { "%{lr}", 0, "strong-bad" }, { "%{lr-}", 0, "bad.strong" }, { "%{l1r-}", 0, "strong" },
  { "%{ir}.%{v}._spf.%{d2}", 0, "3.2.0.192.in-addr._spf.example.com" },
  { "%{lr-}.lp._spf.%{d2}", 0, "bad.strong.lp._spf.example.com" },
  { "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", 0, "bad.strong.lp.3.2.0.192.in-addr._spf.example.com" },
  { "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", 0, "3.2.0.192.in-addr.strong.lp._spf.example.com" },
  { "%{d2}.trusted-domains.example.net", 0, "example.com.trusted-domains.example.net" },
  { "%{d2}.trusted-domains.example.net.", 0, "example.com.trusted-domains.example.net" },
  { "%%%_%-", 1, "% %20" }, { "%{L}", 0, "strong-bad" }, { "%{S}", 0, "strong-bad%40email.example.com" },
  { "%{c} %{r} %{t} %{h}", 1, "192.0.2.3 mx.example.org 1400000000 helo.example.org" },
  { "%{p}", 0, "unknown" }, { "%{c}", 0, 0 }, { "%{x}", 0, 0 }, { "%", 0, 0 }, { "%{d", 0, 0 },
  { "%{d0}", 0, 0 }, { "%{d2r+-/}", 0, "email.example.com" }, { "%{d2r.}", 0, "example.email" }, { "%{l1}", 0, "strong-bad" },
  { "%{i}", 0, "192.0.2.3" }, { "%{i2}", 0, "2.3" }, { "%{v}", 0, "in-addr" },
};

struct evcase { const char *ip, *sender, *helo; enum spf_result want; const char *exp; unsigned passes, lookups; const char *what; };

static const char zone[] =
  "example.com TXT \"v=spf1 ip4:192.0.2.0/24 a mx include:inc.example.com -all\"\n"
  "example.com A 198.51.100.1\n"
  "example.com MX 10 mx1.example.com\n"
  "example.com MX 20 mx2.example.com\n"
  "mx1.example.com A 198.51.100.10\n"
  "mx2.example.com AAAA 2001:db8::25\n"
  "inc.example.com TXT \"v=spf1 ip4:203.0.113.7 ~all\"\n"
  "soft.example.com TXT \"v=spf1 ~all\"\n"
  "exp.example.com TXT \"v=spf1 -all exp=why.example.com\"\n"
  "why.example.com TXT \"%{i} is not one of %{d}'s servers (%{l})\"\n"
  "split.example.com TXT \"v=spf1 ip4:10.0.0.1\" \" -all\"\n"
  "two.example.com TXT \"v=spf1 -all\"\n"
  "two.example.com TXT \"v=spf1 +all\"\n"
  "slow.example.com TXT TIMEOUT\n"
  "slowa.example.com TXT \"v=spf1 a:t.example.com -all\"\n"
  "t.example.com TIMEOUT\n"
  "voids.example.com TXT \"v=spf1 a:n1.example.com a:n2.example.com a:n3.example.com +all\"\n"
  "many.example.com TXT \"v=spf1 a a a a a a a a a a a +all\"\n"
  "many.example.com A 192.0.2.99\n"
  "ten.example.com TXT \"v=spf1 a a a a a a a a a a +all\"\n"
  "ten.example.com A 192.0.2.99\n"
  "six.example.com TXT \"v=spf1 ip6:2001:db8:6::/48 ip4:192.0.2.6 -all\"\n"
  "red.example.com TXT \"v=spf1 redirect=example.com\"\n"
  "rednone.example.com TXT \"v=spf1 redirect=nowhere.example.com\"\n"
  "par.example.com TXT \"v=spf1 a:p1.example.com mx:p2.example.com include:p3.example.com -all\"\n"
  "p1.example.com A 192.0.2.201\n"
  "p2.example.com MX 0 p1.example.com\n"
  "p3.example.com TXT \"v=spf1 ip4:192.0.2.203\"\n";

static const struct evcase evs[] = {
  { "192.0.2.55", "a@example.com", "h.example.com", SPF_PASS, "", 2, 0, "ip4 match first: nothing more asked" },
  { "198.51.100.1", "a@example.com", "h", SPF_PASS, "", 3, 1, "a (a, mx and include asked together)" },
  { "198.51.100.10", "a@example.com", "h", SPF_PASS, "", 4, 2, "mx (after the exchanges' addresses)" },
  { "2001:db8::25", "a@example.com", "h", SPF_PASS, "", 4, 2, "mx for an IPv6 client" },
  { "::ffff:198.51.100.10", "a@example.com", "h", SPF_PASS, "", 4, 2, "::ffff: is IPv4" },
  { "203.0.113.7", "a@example.com", "h", SPF_PASS, "", 4, 3, "include pass" },
  { "203.0.113.8", "a@example.com", "h", SPF_FAIL, "", 4, 3, "-all after a softfail include" },
  { "203.0.113.8", "a@soft.example.com", "h", SPF_SOFTFAIL, "", 2, 0, "~all" },
  { "203.0.113.8", "bob@exp.example.com", "h", SPF_FAIL, "203.0.113.8 is not one of exp.example.com's servers (bob)", 3, 0, "exp" },
  { "10.0.0.1", "a@split.example.com", "h", SPF_PASS, "", 2, 0, "strings of one TXT record joined" },
  { "10.0.0.1", "a@two.example.com", "h", SPF_PERMERROR, "", 2, 0, "two SPF records" },
  { "10.0.0.1", "a@slow.example.com", "h", SPF_TEMPERROR, "", 2, 0, "TXT timeout: temperror" },
  { "10.0.0.1", "a@slowa.example.com", "h", SPF_TEMPERROR, "", 3, 1, "A timeout: temperror, not fail" },
  { "10.0.0.1", "a@voids.example.com", "h", SPF_PERMERROR, "", 3, 3, "third void lookup" },
  { "10.0.0.1", "a@many.example.com", "h", SPF_PERMERROR, "", 3, 11, "eleventh DNS term" },
  { "10.0.0.1", "a@ten.example.com", "h", SPF_PASS, "", 3, 10, "ten DNS terms" },
  { "2001:db8:6::1", "a@six.example.com", "h", SPF_PASS, "", 2, 0, "ip6" },
  { "192.0.2.6", "a@six.example.com", "h", SPF_PASS, "", 2, 0, "ip4 beside ip6" },
  { "2001:db8:7::1", "a@six.example.com", "h", SPF_FAIL, "", 2, 0, "ip6 no match" },
  { "198.51.100.1", "a@red.example.com", "h", SPF_PASS, "", 4, 2, "redirect" },
  { "198.51.100.1", "a@rednone.example.com", "h", SPF_PERMERROR, "", 3, 1, "redirect to nothing" },
  { "198.51.100.1", "a@nowhere.example.com", "h", SPF_NONE, "", 2, 0, "no record" },
  { "198.51.100.1", "", "soft.example.com", SPF_SOFTFAIL, "", 2, 0, "null sender: HELO" },
  { "198.51.100.1", "a@localhost", "h", SPF_NONE, "", 1, 0, "single label: none" },
  { "192.0.2.203", "a@par.example.com", "h", SPF_PASS, "", 3, 3, "a, mx and include: one round after the record (mx's exchange already asked)" },
};

static void packet_tests(void)
{
  static struct spf_cache c;
  struct spf_entry *e;
  /* answer: example.com MX 10 mx.example.com (compressed), id 0 */
  static const unsigned char mx[] = {
    0, 0, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0,
    7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 15, 0, 1,
    0xc0, 12, 0, 15, 0, 1, 0, 0, 0, 60, 0, 7, 0, 10, 2, 'm', 'x', 0xc0, 12,
    0xc0, 12, 0, 15, 0, 1, 0, 0, 0, 60, 0, 3, 0, 0, 0,                       /* null MX */
  };
  static const unsigned char loop[] = {
    0, 0, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
    1, 'x', 0, 0, 12, 0, 1,
    0xc0, 12, 0, 12, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 31,                      /* points at itself */
  };
  static const unsigned char txt[] = {
    0, 0, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
    1, 'x', 0, 0, 16, 0, 1,
    0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, 9, 3, 'v', '=', 's', 2, 'p', 'f', 1, '1',
  };
  static const unsigned char nx[] = { 0, 0, 0x81, 0x83, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'x', 0, 0, 1, 0, 1 };
  static const unsigned char sf[] = { 0, 0, 0x81, 0x82, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'x', 0, 0, 1, 0, 1 };
  const unsigned char *rr;
  size_t pos = 0, len;
  struct spf_request rq;
  struct spf_outcome o;

  memset(&rq, 0, sizeof rq);
  spf_request_ip(&rq, "192.0.2.1");
  rq.sender = "a@example.com";
  spf_cache_init(&c);
  spf_eval(&rq, &c, &o);                       /* asks example.com TXT */
  CHECK_INT(c.n, 1, "one question");
  e = &c.e[0];
  e->type = SPF_T_MX;
  spfdns_parse(mx, sizeof mx, &c, e);
  CHECK_INT(e->state, SPF_DNS_OK, "MX answer ok");
  CHECK_INT(e->nrrtotal, 2, "two MX records seen");
  rr = spf_entry_next(&c, e, &pos, &len);
  CHECK(rr && len == 14 && !memcmp(rr, "mx.example.com", 14), "compressed exchange name");
  CHECK(!spf_entry_next(&c, e, &pos, &len), "null MX not kept");
  spfdns_parse(loop, sizeof loop, &c, e);
  CHECK_INT(e->nrr, 0, "PTR pointer loop: no name");
  e->type = SPF_T_TXT;
  spfdns_parse(txt, sizeof txt, &c, e);
  pos = 0;
  rr = spf_entry_next(&c, e, &pos, &len);
  CHECK(rr && len == 6 && !memcmp(rr, "v=spf1", 6), "TXT strings joined");
  spfdns_parse(nx, sizeof nx, &c, e);
  CHECK_INT(e->state, SPF_DNS_NXDOMAIN, "NXDOMAIN");
  spfdns_parse(sf, sizeof sf, &c, e);
  CHECK_INT(e->state, SPF_DNS_TEMPFAIL, "SERVFAIL");
  spfdns_parse(txt, 20, &c, e);
  CHECK_INT(e->state, SPF_DNS_OK, "cut in the answer: what came before counts");
  spfdns_parse(txt, 5, &c, e);
  CHECK_INT(e->state, SPF_DNS_TEMPFAIL, "short header");
}

int main(void)
{
  static struct spf_cache c;
  static struct spfzone z;
  struct spf_request rq;
  struct spf_outcome o;
  char out[600];
  unsigned long line;
  size_t i;

  for (i = 0; i < sizeof records / sizeof records[0]; ++i)
    CHECK_INT(spf_record_valid(records[i].rec, strlen(records[i].rec)), records[i].ok, records[i].rec);

  memset(&rq, 0, sizeof rq);
  CHECK(spf_request_ip(&rq, "192.0.2.3") && !rq.v6, "IPv4 client");
  rq.sender = "strong-bad@email.example.com";
  rq.helo = "helo.example.org";
  rq.receiver = "mx.example.org";
  rq.now = 1400000000;
  for (i = 0; i < sizeof macros / sizeof macros[0]; ++i) {
    long n = spf_expand_test(&rq, "email.example.com", macros[i].in, strlen(macros[i].in), macros[i].exp, out, sizeof out);
    if (!macros[i].out) CHECK_INT(n, -1, macros[i].in);
    else CHECK_STR(n < 0 ? "(error)" : out, macros[i].out, macros[i].in);
  }
  CHECK(spf_request_ip(&rq, "2001:db8::cb01") && rq.v6, "IPv6 client");
  spf_expand_test(&rq, "email.example.com", "%{ir}.%{v}._spf.%{d2}", 21, 0, out, sizeof out);
  CHECK_STR(out, "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6._spf.example.com", "IPv6 %{ir} (7.4)");
  spf_expand_test(&rq, "email.example.com", "%{c}", 4, 1, out, sizeof out);
  CHECK_STR(out, "2001:db8::cb01", "%{c} for IPv6");
  CHECK(spf_request_ip(&rq, "::ffff:192.0.2.9") && !rq.v6 && rq.ip[3] == 9, "::ffff:a.b.c.d is IPv4");
  CHECK(!spf_request_ip(&rq, "192.0.2"), "not an address");
  CHECK(!spf_request_ip(&rq, "2001:db8::g"), "not an address (v6)");
  {
    char longd[400];
    memset(longd, 'a', sizeof longd);
    for (i = 50; i < sizeof longd; i += 50) longd[i] = '.';
    memcpy(longd + sizeof longd - 4, ".com", 4);
    CHECK_INT(spf_expand_test(&rq, "d.example", longd, sizeof longd, 0, out, sizeof out) <= 253, 1, "expansion cut to 253 bytes");
    CHECK_INT(out[0] != '.', 1, "cut at a label");
  }

  CHECK(spfzone_parse(&z, zone, sizeof zone - 1, &line), "zone parses");
  for (i = 0; i < sizeof evs / sizeof evs[0]; ++i) {
    unsigned passes;
    memset(&rq, 0, sizeof rq);
    spf_request_ip(&rq, evs[i].ip);
    rq.sender = evs[i].sender;
    rq.helo = evs[i].helo;
    spf_cache_init(&c);
    spfzone_eval(&z, &rq, &c, &o, &passes);
    CHECK_STR(spf_result_name(o.result), spf_result_name(evs[i].want), evs[i].what);
    CHECK_STR(o.explanation, evs[i].exp, "explanation");
    CHECK_INT(passes, evs[i].passes, "passes (rounds of parallel questions + 1)");
    CHECK_INT(o.lookups, evs[i].lookups, "DNS terms counted");
  }
  /* the cache: full means temperror, never a guess */
  memset(&rq, 0, sizeof rq);
  spf_request_ip(&rq, "192.0.2.1");
  rq.sender = "a@example.com";
  spf_cache_init(&c);
  c.n = SPF_CACHE_MAX;
  CHECK_INT(spf_eval(&rq, &c, &o), SPF_TEMPERROR, "no room for a question: temperror");
  spf_cache_init(&c);
  CHECK_INT(spf_eval(&rq, &c, &o), SPF_NEED, "first pass needs the record");
  CHECK_INT(o.pending, 1, "one question pending");
  CHECK_STR(spf_entry_name(&c, &c.e[0]), "example.com", "the question's name");
  CHECK_INT(c.e[0].type, SPF_T_TXT, "the question's type");
  CHECK_INT(spf_eval(&rq, &c, &o), SPF_NEED, "same pass again: still pending, no new question");
  CHECK_INT(c.n, 1, "no duplicate question");
  packet_tests();
  return test_done();
}
