#!/bin/bash
# examples/service/smtpd under a real svscan/supervise/multilog in a temp dir:
# mail goes through tcpserver -> rblsmtpd2 -> rcptfilter -> exim4 -bs; a
# `svc -t` restart in the middle of a session loses nothing; the decisions
# are in the multilog file. Everything started here is stopped at exit.
. "$(dirname "$0")/lib.sh"
# the shipped examples compile as they are
check "examples/rules passes cdbmake-rules -t" sh -c '"$1" -t "$2" > /dev/null' sh "$BIN/cdbmake-rules" "$TOP/examples/rules"
check "examples/tcp.smtp passes tcprules" sh -c 'tcprules "$1/x.cdb" "$1/x.tmp" < "$2"' sh "$T" "$TOP/examples/tcp.smtp"
check "examples/service/smtpd/run is valid sh" sh -n "$TOP/examples/service/smtpd/run"
check "examples/service/smtpd/log/run is valid sh" sh -n "$TOP/examples/service/smtpd/log/run"
[ -x /usr/sbin/exim4 ] && [ "$(id -u)" = 0 ] || { skip "service" "needs root and exim4"; exit 0; }
for p in svscan svok svc svstat multilog envdir tcpserver tcprules rbldnsd swaks; do
  command -v $p > /dev/null || { skip "service" "$p is not installed"; exit 0; }
done
chmod 755 "$T"
ip=$(rand_lo) dns=$(rand_lo) bad=$(rand_lo)
while [ "$dns" = "$ip" ]; do dns=$(rand_lo); done
while [ "$bad" = "$ip" ] || [ "$bad" = "$dns" ]; do bad=$(rand_lo); done
port=2525
st=$T/st
mkdir -p "$T/z" "$st/exim/spool" "$st/exim/log" "$st/Maildir" "$T/etc" "$T/service"
chown Debian-exim:Debian-exim "$st/exim/spool" "$st/exim/log" "$st/Maildir"
sed "s|STATE|$st|g" "$TOP/examples/demo/exim.conf" > "$st/exim/exim.conf"

# the private list: $bad is listed
printf ':127.0.0.2:listed at bl.test, see http://bl.test/?$\n%s\n' "$bad" > "$T/z/bl"
chmod -R a+rX "$T/z"
rbldnsd -n -u rbldns -w "$T/z" -b "$dns/53" bl.test:ip4set:bl > /dev/null 2>&1 &
dnspid=$!
at_exit "kill $dnspid 2>/dev/null"
wait_udp_bound "$dns" 53

# both cdbs through examples/Makefile, as an operator would
cp "$TOP/examples/Makefile" "$TOP/examples/rules" "$T/etc/"
printf ':allow\n' > "$T/etc/tcp.smtp"
PATH=$BIN:$PATH make -s -C "$T/etc" TCPSMTP="$T/etc/tcp.smtp" RULES="$T/etc/rules" > "$T/make.out" 2>&1
check "examples/Makefile builds tcp.smtp.cdb and rules.cdb" test -s "$T/etc/tcp.smtp.cdb" -a -s "$T/etc/rules.cdb"

# the example service as shipped; only env/ changes
svcdir=$T/service/smtpd
cp -R "$TOP/examples/service/smtpd" "$svcdir"
e() { printf '%s\n' "$2" > "$svcdir/env/$1"; }
e IP "$ip"; e PORT $port; e TCPRULES "$T/etc/tcp.smtp.cdb"; e RULES "$T/etc/rules.cdb"
e RBLSMTPD2_OPTS "-T 3 -r bl.test"; e DNSCACHEIP "$dns"; e SMTPD "$TOP/examples/demo/exim-bs $st"
: > "$svcdir/env/SMTPD_USER"                    # stay root: exim4 -C needs it
[ "${VARIANT:-}" = asan ] && e SOFTLIMIT =      # ASan reserves terabytes of address space

PATH=$BIN:$PATH svscan "$T/service" < /dev/null > "$T/svscan.out" 2>&1 &
svscanpid=$!
at_exit "kill $svscanpid 2>/dev/null; wait $svscanpid 2>/dev/null
  for d in $svcdir $svcdir/log; do svok \$d 2>/dev/null && svc -dx \$d; for i in \$(seq 1 50); do svok \$d 2>/dev/null || break; sleep 0.1; done; done"
listening() { ss -Hltn "sport = :$port" 2>/dev/null | grep -qF "$ip:$port"; }
check "the service listens on $ip:$port" wait_for listening
tcppid() { svstat "$svcdir" | sed -n 's/.*(pid \([0-9]*\)).*/\1/p'; }
log=$svcdir/log/main/current

send() { # subject [swaks options...]: one message from a clean client
  local s=$1; shift
  swaks --server "$ip" --port $port --from "friend@good.example" --to "alice@example.com" \
    --h-Subject "$s" --body "body of $s" "$@" > "$T/swaks.$s" 2>&1
}
for i in 1 2 3; do
  send "before-$i"; check "message before-$i accepted (250)" test $? -eq 0
done

# a listed client is refused with the list's text; a denied sender gets 550
swaks --server "$ip" --port $port --local-interface "$bad" --from x@client.example --to alice@example.com > "$T/swaks.listed" 2>&1
check "a listed client gets 451 with the TXT text" grep -q "^<\*\* 451 listed at bl.test, see http://bl.test/?$bad" "$T/swaks.listed"
swaks --server "$ip" --port $port --from spammer@bad.example --to joe@example.com > "$T/swaks.deny" 2>&1
check "a denied sender gets 550 ... no mailbox" grep -q '^<\*\* 550 5.1.1 sorry, no mailbox here by that name' "$T/swaks.deny"

# a session open across svc -t: tcpserver restarts, the session goes on
pid1=$(tcppid)
$PY - "$ip" $port "$T/go" > "$T/slow.out" 2>&1 <<'PYEOF' &
import socket, sys, os, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), 10)
f = s.makefile('rb')
def reply():
    while True:
        l = f.readline()
        if not l or l[3:4] != b'-': return l
def cmd(c):
    s.sendall(c + b'\r\n'); return reply()
print(reply()); print(cmd(b'EHLO slow.example')); print(cmd(b'MAIL FROM:<friend@good.example>'))
print(cmd(b'RCPT TO:<alice@example.com>'))
open(sys.argv[3] + '.ready', 'w').close()
for _ in range(200):
    if os.path.exists(sys.argv[3]): break
    time.sleep(0.05)
print(cmd(b'DATA'))
s.sendall(b'Subject: across-restart\r\n\r\nbody of across-restart\r\n.\r\n')
print('FINAL', reply()); print(cmd(b'QUIT'))
PYEOF
slowpid=$!
wait_for "test -e $T/go.ready"
svc -t "$svcdir"
restarted() { p=$(tcppid); [ -n "$p" ] && [ "$p" != "$pid1" ] && listening; }
check "svc -t restarts tcpserver (new pid, listening again)" wait_for restarted
touch "$T/go"
wait $slowpid
check "the session open during the restart still delivers (250)" grep -q "^FINAL b'250" "$T/slow.out"

for i in 1 2 3; do
  send "after-$i"; check "message after-$i accepted (250)" test $? -eq 0
done

# nothing lost: every accepted message is in the maildir, once
sleep 0.3
for s in before-1 before-2 before-3 across-restart after-1 after-2 after-3; do
  n=$(grep -l "^Subject: $s" "$st"/Maildir/new/* 2>/dev/null | wc -l)
  check_eq "stored once: $s" "$n" 1
done
check_eq "nothing else stored (the refused ones are not)" "$(ls "$st/Maildir/new" | wc -l)" 7

# the log lines, through the restart (multilog keeps one file)
wait_for "[ \$(grep -c 'rcptfilter: .*action=pass' $log) -ge 7 ]"
check_eq "rcptfilter logged 7 passes (before and after the restart)" "$(grep -c 'rcptfilter: .*action=pass from=<friend@good.example> rcpt=<alice@example.com>' "$log")" 7
check "rblsmtpd2 logged the listed client" grep -q "rblsmtpd2: ip=$bad pid=[0-9]* action=reject code=451 list=bl.test" "$log"
check "rcptfilter logged the deny with its rule line" grep -q 'rcptfilter: .*action=deny from=<spammer@bad.example> rcpt=<joe@example.com> rule=[0-9]* file=[^ ]*rules:[0-9]*' "$log"
check "multilog stamps every line (tai64n)" test "$(grep -vc '^@4000' "$log")" -eq 0
check "tcpserver's own lines are logged too" grep -q 'tcpserver: status:' "$log"
