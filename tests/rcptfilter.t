#!/bin/bash
# rcptfilter transcripts: exact bytes in from the client, exact bytes out,
# against a scripted backend (tests/smtpstub.py) that records what it got.
. "$(dirname "$0")/lib.sh"
RF=$BIN/rcptfilter
STUB="$PY $TOP/tests/smtpstub.py"
cat > "$T/rules" <<'R'
joe@example.com:spammer@bad.example:deny
joe@example.com:@bad.example:deny
joe@example.com:friend@bad.example:allow
@example.com::deny,MSG="5.1.1 no such mailbox"
alice@example.com::allow
postmaster@example.com::allow
abuse@example.com::allow
trap@example.com::trap
R
"$BIN/cdbmake-rules" "$T/rules.cdb" "$T/rules.tmp" < "$T/rules" || not_ok "rules compiled"
. "$TOP/tests/rcptlib.sh"
H='EHLO c\r\n'

rf "${H}MAIL FROM:<spammer@bad.example>\r\nRCPT TO:<joe@example.com>\r\nRCPT TO:<alice@example.com>\r\nRCPT TO:<other@example.org>\r\nRCPT TO:<unknown@example.org>\r\nQUIT\r\n"
check_eq "deny, allow, pass; replies in order" "$out" "220 stub ESMTP
250-stub hello
250-PIPELINING
250-8BITMIME
250 SIZE 100000000
250 ok
550 5.1.1 sorry, no mailbox here by that name
250 ok
250 ok
550 no such user
221 bye"
check_eq "denied RCPT never forwarded" "$(got)" "EHLO c
MAIL FROM:<spammer@bad.example>
RCPT TO:<alice@example.com>
RCPT TO:<other@example.org>
RCPT TO:<unknown@example.org>
QUIT"
check_eq "exit 0" "$rc" 0
expect_match "deny logged with rule and file:line" "$err" "*rcptfilter: ip=192.0.2.7 pid=*action=deny from=<spammer@bad.example> rcpt=<joe@example.com> rule=1 file=rules:1*"
expect_match "EHLO filtering logged" "$err" "*action=ehlo removed=STARTTLS,CHUNKING*"

rf "${H}MAIL FROM:<x@bad.example>\r\nRCPT TO:<joe@example.com>\r\nRCPT TO:<nobody@example.com>\r\nDATA\r\nQUIT\r\n"
check_eq "pipelined, every RCPT denied: DATA answered here" "$(echo "$out" | tail -5)" "250 ok
550 5.1.1 sorry, no mailbox here by that name
550 5.1.1 no such mailbox
554 5.5.1 no valid recipients
221 bye"
check_eq "backend kept in step: no RCPT, no DATA" "$(got)" "EHLO c
MAIL FROM:<x@bad.example>
QUIT"

rf "${H}MAIL FROM:<friend@bad.example>\r\nRCPT TO:<joe@example.com>\r\nRCPT TO:<trap@example.com>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n"
check_eq "exception allows; trap denies" "$(echo "$out" | tail -6 | head -5)" "250 ok
250 ok
550 5.1.1 sorry, no mailbox here by that name
250 ok
354 go ahead"
expect_match "trap logged with the client ip" "$err" "*action=trap from=<friend@bad.example> rcpt=<trap@example.com> rule=8 file=rules:8*"

# DATA: byte for byte, and the end of data only at CRLF.CRLF
$PY - "$T/body" <<'P'
import random, sys
random.seed(7)
lines = []
for i in range(400):
    k = random.randrange(6)
    if k == 0: l = bytes(random.randrange(128, 256) for _ in range(random.randrange(1, 80)))
    elif k == 1: l = b'..' + b'x' * random.randrange(0, 50)
    elif k == 2: l = b'a' * random.randrange(900, 5000)
    elif k == 3: l = b''
    else: l = bytes(random.randrange(32, 127) for _ in range(random.randrange(0, 100)))
    lines.append(l)
open(sys.argv[1], 'wb').write(b'\r\n'.join(lines) + b'\r\n')
P
{ printf "${H}MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n"; cat "$T/body"; printf '.\r\nQUIT\r\n'; } > "$T/bodyin"
rf_file "$T/bodyin"
check_file_eq "8-bit, long lines, dot lines: body byte for byte" "$D/msg.1" "$T/body"
check_eq "250 after the final dot, then 221" "$(tail -2 "$D/out" | tr -d '\r')" "250 ok queued as 1
221 bye"

# smuggling probes: bare LF / bare CR in DATA end the session, nothing delivered
i=0
for probe in 'x\n.\nRCPT TO:<joe@example.com>\r\n' 'x\n.\r\nMAIL FROM:<s@x>\r\n' 'x\r.\r\nQUIT\r\n' 'x\r\n.\rMAIL FROM:<s@x>\r\n' 'a\nb\r\n.\r\n' 'a\rb\r\n.\r\n'; do
  i=$((i + 1))
  rf "${H}MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\nSubject: smuggle\r\n\r\n${probe}.\r\nQUIT\r\n"
  if [ "$(echo "$out" | tail -1)" = "451 4.5.0 bare LF or CR in message, see https://cr.yp.to/docs/smtplf.html" ] && [ ! -e "$D/msg.1" ] && [ "$rc" = 0 ]; then
    ok "smuggling probe $i refused, nothing stored"
  else not_ok "smuggling probe $i" "rc=$rc out=$out $(ls "$D")"; fi
done
rf "${H}MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\nline\r\n.x\r\n.\r\n"
check_eq "a dot-stuffed line is not an end" "$(cat "$D/msg.1" | tr -d '\r')" "line
.x"

# STARTTLS, BDAT: never forwarded
rf "${H}STARTTLS\r\nBDAT 10 LAST\r\nNOOP\r\nQUIT\r\n"
check_eq "STARTTLS and BDAT answered here" "$(echo "$out" | tail -4)" "454 4.7.0 TLS not available here
502 5.5.1 BDAT not available here
250 ok
221 bye"
check_eq "neither reached the backend" "$(got)" "EHLO c
NOOP
QUIT"

# AUTH lifts the rules; RELAYCLIENT skips them
rf "${H}AUTH PLAIN\r\ngood\r\nMAIL FROM:<spammer@bad.example>\r\nRCPT TO:<joe@example.com>\r\nQUIT\r\n"
check_eq "after 235 the rules are off" "$(echo "$out" | tail -5)" "334 
235 ok
250 ok
250 ok
221 bye"
rf "${H}AUTH PLAIN\r\nbad\r\nMAIL FROM:<spammer@bad.example>\r\nRCPT TO:<joe@example.com>\r\nQUIT\r\n"
check_eq "failed AUTH: rules stay" "$(echo "$out" | tail -4)" "535 no
250 ok
550 5.1.1 sorry, no mailbox here by that name
221 bye"
rf "${H}MAIL FROM:<spammer@bad.example>\r\nRCPT TO:<joe@example.com>\r\nQUIT\r\n" RELAYCLIENT=
check_eq "RELAYCLIENT: rules not applied" "$(echo "$out" | tail -3)" "250 ok
250 ok
221 bye"

# RBLSMTPD (rblsmtpd2 -D): every RCPT but postmaster@ and abuse@
rf "${H}MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.com>\r\nRCPT TO:<postmaster@example.com>\r\nRCPT TO:<Abuse@example.com>\r\nQUIT\r\n" "RBLSMTPD=listed at bl.test"
check_eq "RBLSMTPD: 451 with its text; postmaster and abuse pass" "$(echo "$out" | tail -5)" "250 ok
451 listed at bl.test
250 ok
250 ok
221 bye"
rf "${H}MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.com>\r\nQUIT\r\n" "RBLSMTPD=-go away"
check_eq "RBLSMTPD with '-': 553" "$(echo "$out" | tail -2 | head -1)" "553 go away"
rf "${H}AUTH PLAIN\r\ngood\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.com>\r\nQUIT\r\n" "RBLSMTPD=-go away"
check_eq "RBLSMTPD lifted by AUTH" "$(echo "$out" | tail -2 | head -1)" "250 ok"

# rules missing or corrupt: 451 to each RCPT, never a pass, never a 5xx
RULES=$T/missing.cdb rf "${H}MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.com>\r\nRCPT TO:<x@elsewhere.example>\r\nQUIT\r\n"
check_eq "missing rules.cdb: 451 4.3.0" "$(echo "$out" | tail -3)" "451 4.3.0 unable to read the recipient rules, try again later
451 4.3.0 unable to read the recipient rules, try again later
221 bye"
head -c 5000 /dev/urandom > "$T/junk.cdb"
RULES=$T/junk.cdb rf "${H}MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.com>\r\nQUIT\r\n"
check_eq "corrupt rules.cdb: 451 4.3.0" "$(echo "$out" | tail -2 | head -1)" "451 4.3.0 unable to read the recipient rules, try again later"
expect_match "unreadable rules logged" "$err" "*action=tempfail*"

# command line limit
long=$(head -c 700 /dev/zero | tr '\0' a)
rf "${H}NOOP $long\r\nNOOP\r\nQUIT\r\n" -- -l 512
check_eq "line over -l: 500, not forwarded" "$(echo "$out" | tail -3)" "500 5.5.2 line too long
250 ok
221 bye"
check_eq "the long line never reached the backend" "$(got)" "EHLO c
NOOP
QUIT"
rf "${H}MAIL FROM:<a@b.example>\r\nRCPT TO:<x@y.example\r\nMAIL FROM <a@b>\r\nQUIT\r\n"
check_eq "unreadable addresses answered here" "$(echo "$out" | tail -3)" "501 5.1.3 bad recipient address syntax
501 5.5.4 syntax: MAIL FROM:<address>
221 bye"

# second transaction, RSET
rf "${H}MAIL FROM:<friend@bad.example>\r\nRCPT TO:<joe@example.com>\r\nRSET\r\nMAIL FROM:<spammer@bad.example>\r\nRCPT TO:<joe@example.com>\r\nQUIT\r\n"
check_eq "the sender of each transaction counts" "$(echo "$out" | tail -6)" "250 ok
250 ok
250 ok
250 ok
550 5.1.1 sorry, no mailbox here by that name
221 bye"

# limits on the transaction and the session (issue 12)
rf "${H}MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.com>\r\nRCPT TO:<other@example.org>\r\nRCPT TO:<third@example.org>\r\nQUIT\r\n" -- -m 2
check_eq "-m 2: the third RCPT gets 452 4.5.3" "$(echo "$out" | tail -4)" "250 ok
250 ok
452 4.5.3 too many recipients
221 bye"
check_eq "and is not forwarded" "$(got | grep -c RCPT)" 2
dict=; for i in $(seq 1 30); do dict="${dict}RCPT TO:<guess$i@example.com>\r\n"; done
rf "${H}MAIL FROM:<a@b.example>\r\n${dict}RCPT TO:<alice@example.com>\r\nQUIT\r\n"
check_eq "harvest guard (default 20): 20 refusals, then 421 4.7.0 and the end" "$(echo "$out" | grep -c '^550 5.1.1 no such mailbox'):$(echo "$out" | tail -1):$rc" "20:421 4.7.0 too many invalid recipients:0"
expect_match "action=harvest logged" "$err" "*action=harvest refused=20*"
check "nothing after the limit reached the server" sh -c "! grep -q 'alice' '$D/received'"
# (a RCPT pipelined before the server's 550 came is judged without it: the replies must be in)
rf_pipe "printf '${H}MAIL FROM:<a@b.example>\\r\\nRCPT TO:<unknown1@example.org>\\r\\nRCPT TO:<unknown2@example.org>\\r\\n'; sleep 1; printf 'RCPT TO:<alice@example.com>\\r\\nQUIT\\r\\n'" -- -u 2
check_eq "-u 2 counts the server's 550s too" "$(echo "$out" | tail -3)" "550 no such user
550 no such user
421 4.7.0 too many invalid recipients"
rf "${H}MAIL FROM:<a@b.example>\r\n${dict}RCPT TO:<alice@example.com>\r\nQUIT\r\n" -- -u 0
check_eq "-u 0: no guard" "$(echo "$out" | tail -2)" "250 ok
221 bye"
rf "${H}MAIL FROM:<>\r\nRCPT TO:<alice@example.com>\r\nRCPT TO:<other@example.org>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n"
check_eq "a bounce with a second recipient: 550 5.7.1 for it" "$(echo "$out" | sed -n '7,8p')" "250 ok
550 5.7.1 a bounce has one recipient"
check_eq "the bounce still goes to its one recipient" "$(tr -d '\r' < "$D/env.1")" "MAIL FROM:<>
RCPT TO:<alice@example.com>"
rf "${H}QUIT\r\n" STUB_EHLO_EXTRA=PIPECONNECT
check "PIPECONNECT removed from EHLO" sh -c "! echo '$out' | grep -q PIPECONNECT"
expect_match "and logged" "$err" "*removed=STARTTLS,CHUNKING,PIPECONNECT*"

# backend death in every phase: 421, exit 111, no 250 it did not give
for phase in banner ehlo mail rcpt data after354 afterdot; do
  HOLD=1 rf "${H}MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\nSubject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n" STUB_DIE=$phase
  last=$(echo "$out" | tail -1)
  n250=$(echo "$out" | grep -c '^250 ok')
  want=$(case $phase in banner|ehlo|mail) echo 0;; rcpt) echo 1;; *) echo 2;; esac)
  if [ "$rc" = 111 ] && [ "$last" = "421 4.3.0 mail server unavailable, try again later" ] && [ "$n250" = "$want" ] && [ ! -e "$D/msg.1" ]; then
    ok "backend dies at $phase: 421, exit 111, nothing stored"
  else not_ok "backend dies at $phase" "rc=$rc out=$out"; fi
done

# client goes away mid-DATA: nothing delivered
rf "${H}MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\nSubject: x\r\n\r\npartial"
check "client EOF mid-DATA: nothing stored, exit 0" test ! -e "$D/msg.1" -a "$rc" = 0
rf "${H}MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@exa"
check_eq "client EOF mid-command: the half line is not forwarded" "$(got | tail -1)" "MAIL FROM:<a@b.example>"

# timeouts
rf_pipe "printf 'EHLO c\\r\\n'; sleep 4" -- -t 1
check_eq "idle client: 421 after -t" "$rc:$(echo "$out" | tail -1)" "0:421 4.4.2 timeout, closing"
rf_pipe "printf 'EHLO c\\r\\nMAIL FROM:<a@b.example>\\r\\n'; sleep 4" STUB_STALL=mail -- -t 1
check_eq "stalled backend: 421, exit 111" "$rc:$(echo "$out" | tail -1)" "111:421 4.3.0 mail server unavailable, try again later"

# usage
for args in "" "rules.cdb" "-t 0 r.cdb prog" "-t x r.cdb prog" "-l 10 r.cdb prog" "-z r.cdb prog"; do
  # shellcheck disable=SC2086
  "$RF" $args < /dev/null > /dev/null 2> "$T/e"; rc=$?
  check_eq "usage error: '$args'" "$rc:$(head -c 18 "$T/e")" "100:rcptfilter: usage:"
done
sleep 1 | "$RF" "$T/rules.cdb" /nonexistent/prog > "$T/o" 2> "$T/e"; rc=$?
check_eq "backend cannot start: 421 to the client, exit 111" "$rc:$(tr -d '\r' < "$T/o")" "111:421 4.3.0 mail server unavailable, try again later"

# a client that never reads its replies: rcptfilter stops reading it, memory stays bounded
n=$((n + 1)); D=$T/d$n; mkdir -p "$D"
set -- $($PY "$TOP/tests/noreader.py" env TCPREMOTEIP=192.0.2.7 "$RF" "$T/rules.cdb" $STUB "$D" 2>/dev/null)
limit=20000; [ "${VARIANT:-build}" = asan ] && limit=200000
check "client that never reads: ${2:-?} bytes sent, peak RSS ${1:-?} KiB (< $limit)" test "${1:-999999}" -lt $limit -a "${2:-0}" -lt 67108864
