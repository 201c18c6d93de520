#include <stdlib.h>
#include <string.h>
#include "num.h"
#include <strings.h>
#include <unistd.h>
#include "proxy.h"
#include "smtpreply.h"
#include "logline.h"
#include "sanitize.h"

enum { S_BOL, S_MID, S_CR, S_DOT, S_DOTCR };   /* end-of-data scanner */

static const char bare_lf[] = "451 4.5.0 bare LF or CR in message, see https://cr.yp.to/docs/smtplf.html\r\n";
static const char gone[] = "421 4.3.0 mail server unavailable, try again later\r\n";

static int put(struct pbuf *b, const char *s, size_t n)
{
  if (!n) return 0;
  if (n > PROXY_BUF_MAX * 2 - b->len) return -1;   /* callers keep within the limits; this is the backstop */
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    char *t;
    while (cap < b->len + n) cap *= 2;
    t = realloc(b->s, cap);
    if (!t) return -1;
    b->s = t;
    b->cap = cap;
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  return 0;
}

void pbuf_consume(struct pbuf *b, size_t n)
{
  if (n > b->len) n = b->len;
  if (!n) return;
  memmove(b->s, b->s + n, b->len - n);
  b->len -= n;
}

static void fail(struct proxy *p, const char *why)
{
  if (p->end) return;
  p->end = PROXY_FAILED;
  p->why = why;
  put(&p->tocl, gone, sizeof gone - 1);   /* a client that closed its side may still read */
}

void proxy_fail(struct proxy *p, const char *why) { fail(p, why); }

void proxy_say(struct proxy *p, const char *line)
{
  put(&p->tocl, line, strlen(line));
}

static void log_rcpt(struct proxy *p, const char *action, const char *rcpt, size_t rlen, const struct rules_decision *d)
{
  struct logline l;
  char addr[ADDR_MAX + 3];
  logline_start(&l, "rcptfilter");
  logline_str(&l, "ip", p->c.ip);
  logline_ulong(&l, "pid", (unsigned long)getpid());
  logline_str(&l, "action", action);
  addr[0] = '<'; memcpy(addr + 1, p->sender, p->slen); addr[p->slen + 1] = '>';
  logline_bytes(&l, "from", addr, p->slen + 2);
  addr[0] = '<'; memcpy(addr + 1, rcpt, rlen); addr[rlen + 1] = '>';
  logline_bytes(&l, "rcpt", addr, rlen + 2);
  if (d && d->rule) {
    char where[RULES_FILE_MAX + 1 + NUM_FMT];
    size_t n = strlen(d->file);
    logline_ulong(&l, "rule", d->rule);
    memcpy(where, d->file, n);
    where[n] = ':';
    logline_bytes(&l, "file", where, n + 1 + num_fmt(where + n + 1, d->line));
  }
  logline_end(&l);
}

static void log_event(struct proxy *p, const char *action, const char *k, const char *v)
{
  struct logline l;
  logline_start(&l, "rcptfilter");
  logline_str(&l, "ip", p->c.ip);
  logline_ulong(&l, "pid", (unsigned long)getpid());
  logline_str(&l, "action", action);
  if (k) logline_str(&l, k, v);
  logline_end(&l);
}

static int push(struct proxy *p, enum proxy_kind kind, const char *text, size_t len)
{
  struct proxy_entry *e;
  if (p->qhead + p->qlen == p->qcap) {
    if (p->qhead) {
      memmove(p->q, p->q + p->qhead, p->qlen * sizeof *p->q);
      p->qhead = 0;
    } else {
      size_t cap = p->qcap ? p->qcap * 2 : 64;
      struct proxy_entry *t = realloc(p->q, cap * sizeof *t);
      if (!t) return -1;
      p->q = t;
      p->qcap = cap;
    }
  }
  e = &p->q[p->qhead + p->qlen++];
  e->kind = kind;
  e->text = 0;
  e->len = 0;
  if (text) {
    e->text = malloc(len);
    if (!e->text) { --p->qlen; return -1; }
    memcpy(e->text, text, len);
    e->len = len;
  }
  return 0;
}

static void pop(struct proxy *p)
{
  free(p->q[p->qhead].text);
  ++p->qhead;
  --p->qlen;
  if (!p->qlen) p->qhead = 0;
}

/* Local replies that reached the head of the queue leave now. */
static void flush_locals(struct proxy *p)
{
  while (p->qlen && p->q[p->qhead].kind == PK_LOCAL) {
    if (put(&p->tocl, p->q[p->qhead].text, p->q[p->qhead].len)) { fail(p, "out of memory"); return; }
    pop(p);
  }
}

static void local(struct proxy *p, const char *reply)
{
  char line[RULES_MSG_MAX + 3];
  size_t n = strlen(reply);
  if (n > RULES_MSG_MAX) n = RULES_MSG_MAX;
  memcpy(line, reply, n);
  line[n++] = '\r';
  line[n++] = '\n';
  if (push(p, PK_LOCAL, line, n)) { fail(p, "out of memory"); return; }
  flush_locals(p);
}

static void forward(struct proxy *p, enum proxy_kind kind, const char *line, size_t len)
{
  if (push(p, kind, 0, 0) || put(&p->tobe, line, len)) fail(p, "out of memory");
}

static void new_transaction(struct proxy *p)
{
  p->have_sender = p->tentative = 0;
  p->slen = 0;
  p->rcpt_fwd = p->rcpt_denied = 0;
}

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

static void rcpt(struct proxy *p, const char *line, size_t len, const char *arg, size_t alen)
{
  char r[ADDR_MAX + 1], reply[RULES_MSG_MAX + 1];
  size_t rlen;
  struct rules_decision d;
  enum addr_result ar = addr_parse(arg, alen, r, &rlen);

  if (ar != ADDR_OK || !rlen) {
    local(p, ar == ADDR_TOO_LONG ? "553 5.1.3 recipient address too long" : "501 5.1.3 bad recipient address syntax");
    ++p->rcpt_denied;
    return;
  }
  if (p->c.rblsmtpd && !is_role(r, rlen, "postmaster") && !is_role(r, rlen, "abuse")) {
    /* rblsmtpd2 -D: the client is listed; only postmaster and abuse may be written to */
    const char *t = p->c.rblsmtpd;
    int perm = *t == '-';
    size_t n;
    memcpy(reply, perm ? "553 " : "451 ", 4);
    n = sanitize(reply + 4, sizeof reply - 4, t + perm, strlen(t + perm));
    reply[4 + n] = 0;
    log_rcpt(p, "rblsmtpd", r, rlen, 0);
    local(p, reply);
    ++p->rcpt_denied;
    return;
  }
  if (!p->c.rules) {
    log_rcpt(p, "tempfail", r, rlen, 0);
    local(p, "451 4.3.0 unable to read the recipient rules, try again later");
    ++p->rcpt_denied;
    return;
  }
  if (addr_at(r, rlen) == rlen && !is_role(r, rlen, "postmaster")) {
    /* qmail-smtpd takes "joe" and delivers to joe@$envnoathost, perhaps the very
     * mailbox whose rules said no: only postmaster may come without a domain */
    log_rcpt(p, "refuse", r, rlen, 0);
    local(p, "553 5.1.3 recipient needs a domain");
    ++p->rcpt_denied;
    return;
  }
  if (rules_decide(p->c.rules, p->sender, p->slen, r, rlen, &d) == -1) {
    log_rcpt(p, "tempfail", r, rlen, 0);
    local(p, "451 4.3.0 unable to read the recipient rules, try again later");
    ++p->rcpt_denied;
    return;
  }
  if (d.action == RULES_DENY || d.action == RULES_TRAP) {
    log_rcpt(p, d.action == RULES_TRAP ? "trap" : "deny", r, rlen, &d);
    local(p, d.msg);
    ++p->rcpt_denied;
    return;
  }
  log_rcpt(p, d.action == RULES_ALLOW ? "allow" : "pass", r, rlen, &d);
  ++p->rcpt_fwd;
  forward(p, PK_RCPT, line, len);
}

static void command(struct proxy *p, const char *line, size_t len)
{
  size_t l = len - 1, v = 0, alen;
  const char *arg;
  int rules_on = !p->c.rules_off && !p->authenticated;

  if (l && line[l - 1] == '\r') --l;
  while (v < l && line[v] != ' ') ++v;
#define VERB(w) (v == sizeof w - 1 && !strncasecmp(line, w, v))
  /* With rules on, a RCPT is judged by the sender of the transaction the
   * backend has open: a MAIL it refuses (nested, SIZE, syntax) or one we
   * refuse leaves that transaction as it was. A MAIL sent when no transaction
   * can be open (none accepted, nothing owed) is believed at once: if the
   * backend refuses it, the RCPTs judged by it meet no transaction there and
   * get 503. Any other MAIL holds the commands after it until its reply. */
  if (VERB("MAIL")) {
    if (rules_on) {
      enum addr_result ar;
      /* rules need the sender: what we cannot read, the backend never sees */
      if (!(arg = after(line + v, l - v, "FROM:", &alen))) { local(p, "501 5.5.4 syntax: MAIL FROM:<address>"); return; }
      ar = addr_parse(arg, alen, p->pending, &p->plen);
      if (ar != ADDR_OK) {
        local(p, ar == ADDR_TOO_LONG ? "553 5.1.7 sender address too long" : "501 5.1.7 bad sender address syntax");
        return;
      }
      if (p->have_sender || p->qlen) p->wait = 1;
      else {
        new_transaction(p);
        memcpy(p->sender, p->pending, p->plen);
        p->slen = p->plen;
        p->have_sender = p->tentative = 1;
      }
    }
    forward(p, PK_MAIL, line, len);
  } else if (VERB("RCPT")) {
    if (!rules_on) { ++p->rcpt_fwd; forward(p, PK_RCPT, line, len); }
    else if (!p->have_sender) local(p, "503 5.5.1 MAIL first");   /* never a RCPT the rules have not seen */
    else if (!(arg = after(line + v, l - v, "TO:", &alen))) { local(p, "501 5.5.4 syntax: RCPT TO:<address>"); ++p->rcpt_denied; }
    else rcpt(p, line, len, arg, alen);
  } else if (VERB("DATA")) {
    if (!p->rcpt_fwd && p->rcpt_denied) { local(p, "554 5.5.1 no valid recipients"); return; }
    forward(p, PK_DATA, line, len);
    p->wait = 1;
  } else if (VERB("AUTH")) {
    forward(p, PK_AUTH, line, len);
    p->wait = 1;
  } else if (VERB("STARTTLS")) {
    log_event(p, "refuse", "command", "STARTTLS");
    local(p, "454 4.7.0 TLS not available here");
  } else if (VERB("BDAT")) {
    log_event(p, "refuse", "command", "BDAT");
    local(p, "502 5.5.1 BDAT not available here");
  } else if (VERB("EHLO")) forward(p, PK_EHLO, line, len);   /* the transaction ends with its 250 */
  else if (VERB("HELO")) forward(p, PK_HELO, line, len);
  else if (VERB("RSET")) forward(p, PK_RSET, line, len);
  else if (VERB("QUIT")) forward(p, PK_QUIT, line, len);
  else forward(p, PK_OTHER, line, len);
#undef VERB
}

/* A message body: pass it on up to and including CRLF.CRLF; a bare LF or CR ends the session. */
static void body(struct proxy *p)
{
  size_t i;
  for (i = 0; i < p->cin.len; ++i) {
    char c = p->cin.s[i];
    int s = p->dstate, bad = 0, end = 0;
    switch (s) {
      case S_BOL: s = c == '.' ? S_DOT : c == '\r' ? S_CR : S_MID; bad = c == '\n'; break;
      case S_MID: s = c == '\r' ? S_CR : S_MID; bad = c == '\n'; break;
      case S_CR: s = S_BOL; bad = c != '\n'; break;
      case S_DOT: s = c == '\r' ? S_DOTCR : S_MID; bad = c == '\n'; break;
      case S_DOTCR: end = c == '\n'; bad = !end; s = S_BOL; break;
    }
    if (bad) {
      /* never hand the backend a byte it might read as an end of data we did not see */
      p->end = PROXY_ABORT;
      p->why = "bare LF or CR in DATA";
      p->cin.len = 0;
      put(&p->tocl, bare_lf, sizeof bare_lf - 1);
      return;
    }
    p->dstate = s;
    if (end) {
      if (put(&p->tobe, p->cin.s, i + 1)) { fail(p, "out of memory"); return; }
      pbuf_consume(&p->cin, i + 1);
      p->data = 0;
      p->dstate = S_BOL;
      return;
    }
  }
  /* all of it may go on, except a final CR whose LF has not come yet */
  if (p->dstate == S_CR || p->dstate == S_DOTCR) {
    --i;
    p->dstate = p->dstate == S_CR ? S_MID : S_DOT;
  }
  if (put(&p->tobe, p->cin.s, i)) { fail(p, "out of memory"); return; }
  pbuf_consume(&p->cin, i);
}

static void client(struct proxy *p)
{
  while (!p->end && p->cin.len && p->tobe.len < PROXY_BUF_MAX && p->qlen < PROXY_QUEUE_MAX) {
    char *nl;
    size_t len;
    if (p->data) { body(p); if (p->data) return; continue; }
    if (p->wait) return;
    nl = memchr(p->cin.s, '\n', p->cin.len);
    if (!nl) {
      if (p->cin.len > p->c.maxline + 1) { p->discarding = 1; p->cin.len = 0; }
      return;
    }
    len = (size_t)(nl - p->cin.s) + 1;
    if (p->discarding || len - 1 - (len > 1 && nl[-1] == '\r') > p->c.maxline) {
      p->discarding = 0;
      local(p, "500 5.5.2 line too long");
    } else if (p->authline) {
      p->authline = 0;      /* an AUTH answer, not a command */
      p->wait = 1;
      if (put(&p->tobe, p->cin.s, len)) fail(p, "out of memory");
    } else
      command(p, p->cin.s, len);
    pbuf_consume(&p->cin, len);
  }
}

static void reply(struct proxy *p, char *r, size_t len, int code)
{
  struct proxy_entry *e;
  if (!p->qlen) { put(&p->tocl, r, len); return; }   /* unsolicited, e.g. a 421 before closing */
  e = &p->q[p->qhead];
  switch (e->kind) {
    case PK_MAIL:
      if (p->tentative) {      /* sent with no transaction open: refused, there is still none */
        p->tentative = 0;
        if (code / 100 != 2) new_transaction(p);
      } else if (p->wait && p->qlen == 1) {   /* the MAIL that waits is always the last one sent */
        p->wait = 0;
        if (code / 100 == 2) {   /* now the backend has this transaction, and only this one */
          new_transaction(p);
          memcpy(p->sender, p->pending, p->plen);
          p->slen = p->plen;
          p->have_sender = 1;
        }
      }
      pop(p);
      break;
    case PK_HELO: case PK_RSET:
      if (code / 100 == 2) new_transaction(p);
      pop(p);
      break;
    case PK_EHLO:
      if (code / 100 == 2) new_transaction(p);
      if (code == 250) {
        int removed;
        len = smtpreply_ehlo_filter(r, len, &removed);
        if (removed) log_event(p, "ehlo", "removed", removed == 1 ? "STARTTLS" : removed & 1 ? "STARTTLS,CHUNKING" : "CHUNKING");
      }
      pop(p);
      break;
    case PK_DATA:
      p->wait = 0;
      if (code == 354) { e->kind = PK_DATAEND; p->data = 1; p->dstate = S_BOL; }
      else pop(p);
      break;
    case PK_DATAEND: new_transaction(p); pop(p); break;
    case PK_AUTH:
      p->wait = 0;
      if (code == 334) p->authline = 1;
      else {
        if (code == 235) { p->authenticated = 1; log_event(p, "auth", 0, 0); }
        pop(p);
      }
      break;
    case PK_QUIT: p->quit_done = 1; pop(p); break;
    default: pop(p);
  }
  if (put(&p->tocl, r, len)) { fail(p, "out of memory"); return; }
  flush_locals(p);
}

static void backend(struct proxy *p)
{
  while (!p->end && p->bin.len) {
    int code = 0;
    long n = smtpreply_complete(p->bin.s, p->bin.len, &code);
    if (n < 0) { fail(p, "backend spoke no SMTP"); return; }
    if (!n) return;
    reply(p, p->bin.s, (size_t)n, code);
    pbuf_consume(&p->bin, (size_t)n);
  }
}

void proxy_run(struct proxy *p)
{
  size_t before;
  do {
    before = p->cin.len + p->bin.len + p->qlen;
    backend(p);
    client(p);
  } while (!p->end && p->cin.len + p->bin.len + p->qlen != before);
}

int proxy_init(struct proxy *p, const struct proxy_conf *c)
{
  memset(p, 0, sizeof *p);
  p->c = *c;
  return push(p, PK_BANNER, 0, 0);
}

int proxy_client_done(const struct proxy *p)
{
  if (!p->client_eof) return 0;
  if (!p->cin.len) return 1;
  if (p->wait) return 0;                    /* the reply decides what the rest is */
  if (p->data) return p->cin.len == 1 && p->cin.s[0] == '\r';   /* only a held CR is left */
  return !memchr(p->cin.s, '\n', p->cin.len);    /* an unfinished last line never goes on */
}

void proxy_free(struct proxy *p)
{
  while (p->qlen) pop(p);
  free(p->q); free(p->cin.s); free(p->bin.s); free(p->tocl.s); free(p->tobe.s);
}

size_t proxy_client_room(const struct proxy *p)
{
  if (p->end || p->client_eof || p->tocl.len >= PROXY_BUF_MAX || p->tobe.len >= PROXY_BUF_MAX || p->qlen >= PROXY_QUEUE_MAX) return 0;
  return p->cin.len < PROXY_BUF_MAX ? PROXY_BUF_MAX - p->cin.len : 0;
}

size_t proxy_backend_room(const struct proxy *p)
{
  if (p->end || p->tocl.len >= PROXY_BUF_MAX) return 0;
  return p->bin.len < PROXY_BUF_MAX ? PROXY_BUF_MAX - p->bin.len : 0;
}

void proxy_client_input(struct proxy *p, const char *b, size_t n)
{
  if (put(&p->cin, b, n)) { fail(p, "out of memory"); return; }
  proxy_run(p);
}

void proxy_backend_input(struct proxy *p, const char *b, size_t n)
{
  if (put(&p->bin, b, n)) { fail(p, "out of memory"); return; }
  proxy_run(p);
}

void proxy_client_eof(struct proxy *p)
{
  p->client_eof = 1;
}

void proxy_backend_eof(struct proxy *p)
{
  if (p->end) return;
  if (p->quit_done) { p->end = PROXY_DONE; return; }
  if (p->client_eof) {   /* the client left first; the backend saw that and quit */
    if (p->qlen) put(&p->tocl, gone, sizeof gone - 1);
    p->end = PROXY_DONE;
    return;
  }
  fail(p, "backend went away");
}

int proxy_idle(const struct proxy *p)
{
  return !p->qlen;
}
