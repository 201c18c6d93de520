/* addr.h — SMTP mailbox handling shared by cdbmake-rules and rcptfilter.
 *
 * addr_parse() takes the argument of MAIL FROM: / RCPT TO: (what follows the
 * colon, e.g. "<Joe@Example.COM> SIZE=123" or " <>" or "<@a,@b:u@d>") and
 * yields the canonical mailbox: "local@domain" lowercased (local part and
 * domain alike: matching is case-insensitive), source route dropped, quotes
 * and backslash escapes removed wherever they are (as qmail-smtpd reads an
 * address: the rules judge the mailbox the server delivers to), trailing dot
 * of the domain dropped; a quoted or escaped '@' that would move the split
 * is refused; IP
 * literals ("u@[192.0.2.1]") kept as they are; the null sender "<>" gives the
 * empty string. Addresses longer than ADDR_MAX are refused. */
#ifndef ADDR_H
#define ADDR_H
#include <stddef.h>

#define ADDR_MAX 320

enum addr_result {
  ADDR_OK = 0,        /* out holds the canonical address (possibly empty for <>) */
  ADDR_SYNTAX,        /* not a mailbox we can read: the caller answers 501 or forwards untouched */
  ADDR_TOO_LONG       /* over ADDR_MAX */
};

/* arg: the bytes after "MAIL FROM:" / "RCPT TO:" up to (not including) CRLF.
 * out must have room for ADDR_MAX + 1 bytes; *outlen gets the length. */
enum addr_result addr_parse(const char *arg, size_t len, char *out, size_t *outlen);

/* Position of '@' in a canonical address, or len when there is none. */
size_t addr_at(const char *a, size_t len);
#endif
