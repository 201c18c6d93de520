#include <stdlib.h>
#include "received.h"
#include "test.h"

/* One header value each, as the MTA writes it, and the client it names. */
static const struct { const char *mta; const char *value; int kind; const char *ip; const char *from; } hops[] = {
  { "qmail", " from unknown (HELO mail.example.net) (203.0.113.9)\n  by mx.example.com with SMTP; 24 Nov 2026 22:10:01 -0000", 1, "203.0.113.9", "unknown" },
  { "qmail, helo = host", " from mail.example.net (203.0.113.9)\n  by mx.example.com with SMTP; 24 Nov 2026 22:10:01 -0000", 1, "203.0.113.9", "mail.example.net" },
  { "qmail, TCPREMOTEINFO", " from mail.example.net (HELO x) (joe@203.0.113.9)\n  by mx.example.com with SMTP; 24 Nov 2026 22:10:01 -0000", 1, "203.0.113.9", "mail.example.net" },
  { "qmail, bracketed HELO is not the client", " from unknown (HELO [10.0.0.1]) (203.0.113.9)\n  by mx.example.com with SMTP; 24 Nov 2026 22:10:01 -0000", 1, "203.0.113.9", "unknown" },
  { "qmail, IPv6", " from unknown (HELO x) (2001:db8::9)\n  by mx.example.com with SMTP; 24 Nov 2026 22:10:01 -0000", 1, "2001:db8::9", "unknown" },
  { "qmail-queue", " (qmail 12345 invoked from network); 24 Nov 2026 22:10:01 -0000", 0, 0, "" },
  { "qmail-inject", " (qmail 4711 invoked by uid 1000); 24 Nov 2026 22:10:01 -0000", 0, 0, "" },
  { "Postfix", " from mail.example.net (mail.example.net [203.0.113.9])\r\n\tby mx.example.com (Postfix) with ESMTPS id 4Qx7Zt1Lqkz9sT\r\n\tfor <joe@example.com>; Tue, 24 Nov 2026 22:10:01 +0000 (UTC)", 1, "203.0.113.9", "mail.example.net" },
  { "Postfix, no rDNS", " from helo.example (unknown [203.0.113.9])\n\tby mx.example.com (Postfix) with ESMTP id ABC", 1, "203.0.113.9", "helo.example" },
  { "Postfix, HELO as an address literal", " from [10.0.0.1] (unknown [203.0.113.9])\n\tby mx.example.com (Postfix) with ESMTP id ABC", 1, "203.0.113.9", "[10.0.0.1]" },
  { "Postfix, TLS line before by", " from mail.example.net (mail.example.net [203.0.113.9])\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n\t key-exchange X25519 server-signature RSA-PSS (2048 bits))\n\t(No client certificate requested)\n\tby mx.example.com (Postfix) with ESMTPS id 4Qx", 1, "203.0.113.9", "mail.example.net" },
  { "Postfix, IPv6", " from mail.example.net (mail.example.net [IPv6:2001:db8::9])\n\tby mx.example.com (Postfix) with ESMTPS id X", 1, "2001:db8::9", "mail.example.net" },
  { "Postfix, local pickup", " by mx.example.com (Postfix, from userid 1000)\n\tid 4Qx7Zt; Tue, 24 Nov 2026 22:10:01 +0000 (UTC)", 0, 0, "" },
  { "Sendmail", " from mail.example.net (mail.example.net [203.0.113.9])\n\tby mx.example.com (8.17.1/8.17.1) with ESMTP id 2AOMA1Zx012345\n\tfor <joe@example.com>; Tue, 24 Nov 2026 22:10:01 GMT", 1, "203.0.113.9", "mail.example.net" },
  { "Sendmail, may be forged", " from helo.example (rdns.example [203.0.113.9] (may be forged))\n\tby mx.example.com (8.17.1/8.17.1) with ESMTP id 2AO", 1, "203.0.113.9", "helo.example" },
  { "Sendmail, no rDNS", " from helo.example ([203.0.113.9])\n\tby mx.example.com (8.17.1/8.17.1) with SMTP id 2AO", 1, "203.0.113.9", "helo.example" },
  { "Sendmail, ident", " from helo.example (joe@rdns.example [203.0.113.9])\n\tby mx.example.com (8.17.1/8.17.1) with SMTP id 2AO", 1, "203.0.113.9", "helo.example" },
  { "Sendmail, IPv6", " from helo.example (rdns.example [IPv6:2001:db8::9])\n\tby mx.example.com (8.17.1/8.17.1) with ESMTP id 2AO", 1, "2001:db8::9", "helo.example" },
  { "Exim", " from mail.example.net ([203.0.113.9] helo=mail.example.net)\n\tby mx.example.com with esmtp (Exim 4.96)\n\t(envelope-from <a@b.example>)\n\tid 1pXyZ1-000ABC-2Q\n\tfor joe@example.com; Tue, 24 Nov 2026 22:10:01 +0000", 1, "203.0.113.9", "mail.example.net" },
  { "Exim, port", " from mail-pf1.example.net ([203.0.113.9]:39211)\n\tby mx.example.com with esmtps (TLS1.3) (Exim 4.96)", 1, "203.0.113.9", "mail-pf1.example.net" },
  { "Exim, no rDNS", " from [203.0.113.9] (helo=x.example)\n\tby mx.example.com with smtp (Exim 4.96)\n\t(envelope-from <a@b.example>)", 1, "203.0.113.9", "[203.0.113.9]" },
  { "Exim, no rDNS, HELO literal", " from [203.0.113.9] (port=41234 helo=[10.0.0.1])\n\tby mx.example.com with esmtp (Exim 4.96)", 1, "203.0.113.9", "[203.0.113.9]" },
  { "Exim, rDNS, HELO literal", " from rdns.example ([203.0.113.9] helo=[10.0.0.1])\n\tby mx.example.com with esmtp (Exim 4.96)", 1, "203.0.113.9", "rdns.example" },
  { "Exim, IPv6", " from [2001:db8::9] (helo=x)\n\tby mx.example.com with esmtp (Exim 4.96)", 1, "2001:db8::9", "[2001:db8::9]" },
  { "Exim, local", " from joe by mx.example.com with local (Exim 4.96)\n\t(envelope-from <joe@example.com>)\n\tid 1pXyZ1-000ABC-2Q", 0, 0, "joe" },
  { "Microsoft", " from AM0PR01MB1234.eurprd01.prod.exchangelabs.com (2603:10a6:208:1::23)\n by AM0PR01MB5678.eurprd01.prod.exchangelabs.com with HTTPS; Tue, 24 Nov 2026", 1, "2603:10a6:208:1::23", "AM0PR01MB1234.eurprd01.prod.exchangelabs.com" },
  { "mapped IPv4", " from x (x [IPv6:::ffff:203.0.113.9]) by mx", 1, "203.0.113.9", "x" },
  { "no address at all", " from mail.example.net by mx.example.com with SMTP", -1, 0, "mail.example.net" },
  { "garbage in brackets", " from x (x [not.an.ip]) by mx", -1, 0, "x" },
  { "address after by is not the client", " from x (HELO y) by mx.example.com (203.0.113.9)", -1, 0, "x" },
  { "empty", "", 0, 0, "" },
};

/* Whole messages: trusted is 192.0.2.0/24 (our MX and relays) and 10.0.0.0/8. */
static const struct { const char *what; const char *msg; int result; unsigned hop; const char *ip; } msgs[] = {
  { "one hop from outside",
    "Received: from evil.example (evil.example [203.0.113.9])\n\tby mx.example.com (Postfix) with ESMTP id A\n"
    "Subject: hi\n\nbody\nReceived: from [198.51.100.1]\n", 0, 1, "203.0.113.9" },
  { "internal relays skipped",
    "Return-Path: <a@b>\n"
    "Received: (qmail 1 invoked from network); 24 Nov 2026\n"
    "Received: from relay.example.com (HELO relay) (192.0.2.25)\n  by mx.example.com with SMTP; 24 Nov 2026\n"
    "Received: from filter (localhost [127.0.0.1])\n\tby relay.example.com (Postfix) with ESMTP id B\n"
    "Received: from gw.example.com ([10.1.2.3] helo=gw)\n\tby relay.example.com with esmtp (Exim 4.96)\n"
    "Received: from spam.example (spam.example [198.51.100.77])\n\tby gw.example.com (8.17.1/8.17.1) with ESMTP id C\n"
    "Received: from forged (forged [192.0.2.99])\n\tby nowhere\n"
    "\n", 0, 5, "198.51.100.77" },
  { "forged headers below the boundary are not believed",
    "Received: from unknown (HELO mail.bank.example) (203.0.113.50)\n  by mx.example.com with SMTP; 24 Nov 2026\n"
    "Received: from trusted (trusted [192.0.2.1])\n\tby mx.example.com (Postfix) with ESMTP id X\n"
    "Received: from [10.0.0.1] (unknown [10.0.0.2])\n\tby mx2.example.com (Postfix)\n\n", 0, 1, "203.0.113.50" },
  { "forger's HELO claims our address",
    "Received: from [192.0.2.1] (unknown [203.0.113.51])\r\n\tby mx.example.com (Postfix) with ESMTP id X\r\n\r\n", 0, 1, "203.0.113.51" },
  { "CRLF, folded, IPv6",
    "Received: from a.example (a.example [192.0.2.5])\r\n\tby mx.example.com (Postfix)\r\n"
    "RECEIVED: from x.example\r\n (x.example [IPv6:2001:db8::66])\r\n\tby a.example (Postfix)\r\n\r\n", 0, 2, "2001:db8::66" },
  { "mbox From line skipped",
    "From a@b Tue Nov 24 22:10:01 2026\nReceived: from unknown (HELO x) (203.0.113.52)\n  by mx with SMTP\n\n", 0, 1, "203.0.113.52" },
  { "all ours", "Received: from a (a [192.0.2.5]) by mx\nReceived: (qmail 1 invoked by uid 0)\n\n", 1, 0, 0 },
  { "no Received at all", "Subject: x\n\nReceived: from a (a [203.0.113.1]) by mx\n", 1, 0, 0 },
  { "unreadable hop stops the walk",
    "Received: from a (a [192.0.2.5]) by mx\nReceived: from mystery by a with SMTP\nReceived: from b (b [203.0.113.1]) by x\n\n", 2, 2, 0 },
};

int main(void)
{
  size_t i;
  struct received_hop h;
  struct netlist trusted = { 0, 0, 0 };
  char t[IPRANGE_FMT_MAX];
  unsigned hop;

  for (i = 0; i < sizeof hops / sizeof hops[0]; ++i) {
    int kind = received_parse(hops[i].value, strlen(hops[i].value), &h);
    CHECK_INT(kind, hops[i].kind, hops[i].mta);
    if (hops[i].ip) { iprange_addr_fmt(t, &h.ip); CHECK_STR(t, hops[i].ip, hops[i].mta); }
    CHECK_STR(h.from, hops[i].from, hops[i].mta);
  }

  CHECK(!netlist_add(&trusted, "192.0.2.0/24", 12), "trusted network");
  CHECK(!netlist_add(&trusted, "10.0.0.0/8", 10), "trusted network");
  for (i = 0; i < sizeof msgs / sizeof msgs[0]; ++i) {
    int r = received_origin(msgs[i].msg, strlen(msgs[i].msg), &trusted, &h, &hop);
    CHECK_INT(r, msgs[i].result, msgs[i].what);
    CHECK_INT(hop, msgs[i].hop, msgs[i].what);
    if (msgs[i].ip) { iprange_addr_fmt(t, &h.ip); CHECK_STR(t, msgs[i].ip, msgs[i].what); }
  }

  {   /* bounded: a huge folded header and many hops end without harm */
    size_t n = 200000, k;
    char *big = malloc(n + 64);
    memcpy(big, "Received: from x (", 18);
    for (k = 18; k < n; ++k) big[k] = k % 50 ? '(' : '\n';
    memcpy(big + n, "\n\n", 3);
    CHECK(received_origin(big, n + 2, &trusted, &h, &hop) == RECEIVED_STOPPED, "deeply nested, overlong header is unreadable, not a crash");
    free(big);
  }
  netlist_free(&trusted);
  return test_done();
}
