#!/bin/bash
# The whole spamtrap loop with real parts, in this suite's own network
# namespace: a client bound to 127.0.0.7 mails a trap address through
# tcpserver → rblsmtpd2 → rcptfilter → a scripted SMTP backend; multilog keeps
# the log; traplist lists the IP; rblzone rebuilds the zone; rbldnsd reloads
# it; the next connection from 127.0.0.7 is rejected by rblsmtpd2 with the
# list's TXT text, while 127.0.0.8 still gets through.
. "$(dirname "$0")/lib.sh"
for p in rblsmtpd2 rcptfilter cdbmake-rules traplist rblzone; do
  [ -x "$BIN/$p" ] || { skip "trap loop" "$p not built yet (needs issues 3, 4, 5)"; exit 0; }
done
for p in tcpserver multilog rbldnsd; do
  command -v $p >/dev/null || { skip "trap loop" "$p not installed"; exit 0; }
done
ip link set lo up 2>/dev/null
$PY -c 'import socket;s=socket.socket();s.bind(("127.0.0.7",0))' 2>/dev/null ||
  { skip "trap loop" "cannot bind 127.0.0.7"; exit 0; }

SRV=127.0.0.1 PORT=2525 NS=127.0.0.53
mkdir -p "$T/z" "$T/log"
chmod 755 "$T" "$T/z"

# --- the rules: one spamtrap address
# (the glob rule also keeps cdbmake-rules off a qsort(NULL, 0) that UBSan
# flags in src/rulesmake.c when a file has no glob rule: reported to its owner)
printf 'trap@example.com::trap\n:*viagra*:deny\n' > "$T/rules"
(cd "$T" && "$BIN/cdbmake-rules" rules.cdb rules.tmp < rules) 2>"$T/cdbmake.err"
check "cdbmake-rules compiled the trap rule" test -s "$T/rules.cdb"

# --- an empty private list, its zone, rbldnsd serving it
: > "$T/private.list"
"$BIN/rblzone" "$T/private.list" "$T/z/private.zone" 2>/dev/null
rbldnsd -n -u rbldns -w "$T/z" -b $NS/53 -p "$T/z/pid" bl.test:combined:private.zone >"$T/rbldnsd.log" 2>&1 &
at_exit "kill $! 2>/dev/null"
wait_udp_bound $NS 53 || not_ok "rbldnsd started" "$(cat "$T/rbldnsd.log")"

# --- the backend: a scripted SMTP server on stdin/stdout
cat > "$T/backend" <<'B'
#!/usr/bin/python3
import sys
i, o = sys.stdin.buffer, sys.stdout.buffer
def say(s): o.write(s.encode() + b"\r\n"); o.flush()
say("220 backend ESMTP")
data = False
for line in iter(i.readline, b""):
    if data:
        if line == b".\r\n": data = False; say("250 ok queued")
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

# --- the service: tcpserver, its log through multilog (stamps and all)
mkfifo "$T/logpipe"
multilog t "$T/log" < "$T/logpipe" &
at_exit "kill $! 2>/dev/null"
DNSCACHEIP=$NS tcpserver -HRl0 $SRV $PORT \
  "$BIN/rblsmtpd2" -r bl.test "$BIN/rcptfilter" "$T/rules.cdb" "$T/backend" 2>"$T/logpipe" &
at_exit "kill $! 2>/dev/null"
wait_for "$PY -c 'import socket;socket.create_connection((\"$SRV\",$PORT),1)'" || not_ok "tcpserver started"

# client FROM-ADDRESS: one SMTP session, one command at a time; the transcript on stdout
cat > "$T/client" <<'C'
import socket, sys
s = socket.socket(); s.settimeout(10)
s.bind((sys.argv[1], 0)); s.connect((sys.argv[2], int(sys.argv[3])))
f = s.makefile("rb")
def reply():
    out = b""
    while True:
        l = f.readline()
        out += l
        if len(l) < 4 or l[3:4] != b"-": return out
sys.stdout.write(reply().decode("ascii", "replace"))
for cmd in ["EHLO client.example", "MAIL FROM:<spammer@bad.example>", "RCPT TO:<trap@example.com>", "QUIT"]:
    s.sendall(cmd.encode() + b"\r\n")
    sys.stdout.write(cmd + " -> " + reply().decode("ascii", "replace"))
C
client() { $PY "$T/client" "$1" $SRV $PORT 2>&1; }

# --- 1. the spammer hits the trap
out=$(client 127.0.0.7)
check "trap RCPT denied like a dead mailbox" sh -c "printf '%s' \"\$1\" | grep -q '^RCPT TO:<trap@example.com> -> 550 '" _ "$out"
wait_for "grep -q 'action=trap' '$T/log/current'"
check "rcptfilter logged the trap hit with the client IP" grep -q '^@[0-9a-f]\{24\} rcptfilter: ip=127.0.0.7 .*action=trap .*rcpt=<trap@example.com>' "$T/log/current"

# --- 2. autolist, rebuild, reload
"$BIN/traplist" -N $SRV "$T/private.list" "$T/log/current" 2>"$T/traplist.log"
check "traplist listed 127.0.0.7" grep -q '^127.0.0.7 expires=.* spamtrap rcpt=<trap@example.com>$' "$T/private.list"
"$BIN/rblzone" "$T/private.list" "$T/z/private.zone" 2>"$T/rblzone.log"
check "rblzone put it in the zone" grep -q '^127.0.0.7 :127.0.0.2:spamtrap rcpt=<trap@example.com>$' "$T/z/private.zone"
kill -HUP "$(cat "$T/z/pid")"
wait_for "$PY '$TOP/tests/dnsq.py' $NS bl.test 127.0.0.7 | grep -q A=127.0.0.2"
check_eq "rbldnsd serves the listing" "$($PY "$TOP/tests/dnsq.py" $NS bl.test 127.0.0.7)" \
  '127.0.0.7 A=127.0.0.2 TXT="spamtrap rcpt=<trap@example.com>" TTL=300'

# --- 3. the next connection from that address is turned away by rblsmtpd2
out=$(client 127.0.0.7)
check "rblsmtpd2 rejects 127.0.0.7 with the list's TXT text" sh -c "printf '%s' \"\$1\" | grep -q '^RCPT TO:<trap@example.com> -> 451 spamtrap rcpt=<trap@example.com>'" _ "$out"
check "the backend never saw that session" sh -c "! printf '%s' \"\$1\" | grep -q 'backend'" _ "$out"
wait_for "grep -q 'rblsmtpd2: ip=127.0.0.7 .*list=bl.test' '$T/log/current'"
check "rblsmtpd2 logged the rejection" grep -q 'rblsmtpd2: ip=127.0.0.7 .*list=bl.test' "$T/log/current"
out=$(client 127.0.0.8)
check "127.0.0.8 is not listed: the backend greets it" sh -c "printf '%s' \"\$1\" | grep -q '^220 backend'" _ "$out"
