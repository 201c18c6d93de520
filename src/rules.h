/* rules.h — per-mailbox sender rules: the compiled form (a tinycdb file
 * written by cdbmake-rules) and the matcher rcptfilter asks at RCPT time.
 * Precedence and syntax: SPEC "Rules file"; man/cdbmake-rules.8. */
#ifndef RULES_H
#define RULES_H
#include <stddef.h>

enum rules_action {
  RULES_PASS = 0,     /* no rule matched: forward to the backend */
  RULES_ALLOW,        /* an allow rule matched: forward */
  RULES_DENY,         /* answer the RCPT with msg */
  RULES_TRAP          /* like DENY, and log action=trap */
};

#define RULES_MSG_MAX 512       /* full reply line, without CRLF */
#define RULES_FILE_MAX 256

struct rules_decision {
  enum rules_action action;
  char msg[RULES_MSG_MAX + 1];   /* e.g. "550 5.1.1 sorry, no mailbox here by that name" */
  unsigned long rule;            /* rule number (1-based, order in the source), 0 when PASS */
  unsigned long line;            /* line in the source file, 0 when PASS */
  char file[RULES_FILE_MAX + 1]; /* source file name as given to cdbmake-rules */
};

struct rules;   /* opaque: an open cdb */

/* Open the compiled rules. NULL with errno set when it cannot be opened or
 * is not a rules cdb (errno EPROTO): the caller answers 451, never passes. */
struct rules *rules_open(const char *path);
void rules_close(struct rules *r);

/* Decide for one (sender, recipient) pair, both canonical as addr_parse()
 * gives them (sender "" is the null sender <>). 0 with *d filled, or -1 on a
 * read error or corrupt data (temporary failure: answer 451 4.3.0). */
int rules_decide(struct rules *r, const char *sender, size_t slen,
                 const char *rcpt, size_t rlen, struct rules_decision *d);

/* The compiled form, shared by the writer (rulesmake) and the matcher.
 *   "M"                      -> RULES_MAGIC "\n" source-file-name
 *   'P' rcptkey '\0' senderkey -> one rule:  act line ' ' rule ' ' msg
 *   'G' rcptkey               -> the glob rules of that recipient key, in file
 *                                order, each:  act line ' ' rule ' ' glob ' ' msg '\n'
 * act is 'a', 'd' or 't'; rcptkey is "joe@x", "@x", "" (all) or, for the
 * recipient form "joe-lists-*@x", "joe-lists-" RULES_PREFIX_MARK "@x" (a control
 * byte, which no canonical address holds); senderkey is "a@b", "@b", ".b", "<>"
 * or "" (any). A decision reads a bounded number of keys: (2 + labels of the
 * sender's domain) x (3 + dashes in the local part) pairs, as many glob lists
 * and "any" keys; the dashes count only in a cdb that holds prefix rules.
 * A cdb with prefix rules says RULES_MAGIC2, so that a reader that does not
 * know them refuses it (451) instead of denying what they allow. */
#define RULES_MAGIC "rcptfilter-rules 1"
#define RULES_MAGIC2 "rcptfilter-rules 2"
#define RULES_PREFIX_MARK '\001'
#define RULES_KEY_MAX (2 + 2 * 322)
size_t rules_pairkey(char *out, const char *rcpt, size_t rlen, const char *sender, size_t slen);
size_t rules_globkey(char *out, const char *rcpt, size_t rlen);
int rules_glob_match(const char *pat, size_t plen, const char *s, size_t slen);
/* The "act line rule " head of a value: action, line and rule into *d, *p past it. 1, or 0 when malformed. */
int rules_head(const char **p, const char *end, struct rules_decision *d);
#endif
