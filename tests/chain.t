#!/bin/bash
# The whole chain with real parts: tcpserver on loopback -> rblsmtpd2 (rbldnsd)
# -> rcptfilter (rules from cdbmake-rules) -> exim4 -bs storing a maildir.
# Assert the client's view and what the server stored.
. "$(dirname "$0")/lib.sh"
[ -x /usr/sbin/exim4 ] && [ "$(id -u)" = 0 ] || { skip "chain" "needs root and exim4"; exit 0; }
chmod 755 "$T"
mkdir -p "$T/z"
printf ':127.0.0.2:listed at bl.test, see http://bl.test/$\n127.0.0.2\n' > "$T/z/bl"
chmod -R a+rX "$T/z"
rbldnsd -n -u rbldns -w "$T/z" -b 127.0.0.53/53 bl.test:ip4set:bl > /dev/null 2>&1 &
at_exit "kill $! 2>/dev/null"
cat > "$T/rules" <<'R'
joe@example.com:spammer@bad.example:deny
joe@example.com:@bad.example:deny
joe@example.com:friend@bad.example:allow
@example.org::deny,MSG="5.1.1 no such mailbox"
alice@example.org::allow
trap@example.com::trap
R
"$BIN/cdbmake-rules" "$T/rules.cdb" "$T/rules.tmp" < "$T/rules"
EX=$TOP/examples/backend/exim-bs
serve() { # port rblsmtpd2-options...
  local port=$1; shift
  DNSCACHEIP=127.0.0.53 tcpserver -q -R -H -l0 127.0.0.1 "$port" \
    "$BIN/rblsmtpd2" -T 3 "$@" "$BIN/rcptfilter" "$T/rules.cdb" "$EX" "$T/ex" 2>> "$T/log" &
  at_exit "kill $! 2>/dev/null"
}
serve 2525 -r bl.test
serve 2526 -D -r bl.test
wait_for "$PY -c 'import socket; socket.create_connection((\"127.0.0.1\", 2525))'"
wait_for "$PY -c 'import socket; socket.create_connection((\"127.0.0.1\", 2526))'"
wait_udp_bound 127.0.0.53 53
stored() { # recipient -> number of stored messages
  local h; h=$(printf '%s' "$1" | sha256sum | cut -c1-64 | tr a-f A-F)
  ls "$T/ex/store/$h/new" 2>/dev/null | wc -l
}
sw() { swaks --server 127.0.0.1 "$@" --silent 2 --h-Subject chain 2>&1; }

sw --port 2525 --li 127.0.0.1 --from a@client.example --to alice@example.com > "$T/o"; rc=$?
check_eq "clean client: delivered" "$rc:$(stored alice@example.com)" "0:1"
sw --port 2525 --li 127.0.0.2 --from a@client.example --to bob@example.com > "$T/o"; rc=$?
check "listed client: refused (swaks $rc)" [ "$rc" -ne 0 ]
check "listed client: the TXT text" grep -q '451 listed at bl.test, see http://bl.test/127.0.0.2' "$T/o"
check_eq "listed client: nothing stored" "$(stored bob@example.com)" 0
sw --port 2526 --li 127.0.0.2 --from a@client.example --to bob@example.com > "$T/o"; rc=$?
check "-D: rejected at RCPT with the text" grep -q '<\*\* 451 listed at bl.test' "$T/o"
sw --port 2526 --li 127.0.0.2 --from a@client.example --to postmaster@example.com > "$T/o"; rc=$?
check_eq "-D: postmaster still gets mail" "$rc:$(stored postmaster@example.com)" "0:1"
sw --port 2525 --li 127.0.0.1 --from spammer@bad.example --to joe@example.com > "$T/o"; rc=$?
check "per-mailbox deny: 550 no mailbox" grep -q '550 5.1.1 sorry, no mailbox here by that name' "$T/o"
check_eq "per-mailbox deny: nothing stored" "$(stored joe@example.com)" 0
sw --port 2525 --li 127.0.0.1 --from friend@bad.example --to joe@example.com > "$T/o"; rc=$?
check_eq "personal exception delivered" "$rc:$(stored joe@example.com)" "0:1"
sw --port 2525 --li 127.0.0.1 --from a@c.example --to bob@example.org > "$T/o"
check "closed domain refuses its unknown mailbox" grep -q '550 5.1.1 no such mailbox' "$T/o"
sw --port 2525 --li 127.0.0.1 --pipeline --from spammer@bad.example --to joe@example.com,alice@example.org,unknown1@example.com > "$T/o"; rc=$?
check_eq "pipelined, mixed recipients: only alice stores" "$rc:$(stored alice@example.org):$(stored unknown1@example.com)" "0:1:0"
check "pipelined: each recipient its reply" grep -q '550 no such user' "$T/o"

# SMTP smuggling through the whole chain: nothing smuggled is stored
printf 'EHLO x\r\nMAIL FROM:<a@c.example>\r\nRCPT TO:<smuggle@example.com>\r\nDATA\r\n' > "$T/smug"
printf 'Subject: outer\r\n\r\nx\n.\nMAIL FROM:<evil@c.example>\r\nRCPT TO:<smuggle@example.com>\r\nDATA\r\nSubject: inner\r\n\r\n.\r\nQUIT\r\n' >> "$T/smug"
$PY "$TOP/tests/smtpclient.py" 127.0.0.1 2525 127.0.0.1 raw "$T/smug" > "$T/o" 2>&1
check "smuggling: 451 bare LF" grep -q '^451 4.5.0 bare LF' "$T/o"
check_eq "smuggling: nothing stored" "$(stored smuggle@example.com)" 0

# byte-exact bodies, many messages in one session, and a 10 MB one
count=200; [ "${VARIANT:-build}" = asan ] && count=40
mkdir -p "$T/sent"
$PY "$TOP/tests/smtpclient.py" 127.0.0.1 2525 127.0.0.1 messages $count 42 "$T/sent" a@c.example bulk@example.com big > "$T/o" 2>&1
check_eq "$count messages accepted" "$(grep -c '^250' "$T/o")" "$count"
h=$(printf '%s' bulk@example.com | sha256sum | cut -c1-64 | tr a-f A-F)
b=$((cd "$T/ex/store/$h/new" && for f in *; do md5sum < "$f"; done) | sort | md5sum)
c=$(for f in "$T/sent"/sent.*; do md5sum < "$f"; done | sort | md5sum)
check_eq "every stored message byte-identical to what was sent" "$b" "$c"
check_eq "stored exactly once each" "$(stored bulk@example.com)" "$count"
check "10 MB body among them" test "$(find "$T/ex/store/$h/new" -size +10M | wc -l)" = 1
