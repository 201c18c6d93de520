#!/bin/bash
# traplist: rcptfilter trap lines (multilog files, stdin) into the private list.
. "$(dirname "$0")/lib.sh"
TL=$BIN/traplist
NOW=1795000000                                  # 2026-11-18T11:06:40Z
stamp() { printf '@%016x%08x' $((0x400000000000000a + $1)) 0; }
trapline() { # unix-time ip rcpt
  printf '%s rcptfilter: ip=%s pid=4712 action=trap from=<a@b.example> rcpt=<%s> rule=3 file=rules:17\n' "$(stamp "$1")" "$2" "$3"; }
denyline() { printf '%s rcptfilter: ip=%s pid=4712 action=deny from=<a@b.example> rcpt=<joe@example.com> rule=1 file=rules:2\n' "$(stamp "$1")" "$2"; }
t0=$((NOW - 3600))          # an hour ago

cat > "$T/list" <<'L'
# private blocklist, kept by hand and by traplist
66.119.42.140-143 a provider we never want to hear from
198.51.100.0/24 expires=2099-01-01 listed by hand
L
cp "$T/list" "$T/list.orig"
{ trapline $t0 192.0.2.7 trap@example.com
  denyline $t0 192.0.2.8
  printf '%s rblsmtpd2: ip=192.0.2.9 pid=1 action=reject code=451 list=bl.test ms=3 text="x"\n' "$(stamp $t0)"
  trapline $((t0 + 60)) 2001:db8::7 trap2@example.com
  trapline $((t0 - 600)) 192.0.2.7 trap@example.com
  trapline $t0 66.119.42.141 trap@example.com
  trapline $t0 198.51.100.9 trap@example.com
  trapline $t0 10.1.2.3 trap@example.com
  trapline $t0 192.168.7.7 trap@example.com
  printf 'garbage line\n'
} > "$T/current"
printf '# ours\n10.0.0.0/8\n' > "$T/never"
printf '192.168.:allow,RELAYCLIENT=""\n:allow\n' > "$T/tcp.smtp"

$TL -n $NOW -x "$T/never" -x "$T/tcp.smtp" "$T/list" "$T/current" 2>"$T/log"
check_eq "exit 0" $? 0
cat > "$T/want" <<'W'
# private blocklist, kept by hand and by traplist
66.119.42.140-143 a provider we never want to hear from
198.51.100.0/24 expires=2099-01-01 listed by hand
192.0.2.7 expires=2026-11-19T10:06:40Z spamtrap rcpt=<trap@example.com>
2001:db8::7 expires=2026-11-19T10:07:40Z spamtrap rcpt=<trap2@example.com>
W
check_file_eq "trap IPs added once each, expiry = hit + 24 h, operator lines untouched" "$T/list" "$T/want"
check "decision: add" grep -q '^traplist: ip=192.0.2.7 action=add expires=2026-11-19T10:06:40Z$' "$T/log"
check "decision: already listed by a permanent range" grep -q '^traplist: ip=66.119.42.141 action=listed$' "$T/log"
check "decision: already listed until later" grep -q '^traplist: ip=198.51.100.9 action=listed expires=2099-01-01T00:00:00Z$' "$T/log"
check "never-list file: own network" grep -q '^traplist: ip=10.1.2.3 action=never$' "$T/log"
check "never-list: tcp.smtp RELAYCLIENT range" grep -q '^traplist: ip=192.168.7.7 action=never$' "$T/log"
check "deny lines and other programs are ignored" sh -c "! grep -q '192.0.2.[89]' '$T/list'"
check "no lock or tmp left but the lock file" test ! -e "$T/list.tmp"

# --- same log again: nothing changes, the list is not even rewritten
ino=$(stat -c %i "$T/list")
$TL -n $NOW -x "$T/never" -x "$T/tcp.smtp" "$T/list" "$T/current" 2>/dev/null
check_file_eq "rerun on the same log: no duplicates" "$T/list" "$T/want"
check_eq "and no rewrite" "$(stat -c %i "$T/list")" "$ino"

# --- a later hit refreshes the expiry in place
trapline $((NOW - 60)) 192.0.2.7 other@example.com | $TL -n $NOW "$T/list" 2>"$T/log"
check "later hit: refresh" grep -q '^traplist: ip=192.0.2.7 action=refresh expires=2026-11-19T11:05:40Z$' "$T/log"
check_eq "refreshed line, same place, reason kept" "$(sed -n 4p "$T/list")" "192.0.2.7 expires=2026-11-19T11:05:40Z spamtrap rcpt=<trap@example.com>"
check_eq "still one line for it" "$(grep -c '^192.0.2.7 ' "$T/list")" 1

# --- -N on the command line, -e hours, stdin without stamps
printf 'rcptfilter: ip=203.0.113.5 pid=1 action=trap from=<> rcpt=<t@example.com>\nrcptfilter: ip=203.0.113.6 action=trap\n' |
  $TL -n $NOW -e 2 -N 203.0.113.6 "$T/list" 2>"$T/log"
check "stdin line without stamp: now + 2 h" grep -qx '203.0.113.5 expires=2026-11-18T13:06:40Z spamtrap rcpt=<t@example.com>' "$T/list"
check "-N never-lists" sh -c "grep -q 'ip=203.0.113.6 action=never' '$T/log' && ! grep -q 203.0.113.6 '$T/list'"

# --- an old hit that has already run out is not listed
trapline $((NOW - 90000)) 203.0.113.7 t@example.com | $TL -n $NOW "$T/list" 2>/dev/null
check "hit older than the expiry: ignored" sh -c "! grep -q 203.0.113.7 '$T/list'"

# --- time passes: our entries run out and are removed, the operator's stay
$TL -n 4102444800 "$T/list" < /dev/null 2>"$T/log"
cat > "$T/want" <<'W'
# private blocklist, kept by hand and by traplist
66.119.42.140-143 a provider we never want to hear from
198.51.100.0/24 expires=2099-01-01 listed by hand
W
check_file_eq "expired spamtrap entries pruned, hand-made ones kept" "$T/list" "$T/want"
check "pruning is logged" grep -q '^traplist: ip=192.0.2.7 action=expired ' "$T/log"

# --- the list is what rblzone reads
cp "$T/list.orig" "$T/list"
$TL -n $NOW "$T/list" "$T/current" 2>/dev/null
$BIN/rblzone -n $NOW "$T/list" "$T/zone" 2>/dev/null
check "rblzone takes traplist's list" grep -qx '192.0.2.7 :127.0.0.2:spamtrap rcpt=<trap@example.com>' "$T/zone"

# --- -c: a multilog processor passes the log through unchanged
cp "$T/list.orig" "$T/list"
$TL -c -n $NOW "$T/list" < "$T/current" > "$T/copy" 2>/dev/null
check_file_eq "-c copies its input to stdout" "$T/copy" "$T/current"
check "and lists" grep -q '^192.0.2.7 ' "$T/list"

# --- real multilog running traplist as its processor on rotation
cp "$T/list.orig" "$T/list"
mkdir -p "$T/main"
{ trapline $t0 192.0.2.77 trap@example.com | sed 's/^@[0-9a-f]* //'
  for i in $(seq 1 40); do printf 'rcptfilter: ip=192.0.2.1 pid=%d action=pass filler filler filler filler\n' $i; done
} | (cd "$T" && timeout 30 multilog t "!$TL -c -n $NOW $T/list" s2000 ./main) 2>"$T/ml.err"
check "multilog processor listed the trapping IP" grep -q '^192.0.2.77 expires=' "$T/list"
check "and the rotated log file kept the trap line" sh -c "cat '$T'/main/@* | grep -q 'ip=192.0.2.77 .*action=trap'"

# --- two writers at once: the lock keeps both updates
cp "$T/list.orig" "$T/list"
for i in 1 2 3 4 5 6; do trapline $t0 203.0.113.$i t@x | $TL -n $NOW "$T/list" 2>/dev/null & done
wait
check_eq "six concurrent runs, six entries" "$(grep -c '^203.0.113.[1-6] ' "$T/list")" 6

# --- errors
cp "$T/list.orig" "$T/list"; printf 'bogus line\n' >> "$T/list"; cp "$T/list" "$T/list.bad"
trapline $t0 192.0.2.7 t@x | $TL -n $NOW "$T/list" 2>"$T/err"
check_eq "bad line in the list: exit 100" $? 100
check "file:line: reason" grep -q "list:4: not an IP address" "$T/err"
check_file_eq "list untouched" "$T/list" "$T/list.bad"
$TL "$T/list2" "$T/nonexistent" 2>/dev/null; check_eq "missing log file: exit 111" $? 111
$TL 2>/dev/null </dev/null; check_eq "no list argument: exit 100" $? 100
$TL -e 0 "$T/list2" </dev/null 2>/dev/null; check_eq "-e 0: exit 100" $? 100
$TL -N 10.0.0.1/8 "$T/list2" </dev/null 2>/dev/null; check_eq "bad -N: exit 100" $? 100
trapline $t0 192.0.2.7 t@x | $TL -n $NOW "$T/list2" 2>/dev/null
check "missing list: created" grep -q '^192.0.2.7 ' "$T/list2"
