#!/bin/bash
# rblsmtpd2's own behaviour (what rblsmtpd cannot do): parallel lists, -T,
# IPv6, base:message, return codes, 127.255.255.x, RELAYCLIENT, -D, exec
# fast path, bad input, hostile DNS answers, the log line.
. "$(dirname "$0")/lib.sh"
R=$BIN/rblsmtpd2
six=2001:db8::7
nib=7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2
cat > "$T/zone" <<Z
2.0.0.127.bl.test TXT "listed in bl"
2.0.0.127.bl.test A 127.0.0.2
3.0.0.127.bl.test A 127.0.0.10
4.0.0.127.bl.test A 127.0.0.3
$nib.bl.test TXT "v6 listed"
$nib.bl.test A 127.0.0.2
2.0.0.127.slow1.test TXT delay=1 "slow one"
2.0.0.127.slow2.test TXT delay=1 "slow two"
2.0.0.127.slow3.test TXT delay=1 "slow three"
2.0.0.127.dead.test * DROP
2.0.0.127.blocked.test TXT "Error: open resolver; https://example/"
2.0.0.127.blocked.test A 127.255.255.254
2.0.0.127.garbage.test * GARBAGE
2.0.0.127.wrongid.test * WRONGID TXT "forged"
2.0.0.127.loop.test * LOOP
2.0.0.127.short.test * SHORT TXT "cut"
2.0.0.127.al.test A 127.0.0.2
2.0.0.127.huge.test TXT "$(head -c 2000 /dev/zero | tr '\0' h)"
Z
$PY "$TOP/tests/dnsd.py" 127.0.0.54 "$T/zone" 2>"$T/dnsd.log" &
at_exit "kill $! 2>/dev/null"
wait_udp_bound 127.0.0.54 53 || not_ok "dnsd started" "$(cat "$T/dnsd.log")"

cat > "$T/rec" <<'EOF2'
#!/bin/sh
printf 'pid=%s RBLSMTPD=%s args=%s\n' "$$" "${RBLSMTPD-(unset)}" "$*" > "$RECFILE"
printf '220 backend\r\n'
EOF2
chmod +x "$T/rec"
n=0
# rb IP INPUT OPTIONS... : runs rblsmtpd2; sets $out $err $rc $rec
rb() {
  local ip=$1 input=$2; shift 2
  n=$((n + 1)); rm -f "$T/rec.$n"
  printf "$input" | env -i PATH=/usr/bin:/bin DNSCACHEIP=127.0.0.54 RECFILE="$T/rec.$n" ${ip:+TCPREMOTEIP=$ip} "${EXTRA[@]}" \
    "$R" "$@" "$T/rec" a b > "$T/out.$n" 2> "$T/err.$n"
  rc=$?; out=$(tr -d '\r' < "$T/out.$n"); err=$(cat "$T/err.$n"); rec=$(cat "$T/rec.$n" 2>/dev/null)
}
EXTRA=()
Q='QUIT\r\n'

rb 127.0.0.2 "$Q" -r bl.test
check_eq "TXT list: listed" "$out" "220 rblsmtpd.local
221 rblsmtpd.local"
case $err in *"rblsmtpd2: ip=127.0.0.2 pid="*" action=reject code=451 list=bl.test ms="*' text="listed in bl"'*) ok "log line: ip pid action code list ms text";; *) not_ok "log line" "$err";; esac
rb 127.0.0.9 "$Q" -r bl.test
check_eq "clean: exec'd" "$out" "220 backend"
pid=$(printf '%s' "$err" | sed -n 's/.*action=pass.* pid=\([0-9]*\).*//p; s/.* pid=\([0-9]*\) action=pass.*/\1/p')
case $rec in "pid=$pid "*) ok "clean: exec'd in place, no fork (pid $pid)";; *) not_ok "exec in place" "log: $err rec: $rec";; esac
check_eq "clean: RBLSMTPD untouched" "${rec#* }" "RBLSMTPD=(unset) args=a b"

# IPv6 and IPv4-mapped
rb "$six" 'RCPT TO:<x@y>\r\n' -r bl.test
check_eq "IPv6: nibble lookup" "$out" "220 rblsmtpd.local
451 v6 listed"
case $err in *"ip=2001:db8::7 "*) ok "IPv6 address logged";; *) not_ok "IPv6 log" "$err";; esac
rb "::ffff:127.0.0.2" 'RCPT TO:<x@y>\r\n' -r bl.test
check_eq "::ffff:a.b.c.d looked up as IPv4" "$out" "220 rblsmtpd.local
451 listed in bl"
EXTRA=("TCP6REMOTEIP=$six")
rb "" 'RCPT TO:<x@y>\r\n' -r bl.test
check_eq "TCP6REMOTEIP alone" "$out" "220 rblsmtpd.local
451 v6 listed"
EXTRA=()

# base:message, %IP%, return codes
rb 127.0.0.2 'RCPT TO:<x@y>\r\n' -r 'bl.test:Blocked %IP%, see http://bl.test/?%IP%'
check_eq "base:message with %IP%" "$out" "220 rblsmtpd.local
451 Blocked 127.0.0.2, see http://bl.test/?127.0.0.2"
rb 127.0.0.3 'RCPT TO:<x@y>\r\n' -r 'bl.test=127.0.0.2-5:code says no'
check_eq "return code outside the filter: clean" "$out" "220 backend"
rb 127.0.0.4 'RCPT TO:<x@y>\r\n' -r 'bl.test=127.0.0.2-5:code says no'
check_eq "return code inside the filter: listed" "$out" "220 rblsmtpd.local
451 code says no"
rb 127.0.0.4 'RCPT TO:<x@y>\r\n' -r 'bl.test=127.0.0.2,127.0.0.3'
check_eq "codes, no message, no TXT: default text" "$out" "220 rblsmtpd.local
451 listed in bl.test"
rb 127.0.0.2 'RCPT TO:<x@y>\r\n' -a al.test=127.0.0.9 -r bl.test
check_eq "-a with a code that does not match: not allowed" "$out" "220 rblsmtpd.local
451 listed in bl"
rb 127.0.0.2 "$Q" -a al.test=127.0.0.2 -r bl.test
check_eq "-a with a matching code: accepted" "$out" "220 backend"

# 127.255.255.x
rb 127.0.0.2 "$Q" -r blocked.test
check_eq "127.255.255.254 is not a listing" "$out" "220 backend"
case $err in *"action=lookupfail list=blocked.test reason=blocked answer=127.255.255.254"*) ok "logged loudly";; *) not_ok "blocked logged" "$err";; esac
rb 127.0.0.2 'RCPT TO:<x@y>\r\n' -c -r blocked.test
check_eq "127.255.255.254 with -c: a failed lookup" "$out" "220 rblsmtpd.local
451 temporary RBL lookup error"
rb 127.0.0.2 'RCPT TO:<x@y>\r\n' -b -r blocked.test -r bl.test
check_eq "after a refused query, -b still answers 451" "$out" "220 rblsmtpd.local
451 listed in bl"

# parallel lookups and the deadline (generous bounds: only "did not wait serially / for ever")
s=$(date +%s%N); rb 127.0.0.2 "$Q" -r slow1.test -r slow2.test -r slow3.test -r bl.test; e=$(( ($(date +%s%N) - s) / 1000000 ))
check_eq "three slow lists: first listed decides" "$out" "220 rblsmtpd.local
221 rblsmtpd.local"
case $err in *"list=slow1.test"*) ok "the first list in order decides, not the fastest";; *) not_ok "order" "$err";; esac
check "three 1 s lists answered in parallel (${e} ms < 2500)" [ "$e" -lt 2500 ]
s=$(date +%s%N); rb 127.0.0.2 "$Q" -T 1.5 -r dead.test; e=$(( ($(date +%s%N) - s) / 1000000 ))
check_eq "dead list, -C: pass at the deadline" "$out" "220 backend"
check "dead list: decided by -T 1.5 (${e} ms < 4000)" [ "$e" -lt 4000 ]
case $err in *"list=dead.test reason=timeout"*) ok "timeout logged";; *) not_ok "timeout log" "$err";; esac
rb 127.0.0.2 'RCPT TO:<x@y>\r\n' -T 0.5 -c -r dead.test
check_eq "dead list, -c: 451" "$out" "220 rblsmtpd.local
451 temporary RBL lookup error"
s=$(date +%s%N); rb 127.0.0.2 "$Q" -T 30 -r bl.test -r dead.test; e=$(( ($(date +%s%N) - s) / 1000000 ))
check "decided without waiting for a later dead list (${e} ms < 5000)" [ "$e" -lt 5000 ]
rb 127.0.0.2 "$Q" -T 0.5 -r dead.test -r bl.test
check_eq "earlier dead list, -C: the later listing still rejects" "$out" "220 rblsmtpd.local
221 rblsmtpd.local"

# hostile answers: never crash, decide by the deadline
for l in garbage wrongid loop short huge; do
  rb 127.0.0.2 'RCPT TO:<x@y>\r\n' -T 1 -r $l.test
  case $rc:$out in
    "0:220 backend"|"0:220 rblsmtpd.local"*) ok "hostile answer ($l): decided, exit 0";;
    *) not_ok "hostile answer ($l)" "rc=$rc out=$out err=$err";;
  esac
done
rb 127.0.0.2 'RCPT TO:<x@y>\r\n' -T 1 -r huge.test
check_eq "2000-byte TXT: cut at 200" "$(printf '%s' "$out" | tail -1 | wc -c)" "204"

# RELAYCLIENT, RBLSMTPD, -D
EXTRA=(RELAYCLIENT=)
rb 127.0.0.2 "$Q" -c -r bl.test -r dead.test
check_eq "RELAYCLIENT (empty): no lookups, exec" "$out" "220 backend"
EXTRA=()
rb 127.0.0.2 "$Q" -D -r bl.test
check_eq "-D: no SMTP of our own" "$out" "220 backend"
check_eq "-D: RBLSMTPD carries the text" "${rec#* }" "RBLSMTPD=listed in bl args=a b"
case $err in *"action=delay code=451 list=bl.test"*) ok "-D logged as delay";; *) not_ok "-D log" "$err";; esac
rb 127.0.0.2 "$Q" -D -b -r bl.test
check_eq "-D -b: permanent, '-' prefix" "${rec#* }" "RBLSMTPD=-listed in bl args=a b"
rb 127.0.0.9 "$Q" -D -r bl.test
check_eq "-D clean: RBLSMTPD not set" "${rec#* }" "RBLSMTPD=(unset) args=a b"
EXTRA=("RBLSMTPD=-from tcprules")
rb 127.0.0.9 "$Q" -D -r bl.test
check_eq "-D with RBLSMTPD from tcprules: passed on as is" "${rec#* }" "RBLSMTPD=-from tcprules args=a b"
EXTRA=()

# bad client address: temporary failure, never an accept
rb 'not-an-ip' 'RCPT TO:<x@y>\r\n' -r bl.test
check_eq "garbage TCPREMOTEIP: 451" "$out" "220 rblsmtpd.local
451 temporary failure: unable to read the client address"
case $err in *"ip=unknown"*"action=reject code=451"*) ok "bad address logged";; *) not_ok "bad address log" "$err";; esac
rb '' 'RCPT TO:<x@y>\r\n' -r bl.test
check_eq "no TCPREMOTEIP: 451" "$out" "220 rblsmtpd.local
451 temporary failure: unable to read the client address"
rb '1.2.3.4.5' "$Q" -D -r bl.test
check_eq "bad address with -D: RBLSMTPD set, temporary" "${rec#* }" "RBLSMTPD=temporary failure: unable to read the client address args=a b"
rb 'not-an-ip' "$Q" -a al.test
check_eq "bad address but no -r list: nothing to decide, exec" "$out" "220 backend"

# command line
for args in "" "-r" "-t x -r bl.test" "-t -1 -r bl.test" "-T 1e3 -r bl.test" "-T 0.5.1 -r bl.test" \
            "-r bl.test=127.0.0.300" "-r bl..test" "-a al.test:msg" "-x -r bl.test" "-r bl.test:"; do
  # shellcheck disable=SC2086
  env -i "$R" $args > "$T/o" 2> "$T/e" < /dev/null; rc=$?
  [ -z "$args" ] || [ "$args" = "-r" ] || true
  if [ $rc = 100 ] && grep -q '^rblsmtpd2: usage: ' "$T/e" && [ ! -s "$T/o" ]; then ok "usage error, exit 100: '$args'"
  else not_ok "usage error: '$args'" "rc=$rc $(cat "$T/e")"; fi
done
many=$(for i in $(seq 1 33); do printf -- '-r l%s.test ' "$i"; done)
# shellcheck disable=SC2086
env -i "$R" $many true 2> "$T/e"; rc=$?
check_eq "33 lists: refused, exit 100" "$rc:$(cat "$T/e")" "100:rblsmtpd2: fatal: too many lists (at most 32)"
env -i TCPREMOTEIP=127.0.0.9 DNSCACHEIP=127.0.0.54 "$R" -r bl.test /nonexistent/prog 2> "$T/e" < /dev/null; rc=$?
case $rc:$(cat "$T/e") in "111:"*"rblsmtpd2: fatal: unable to run program: "*) ok "exec failure: exit 111";; *) not_ok "exec failure" "rc=$rc $(cat "$T/e")";; esac

# -t: the whole dialogue, like rblsmtpd
s=$(date +%s)
( sleep 5; printf 'QUIT\r\n' ) | env -i TCPREMOTEIP=127.0.0.2 DNSCACHEIP=127.0.0.54 "$R" -t 1 -r bl.test true > "$T/o" 2>/dev/null; rc=$?
e=$(( $(date +%s) - s ))
check_eq "-t 1: dropped, exit 0, no 221" "$rc:$(tr -d '\r' < "$T/o")" "0:220 rblsmtpd.local"
