#include <string.h>
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

int main(void)
{
  struct dns_transmit tx[3];
  int busy[3] = { -1, -1, -1 }, fd[3] = { 7, 7, 7 };
  struct pollfd fds[3];
  struct taia deadline, past;
  int ms;

  /* times far apart: a test descheduled for seconds on a loaded machine still
   * tells the deadline (60 s) from a retransmission (20 s) */
  memset(tx, 0, sizeof tx);
  in_ms(&deadline, 60000);
  ms = dnsslots_timeout_ms(tx, busy, 3, &deadline);
  CHECK(ms > 50000 && ms <= 60001, "nothing busy: the time to the deadline");
  CHECK_INT(dnsslots_pollfds(tx, busy, fd, 3, &deadline, fds, 3), 0, "nothing busy: nothing to poll");
  CHECK(fd[0] == -1 && fd[1] == -1 && fd[2] == -1, "and no slot has a pollfd");

  busy[1] = 4;
  in_ms(&tx[1].deadline, 20000);
  in_ms(&tx[0].deadline, 5000);        /* a free slot's stale deadline counts for nothing */
  ms = dnsslots_timeout_ms(tx, busy, 3, &deadline);
  CHECK(ms > 10000 && ms <= 20001, "a busy slot's retransmission comes first");
  in_ms(&tx[1].deadline, 120000);
  ms = dnsslots_timeout_ms(tx, busy, 3, &deadline);
  CHECK(ms > 50000 && ms <= 60001, "the overall deadline bounds a later retransmission");

  taia_uint(&past, 0);
  CHECK_INT(dnsslots_timeout_ms(tx, busy, 3, &past), 0, "a deadline gone by: 0");
  in_ms(&deadline, 3600 * 1000L);
  busy[1] = -1;
  CHECK_INT(dnsslots_timeout_ms(tx, busy, 3, &deadline), 600000, "an hour away: clamped to 10 minutes");

  busy[0] = busy[1] = busy[2] = 1;
  CHECK_INT(dnsslots_pollfds(tx, busy, fd, 3, &deadline, fds, 2), 2, "no more pollfds than max");
  CHECK(fd[0] == 0 && fd[1] == 1 && fd[2] == -1, "each slot knows its pollfd, the one left over none");
  CHECK(fds[0].revents == 0 && fds[1].revents == 0, "revents cleared");
  busy[0] = -1;
  CHECK_INT(dnsslots_pollfds(tx, busy, fd, 3, &deadline, fds, 3), 2, "free slots are skipped");
  CHECK(fd[0] == -1 && fd[1] == 0 && fd[2] == 1, "the busy ones numbered from 0");

  fds[0].fd = -1; fds[0].events = POLLIN; fds[0].revents = POLLIN;
  dnsslots_poll(fds, 1, 0);
  CHECK_INT(fds[0].revents, 0, "poll: a negative fd is never readable");
  return test_done();
}
