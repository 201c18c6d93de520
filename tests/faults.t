#!/bin/bash
# Faults from the outside: rules replaced or deleted under a running session,
# too few file descriptors, too little memory. Expected every time: a
# temporary failure or the old consistent answer, a clear line, no hang.
. "$(dirname "$0")/lib.sh"
RF=$BIN/rcptfilter R=$BIN/rblsmtpd2 C=$BIN/cdbmake-rules
STUB="$PY $TOP/tests/smtpstub.py"
printf 'joe@example.com:@bad.example:deny\n' | "$C" "$T/rules.cdb" "$T/rules.tmp"
mkdir -p "$T/d1" "$T/d2"

# rules.cdb replaced, then deleted, while a session runs: the session keeps the
# rules it opened (one consistent view), a new session sees the new file
mkfifo "$T/in"
env -i TCPREMOTEIP=192.0.2.7 "$RF" "$T/rules.cdb" $STUB "$T/d1" < "$T/in" > "$T/out" 2>/dev/null &
exec 3> "$T/in"
printf 'EHLO c\r\nMAIL FROM:<x@bad.example>\r\nRCPT TO:<joe@example.com>\r\n' >&3
# each change once the answer before it is out: the session has its rules open
refused() { wait_for "[ \$(tr -d '\\r' < '$T/out' | grep -c '^550 5.1.1 sorry') -ge $1 ]"; }
refused 1
printf 'joe@example.com:@other.example:deny\n' | "$C" "$T/rules.cdb" "$T/rules.tmp"
printf 'RCPT TO:<joe@example.com>\r\n' >&3
refused 2
rm -f "$T/rules.cdb"
printf 'RCPT TO:<joe@example.com>\r\nQUIT\r\n' >&3
exec 3>&-; wait
check_eq "rules replaced and deleted mid-session: the session keeps its view" "$(tr -d '\r' < "$T/out" | grep -c '^550 5.1.1 sorry')" 3
printf 'EHLO c\r\nMAIL FROM:<x@bad.example>\r\nRCPT TO:<joe@example.com>\r\nQUIT\r\n' |
  env -i TCPREMOTEIP=192.0.2.7 "$RF" "$T/rules.cdb" $STUB "$T/d2" 2>/dev/null | tr -d '\r' > "$T/out2"
check_eq "the next session without a cdb: 451, never a pass" "$(grep -c '^451 4.3.0' "$T/out2")" 1

# too few descriptors: rcptfilter cannot make its pipes -> exit 111, nothing half-done
sh -c 'ulimit -n 4; exec "$0" "$@"' "$RF" "$T/missing.cdb" /bin/cat < /dev/null > "$T/o" 2> "$T/e"; rc=$?
check_eq "rcptfilter, ulimit -n 4: exit 111" "$rc" 111
check "and says why" grep -q '^rcptfilter: fatal: unable to' "$T/e"

# rblsmtpd2 with too few descriptors for its queries: a failed lookup, never a
# listing taken for clean when -c is given
cat > "$T/zone" <<Z
9.0.0.127.bl.test TXT "listed"
Z
$PY "$TOP/tests/dnsd.py" 127.0.0.54 "$T/zone" 2>/dev/null &
at_exit "kill $! 2>/dev/null"
wait_udp_bound 127.0.0.54 53
lists=$(for i in 1 2 3 4 5 6 7 8; do printf -- '-r l%s.test ' $i; done)
# shellcheck disable=SC2086
out=$( ( ulimit -n 6; printf 'RCPT TO:<a@b>\r\n' | env -i DNSCACHEIP=127.0.0.54 TCPREMOTEIP=127.0.0.9 "$R" -T 2 -c $lists -r bl.test /bin/echo PASSED 2> "$T/e" ) | tr -d '\r')
check_eq "rblsmtpd2 -c, ulimit -n 6 with 9 lists: temporary reject, not a pass" "$(printf '%s' "$out" | tail -1)" "451 temporary RBL lookup error"
check "the failed lookups are logged" grep -q 'action=lookupfail' "$T/e"

# too little memory for rcptfilter's buffers: 421 or exit 111, never a 250 of its own
if [ "${VARIANT:-build}" = build ]; then
  out=$( ( ulimit -v 12000; printf 'EHLO c\r\nQUIT\r\n' | env -i TCPREMOTEIP=192.0.2.7 "$RF" "$T/missing.cdb" /bin/cat 2>/dev/null ); echo "rc=$?" )
  case $out in *rc=111*|*"rc=0"*) ok "rcptfilter, ulimit -v 12000: ends cleanly ($(printf '%s' "$out" | tail -1))";; *) not_ok "ulimit -v" "$out";; esac
else skip "ulimit -v" "ASan reserves terabytes of address space"; fi

# slowloris, both ways: a client that trickles a byte every 0.5 s gets -t
# seconds per line, not per byte; a client that never reads its replies is
# dropped -t seconds after the last line it completed. Neither can hold a
# session (and a tcpserver slot) beyond the configured timeouts.
SLOW="$PY $TOP/tests/slowclient.py"
printf 'joe@example.com:@bad.example:deny\n' | "$C" "$T/rules.cdb" "$T/rules.tmp"   # deleted above
mkdir -p "$T/d3" "$T/d4"
set -- $(env -i TCPREMOTEIP=192.0.2.7 $SLOW trickle 'EHLO c\r\nMAIL FROM:<somebody@example.org>\r\n' "$RF" -t 2 "$T/rules.cdb" $STUB "$T/d3" 2> "$T/e3" | tr -d '\r' | tr '\n' '|')
check "rcptfilter -t 2, a byte every 0.5 s: cut within 8 s, not after 17 s of bytes (took ${1:-?} s)" awk -v s="${1:-99}" 'BEGIN { exit !(s < 8) }'
case $* in *"421 4.4.2 timeout, closing"*) ok "trickling client: 421 timeout";; *) not_ok "trickle 421" "$*";; esac
check "trickling client: the half line never reached the server" sh -c "! grep -q MAIL '$T/d3/received'"
check "trickling client: logged" grep -q 'action=abort.*idle timeout' "$T/e3"
set -- $(env -i TCPREMOTEIP=192.0.2.7 $SLOW noread 'EHLO c\r\n' "$RF" -t 2 "$T/rules.cdb" $STUB "$T/d4" 2> "$T/e4")
check "rcptfilter -t 2, a client that never reads: gone within 8 s (took ${1:-?} s, exit ${2:-?})" awk -v s="${1:-99}" -v rc="${2:-x}" 'BEGIN { exit !(s < 8 && rc == 0) }'
check "client not reading: logged" grep -q 'action=abort.*client not reading' "$T/e4"
set -- $(env -i TCPREMOTEIP=192.0.2.7 RBLSMTPD='-go away' $SLOW trickle 'HELO c\r\nMAIL FROM:<somebody@example.org>\r\n' "$R" -t 2 /bin/true 2>/dev/null | tr -d '\r' | tr '\n' '|')
check "rblsmtpd2 -t 2, a byte every 0.5 s: the whole dialogue within 2 s (took ${1:-?} s)" awk -v s="${1:-99}" 'BEGIN { exit !(s < 5) }'
set -- $(env -i TCPREMOTEIP=192.0.2.7 RBLSMTPD='-go away' $SLOW noread 'HELO c\r\n' "$R" -t 2 /bin/true 2>/dev/null)
check "rblsmtpd2 -t 2, a client that never reads: gone within 5 s (took ${1:-?} s, exit ${2:-?})" awk -v s="${1:-99}" -v rc="${2:-x}" 'BEGIN { exit !(s < 5 && rc != "alive") }'

# a server that stops reading in the middle of a 1 MB body: rcptfilter's
# buffers fill, nothing grows, and after -t the client gets 421, exit 111
# (the client's writes stay blocked until rcptfilter ends: no EOF before)
mkdir -p "$T/d5"
s=$(date +%s%N)
{ printf 'EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\nSubject: big\r\n\r\n'
  yes "$(head -c 998 /dev/zero | tr '\0' x)" | head -1000 | sed 's/$/\r/'; printf '.\r\nQUIT\r\n'; } 2>/dev/null |
  env -i TCPREMOTEIP=192.0.2.7 STUB_STALL=after354 timeout 30 "$RF" -t 2 "$T/rules.cdb" $STUB "$T/d5" > "$T/o5" 2> "$T/e5"; rc=${PIPESTATUS[1]}
ms=$(( ($(date +%s%N) - s) / 1000000 ))
check_eq "server stops reading mid-body: 421, exit 111" "$rc:$(tail -1 "$T/o5" | tr -d '\r')" "111:421 4.3.0 mail server unavailable, try again later"
check "and it took -t, not the client's patience (${ms} ms < 8000)" test "$ms" -lt 8000
check "nothing stored, logged" sh -c "[ ! -e '$T/d5/msg.1' ] && grep -q 'action=fail reason=\"backend stalled\"' '$T/e5'"
