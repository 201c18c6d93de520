/* received.h — reading Received: headers to find where a message came from.
 *
 * Each Received: header is written by the host that got the message and names
 * the client that handed it over. Walking from the top (the newest hop, written
 * by our own MX), each hop whose client is one of ours was written by a host
 * we trust; the first client that is not ours is the origin. Everything below
 * that hop was written by the sender and is not believed.
 *
 * Formats read (the client's address is the one the receiving MTA saw):
 *   qmail     from host (HELO helo) (192.0.2.7)   from host (HELO helo) (user@192.0.2.7)
 *   Postfix   from helo (rdns [192.0.2.7])        from helo (unknown [IPv6:2001:db8::7])
 *   Sendmail  from helo (rdns [192.0.2.7] (may be forged))   from helo ([192.0.2.7])
 *   Exim      from rdns ([192.0.2.7]:port helo=x)  from [192.0.2.7] (helo=x)   from [192.0.2.7] (port=1 helo=x)
 *   Microsoft from helo (2001:db8::7)
 *   fetchmail from server [192.0.2.7] by localhost with IMAP
 * Hand-overs inside one host name no client and are RECEIVED_LOCAL: qmail's
 * (qmail 1 invoked ...), "with qmail-scanner-*" always; Cyrus's
 * from host ([unix socket]); a from clause of bare words (no group, no
 * brackets) "with" local* or LMTP* (Exim local, Dovecot LMTP). Submissions
 * by an account of the host are RECEIVED_ACCOUNT: "with mapi" always, a
 * from clause of bare words "with" HTTP* (the Gmail API). Any other hop
 * without a readable address is UNREADABLE.
 * A HELO name is never taken for the address, even when it looks like one. */
#ifndef RECEIVED_H
#define RECEIVED_H
#include <stddef.h>
#include "iprange.h"
#include "netlist.h"

#define RECEIVED_VALUE_MAX 8192     /* longer header values are cut */
#define RECEIVED_MAX_HOPS 200       /* Received: headers looked at */
#define RECEIVED_NAME_MAX 100

enum received_kind {
  RECEIVED_UNREADABLE = -1,  /* a "from" clause without an address we can read */
  RECEIVED_LOCAL = 0,        /* no network client: qmail-queue, a filter, local delivery */
  RECEIVED_CLIENT = 1,       /* ip holds the client's address */
  RECEIVED_ACCOUNT = 2       /* written for an account of the host itself, no client:
                                Exchange MAPI, the Gmail API; what is below, that
                                account wrote (anyone with an account may forge it) */
};

struct received_hop {
  enum received_kind kind;
  struct iprange_addr ip;
  char from[RECEIVED_NAME_MAX + 1];   /* first word of the from clause, sanitized */
};

/* One header value (after "Received:"), folded or not. */
enum received_kind received_parse(const char *value, size_t len, struct received_hop *h);

enum received_walk {
  RECEIVED_FOUND,            /* *h is the first untrusted client, *hop its 1-based Received: index */
  RECEIVED_ALL_TRUSTED,      /* every hop was ours (or there was none) */
  RECEIVED_STOPPED,          /* hop *hop was unreadable: nothing below it can be believed */
  RECEIVED_SUBMITTED         /* hop *hop is an account's submission on a trusted host
                                (RECEIVED_ACCOUNT): no client to blame, nothing below believed */
};

/* Walk the header section of msg (an mbox "From " line first is skipped). */
enum received_walk received_origin(const char *msg, size_t len, const struct netlist *trusted,
                                   struct received_hop *h, unsigned *hop);
#endif
