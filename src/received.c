#include <string.h>
#include "received.h"

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
static int space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static int prefix_ci(const char *s, size_t len, const char *p)
{
  size_t n = strlen(p), i;
  if (len < n) return 0;
  for (i = 0; i < n; ++i) if (lower((unsigned char)s[i]) != lower((unsigned char)p[i])) return 0;
  return 1;
}

/* An address text, possibly "IPv6:..." (RFC 5321 literal) or with a zone. */
static int addr_text(const char *s, size_t len, struct iprange_addr *a)
{
  if (prefix_ci(s, len, "ipv6:")) { s += 5; len -= 5; }
  return iprange_addr_parse(s, len, a);
}

/* Is the byte at s[i] right after "helo=" or "HELO " (a name the client chose)? */
static int after_helo(const char *s, size_t i)
{
  return i >= 5 && (prefix_ci(s + i - 5, 5, "helo=") || prefix_ci(s + i - 5, 5, "helo "));
}

/* The first [address] at the group's own level (not in nested groups, not a HELO). */
static int bracket_in_group(const char *g, size_t len, struct iprange_addr *a)
{
  size_t i, depth = 0;
  if (prefix_ci(g, len, "helo ") || prefix_ci(g, len, "helo=")) return 0;   /* qmail (HELO x), Exim (helo=x) */
  for (i = 0; i < len; ++i) {
    if (g[i] == '(') ++depth;
    else if (g[i] == ')' && depth) --depth;
    else if (g[i] == '[' && !depth && !after_helo(g, i)) {
      const char *end = memchr(g + i, ']', len - i);
      if (end && addr_text(g + i + 1, (size_t)(end - g) - i - 1, a)) return 1;
    }
  }
  return 0;
}

/* A group that is nothing but an address: qmail's (192.0.2.7), (user@192.0.2.7),
 * (user@example.com@192.0.2.7) of SMTP AUTH patches, Microsoft's (2001:db8::7). */
static int bare_group(const char *g, size_t len, struct iprange_addr *a)
{
  const char *at = memrchr(g, '@', len);
  if (at) { len -= (size_t)(at + 1 - g); g = at + 1; }
  if (len >= 2 && g[0] == '[' && g[len - 1] == ']') { ++g; len -= 2; }
  return addr_text(g, len, a);
}

static void keep_name(char *out, const char *s, size_t len)
{
  size_t i, n = 0;
  for (i = 0; i < len && n < RECEIVED_NAME_MAX; ++i) {
    char c = s[i];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']';
    out[n++] = ok ? c : '?';
  }
  out[n] = 0;
}

#define MAX_GROUPS 8

/* The word after " with " outside parentheses, after the from clause. */
static size_t with_word(const char *b, size_t n, size_t i, const char **w)
{
  size_t depth = 0, k;
  for (; i < n; ++i) {
    if (b[i] == '(') ++depth;
    else if (b[i] == ')' && depth) --depth;
    else if (!depth && b[i] == ' ' && prefix_ci(b + i, n - i, " with ")) {
      i += 6;
      for (k = i; k < n && b[k] != ' ' && b[k] != ';' && b[k] != '('; ++k) {}
      *w = b + i;
      return k - i;
    }
  }
  return 0;
}

/* A qmail-queue filter (qmail-scanner) hands over inside one host, whatever
 * its from clause says. */
static int local_always(const char *w, size_t len) { return prefix_ci(w, len, "qmail-scanner"); }

/* Exchange's mailbox server taking a message from its own user (MAPI). */
static int account_always(const char *w, size_t len) { return len == 4 && prefix_ci(w, len, "mapi"); }

/* Local delivery protocols: Exim's local*, LMTP (Cyrus, Dovecot, amavis):
 * a hand-over when no client is named. */
static int local_protocol(const char *w, size_t len) { return prefix_ci(w, len, "local") || prefix_ci(w, len, "lmtp"); }

/* Web and API submission (Gmail's HTTPREST): an account's, when no client is named. */
static int account_protocol(const char *w, size_t len) { return prefix_ci(w, len, "http"); }

/* Is every group of the from clause a unix socket: Cyrus's ([unix socket])? */
static int only_unix_sockets(const char *b, const size_t *gstart, const size_t *glen, size_t ngroups)
{
  size_t i;
  for (i = 0; i < ngroups; ++i) {
    const char *g = b + gstart[i];
    size_t n = glen[i];
    if (n >= 2 && g[0] == '[' && g[n - 1] == ']') { ++g; n -= 2; }
    if (n != 11 || !prefix_ci(g, n, "unix socket")) return 0;
  }
  return 1;
}

enum received_kind received_parse(const char *value, size_t len, struct received_hop *h)
{
  char buf[RECEIVED_VALUE_MAX];
  size_t n = 0, i, depth = 0, word_start, word_end, ngroups = 0;
  size_t gstart[MAX_GROUPS], glen[MAX_GROUPS], wlen, clause_end;
  const char *w = 0;
  int local_hint, bracket_word;

  memset(&h->ip, 0, sizeof h->ip);
  h->kind = RECEIVED_LOCAL;
  h->from[0] = 0;
  /* unfold: every run of whitespace becomes one space */
  for (i = 0; i < len && n < sizeof buf; ++i) {
    if (space(value[i])) { if (n && buf[n - 1] != ' ') buf[n++] = ' '; }
    else buf[n++] = value[i];
  }
  while (n && buf[n - 1] == ' ') --n;
  i = 0;
  if (n && buf[0] == ' ') i = 1;
  local_hint = memmem(buf, n, " with local", 11) != 0 || memmem(buf, n, "invoked by", 10) != 0;
  if (!prefix_ci(buf + i, n - i, "from ")) return h->kind = RECEIVED_LOCAL;

  i += 5;
  word_start = i;
  while (i < n && buf[i] != ' ' && buf[i] != '(' && buf[i] != ';') ++i;
  word_end = i;
  keep_name(h->from, buf + word_start, word_end - word_start);
  bracket_word = memchr(buf + word_start, '[', word_end - word_start) != 0;

  /* the from clause ends at " by " or ';' outside parentheses */
  for (; i < n; ++i) {
    char c = buf[i];
    if (c == '(') {
      if (depth == 0 && ngroups < MAX_GROUPS) gstart[ngroups] = i + 1;
      ++depth;
    } else if (c == ')' && depth) {
      if (--depth == 0 && ngroups < MAX_GROUPS) { glen[ngroups] = i - gstart[ngroups]; ++ngroups; }
    } else if (depth == 0 && (c == ';' || (c == ' ' && prefix_ci(buf + i, n - i, " by ")))) {
      break;
    } else if (depth == 0 && c == '[') {
      bracket_word = 1;
    }
  }
  clause_end = i;
  wlen = with_word(buf, n, clause_end, &w);
  if (wlen && local_always(w, wlen)) return h->kind = RECEIVED_LOCAL;
  if (wlen && account_always(w, wlen)) return h->kind = RECEIVED_ACCOUNT;

  /* Postfix, Sendmail, Exim with rDNS: [address] in the first group */
  if (ngroups && bracket_in_group(buf + gstart[0], glen[0], &h->ip)) return h->kind = RECEIVED_CLIENT;
  /* qmail, Microsoft: the last group that is only an address */
  for (i = ngroups; i-- > 0;)
    if (bare_group(buf + gstart[i], glen[i], &h->ip)) return h->kind = RECEIVED_CLIENT;
  /* Exim without rDNS: from [address] (helo=x) */
  if (word_end - word_start >= 2 && buf[word_start] == '[' && buf[word_end - 1] == ']' &&
      addr_text(buf + word_start + 1, word_end - word_start - 2, &h->ip))
    return h->kind = RECEIVED_CLIENT;
  /* fetchmail: from pop.example.net [192.0.2.7] by localhost with POP3 */
  if (word_end + 1 < clause_end && buf[word_end] == ' ' && buf[word_end + 1] == '[' && buf[clause_end - 1] == ']' &&
      addr_text(buf + word_end + 2, clause_end - word_end - 3, &h->ip))
    return h->kind = RECEIVED_CLIENT;
  /* no client named, and the receiving host says it was a hand-over inside itself */
  if (!bracket_word) {
    if (ngroups && only_unix_sockets(buf, gstart, glen, ngroups)) return h->kind = RECEIVED_LOCAL;   /* Cyrus */
    if (!ngroups && wlen && local_protocol(w, wlen)) return h->kind = RECEIVED_LOCAL;   /* Dovecot LMTP, Exim */
    if (!ngroups && wlen && account_protocol(w, wlen)) return h->kind = RECEIVED_ACCOUNT;   /* Gmail API */
  }
  if (local_hint && !ngroups) return h->kind = RECEIVED_LOCAL;   /* Exim: from user by host with local */
  return h->kind = RECEIVED_UNREADABLE;
}

static int is_loopback(const struct iprange_addr *a)
{
  static const unsigned char one[16] = { 0,0,0,0, 0,0,0,0, 0,0,0,0, 0,0,0,1 };
  return a->v6 ? !memcmp(a->b, one, 16) : a->b[0] == 127;
}

enum received_walk received_origin(const char *msg, size_t len, const struct netlist *trusted,
                                   struct received_hop *h, unsigned *hop)
{
  size_t off = 0;
  unsigned hops = 0;

  *hop = 0;
  if (len >= 5 && !memcmp(msg, "From ", 5)) {   /* mbox separator */
    const char *nl = memchr(msg, '\n', len);
    off = nl ? (size_t)(nl - msg) + 1 : len;
  }
  while (off < len && hops < RECEIVED_MAX_HOPS) {
    size_t start = off, end;
    /* one header field: its first line and every continuation line */
    for (;;) {
      const char *nl = memchr(msg + off, '\n', len - off);
      off = nl ? (size_t)(nl - msg) + 1 : len;
      if (off >= len || (msg[off] != ' ' && msg[off] != '\t')) break;
    }
    end = off;
    if (end - start <= 2 && (msg[start] == '\n' || (msg[start] == '\r' && end - start == 2))) break;  /* body */
    if (!prefix_ci(msg + start, end - start, "received:")) continue;
    ++hops;
    switch (received_parse(msg + start + 9, end - start - 9, h)) {
    case RECEIVED_LOCAL: continue;
    case RECEIVED_UNREADABLE: *hop = hops; return RECEIVED_STOPPED;
    case RECEIVED_ACCOUNT: *hop = hops; return RECEIVED_SUBMITTED;
    case RECEIVED_CLIENT:
      if (is_loopback(&h->ip) || (trusted && netlist_contains(trusted, &h->ip))) continue;
      *hop = hops;
      return RECEIVED_FOUND;
    }
  }
  return RECEIVED_ALL_TRUSTED;
}
