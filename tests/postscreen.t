#!/bin/bash
# rblsmtpd2 as a postscreen: -S scores with *W weights (decided as soon as it
# is certain), -g greet pause with a 220- teaser, early talkers (-P), a
# client hanging up, late DNS answers heard, -H list health, bad options.
# Timing checks are generous (shared machine): only "did not wait for what
# it need not". The precise figures are in bench/rblsmtpd2.bench.
. "$(dirname "$0")/lib.sh"
R=$BIN/rblsmtpd2
cat > "$T/zone" <<Z
2.0.0.127.bl.test TXT "listed in bl"
2.0.0.127.bl.test A 127.0.0.2
1.0.0.127.bl.test * NXDOMAIN
2.0.0.127.heavy.test TXT delay=0.05 "heavy says no"
2.0.0.127.heavy.test A delay=0.05 127.0.0.2
2.0.0.127.light.test TXT "light says no"
2.0.0.127.light.test A 127.0.0.2
2.0.0.127.codes.test A 127.0.0.10
2.0.0.127.slow1.test TXT delay=2 "slow one"
2.0.0.127.slow1.test A delay=2 127.0.0.2
2.0.0.127.slow2.test TXT delay=2 "slow two"
2.0.0.127.slow2.test A delay=2 127.0.0.2
2.0.0.127.slowwl.test A delay=2 127.0.0.2
2.0.0.127.wl.test A delay=0.05 127.0.0.2
1.0.0.127.wl.test * NXDOMAIN
2.0.0.127.dead.test * DROP
2.0.0.127.servfail.test * SERVFAIL
2.0.0.127.blocked.test TXT "Error: open resolver"
2.0.0.127.blocked.test A 127.255.255.254
1.0.0.127.dead.test * DROP
2.0.0.127.late.test TXT delay=3.3 first "late but heard"
2.0.0.127.late.test A delay=3.3 first 127.0.0.2
2.0.0.127.world.test A 127.0.0.2
1.0.0.127.world.test A 127.0.0.2
2.0.0.127.world.test TXT "listed"
1.0.0.127.world.test TXT "listed"
2.0.0.127.refuse.test A 127.255.255.254
1.0.0.127.refuse.test A 127.255.255.254
2.0.0.127.refuse.test TXT "Error: open resolver"
1.0.0.127.refuse.test TXT "Error: open resolver"
2.0.0.127.empty.test * NXDOMAIN
2.0.0.127.slowclean.test * delay=0.3 NXDOMAIN
2.0.0.9.late.test TXT delay=3.3 first NXDOMAIN
2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.six.test A 127.0.0.2
2.0.0.127.six.test A 127.0.0.2
Z
DNSD_QLOG=$T/qlog $PY "$TOP/tests/dnsd.py" 127.0.0.54 "$T/zone" 2>"$T/dnsd.log" &
at_exit "kill $! 2>/dev/null"
wait_udp_bound 127.0.0.54 53 || not_ok "dnsd started" "$(cat "$T/dnsd.log")"

cat > "$T/rec" <<'EOF2'
#!/bin/sh
printf 'RBLSMTPD=%s\n' "${RBLSMTPD-(unset)}" > "$RECFILE"
printf '220 backend\r\n'
EOF2
chmod +x "$T/rec"
n=0
# rb IP INPUT OPTIONS... : runs rblsmtpd2 on a pipe; sets $out $err $rc $rec $ms
rb() {
  local ip=$1 input=$2 s; shift 2
  n=$((n + 1)); rm -f "$T/rec.$n"
  s=$(date +%s%N)
  printf "$input" | env -i PATH=/usr/bin:/bin DNSCACHEIP=127.0.0.54 RECFILE="$T/rec.$n" ${ip:+TCPREMOTEIP=$ip} \
    "$R" "$@" "$T/rec" > "$T/out.$n" 2> "$T/err.$n"
  rc=$?; ms=$(( ($(date +%s%N) - s) / 1000000 ))
  out=$(tr -d '\r' < "$T/out.$n"); err=$(cat "$T/err.$n"); rec=$(cat "$T/rec.$n" 2>/dev/null)
}
has() { case $2 in *"$3"*) ok "$1";; *) not_ok "$1" "want: $3
got:  $2";; esac; }
Q='QUIT\r\n'
REJ="220 rblsmtpd.local
221 rblsmtpd.local"

# --- scores
rb 127.0.0.2 "$Q" -S 3 -r heavy.test*3 -r slow1.test -r slow2.test
check_eq "-S 3: a *3 list reaches it alone" "$out" "$REJ"
has "log: score and the matching list with its weight" "$err" "action=reject code=451 list=heavy.test ms="
has "log: score=3 hits=heavy.test:3" "$err" 'text="heavy says no" score=3 hits=heavy.test:3'
check "decided when the heavy list answered, not after the 2 s lists (${ms} ms < 1500)" [ "$ms" -lt 1500 ]
rb 127.0.0.2 'RCPT TO:<a@b>\r\n' -S 3 -r light.test -r heavy.test*2
check_eq "-S 3: 1 + 2 reach it; the heaviest list's text" "$out" "220 rblsmtpd.local
451 heavy says no"
has "both lists logged" "$err" "score=3 hits=light.test:1/heavy.test:2"
rb 127.0.0.2 'RCPT TO:<a@b>\r\n' -S 3 -r light.test*2 -r heavy.test*2
check_eq "equal weights: the first list on the line" "$out" "220 rblsmtpd.local
451 light says no"
rb 127.0.0.2 "$Q" -S 3 -r light.test -r bl.test
check_eq "-S 3 and two *1 lists: passed without asking" "$out" "220 backend"
: > "$T/qlog"
rb 127.0.0.2 "$Q" -S 3 -r light.test -r bl.test
case $err in *"action=pass ms="*" score=0") ok "no list can reach it: score=0";; *) not_ok "score=0" "$err";; esac
check_eq "and nothing was asked" "$(cat "$T/qlog")" ""
rb 127.0.0.2 "$Q" -S 3 -r light.test -r bl.test -r slowclean.test
check_eq "-S 3, score 2: passed" "$out" "220 backend"
has "pass logged with the score" "$err" "action=pass ms="
has "pass: score=2" "$err" "score=2 hits=light.test:1/bl.test:1"
rb 127.0.0.2 "$Q" -S 2 -a wl.test*5 -r slow1.test*3 -r bl.test
check_eq "allowlist *5 outweighs what is left: accepted" "$out" "220 backend"
has "accept logged, negative score" "$err" "action=accept list=wl.test"
has "accept: score=-4" "$err" "score=-4 hits=wl.test:-5/bl.test:1"
check "accepted without waiting for the 2 s list (${ms} ms < 1500)" [ "$ms" -lt 1500 ]
rb 127.0.0.2 'RCPT TO:<a@b>\r\n' -S 1 -T 8 -r dead.test -r light.test
check_eq "-S 1: a later listing decides while an earlier list is dead" "$out" "220 rblsmtpd.local
451 light says no"
check "without waiting for the dead list (${ms} ms < 3000)" [ "$ms" -lt 3000 ]
rb 127.0.0.2 'RCPT TO:<a@b>\r\n' -b -S 1 -r light.test
check_eq "-b: 553 from the heaviest list" "$out" "220 rblsmtpd.local
553 light says no"
rb 127.0.0.2 'RCPT TO:<a@b>\r\n' -S 2 -T 0.5 -c -r dead.test*2 -r light.test
check_eq "-c: a failed list counts against, and the reply is temporary" "$out" "220 rblsmtpd.local
451 temporary RBL lookup error"
has "a failed list that counted is marked" "$err" "hits=light.test:1 failed=dead.test:2"
rb 127.0.0.2 "$Q" -S 2 -T 0.5 -r dead.test*2 -r light.test
check_eq "-C: a failed -r list counts for nothing" "$out" "220 backend"
rb 127.0.0.2 "$Q" -S 2 -T 0.5 -a dead.test*3 -r light.test*2
check_eq "-C: a failed -a list counts as allowlisted" "$out" "220 backend"
rb 127.0.0.2 'RCPT TO:<a@b>\r\n' -S 2 -T 0.5 -c -a dead.test*3 -r light.test*2
check_eq "-c: a failed -a list counts as not allowlisted" "$out" "220 rblsmtpd.local
451 temporary RBL lookup error"
rb 127.0.0.2 'RCPT TO:<a@b>\r\n' -S 2 -c -r servfail.test*2
check_eq "-c: SERVFAIL counts against: 451 temporary" "$out" "220 rblsmtpd.local
451 temporary RBL lookup error"
rb 127.0.0.2 "$Q" -S 2 -r servfail.test*2 -r blocked.test*2
check_eq "-C: SERVFAIL and 127.255.255.x count for nothing" "$out" "220 backend"
has "127.255.255.x still logged loudly" "$err" "action=lookupfail list=blocked.test reason=blocked answer=127.255.255.254"
rb 127.0.0.2 'RCPT TO:<a@b>\r\n' -b -S 2 -c -r blocked.test*2
check_eq "-b -c: a 127.255.255.x answer never makes a 553" "$out" "220 rblsmtpd.local
451 temporary RBL lookup error"
rb 127.0.0.2 'RCPT TO:<a@b>\r\n' -S 2 -r 'codes.test=127.0.0.10*2:code %IP%'
check_eq "codes, weight and message together" "$out" "220 rblsmtpd.local
451 code 127.0.0.2"
rb 127.0.0.2 'RCPT TO:<a@b>\r\n' -S 2 -r 'codes.test=127.0.0.11*2:code'
check_eq "a code outside the filter adds nothing" "$out" "220 backend"
rb 127.0.0.2 "$Q" -D -S 1 -r light.test
check_eq "-D with -S: RBLSMTPD carries the text" "$rec" "RBLSMTPD=light says no"

# --- what is asked: one query per list for a clean client (as rblsmtpd), the A guard only after a TXT text
: > "$T/qlog"
rb 127.0.0.9 "$Q" -r bl.test -r light.test
check_eq "clean client, two TXT lists: two queries" "$(sort "$T/qlog" | tr '\n' ' ')" "9.0.0.127.bl.test TXT 9.0.0.127.light.test TXT "
: > "$T/qlog"
rb 127.0.0.2 "$Q" -r bl.test
check_eq "listed client: TXT, then the A guard" "$(tr '\n' ' ' < "$T/qlog")" "2.0.0.127.bl.test TXT 2.0.0.127.bl.test A "
: > "$T/qlog"
rb 127.0.0.2 "$Q" -r 'bl.test=127.0.0.2' -r 'light.test:msg'
check_eq "code and message lists, listed: A, then TXT for the text of the code list" "$(sort "$T/qlog" | tr '\n' ' ')" "2.0.0.127.bl.test A 2.0.0.127.bl.test TXT 2.0.0.127.light.test A "
check_eq "and the text is the TXT record" "$out" "220 rblsmtpd.local
221 rblsmtpd.local"
: > "$T/qlog"
rb 127.0.0.9 "$Q" -r 'bl.test=127.0.0.2' -r 'light.test:msg'
check_eq "code and message lists, clean: one A query each" "$(sort "$T/qlog" | tr '\n' ' ')" "9.0.0.127.bl.test A 9.0.0.127.light.test A "

# --- a list that answers once, late (after libowfat's first retransmission)
rb 127.0.0.2 'RCPT TO:<a@b>\r\n' -T 8 -r late.test=127.0.0.2:late
check_eq "late answer to the first query (A list): heard" "$out" "220 rblsmtpd.local
451 late"
check "and it cost about its own delay, not a second round (${ms} ms < 6000)" [ "$ms" -lt 6000 ]
rb 9.0.0.2 "$Q" -T 8 -c -r late.test
check_eq "late NXDOMAIN on a TXT list (-c): heard, the client passes" "$out" "220 backend"
check "one round, no guard query for a clean client (${ms} ms < 6000)" [ "$ms" -lt 6000 ]
rb 127.0.0.2 'RCPT TO:<a@b>\r\n' -T 12 -r late.test
check_eq "late TXT text: heard, then the A guard (also late)" "$out" "220 rblsmtpd.local
451 late but heard"

# --- bad options
for args in "-S 0 -r bl.test" "-S x -r bl.test" "-S 1000001 -r bl.test" "-S -1 -r bl.test" \
            "-S 1 -r bl.test*" "-S 1 -r bl.test*x" "-S 1 -r bl.test*-4" "-S 1 -r bl.test*99999999999999999999" \
            "-S 1 -r bl.test*1000001" "-S 1 -a al.test*1:msg" "-r bl.test*2" "-g x -r bl.test" "-g 300001 -r bl.test" \
            "-g -5 -r bl.test" "-S 1 -r bl.test*2*3" "-H"; do
  # shellcheck disable=SC2086
  env -i "$R" $args true > "$T/o" 2> "$T/e" < /dev/null; rc=$?
  if [ $rc = 100 ] && grep -q '^rblsmtpd2: usage: ' "$T/e" && [ ! -s "$T/o" ]; then ok "usage error, exit 100: '$args'"
  else not_ok "usage error: '$args'" "rc=$rc $(cat "$T/e")"; fi
done
for args in "-S 1 -r bl.test*x:weight is not a whole number" "-S 1 -r bl.test*-4:negative weight" \
            "-S 1 -r bl.test*99999999999999999999:weight too large" "-r bl.test*2:only with -S" "-S 0 -r bl.test:-S wants"; do
  a=${args%%:*} want=${args#*:}
  # shellcheck disable=SC2086
  env -i "$R" $a true 2> "$T/e" < /dev/null
  has "the message says why: '$a'" "$(cat "$T/e")" "$want"
done

# --- through tcpserver: the teaser, patient clients, early talkers, hangups
mkdir -p "$T/stub"
serve() { # port rblsmtpd2-options...
  local port=$1; shift
  DNSCACHEIP=127.0.0.54 tcpserver -q -R -l mx.example.test 127.0.0.1 "$port" \
    "$R" "$@" $PY "$TOP/tests/smtpstub.py" "$T/stub" 2>> "$T/log.$port" &
  at_exit "kill $! 2>/dev/null"
}
serve 2601 -g 400 -r bl.test
serve 2602 -g 400 -P -r bl.test
serve 2603 -P -r slow1.test
serve 2604 -g 1500 -r 'slow1.test=127.0.0.2:slow'
serve 2605 -g 400 -r bl.test -S 1
for p in 2601 2602 2603 2604 2605; do wait_for "$PY -c 'import socket;socket.create_connection((\"127.0.0.1\",$p)).close()'" || not_ok "tcpserver $p up"; done
sleep 0.3; : > "$T/log.2601"; : > "$T/log.2602"; : > "$T/log.2603"; : > "$T/log.2604"
cat > "$T/cl.py" <<'P'
import socket, sys, time
port, mode = int(sys.argv[1]), sys.argv[2]
src = sys.argv[3] if len(sys.argv) > 3 else '127.0.0.1'
s = socket.socket(); s.bind((src, 0)); s.settimeout(10); s.connect(('127.0.0.1', port))
f = s.makefile('rb')
if mode == 'hangup':
    f.close(); s.close(); time.sleep(1); sys.exit(0)
if mode == 'early':
    s.sendall(b'EHLO early\r\n')
t0 = time.time()
first = f.readline()
if mode == 'afterteaser':
    s.sendall(b'EHLO early\r\n')
lines = [first]
while not lines[-1][3:4] == b' ':
    lines.append(f.readline())
if mode in ('patient', 'afterteaser', 'early'):
    if mode == 'patient':
        s.sendall(b'EHLO patient\r\n')
    r = f.readline()
    while r[3:4] == b'-':
        r = f.readline()
    lines.append(r)
    s.sendall(b'QUIT\r\n')
    lines.append(f.readline())
sys.stdout.write(''.join(l.decode('latin-1') for l in lines).replace('\r', ''))
sys.stdout.write('greeting after %d ms\n' % int((time.time() - t0) * 1000))
P
o=$($PY "$T/cl.py" 2601 patient)
has "-g: 220- teaser with TCPLOCALHOST, then the program's 220" "$o" "220-mx.example.test
220 "
has "-g: patient client gets through" "$o" "250"
g=$(printf '%s' "$o" | sed -n 's/greeting after \([0-9]*\) ms/\1/p')
check "-g 400: the greeting ended after the pause (${g} ms >= 350)" [ "${g:-0}" -ge 350 ]
sleep 0.2
check_eq "patient client: no pregreet logged" "$(grep -c pregreet "$T/log.2601")" "0"
: > "$T/log.2601"
o=$($PY "$T/cl.py" 2601 early)
has "early talker without -P: the program still sees its EHLO" "$o" "250"
sleep 0.2
has "early talker logged" "$(cat "$T/log.2601")" "action=pregreet ms="
has "and the decision line says so" "$(cat "$T/log.2601")" "action=pass ms="
grep -q 'EHLO early' "$T/stub/received" && ok "nothing of the early bytes was eaten" || not_ok "early bytes reached the program" "$(cat "$T/stub/received")"
o=$($PY "$T/cl.py" 2602 early)
has "-P: early talker gets 554 after the greeting ends" "$o" "220-mx.example.test
220 rblsmtpd.local
554 5.5.1 protocol error: talked before the greeting"
sleep 0.2
has "-P: logged with its code" "$(cat "$T/log.2602")" "action=pregreet code=554"
check_eq "-P: one line, no decision line after it" "$(wc -l < "$T/log.2602")" "1"
: > "$T/log.2602"
o=$($PY "$T/cl.py" 2602 afterteaser)
has "-P: talking after the teaser, before the final 220, is early too" "$o" "554 5.5.1"
o=$($PY "$T/cl.py" 2602 patient)
has "-P: patient client passes" "$o" "250"
: > "$T/log.2603"
o=$($PY "$T/cl.py" 2603 early 127.0.0.2)
has "-P without -g: talking during the lookups is caught" "$o" "554 5.5.1 protocol error"
case $o in 220*) not_ok "without -g nothing before the 554" "$o";; *) ok "without -g: the 554 is the greeting";; esac
: > "$T/log.2601"
$PY "$T/cl.py" 2601 hangup
sleep 0.3
check_eq "a client hanging up during the pause: one line" "$(wc -l < "$T/log.2601"):$(grep -c 'action=hangup' "$T/log.2601")" "1:1"
o=$($PY "$T/cl.py" 2604 patient 127.0.0.2)
g=$(printf '%s' "$o" | sed -n 's/greeting after \([0-9]*\) ms/\1/p')
has "-g 1500 with a 2 s list: the rejection ends the greeting" "$o" "220-mx.example.test
220 rblsmtpd.local"
check "-g overlaps the lookups: 2 s list + 1.5 s pause in less than 3 s (${g} ms)" [ "${g:-9999}" -lt 3000 ]
o=$($PY "$T/cl.py" 2605 patient 127.0.0.2)
has "-g, listed client: refused at once, the teaser completed by 220" "$o" "220-mx.example.test
220 rblsmtpd.local
250 rblsmtpd.local"

# -g with the other options (a client that waits, on a socket pair)
cat > "$T/sp.py" <<'P'
import os, socket, subprocess, sys, time
# argv: delay-before-talking input env... -- command...
delay, data = float(sys.argv[1]), sys.argv[2].encode().decode('unicode_escape').encode('latin-1')
i = sys.argv.index('--')
env = dict(a.split('=', 1) for a in sys.argv[3:i])
a, b = socket.socketpair()
p = subprocess.Popen(sys.argv[i + 1:], stdin=b, stdout=b, env=env)
b.close()
time.sleep(delay)
if data:
    try:
        a.sendall(data)
    except OSError:
        pass
a.settimeout(10)
out = b''
while True:
    try:
        r = a.recv(4096)
    except Exception:
        break
    if not r:
        break
    out += r
p.wait()
sys.stdout.write(out.decode('latin-1').replace('\r', ''))
P
sp() { # delay input env... -- command
  $PY "$T/sp.py" "$@" 2> "$T/sp.err"; }
o=$(sp 0.5 'QUIT\r\n' TCPREMOTEIP=127.0.0.2 DNSCACHEIP=127.0.0.54 TCPLOCALIP=192.0.2.25 -- "$R" -g 200 -t 0 -r bl.test "$T/rec")
check_eq "-g -t 0: the teaser is completed before the rejection line" "$o" "220-192.0.2.25
220 rblsmtpd.local
451 listed in bl"
o=$(sp 0.5 '' TCPREMOTEIP=127.0.0.2 DNSCACHEIP=127.0.0.54 RECFILE="$T/rec.d" -- "$R" -g 200 -D -r bl.test "$T/rec")
check_eq "-g -D: the program completes the greeting" "$o" "220-rblsmtpd.local
220 backend"
check_eq "-g -D: RBLSMTPD set" "$(cat "$T/rec.d")" "RBLSMTPD=listed in bl"
o=$(sp 0 'EHLO x\r\n' TCPREMOTEIP=127.0.0.2 DNSCACHEIP=127.0.0.54 RECFILE="$T/rec.p" -- "$R" -g 300 -P -D -r bl.test "$T/rec")
check_eq "-P -D: an early talker is refused all the same" "$o" "220-rblsmtpd.local
220 rblsmtpd.local
554 5.5.1 protocol error: talked before the greeting"
check "-P -D: the program never ran" [ ! -e "$T/rec.p" ]
o=$(sp 0 'EHLO x\r\n' TCPREMOTEIP=127.0.0.9 RELAYCLIENT= DNSCACHEIP=127.0.0.54 RECFILE="$T/rec.r" -- "$R" -g 300 -P -r bl.test "$T/rec")
check_eq "RELAYCLIENT: no pause, no teaser, no watch" "$o" "220 backend"
o=$(sp 0.6 '' TCPREMOTEIP=127.0.0.9 DNSCACHEIP=127.0.0.54 RECFILE="$T/rec.a" -- "$R" -g 300 -a wl.test "$T/rec")
check_eq "-g with allowlists only: the pause still runs" "$o" "220-rblsmtpd.local
220 backend"

# real clients must accept the multi-line greeting
o=$(swaks --server 127.0.0.1:2601 --to joe@example.com --from a@example.org --quit-after RCPT 2>&1); rc=$?
check_eq "swaks accepts the -g greeting (exit 0)" "$rc" "0"
has "swaks saw both greeting lines" "$o" "<-  220-mx.example.test"
o=$($PY -c '
import smtplib
s = smtplib.SMTP("127.0.0.1", 2601, timeout=10)
code, msg = s.ehlo("client.example")
print(code, s.docmd("MAIL FROM:<a@example.org>")[0]); s.quit()' 2>&1)
check_eq "Python smtplib accepts it" "$o" "250 250"
if [ -x /usr/sbin/exim4 ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$T/exc/spool" "$T/exc/log"; chmod 755 "$T"; chown -R Debian-exim:Debian-exim "$T/exc"
  cat > "$T/exc/conf" <<'X'
primary_hostname = client.test
spool_directory = DIR/spool
log_file_path = DIR/log/%slog
exim_user = Debian-exim
exim_group = Debian-exim
keep_environment =
begin routers
out:
  driver = manualroute
  route_list = * 127.0.0.1 byname
  self = send
  transport = smtp_out
begin transports
smtp_out:
  driver = smtp
  port = 2601
  hosts_avoid_tls = *
  hosts_try_chunking =
  allow_localhost
X
  printf 'Subject: via exim\n\nbody\n' | /usr/sbin/exim4 -C "$T/exc/conf" -DDIR="$T/exc" -odf -f a@client.test exim@example.com 2>/dev/null
  case $(cat "$T/exc/log/mainlog" 2>/dev/null) in
    *"=> exim@example.com R=out T=smtp_out"*"250 ok"*) ok "exim4 as an SMTP client accepts the -g greeting and delivers";;
    *) not_ok "exim4 client" "$(cat "$T/exc/log/mainlog" 2>&1 | tail -3)";;
  esac
else
  skip "exim4 as an SMTP client" "needs root and exim4"
fi

# --- -H list health
hl() { env -i DNSCACHEIP=127.0.0.54 "$R" -H -T 1.5 "$@" > "$T/h.out" 2> "$T/h.err"; rc=$?; out=$(cat "$T/h.out"); }
hl -r bl.test -a wl.test=127.0.0.2
check_eq "-H healthy lists: exit 0" "$rc" "0"
has "-H: one line per list" "$out" 'rblsmtpd2: list=bl.test health=ok ipv6=no'
check_eq "-H: two lines" "$(wc -l < "$T/h.out")" "2"
hl -r six.test=127.0.0.2
has "-H: IPv6 test points answered" "$out" "list=six.test health=ok ipv6=yes"
hl -r bl.test -r dead.test
check_eq "-H dead list: exit 111" "$rc" "111"
has "-H: not answering" "$out" 'list=dead.test health=down reason=timeout ipv6=no'
hl -r bl.test -r refuse.test
check_eq "-H refused queries: exit 111" "$rc" "111"
has "-H: refuses queries, with the answer" "$out" 'list=refuse.test health=refused answer=127.255.255.254'
hl -r dead.test -r world.test
check_eq "-H a list that lists the world: exit 100" "$rc" "100"
has "-H: lists the world" "$out" 'list=world.test health=world'
hl -r empty.test
check_eq "-H a list without the test point (wrong name?): exit 100" "$rc:$(cat "$T/h.out")" "100:$(sed -n 1p "$T/h.out")"
has "-H: notlisted" "$out" 'health=notlisted'
env -i DNSCACHEIP=127.0.0.54 "$R" -H -S 2 -r bl.test*2 -g 300 rcptfilter rules.cdb qmail-smtpd > "$T/h.out" 2>&1; rc=$?
check_eq "-H takes a service's whole option line, program and all" "$rc:$(grep -c health=ok "$T/h.out")" "0:1"

# the daemontools check in examples/ runs it the way a service would
check "examples/service/rblhealth/run is valid sh" sh -n "$TOP/examples/service/rblhealth/run"
mkdir -p "$T/svc/env"; echo '-T 1.5 -r bl.test -r dead.test' > "$T/svc/env/RBLSMTPD2_OPTS"
echo 127.0.0.54 > "$T/svc/env/DNSCACHEIP"
o=$(cd "$T" && PATH=$BIN:$PATH SMTPD_SERVICE=$T/svc timeout 5 sh -c "sed 's/^exec sleep 3600/exit 0/' '$TOP/examples/service/rblhealth/run' | sh" 2>&1)
has "rblhealth: a line per list and the exit status" "$o" "list=dead.test health=down"
has "rblhealth: exit 111 logged" "$o" "rblsmtpd2 -H: exit 111"
