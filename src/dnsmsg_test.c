#include <string.h>
#include "dnsmsg.h"
#include "test.h"

static unsigned char pkt[2048];
static size_t len;

/* header with qdcount 1 and ancount an, question 2.0.0.127.bl.test type t */
static void start(unsigned an, unsigned rcode, unsigned t)
{
  static const unsigned char q[] = "\0012\0010\0010\003127\002bl\004test";
  memset(pkt, 0, 12);
  pkt[0] = 0x12; pkt[1] = 0x34; pkt[2] = 0x81; pkt[3] = (unsigned char)(0x80 | rcode);
  pkt[5] = 1; pkt[7] = (unsigned char)an;
  len = 12;
  memcpy(pkt + len, q, sizeof q); len += sizeof q;     /* includes the final 0 label */
  pkt[len++] = 0; pkt[len++] = (unsigned char)t; pkt[len++] = 0; pkt[len++] = 1;
}

static void rr(unsigned type, const void *rdata, unsigned rdlen)
{
  pkt[len++] = 0xc0; pkt[len++] = 12;
  pkt[len++] = 0; pkt[len++] = (unsigned char)type; pkt[len++] = 0; pkt[len++] = 1;
  memset(pkt + len, 0, 4); len += 4;
  pkt[len++] = (unsigned char)(rdlen >> 8); pkt[len++] = (unsigned char)rdlen;
  memcpy(pkt + len, rdata, rdlen); len += rdlen;
}

int main(void)
{
  struct dnsmsg m;
  size_t i;
  unsigned char big[600];

  start(0, 3, 16);
  CHECK_INT(dnsmsg_parse(pkt, len, &m), 0, "NXDOMAIN parses");
  CHECK(m.rcode == 3 && !m.na && !m.txttotal, "rcode 3, nothing");

  start(2, 0, 1);
  rr(1, "\x7f\0\0\x02", 4);
  rr(1, "\x7f\0\0\x0a", 4);
  CHECK_INT(dnsmsg_parse(pkt, len, &m), 0, "two A records");
  CHECK(m.na == 2 && m.a[1][3] == 10, "both kept");

  start(3, 0, 16);
  rr(16, "\x05hello\x01 \x05world", 14);
  rr(5, "\0", 1);                              /* a CNAME-ish record is skipped */
  rr(16, "\x00\x02!!", 4);
  CHECK_INT(dnsmsg_parse(pkt, len, &m), 0, "TXT records");
  CHECK(m.txttotal == 13 && !memcmp(m.txt, "hello world!!", 13), "strings concatenated across records");

  start(1, 0, 16);
  rr(16, "\x09" "abc", 4);                     /* string longer than its rdata: bytes up to rdata end */
  CHECK_INT(dnsmsg_parse(pkt, len, &m), 0, "overlong string inside rdata");
  CHECK_INT(m.txttotal, 3, "like djbdns: what is there");

  start(1, 0, 16);
  rr(16, "\x03" "abc", 4);
  CHECK_INT(dnsmsg_parse(pkt, len - 1, &m), -1, "rdata past the end: malformed");
  CHECK_INT(dnsmsg_parse(pkt, 11, &m), -1, "short header");
  pkt[5] = 2;
  CHECK_INT(dnsmsg_parse(pkt, len, &m), -1, "two questions");
  start(5, 0, 16);
  rr(16, "\x01x", 2);
  CHECK_INT(dnsmsg_parse(pkt, len, &m), -1, "more answers announced than present");

  start(1, 0, 1);
  pkt[len] = 0xc0; pkt[len + 1] = (unsigned char)len; len += 2;  /* pointer to itself: never followed */
  memcpy(pkt + len, "\0\1\0\1\0\0\0\0\0\4\x7f\0\0\2", 14); len += 14;
  CHECK_INT(dnsmsg_parse(pkt, len, &m), 0, "compression loop is not followed");
  CHECK_INT(m.na, 1, "record after it read");

  start(1, 0, 1);
  pkt[len++] = 0x50;                           /* label type 01: invalid */
  CHECK_INT(dnsmsg_parse(pkt, len, &m), -1, "bad label type");
  start(1, 0, 1);
  pkt[len++] = 63;                             /* label running past the end */
  CHECK_INT(dnsmsg_parse(pkt, len, &m), -1, "label past the end");

  start(3, 0, 16);
  for (i = 0; i < sizeof big; ++i) big[i] = (unsigned char)(i % 255 ? 'a' : 254);
  rr(16, big, 600);
  rr(16, big, 600);
  rr(16, big, 600);
  CHECK_INT(dnsmsg_parse(pkt, len, &m), 0, "huge TXT");
  CHECK(m.txtlen == DNSMSG_TXT_MAX && m.txttotal > DNSMSG_TXT_MAX, "kept bounded, total counted");

  start(40, 0, 1);
  for (i = 0; i < 40; ++i) rr(1, "\x7f\0\0\x02", 4);
  CHECK_INT(dnsmsg_parse(pkt, len, &m), 0, "many A records");
  CHECK(m.na == DNSMSG_A_MAX && m.natotal == 40, "kept bounded, total counted");

  start(1, 0, 1);
  rr(1, "\x7f\0\0", 3);
  CHECK_INT(dnsmsg_parse(pkt, len, &m), 0, "A with 3-byte rdata");
  CHECK_INT(m.na, 0, "ignored");
  return test_done();
}
