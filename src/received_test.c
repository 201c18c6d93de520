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
  /* local processing inside one host: no client named, passed over (as real hosts write them) */
  { "qmail-scanner 1.25", " from 192.168.0.2 by neutron.example.co.uk (envelope-from <julian@example.co.uk>, uid 201) with qmail-scanner-1.25st \n (clamdscan: 0.90.2/3190. spamassassin: 3.1.8. perlscan: 1.25st.  \n Clear:RC:1(192.168.0.2):. \n Processed in 0.036002 secs); 02 May 2007 17:10:37 -0000", 0, 0, "192.168.0.2" },
  { "qmail-scanner 0.93", " from Trina_Littlejohns@pmc-sierra.example by mother with qmail-scanner-0.93 (uvscan: v4.0.70/v4074. . Clean. Processed in 1.00018 secs); 27/06/2001 14:04:01", 0, 0, "Trina_Littlejohns?pmc-sierra.example" },
  { "qmail-scanner 1.20, by uid", " from client@topofferz.example by blazing.example.org by uid 502 with qmail-scanner-1.20 (clamuko: 0.65. f-prot: 4.2.0/3.13.4.  Clear:RC:0(203.0.113.10):.  Processed in 0.212322 secs); 03 Mar 2004 20:34:39 -0000", 0, 0, "client?topofferz.example" },
  { "qmail-scanner 2.11, remote info", " from rhombus.example.de (einsle@rhombus.example.de) by portfish (envelope-from <einsle@example.de>, uid 201) with qmail-scanner-2.11st \n (clamdscan: 0.100.1/26337. spamassassin: 3.4.1. perlscan: 2.11st.  \n Clear:RC:1(192.168.139.169):. \n Processed in 0.021636 secs); 25 Apr 2022 17:19:08 -0000", 0, 0, "rhombus.example.de" },
  { "Cyrus 2.1, unix socket", " from leonov ([unix socket]) by leonov (Cyrus v2.1.18-IPv6-Debian-2.1.18-1+sarge2) with LMTP; Thu, 01 Jun 2006 16:57:06 +0200", 0, 0, "leonov" },
  { "Cyrus 2.4, unix socket, folded", " from deliver ([unix socket])\n\t by localhost (Cyrus v2.4.17-caldav-beta9-Debian-2.4.17+caldav~beta9-3) with\n LMTPA;\n\t Wed, 03 May 2023 13:25:13 +0200", 0, 0, "deliver" },
  { "Cyrus 3, unix socket", " from valentin-vidic.example.hr ([unix socket])\n by valentin-vidic.example.hr with LMTPA; Sun, 07 Feb 2021 21:32:45 +0100", 0, 0, "valentin-vidic.example.hr" },
  { "Cyrus over TCP names its client", " from murder (mail.umich.example [198.51.100.90])\n\t by frankenstein.mail.umich.example (Cyrus v2.3.8) with LMTPA;\n\t Sat, 05 Jan 2008 09:14:16 -0500", 1, "198.51.100.90", "murder" },
  { "Cyrus over TCP, Exim form", " from ppsw-9-intramail.csi.example.ac.uk ([192.168.128.139])\n\tby cyrus-5.csi.private.example.ac.uk (Cyrus v2.1.16-HERMES)\n\twith LMTP; Thu, 25 Aug 2005 15:47:51 +0100", 1, "192.168.128.139", "ppsw-9-intramail.csi.example.ac.uk" },
  { "Dovecot LMTP", " from mail.lfdr.example\n\tby lfdr with LMTP\n\tid cF+GOy7WsGnLngIAu9opvQ\n\t(envelope-from <linux-arm-msm+bounces-96815-lists+linux-arm-msm=lfdr.example@vger.example.org>)\n\tfor <lists+linux-arm-msm@lfdr.example>; Wed, 11 Mar 2026 03:40:46 +0100", 0, 0, "mail.lfdr.example" },
  { "amavis", " from elaine.example.com ([127.0.0.1])\n by localhost (elaine.example.com [127.0.0.1]) (amavisd-new, port 10024)\n with LMTP id YENfxiy2KoPi; Mon,  7 Oct 2019 11:16:33 -0700 (PDT)", 1, "127.0.0.1", "elaine.example.com" },
  { "amavis, mapped loopback", " from bastet.se.example.com ([IPv6:::ffff:127.0.0.1])\n\tby localhost (bastet.se.example.com [::ffff:127.0.0.1]) (amavisd-new, port 10024)\n\twith LMTP id wPRZ9UvIVLX0; Fri, 15 Mar 2019 09:35:02 +0100 (CET)", 1, "127.0.0.1", "bastet.se.example.com" },
  { "amavis on another host", " from s645.example.se ([172.22.191.5])\n        by s475.example.se (s475.example.se [172.22.190.15]) (amavisd-new, port 10024)\n        with LMTP id A_f3cEmvDYkE; Wed,  5 May 2021 20:32:59 +0200 (CEST)", 1, "172.22.191.5", "s645.example.se" },
  { "Microsoft, MAPI submission", " from DM6PR12MB3834.namprd12.prod.outlook.example\n ([fe80::cdbe:f274:ad65:9a78]) by DM6PR12MB3834.namprd12.prod.outlook.example\n ([fe80::cdbe:f274:ad65:9a78%7]) with mapi id 15.20.3370.016; Wed, 9 Sep 2020\n 16:21:26 +0000", 2, 0, "DM6PR12MB3834.namprd12.prod.outlook.example" },
  { "Microsoft, internal SMTP", " from AZDC-MMB02.GD-MS.example (10.136.100.24) by AZDC-MMB05.GD-MS.example\n (10.136.100.27) with Microsoft SMTP Server (TLS) id 15.0.1473.3; Fri, 25 Oct\n 2019 04:59:54 -0700", 1, "10.136.100.24", "AZDC-MMB02.GD-MS.example" },
  { "Gmail API", " from 753933720722 named unknown by gmailapi.google.example with\n HTTPREST; Fri, 6 May 2022 19:24:15 -0400", 2, 0, "753933720722" },
  { "Gmail internal", " by 2002:a05:6830:30b7:: with SMTP id g23mr3130288ots.159.1639019719943; \n Wed, 08 Dec 2021 19:15:19 -0800 (PST)", 0, 0, "" },
  { "Gmail MX", " from mail-sor-f41.google.example (mail-sor-f41.google.example. [209.85.220.41])\n        by mx.google.example with SMTPS id a640c23a62f3a-a8d2590c2absor7218166b\n        for <joe@example.com>\n        (Google Transport Security);\n        Tue, 24 Nov 2026 22:10:01 -0800 (PST)", 1, "209.85.220.41", "mail-sor-f41.google.example" },
  { "Gmail submission", " from smtpclient.apple ([2a02:8108:1234::5])\n        by smtp.gmail.example with ESMTPSA id 5b1f17b1804b1-42c8b43d3a2sm1234567f8f.1\n        for <joe@example.com>", 1, "2a02:8108:1234::5", "smtpclient.apple" },
  { "fetchmail", " from linux.intel.example [10.54.29.200]\n by jnikula-mobl4.ger.corp.intel.example with IMAP (fetchmail-6.4.23)\n for <jani@localhost> (single-drop); Tue, 03 May 2022 12:25:23 +0300 (EEST)", 1, "10.54.29.200", "linux.intel.example" },
  { "fetchmail, IPv6 loopback", " from localhost [::1]\n        by new-ben with IMAP (fetchmail-6.4.19)\n        for <rja@localhost> (single-drop); Wed, 19 May 2021 00:10:12 -0500 (CDT)", 1, "::1", "localhost" },
  { "fetchmail without an address names a server it cannot read", " from devserv.devel.example.com\n\tby localhost with IMAP (fetchmail-5.3.1)\n\tfor sct@localhost (single-drop); Tue, 24 Oct 2000 12:41:49 +0100 (BST)", -1, 0, "devserv.devel.example.com" },
  { "qmail-ldap, authenticated", " from ingpc2.intern.example.com (HELO ingpc2) (Authenticated_SSL:irohloff@[10.2.10.44])\n          (envelope-sender <ingo.rohloff@example.com>)\n          by smtp1.example.com (qmail-ldap-1.03) with ECDHE-RSA-AES256-GCM-SHA384 encrypted SMTP; 8 Feb 2022 11:48:17 -0000", 1, "10.2.10.44", "ingpc2.intern.example.com" },
  { "qmail SMTP AUTH, user@domain@ip", " from unknown (HELO localhost) (alice@example.com@203.0.113.9)\n  by mail.example.com with ESMTPA; 24 Nov 2026 22:10:01 -0000", 1, "203.0.113.9", "unknown" },
  { "Exim -bs from localhost", " from [127.0.0.1] (helo=localhost)\n\tby mu with esmtp (Exim 4.52)\n\tid 1E8J6P-0003Ya-6b\n\tfor real-csr21@localhost; Thu, 25 Aug 2005 15:53:13 +0100", 1, "127.0.0.1", "[127.0.0.1]" },
  { "Sendmail local submission", " (from root@localhost)\n\tby mx.example.com (8.17.1/8.17.1/Submit) id 2AOMA1Zx012345;\n\tTue, 24 Nov 2026 22:10:01 GMT", 0, 0, "" },
  /* still unreadable: a client is named but not in a form we read */
  { "LMTP, but a group with no address", " from store.example (store.example) by mx.example.com with LMTP", -1, 0, "store.example" },
  { "LMTP, but a bracket that is no address", " from [garbage] by mx.example.com with LMTP", -1, 0, "[garbage]" },
  { "ESMTP without an address", " from relay.example.com by mx.example.com with ESMTP id 4Qx", -1, 0, "relay.example.com" },
  { "unix socket beside another group", " from host ([unix socket]) (mystery) by mx with LMTP", -1, 0, "host" },
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
  { "an account's submission on a trusted host ends the walk: forged hops below are not read",
    "Received: from mail-sor-f41.google.example (mail-sor-f41.google.example. [192.0.2.41]) by mx\n"
    "Received: by 2002:a05:6a10:b0a:b0:2cf:ae4b:6d77 with HTTP; Tue, 24 Nov 2026 14:10:01 -0800 (PST)\n"
    "Received: from 753933720722 named unknown by gmailapi.google.example with\n HTTPREST; Tue, 24 Nov 2026\n"
    "Received: from victim.example (victim.example [203.0.113.66]) by forged.example\n\n", 3, 3, 0 },
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
