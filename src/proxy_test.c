/* The relay state machine without sockets: one row per script, bytes in
 * from either side, the exact bytes each side must get, the log lines. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "proxy.h"
#include "rulesfile.h"
#include "rulesmake.h"
#include "test.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"   /* a step leaves len out unless it needs it */

/* A step: who speaks ('c' client, 's' server, 'C' client EOF, 'S' server EOF,
 * 'w' the driver takes the sender check, whose sender must be in, 'k' it
 * answers: in is the reply every RCPT gets, "" for none; the driver's part
 * of STARTTLS: 'A' the proxy asks and gets proxy_tls_go, 'R' it asks and
 * gets proxy_tls_refuse, 'U' the handshake is due and done, proxy_tls_up;
 * 'N' nothing asked yet and the client is not read),
 * what it says, then what must be waiting for the client and for the server
 * afterwards (taken away each step; 0 = not checked); len for input with
 * NUL bytes (0: strlen). */
struct step { char who; const char *in, *to_client, *to_server; size_t len; };

struct script {
  const char *name;
  int relay;                 /* RELAYCLIENT: no rules */
  const char *rblsmtpd;
  struct step steps[16];
  enum proxy_end end;        /* how the session stands after the last step */
  const char *log;           /* every event, "action key=val|..." ("" none, 0 not checked) */
  int tls;                   /* 1: STARTTLS offered; 2: inside TLS from the start (-i) */
  int rules;                 /* judge by the rules below (else: unreadable) */
  unsigned long maxrcpt, maxbad;
  int checks;
};

static const char rules_text[] =
  "joe@x.example::deny\n"
  "@closed.example::deny\n"
  "alice@closed.example::allow\n"
  "postmaster@closed.example::allow\n"
  "bob@x.example:@bad.example:deny\n";   /* REVIEW rows: a rule that depends on the sender */
#define DENIED "550 5.1.1 sorry, no mailbox here by that name\r\n"

#define BANNER { 's', "220 hi\r\n", "220 hi\r\n", "" }
#define NORULES "451 4.3.0 unable to read the recipient rules, try again later\r\n"

static const struct script scripts[] = {
  { "relay: pipelined group, EHLO filtered, body after 354", 1, 0, {
      BANNER,
      { 'c', "EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nbody\r\n", "", "EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n" },
      { 's', "250-x\r\n250-STARTTLS\r\n250 PIPELINING\r\n250 ok\r\n250 ok\r\n", "250-x\r\n250 PIPELINING\r\n250 ok\r\n250 ok\r\n", "" },
      { 's', "354 go\r\n", "354 go\r\n", "body\r\n" },
      { 'c', ".\r", "", "." },                                /* a final CR waits for its LF */
      { 'c', "\nQUIT\r\n", "", "\r\nQUIT\r\n" },
      { 's', "250 queued\r\n221 bye\r\n", "250 queued\r\n221 bye\r\n", "" },
      { 'S', 0, "", "" } }, PROXY_DONE, "ehlo removed=STARTTLS" },

  { "EHLO label names every keyword removed", 1, 0, {
      BANNER,
      { 'c', "EHLO x\r\n", "", "EHLO x\r\n" },
      { 's', "250-x\r\n250-STARTTLS\r\n250-BINARYMIME\r\n250 CHUNKING\r\n", "250 x\r\n", "" } },
    PROXY_RUNNING, "ehlo removed=STARTTLS,CHUNKING,BINARYMIME" },

  { "rules unreadable: MAIL believed at once, local answers slotted after its reply", 0, 0, {
      BANNER,
      { 'c', "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nRCPT TO:<e@f.example>\r\nDATA\r\nNOOP\r\n", "", "MAIL FROM:<a@b.example>\r\nNOOP\r\n" },
      { 's', "250 ok\r\n", "250 ok\r\n" NORULES NORULES "554 5.5.1 no valid recipients\r\n", "" },
      { 's', "250 noop\r\n", "250 noop\r\n", "" },
      { 'c', "MAIL FROM:<b@c.example>\r\nRCPT TO:<x@y.example>\r\n", "", "MAIL FROM:<b@c.example>\r\n" },   /* one open: it waits */
      { 's', "503 nested\r\n", "503 nested\r\n" NORULES, "" } },                 /* judged in the one still open */
    PROXY_RUNNING, "tempfail from=<a@b.example> rcpt=<c@d.example>|tempfail from=<a@b.example> rcpt=<e@f.example>|"
                   "tempfail from=<a@b.example> rcpt=<x@y.example>" },

  { "RBLSMTPD: postmaster escapes it, joe gets 553", 0, "-listed", {
      BANNER,
      { 'c', "MAIL FROM:<>\r\nRCPT TO:<Postmaster@x.example>\r\nRCPT TO:<joe@x.example>\r\n", "", "MAIL FROM:<>\r\n" },
      { 's', "250 ok\r\n", "250 ok\r\n" NORULES "553 listed\r\n", "" } },
    PROXY_RUNNING, "tempfail from=<> rcpt=<postmaster@x.example>|rblsmtpd from=<> rcpt=<joe@x.example>" },

  { "RCPT with no MAIL: 503 here, never forwarded", 0, 0, {
      BANNER,
      { 'c', "RCPT TO:<a@b.example>\r\nNOOP\r\n", "503 5.5.1 MAIL first\r\n", "NOOP\r\n" } }, PROXY_RUNNING, "" },

  { "bare LF in DATA aborts, not one byte forwarded", 1, 0, {
      BANNER,
      { 'c', "DATA\r\n", "", "DATA\r\n" },
      { 's', "354 go\r\n", "354 go\r\n", "" },
      { 'c', "a\nb\r\n.\r\n", "451 4.5.0 bare LF or CR in message, see https://cr.yp.to/docs/smtplf.html\r\n", "" } }, PROXY_ABORT, "" },

  { "NUL in DATA aborts (BINARYMIME is never offered)", 1, 0, {
      BANNER,
      { 'c', "DATA\r\n", "", "DATA\r\n" },
      { 's', "354 go\r\n", "354 go\r\n", "" },
      { 'c', "ab\r\n\0.\r\n", "451 4.5.0 NUL byte in message, not accepted here\r\n", "", 8 } }, PROXY_ABORT, "" },

  { "desync: a reply in the middle of a body is 421, the end", 1, 0, {
      BANNER,
      { 'c', "DATA\r\n", "", "DATA\r\n" },
      { 's', "354 go\r\n", "354 go\r\n", "" },
      { 'c', "x\r\n", "", "x\r\n" },
      { 's', "250 ok\r\n", "421 4.3.0 mail server unavailable, try again later\r\n", "" } }, PROXY_FAILED, "" },

  { "desync: a reply with nothing owed is 421, the end", 1, 0, {
      BANNER,
      { 's', "250 surprise\r\n", "421 4.3.0 mail server unavailable, try again later\r\n", "" } }, PROXY_FAILED, "" },

  { "an unsolicited 421 is passed on", 1, 0, {
      BANNER,
      { 's', "421 closing\r\n", "421 closing\r\n", "" } }, PROXY_RUNNING, "" },

  { "the dot ends the transaction: a RCPT pipelined behind it meets none", 0, 0, {
      BANNER,
      { 'c', "MAIL FROM:<a@b.example>\r\n", "", "MAIL FROM:<a@b.example>\r\n" },
      { 's', "250 ok\r\n", "250 ok\r\n", "" },
      { 'c', "DATA\r\n", "", "DATA\r\n" },
      { 's', "354 go\r\n", "354 go\r\n", "" },
      { 'c', "x\r\n.\r\nRCPT TO:<c@d.example>\r\n", "", "x\r\n.\r\n" },
      { 's', "250 queued\r\n", "250 queued\r\n503 5.5.1 MAIL first\r\n", "" } }, PROXY_RUNNING, "" },

  { "RSET ends the transaction when forwarded, not at its reply", 0, 0, {
      BANNER,
      { 'c', "MAIL FROM:<a@b.example>\r\n", "", "MAIL FROM:<a@b.example>\r\n" },
      { 's', "250 ok\r\n", "250 ok\r\n", "" },
      { 'c', "RSET\r\nRCPT TO:<c@d.example>\r\nMAIL FROM:<e@f.example>\r\nRCPT TO:<g@h.example>\r\n", "",
        "RSET\r\nMAIL FROM:<e@f.example>\r\n" },                 /* the MAIL waits: a reply is owed */
      { 's', "250 reset\r\n250 ok\r\n", "250 reset\r\n503 5.5.1 MAIL first\r\n250 ok\r\n" NORULES, "" } },
    PROXY_RUNNING, "tempfail from=<e@f.example> rcpt=<g@h.example>" },

  { "AUTH: 334 takes one line as it is, 235 lifts the rules", 0, 0, {
      BANNER,
      { 'c', "AUTH PLAIN\r\nNOOP\r\n", "", "AUTH PLAIN\r\n" },
      { 's', "334 \r\n", "334 \r\n", "NOOP\r\n" },               /* that line is the answer */
      { 's', "235 ok\r\n", "235 ok\r\n", "" },
      { 'c', "RCPT TO:<a@b>\r\n", "", "RCPT TO:<a@b>\r\n" } }, PROXY_RUNNING, "auth" },

  { "an overlong line gets 500 and is not forwarded", 1, 0, {
      BANNER,
      { 'c', "NOOP xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "", "" },
      { 'c', "\r\nQUIT\r\n", "500 5.5.2 line too long\r\n", "QUIT\r\n" } }, PROXY_RUNNING, "" },

  { "STARTTLS and BDAT refused here", 1, 0, {
      BANNER,
      { 'c', "STARTTLS\r\nBDAT 10\r\n", "454 4.7.0 TLS not available here\r\n502 5.5.1 BDAT not available here\r\n", "" } },
    PROXY_RUNNING, "refuse command=STARTTLS|refuse command=BDAT" },

  { "server gone with a reply owed: 421", 1, 0, {
      BANNER,
      { 'c', "NOOP\r\n", "", "NOOP\r\n" },
      { 'S', 0, "421 4.3.0 mail server unavailable, try again later\r\n", "" } }, PROXY_FAILED, "" },

  { "server speaking no SMTP", 1, 0, {
      BANNER,
      { 's', "garbage\r\n", 0, 0 } }, PROXY_FAILED, "" },

  { "STARTTLS: earlier replies first, then 220; what followed is discarded; a new session after", 0, 0, {
      BANNER,
      { 'c', "EHLO x\r\n", "", "EHLO x\r\n" },
      { 's', "250-x\r\n250-STARTTLS\r\n250 PIPELINING\r\n", "250-x\r\n250-STARTTLS\r\n250 PIPELINING\r\n", "" },
      { 'c', "MAIL FROM:<a@b.example>\r\nSTARTTLS\r\nRSET\r\nMAIL FROM:<x@y.example>\r\n", "", "MAIL FROM:<a@b.example>\r\n" },
      { 'N', 0, "", "" },
      { 's', "250 ok\r\n", "250 ok\r\n", "" },
      { 'A', 0, "220 2.0.0 ready to start TLS\r\n", "" },
      { 'U', 0, "", "" },
      { 's', "220 fresh server\r\n", "", "" },                              /* its banner is not the client's */
      { 'c', "RCPT TO:<c@d.example>\r\n", "503 5.5.1 MAIL first\r\n", "" },   /* no transaction survives */
      { 'c', "EHLO y\r\n", "", "EHLO y\r\n" },
      { 's', "250-y\r\n250 STARTTLS\r\n", "250 y\r\n", "" },                 /* not offered inside TLS */
      { 'c', "STARTTLS\r\n", "503 5.5.1 TLS already active\r\n", "" } },
    PROXY_RUNNING, "ehlo removed=STARTTLS|tlsdiscard bytes=31|ehlo removed=STARTTLS", 1 },

  { "STARTTLS: a one-line EHLO reply gets STARTTLS as its last line; arguments get 501", 1, 0, {
      BANNER,
      { 'c', "EHLO x\r\n", "", "EHLO x\r\n" },
      { 's', "250 x\r\n", "250-x\r\n250 STARTTLS\r\n", "" },
      { 'c', "STARTTLS now\r\nSTARTTLS \r\n", "501 5.5.4 syntax: STARTTLS (no arguments)\r\n", "" },
      { 'A', 0, "220 2.0.0 ready to start TLS\r\n", "" } }, PROXY_RUNNING, "", 1 },

  { "STARTTLS: certificate unusable: 454, plaintext goes on, no longer offered", 1, 0, {
      BANNER,
      { 'c', "STARTTLS\r\nNOOP\r\n", "", "" },
      { 'R', 0, "454 4.7.0 TLS not available due to temporary reason\r\n", "NOOP\r\n" },
      { 's', "250 noop\r\n", "250 noop\r\n", "" },
      { 'c', "EHLO x\r\n", "", "EHLO x\r\n" },
      { 's', "250-x\r\n250 SIZE\r\n", "250-x\r\n250 SIZE\r\n", "" } }, PROXY_RUNNING, "", 1 },

  { "STARTTLS: AUTH does not survive it, the rules apply again", 0, 0, {
      BANNER,
      { 'c', "AUTH PLAIN AGpvZQBzZWNyZXQ=\r\n", "", "AUTH PLAIN AGpvZQBzZWNyZXQ=\r\n" },
      { 's', "235 ok\r\n", "235 ok\r\n", "" },
      { 'c', "STARTTLS\r\n", "", "" },
      { 'A', 0, "220 2.0.0 ready to start TLS\r\n", "" },
      { 'U', 0, "", "" },
      { 'c', "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n", "", "MAIL FROM:<a@b.example>\r\n" },   /* the server reads it after its banner */
      { 's', "220 fresh\r\n", "", "" },
      { 's', "250 ok\r\n", "250 ok\r\n" NORULES, "" } },
    PROXY_RUNNING, "auth|tempfail from=<a@b.example> rcpt=<c@d.example>", 1 },

  { "STARTTLS: the fresh server refuses the session: 421", 1, 0, {
      BANNER,
      { 'c', "STARTTLS\r\n", "", "" },
      { 'A', 0, "220 2.0.0 ready to start TLS\r\n", "" },
      { 'U', 0, "", "" },
      { 's', "554 go away\r\n", "421 4.3.0 mail server unavailable, try again later\r\n", "" } }, PROXY_FAILED, 0, 1 },

  { "STARTTLS: a server reply while it waits for the driver is a desync", 1, 0, {
      BANNER,
      { 'c', "STARTTLS\r\n", "", "" },
      { 's', "250 unasked\r\n", "421 4.3.0 mail server unavailable, try again later\r\n", "" } }, PROXY_FAILED, 0, 1 },

  { "STARTTLS not offered (no certificate): 454, as before", 1, 0, {
      BANNER,
      { 'c', "EHLO x\r\n", "", "EHLO x\r\n" },
      { 's', "250-x\r\n250 STARTTLS\r\n", "250 x\r\n", "" },
      { 'c', "STARTTLS\r\n", "454 4.7.0 TLS not available here\r\n", "" } }, PROXY_RUNNING, "ehlo removed=STARTTLS|refuse command=STARTTLS", 0 },

  { "-i: inside TLS from the banner on: nothing offered, STARTTLS 503", 1, 0, {
      BANNER,
      { 'c', "EHLO x\r\n", "", "EHLO x\r\n" },
      { 's', "250-x\r\n250 STARTTLS\r\n", "250 x\r\n", "" },
      { 'c', "STARTTLS\r\n", "503 5.5.1 TLS already active\r\n", "" } }, PROXY_RUNNING, "ehlo removed=STARTTLS", 2 },
  { "harvest guard: after maxbad refusals, 421 in its place and the end", 0, 0, {
      BANNER,
      { 'c', "MAIL FROM:<a@b.example>\r\nRCPT TO:<joe@x.example>\r\nRCPT TO:<y@closed.example>\r\nRCPT TO:<alice@closed.example>\r\n",
        "", "MAIL FROM:<a@b.example>\r\n" },
      { 's', "250 ok\r\n", "250 ok\r\n" DENIED DENIED "421 4.7.0 too many invalid recipients\r\n", "" } }, PROXY_ABORT,
    "deny from=<a@b.example> rcpt=<joe@x.example>|deny from=<a@b.example> rcpt=<y@closed.example>|harvest refused=2",
    .rules = 1, .maxbad = 2 },

  { "harvest guard counts the server's 5xx to RCPT too", 0, 0, {
      BANNER,
      { 'c', "MAIL FROM:<a@b.example>\r\nRCPT TO:<u1@o.example>\r\n", "", "MAIL FROM:<a@b.example>\r\nRCPT TO:<u1@o.example>\r\n" },
      { 's', "250 ok\r\n550 no such user\r\n", "250 ok\r\n550 no such user\r\n", "" },
      { 'c', "RCPT TO:<u2@o.example>\r\nNOOP\r\n", "421 4.7.0 too many invalid recipients\r\n", "" } }, PROXY_ABORT, 0,
    .rules = 1, .maxbad = 1 },

  { "maxrcpt: the RCPT after the limit gets 452", 0, 0, {
      BANNER,
      { 'c', "MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@closed.example>\r\nRCPT TO:<bob@o.example>\r\n", "",
        "MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@closed.example>\r\n" },
      { 's', "250 ok\r\n250 ok\r\n", "250 ok\r\n250 ok\r\n452 4.5.3 too many recipients\r\n", "" } }, PROXY_RUNNING, 0,
    .rules = 1, .maxrcpt = 1 },

  { "a bounce has one recipient", 0, 0, {
      BANNER,
      { 'c', "MAIL FROM:<>\r\nRCPT TO:<alice@closed.example>\r\nRCPT TO:<bob@o.example>\r\nRCPT TO:<c@o.example>\r\n", "",
        "MAIL FROM:<>\r\nRCPT TO:<alice@closed.example>\r\n" },
      { 's', "250 ok\r\n250 ok\r\n", "250 ok\r\n250 ok\r\n550 5.7.1 a bounce has one recipient\r\n550 5.7.1 a bounce has one recipient\r\n", "" } },
    PROXY_RUNNING, "allow from=<> rcpt=<alice@closed.example>|bounce from=<> rcpt=<bob@o.example>|bounce from=<> rcpt=<c@o.example>",
    .rules = 1 },

  { "sender check: MAIL goes at once, RCPTs wait for the answer; postmaster escapes a refusal", 0, 0, {
      BANNER,
      { 'c', "EHLO h.example\r\nMAIL FROM:<s@spf.example>\r\nRCPT TO:<alice@closed.example>\r\nRCPT TO:<postmaster@closed.example>\r\n", "",
        "EHLO h.example\r\nMAIL FROM:<s@spf.example>\r\n" },
      { 's', "250 h\r\n250 ok\r\n", "250 h\r\n250 ok\r\n", "" },   /* the MAIL waited for the EHLO reply, then the check began */
      { 'w', "s@spf.example", "", "" },
      { 'k', "550 5.7.23 SPF says no", "550 5.7.23 SPF says no\r\n", "RCPT TO:<postmaster@closed.example>\r\n" } }, PROXY_RUNNING,
    "spf from=<s@spf.example> rcpt=<alice@closed.example> spf=fail|allow from=<s@spf.example> rcpt=<postmaster@closed.example> spf=fail",
    .rules = 1, .checks = 1 },

  { "sender check: an answer for a transaction that ended is ignored", 0, 0, {
      BANNER,
      { 'c', "MAIL FROM:<s@spf.example>\r\nRCPT TO:<alice@closed.example>\r\n", "", "MAIL FROM:<s@spf.example>\r\n" },
      { 'w', "s@spf.example", "", "" },
      { 's', "550 no\r\n", "550 no\r\n503 5.5.1 MAIL first\r\n", "" },
      { 'k', "550 5.7.23 SPF says no", "", "" } }, PROXY_RUNNING, "", .rules = 1, .checks = 1 },

  /* ---- REVIEW (adversarial review of main at 1e64a3a): each row fails on main ---- */
  { "a RCPT after leading white space, or with a tab after the verb, is a RCPT to Postfix (smtpd_token splits at ISSPACE) and sendmail: never forwarded unjudged", 0, 0, {
      BANNER,
      { 'c', "MAIL FROM:<a@b.example>\r\n", "", "MAIL FROM:<a@b.example>\r\n" },
      { 's', "250 ok\r\n", "250 ok\r\n", "" },
      { 'c', " RCPT TO:<joe@x.example>\r\nRCPT\tTO:<joe@x.example>\r\n", 0, "" } }, PROXY_RUNNING, 0, .rules = 1 },

  { "qmail-smtpd reads MAIL\\0... as MAIL FROM:<> (str_chr stops at the NUL): never forwarded unseen", 0, 0, {
      BANNER,
      { 'c', "MAIL FROM:<a@b.example>\r\n", "", "MAIL FROM:<a@b.example>\r\n" },
      { 's', "250 ok\r\n", "250 ok\r\n", "" },
      { 'c', "MAIL\0 FROM:<x@y.example>\r\n", 0, "", 26 } }, PROXY_RUNNING, 0, .rules = 1 },

  { "REVIEW (hardening): a bare CR inside a command line is never forwarded (a server taking it for a line end would read an unjudged RCPT)", 0, 0, {
      BANNER,
      { 'c', "MAIL FROM:<a@b.example>\r\n", "", "MAIL FROM:<a@b.example>\r\n" },
      { 's', "250 ok\r\n", "250 ok\r\n", "" },
      { 'c', "NOOP x\rRCPT TO:<joe@x.example>\r\n", 0, "" } }, PROXY_RUNNING, 0, .rules = 1 },

  { "the harvest guard holds pipelined RCPTs once those in flight could reach -u: a dictionary attack learns no more than maxbad answers", 0, 0, {
      BANNER,
      { 'c', "MAIL FROM:<a@b.example>\r\nRCPT TO:<u1@o.example>\r\nRCPT TO:<u2@o.example>\r\nRCPT TO:<u3@o.example>\r\nRCPT TO:<u4@o.example>\r\n", "",
        "MAIL FROM:<a@b.example>\r\nRCPT TO:<u1@o.example>\r\nRCPT TO:<u2@o.example>\r\n" },
      { 's', "250 ok\r\n550 no such user\r\n550 no such user\r\n", "250 ok\r\n550 no such user\r\n550 no such user\r\n421 4.7.0 too many invalid recipients\r\n", "" } },
    PROXY_ABORT, 0, .rules = 1, .maxbad = 2 },

  { "a refused EHLO leaves the server's transaction open (exim 4.96, Postfix): the next MAIL is not believed before its reply", 0, 0, {
      BANNER,
      { 'c', "MAIL FROM:<s@bad.example>\r\n", "", "MAIL FROM:<s@bad.example>\r\n" },
      { 's', "250 OK\r\n", "250 OK\r\n", "" },
      { 'c', "EHLO\r\n", "", "EHLO\r\n" },
      { 's', "501 Syntactically invalid EHLO argument(s)\r\n", "501 Syntactically invalid EHLO argument(s)\r\n", "" },
      { 'c', "MAIL FROM:<f@good.example>\r\nRCPT TO:<bob@x.example>\r\n", "", "MAIL FROM:<f@good.example>\r\n" },   /* bob is judged by s@bad there */
      { 's', "503 sender already given\r\n", 0, "" } }, PROXY_RUNNING, 0, .rules = 1 },

  { "a refused RSET (exim 4.96: 501 unexpected argument data) likewise", 0, 0, {
      BANNER,
      { 'c', "MAIL FROM:<s@bad.example>\r\n", "", "MAIL FROM:<s@bad.example>\r\n" },
      { 's', "250 OK\r\n", "250 OK\r\n", "" },
      { 'c', "RSET x\r\n", "", "RSET x\r\n" },
      { 's', "501 unexpected argument data\r\n", "501 unexpected argument data\r\n", "" },
      { 'c', "MAIL FROM:<f@good.example>\r\nRCPT TO:<bob@x.example>\r\n", "", "MAIL FROM:<f@good.example>\r\n" },
      { 's', "503 sender already given\r\n", 0, "" } }, PROXY_RUNNING, 0, .rules = 1 },

};

static char logbuf[2048];

static void record(void *ctx, const struct proxy_event *e)
{
  size_t n = strlen(logbuf);
  char *o = logbuf + n;
  size_t room = sizeof logbuf - n;
  (void)ctx;
  if (n && room > 1) { *o++ = '|'; --room; }
  if (e->rcpt && e->key)
    snprintf(o, room, "%s from=<%.*s> rcpt=<%.*s> %s=%s", e->action, (int)e->flen, e->from, (int)e->rlen, e->rcpt, e->key, e->val);
  else if (e->rcpt)
    snprintf(o, room, "%s from=<%.*s> rcpt=<%.*s>", e->action, (int)e->flen, e->from, (int)e->rlen, e->rcpt);
  else if (e->key)
    snprintf(o, room, "%s %s=%s", e->action, e->key, e->val);
  else
    snprintf(o, room, "%s", e->action);
}

static const char *take(struct proxy *p, enum proxy_side to)
{
  static char out[8192];
  size_t n;
  const char *s = proxy_output(p, to, &n);
  if (n > sizeof out - 1) n = sizeof out - 1;
  memcpy(out, s, n);
  out[n] = 0;
  proxy_sent(p, to, n);
  return out;
}

static struct rules *rules;

static struct rules *build(const char *text, const char *path)
{
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644), k;
  if (fd == -1) return 0;
  k = rulesmake_text(fd, text, "rules", 0);
  close(fd);
  return k ? 0 : rules_open(path);
}

static void run_script(const struct script *sc)
{
  struct proxy_conf c;
  struct proxy *p;
  struct proxy_check_req req;
  unsigned long id = 0;
  size_t i;
  char what[300];

  memset(&c, 0, sizeof c);
  c.rules = sc->rules ? rules : 0;   /* no rules: every checked RCPT gets 451 */
  c.maxrcpt = sc->maxrcpt;
  c.maxbad = sc->maxbad;
  c.checks = sc->checks;
  c.rules_off = sc->relay;
  c.rblsmtpd = sc->rblsmtpd;
  c.maxline = 256;
  c.log = record;
  c.tls_offer = sc->tls == 1;
  c.tls_active = sc->tls == 2;
  logbuf[0] = 0;
  p = proxy_new(&c);
  CHECK(p != 0, "proxy_new");
  if (!p) return;
  for (i = 0; i < sizeof sc->steps / sizeof sc->steps[0] && sc->steps[i].who; ++i) {
    const struct step *st = &sc->steps[i];
    size_t n = st->len ? st->len : st->in ? strlen(st->in) : 0;
    switch (st->who) {
      case 'c': proxy_input(p, PROXY_CLIENT, st->in, n); break;
      case 's': proxy_input(p, PROXY_SERVER, st->in, n); break;
      case 'C': proxy_eof(p, PROXY_CLIENT); break;
      case 'S': proxy_eof(p, PROXY_SERVER); break;
      case 'N':
        snprintf(what, sizeof what, "%s: step %zu, nothing asked, the client not read", sc->name, i + 1);
        CHECK(proxy_tls_state(p) == PROXY_TLS_NONE && proxy_room(p, PROXY_CLIENT) == 0, what);
        break;
      case 'A': case 'R':
        snprintf(what, sizeof what, "%s: step %zu, the driver is asked", sc->name, i + 1);
        CHECK_INT(proxy_tls_state(p), PROXY_TLS_ASK, what);
        CHECK(proxy_room(p, PROXY_CLIENT) == 0, "and the client is not read meanwhile");
        if (st->who == 'A') proxy_tls_go(p); else proxy_tls_refuse(p);
        break;
      case 'U':
        snprintf(what, sizeof what, "%s: step %zu, the handshake is due", sc->name, i + 1);
        CHECK_INT(proxy_tls_state(p), PROXY_TLS_HANDSHAKE, what);
        CHECK(proxy_room(p, PROXY_CLIENT) == 0, "and the client is not read before it");
        proxy_tls_up(p);
        CHECK(proxy_tls_active(p) && proxy_tls_state(p) == PROXY_TLS_NONE, "TLS is up");
        break;
      case 'w':
        id = proxy_check_wanted(p, &req);
        snprintf(what, sizeof what, "%s: step %zu, a check for the sender", sc->name, i + 1);
        CHECK(id && req.slen == strlen(st->in) && !memcmp(req.sender, st->in, req.slen), what);
        CHECK_INT(proxy_check_wanted(p, &req), 0, "and only once");
        break;
      case 'k': {
        struct proxy_check r = { *st->in ? "spf" : 0, st->in, "spf", *st->in ? "fail" : "pass" };
        proxy_check_done(p, id, &r);
        break;
      }
    }
    if (st->to_client) {
      snprintf(what, sizeof what, "%s: step %zu, to the client", sc->name, i + 1);
      CHECK_STR(take(p, PROXY_CLIENT), st->to_client, what);
    }
    if (st->to_server) {
      snprintf(what, sizeof what, "%s: step %zu, to the server", sc->name, i + 1);
      CHECK_STR(take(p, PROXY_SERVER), st->to_server, what);
    }
  }
  snprintf(what, sizeof what, "%s: how it ends", sc->name);
  CHECK_INT(proxy_end(p, 0), sc->end, what);
  if (sc->log) {
    snprintf(what, sizeof what, "%s: the log", sc->name);
    CHECK_STR(logbuf, sc->log, what);
  }
  proxy_free(p);
}


/* an AUTH answer over maxline: the session must not hang until -t
 * (the 500 sits behind the AUTH whose answer the server still waits for). */
static void review_auth_line(void)
{
  struct proxy_conf c;
  struct proxy *p;
  char line[400];
  size_t lc, ls;
  memset(&c, 0, sizeof c);
  c.rules_off = 1;
  c.maxline = 256;
  p = proxy_new(&c);
  proxy_input(p, PROXY_SERVER, "220 hi\r\n", 8);
  take(p, PROXY_CLIENT);
  proxy_input(p, PROXY_CLIENT, "AUTH GSSAPI\r\n", 13);
  take(p, PROXY_SERVER);
  proxy_input(p, PROXY_SERVER, "334 \r\n", 6);
  take(p, PROXY_CLIENT);
  memset(line, 'x', sizeof line);
  memcpy(line + sizeof line - 2, "\r\n", 2);
  proxy_input(p, PROXY_CLIENT, line, sizeof line);
  proxy_output(p, PROXY_CLIENT, &lc);
  proxy_output(p, PROXY_SERVER, &ls);
  CHECK(lc || ls, "an overlong AUTH answer: the client gets a reply or the server something to answer (else both wait until -t: 'backend stalled')");
  proxy_free(p);
}

/* replies the proxy writes itself are bounded by back-pressure, not
 * by the 2 x PROXY_BUF_MAX backstop (which ends the session: 421 "out of memory"). */
static void review_flood(int noop_first)
{
  static char in[60000];
  static const char rcpt[] = "RCPT TO:<a@b.example>\r\n";
  char text[401], what[200];
  struct proxy_conf c;
  struct proxy *p;
  const char *why = 0;
  size_t n = 0, len;
  memset(&c, 0, sizeof c);
  memset(text, 'x', 400);
  text[400] = 0;
  c.rules = rules;
  c.maxline = 256;
  c.rblsmtpd = text;        /* rblsmtpd2 -D: every RCPT gets 451 and this text */
  p = proxy_new(&c);
  proxy_input(p, PROXY_SERVER, "220 hi\r\n", 8);
  proxy_input(p, PROXY_CLIENT, "MAIL FROM:<a@b.example>\r\n", 25);
  proxy_input(p, PROXY_SERVER, "250 ok\r\n", 8);
  proxy_output(p, PROXY_CLIENT, &len); proxy_sent(p, PROXY_CLIENT, len);
  proxy_output(p, PROXY_SERVER, &len); proxy_sent(p, PROXY_SERVER, len);
  if (noop_first) { memcpy(in, "NOOP\r\n", 6); n = 6; }
  while (n + sizeof rcpt - 1 <= sizeof in) { memcpy(in + n, rcpt, sizeof rcpt - 1); n += sizeof rcpt - 1; }
  proxy_input(p, PROXY_CLIENT, in, n);     /* one read; the client reads nothing yet */
  if (noop_first) proxy_input(p, PROXY_SERVER, "250 ok\r\n", 8);
  snprintf(what, sizeof what, "%s60 KB of pipelined RCPTs, each refused here with a 400-byte text: the session goes on", noop_first ? "NOOP, then " : "");
  proxy_end(p, &why);
  CHECK_STR(why ? why : "running", "running", what);
  proxy_free(p);
}

int main(void)
{
  size_t i;
  char path[] = "/tmp/proxy_test.XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd != -1, "a temporary file for the rules");
  close(fd);
  rules = build(rules_text, path);
  CHECK(rules != 0, "rules compiled");
  for (i = 0; i < sizeof scripts / sizeof scripts[0]; ++i) run_script(&scripts[i]);
  review_auth_line();
  review_flood(0);
  review_flood(1);
  rules_close(rules);
  unlink(path);
  return test_done();
}
