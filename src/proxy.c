/* proxy.c — the relay: see proxy.h for what it promises.
 *
 * Where things go (HACKING.md "The relay"):
 *   a new verb              a row in verbs[] (and a check_*() when it needs one)
 *   a new check on a RCPT   check_rcpt(), refusing through refuse_rcpt()
 *   what a reply means      on_reply(), one case per kind of command
 *   a new phase             enum phase + phase_names[]; change it only with phase() */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "proxy.h"
#include "addr.h"
#include "smtpreply.h"
#include "sanitize.h"
#include "num.h"

/* What the client side is doing. One at a time; changed only by phase(). */
enum phase {
  PH_COMMAND,     /* reading command lines */
  PH_DISCARD,     /* inside a command line over maxline: drop it, then 500 */
  PH_WAIT_MAIL,   /* a MAIL that may meet an open transaction: its reply decides the sender */
  PH_WAIT_DATA,   /* DATA sent: 354 starts the body, anything else does not */
  PH_WAIT_AUTH,   /* AUTH (or an AUTH answer) sent: 334 asks for a line, 235 lifts the rules */
  PH_AUTH_LINE,   /* after 334: the next line is an AUTH answer, not a command */
  PH_DATA,        /* relaying a message body, up to and including CRLF.CRLF */
  PH_WAIT_CHECK,  /* a transaction began: its sender checks (the driver's DNS) decide the RCPTs */
  PH_CLOSING,     /* refusing the rest (harvest guard): the owed replies leave, then the end */
  PH_WAIT_TLS,    /* STARTTLS: its turn among the replies, then the driver's answer (certificates) */
  PH_TLS          /* 220 said: the driver does the handshake, then a fresh server */
};
static const char *const phase_names[] = { "command", "discard", "wait-mail", "wait-data", "wait-auth", "auth-line", "data",
                                           "wait-check", "closing", "wait-tls", "tls" };

/* The transaction the rules judge RCPTs in: the one the server has open. */
enum txn {
  TX_NONE,        /* none (or the last one ended: end of data, RSET, HELO, EHLO forwarded) */
  TX_SENT,        /* a MAIL sent when none could be open, believed at once; its reply not in yet */
  TX_OPEN         /* the server accepted the MAIL */
};

/* What a reply owed by the server will be taken for. */
enum kind { K_LOCAL, K_BANNER, K_EHLO, K_HELO, K_MAIL, K_RCPT, K_DATA, K_DATAEND, K_AUTH, K_QUIT, K_RSET, K_OTHER, K_TLS };
/* K_TLS: a STARTTLS answered by the driver, never by the server */

enum { S_BOL, S_MID, S_CR, S_DOT, S_DOTCR };   /* end-of-data scanner */

struct pbuf { char *s; size_t off, len, cap; };   /* the bytes are s[off .. off+len) */
struct owed { enum kind kind; char *text; size_t len; };   /* text: a local reply, waiting for its turn */

struct proxy {
  struct proxy_conf c;
  struct pbuf from_client, from_server, to_client, to_server;
  struct owed *q;            /* replies owed to the client, in command order */
  size_t qhead, qlen, qcap;
  size_t qbytes;             /* of the local replies waiting in q: they count against to_client's limit */
  enum phase phase;
  enum phase resume;         /* the phase PH_DISCARD returns to */
  int dstate;                /* end-of-data scanner state */
  enum txn txn;
  char sender[ADDR_MAX + 1]; /* the sender of txn (TX_SENT, TX_OPEN) */
  size_t slen;
  char pending[ADDR_MAX + 1];   /* the sender of the MAIL that PH_WAIT_MAIL waits for */
  size_t plen;
  unsigned long rcpt_fwd, rcpt_denied;   /* in this transaction */
  unsigned long rcpt_tries;  /* RCPTs with a readable address in this transaction */
  unsigned long rcpt_fwd_total;
  unsigned long bad;         /* RCPTs refused as invalid in this session, here or by the server */
  unsigned long rcpt_owed;   /* RCPTs forwarded whose reply is not in yet */
  char helo[ADDR_MAX + 1];   /* the last HELO/EHLO argument, for SPF's HELO identity */
  size_t hlen;
  unsigned long check_id;    /* the sender check of this transaction (0: none) */
  int check_started;
  char check_reply[RULES_MSG_MAX + 1];   /* "" when the check refuses nothing */
  const char *check_action, *check_key, *check_val;
  int authenticated;
  int server_unsure;         /* the server refused a RSET, HELO or EHLO: its transaction may still be open */
  int quit_done;
  int client_eof;
  int tls;                   /* inside TLS */
  int swallow_banner;        /* the server after the handshake: its 220 is not the client's */
  enum proxy_end end;
  const char *why;           /* why it ended, for the log */
};

static const char bare_lf[] = "451 4.5.0 bare LF or CR in message, see https://cr.yp.to/docs/smtplf.html\r\n";
static const char nul_in_data[] = "451 4.5.0 NUL byte in message, not accepted here\r\n";
static const char gone[] = "421 4.3.0 mail server unavailable, try again later\r\n";
static const char no_rules[] = "451 4.3.0 unable to read the recipient rules, try again later";

/* ---- buffers ---- */

/* Room for n more bytes at the end of b. 0, or -1 (over the limits, out of memory). */
static int reserve(struct pbuf *b, size_t n)
{
  if (n > PROXY_BUF_MAX * 2 - b->len) return -1;   /* callers keep within the limits; this is the backstop */
  if (b->off + b->len + n > b->cap) {
    if (b->off) {
      memmove(b->s, b->s + b->off, b->len);
      b->off = 0;
    }
    if (b->len + n > b->cap) {
      size_t cap = b->cap ? b->cap : 4096;
      char *t;
      while (cap < b->len + n) cap *= 2;
      t = realloc(b->s, cap);
      if (!t) return -1;
      b->s = t;
      b->cap = cap;
    }
  }
  return 0;
}

static int put(struct pbuf *b, const char *s, size_t n)
{
  if (!n) return 0;
  if (reserve(b, n)) return -1;
  memcpy(b->s + b->off + b->len, s, n);
  b->len += n;
  return 0;
}

static const char *data(const struct pbuf *b) { return b->s ? b->s + b->off : ""; }

static void consume(struct pbuf *b, size_t n)
{
  if (n > b->len) n = b->len;
  b->off += n;
  b->len -= n;
  if (!b->len) b->off = 0;
}

/* ---- the log and the phase ---- */

static void emit(struct proxy *p, struct proxy_event *e)
{
  if (p->c.log) p->c.log(p->c.log_ctx, e);
}

static void log_event(struct proxy *p, const char *action, const char *key, const char *val)
{
  struct proxy_event e;
  memset(&e, 0, sizeof e);
  e.action = action;
  e.key = key;
  e.val = val;
  emit(p, &e);
}

static void log_rcpt(struct proxy *p, const char *action, const char *rcpt, size_t rlen, const struct rules_decision *d)
{
  struct proxy_event e;
  memset(&e, 0, sizeof e);
  e.action = action;
  e.from = p->sender;
  e.flen = p->slen;
  e.rcpt = rcpt;
  e.rlen = rlen;
  e.d = d;
  e.key = p->check_key;      /* the sender check's result, on every RCPT of the transaction */
  e.val = p->check_val;
  emit(p, &e);
}

static void phase(struct proxy *p, enum phase to)
{
  if (p->c.trace && to != p->phase) {
    char t[32];
    size_t a = strlen(phase_names[p->phase]), b = strlen(phase_names[to]);
    memcpy(t, phase_names[p->phase], a);
    memcpy(t + a, "->", 2);
    memcpy(t + a + 2, phase_names[to], b + 1);
    log_event(p, "trace", "phase", t);
  }
  p->phase = to;
}

/* ---- the end ---- */

static void end_session(struct proxy *p, enum proxy_end end, const char *why, const char *line, size_t len)
{
  if (p->end) return;
  p->end = end;
  p->why = why;
  put(&p->to_client, line, len);   /* a client that closed its side may still read */
}

static void fail(struct proxy *p, const char *why) { end_session(p, PROXY_FAILED, why, gone, sizeof gone - 1); }

void proxy_fail(struct proxy *p, const char *why) { fail(p, why); }

void proxy_abort(struct proxy *p, const char *why, const char *line)
{
  end_session(p, PROXY_ABORT, why, line, line ? strlen(line) : 0);
}

/* ---- replies owed, in command order ---- */

static int push(struct proxy *p, enum kind kind, const char *text, size_t len)
{
  struct owed *e;
  if (p->qhead + p->qlen == p->qcap) {
    if (p->qhead) {
      memmove(p->q, p->q + p->qhead, p->qlen * sizeof *p->q);
      p->qhead = 0;
    } else {
      size_t cap = p->qcap ? p->qcap * 2 : 64;
      struct owed *t = realloc(p->q, cap * sizeof *t);
      if (!t) return -1;
      p->q = t;
      p->qcap = cap;
    }
  }
  e = &p->q[p->qhead + p->qlen];
  e->kind = kind;
  e->text = 0;
  e->len = 0;
  if (text) {
    e->text = malloc(len);
    if (!e->text) return -1;
    memcpy(e->text, text, len);
    e->len = len;
    p->qbytes += len;
  }
  ++p->qlen;
  return 0;
}

static void pop(struct proxy *p)
{
  free(p->q[p->qhead].text);
  p->qbytes -= p->q[p->qhead].len;
  ++p->qhead;
  --p->qlen;
  if (!p->qlen) p->qhead = 0;
}

/* Local replies that reached the head of the queue leave now. */
static void flush_locals(struct proxy *p)
{
  while (p->qlen && p->q[p->qhead].kind == K_LOCAL) {
    if (put(&p->to_client, p->q[p->qhead].text, p->q[p->qhead].len)) { fail(p, "out of memory"); return; }
    pop(p);
  }
  if (p->phase == PH_CLOSING && !p->qlen) end_session(p, PROXY_ABORT, "too many invalid recipients", 0, 0);
}

/* Answer here, in the command's place among the server's replies. */
static void local(struct proxy *p, const char *reply)
{
  char line[RULES_MSG_MAX + 3];
  size_t n = strlen(reply);
  if (n > RULES_MSG_MAX) n = RULES_MSG_MAX;
  memcpy(line, reply, n);
  line[n++] = '\r';
  line[n++] = '\n';
  if (push(p, K_LOCAL, line, n)) { fail(p, "out of memory"); return; }
  flush_locals(p);
}

static void forward(struct proxy *p, enum kind kind, const char *line, size_t len)
{
  if (push(p, kind, 0, 0) || put(&p->to_server, line, len)) fail(p, "out of memory");
}

/* ---- the transaction ---- */

static int rules_apply(const struct proxy *p) { return !p->c.rules_off && !p->authenticated; }

static void txn_close(struct proxy *p)
{
  p->txn = TX_NONE;
  p->slen = 0;
  p->rcpt_fwd = p->rcpt_denied = p->rcpt_tries = 0;
  p->check_id = 0;           /* an answer still on its way is for nobody now */
  p->check_reply[0] = 0;
  p->check_action = p->check_key = p->check_val = 0;
  if (p->phase == PH_WAIT_CHECK) phase(p, PH_COMMAND);
}

static void txn_begin(struct proxy *p, enum txn state, const char *sender, size_t slen)
{
  static unsigned long checks;
  txn_close(p);
  memcpy(p->sender, sender, slen);
  p->slen = slen;
  p->txn = state;
  if (p->c.checks && rules_apply(p)) {
    p->check_id = ++checks ? checks : ++checks;
    p->check_started = 0;
    phase(p, PH_WAIT_CHECK);
  }
}

/* ---- commands ---- */

struct cmd {
  const char *line;          /* the whole line, CRLF included */
  size_t len;
  const char *arg;           /* after the verb, CR LF excluded */
  size_t alen;
};

enum verdict {
  V_LOCAL,                   /* answered here: nothing goes to the server */
  V_FORWARD,                 /* goes to the server, the next command may follow at once */
  V_WAIT                     /* goes to the server, and its reply decides what comes next */
};

/* "FROM:" / "TO:" after the verb, case-insensitive, spaces allowed around. */
static const char *after(const char *s, size_t len, const char *word, size_t *rest)
{
  size_t w = strlen(word), i = 0;
  while (i < len && s[i] == ' ') ++i;
  if (len - i < w || strncasecmp(s + i, word, w)) return 0;
  i += w;
  *rest = len - i;
  return s + i;
}

static int is_role(const char *rcpt, size_t rlen, const char *role)
{
  size_t at = addr_at(rcpt, rlen), n = strlen(role);
  return at == n && !memcmp(rcpt, role, n);   /* canonical addresses are lowercase */
}

/* A RCPT refused here: logged (unless action is 0), answered in its place, counted. */
static enum verdict refuse_rcpt(struct proxy *p, const char *action, const char *rcpt, size_t rlen,
                                const struct rules_decision *d, const char *reply)
{
  if (action) log_rcpt(p, action, rcpt, rlen, d);
  local(p, reply);
  ++p->rcpt_denied;
  return V_LOCAL;
}

/* The same for a recipient that does not exist as far as we know: these count
 * towards the harvest guard (conf.maxbad). */
static enum verdict refuse_invalid(struct proxy *p, const char *action, const char *rcpt, size_t rlen,
                                   const struct rules_decision *d, const char *reply)
{
  ++p->bad;
  return refuse_rcpt(p, action, rcpt, rlen, d, reply);
}

/* Enough refused recipients for one session: answer what is owed, then 421 and the end. */
static enum verdict harvest(struct proxy *p)
{
  char n[NUM_FMT + 1];
  n[num_fmt(n, p->bad)] = 0;
  log_event(p, "harvest", "refused", n);
  local(p, "421 4.7.0 too many invalid recipients");
  phase(p, PH_CLOSING);
  flush_locals(p);
  return V_LOCAL;
}

/* With rules on, a RCPT is judged by the sender of the transaction the
 * server has open: a MAIL it refuses (nested, SIZE, syntax) or one we
 * refuse leaves that transaction as it was. A MAIL sent when no transaction
 * can be open (none, nothing owed) is believed at once: if the server
 * refuses it, the RCPTs judged by it meet no transaction there and get 503.
 * Any other MAIL holds the commands after it until its reply. */
static enum verdict check_mail(struct proxy *p, const struct cmd *c)
{
  const char *arg;
  size_t alen;
  enum addr_result ar;

  if (!rules_apply(p)) return V_FORWARD;
  /* rules need the sender: what we cannot read, the server never sees */
  arg = after(c->arg, c->alen, "FROM:", &alen);
  if (!arg) { local(p, "501 5.5.4 syntax: MAIL FROM:<address>"); return V_LOCAL; }
  ar = addr_parse(arg, alen, p->pending, &p->plen);
  if (ar == ADDR_TOO_LONG) { local(p, "553 5.1.7 sender address too long"); return V_LOCAL; }
  if (ar != ADDR_OK) { local(p, "501 5.1.7 bad sender address syntax"); return V_LOCAL; }
  if (p->txn != TX_NONE || p->qlen || p->server_unsure) return V_WAIT;
  txn_begin(p, TX_SENT, p->pending, p->plen);
  return V_FORWARD;
}

static enum verdict check_rcpt(struct proxy *p, const struct cmd *c)
{
  char r[ADDR_MAX + 1], reply[RULES_MSG_MAX + 1];
  const char *arg;
  size_t alen, rlen, n;
  struct rules_decision d;
  enum addr_result ar;
  int role;

  if (!rules_apply(p)) { ++p->rcpt_fwd; return V_FORWARD; }
  if (p->c.maxbad && p->bad >= p->c.maxbad) return harvest(p);
  if (p->txn == TX_NONE) { local(p, "503 5.5.1 MAIL first"); return V_LOCAL; }   /* never a RCPT the rules have not seen */
  arg = after(c->arg, c->alen, "TO:", &alen);
  if (!arg) return refuse_rcpt(p, 0, 0, 0, 0, "501 5.5.4 syntax: RCPT TO:<address>");
  ar = addr_parse(arg, alen, r, &rlen);
  if (ar == ADDR_TOO_LONG) return refuse_rcpt(p, 0, 0, 0, 0, "553 5.1.3 recipient address too long");
  if (ar != ADDR_OK || !rlen) return refuse_rcpt(p, 0, 0, 0, 0, "501 5.1.3 bad recipient address syntax");
  ++p->rcpt_tries;
  if (p->c.maxrcpt && p->rcpt_fwd >= p->c.maxrcpt) return refuse_rcpt(p, "refuse", r, rlen, 0, "452 4.5.3 too many recipients");
  role = is_role(r, rlen, "postmaster") || is_role(r, rlen, "abuse");
  if (p->c.rblsmtpd && !role) {
    /* rblsmtpd2 -D: the client is listed; only postmaster and abuse may be written to */
    const char *t = p->c.rblsmtpd;
    int perm = *t == '-';
    memcpy(reply, perm ? "553 " : "451 ", 4);
    n = sanitize(reply + 4, sizeof reply - 4, t + perm, strlen(t + perm));
    reply[4 + n] = 0;
    return refuse_rcpt(p, "rblsmtpd", r, rlen, 0, reply);
  }
  /* a bounce goes to the one address that sent the message: a second
   * recipient is a spammer's use of <> (and a joe-job's backscatter) */
  if (!p->slen && p->rcpt_tries > 1) return refuse_rcpt(p, "bounce", r, rlen, 0, "550 5.7.1 a bounce has one recipient");
  if (p->check_reply[0] && !role) return refuse_rcpt(p, p->check_action, r, rlen, 0, p->check_reply);
  if (!p->c.rules) return refuse_rcpt(p, "tempfail", r, rlen, 0, no_rules);
  /* qmail-smtpd takes "joe" and delivers to joe@$envnoathost, perhaps the very
   * mailbox whose rules said no: only postmaster may come without a domain */
  if (addr_at(r, rlen) == rlen && !is_role(r, rlen, "postmaster"))
    return refuse_invalid(p, "refuse", r, rlen, 0, "553 5.1.3 recipient needs a domain");
  if (rules_decide(p->c.rules, p->sender, p->slen, r, rlen, &d) == -1)
    return refuse_rcpt(p, "tempfail", r, rlen, 0, no_rules);
  if (d.action == RULES_DENY) return refuse_invalid(p, "deny", r, rlen, &d, d.msg);
  if (d.action == RULES_TRAP) return refuse_invalid(p, "trap", r, rlen, &d, d.msg);
  log_rcpt(p, d.action == RULES_ALLOW ? "allow" : "pass", r, rlen, &d);
  ++p->rcpt_fwd;
  return V_FORWARD;
}

static enum verdict check_data(struct proxy *p, const struct cmd *c)
{
  (void)c;
  if (!p->rcpt_fwd && p->rcpt_denied) { local(p, "554 5.5.1 no valid recipients"); return V_LOCAL; }
  return V_WAIT;
}

static enum verdict always_wait(struct proxy *p, const struct cmd *c) { (void)p; (void)c; return V_WAIT; }

static enum verdict check_starttls(struct proxy *p, const struct cmd *c)
{
  size_t i = 0;
  while (i < c->alen && c->arg[i] == ' ') ++i;
  if (i < c->alen) { local(p, "501 5.5.4 syntax: STARTTLS (no arguments)"); return V_LOCAL; }
  if (p->tls) { local(p, "503 5.5.1 TLS already active"); return V_LOCAL; }
  if (!p->c.tls_offer) {
    log_event(p, "refuse", "command", "STARTTLS");
    local(p, "454 4.7.0 TLS not available here");
    return V_LOCAL;
  }
  /* never forwarded: the 220 is ours, after every reply owed before it */
  if (push(p, K_TLS, 0, 0)) { fail(p, "out of memory"); return V_LOCAL; }
  phase(p, PH_WAIT_TLS);
  return V_LOCAL;
}

static enum verdict refuse_bdat(struct proxy *p, const struct cmd *c)
{
  (void)c;
  log_event(p, "refuse", "command", "BDAT");   /* CHUNKING is never offered: the body would go by unseen */
  local(p, "502 5.5.1 BDAT not available here");
  return V_LOCAL;
}

/* One row per verb (qmail-smtpd's struct commands, OpenSMTPD's check/proceed):
 * check decides (0: forward as it is); when it says V_WAIT, no command after
 * this one is read until its reply, in phase wait; ends_txn: forwarding it
 * ends the transaction for the rules at once (RFC 5321 4.1.1.5, 4.1.4), so a
 * RCPT pipelined behind it is never judged by the sender before it. */
static const struct verb {
  const char *name;
  enum kind kind;
  enum verdict (*check)(struct proxy *, const struct cmd *);
  enum phase wait;
  int ends_txn;
} verbs[] = {
  { "MAIL",     K_MAIL,  check_mail,      PH_WAIT_MAIL, 0 },
  { "RCPT",     K_RCPT,  check_rcpt,      PH_COMMAND,   0 },
  { "DATA",     K_DATA,  check_data,      PH_WAIT_DATA, 0 },
  { "AUTH",     K_AUTH,  always_wait,     PH_WAIT_AUTH, 0 },
  { "STARTTLS", K_TLS,   check_starttls,  PH_WAIT_TLS,  0 },
  { "BDAT",     K_OTHER, refuse_bdat,     PH_COMMAND,   0 },
  { "EHLO",     K_EHLO,  0,               PH_COMMAND,   1 },
  { "HELO",     K_HELO,  0,               PH_COMMAND,   1 },
  { "RSET",     K_RSET,  0,               PH_COMMAND,   1 },
  { "QUIT",     K_QUIT,  0,               PH_COMMAND,   0 },
};
static const struct verb other = { "", K_OTHER, 0, PH_COMMAND, 0 };

static const struct verb *verb_find(const char *line, size_t v)
{
  size_t i;
  for (i = 0; i < sizeof verbs / sizeof verbs[0]; ++i)
    if (strlen(verbs[i].name) == v && !strncasecmp(line, verbs[i].name, v)) return &verbs[i];
  return &other;
}

/* A command line (LF included): the length of its verb, and in *l the length
 * without CRLF. */
static size_t verb_split(const char *line, size_t len, size_t *l)
{
  size_t v = 0;
  *l = len - 1;
  if (*l && line[*l - 1] == '\r') --*l;
  while (v < *l && line[v] != ' ') ++v;
  return v;
}

/* SPF's HELO identity, for a bounce (RFC 7208 2.3): the word after the verb. */
static void remember_helo(struct proxy *p, const struct cmd *c)
{
  size_t i = 0, n = 0;
  while (i < c->alen && c->arg[i] == ' ') ++i;
  while (i < c->alen && c->arg[i] != ' ' && n < sizeof p->helo - 1) p->helo[n++] = c->arg[i++];
  p->hlen = n;
}

static void command(struct proxy *p, const char *line, size_t len)
{
  struct cmd c;
  size_t l, v = verb_split(line, len, &l);
  const struct verb *verb;
  enum verdict verdict;

  /* a line another server reads as another verb than ours never goes on:
   * qmail-smtpd's verb ends at a NUL ("MAIL\0" is MAIL FROM:<>), Postfix and
   * sendmail skip leading white space and split at any (" RCPT", "RCPT\tTO:");
   * a bare CR, which a server might take for a line end ("NOOP x\rRCPT ...") */
  if (memchr(line, 0, len) || (l && !v) || memchr(line, '\t', v) || memchr(line, '\v', v) || memchr(line, '\f', v) || memchr(line, '\r', l)) {
    local(p, "500 5.5.2 syntax error");
    return;
  }
  c.line = line;
  c.len = len;
  c.arg = line + v;
  c.alen = l - v;
  verb = verb_find(line, v);
  verdict = verb->check ? verb->check(p, &c) : V_FORWARD;
  if (verdict == V_LOCAL) return;
  forward(p, verb->kind, line, len);
  if (verb->kind == K_RCPT) { ++p->rcpt_fwd_total; ++p->rcpt_owed; }
  if (verb->kind == K_HELO || verb->kind == K_EHLO) remember_helo(p, &c);
  if (verb->ends_txn) txn_close(p);
  if (verdict == V_WAIT) phase(p, verb->wait);
}

/* ---- the client's bytes ---- */

/* No command is read until a reply (or the driver's check) decides what comes next. */
static int waiting(const struct proxy *p)
{
  switch (p->phase) {
    case PH_WAIT_MAIL: case PH_WAIT_DATA: case PH_WAIT_AUTH: case PH_WAIT_CHECK: case PH_CLOSING: return 1;
    case PH_WAIT_TLS: case PH_TLS: return 1;   /* nothing after STARTTLS runs before the driver says */
    default: return 0;
  }
}

/* A message body: pass it on up to and including CRLF.CRLF; a bare LF or CR,
 * or a NUL (BINARYMIME is never offered), ends the session. The middle of a
 * line is the bulk: memchr finds its CR, and checks there is no LF or NUL
 * before it; the states around line ends take one byte at a time. */
static void bad_body(struct proxy *p, int nul)
{
  /* never hand the server a byte it might read as an end of data we did not see */
  consume(&p->from_client, p->from_client.len);
  if (nul) end_session(p, PROXY_ABORT, "NUL in DATA", nul_in_data, sizeof nul_in_data - 1);
  else end_session(p, PROXY_ABORT, "bare LF or CR in DATA", bare_lf, sizeof bare_lf - 1);
}

static void body(struct proxy *p)
{
  const char *s = data(&p->from_client);
  size_t i = 0, n = p->from_client.len;
  int st = p->dstate;
  const char *nul = memchr(s, '\0', n);   /* once for the chunk, not per line */

  while (i < n) {
    if (st == S_MID) {
      const char *cr = memchr(s + i, '\r', n - i), *lf;
      size_t stop = cr ? (size_t)(cr - s) : n;
      lf = memchr(s + i, '\n', stop - i);
      /* every byte before i was seen: the chunk's first NUL is not before it */
      int nul_here = nul && nul < s + stop;
      if (lf || nul_here) { bad_body(p, nul_here && (!lf || nul < lf)); return; }
      i = stop;
      if (cr) { st = S_CR; ++i; }
      continue;
    }
    switch (st) {
      case S_BOL: if (s[i] == '.') { st = S_DOT; ++i; } else st = S_MID; break;   /* S_MID looks at this byte */
      case S_DOT: if (s[i] == '\r') { st = S_DOTCR; ++i; } else st = S_MID; break;
      case S_CR: if (s[i] != '\n') { bad_body(p, !s[i]); return; } st = S_BOL; ++i; break;
      case S_DOTCR:
        if (s[i] != '\n') { bad_body(p, !s[i]); return; }
        if (put(&p->to_server, s, i + 1)) { fail(p, "out of memory"); return; }
        consume(&p->from_client, i + 1);
        p->dstate = S_BOL;
        txn_close(p);        /* the transaction ends with the dot, not with its reply */
        p->server_unsure = 0;
        phase(p, PH_COMMAND);
        return;
    }
  }
  /* all of it may go on, except a final CR whose LF has not come yet */
  if (st == S_CR || st == S_DOTCR) {
    --i;
    st = st == S_CR ? S_MID : S_DOT;
  }
  p->dstate = st;
  if (i == n && !p->to_server.len) {
    /* all of it goes on and nothing is ahead of it: hand the buffer over, no copy */
    struct pbuf t = p->to_server;
    p->to_server = p->from_client;
    p->from_client = t;
    return;
  }
  if (put(&p->to_server, s, i)) { fail(p, "out of memory"); return; }
  consume(&p->from_client, i);
}

/* The harvest guard counts the server's 5xx to RCPT too, once they are in:
 * a RCPT waits while those still owed could reach maxbad, so a pipelined
 * dictionary attack learns no more than maxbad answers. (The server is
 * local: the wait costs its reply time, not a network round trip.) */
static int harvest_hold(const struct proxy *p, const char *line, size_t len)
{
  size_t l;
  if (!p->c.maxbad || !rules_apply(p) || !p->rcpt_owed || p->bad + p->rcpt_owed < p->c.maxbad) return 0;
  return verb_find(line, verb_split(line, len, &l))->kind == K_RCPT;
}

static void client(struct proxy *p)
{
  while (!p->end && p->from_client.len && p->to_server.len < PROXY_BUF_MAX && p->qlen < PROXY_QUEUE_MAX &&
         p->to_client.len + p->qbytes < PROXY_BUF_MAX) {   /* our own replies wait for the client to read too */
    const char *s, *nl;
    size_t len;
    if (p->phase == PH_DATA) { body(p); if (p->phase == PH_DATA) return; continue; }
    if (waiting(p)) return;
    s = data(&p->from_client);
    nl = memchr(s, '\n', p->from_client.len);
    if (!nl) {
      if (p->from_client.len > p->c.maxline + 1) {
        if (p->phase != PH_DISCARD) { p->resume = p->phase; phase(p, PH_DISCARD); }
        consume(&p->from_client, p->from_client.len);
      }
      return;
    }
    len = (size_t)(nl - s) + 1;
    if (p->phase == PH_DISCARD || len - 1 - (len > 1 && nl[-1] == '\r') > p->c.maxline) {
      if (p->phase == PH_DISCARD) phase(p, p->resume);
      if (p->phase == PH_AUTH_LINE) {   /* the server waits for this answer: cancel (RFC 4954 4), its reply answers the line */
        phase(p, PH_WAIT_AUTH);
        if (put(&p->to_server, "*\r\n", 3)) fail(p, "out of memory");
      } else
        local(p, "500 5.5.2 line too long");
    } else if (p->phase == PH_AUTH_LINE) {
      phase(p, PH_WAIT_AUTH);   /* an AUTH answer, not a command: it goes on as it is */
      if (put(&p->to_server, s, len)) fail(p, "out of memory");
    } else if (harvest_hold(p, s, len))
      return;                   /* the RCPT stays where it is until the server's answers are in */
    else
      command(p, s, len);
    consume(&p->from_client, len);
  }
}

/* ---- the server's replies ---- */

static void log_ehlo_removed(struct proxy *p, int removed)
{
  char names[64];
  if (smtpreply_ehlo_names(removed, names, sizeof names)) log_event(p, "ehlo", "removed", names);
}

/* What the reply to the command at the head of the queue means. */
static void on_reply(struct proxy *p, struct owed *e, char *r, size_t *len, int code)
{
  int ok = code / 100 == 2;
  switch (e->kind) {
    case K_MAIL:
      if (p->phase == PH_WAIT_MAIL && p->qlen == 1) {   /* the MAIL that waits is always the last one sent */
        phase(p, PH_COMMAND);
        if (ok) p->server_unsure = 0;
        if (ok) txn_begin(p, TX_OPEN, p->pending, p->plen);   /* now the server has this one, and only this one */
      } else if (p->txn == TX_SENT) {                    /* sent with no transaction open */
        if (ok) p->txn = TX_OPEN;
        else txn_close(p);                               /* refused: there is still none */
      }
      pop(p);
      break;
    case K_HELO: case K_RSET:   /* refused (exim, Postfix: EHLO without argument, RSET with one): the transaction stays there */
      p->server_unsure = !ok;
      pop(p);
      break;
    case K_EHLO:
      p->server_unsure = !ok;
      if (code == 250) {
        int removed;
        *len = smtpreply_ehlo_filter(r, *len, &removed);
        log_ehlo_removed(p, removed);
      }
      pop(p);
      break;
    case K_BANNER:
      pop(p);
      if (p->swallow_banner) {   /* the fresh server after TLS: the client said EHLO, not hello */
        p->swallow_banner = 0;
        if (code != 220) fail(p, "backend refused the session after TLS");
        *len = 0;
      }
      break;
    case K_DATA:
      if (code == 354) { e->kind = K_DATAEND; p->dstate = S_BOL; phase(p, PH_DATA); }
      else { phase(p, PH_COMMAND); pop(p); }
      break;
    case K_AUTH:
      if (code == 334) { phase(p, PH_AUTH_LINE); break; }
      if (code == 235) { p->authenticated = 1; log_event(p, "auth", 0, 0); }
      phase(p, PH_COMMAND);
      pop(p);
      break;
    case K_RCPT:
      --p->rcpt_owed;
      if (code / 100 == 5) ++p->bad;   /* the server's "no such user" counts for the harvest guard too */
      pop(p);
      break;
    case K_QUIT: p->quit_done = 1; pop(p); break;
    default: pop(p);
  }
}

/* An EHLO reply, with STARTTLS offered after the greeting line when we can. */
static int put_ehlo(struct proxy *p, const char *r, size_t len)
{
  static const char more[] = "250-STARTTLS\r\n", last[] = "250 STARTTLS\r\n";
  const char *nl = memchr(r, '\n', len);
  size_t first = nl ? (size_t)(nl - r) + 1 : len;
  if (first < 4 || put(&p->to_client, r, first)) return -1;
  if (first == len) {    /* a one-line reply: its line becomes 250-, ours the last */
    p->to_client.s[p->to_client.off + p->to_client.len - first + 3] = '-';
    return put(&p->to_client, last, sizeof last - 1);
  }
  if (put(&p->to_client, more, sizeof more - 1)) return -1;
  return put(&p->to_client, r + first, len - first);
}

static void reply(struct proxy *p, char *r, size_t len, int code)
{
  int ehlo, owed = p->qlen && p->q[p->qhead].kind != K_TLS;   /* a STARTTLS is not the server's to answer */
  if (!owed || p->phase == PH_DATA) {
    /* nothing owed, or the server answered in the middle of a body: the two
     * sides disagree about where a message ends (smuggling) */
    if (code != 421) { fail(p, "desync"); return; }
    put(&p->to_client, r, len);   /* the server is closing the session */
    if (p->phase == PH_DATA) end_session(p, PROXY_FAILED, "server ended the session during DATA", 0, 0);
    return;
  }
  ehlo = p->q[p->qhead].kind == K_EHLO && code == 250 && p->c.tls_offer && !p->tls;
  on_reply(p, &p->q[p->qhead], r, &len, code);
  if (p->end) return;
  if (ehlo ? put_ehlo(p, r, len) : put(&p->to_client, r, len)) { fail(p, "out of memory"); return; }
  flush_locals(p);
}

static void server(struct proxy *p)
{
  while (!p->end && p->from_server.len) {
    int code = 0;
    long n = smtpreply_complete(data(&p->from_server), p->from_server.len, &code);
    if (n < 0) { fail(p, "backend spoke no SMTP"); return; }
    if (!n) return;
    reply(p, p->from_server.s + p->from_server.off, (size_t)n, code);
    consume(&p->from_server, (size_t)n);
  }
}

static void run(struct proxy *p)
{
  size_t before;
  do {
    before = p->from_client.len + p->from_server.len + p->qlen;
    server(p);
    client(p);
  } while (!p->end && p->from_client.len + p->from_server.len + p->qlen != before);
}

/* ---- the interface ---- */

struct proxy *proxy_new(const struct proxy_conf *c)
{
  struct proxy *p = calloc(1, sizeof *p);
  if (!p) return 0;
  p->c = *c;
  p->phase = PH_COMMAND;
  p->txn = TX_NONE;
  p->tls = c->tls_active;
  if (push(p, K_BANNER, 0, 0)) { free(p); return 0; }
  return p;
}

/* ---- STARTTLS: the driver's side ---- */

enum proxy_tls proxy_tls_state(const struct proxy *p)
{
  if (p->end) return PROXY_TLS_NONE;
  if (p->phase == PH_WAIT_TLS && p->qlen == 1 && p->q[p->qhead].kind == K_TLS) return PROXY_TLS_ASK;
  if (p->phase == PH_TLS) return PROXY_TLS_HANDSHAKE;
  return PROXY_TLS_NONE;
}

void proxy_tls_refuse(struct proxy *p)
{
  static const char no[] = "454 4.7.0 TLS not available due to temporary reason\r\n";
  if (proxy_tls_state(p) != PROXY_TLS_ASK) return;
  pop(p);
  p->c.tls_offer = 0;          /* not offered again in this session */
  phase(p, PH_COMMAND);
  if (put(&p->to_client, no, sizeof no - 1)) { fail(p, "out of memory"); return; }
  run(p);                      /* still plaintext: what followed is the next command */
}

void proxy_tls_go(struct proxy *p)
{
  static const char go[] = "220 2.0.0 ready to start TLS\r\n";
  if (proxy_tls_state(p) != PROXY_TLS_ASK) return;
  pop(p);
  if (p->from_client.len) {    /* sent before our 220: never executed, before or after TLS */
    char n[NUM_FMT + 1];
    n[num_fmt(n, (unsigned long)p->from_client.len)] = 0;
    log_event(p, "tlsdiscard", "bytes", n);
    consume(&p->from_client, p->from_client.len);
  }
  phase(p, PH_TLS);
  if (put(&p->to_client, go, sizeof go - 1)) fail(p, "out of memory");
}

void proxy_tls_up(struct proxy *p)
{
  if (proxy_tls_state(p) != PROXY_TLS_HANDSHAKE) return;
  while (p->qlen) pop(p);
  consume(&p->from_client, p->from_client.len);
  consume(&p->from_server, p->from_server.len);
  consume(&p->to_server, p->to_server.len);
  txn_close(p);
  p->authenticated = 0;        /* RFC 3207 4.2: nothing of the plaintext session survives */
  p->server_unsure = 0;        /* a fresh server */
  p->rcpt_owed = 0;            /* nothing is owed by it (the harvest count, p->bad, stays: one session) */
  p->hlen = 0;                 /* not even the HELO name (SPF's HELO identity) */
  p->helo[0] = 0;
  p->quit_done = 0;
  p->dstate = S_BOL;
  p->tls = 1;
  p->swallow_banner = 1;
  phase(p, PH_COMMAND);
  if (push(p, K_BANNER, 0, 0)) fail(p, "out of memory");
}

int proxy_tls_active(const struct proxy *p) { return p->tls; }

int proxy_in_body(const struct proxy *p) { return p->phase == PH_DATA; }

void proxy_free(struct proxy *p)
{
  if (!p) return;
  while (p->qlen) pop(p);
  free(p->q);
  free(p->from_client.s);
  free(p->from_server.s);
  free(p->to_client.s);
  free(p->to_server.s);
  free(p);
}

size_t proxy_room(const struct proxy *p, enum proxy_side from)
{
  if (p->end || p->to_client.len >= PROXY_BUF_MAX) return 0;
  if (from == PROXY_SERVER) return p->from_server.len < PROXY_BUF_MAX ? PROXY_BUF_MAX - p->from_server.len : 0;
  if (p->client_eof || p->to_server.len >= PROXY_BUF_MAX || p->qlen >= PROXY_QUEUE_MAX) return 0;
  if (p->phase == PH_WAIT_TLS || p->phase == PH_TLS) return 0;   /* the next client byte is the handshake's */
  return p->from_client.len < PROXY_BUF_MAX ? PROXY_BUF_MAX - p->from_client.len : 0;
}

char *proxy_space(struct proxy *p, enum proxy_side from, size_t *room)
{
  struct pbuf *b = from == PROXY_CLIENT ? &p->from_client : &p->from_server;
  size_t n = proxy_room(p, from);
  *room = 0;
  if (!n) return 0;
  if (reserve(b, n)) { fail(p, "out of memory"); return 0; }
  *room = n;
  return b->s + b->off + b->len;
}

void proxy_commit(struct proxy *p, enum proxy_side from, size_t n)
{
  struct pbuf *b = from == PROXY_CLIENT ? &p->from_client : &p->from_server;
  b->len += n;
  run(p);
}

void proxy_input(struct proxy *p, enum proxy_side from, const char *b, size_t n)
{
  if (put(from == PROXY_CLIENT ? &p->from_client : &p->from_server, b, n)) { fail(p, "out of memory"); return; }
  run(p);
}

static void server_eof(struct proxy *p)
{
  if (p->end) return;
  if (p->quit_done) { p->end = PROXY_DONE; return; }
  if (p->client_eof) {   /* the client left first; the server saw that and quit */
    if (p->qlen) put(&p->to_client, gone, sizeof gone - 1);
    p->end = PROXY_DONE;
    return;
  }
  fail(p, "backend went away");
}

void proxy_eof(struct proxy *p, enum proxy_side from)
{
  if (from == PROXY_CLIENT) p->client_eof = 1;
  else server_eof(p);
}

const char *proxy_output(const struct proxy *p, enum proxy_side to, size_t *len)
{
  const struct pbuf *b = to == PROXY_CLIENT ? &p->to_client : &p->to_server;
  *len = b->len;
  return data(b);
}

void proxy_sent(struct proxy *p, enum proxy_side to, size_t n)
{
  consume(to == PROXY_CLIENT ? &p->to_client : &p->to_server, n);
  if (!p->end) run(p);      /* room again: what was held back may go on */
}

void proxy_drop_output(struct proxy *p, enum proxy_side to)
{
  struct pbuf *b = to == PROXY_CLIENT ? &p->to_client : &p->to_server;
  consume(b, b->len);
  if (!p->end) run(p);
}

int proxy_client_done(const struct proxy *p)
{
  const char *s = data(&p->from_client);
  if (!p->client_eof) return 0;
  if (!p->from_client.len) return 1;
  if (waiting(p)) return 0;   /* the reply decides what the rest is */
  if (p->phase == PH_DATA) return p->from_client.len == 1 && s[0] == '\r';   /* only a held CR is left */
  return !memchr(s, '\n', p->from_client.len);    /* an unfinished last line never goes on */
}

int proxy_idle(const struct proxy *p) { return !p->qlen; }

enum proxy_end proxy_end(const struct proxy *p, const char **why)
{
  if (why) *why = p->why;
  return p->end;
}

unsigned long proxy_check_wanted(struct proxy *p, struct proxy_check_req *req)
{
  if (!p->check_id || p->check_started || p->phase != PH_WAIT_CHECK || p->end) return 0;
  p->check_started = 1;
  req->id = p->check_id;
  req->sender = p->sender;
  req->slen = p->slen;
  req->helo = p->helo;
  req->hlen = p->hlen;
  return p->check_id;
}

void proxy_check_done(struct proxy *p, unsigned long id, const struct proxy_check *r)
{
  size_t n = 0;
  if (!id || id != p->check_id || p->phase != PH_WAIT_CHECK || p->end) return;
  if (r->action && r->reply) {
    n = strlen(r->reply);
    if (n > RULES_MSG_MAX) n = RULES_MSG_MAX;
    memcpy(p->check_reply, r->reply, n);
  }
  p->check_reply[n] = 0;
  p->check_action = r->action;
  p->check_key = r->key;
  p->check_val = r->val;
  phase(p, PH_COMMAND);
  run(p);
}

unsigned long proxy_rcpts_forwarded(const struct proxy *p) { return p->rcpt_fwd_total; }

int proxy_rules_apply(const struct proxy *p) { return rules_apply(p); }
