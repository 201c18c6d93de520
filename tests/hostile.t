#!/bin/bash
# Hostile input against rcptfilter, with a backend that keeps transactions as
# a real one does (tests/smtpstub.py): every published end-of-data variant
# (SMTP smuggling), pipelining desync probes, NULs, 1 MB lines, 8-bit
# commands, CR-only and LF-only streams, and addresses written to slip past
# the rules. Invariants: nothing smuggled becomes a message or an envelope,
# no denied recipient reaches the backend however it is spelt, a stored body
# is byte for byte what the client sent, and rcptfilter always ends cleanly.
. "$(dirname "$0")/lib.sh"
RF=$BIN/rcptfilter
STUB="$PY $TOP/tests/smtpstub.py"
printf 'joe@example.com:@bad.example:deny\nalice@example.com::allow\n' | "$BIN/cdbmake-rules" "$T/rules.cdb" "$T/rules.tmp"
. "$TOP/tests/rcptlib.sh"
H='EHLO c\r\n'
envs() { cat "$D"/env.* 2>/dev/null | tr -d '\r'; }
nmsg() { ls "$D" | grep -c '^msg\.'; }
SMUG='MAIL FROM:<evil@c.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\nSubject: inner\r\n\r\nsmuggled\r\n'

# --- end-of-data variants (SEC Consult 2023 and the advisories after it): the
# outer message carries one, then a whole smuggled transaction, then a real end
i=0
for v in '\n.\n' '\n.\r\n' '\r.\n' '\r.\r\n' '\r\n.\n' '\r\n.\r' '\n.\r' '\r.\r' '\n\r.\r\n' '\r\n\r.\r\n' \
         '\r\n\0.\r\n' '\r\n.\0\r\n' '\r\n.\0\n' '\r\n .\r\n' '\r\n.\t\r\n' '\r\n.\r\r\n'; do
  i=$((i + 1))
  rf "${H}MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\nSubject: outer\r\n\r\nbody${v}${SMUG}.\r\nQUIT\r\n"
  # a variant with a bare CR or LF or a NUL ends the session (451); one without
  # (tab, space) is body text: the one message holds the smuggled lines as text
  if [ "$(nmsg)" -le 1 ] && ! envs | grep -q evil && [ "$rc" = 0 ] &&
     { echo "$out" | grep -qE '^451 4.5.0 (bare LF|NUL)' || { [ "$(nmsg)" = 1 ] && grep -q 'MAIL FROM:<evil' "$D/msg.1"; }; }; then
    ok "end-of-data variant $i ($v): nothing smuggled ($(echo "$out" | grep -q '^451' && echo 451 || echo 'one message'))"
  else not_ok "end-of-data variant $i ($v)" "rc=$rc msgs=$(nmsg) envs=$(envs) out=$out"; fi
done

# --- pipelining desync: the sender the rules use is the one the backend holds
rf "${H}MAIL FROM:<spammer@bad.example>\r\nMAIL FROM:<<garbage\r\nRCPT TO:<joe@example.com>\r\nQUIT\r\n"
check_eq "a MAIL we refuse leaves the open transaction: RCPT still judged by it" "$(echo "$out" | tail -3)" "501 5.1.7 bad sender address syntax
550 5.1.1 sorry, no mailbox here by that name
221 bye"
rf "${H}MAIL FROM:<friend@good.example> SIZE=999999999\r\nRCPT TO:<joe@example.com>\r\nQUIT\r\n"
check_eq "a MAIL the backend refuses (552) opens nothing: the RCPT is not judged by it" "$(echo "$out" | tail -3)" "552 5.3.4 message size exceeds fixed limit
503 5.5.1 MAIL first
221 bye"
rf "${H}MAIL FROM:<spammer@bad.example>\r\nMAIL FROM:<friend@good.example>\r\nRCPT TO:<joe@example.com>\r\nQUIT\r\n"
check_eq "nested MAIL refused (503): judged by the first" "$(echo "$out" | tail -3)" "503 5.5.1 nested MAIL command
550 5.1.1 sorry, no mailbox here by that name
221 bye"
check "none of them reached the backend as a RCPT" sh -c "! grep -q RCPT '$D/received'"
rf "${H}RCPT TO:<joe@example.com>\r\nMAIL FROM:<spammer@bad.example>\r\nRSET\r\nRCPT TO:<joe@example.com>\r\nQUIT\r\n"
check_eq "RCPT outside a transaction: 503 here; right after RSET: none open, 503 here too" "$(echo "$out" | tail -5)" "503 5.5.1 MAIL first
250 ok
250 ok
503 5.5.1 MAIL first
221 bye"
check "and not forwarded" sh -c "! grep -q RCPT '$D/received'"
rf "${H}MAIL FROM:<spammer@bad.example>\r\nRCPT TO:<joe@example.com>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\nSubject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n"
check_eq "MAIL, RCPT x2, DATA and body in one write: the backend's envelope" "$(envs)" "MAIL FROM:<spammer@bad.example>
RCPT TO:<alice@example.com>"
rf "${H}MAIL FROM:<spammer@bad.example>\r\nRCPT TO:<joe@example.com>\r\nDATA\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<joe@example.com>\r\n.\r\nQUIT\r\n"
check_eq "every RCPT denied, a body pipelined anyway: read as commands, nothing stored" "$(nmsg):$(envs)" "0:"
rf "${H}MAIL\tFROM:<friend@good.example>\r\nRCPT\tTO:<joe@example.com>\r\nDATA\tx\r\nQUIT\r\n"
check "tab after the verb: not a command here, not one to the backend either" sh -c "! grep -q '^250 ok' '$D/out' && [ \$(ls '$D' | grep -c '^msg') = 0 ]"

# --- addresses spelt to slip past "joe@example.com:@bad.example:deny"
i=0
for a in '<joe@example.com>' '<JOE@EXAMPLE.COM>' '<joe@example.com.>' '<@relay.example:joe@example.com>' \
         '<@a.example,@b.example:joe@example.com>' '<"joe"@example.com>' '<jo\\e@example.com>' '<j"o"e@example.com>' \
         '<joe@ex"ample".com>' '<joe@exa\\mple.com>' 'joe@example.com' '<joe@example.com> NOTIFY=NEVER' ' <joe@example.com>'; do
  for s in '<spammer@bad.example>' '<SPAMMER@Bad.Example.>' '<"spammer"@bad.example>' '<@x.example:spammer@bad.example>' \
           '<spammer@bad.ex\\ample>' 'spammer@bad.example'; do
    i=$((i + 1))
    rf "${H}MAIL FROM:${s}\r\nRCPT TO:${a}\r\nQUIT\r\n"
    if ! grep -q RCPT "$D/received" && echo "$out" | grep -qE '^(550|501|553)'; then :
    else not_ok "rcpt $a from $s" "$out"; continue 2; fi
  done
done
ok "$i spellings of a denied pair: none reached the backend"
rf "${H}MAIL FROM:<spammer@bad.example>\r\nRCPT TO:<joe>\r\nRCPT TO:<postmaster>\r\nQUIT\r\n"
check_eq "a recipient without a domain is refused (qmail would add one); postmaster is not" "$(echo "$out" | tail -3)" "553 5.1.3 recipient needs a domain
250 ok
221 bye"
rf "${H}MAIL FROM:<spammer@bad.example>\r\nRCPT TO:<\"joe@example.com\">\r\nRCPT TO:<joe\\\\@example.com>\r\nRCPT TO:<joe@example.com\"@evil.example\">\r\nQUIT\r\n"
check_eq "a quoted or escaped '@' that moves the split: refused" "$(echo "$out" | grep -c '^501 5.1.3')" 3

# --- the two holes a NUL-stripping, early-ending server opens (issue 16)
for v in '\r\n\0.\r\n' '\r\n.\0\r\n' '\r\n.\0\n'; do
  rf "${H}MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\nSubject: outer\r\n\r\nbody${v}${SMUG}.\r\nQUIT\r\n" STUB_STRIP_NUL=1
  check_eq "NUL-stripping server, variant $v: 451 here, nothing stored" "$(echo "$out" | grep -c '^451 4.5.0 NUL'):$(nmsg):$(envs)" "1:0:"
done
rf "${H}MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\nSubject: outer\r\n\r\nbody\r\n.x\r\n${SMUG}.\r\nQUIT\r\n" STUB_DOT_END=.x
check_eq "a server that ends the body early: one 354, then 421, exit 111" "$(echo "$out" | grep -c '^354'):$(echo "$out" | tail -1):$rc" "1:421 4.3.0 mail server unavailable, try again later:111"
check "and the log says desync" grep -q 'action=fail reason="desync"' "$D/err"
rf "${H}MAIL FROM:<spammer@bad.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\nSubject: x\r\n\r\nhi\r\n.\r\nRCPT TO:<joe@example.com>\r\nQUIT\r\n"
check_eq "a RCPT pipelined behind the dot meets no transaction: 503 here" "$(echo "$out" | tail -2)" "503 5.5.1 MAIL first
221 bye"
check "and is never judged by the finished transaction's sender" sh -c "! grep -q 'rcpt=<joe@example.com>' '$D/err'"
# --- NULs, 8-bit, long lines, CR-only and LF-only streams
rf "${H}MAIL FROM:<a\0b@bad.example>\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<joe@example.com\0>\r\nNO\0OP\r\nQUIT\r\n"
check_eq "NUL in a command: 500 here (qmail-smtpd's verb ends at a NUL: MAIL\\0 would be MAIL FROM:<>)" "$(echo "$out" | tail -5 | head -4)" "500 5.5.2 syntax error
250 ok
500 5.5.2 syntax error
500 5.5.2 syntax error"
rf "${H}MAIL FROM:<j\xc3\xb6rg@b\xc3\xbccher.example>\r\nRCPT TO:<alice@example.com>\r\n\xff\xfe\xfd\r\nQUIT\r\n"
check_eq "8-bit sender and 8-bit garbage command: relayed as they are" "$(echo "$out" | tail -4)" "250 ok
250 ok
502 unknown command
221 bye"
big=$(head -c 1048576 /dev/zero | tr '\0' x)
rf "${H}NOOP ${big}\r\nNOOP\r\nQUIT\r\n"
check_eq "a 1 MB command line: 500, not forwarded, session goes on" "$(echo "$out" | tail -3):$(wc -c < "$D/received")" "500 5.5.2 line too long
250 ok
221 bye:20"
rf "${H}MAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\nSubject: long\r\n\r\n${big}\r\n.\r\nQUIT\r\n"
printf 'Subject: long\r\n\r\n%s\r\n' "$big" > "$T/want"
check "a 1 MB body line: stored byte for byte" cmp -s "$D/msg.1" "$T/want"
rf "EHLO c\rMAIL FROM:<a@b.example>\rRCPT TO:<alice@example.com>\rDATA\rx\r.\rQUIT\r"
check_eq "CR-only stream: no command ever ends, nothing forwarded, clean exit" "$rc:$(wc -c < "$D/received"):$(echo "$out")" "0:0:220 stub ESMTP"
rf "$(head -c 200000 /dev/zero | tr '\0' '\r')"
check_eq "200 kB of CR: clean exit, nothing forwarded" "$rc:$(wc -c < "$D/received")" "0:0"
rf "EHLO c\nMAIL FROM:<a@b.example>\nRCPT TO:<alice@example.com>\nDATA\nSubject: lf\n\nbody\n.\nQUIT\n"
check "LF-only stream: commands read, the body refused (451), nothing stored" sh -c "grep -q '^451 4.5.0 bare LF' '$D/out' && [ \$(ls '$D' | grep -c '^msg') = 0 ]"

# --- the client goes away at every phase: clean exit, nothing stored unless
# the final dot was sent (then exactly one message, byte for byte)
esc() { $PY -c 'import sys; sys.stdout.write("".join(chr(b) if 32 <= b < 127 and b not in b"\\%" else "\\x%02x" % b for b in sys.stdin.buffer.read()))'; }
full='EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\nSubject: x\r\n\r\nhello\r\n.\r\nQUIT\r\n'
#        mid EHLO, after EHLO, mid MAIL, after MAIL, RCPT, DATA, mid header, after it, body, ".\r", the dot, mid QUIT
for cut in 0 4 8 20 33 62 68 75 82 89 91 92 95; do
  rf "$(printf "$full" | head -c $cut | esc)"
  want=0; [ "$cut" -ge 92 ] && want=1
  if [ "$rc" = 0 ] && [ "$(nmsg)" = "$want" ] && { [ "$want" = 0 ] || [ "$(cat "$D/msg.1")" = "$(printf 'Subject: x\r\n\r\nhello\r\n')" ]; }; then
    ok "client gone after $cut bytes: exit 0, $want message(s)"
  else not_ok "client gone after $cut bytes" "rc=$rc msgs=$(nmsg) out=$out"; fi
done
