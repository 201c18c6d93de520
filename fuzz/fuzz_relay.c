/* REVIEW: the relay against a model server. fuzz_proxy gives the server side
 * random bytes; here the server is a small SMTP server that reads what the
 * proxy forwards and answers as a real one would (qmail-smtpd or Postfix,
 * chosen by the first byte), and the driver's parts (sender checks, STARTTLS)
 * are played as rcptfilter.c plays them. The invariant is the product's
 * first promise: every RCPT the server accepts was judged by the rules, for
 * that recipient, with the sender the server has (the log's allow/pass lines
 * are the judgements). And: nothing judged while a sender check is out; a
 * refusing check lets only postmaster@ and abuse@ through; the server never
 * sees STARTTLS.
 *
 * Input: byte 0 = config (1 checks, 2 STARTTLS offered, 4 the server is
 * Postfix-like: verbs split at any white space, nested MAIL 503, EHLO/HELO
 * without argument and RSET with one refused and the transaction kept; else
 * qmail-smtpd-like: the verb ends at ' ' or NUL, nested MAIL replaces);
 * then steps: b & 7 = 0..2 client bytes ((b >> 3) + 1 of them), 3 the server
 * reads one line, 4 the server reads all, 5 the sender check answers (b >> 3:
 * pass / fail / temperror), 6 the driver's STARTTLS part, 7 client EOF.
 * Server decisions (accept or refuse a MAIL/RCPT) come from b >> 3 of step 3/4. */
#include <ctype.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "proxy.h"
#include "rules.h"
#include "rulesfile.h"
#include "rulesmake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char rules_text[] =
  "joe@x.example:@bad.example:deny\n"
  "@closed.example::deny\n"
  "alice@closed.example::allow\n";

static struct rules *rules;

static struct rules *build(void)
{
  struct rulesmake m;
  struct rule r;
  const char *why, *p = rules_text;
  unsigned long line = 0;
  char path[] = "/tmp/fuzz_relay.XXXXXX";
  int fd = mkstemp(path);
  struct rules *out;
  if (fd == -1 || rulesmake_start(&m, fd) == -1) abort();
  while (*p) {
    const char *nl = strchr(p, '\n');
    ++line;
    if (rulesfile_line(p, (size_t)(nl - p), &r, &why) == 1 && rulesmake_add(&m, &r, line) != 0) abort();
    p = nl + 1;
  }
  if (rulesmake_finish(&m, "rules")) abort();
  rulesmake_free(&m);
  close(fd);
  out = rules_open(path);
  unlink(path);
  if (!out) abort();
  return out;
}

/* ---- what the proxy judged (its log), each used once ---- */
#define JUDGED_MAX 4096
static struct { char from[400], rcpt[400]; int used; } judged[JUDGED_MAX];
static size_t njudged;
static int check_out;          /* a sender check has been asked for and not answered */

static int is_role(const char *r, size_t n)
{
  return (n >= 11 && !memcmp(r, "postmaster@", 11)) || (n >= 6 && !memcmp(r, "abuse@", 6)) || !strcmp(r, "postmaster");
}

static void record(void *ctx, const struct proxy_event *e)
{
  (void)ctx;
  if (!e->rcpt || (strcmp(e->action, "allow") && strcmp(e->action, "pass"))) return;
  if (check_out) __builtin_trap();                       /* judged before the sender check answered */
  if (e->val && !strcmp(e->val, "fail") && !is_role(e->rcpt, e->rlen)) __builtin_trap();   /* the check refused this one */
  if (njudged == JUDGED_MAX || e->flen >= 400 || e->rlen >= 400) return;
  memcpy(judged[njudged].from, e->from, e->flen); judged[njudged].from[e->flen] = 0;
  memcpy(judged[njudged].rcpt, e->rcpt, e->rlen); judged[njudged].rcpt[e->rlen] = 0;
  judged[njudged++].used = 0;
}

/* ---- the model server ---- */
struct model {
  int postfix;
  int txn, nrcpt, body;
  char sender[400];
  char in[1 << 17];
  size_t inlen;
};

/* qmail-smtpd's addrparse(): from the first '<' anywhere, else after the
 * first ':'; "@route:" dropped; quotes and backslashes vanish. Lowercased,
 * one trailing dot of the domain dropped, as the proxy compares. */
static void qmail_addr(const char *arg, char *out)
{
  char term = '>';
  const char *lt = strchr(arg, '<');
  size_t n = 0;
  int esc = 0, q = 0;
  if (lt) arg = lt + 1;
  else {
    term = ' ';
    if (strchr(arg, ':')) arg = strchr(arg, ':') + 1;
    while (*arg == ' ') ++arg;
  }
  if (*arg == '@') while (*arg) if (*arg++ == ':') break;
  for (; *arg && n < 398; ++arg) {
    if (esc) { out[n++] = (char)tolower((unsigned char)*arg); esc = 0; continue; }
    if (!q && *arg == term) break;
    if (*arg == '\\') esc = 1;
    else if (*arg == '"') q = !q;
    else out[n++] = (char)tolower((unsigned char)*arg);
  }
  if (n && out[n - 1] == '.' && memchr(out, '@', n)) --n;
  out[n] = 0;
}

static void say(struct proxy *p, const char *s) { proxy_input(p, PROXY_SERVER, s, strlen(s)); }

static void accept_rcpt(const struct model *m, const char *rcpt)
{
  size_t i;
  for (i = 0; i < njudged; ++i)
    if (!judged[i].used && !strcmp(judged[i].from, m->sender) && !strcmp(judged[i].rcpt, rcpt)) { judged[i].used = 1; return; }
  __builtin_trap();              /* the server takes a RCPT the rules did not judge, for it, with this sender */
}

static void model_line(struct model *m, struct proxy *p, char *l, size_t len, unsigned choice)
{
  char verb[16], addr[400], *arg;
  size_t v = 0, i = 0;
  if (m->body) {
    if ((len == 3 && !memcmp(l, ".\r\n", 3)) || (len == 2 && !memcmp(l, ".\n", 2))) {
      m->body = 0; m->txn = 0; m->nrcpt = 0;
      say(p, choice & 1 ? "250 ok queued\r\n" : "554 no\r\n");
    }
    return;
  }
  if (len && l[len - 1] == '\n') l[--len] = 0;
  if (len && l[len - 1] == '\r') l[--len] = 0;     /* qmail-smtpd strips one CR; Postfix's tokenizer eats the rest */
  if (m->postfix) {
    l[len] = 0;                                  /* a C string: a NUL ends it */
    while (l[i] && isspace((unsigned char)l[i])) ++i;
    while (l[i + v] && !isspace((unsigned char)l[i + v])) ++v;
    arg = l + i + v;
    while (*arg && isspace((unsigned char)*arg)) ++arg;
  } else {
    l[len] = 0;
    while (l[v] && l[v] != ' ') ++v;
    arg = l + v;
    while (*arg == ' ') ++arg;
  }
  if (v >= sizeof verb) v = sizeof verb - 1;
  memcpy(verb, l + i, v); verb[v] = 0;
  if (!strcasecmp(verb, "STARTTLS")) __builtin_trap();   /* the backend never sees STARTTLS */
  if (!strcasecmp(verb, "EHLO") || !strcasecmp(verb, "HELO")) {
    if (m->postfix && !*arg) { say(p, "501 syntax\r\n"); return; }   /* the transaction stays */
    m->txn = 0; m->nrcpt = 0;
    say(p, !strcasecmp(verb, "EHLO") ? "250-model\r\n250 PIPELINING\r\n" : "250 model\r\n");
  } else if (!strcasecmp(verb, "RSET")) {
    if (m->postfix && *arg) { say(p, "501 syntax\r\n"); return; }
    m->txn = 0; m->nrcpt = 0;
    say(p, "250 ok\r\n");
  } else if (!strcasecmp(verb, "MAIL")) {
    if (m->postfix && m->txn) { say(p, "503 nested\r\n"); return; }
    if (!(choice & 3)) { say(p, "552 no\r\n"); return; }
    qmail_addr(arg, addr);
    strcpy(m->sender, addr);
    m->txn = 1; m->nrcpt = 0;
    say(p, "250 ok\r\n");
  } else if (!strcasecmp(verb, "RCPT")) {
    if (!m->txn) { say(p, "503 MAIL first\r\n"); return; }
    qmail_addr(arg, addr);
    if (!(choice & 3)) { say(p, "550 no such user\r\n"); return; }
    accept_rcpt(m, addr);
    ++m->nrcpt;
    say(p, "250 ok\r\n");
  } else if (!strcasecmp(verb, "DATA")) {
    if (!m->txn || !m->nrcpt) { say(p, "503 RCPT first\r\n"); return; }
    m->body = 1;
    say(p, "354 go\r\n");
  } else if (!strcasecmp(verb, "QUIT")) say(p, "221 bye\r\n");
  else if (!strcasecmp(verb, "NOOP")) say(p, "250 ok\r\n");
  else say(p, "502 unimplemented\r\n");   /* AUTH too: the rules always apply here */
}

/* The server reads what the proxy sent it, and answers up to `lines` lines. */
static void model_run(struct model *m, struct proxy *p, int lines, unsigned choice)
{
  size_t len;
  const char *s = proxy_output(p, PROXY_SERVER, &len);
  if (len > sizeof m->in - 1 - m->inlen) len = sizeof m->in - 1 - m->inlen;
  memcpy(m->in + m->inlen, s, len);
  m->inlen += len;
  proxy_sent(p, PROXY_SERVER, len);
  while (lines-- && !proxy_end(p, 0)) {
    char *nl = memchr(m->in, '\n', m->inlen), line[1 << 17];
    size_t n;
    if (!nl) return;
    n = (size_t)(nl - m->in) + 1;
    memcpy(line, m->in, n);
    line[n] = 0;
    memmove(m->in, m->in + n, m->inlen - n);
    m->inlen -= n;
    if (getenv("FUZZ_RELAY_TRACE")) { fputs("server< ", stderr); fwrite(line, 1, n, stderr); }
    model_line(m, p, line, n, choice);
    choice = choice * 7 + 3;
  }
}

static struct model model;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct proxy *p;
  struct proxy_conf c;
  struct proxy_check_req req;
  unsigned long id = 0;
  size_t i = 1, len;

  if (!size) return 0;
  if (!rules) rules = build();
  memset(&c, 0, sizeof c);
  c.rules = rules;
  c.checks = data[0] & 1;
  c.tls_offer = (data[0] & 2) != 0;
  c.maxline = 512;
  c.maxrcpt = 5;
  c.maxbad = 8;
  c.log = record;
  njudged = 0;
  check_out = 0;
  memset(&model, 0, sizeof model);
  model.postfix = (data[0] & 4) != 0;
  p = proxy_new(&c);
  if (!p) return 0;
  say(p, "220 model\r\n");
  while (i < size && !proxy_end(p, 0)) {
    uint8_t b = data[i++];
    size_t n = (size_t)(b >> 3) + 1;
    unsigned long w;
    switch (b & 7) {
      case 0: case 1: case 2:
        if (n > size - i) n = size - i;
        if (proxy_room(p, PROXY_CLIENT) >= n) {
          if (getenv("FUZZ_RELAY_TRACE")) { fputs("client> ", stderr); fwrite(data + i, 1, n, stderr); fputs("|\n", stderr); }
          proxy_input(p, PROXY_CLIENT, (const char *)data + i, n);
        }
        i += n;
        break;
      case 3: model_run(&model, p, 1, b >> 3); break;
      case 4: model_run(&model, p, 64, b >> 3); break;
      case 5:
        if (id) {
          static const struct proxy_check pass = { 0, 0, "spf", "pass" };
          static const struct proxy_check fail = { "spf", "550 5.7.23 SPF fail", "spf", "fail" };
          static const struct proxy_check temp = { "spf", "451 4.7.24 SPF temperror", "spf", "temperror" };
          unsigned long answer = id;
          id = 0;
          check_out = 0;
          proxy_check_done(p, answer, (b >> 3) % 3 == 0 ? &pass : (b >> 3) % 3 == 1 ? &fail : &temp);
        }
        break;
      case 6:
        if (proxy_tls_state(p) == PROXY_TLS_ASK) { if (b & 8) proxy_tls_go(p); else proxy_tls_refuse(p); }
        else if (proxy_tls_state(p) == PROXY_TLS_HANDSHAKE) {
          proxy_output(p, PROXY_CLIENT, &len);
          proxy_sent(p, PROXY_CLIENT, len);
          proxy_tls_up(p);
          memset(&model, 0, sizeof model);          /* a fresh server */
          model.postfix = (data[0] & 4) != 0;
          say(p, "220 fresh\r\n");
        }
        break;
      case 7: proxy_eof(p, PROXY_CLIENT); break;
    }
    /* the driver asks for a check every time round its loop */
    if ((w = proxy_check_wanted(p, &req)) != 0) { id = w; check_out = 1; }
    proxy_output(p, PROXY_CLIENT, &len);
    proxy_sent(p, PROXY_CLIENT, len);
  }
  proxy_free(p);
  return 0;
}
