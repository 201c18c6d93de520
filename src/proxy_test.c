/* The relay state machine without sockets: scripted bytes in, exact bytes out. */
#include <stdlib.h>
#include <string.h>
#include "proxy.h"
#include "test.h"

static struct proxy p;

static void init(const char *rblsmtpd, int relay)
{
  struct proxy_conf c;
  memset(&c, 0, sizeof c);
  c.rules = 0;                 /* no rules: every checked RCPT gets 451 */
  c.rules_off = relay;
  c.rblsmtpd = rblsmtpd;
  c.maxline = 512;
  c.ip = "192.0.2.1";
  proxy_free(&p);
  proxy_init(&p, &c);
}

static const char *take(struct pbuf *b)
{
  static char out[8192];
  size_t n = b->len < sizeof out - 1 ? b->len : sizeof out - 1;
  memcpy(out, b->s, n);
  out[n] = 0;
  pbuf_consume(b, b->len);
  return out;
}

static void cl(const char *s) { proxy_client_input(&p, s, strlen(s)); }
static void be(const char *s) { proxy_backend_input(&p, s, strlen(s)); }

int main(void)
{
  memset(&p, 0, sizeof p);
  init(0, 1);                          /* RELAYCLIENT: a plain relay */
  be("220 hi\r\n");
  CHECK_STR(take(&p.tocl), "220 hi\r\n", "banner relayed");
  cl("EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nbody\r\n");
  CHECK_STR(take(&p.tobe), "EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n", "pipelined group forwarded, stops at DATA");
  be("250-x\r\n250-STARTTLS\r\n250 PIPELINING\r\n250 ok\r\n250 ok\r\n");
  CHECK_STR(take(&p.tocl), "250-x\r\n250 PIPELINING\r\n250 ok\r\n250 ok\r\n", "replies in order, EHLO filtered");
  CHECK_STR(take(&p.tobe), "", "body held until 354");
  be("354 go\r\n");
  CHECK_STR(take(&p.tocl), "354 go\r\n", "354 relayed");
  CHECK_STR(take(&p.tobe), "body\r\n", "then the body");
  cl(".\r");
  CHECK_STR(take(&p.tobe), ".", "a final CR waits for its LF");
  cl("\nQUIT\r\n");
  CHECK_STR(take(&p.tobe), "\r\nQUIT\r\n", "end of data, and QUIT pipelined after the dot");
  be("250 queued\r\n221 bye\r\n");
  CHECK_STR(take(&p.tocl), "250 queued\r\n221 bye\r\n", "final replies");

  init(0, 0);                          /* rules unreadable */
  be("220 hi\r\n");
  take(&p.tocl);
  cl("MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nRCPT TO:<e@f.example>\r\nDATA\r\nNOOP\r\n");
  CHECK_STR(take(&p.tobe), "MAIL FROM:<a@b.example>\r\nNOOP\r\n", "no transaction open: MAIL believed at once, NOOP follows");
  CHECK_STR(take(&p.tocl), "", "nothing answered before the MAIL reply");
  be("250 ok\r\n");
  CHECK_STR(take(&p.tocl), "250 ok\r\n451 4.3.0 unable to read the recipient rules, try again later\r\n"
            "451 4.3.0 unable to read the recipient rules, try again later\r\n554 5.5.1 no valid recipients\r\n",
            "local answers slotted after the MAIL reply");
  CHECK_STR(take(&p.tobe), "", "nothing but MAIL and NOOP forwarded");
  be("250 noop\r\n");
  CHECK_STR(take(&p.tocl), "250 noop\r\n", "then the NOOP reply");
  cl("MAIL FROM:<b@c.example>\r\nRCPT TO:<x@y.example>\r\n");
  CHECK_STR(take(&p.tobe), "MAIL FROM:<b@c.example>\r\n", "a transaction open: the next MAIL waits for its reply");
  be("503 nested\r\n");
  CHECK_STR(take(&p.tocl), "503 nested\r\n451 4.3.0 unable to read the recipient rules, try again later\r\n",
            "refused: the RCPT is judged in the transaction still open");
  CHECK_STR(take(&p.tobe), "", "and not forwarded");

  init("-listed", 0);
  be("220 hi\r\n");
  take(&p.tocl);
  cl("MAIL FROM:<>\r\nRCPT TO:<Postmaster@x.example>\r\nRCPT TO:<joe@x.example>\r\n");
  be("250 ok\r\n");
  CHECK_STR(take(&p.tocl), "250 ok\r\n451 4.3.0 unable to read the recipient rules, try again later\r\n553 listed\r\n",
            "RBLSMTPD: postmaster escapes it (then meets the unreadable rules), joe gets 553");

  init(0, 1);
  be("220 hi\r\n");
  take(&p.tocl);
  cl("DATA\r\n");
  be("354 go\r\n");
  take(&p.tocl); take(&p.tobe);
  cl("a\nb\r\n.\r\n");
  CHECK_INT(p.end, PROXY_ABORT, "bare LF aborts");
  CHECK_STR(take(&p.tobe), "", "not one byte of it forwarded");
  CHECK(strstr(take(&p.tocl), "451 4.5.0") != 0, "451 to the client");

  init(0, 1);
  be("220 hi\r\n");
  take(&p.tocl);
  cl("NOOP\r\n");
  proxy_backend_eof(&p);
  CHECK_INT(p.end, PROXY_FAILED, "backend gone with a reply owed");
  CHECK_STR(take(&p.tocl), "421 4.3.0 mail server unavailable, try again later\r\n", "421");

  init(0, 1);
  be("220 hi\r\n");
  take(&p.tocl);
  be("garbage\r\n");
  CHECK_INT(p.end, PROXY_FAILED, "backend speaking no SMTP");
  proxy_free(&p);
  return test_done();
}
