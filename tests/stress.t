#!/bin/bash
# Load through the whole chain: concurrent pipelined sessions, mixed allowed
# and denied recipients. Every message the client saw accepted is stored
# exactly once for each accepted recipient; nothing denied is stored; no
# process is left behind. `make stress` runs the full size (200 sessions,
# 20,000 messages); make test a reduced one.
. "$(dirname "$0")/lib.sh"
[ -x /usr/sbin/exim4 ] && [ "$(id -u)" = 0 ] || { skip "stress" "needs root and exim4"; exit 0; }
sessions=${STRESS_SESSIONS:-20} messages=${STRESS_MESSAGES:-10}
[ "${VARIANT:-build}" = asan ] && [ -z "${STRESS_SESSIONS-}" ] && { sessions=8; messages=5; }
chmod 755 "$T"
mkdir -p "$T/z"
printf ':127.0.0.2:listed\n127.0.0.2\n' > "$T/z/bl"; chmod -R a+rX "$T/z"
rbldnsd -n -u rbldns -w "$T/z" -b 127.0.0.53/53 bl.test:ip4set:bl > /dev/null 2>&1 &
at_exit "kill $! 2>/dev/null"
"$BIN/cdbmake-rules" "$T/rules.cdb" "$T/rules.tmp" < "$TOP/examples/rules"
# -u 0: every message has an unknown recipient, and make stress's 100 in one
# session would trip the harvest guard (20 by default) after the 20th
DNSCACHEIP=127.0.0.53 tcpserver -q -R -H -l0 -c 400 127.0.0.1 2525 \
  "$BIN/rblsmtpd2" -T 3 -r bl.test "$BIN/rcptfilter" -u 0 "$T/rules.cdb" "$TOP/examples/backend/exim-bs" "$T/ex" 2> "$T/server.log" &
srv=$!
at_exit "kill $srv 2>/dev/null"
wait_for "(exec 3<>/dev/tcp/127.0.0.1/2525)"
$PY "$TOP/tests/stress.py" 2525 "$sessions" "$messages" "$T/accepted" > "$T/out" 2>&1; rc=$?
check_eq "$sessions sessions x $messages messages: every reply as expected" "$rc:$(head -3 "$T/out")" "0:"
total=$((sessions * messages))
check_eq "all $total messages accepted" "$(grep -c . "$T/accepted")" "$total"
check_eq "no session cut short (action=abort or 421 in the chain's log)" "$(grep -c 'action=abort\|code=421' "$T/server.log")" 0
store() { printf '%s' "$1" | sha256sum | cut -c1-64 | tr a-f A-F; }
alice=$T/ex/store/$(store alice@example.org)/new joe=$T/ex/store/$(store joe@example.com)/new
# find, not a glob: 20,000 file names are more than one command line takes
ids() { find "$1" -type f -exec cat {} + 2>/dev/null | tr -d '\r' | sed -n 's/^X-Id: //p' | sort; }
check_eq "alice: each accepted message stored exactly once" "$(ids "$alice" | md5sum)" "$(cut -d' ' -f1 "$T/accepted" | sort | md5sum)"
check_eq "joe: exactly the messages from senders he allows" "$(ids "$joe" | md5sum)" "$(grep -v '@bad.example' "$T/accepted" | cut -d' ' -f1 | sort | md5sum)"
check_eq "joe: nothing from @bad.example" "$(find "$joe" -type f -exec cat {} + 2>/dev/null | tr -d '\r' | grep -c '^X-From: .*@bad.example')" 0
check_eq "nothing stored for refused recipients" "$(ls "$T/ex/store" | wc -l)" 2
kill $srv; gone "$T/ex"; gone "$T/rules"
check_eq "no process of the chain left behind" "$(left_behind "$T/ex"; left_behind "$T/rules")" ""
