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
