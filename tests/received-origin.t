#!/bin/bash
# received-origin: a message on stdin, trusted networks as options or a file,
# the first untrusted client out (and a line rblzone takes).
. "$(dirname "$0")/lib.sh"
RO=$BIN/received-origin
NOW=1795000000

cat > "$T/spam" <<'M'
Return-Path: <spammer@bad.example>
Delivered-To: joe@example.com
Received: (qmail 31337 invoked from network); 24 Nov 2026 22:10:02 -0000
Received: from relay.example.com (HELO relay.example.com) (192.0.2.25)
  by mx.example.com with SMTP; 24 Nov 2026 22:10:02 -0000
Received: from filter (localhost [127.0.0.1])
	by relay.example.com (Postfix) with ESMTP id 4Qx7Zt1Lqkz9sT
	for <joe@example.com>; Tue, 24 Nov 2026 22:10:01 +0000 (UTC)
Received: from gw.example.com ([10.1.2.3] helo=gw.example.com)
	by relay.example.com with esmtp (Exim 4.96)
	(envelope-from <spammer@bad.example>)
	id 1pXyZ1-000ABC-2Q; Tue, 24 Nov 2026 22:10:01 +0000
Received: from [10.9.9.9] (dsl-77.bad.example [198.51.100.77])
	by gw.example.com (8.17.1/8.17.1) with ESMTP id 2AOMA1Zx012345
	for <joe@example.com>; Tue, 24 Nov 2026 22:10:00 GMT
Received: from innocent.example (innocent.example [203.0.113.1])
	by dsl-77.bad.example (Postfix) with ESMTP id FORGED
Subject: cheap pills
From: spammer@bad.example

buy now
M

out=$($RO -t 192.0.2.0/24 -t 10.0.0.0/8 < "$T/spam")
check_eq "walks past our relays (qmail, Postfix via localhost, Exim) to the Sendmail hop" "$out" "198.51.100.77
198.51.100.77 spam from [10.9.9.9] (Received: header 5)"

printf '# our networks\n192.0.2.0/24 mx and relays\n10.0.0.0-10.255.255.255\n' > "$T/ours"
out=$($RO -f "$T/ours" < "$T/spam" | head -1)
check_eq "trusted networks from a file" "$out" "198.51.100.77"

printf '127.:allow,RELAYCLIENT=""\n192.0.2.:allow,RELAYCLIENT=""\n10.:allow,RELAYCLIENT=""\n:allow\n' > "$T/tcp.smtp"
out=$($RO -f "$T/tcp.smtp" < "$T/spam" | head -1)
check_eq "tcp.smtp RELAYCLIENT lines count as ours" "$out" "198.51.100.77"

out=$($RO -t 192.0.2.0/24 < "$T/spam" | head -1)
check_eq "without 10/8 trusted, the gateway itself is the origin" "$out" "10.1.2.3"

out=$($RO -t 192.0.2.0/24 -t 10.0.0.0/8 -t 198.51.100.0/24 < "$T/spam" | head -1)
check_eq "one more trusted hop: the next one down" "$out" "203.0.113.1"

out=$($RO < "$T/spam" | head -1)
check_eq "nothing trusted: our MX's own client" "$out" "192.0.2.25"

out=$($RO -e 24 -n $NOW -t 192.0.2.0/24 -t 10.0.0.0/8 < "$T/spam" | tail -1)
check_eq "-e 24: expiry a day from now" "$out" "198.51.100.77 expires=2026-11-19T11:06:40Z spam from [10.9.9.9] (Received: header 5)"
printf '%s\n' "$out" > "$T/list"
$BIN/rblzone -n $NOW "$T/list" "$T/zone" 2>/dev/null
check "rblzone takes the printed line" grep -q '^198.51.100.77 :127.0.0.2:spam from \[10.9.9.9\] (Received: header 5)$' "$T/zone"

# forged headers below the boundary, and a HELO that claims to be us
{ printf 'Received: from [192.0.2.1] (unknown [IPv6:2001:db8:bad::1])\r\n\tby mx.example.com (Postfix) with ESMTP id X\r\n'
  printf 'Received: from trusted.example.com (trusted.example.com [192.0.2.2])\r\n\tby mx.example.com (Postfix) with ESMTP id Y\r\n'
  printf 'Subject: x\r\n\r\nbody\r\n'; } > "$T/forged"
out=$($RO -t 192.0.2.0/24 < "$T/forged" | head -1)
check_eq "HELO [our address] and forged trusted hops below are not believed (CRLF, IPv6)" "$out" "2001:db8:bad::1"

printf 'Received: from a (a [192.0.2.5]) by mx\nReceived: (qmail 1 invoked by uid 0)\n\nbody\n' > "$T/ours-only"
$RO -t 192.0.2.0/24 < "$T/ours-only" > "$T/out" 2>"$T/err"
check_eq "all hops trusted: exit 100" $? 100
check "says so" grep -q 'no untrusted client' "$T/err"
check "prints nothing on stdout" test ! -s "$T/out"

printf 'Received: from a (a [192.0.2.5]) by mx\nReceived: from mystery by a with SMTP\nReceived: from b (b [203.0.113.1]) by x\n\n' > "$T/unreadable"
$RO -t 192.0.2.0/24 < "$T/unreadable" > "$T/out" 2>"$T/err"
check_eq "unreadable hop: exit 100, nothing guessed" "$?/$(wc -c < "$T/out")" "100/0"
check "names the header" grep -q 'unreadable Received: header number 2 (from mystery)' "$T/err"

$RO -t 192.0.2.7/24 < "$T/spam" >/dev/null 2>"$T/err"
check_eq "bad -t: exit 100" $? 100
check "with the reason" grep -q 'host bits set' "$T/err"
printf '192.0.2.0/24\nnonsense\n' > "$T/badfile"
$RO -f "$T/badfile" < "$T/spam" >/dev/null 2>"$T/err"
check_eq "bad trusted file: exit 100" $? 100
check "file:line: reason" grep -q "badfile:2: not an IP address" "$T/err"
$RO -f "$T/missing" < "$T/spam" >/dev/null 2>&1
check_eq "missing trusted file: exit 111" $? 111
$RO extra < "$T/spam" >/dev/null 2>&1
check_eq "stray argument: exit 100" $? 100

# --- headers written by a real MTA: three hops through exim (IPv6 spammer →
# a provider's relay → our relay → us), each hop adding its own Received:
if command -v exim4 >/dev/null && id Debian-exim >/dev/null 2>&1; then
  chmod 755 "$T"; mkdir -p "$T/ex/spool"; chown Debian-exim: "$T/ex/spool"; chmod 755 "$T/ex"
  cat > "$T/ex/conf" <<X
primary_hostname = mx.example.com
spool_directory = $T/ex/spool
log_file_path = $T/ex/spool/%slog
acl_smtp_rcpt = accept
acl_smtp_data = accept
begin routers
r:
  driver = accept
  transport = t
begin transports
t:
  driver = appendfile
  file = $T/ex/spool/mbox
  user = Debian-exim
  message_prefix =
X
  exim_hop() { # client-address [rdns] < message > message with one more Received:
    { printf 'EHLO [192.0.2.1]\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<joe@example.com>\r\nDATA\r\n'; sed 's/$/\r/'
      printf '.\r\nQUIT\r\n'; } | timeout 20 exim4 -C "$T/ex/conf" -bs -odi -oMa "$1" ${2:+-oMs "$2"} >/dev/null 2>&1
    cat "$T/ex/spool/mbox" 2>/dev/null; rm -f "$T/ex/spool/mbox"; }
  printf 'Subject: x\n\nbody\n' | exim_hop 2001:db8:bad::9 | exim_hop 203.0.113.9 out.provider.example |
    exim_hop 192.0.2.25 relay.example.com > "$T/exim.msg"
  if [ "$(grep -c '^Received: ' "$T/exim.msg")" = 3 ]; then
    check_eq "real exim headers: past our relay to the provider" "$($RO -t 192.0.2.0/24 < "$T/exim.msg" | head -1)" 203.0.113.9
    check_eq "real exim headers: HELO [192.0.2.1] is not believed; trusting the provider too reaches the IPv6 sender" \
      "$($RO -t 192.0.2.0/24 -t 203.0.113.9 < "$T/exim.msg" | head -1)" 2001:db8:bad::9
  else
    not_ok "exim wrote three Received: headers" "$(cat "$T/exim.msg"; cat "$T"/ex/spool/*log 2>/dev/null | tail -5)"
  fi
else
  skip "real exim headers" "exim4 not installed"
fi

# --- whole header sections as real hosts write them (forms taken from public
# list archives; names and addresses moved to example ranges). Local hand-overs
# (qmail-scanner, Cyrus over a unix socket, Dovecot LMTP, Exchange MAPI, the
# Gmail API) are passed over; a hop that names a client it cannot read still stops.
msg() { cat > "$T/$1"; }
origin() { # file options... -> "rc first-line-of-stdout"
  local f=$1; shift
  local out; out=$($RO "$@" < "$T/$f" 2>"$T/err"); echo "$? $(printf '%s\n' "$out" | head -1)"; }

msg qmail-scanner <<'M'
Return-Path: <julian@example.co.uk>
Received: (qmail 13338 invoked by uid 103); 2 May 2007 18:10:37 +0100
Received: from 198.51.100.2 by neutron.example.co.uk (envelope-from <julian@example.co.uk>, uid 201) with qmail-scanner-1.25st 
 (clamdscan: 0.90.2/3190. spamassassin: 3.1.8. perlscan: 1.25st.  
 Clear:RC:1(198.51.100.2):. 
 Processed in 0.036002 secs); 02 May 2007 17:10:37 -0000
Received: from reaper.example.co.uk (198.51.100.2)
  by neutron.example.co.uk with SMTP; 2 May 2007 18:10:37 +0100
X-X-Sender: jp3@reaper.example.co.uk
Subject: x

body
M
check_eq "qmail + qmail-scanner: the scanner's line passed over, qmail-smtpd's client found" "$(origin qmail-scanner)" "0 198.51.100.2"
check_eq "and the list line names qmail-smtpd's header (3)" "$($RO < "$T/qmail-scanner" | tail -1)" "198.51.100.2 spam from reaper.example.co.uk (Received: header 3)"

msg cyrus <<'M'
Return-Path: <kvm+bounces@vger.example.org>
Received: from deliver ([unix socket])
	 by localhost (Cyrus v2.4.17-caldav-beta9-Debian-2.4.17+caldav~beta9-3) with LMTPA;
	 Tue, 25 Aug 2020 02:54:03 +0200
X-Sieve: CMU Sieve 2.4
Received: from mga05.example.com (mga05.example.com [203.0.113.43])
	(using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits))
	(No client certificate requested)
	by mail.example.de (SuperMail on ZX Spectrum 128k) with ESMTPS id C728A1EC02F2
	for <bp@example.de>; Tue, 25 Aug 2020 02:54:02 +0200 (CEST)
Received: from orsmga.example.com ([10.7.209.58])
	by mga05.example.com with ESMTP; 24 Aug 2020 17:54:00 -0700
Subject: x

body
M
check_eq "Postfix + Cyrus lmtpd on a unix socket" "$(origin cyrus)" "0 203.0.113.43"

msg dovecot <<'M'
Return-Path: <a@b.example>
Delivered-To: joe@example.org
Received: from mail.example.org
	by mail.example.org with LMTP
	id cF+GOy7WsGnLngIAu9opvQ
	(envelope-from <a@b.example>)
	for <joe@example.org>; Wed, 11 Mar 2026 03:40:46 +0100
X-Original-To: joe@example.org
Received: from localhost (localhost [127.0.0.1])
	by mail.example.org (Postfix) with ESMTP id 6799C3F29596;
	Wed, 11 Mar 2026 03:40:45 +0100 (CET)
X-Virus-Scanned: Debian amavisd-new at example.org
Received: from mail.example.org ([127.0.0.1])
	by localhost (mail.example.org [127.0.0.1]) (amavisd-new, port 10024)
	with LMTP id YENfxiy2KoPi; Wed, 11 Mar 2026 03:40:45 +0100 (CET)
Received: from sender.example (sender.example [IPv6:2001:db8:5::25])
	by mail.example.org (Postfix) with ESMTPS id 17DB13F29594;
	Wed, 11 Mar 2026 03:40:44 +0100 (CET)
Subject: x

body
M
check_eq "Postfix + amavis + Dovecot LMTP" "$(origin dovecot)" "0 2001:db8:5::25"

msg microsoft <<'M'
Received: from mail-dm6nam12on2040.outbound.protection.outlook.example (mail-dm6nam12on2040.outbound.protection.outlook.example [40.107.243.40])
	by mx.example.com (Postfix) with ESMTPS id 4Qx7Zt1Lqkz9sT
	for <joe@example.com>; Wed,  9 Sep 2020 16:21:28 +0000 (UTC)
Received: from DM6PR12MB3834.namprd12.prod.outlook.example (2603:10b6:5:1c4::13) by
 DM6PR12MB4403.namprd12.prod.outlook.example (2603:10b6:5:2ab::24) with
 Microsoft SMTP Server (version=TLS1_2,
 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.3370.16; Wed, 9 Sep
 2020 16:21:26 +0000
Received: from DM6PR12MB3834.namprd12.prod.outlook.example
 ([fe80::cdbe:f274:ad65:9a78]) by DM6PR12MB3834.namprd12.prod.outlook.example
 ([fe80::cdbe:f274:ad65:9a78%7]) with mapi id 15.20.3370.016; Wed, 9 Sep 2020
 16:21:26 +0000
Subject: x

body
M
check_eq "Microsoft 365 into Postfix: the outbound relay" "$(origin microsoft)" "0 40.107.243.40"
check_eq "Microsoft trusted too: the MAPI hop is a user's submission, nothing to blame (exit 100, no link-local guess)" \
  "$(origin microsoft -t 40.107.0.0/16 -t 2603:10b6::/32)" "100 "
check "says so, naming the header" grep -q 'Received: header number 3 (from DM6PR12MB3834.namprd12.prod.outlook.example) is a submission by an account of a trusted host, not a client' "$T/err"

msg gmail <<'M'
Received: (qmail 4711 invoked from network); 24 Nov 2026 22:10:02 -0000
Received: from mail-sor-f41.google.example (HELO mail-sor-f41.google.example) (209.85.220.41)
  by mx.example.com with SMTP; 24 Nov 2026 22:10:02 -0000
X-Received: by 2002:a05:6808:14c2:b0:326:c129:d308 with SMTP id
 f2-20020a05680814c200b00326c129d308mr796441oiw.193.1652907438996; Tue, 24 Nov
 2026 14:10:01 -0800 (PST)
Received: by 2002:a05:6a10:b0a:b0:2cf:ae4b:6d77 with HTTP; Tue, 24 Nov 2026
 14:10:01 -0800 (PST)
Received: from 753933720722 named unknown by gmailapi.google.example with
 HTTPREST; Tue, 24 Nov 2026 14:10:00 -0800
Subject: x

body
M
check_eq "Gmail into qmail: Google's outbound host" "$(origin gmail)" "0 209.85.220.41"
check_eq "Google trusted too: the API submission names no client (exit 100)" "$(origin gmail -t 209.85.128.0/17)" "100 "
check "says it is an account's submission (not an unreadable header)" grep -q 'header number 4 (from 753933720722) is a submission by an account' "$T/err"
{ sed '/^Subject:/,$d' "$T/gmail"; printf 'Received: from victim.example (victim.example [203.0.113.66])\n\tby forged.example (Postfix) with ESMTP id F\nSubject: x\n\nbody\n'; } > "$T/gmail-forged"
check_eq "a Received: line forged below the API submission is not believed" "$(origin gmail-forged -t 209.85.128.0/17)" "100 "

msg fetchmail <<'M'
Received: from [127.0.0.1] (helo=localhost)
	by mu with esmtp (Exim 4.52)
	id 1E8J6P-0003Ya-6b
	for real-csr21@localhost; Thu, 25 Aug 2005 15:53:13 +0100
Received: from imap.hermes.example.ac.uk [198.51.100.159]
	by localhost with IMAP (fetchmail-6.2.5.1)
	for real-csr21@localhost (single-drop); Thu, 25 Aug 2005 15:53:13 +0100 (BST)
Received: from ppsw-9-intramail.csi.example.ac.uk ([192.168.128.139])
	by cyrus-5.csi.private.example.ac.uk (Cyrus v2.1.16-HERMES)
	with LMTP; Thu, 25 Aug 2005 15:47:51 +0100
Received: from sender.example ([203.0.113.77] helo=sender.example)
	by ppsw-9.csi.example.ac.uk with esmtp (Exim 4.44)
	id 1E8J1B-0004kO-3x; Thu, 25 Aug 2005 15:47:50 +0100
Subject: x

body
M
check_eq "Exim + fetchmail: the mailbox server fetched from" "$(origin fetchmail)" "0 198.51.100.159"
check_eq "the provider trusted: Cyrus over TCP, then Exim, reach the sender" "$(origin fetchmail -t 198.51.100.159 -t 192.168.0.0/16)" "0 203.0.113.77"

msg sendmail <<'M'
Received: from relay.example.com (relay.example.com [192.0.2.30])
	by mx.example.com (8.17.1/8.17.1) with ESMTP id 2AOMA1Zx012345
	for <joe@example.com>; Tue, 24 Nov 2026 22:10:01 GMT
Received: (from root@localhost)
	by relay.example.com (8.17.1/8.17.1/Submit) id 2AOMA0Zx012340;
	Tue, 24 Nov 2026 22:10:00 GMT
Subject: x

body
M
check_eq "Sendmail local submission below a trusted relay: no untrusted client" "$(origin sendmail -t 192.0.2.0/24)" "100 "

msg still-stops <<'M'
Received: from relay.example.com (relay.example.com [192.0.2.30])
	by mx.example.com (Postfix) with ESMTP id 4Qx
Received: from store.example (store.example) by relay.example.com with LMTP; Tue, 24 Nov 2026 22:10:01 GMT
Received: from sender.example (sender.example [203.0.113.1]) by store.example with ESMTP
Subject: x

body
M
check_eq "LMTP from a host named without an address: still a stop" "$(origin still-stops -t 192.0.2.0/24)" "100 "
check "names the header" grep -q 'unreadable Received: header number 2 (from store.example)' "$T/err"
