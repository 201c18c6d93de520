#!/bin/bash
# Ways past rcptfilter's rules found by an adversarial review (2026-12-01),
# each as a whole session against tests/smtpstub.py (and exim4 -bs where its
# behaviour is the point): another mailbox to qmail-smtpd than to the rules,
# verbs with white space or a NUL, an overlong AUTH answer, 2500 pipelined
# local replies, a transaction a server keeps after a refused EHLO/RSET.
# Every check here failed before the fixes.
. "$(dirname "$0")/lib.sh"
RF=$BIN/rcptfilter
STUB="$PY $TOP/tests/smtpstub.py"
cat > "$T/rules" <<'R'
joe@example.com:@bad.example:deny
alice@example.com::allow
R
"$BIN/cdbmake-rules" "$T/rules.cdb" "$T/rules.tmp" < "$T/rules" || not_ok "rules compiled"
. "$TOP/tests/rcptlib.sh"
H='EHLO c\r\n'

# --- qmail-smtpd's addrparse() reads the mailbox from the first '<' of the
# argument: the rules judged alice, the RCPT that went on names joe
rf "${H}MAIL FROM:<s@bad.example>\r\nRCPT TO:alice@example.com <joe@example.com>\r\nQUIT\r\n"
check "'RCPT TO:alice@... <joe@...>' (qmail-smtpd: joe) never reaches the server" sh -c "! grep -q 'joe@example.com' '$D/received'"
rf "${H}MAIL FROM:<s@bad.example>\r\nRCPT TO:@route.example:joe@example.com\r\nQUIT\r\n"
check "'RCPT TO:@route:joe@...' (qmail-smtpd strips the route: joe) never reaches the server unjudged as joe" \
  sh -c "! grep -q 'joe@example.com' '$D/received' || grep -q 'action=deny .*rcpt=<joe@example.com>' '$D/err'"

# --- a verb the proxy does not recognise, that the server does (Postfix's
# tokenizer: any white space; qmail-smtpd: the verb ends at a NUL)
rf "${H}MAIL FROM:<s@bad.example>\r\n RCPT TO:<joe@example.com>\r\nRCPT\tTO:<joe@example.com>\r\nQUIT\r\n"
check "' RCPT' and 'RCPT<TAB>TO:' (Postfix: RCPT) never reach the server unjudged" sh -c "! grep -q 'joe@example.com' '$D/received'"
rf "${H}MAIL FROM:<alice@good.example>\r\nMAIL\0 FROM:<>\r\nQUIT\r\n"
check "'MAIL<NUL>' (qmail-smtpd: MAIL FROM:<>, a new sender) never reaches the server unseen" sh -c "! LC_ALL=C grep -qa 'MAIL. FROM:<>' '$D/received'"

# --- an AUTH answer over -l: the session hangs until -t, then blames the backend
rf_pipe "printf 'EHLO c\\r\\nAUTH GSSAPI\\r\\n'; sleep 0.5; head -c 5000 /dev/zero | tr '\\\\0' Y; printf '\\r\\n'; sleep 4" -- -t 2
check "an AUTH answer over 4096 bytes: not 'backend stalled' after -t" sh -c "! grep -q 'reason=\"backend stalled\"' '$D/err'"
check_eq "and not exit 111" "$rc" 0

# --- rblsmtpd2 -D text on 3000 pipelined RCPTs: 421 'out of memory', exit 111
long=$(head -c 300 /dev/zero | tr '\0' x)
rcpts=; for i in $(seq 1 2500); do rcpts="${rcpts}RCPT TO:<u$i@example.org>\r\n"; done
rf "${H}MAIL FROM:<a@b.example>\r\n${rcpts}QUIT\r\n" "RBLSMTPD=$long"
check_eq "2500 pipelined RCPTs under RBLSMTPD: each its 451, then 221, exit 0" "$(echo "$out" | grep -c '^451 '):$(echo "$out" | tail -1):$rc" "2500:221 bye:0"
case $err in *"out of memory"*) not_ok "no 'fail reason=out of memory' in the log" "$(echo "$err" | tail -2)";; *) ok "no 'fail reason=out of memory' in the log";; esac

# --- exim 4.96 (a real server): a refused EHLO leaves its transaction open;
# rcptfilter believes the next MAIL at once and judges joe by the wrong sender
if [ -x /usr/sbin/exim4 ] && [ "$(id -u)" = 0 ]; then
  chmod 755 "$T"
  STUB="$TOP/examples/backend/exim-bs"
  rf_pipe "printf 'EHLO c\\r\\nMAIL FROM:<s@bad.example>\\r\\n'; sleep 0.5; printf 'EHLO\\r\\n'; sleep 0.5; printf 'MAIL FROM:<f@good.example>\\r\\nRCPT TO:<joe@example.com>\\r\\nDATA\\r\\n'; sleep 0.5; printf 'Subject: x\\r\\n\\r\\nhi\\r\\n.\\r\\nQUIT\\r\\n'; sleep 0.5"
  h=$(printf '%s' joe@example.com | sha256sum | cut -c1-64 | tr a-f A-F)
  check_eq "exim: EHLO refused (501), then MAIL f@good (503) + RCPT joe: no message from s@bad.example stored for joe" \
    "$(ls "$D/store/$h/new" 2>/dev/null | wc -l)" 0
  rf_pipe "printf 'EHLO c\\r\\nMAIL FROM:<s@bad.example>\\r\\n'; sleep 0.5; printf 'RSET x\\r\\n'; sleep 0.5; printf 'MAIL FROM:<f@good.example>\\r\\nRCPT TO:<joe@example.com>\\r\\nDATA\\r\\n'; sleep 0.5; printf 'Subject: x\\r\\n\\r\\nhi\\r\\n.\\r\\nQUIT\\r\\n'; sleep 0.5"
  check_eq "exim: 'RSET x' refused (501), likewise" "$(ls "$D/store/$h/new" 2>/dev/null | wc -l)" 0
  STUB="$PY $TOP/tests/smtpstub.py"
else
  skip "exim refusing EHLO / RSET x" "needs root and exim4"
fi
