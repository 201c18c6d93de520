#!/bin/bash
# Several MX hosts on existing engines, simulated on loopback in this suite's
# own network namespace: mx1 (127.0.1.1), mx2 (127.0.1.2) and mx3 (127.0.1.3)
# each run examples/service/smtpd under one svscan, with their own rules.cdb
# and multilog; the list host (127.0.1.10) runs rbldnsd (a service too) for
# mx1 and mx2, while mx3 runs its own rbldnsd on a pushed copy of the zone;
# the list host compiles the rules and pushes them with
# examples/multimx/push-rules (rsync --delay-updates), and rebuilds the shared
# list with examples/multimx/list-cycle (every MX's log -> traplist -> rblzone).
# Checked: a trap hit on mx1 gets the client refused by mx2 and mx3 after one cycle;
# rules pushed again and again during 100 overlapping sessions (50 on each MX) lose
# nothing, and each session sees the old rules or the new ones, never a mix
# and never a broken cdb; mx2 with its list host gone fails open with -C and
# closed with -c.
# On tmpfs: the fsyncs of cdbmake-rules, rblzone and multilog on a busy shared
# disk can stall every process that logs for many seconds (a full log pipe);
# what is tested here is atomicity and routing, not the disk.
[ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ] && export TMPDIR=/dev/shm
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { skip "multimx" "needs root (port 25, svscan as root)"; exit 0; }
for p in svscan svok svc svstat multilog envdir softlimit tcpserver tcprules rbldnsd rsync; do
  command -v $p > /dev/null || { skip "multimx" "$p is not installed"; exit 0; }
done
ip link set lo up 2>/dev/null
$PY -c 'import socket;s=socket.socket();s.bind(("127.0.1.2",0))' 2>/dev/null ||
  { skip "multimx" "cannot bind 127.0.1.x"; exit 0; }
ss -Hltn 'sport = :25' 2>/dev/null | grep -q . && { skip "multimx" "port 25 in use here (no private namespace?)"; exit 0; }

MX1=127.0.1.1 MX2=127.0.1.2 MX3=127.0.1.3 LH=127.0.1.10
chmod 755 "$T"
lh=$T/lh svc=$T/service
mkdir -p "$lh/zone" "$lh/stage" "$lh/traplogs" "$svc" "$T/mx1/etc" "$T/mx2/etc" "$T/mx3/etc" "$T/mx1/store" "$T/mx2/store" "$T/mx3/store" "$T/mx3/zone"
chmod 755 "$lh" "$lh/zone" "$T/mx3" "$T/mx3/zone"
PATH=$BIN:$TOP/examples/multimx:$PATH
export PATH

# --- the rules, two versions (each with 20,000 filler rules: a cdb of a few
# hundred kB, so a copy that is not atomic would be seen half-written)
filler() { awk 'BEGIN { for (i = 0; i < 20000; i++) printf "user%d@filler.example:@spam%d.example:deny\n", i, i % 97 }'; }
{ echo 'trap@example.com::trap'; echo 'old-deny@example.com::deny'; filler; } > "$lh/rules.v1"
{ echo 'trap@example.com::trap'; echo 'new-deny@example.com::deny'; filler; } > "$lh/rules.v2"
cp "$lh/rules.v1" "$lh/rules"
push-rules "$lh/rules" "$lh/stage" "$T/mx1/etc" "$T/mx2/etc" "$T/mx3/etc" 2>"$T/push.err"
check "push-rules compiles once and pushes to every MX" sh -c "cmp -s '$T/mx1/etc/rules.cdb' '$T/mx2/etc/rules.cdb' && cmp -s '$T/mx1/etc/rules.cdb' '$T/mx3/etc/rules.cdb'"
check "the pushed cdb is the compiled one" cmp -s "$lh/stage/rules.cdb" "$T/mx1/etc/rules.cdb"
printf 'bad line\n' > "$lh/rules.bad"
cp "$T/mx1/etc/rules.cdb" "$T/rules.before"
push-rules "$lh/rules.bad" "$lh/stage" "$T/mx1/etc" "$T/mx2/etc" 2>"$T/push.err"
check_eq "a bad rules text: push-rules exits 100" $? 100
check "and no MX got anything" sh -c "cmp -s '$T/rules.before' '$T/mx1/etc/rules.cdb' && cmp -s '$T/rules.before' '$T/mx2/etc/rules.cdb'"
check "the reason names file:line" grep -q 'rules.bad:1:' "$T/push.err"

# --- the list host: rbldnsd under svscan, an empty list to start with
: > "$lh/private.list"
rblzone "$lh/private.list" "$lh/zone/private.zone" 2>/dev/null
mkdir -p "$svc/lh-rbldnsd"
cat > "$svc/lh-rbldnsd/run" <<R
#!/bin/sh
exec rbldnsd -n -u rbldns -w $lh/zone -b $LH/53 bl.test:combined:private.zone 2>&1
R
chmod +x "$svc/lh-rbldnsd/run"
# mx3 has its own rbldnsd instead (the zone is pushed to it; -c 1: it checks the file every second)
cp "$lh/zone/private.zone" "$T/mx3/zone/"
mkdir -p "$svc/mx3-rbldnsd"
cat > "$svc/mx3-rbldnsd/run" <<R
#!/bin/sh
exec rbldnsd -n -c 1 -u rbldns -w $T/mx3/zone -b $MX3/53 bl.test:combined:private.zone 2>&1
R
chmod +x "$svc/mx3-rbldnsd/run"

# --- the backend: a scripted SMTP server that stores each message it accepts
cat > "$T/backend" <<'B'
#!/usr/bin/python3
import os, sys
store = sys.argv[1]
i, o = sys.stdin.buffer, sys.stdout.buffer
def say(s): o.write(s.encode() + b"\r\n"); o.flush()
say("220 backend ESMTP")
data, body, n = False, [], 0
for line in iter(i.readline, b""):
    if data:
        if line == b".\r\n":
            n += 1
            name = "%d.%d" % (os.getpid(), n)
            with open(os.path.join(store, "." + name), "wb") as f: f.write(b"".join(body))
            os.rename(os.path.join(store, "." + name), os.path.join(store, name))
            data, body = False, []
            say("250 ok queued")
        else:
            body.append(line)
        continue
    c = line[:4].upper()
    if c == b"EHLO": say("250-backend"); say("250 PIPELINING")
    elif c == b"HELO": say("250 backend")
    elif c in (b"MAIL", b"RCPT", b"RSET", b"NOOP"): say("250 ok")
    elif c == b"DATA": data = True; say("354 go ahead")
    elif c == b"QUIT": say("221 bye"); break
    else: say("502 unimplemented")
B
chmod +x "$T/backend"
printf ':allow\n' | tcprules "$T/tcp.smtp.cdb" "$T/tcp.smtp.tmp"

# --- the MXes: examples/service/smtpd as shipped, only env/ differs
mx_service() { # name ip rblsmtpd2-options
  local d=$svc/$1-smtpd
  cp -R "$TOP/examples/service/smtpd" "$d"
  e() { printf '%s\n' "$2" > "$d/env/$1"; }
  e IP "$2"; e PORT 25; e MAXCONN 60; e TCPRULES "$T/tcp.smtp.cdb"; e RULES "$T/$1/etc/rules.cdb"
  e RBLSMTPD2_OPTS "$3"; e DNSCACHEIP $LH; e SMTPD "$T/backend $T/$1/store"; e RCPTFILTER_OPTS "-t 60"
  e SOFTLIMIT =                  # python and ASan reserve more than 60 MB
  : > "$d/env/SMTPD_USER"        # stay root: the test's files are root's
}
mx_service mx1 $MX1 "-T 2 -r bl.test"
mx_service mx2 $MX2 "-T 2 -C -r bl.test"
mx_service mx3 $MX3 "-T 2 -r bl.test"
printf '%s\n' $MX3 > "$svc/mx3-smtpd/env/DNSCACHEIP"

svscan "$svc" < /dev/null > "$T/svscan.out" 2>&1 &
svscanpid=$!
at_exit "kill $svscanpid 2>/dev/null; wait $svscanpid 2>/dev/null
  for d in $svc/mx1-smtpd $svc/mx1-smtpd/log $svc/mx2-smtpd $svc/mx2-smtpd/log $svc/mx3-smtpd $svc/mx3-smtpd/log $svc/lh-rbldnsd $svc/mx3-rbldnsd; do
    svok \$d 2>/dev/null && svc -dx \$d; for i in \$(seq 1 50); do svok \$d 2>/dev/null || break; sleep 0.1; done; done"
listening() { ss -Hltn "sport = :25" 2>/dev/null | grep -qF "$1:25"; }
dns_up() { ss -Hlun "sport = :53" 2>/dev/null | grep -qF "${1:-$LH}:53"; }
check "mx1 listens" wait_for "listening $MX1"
check "mx2 listens" wait_for "listening $MX2"
check "mx3 listens" wait_for "listening $MX3"
check "the list host's rbldnsd is up" wait_for dns_up
check "mx3's own rbldnsd is up" wait_for "dns_up $MX3"

# one SMTP session: client.py FROM-IP MX RCPT... -> one line per reply
cat > "$T/client.py" <<'C'
import socket, sys
def session(src, mx, rcpts, subject="x", pause=0.0, banner=None):
    import time
    s = socket.socket(); s.settimeout(60)
    s.bind((src, 0)); s.connect((mx, 25))
    f = s.makefile("rb")
    def reply():
        out = b""
        while True:
            l = f.readline()
            out += l
            if len(l) < 4 or l[3:4] != b"-": return out.decode("ascii", "replace").strip()
    out = [reply()]
    if banner: banner()   # rcptfilter opens its rules before the backend's banner goes out
    def cmd(c): s.sendall(c.encode() + b"\r\n"); r = reply(); out.append(r); return r
    cmd("EHLO client.example"); cmd("MAIL FROM:<sender@client.example>")
    ok = False
    for k, r in enumerate(rcpts):
        if k and pause: time.sleep(pause)
        ok = cmd("RCPT TO:<%s>" % r).startswith("250") or ok
    if ok and cmd("DATA").startswith("354"):
        s.sendall(("Subject: %s\r\n\r\nbody\r\n.\r\n" % subject).encode()); out.append(reply())
    cmd("QUIT")
    return out
if __name__ == "__main__":
    for l in session(sys.argv[1], sys.argv[2], sys.argv[3:]): print(l)
C
one() { $PY "$T/client.py" "$@" 2>&1; }

# --- 1. a trap hit on mx1; another on mx2; one list cycle; each is refused by the other MX
out=$(one 127.0.2.77 $MX1 trap@example.com)
check "mx1: the trap address is refused like a dead mailbox" sh -c 'printf "%s\n" "$1" | grep -q "^550 "' _ "$out"
out=$(one 127.0.2.78 $MX2 trap@example.com)
check "mx2: a trap hit from another client" sh -c 'printf "%s\n" "$1" | grep -q "^550 "' _ "$out"
out=$(one 127.0.2.77 $MX2 ok@example.com)
check "before the cycle mx2 still takes mail from mx1's trapper" sh -c 'printf "%s\n" "$1" | grep -q "^250 ok queued"' _ "$out"
wait_for "grep -q 'ip=127.0.2.77 .*action=trap' '$svc/mx1-smtpd/log/main/current' && grep -q 'ip=127.0.2.78 .*action=trap' '$svc/mx2-smtpd/log/main/current'"
TRAPLIST_OPTS="-N 127.0.1.0/24" RELOAD="svc -h $svc/lh-rbldnsd" ZONE_DEST="$T/mx3/zone" \
  list-cycle "$lh/private.list" "$lh/zone/private.zone" "$lh/traplogs" \
    "$svc/mx1-smtpd/log/main" "$svc/mx2-smtpd/log/main" "$svc/mx3-smtpd/log/main" 2>"$T/cycle.err"
check_eq "one list cycle: exit 0" $? 0
check "traplist read both MXes' logs: both clients listed" sh -c "grep -q '^127.0.2.77 expires=' '$lh/private.list' && grep -q '^127.0.2.78 expires=' '$lh/private.list'"
check "rblzone put both in the zone" sh -c "grep -q '^127.0.2.77 :127.0.0.2:spamtrap' '$lh/zone/private.zone' && grep -q '^127.0.2.78 ' '$lh/zone/private.zone'"
wait_for "$PY '$TOP/tests/dnsq.py' $LH bl.test 127.0.2.78 | grep -q A=127.0.0.2"
out=$(one 127.0.2.77 $MX2 ok@example.com)
check "mx2 refuses mx1's trapper after one cycle, with the list's text" sh -c 'printf "%s\n" "$1" | grep -q "^451 spamtrap rcpt=<trap@example.com>"' _ "$out"
out=$(one 127.0.2.78 $MX1 ok@example.com)
check "and mx1 refuses mx2's trapper" sh -c 'printf "%s\n" "$1" | grep -q "^451 spamtrap"' _ "$out"
out=$(one 127.0.2.79 $MX2 ok@example.com)
check "a clean client still gets through mx2" sh -c 'printf "%s\n" "$1" | grep -q "^250 ok queued"' _ "$out"
check "the zone was pushed to mx3" cmp -s "$lh/zone/private.zone" "$T/mx3/zone/private.zone"
check "mx3's rbldnsd reloads the pushed zone by itself (-c)" wait_for "$PY '$TOP/tests/dnsq.py' $MX3 bl.test 127.0.2.77 | grep -q A=127.0.0.2"
out=$(one 127.0.2.77 $MX3 ok@example.com)
check "mx3 (its own rbldnsd) refuses mx1's trapper too" sh -c 'printf "%s\n" "$1" | grep -q "^451 spamtrap"' _ "$out"
n=$(wc -l < "$lh/private.list")
TRAPLIST_OPTS="-N 127.0.1.0/24" list-cycle "$lh/private.list" "$lh/zone/private.zone" "$lh/traplogs" "$svc/mx1-smtpd/log/main" "$T/no-such-mx" 2>"$T/cycle.err"
check_eq "a cycle with one MX unreachable still runs (exit 0)" $? 0
check "and says which" grep -q 'cannot fetch .*no-such-mx' "$T/cycle.err"
check_eq "reading the same logs again changes nothing" "$(wc -l < "$lh/private.list")" "$n"

# --- 2. rules pushed again and again while 100 sessions run, 50 on each MX
cat > "$T/load.py" <<'L'
import os, sys, threading, random, collections, time
sys.path.insert(0, sys.argv[1])
from client import session
T, mxes, n = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3])
results, lock, greeted = [], threading.Lock(), [0]
# Two halves. The first starts while the old rules are in place and nothing
# is pushed; once all of it has its banner (its rules are open) the pushes
# begin ("go"), and after the first has landed the second half starts while
# they go on. So the first half must all see the old rules, the second some
# of the new, and every session one whole version, never a mix or a 451.
# Sessions start 30 ms apart and last 5-7 s, so the halves overlap. Not all
# at once: tcpserver listens with a backlog of 20, and a connection the kernel
# drops from a full accept queue waits for a banner that never comes (SMTP's
# server speaks first) until the client gives up.
def hello():
    with lock: greeted[0] += 1
def run(k, delay):
    time.sleep(delay)
    t0 = time.time()
    mx = mxes[k % len(mxes)]
    try:
        r = session("127.0.3.%d" % (k % 250 + 1), mx, ["old-deny@example.com", "new-deny@example.com", "ok@example.com"],
                    subject="load-%d" % k, pause=random.uniform(2.5, 3.5), banner=hello)
    except Exception as e:
        r = ["error %s after %.1fs" % (e, time.time() - t0)]
    with lock: results.append((k, mx, r))
def wait(what, until):
    end = time.time() + 60
    while not until() and time.time() < end: time.sleep(0.02)
    if not until(): print("TIMEOUT waiting for %s" % what)
def pushes():
    try: return int(open(os.path.join(T, "pushes")).read() or 0)
    except (OSError, ValueError): return 0
half = n // 2
ts = [threading.Thread(target=run, args=(k, k * 0.03)) for k in range(half)]
for t in ts: t.start()
wait("the first half's banners", lambda: greeted[0] >= half)
open(os.path.join(T, "go"), "w").close()
wait("the first push", lambda: pushes() >= 1)
ts2 = [threading.Thread(target=run, args=(k, (k - half) * 0.03)) for k in range(half, n)]
for t in ts2: t.start()
for t in ts + ts2: t.join()
kinds = collections.Counter()
for k, mx, r in sorted(results):
    codes = [l[:3] for l in r]
    # banner, EHLO, MAIL, RCPT old-deny, RCPT new-deny, RCPT ok, DATA, end of data, QUIT
    if len(codes) == 9 and codes[5:8] == ["250", "354", "250"] and codes[3:5] in (["550", "250"], ["250", "550"]):
        v = "old" if codes[3] == "550" else "new"
        kinds[("first-" if k < half else "second-") + v] += 1
        print("load-%d %s %s %s" % (k, mx, "first" if k < half else "second", v))
    else:
        kinds["bad"] += 1
        print("BAD load-%d %s %r" % (k, mx, r))
print("SUMMARY " + " ".join("%s=%d" % kv for kv in sorted(kinds.items())))
L
rm -f "$T/mx1/store/"* "$T/mx2/store/"* "$T/go" "$T/pushes"
$PY "$T/load.py" "$T" "$MX1,$MX2" 100 > "$T/load.out" 2>&1 &
loadpid=$!
for i in $(seq 1 600); do [ -e "$T/go" ] || ! kill -0 $loadpid 2>/dev/null && break; sleep 0.1; done
pushes=0 v=1
while kill -0 $loadpid 2>/dev/null; do
  v=$((3 - v)); cp "$lh/rules.v$v" "$lh/rules"
  push-rules "$lh/rules" "$lh/stage" "$T/mx1/etc" "$T/mx2/etc" "$T/mx3/etc" 2>>"$T/push.err" && pushes=$((pushes + 1))
  echo $pushes > "$T/pushes.new" && mv "$T/pushes.new" "$T/pushes"
  sleep 0.05
done
wait $loadpid
summary=$(grep '^SUMMARY' "$T/load.out")
check "$pushes pushes during the load ($summary)" test "$pushes" -ge 3
check_eq "every one of 100 sessions saw one consistent rule set, none a broken cdb (451)" "$(grep -c '^load-' "$T/load.out")/$(grep -c '^BAD' "$T/load.out")" "100/0"
[ "$(grep -c '^BAD' "$T/load.out")" = 0 ] || not_ok "the bad sessions" "$(grep '^BAD' "$T/load.out" | head -5)
$(k=$(grep -m1 '^BAD' "$T/load.out" | sed 's/^BAD load-\([0-9]*\).*/\1/'); grep -h "ip=127.0.3.$((k % 250 + 1)) " "$svc"/mx*-smtpd/log/main/current | head -5)
$(tail -5 "$T/push.err")"
check_eq "the first 50, started before any push, all saw the old rules" "$(grep -c '^load-.* first old$' "$T/load.out")" 50
check "the second 50, started while the pushes went on, saw the new ones too" grep -q '^load-.* second new$' "$T/load.out"
check "load.py waited for nothing in vain" sh -c "! grep -q '^TIMEOUT' '$T/load.out'"
check "both MXes carried the load" sh -c "grep -q ' $MX1 ' '$T/load.out' && grep -q ' $MX2 ' '$T/load.out'"
peak() { sed -n 's/.*tcpserver: status: \([0-9]*\)\/.*/\1/p' "$svc/$1-smtpd/log/main/current" | sort -n | tail -1; }
p1=$(peak mx1) p2=$(peak mx2)
check "the sessions overlapped: at least 25 at once on each MX (mx1 ${p1:-?}, mx2 ${p2:-?} of 50)" test "${p1:-0}" -ge 25 -a "${p2:-0}" -ge 25
stored=$(cat "$T"/mx1/store/* "$T"/mx2/store/* 2>/dev/null | grep -c '^Subject: load-')
check_eq "nothing lost: 100 messages stored" "$stored" 100
check_eq "each exactly once" "$(cat "$T"/mx1/store/* "$T"/mx2/store/* | grep '^Subject: load-' | sort -u | wc -l)" 100
check "no rcptfilter on either MX failed to read its rules" sh -c "! grep -q 'rcptfilter: .*\\(unable\\|action=tempfail\\|code=451\\)' '$svc/mx1-smtpd/log/main/current' '$svc/mx2-smtpd/log/main/current'"
check "no temporary files left on the MXes" sh -c "[ -z \"\$(ls -A '$T/mx1/etc' | grep -v '^rules.cdb\$')\" ] && [ -z \"\$(ls -A '$T/mx2/etc' | grep -v '^rules.cdb\$')\" ]"

# what a session sees of a cdb that is not whole (a copy caught half-written,
# as cp or rsync --inplace would leave it): 451, never an open door; so the
# checks above would have seen one
head -c 3000 "$T/mx1/etc/rules.cdb" > "$T/mx1/etc/half" && mv "$T/mx1/etc/half" "$T/mx1/etc/rules.cdb"
out=$(one 127.0.2.80 $MX1 old-deny@example.com new-deny@example.com)
check "a half-written cdb: every RCPT gets 451" sh -c 'printf "%s\n" "$1" | grep -c "^451 " | grep -qx 2' _ "$out"
push-rules "$lh/rules" "$lh/stage" "$T/mx1/etc" 2>>"$T/push.err"
out=$(one 127.0.2.80 $MX1 ok@example.com)
check "the next push repairs it" sh -c 'printf "%s\n" "$1" | grep -q "^250 ok queued"' _ "$out"

# --- 3. mx2's list host goes away: -C fails open, -c fails closed
svc -d "$svc/lh-rbldnsd"
check "the list host's rbldnsd is down" wait_for "! dns_up"
out=$(one 127.0.2.77 $MX2 ok@example.com)
check "mx2 with -C: even a listed client passes when the list cannot answer (fail open)" sh -c 'printf "%s\n" "$1" | grep -q "^250 ok queued"' _ "$out"
wait_for "grep -q 'rblsmtpd2: ip=127.0.2.77 .*action=lookupfail list=bl.test' '$svc/mx2-smtpd/log/main/current'"
check "mx2 logged the failed lookup" grep -q 'rblsmtpd2: ip=127.0.2.77 .*action=lookupfail list=bl.test' "$svc/mx2-smtpd/log/main/current"
pid1=$(svstat "$svc/mx2-smtpd" | sed -n 's/.*(pid \([0-9]*\)).*/\1/p')
printf '%s\n' "-T 2 -c -r bl.test" > "$svc/mx2-smtpd/env/RBLSMTPD2_OPTS"
svc -t "$svc/mx2-smtpd"
restarted() { p=$(svstat "$svc/mx2-smtpd" | sed -n 's/.*(pid \([0-9]*\)).*/\1/p'); [ -n "$p" ] && [ "$p" != "$pid1" ] && listening $MX2; }
check "mx2 restarted with -c" wait_for restarted
out=$(one 127.0.2.79 $MX2 ok@example.com)
check "mx2 with -c: a clean client gets 451 while the list cannot answer (fail closed)" sh -c 'printf "%s\n" "$1" | grep -q "^451 "' _ "$out"
check "and never reached the backend" sh -c '! printf "%s\n" "$1" | grep -q "backend"' _ "$out"
out=$(one 127.0.2.79 $MX1 ok@example.com)
check "mx1 (default -C) still takes mail meanwhile" sh -c 'printf "%s\n" "$1" | grep -q "^250 ok queued"' _ "$out"
out=$(one 127.0.2.78 $MX3 ok@example.com)
check "mx3, with its own rbldnsd, still refuses a listed client meanwhile" sh -c 'printf "%s\n" "$1" | grep -q "^451 spamtrap"' _ "$out"
svc -u "$svc/lh-rbldnsd"
wait_for dns_up
wait_for "$PY '$TOP/tests/dnsq.py' $LH bl.test 127.0.2.77 | grep -q A=127.0.0.2"
out=$(one 127.0.2.79 $MX2 ok@example.com)
check "list host back: mx2 (-c) takes the clean client again" sh -c 'printf "%s\n" "$1" | grep -q "^250 ok queued"' _ "$out"
out=$(one 127.0.2.77 $MX2 ok@example.com)
check "and refuses the listed one" sh -c 'printf "%s\n" "$1" | grep -q "^451 spamtrap"' _ "$out"
