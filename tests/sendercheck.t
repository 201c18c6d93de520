#!/bin/bash
# rcptfilter's checks on the sender (issue 12): SPF (-S) and domain lists (-d)
# through its own parallel DNS, against tests/spfdnsd.py on loopback; the
# verdicts per RCPT, postmaster and abuse exempt, RELAYCLIENT and AUTH
# skipping them, temporary failures never a 5xx, pipelining order, a server
# that dies while the check runs.
. "$(dirname "$0")/lib.sh"
RF=$BIN/rcptfilter
STUB="$PY $TOP/tests/smtpstub.py"
cat > "$T/rules" <<'R'
postmaster@example.com::allow
alice@example.com::allow
R
"$BIN/cdbmake-rules" "$T/rules.cdb" "$T/rules.tmp" < "$T/rules" || not_ok "rules compiled"
. "$TOP/tests/rcptlib.sh"
cat > "$T/zone" <<'Z'
spf-fail.example TXT "v=spf1 ip4:198.51.100.0/24 -all"
spf-pass.example TXT "v=spf1 ip4:192.0.2.0/24 -all"
spf-soft.example TXT "v=spf1 ~all"
spf-temp.example TIMEOUT
helo-fail.example TXT "v=spf1 -all"
bad.example.dbl.test A 127.0.0.2
bad.example.dbl.test TXT "bad.example is listed in dbl.test"
refused.example.dbl.test A 127.255.255.254
spf-fail.example.dbl.test A 127.0.0.2
spf-fail.example.dbl.test TXT "listed too"
Z
$PY "$TOP/tests/spfdnsd.py" 127.0.0.53 "$T/zone" - "$T/qlog" 2>"$T/dnsd.log" &
at_exit "kill $! 2>/dev/null"
wait_udp_bound 127.0.0.53 53 || not_ok "spfdnsd started" "$(cat "$T/dnsd.log")"
DNS=DNSCACHEIP=127.0.0.53
H='EHLO c\r\n'
FAILMSG="550 5.7.23 SPF: spf-fail.example does not designate 192.0.2.7 as permitted sender"

rf "${H}MAIL FROM:<x@spf-fail.example>\r\nRCPT TO:<alice@example.com>\r\nRCPT TO:<postmaster@example.com>\r\nRCPT TO:<abuse@example.com>\r\nQUIT\r\n" $DNS -- -S
check_eq "SPF fail: 550 5.7.23 for each RCPT, postmaster and abuse exempt" "$(echo "$out" | tail -5)" "250 ok
$FAILMSG
250 ok
250 ok
221 bye"
check "the refused RCPT never reached the server" sh -c "! grep -q alice '$D/received'"
expect_match "the RCPT log line carries spf=fail" "$err" "*action=spf from=<x@spf-fail.example> rcpt=<alice@example.com> spf=fail*"
expect_match "and so does the exempt one's" "$err" "*action=allow from=<x@spf-fail.example> rcpt=<postmaster@example.com> rule=1 file=rules:1 spf=fail*"

# SPF and a domain list at once from a server that answers only the first
# query of each question, 3.5 s late: heard on the sockets libowfat's
# retransmission at 3 s would have closed (before: 451 at the 8 s deadline)
SPFDNSD_DELAY=3.5 SPFDNSD_FIRST_ONLY=1 $PY "$TOP/tests/spfdnsd.py" 127.0.0.54 "$T/zone" 2>"$T/dnsd-late.log" &
at_exit "kill $! 2>/dev/null"
wait_udp_bound 127.0.0.54 53 || not_ok "the late spfdnsd started" "$(cat "$T/dnsd-late.log")"
start=$SECONDS
rf "${H}MAIL FROM:<x@spf-fail.example>\r\nRCPT TO:<alice@example.com>\r\nQUIT\r\n" DNSCACHEIP=127.0.0.54 -- -S -d dbl.test
check_eq "answers 3.5 s late, never to a retransmission: the domain list heard, its 550 ($((SECONDS - start)) s)" "$(echo "$out" | tail -2 | head -1)" "550 5.7.1 listed too"
check "  ... in about 3.5 s, not at the 8 s deadline" [ $((SECONDS - start)) -le 6 ]
expect_match "  ... and SPF's fail heard too" "$err" "*rcpt=<alice@example.com> spf=fail*"

rf "${H}MAIL FROM:<x@spf-pass.example>\r\nRCPT TO:<alice@example.com>\r\nQUIT\r\n" $DNS -- -S
check_eq "SPF pass: the rules decide" "$(echo "$out" | tail -2)" "250 ok
221 bye"
expect_match "logged spf=pass" "$err" "*action=allow from=<x@spf-pass.example> rcpt=<alice@example.com> rule=2 file=rules:2 spf=pass*"
rf "${H}MAIL FROM:<x@spf-soft.example>\r\nRCPT TO:<alice@example.com>\r\nMAIL FROM:<y@nospf.example>\r\nQUIT\r\n" $DNS -- -S
check_eq "softfail and none pass" "$(echo "$out" | tail -3 | head -2)" "250 ok
503 5.5.1 nested MAIL command"
expect_match "softfail logged" "$err" "*rcpt=<alice@example.com> rule=2 file=rules:2 spf=softfail*"

rf "${H}MAIL FROM:<x@spf-temp.example>\r\nRCPT TO:<alice@example.com>\r\nRCPT TO:<postmaster@example.com>\r\nQUIT\r\n" $DNS -- -S -t 2
check_eq "SPF temperror (DNS timeout): 451 4.7.24, never a 5xx" "$(echo "$out" | tail -3)" "451 4.7.24 SPF: temporary error checking spf-temp.example, try again later
250 ok
221 bye"
rf "${H}MAIL FROM:<x@spf-fail.example>\r\nRCPT TO:<alice@example.com>\r\nQUIT\r\n" DNSCACHEIP=127.0.0.99 -- -S -t 2
check_eq "no DNS server answering: 451 4.7.24" "$(echo "$out" | tail -2 | head -1)" "451 4.7.24 SPF: temporary error checking spf-fail.example, try again later"

rf "EHLO helo-fail.example\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.com>\r\nQUIT\r\n" $DNS -- -S
check_eq "a bounce is checked by its HELO name" "$(echo "$out" | tail -2 | head -1)" "550 5.7.23 SPF: helo-fail.example does not designate 192.0.2.7 as permitted sender"

rf "${H}MAIL FROM:<x@spf-fail.example>\r\nRCPT TO:<alice@example.com>\r\nQUIT\r\n" $DNS RELAYCLIENT= -- -S
check_eq "RELAYCLIENT: no SPF" "$(echo "$out" | tail -2 | head -1)" "250 ok"
rf "${H}AUTH PLAIN\r\ngood\r\nMAIL FROM:<x@spf-fail.example>\r\nRCPT TO:<alice@example.com>\r\nQUIT\r\n" $DNS -- -S
check_eq "after AUTH: no SPF" "$(echo "$out" | tail -2 | head -1)" "250 ok"
rf "${H}MAIL FROM:<x@spf-fail.example>\r\nRCPT TO:<alice@example.com>\r\nQUIT\r\n" $DNS
check_eq "without -S: no SPF" "$(echo "$out" | tail -2 | head -1)" "250 ok"

# domain lists
rf "${H}MAIL FROM:<x@bad.example>\r\nRCPT TO:<alice@example.com>\r\nRCPT TO:<postmaster@example.com>\r\nQUIT\r\n" $DNS -- -d dbl.test
check_eq "-d: a listed sender domain gets 550 5.7.1 with the list's text; postmaster exempt" "$(echo "$out" | tail -3)" "550 5.7.1 bad.example is listed in dbl.test
250 ok
221 bye"
expect_match "logged action=rhsbl" "$err" "*action=rhsbl from=<x@bad.example> rcpt=<alice@example.com>*"
rf "${H}MAIL FROM:<x@refused.example>\r\nRCPT TO:<alice@example.com>\r\nMAIL FROM:<x@clean.example>\r\nQUIT\r\n" $DNS -- -d dbl.test
check_eq "-d: a 127.255.255.x answer is an error, not a listing" "$(echo "$out" | tail -3 | head -1)" "250 ok"
rf "${H}MAIL FROM:<x@bad.example>\r\nRCPT TO:<alice@example.com>\r\nQUIT\r\n" $DNS -- -d dbl.test=127.0.0.3
check_eq "-d base=codes: another code is no listing" "$(echo "$out" | tail -2 | head -1)" "250 ok"
rf "${H}MAIL FROM:<x@spf-fail.example>\r\nRCPT TO:<alice@example.com>\r\nQUIT\r\n" $DNS -- -S -d dbl.test
check_eq "-S and -d together: asked at once, the list's answer first" "$(echo "$out" | tail -2 | head -1)" "550 5.7.1 listed too"

# pipelining: MAIL, 50 RCPTs and DATA in one write
rcpts=; for i in $(seq 1 50); do rcpts="${rcpts}RCPT TO:<u$i@example.org>\r\n"; done
rf "${H}MAIL FROM:<x@spf-pass.example>\r\n${rcpts}DATA\r\nSubject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n" $DNS -- -S
check_eq "pipelined, SPF pass: 50 RCPT replies in order, the message stored" "$(echo "$out" | sed -n '6,57p' | sort | uniq -c | sed 's/^ *//')" "51 250 ok
1 354 go ahead"
check_eq "the server got every RCPT" "$(grep -c '^RCPT' "$D/received")" 50
rf "${H}MAIL FROM:<x@spf-fail.example>\r\n${rcpts}DATA\r\nSubject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n" $DNS -- -S
check_eq "pipelined, SPF fail: 50 refusals, DATA 554, the body read as commands, nothing stored" "$(echo "$out" | grep -c '^550 5.7.23'):$(echo "$out" | grep -c '^554 5.5.1 no valid recipients'):$(ls "$D" | grep -c '^msg')" "50:1:0"

# the server dies while the check runs (a MAIL sent with nothing owed starts
# it at once; this server exits on it): 421, nothing stored
rf_pipe "sleep 0.5; printf 'MAIL FROM:<x@spf-temp.example>\\r\\nRCPT TO:<alice@example.com>\\r\\nDATA\\r\\nSubject: x\\r\\n\\r\\nhi\\r\\n.\\r\\n'; sleep 4" $DNS STUB_DIE=mail -- -S -t 3
check_eq "server dies mid-check: 421, exit 111, nothing stored" "$rc:$(echo "$out" | tail -1):$(ls "$D" | grep -c '^msg')" "111:421 4.3.0 mail server unavailable, try again later:0"

# usage
for args in "-d" "-d =x r.cdb prog"; do
  # shellcheck disable=SC2086
  "$RF" $args < /dev/null > /dev/null 2> "$T/e"; rc=$?
  check_eq "usage error: '$args'" "$rc" 100
done

# inside TLS: the same verdicts (tcpserver -> rcptfilter -S -c ... -> stub)
if command -v tcpserver > /dev/null && command -v openssl > /dev/null && sh "$TOP/tests/tlscerts.sh" "$T/certs" > /dev/null 2>&1; then
  mkdir -p "$T/tlsd"
  env DNSCACHEIP=127.0.0.53 tcpserver -q -R -H -l0 127.0.0.1 2525 "$RF" -S -t 5 -c "$T/certs/combined.pem" "$T/rules.cdb" $STUB "$T/tlsd" 2> "$T/tls.log" &
  at_exit "kill $! 2>/dev/null"
  wait_for "$PY -c 'import socket; socket.create_connection((\"127.0.0.1\", 2525))'" || not_ok "tcpserver on 2525"
  o=$($PY "$TOP/tests/tlsclient.py" 127.0.0.1 2525 '<' '>EHLO c\r\n' '<' '>STARTTLS\r\n' '<' tls '>EHLO c\r\n' '<' \
      '>MAIL FROM:<x@spf-fail.example>\r\nRCPT TO:<alice@example.com>\r\nRCPT TO:<postmaster@example.com>\r\n' '<' '<' '<' '>QUIT\r\n' '<' 2>&1 | tr -d '\r')
  check_eq "inside TLS: SPF fail refused, postmaster exempt" "$(echo "$o" | grep -E '^(550|250 ok)' | tail -3)" "250 ok
550 5.7.23 SPF: spf-fail.example does not designate 127.0.0.1 as permitted sender
250 ok"
else
  skip "inside TLS" "needs tcpserver, openssl"
fi
