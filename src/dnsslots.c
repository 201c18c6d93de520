#include "dnsslots.h"

size_t dnsslots_pollfds(struct dns_transmit *tx, const int *busy, int *fd, size_t slots,
                        const struct taia *deadline, struct pollfd *fds, size_t max)
{
  size_t s, n = 0;
  struct taia stamp = *deadline;
  for (s = 0; s < slots; ++s) {
    fd[s] = -1;
    if (busy[s] == -1 || n == max) continue;
    fd[s] = (int)n;
    dns_transmit_io(&tx[s], &fds[n], &stamp);
    fds[n].revents = 0;
    ++n;
  }
  return n;
}

int dnsslots_timeout_ms(const struct dns_transmit *tx, const int *busy, size_t slots,
                        const struct taia *deadline)
{
  struct taia now, stamp = *deadline, diff;
  size_t s;
  double ms;
  for (s = 0; s < slots; ++s)
    if (busy[s] != -1 && taia_less(&tx[s].deadline, &stamp)) stamp = tx[s].deadline;
  taia_now(&now);
  if (!taia_less(&now, &stamp)) return 0;
  taia_sub(&diff, &stamp, &now);
  ms = taia_approx(&diff) * 1000.0 + 1;
  return ms > 600000 ? 600000 : (int)ms;
}

int dnsslots_get(struct dns_transmit *tx, int fd, struct pollfd *fds, size_t n, const struct taia *now)
{
  struct pollfd none = { -1, 0, 0 };
  return dns_transmit_get(tx, fd >= 0 && (size_t)fd < n ? &fds[fd] : &none, now);
}

void dnsslots_poll(struct pollfd *fds, size_t n, int ms)
{
  size_t i;
  if (poll(fds, (nfds_t)n, ms) < 0)
    for (i = 0; i < n; ++i) fds[i].revents = 0;
}
