#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "dnsslots.h"
#include "test.h"

static void in_ms(struct taia *t, long ms)
{
  struct taia now, d;
  taia_now(&now);
  taia_uint(&d, 0);
  d.sec.x = (unsigned long long)(ms / 1000);
  d.nano = (unsigned long)(ms % 1000) * 1000000UL;
  taia_add(t, &now, &d);
}

static const char Q[] = "\003www\007example\003com";   /* wire form, with its 0 */
#define QLEN sizeof Q

/* a response: id 0x1234, flags, qdcount, the name, type, class */
static size_t packet(char *b, int id, int f1, int f2, int qd, const char *name, size_t nlen, int type, int class)
{
  size_t n = 0;
  b[n++] = (char)(id >> 8); b[n++] = (char)id;
  b[n++] = (char)f1; b[n++] = (char)f2;
  b[n++] = 0; b[n++] = (char)qd;
  memset(b + n, 0, 6); n += 6;
  memcpy(b + n, name, nlen); n += nlen;
  b[n++] = 0; b[n++] = (char)type;
  b[n++] = 0; b[n++] = (char)class;
  return n;
}

static const struct { const char *what; int id, f1, f2, qd, type, class; const char *name; size_t nlen; int want; } late[] = {
  { "the answer: believed", 0x1234, 0x81, 0x80, 1, 1, 1, Q, QLEN, 1 },
  { "NXDOMAIN is an answer too", 0x1234, 0x81, 0x83, 1, 1, 1, Q, QLEN, 1 },
  { "another transmission's id", 0x1235, 0x81, 0x80, 1, 1, 1, Q, QLEN, 0 },
  { "a query, not a response", 0x1234, 0x01, 0x00, 1, 1, 1, Q, QLEN, 0 },
  { "truncated: that one goes to TCP", 0x1234, 0x83, 0x80, 1, 1, 1, Q, QLEN, 0 },
  { "SERVFAIL: let another answer", 0x1234, 0x81, 0x82, 1, 1, 1, Q, QLEN, 0 },
  { "REFUSED likewise", 0x1234, 0x81, 0x85, 1, 1, 1, Q, QLEN, 0 },
  { "two questions", 0x1234, 0x81, 0x80, 2, 1, 1, Q, QLEN, 0 },
  { "another name", 0x1234, 0x81, 0x80, 1, 1, 1, "\003www\007example\003org", QLEN, 0 },
  { "the name in other case: the same name", 0x1234, 0x81, 0x80, 1, 1, 1, "\003WWW\007Example\003COM", QLEN, 1 },
  { "another type (TXT for A)", 0x1234, 0x81, 0x80, 1, 16, 1, Q, QLEN, 0 },
  { "another class (CH)", 0x1234, 0x81, 0x80, 1, 1, 3, Q, QLEN, 0 },
};

int main(void)
{
  struct dnsslot sl[3];
  int busy[3] = { -1, -1, -1 }, sv[2];
  struct pollfd fds[3 * DNSSLOT_FDS];
  struct taia deadline, past, now;
  char b[600];
  const char *pkt;
  unsigned len;
  size_t i, n;
  int ms;

  for (i = 0; i < sizeof late / sizeof late[0]; ++i) {
    n = packet(b, late[i].id, late[i].f1, late[i].f2, late[i].qd, late[i].name, late[i].nlen, late[i].type, late[i].class);
    CHECK_INT(dnsslots_late_answer("\x12\x34", Q, DNS_T_A, b, n), late[i].want, late[i].what);
  }
  n = packet(b, 0x1234, 0x81, 0x80, 1, Q, QLEN, 1, 1);
  CHECK_INT(dnsslots_late_answer("\x12\x34", Q, DNS_T_A, b, n - 1), 0, "cut short in the question: not an answer");
  CHECK_INT(dnsslots_late_answer("\x12\x34", Q, DNS_T_A, b, 11), 0, "shorter than a header");

  /* times far apart: a test descheduled for seconds on a loaded machine still
   * tells the deadline (60 s) from a retransmission (20 s) */
  memset(sl, 0, sizeof sl);
  in_ms(&deadline, 60000);
  ms = dnsslots_timeout_ms(sl, busy, 3, &deadline);
  CHECK(ms > 50000 && ms <= 60001, "nothing busy: the time to the deadline");
  CHECK_INT(dnsslots_pollfds(sl, busy, 3, &deadline, fds, 3), 0, "nothing busy: nothing to poll");
  CHECK(sl[0].at == -1 && sl[1].at == -1 && sl[2].at == -1, "and no slot has a pollfd");

  busy[1] = 4;
  sl[1].txon = 1;
  in_ms(&sl[1].tx.deadline, 20000);
  in_ms(&sl[0].tx.deadline, 5000);        /* a free slot's stale deadline counts for nothing */
  ms = dnsslots_timeout_ms(sl, busy, 3, &deadline);
  CHECK(ms > 10000 && ms <= 20001, "a busy slot's retransmission comes first");
  in_ms(&sl[1].tx.deadline, 120000);
  ms = dnsslots_timeout_ms(sl, busy, 3, &deadline);
  CHECK(ms > 50000 && ms <= 60001, "the overall deadline bounds a later retransmission");
  sl[1].txon = 0;
  in_ms(&sl[1].tx.deadline, 20000);
  ms = dnsslots_timeout_ms(sl, busy, 3, &deadline);
  CHECK(ms > 50000 && ms <= 60001, "a slot whose transmission is over has no retransmission to wait for");

  taia_uint(&past, 0);
  CHECK_INT(dnsslots_timeout_ms(sl, busy, 3, &past), 0, "a deadline gone by: 0");
  in_ms(&deadline, 3600 * 1000L);
  busy[1] = -1;
  CHECK_INT(dnsslots_timeout_ms(sl, busy, 3, &deadline), 600000, "an hour away: clamped to 10 minutes");

  /* pollfds: each running transmission, then each earlier socket still listening */
  busy[0] = busy[1] = busy[2] = 1;
  sl[0].txon = sl[1].txon = sl[2].txon = 1;
  sl[0].tx.s1 = 8; sl[1].tx.s1 = 9; sl[2].tx.s1 = 10;   /* dns_transmit_io polls s1 - 1 */
  sl[1].nold = 1; sl[1].oldfd[0] = 20;
  CHECK_INT(dnsslots_pollfds(sl, busy, 3, &deadline, fds, 2), 2, "no more pollfds than max");
  CHECK(sl[0].at == 0 && sl[1].at == 1 && sl[1].oldat[0] == -1 && sl[2].at == -1, "each slot knows its pollfd, those left over none");
  CHECK(fds[0].revents == 0 && fds[1].revents == 0, "revents cleared");
  busy[0] = -1;
  CHECK_INT(dnsslots_pollfds(sl, busy, 3, &deadline, fds, 3 * DNSSLOT_FDS), 3, "free slots are skipped, an earlier socket counts");
  CHECK(sl[0].at == -1 && sl[1].at == 0 && sl[1].oldat[0] == 1 && sl[2].at == 2, "the busy ones numbered from 0, the earlier socket after its slot's own");
  CHECK(fds[1].fd == 20 && fds[1].events == POLLIN, "an earlier socket is polled for reading");
  memset(sl, 0, sizeof sl);

  /* dnsslot_get on an earlier socket (a SOCK_SEQPACKET pair stands in for it: datagrams, and EOF when the peer goes) */
  if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == -1) { perror("socketpair"); return 2; }
  busy[0] = 1; busy[1] = busy[2] = -1;
  memcpy(sl[0].q, Q, QLEN);
  memcpy(sl[0].qtype, DNS_T_A, 2);
  sl[0].nold = 1; sl[0].oldfd[0] = sv[0]; memcpy(sl[0].oldid[0], "\x12\x34", 2);
  in_ms(&deadline, 60000);
  taia_now(&now);
  n = dnsslots_pollfds(sl, busy, 3, &deadline, fds, 3 * DNSSLOT_FDS);
  CHECK_INT(dnsslot_get(&sl[0], fds, n, &now, &pkt, &len), 0, "transmission over, an earlier one listening, nothing came: not yet");
  n = packet(b, 0x9999, 0x81, 0x80, 1, Q, QLEN, 1, 1);
  CHECK(write(sv[1], b, n) == (ssize_t)n, "a spoofed answer sent");
  n = dnsslots_pollfds(sl, busy, 3, &deadline, fds, 3 * DNSSLOT_FDS);
  fds[sl[0].oldat[0]].revents = POLLIN;
  CHECK_INT(dnsslot_get(&sl[0], fds, n, &now, &pkt, &len), 0, "an answer with another id is read and ignored");
  CHECK_INT(sl[0].nold, 1, "and the socket still listens");
  n = packet(b, 0x1234, 0x81, 0x80, 1, Q, QLEN, 1, 1);
  CHECK(write(sv[1], b, n) == (ssize_t)n, "the late answer sent");
  n = dnsslots_pollfds(sl, busy, 3, &deadline, fds, 3 * DNSSLOT_FDS);
  fds[sl[0].oldat[0]].revents = POLLIN;
  CHECK_INT(dnsslot_get(&sl[0], fds, n, &now, &pkt, &len), 1, "the late answer is the answer");
  CHECK(len == packet(b, 0x1234, 0x81, 0x80, 1, Q, QLEN, 1, 1) && !memcmp(pkt, b, len), "with its packet");
  close(sv[1]);
  n = dnsslots_pollfds(sl, busy, 3, &deadline, fds, 3 * DNSSLOT_FDS);
  fds[sl[0].oldat[0]].revents = POLLIN;
  CHECK_INT(dnsslot_get(&sl[0], fds, n, &now, &pkt, &len), -1, "its socket gone and no transmission left: failed");
  CHECK_INT(sl[0].nold, 0, "and the socket closed");
  dnsslot_free(&sl[0]);

  fds[0].fd = -1; fds[0].events = POLLIN; fds[0].revents = POLLIN;
  dnsslots_poll(fds, 1, 0);
  CHECK_INT(fds[0].revents, 0, "poll: a negative fd is never readable");
  return test_done();
}
