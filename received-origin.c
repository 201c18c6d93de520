/* received-origin — the first untrusted client in a message's Received:
 * headers, and a ready line for the private blocklist. man/received-origin.8. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "atomicfile.h"
#include "blocklist.h"
#include "die.h"
#include "fdio.h"
#include "iprange.h"
#include "netlist.h"
#include "num.h"
#include "received.h"

#define PROG "received-origin"
#define USAGE "received-origin [-t network]... [-f file]... [-e hours] [-n now] < message"
#define MESSAGE_MAX (64u << 20)

int main(int argc, char **argv)
{
  struct netlist trusted = { 0, 0, 0 };
  struct received_hop h;
  struct outbuf o = { 0, 0, 0, 0 };
  unsigned long hours = 0, now = (unsigned long)time(0);
  char ip[IPRANGE_FMT_MAX], err[512], *msg;
  size_t len;
  unsigned hop;
  int opt;

  while ((opt = getopt(argc, argv, "t:f:e:n:")) != -1) {
    const char *why;
    switch (opt) {
    case 't':
      if ((why = netlist_add(&trusted, optarg, strlen(optarg)))) {
        struct outbuf m = { 0, 0, 0, 0 };
        outbuf_puts(&m, "bad -t ");
        outbuf_puts(&m, optarg);
        outbuf_puts(&m, ": ");
        outbuf_puts(&m, why);
        die_msg(EXIT_PERM, PROG, m.failed ? why : m.s);
      }
      break;
    case 'f':
      switch (netlist_load(&trusted, optarg, err, sizeof err)) {
      case 0: break;
      case 1: die_msg(EXIT_PERM, PROG, err);
      default: die_sys(EXIT_TEMP, PROG, "read trusted networks file");
      }
      break;
    case 'e': if (!num_ulong(optarg, 24UL * 366 * 100, &hours)) die_usage(PROG, USAGE); break;
    case 'n': if (!num_ulong(optarg, 253402300799UL, &now)) die_usage(PROG, USAGE); break;
    default: die_usage(PROG, USAGE);
    }
  }
  if (optind != argc) die_usage(PROG, USAGE);
  if (atomicfile_read_fd(0, MESSAGE_MAX, &msg, &len) < 0) die_sys(EXIT_TEMP, PROG, "read message");

  switch (received_origin(msg, len, &trusted, &h, &hop)) {
  case RECEIVED_ALL_TRUSTED: die_msg(EXIT_PERM, PROG, "no untrusted client in the Received: headers");
  case RECEIVED_SUBMITTED:
  case RECEIVED_STOPPED: {
    char num[12];
    size_t i = sizeof num - 1;
    num[i] = 0;
    do { num[--i] = (char)('0' + hop % 10); hop /= 10; } while (hop && i);
    outbuf_puts(&o, h.kind == RECEIVED_ACCOUNT ? "Received: header number " : "unreadable Received: header number ");
    outbuf_puts(&o, num + i);
    outbuf_puts(&o, " (from ");
    outbuf_puts(&o, h.from);
    outbuf_puts(&o, h.kind == RECEIVED_ACCOUNT ? ") is a submission by an account of a trusted host, not a client: nothing to list, nothing below it believed"
                                               : "); nothing below it can be believed");
    die_msg(EXIT_PERM, PROG, o.failed ? "unreadable Received: header" : o.s);
  }
  case RECEIVED_FOUND: break;
  }

  iprange_addr_fmt(ip, &h.ip);
  outbuf_puts(&o, ip);
  outbuf_puts(&o, "\n");
  outbuf_puts(&o, ip);
  if (hours) {
    char t[BLOCKLIST_TIME_MAX];
    blocklist_time_fmt(t, (long long)now + (long long)hours * 3600);
    outbuf_puts(&o, " expires=");
    outbuf_puts(&o, t);
  }
  outbuf_puts(&o, " spam from ");
  outbuf_puts(&o, h.from[0] ? h.from : "?");
  outbuf_puts(&o, " (Received: header ");
  outbuf_putulong(&o, hop);
  outbuf_puts(&o, ")\n");
  if (o.failed) die_nomem(PROG);
  if (fdio_write_all(1, o.s, o.len) < 0) die_sys(EXIT_TEMP, PROG, "write output");
  outbuf_free(&o);
  free(msg);
  netlist_free(&trusted);
  return 0;
}
