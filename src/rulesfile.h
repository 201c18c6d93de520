/* rulesfile.h — one line of a rules file (tcp.smtp style):
 *     recipient:sender:action[,MSG="text"]
 * Syntax and precedence: man/rcptfilter-rules.5. */
#ifndef RULESFILE_H
#define RULESFILE_H
#include <stddef.h>
#include "addr.h"
#include "rules.h"

#define RULES_USERMSG_MAX 400   /* longest MSG="..." text */

enum rule_rcpt { RR_ALL = 0, RR_DOMAIN, RR_EXACT, RR_PREFIX };
enum rule_sender { RS_ANY = 0, RS_NULL, RS_EXACT, RS_DOMAIN, RS_SUBDOMAIN, RS_GLOB };

struct rule {
  enum rules_action action;            /* RULES_ALLOW, RULES_DENY or RULES_TRAP */
  enum rule_rcpt rkind;
  enum rule_sender skind;
  char rcpt[ADDR_MAX + 2];             /* key form: "joe@example.com", "joe-" RULES_PREFIX_MARK "@example.com", "@example.com", "" */
  size_t rlen;
  char sender[ADDR_MAX + 2];           /* key form: "a@b.example", "@b.example", ".b.example", "<>", "*glob*", "" */
  size_t slen;
  char msg[RULES_MSG_MAX + 1];         /* full reply line for deny/trap, "" for allow */
  size_t msglen;
};

#define RULES_DEFAULT_MSG "550 5.1.1 sorry, no mailbox here by that name"

/* Parse one line, without its LF (a CR before it is dropped here).
 * 1: a rule in *r; 0: blank or comment; -1: bad line, *why says why. */
int rulesfile_line(const char *line, size_t len, struct rule *r, const char **why);
#endif
