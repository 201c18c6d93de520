#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "dnsslots.h"

static void unpolled(struct dnsslot *s)
{
  size_t k;
  s->at = -1;
  for (k = 0; k < DNSSLOT_OLD; ++k) s->oldat[k] = -1;
}

int dnsslot_start(struct dnsslot *s, const char *servers, const char *q, const char qtype[2])
{
  static const char localip[16];
  size_t len = dns_domain_length(q);
  memset(s, 0, sizeof *s);
  unpolled(s);
  if (len > sizeof s->q) return -1;
  memcpy(s->q, q, len);
  memcpy(s->qtype, qtype, 2);
  if (dns_transmit_start(&s->tx, servers, 1, q, qtype, localip) == -1) return -1;
  s->txon = 1;
  return 0;
}

static void drop_old(struct dnsslot *s, size_t k)
{
  close(s->oldfd[k]);
  --s->nold;
  s->oldfd[k] = s->oldfd[s->nold];
  memcpy(s->oldid[k], s->oldid[s->nold], 2);
  s->oldat[k] = s->oldat[s->nold];
}

void dnsslot_free(struct dnsslot *s)
{
  if (s->txon) dns_transmit_free(&s->tx);
  s->txon = 0;
  while (s->nold) drop_old(s, s->nold - 1);
}

size_t dnsslot_pollfds(struct dnsslot *s, struct pollfd *fds, size_t n, size_t max, struct taia *stamp)
{
  size_t k;
  unpolled(s);
  if (s->txon && n < max) {
    s->at = (int)n;
    dns_transmit_io(&s->tx, &fds[n], stamp);
    fds[n++].revents = 0;
  }
  for (k = 0; k < s->nold && n < max; ++k) {
    s->oldat[k] = (int)n;
    fds[n].fd = s->oldfd[k];
    fds[n].events = POLLIN;
    fds[n++].revents = 0;
  }
  return n;
}

size_t dnsslots_pollfds(struct dnsslot *sl, const int *busy, size_t slots,
                        const struct taia *deadline, struct pollfd *fds, size_t max)
{
  size_t s, n = 0;
  struct taia stamp = *deadline;
  for (s = 0; s < slots; ++s)
    if (busy[s] == -1) unpolled(&sl[s]);
    else n = dnsslot_pollfds(&sl[s], fds, n, max, &stamp);
  return n;
}

int dnsslots_timeout_ms(const struct dnsslot *sl, const int *busy, size_t slots,
                        const struct taia *deadline)
{
  struct taia now, stamp = *deadline, diff;
  size_t s;
  double ms;
  for (s = 0; s < slots; ++s)
    if (busy[s] != -1 && sl[s].txon && taia_less(&sl[s].tx.deadline, &stamp)) stamp = sl[s].tx.deadline;
  taia_now(&now);
  if (!taia_less(&now, &stamp)) return 0;
  taia_sub(&diff, &stamp, &now);
  ms = taia_approx(&diff) * 1000.0 + 1;
  return ms > 600000 ? 600000 : (int)ms;
}

int dnsslots_late_answer(const char id[2], const char *q, const char qtype[2], const char *buf, size_t len)
{
  char hdr[12], qt[4];
  char *dn = 0;
  unsigned pos;
  int same;

  pos = dns_packet_copy(buf, (unsigned)len, 0, hdr, 12);
  if (!pos || memcmp(hdr, id, 2) || !(hdr[2] & 0x80) || hdr[4] || hdr[5] != 1) return 0;
  if (hdr[2] & 2) return 0;                                  /* truncated: the running transmit goes to TCP */
  if ((hdr[3] & 15) && (hdr[3] & 15) != 3) return 0;          /* SERVFAIL, REFUSED: let the others answer */
  pos = dns_packet_getname(buf, (unsigned)len, pos, &dn);
  if (!pos) return 0;
  same = dns_domain_equal(dn, q);
  free(dn);
  if (!same) return 0;
  pos = dns_packet_copy(buf, (unsigned)len, pos, qt, 4);
  return pos && !memcmp(qt, qtype, 2) && !memcmp(qt + 2, DNS_C_IN, 2);
}

int dnsslot_get(struct dnsslot *s, struct pollfd *fds, size_t n, const struct taia *now,
                const char **pkt, unsigned *len)
{
  struct pollfd none = { -1, 0, 0 }, *pf;
  size_t k;
  int r;
  for (k = 0; k < s->nold; ++k) {
    ssize_t got;
    int i = s->oldat[k];
    if (i < 0 || (size_t)i >= n || !fds[i].revents) continue;
    got = recv(s->oldfd[k], s->late, sizeof s->late, MSG_DONTWAIT);
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (got > 0 && (size_t)got < sizeof s->late
        && dnsslots_late_answer(s->oldid[k], s->q, s->qtype, s->late, (size_t)got)) {
      *pkt = s->late;
      *len = (unsigned)got;
      return 1;
    }
    if (got <= 0) { drop_old(s, k); --k; }   /* refused or gone: that transmission is over */
  }
  if (!s->txon) return s->nold ? 0 : -1;
  pf = s->at >= 0 && (size_t)s->at < n ? &fds[s->at] : &none;
  /* about to retransmit, which closes this socket: keep it open and listening */
  if (!pf->revents && !s->tx.tcpstate && s->tx.s1 && !taia_less(now, &s->tx.deadline) && s->nold < DNSSLOT_OLD) {
    s->oldfd[s->nold] = s->tx.s1 - 1;
    memcpy(s->oldid[s->nold], s->tx.query + 2, 2);
    s->oldat[s->nold] = -1;
    ++s->nold;
    s->tx.s1 = 0;
  }
  r = dns_transmit_get(&s->tx, pf, now);
  if (r == -1) { s->txon = 0; return s->nold ? 0 : -1; }   /* dns_transmit freed itself */
  if (r == 1) { *pkt = s->tx.packet; *len = s->tx.packetlen; return 1; }
  return 0;
}

void dnsslots_poll(struct pollfd *fds, size_t n, int ms)
{
  size_t i;
  if (poll(fds, (nfds_t)n, ms) < 0)
    for (i = 0; i < n; ++i) fds[i].revents = 0;
}
