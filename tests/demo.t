#!/bin/bash
# examples/demo/demo start twice, then stop, in a temp state directory: the
# showcase shows what the README promises, and stop leaves no process behind.
. "$(dirname "$0")/lib.sh"
[ -x /usr/sbin/exim4 ] && [ "$(id -u)" = 0 ] || { skip "demo" "needs root and exim4"; exit 0; }
[ "${VARIANT:-build}" = asan ] && { skip "demo" "runs the normal build only"; exit 0; }
for p in svscan supervise multilog tcpserver tcprules rbldnsd swaks; do
  command -v $p > /dev/null || { skip "demo" "$p is not installed"; exit 0; }
done
chmod 755 "$T"
export DEMO_STATE=$T/demo
at_exit "$TOP/examples/demo/demo stop > /dev/null 2>&1"
for run in 1 2; do
  "$TOP/examples/demo/demo" start > "$T/out$run" 2>&1
  check "demo start (run $run) exits 0" test $? -eq 0 || sed 's/^/# /' "$T/out$run" | tail -20
  o=$T/out$run
  check "run $run: the listed client gets the TXT text from rblsmtpd2" \
    grep -q '^   <\*\* 451 127.0.0.2 is listed in the demo blocklist' "$o"
  check "run $run: with -D the RCPT is refused by rcptfilter, the real server talking" \
    sh -c 'sed -n "/^== 2\./,/^== 3\./p" "$1" | grep -q "^   <\*\* 451 127.0.0.2 is listed" && sed -n "/^== 2\./,/^== 3\./p" "$1" | grep -q "220 mail.example.com"' sh "$o"
  check "run $run: postmaster still gets mail from the listed client" \
    sh -c 'sed -n "/postmaster still gets/,/^== 3\./p" "$1" | grep -q "^   <-  250 OK id="' sh "$o"
  check "run $run: the per-mailbox deny is 550 ... no mailbox" grep -q '^   <\*\* 550 5.1.1 sorry, no mailbox here by that name' "$o"
  check "run $run: three stored files shown, and they exist" \
    sh -c 'n=0; for f in $(grep -o "^   /[^ ]*/Maildir/new/[^ ]*" "$1"); do [ -f "$f" ] && n=$((n+1)); done; [ $n = 3 ]' sh "$o"
  check "run $run: STARTTLS: TLS started, the deny rule holds inside it, then a delivery" \
    sh -c 'sed -n "/^== 5\./,/^== Delivered/p" "$1" > "$1.tls"; grep -q "^   === TLS started with cipher TLSv1.3" "$1.tls" && grep -q "^   <~\* 550 5.1.1 sorry, no mailbox" "$1.tls" && grep -q "^   <~  250 OK id=" "$1.tls"' sh "$o"
  check "run $run: the TLS session logged" grep -q "rcptfilter: ip=127.0.0.1 pid=[0-9]* action=tls version=TLSv1.3 cipher=" "$o"
  check "run $run: the log lines are shown" \
    sh -c 'grep -q "rblsmtpd2: ip=127.0.0.2 pid=[0-9]* action=reject" "$1" && grep -q "rcptfilter: ip=127.0.0.1 pid=[0-9]* action=deny" "$1" && grep -q "action=delay" "$1"' sh "$o"
  check "run $run: ends with how to stop" grep -q 'make demo-stop' "$o"
done
"$TOP/examples/demo/demo" stop > "$T/stop" 2>&1
check "demo stop exits 0 without warnings" sh -c '! grep -q warning "$1"' sh "$T/stop"
gone "$DEMO_STATE"
check_eq "no process of the demo is left" "$(left_behind "$DEMO_STATE")" ""
check "ports 2525 and 2526 are free again" sh -c '! ss -Hltn "( sport = :2525 or sport = :2526 )" | grep -q 127.0.0.1'
