#!/bin/bash
# rblzone: list in, rbldnsd zone and tinydns-data lines out. The zone is served
# by a real rbldnsd on loopback and the data compiled by the real tinydns-data;
# both must give the same answers for the same probes.
. "$(dirname "$0")/lib.sh"
RZ=$BIN/rblzone
DNSQ="$PY $TOP/tests/dnsq.py"
NOW=1795000000          # 2026-11-18T... UTC: fixed, so expiry is deterministic
for p in rbldnsd tinydns-data tinydns-get; do
  command -v $p >/dev/null || { skip "rblzone suite" "$p not installed (tools/deps test)"; exit 0; }
done
mkdir -p "$T/z" "$T/d"
chmod 755 "$T" "$T/z"

cat > "$T/list" <<'L'
# private blocklist
192.0.2.7   spam to trap@example.com
198.51.100.0/24 expires=2099-01-01 a whole provider   # trailing comment

66.119.42.140-143
10.0.0.1-6 expires=2026-11-19T00:00:00Z short range
2001:db8::7 v6 host $ here
2001:db8:2::/47	v6 net: colons
::7 starts with a colon
  10.9.0.0/23
203.0.113.0-203.0.113.129 expires=2026-11-18 already expired
L

# --- the zone, byte for byte
$RZ -n $NOW -z bl.test "$T/list" "$T/z/zone" "$T/d/data" 2>"$T/err"
check_eq "rblzone exits 0" "$?" 0
cat > "$T/want" <<'W'
# rbldnsd zone (type combined), written by rblzone; do not edit
$TTL 300
$DATASET ip4trie @
192.0.2.7 :127.0.0.2:spam to trap@example.com
198.51.100.0/24 :127.0.0.2:a whole provider
66.119.42.140/30 :127.0.0.2:listed in a private blocklist
10.0.0.1 :127.0.0.2:short range
10.0.0.2/31 :127.0.0.2:short range
10.0.0.4/31 :127.0.0.2:short range
10.0.0.6 :127.0.0.2:short range
10.9.0.0/23 :127.0.0.2:listed in a private blocklist
$DATASET ip6trie @
2001:db8::7 :127.0.0.2:v6 host 2001:db8::7 here
2001:db8:2::/47 :127.0.0.2:v6 net: colons
0::7 :127.0.0.2:starts with a colon
W
check_file_eq "zone file: ranges split into minimal prefixes, reasons, default text" "$T/z/zone" "$T/want"
check "expired entry reported with file:line" grep -q "^rblzone: $T/list:11: expired at 2026-11-18T00:00:00Z" "$T/err"
check "summary line counts entries and prefixes" grep -q "^rblzone: list=.* entries=8 prefixes4=8 prefixes6=3 expired=1 " "$T/err"
check "no tmp file left" test ! -e "$T/z/zone.tmp" -a ! -e "$T/d/data.tmp"
check "tinydns: exact name" grep -qx "+7.2.0.192.bl.test:127.0.0.2:300" "$T/d/data"
check "tinydns: /24 as one wildcard" grep -qx "'\*.100.51.198.bl.test:a whole provider:300" "$T/d/data"
check "tinydns: /23 as two wildcards" test "$(grep -c '^+\*\.[01]\.9\.10\.bl\.test:' "$T/d/data")" = 2
check "tinydns: ':' escaped, '\$' made the prefix" grep -q "^'7\.0\.0.*2\.bl\.test:v6 host 2001\\\\072db8\\\\072\\\\0727 here:300" "$T/d/data"

# --- real servers: rbldnsd on the zone, tinydns-get on the compiled data
rbldnsd -n -u rbldns -w "$T/z" -b 127.0.0.53/53 -p "$T/z/pid" bl.test:combined:zone >"$T/rbldnsd.log" 2>&1 &
at_exit "kill $! 2>/dev/null"
wait_udp_bound 127.0.0.53 53 || not_ok "rbldnsd started" "$(cat "$T/rbldnsd.log")"
{ echo '.bl.test:127.0.0.53:a:300'; cat "$T/d/data"; } > "$T/d/data.in"
( cd "$T/d" && mv data.in data && tinydns-data ) 2>"$T/tdd.err"
check "tinydns-data accepts the lines" test -s "$T/d/data.cdb"

probes="192.0.2.7 192.0.2.6 192.0.2.8 198.51.100.0 198.51.100.255 198.51.101.0 66.119.42.139 66.119.42.140 66.119.42.143 66.119.42.144
10.0.0.0 10.0.0.1 10.0.0.6 10.0.0.7 10.9.0.0 10.9.1.255 10.9.2.0 203.0.113.5 2001:db8::7 2001:db8::8 2001:db8:2::1
2001:db8:3:ffff:ffff:ffff:ffff:ffff 2001:db8:4:: ::7 ::8"
# shellcheck disable=SC2086
$DNSQ 127.0.0.53 bl.test $probes > "$T/rbldnsd.out" 2>&1
# shellcheck disable=SC2086
$DNSQ tinydns:"$T/d" bl.test $probes > "$T/tinydns.out" 2>&1
cat > "$T/want" <<'W'
192.0.2.7 A=127.0.0.2 TXT="spam to trap@example.com" TTL=300
192.0.2.6 NXDOMAIN
192.0.2.8 NXDOMAIN
198.51.100.0 A=127.0.0.2 TXT="a whole provider" TTL=300
198.51.100.255 A=127.0.0.2 TXT="a whole provider" TTL=300
198.51.101.0 NXDOMAIN
66.119.42.139 NXDOMAIN
66.119.42.140 A=127.0.0.2 TXT="listed in a private blocklist" TTL=300
66.119.42.143 A=127.0.0.2 TXT="listed in a private blocklist" TTL=300
66.119.42.144 NXDOMAIN
10.0.0.0 NXDOMAIN
10.0.0.1 A=127.0.0.2 TXT="short range" TTL=300
10.0.0.6 A=127.0.0.2 TXT="short range" TTL=300
10.0.0.7 NXDOMAIN
10.9.0.0 A=127.0.0.2 TXT="listed in a private blocklist" TTL=300
10.9.1.255 A=127.0.0.2 TXT="listed in a private blocklist" TTL=300
10.9.2.0 NXDOMAIN
203.0.113.5 NXDOMAIN
2001:db8::7 A=127.0.0.2 TXT="v6 host 2001:db8::7 here" TTL=300
2001:db8::8 NXDOMAIN
2001:db8:2::1 A=127.0.0.2 TXT="v6 net: colons" TTL=300
2001:db8:3:ffff:ffff:ffff:ffff:ffff A=127.0.0.2 TXT="v6 net: colons" TTL=300
2001:db8:4:: NXDOMAIN
::7 A=127.0.0.2 TXT="starts with a colon" TTL=300
::8 NXDOMAIN
W
check_file_eq "rbldnsd answers every probe as the list says (ends, neighbours, IPv6, expired gone)" "$T/rbldnsd.out" "$T/want"
check_file_eq "tinydns answers the same" "$T/tinydns.out" "$T/want"

# --- TTL option, reload by rbldnsd
# rbldnsd reloads when it gets to the HUP: ask until the answer is the one
# wanted (at most 5 s), then print the last answer for the check
answer_after_reload() {
  local i=0 got
  while got=$($DNSQ 127.0.0.53 bl.test "$1" 2>&1); [ "$got" != "$2" ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
  printf '%s' "$got"
}
$RZ -n $NOW -t 60 "$T/list" "$T/z/zone" 2>/dev/null
check "-t 60 goes into the zone" grep -qx '$TTL 60' "$T/z/zone"
kill -HUP "$(cat "$T/z/pid")"
want='192.0.2.7 A=127.0.0.2 TXT="spam to trap@example.com" TTL=60'
check_eq "rbldnsd serves the new TTL after reload" "$(answer_after_reload 192.0.2.7 "$want")" "$want"
$RZ -n $NOW -t 60 -a 127.0.0.4 -m 'blocked, see http://example.org/' "$T/list" "$T/z/zone" 2>/dev/null
kill -HUP "$(cat "$T/z/pid")"
want='66.119.42.141 A=127.0.0.4 TXT="blocked, see http://example.org/" TTL=60'
check_eq "-a and -m: answer and default text" "$(answer_after_reload 66.119.42.141 "$want")" "$want"

# --- time passes: entries expire
$RZ -n 4070908800 "$T/list" "$T/z/zone" 2>"$T/err"   # 2099-01-01
check "198.51.100.0/24 expires at its date" grep -q "list:3: expired at 2099-01-01T00:00:00Z" "$T/err"
check "and is gone from the zone" sh -c "! grep -q 198.51.100 '$T/z/zone'"

# --- bad input: file:line: reason, exit 100, old outputs untouched
$RZ -n $NOW -z bl.test "$T/list" "$T/z/zone" "$T/d/data" 2>/dev/null
cp "$T/z/zone" "$T/zone.before"; cp "$T/d/data" "$T/data.before"
ino=$(stat -c %i "$T/z/zone")
bad() { # what, line, reason
  printf '192.0.2.1\n%s\n' "$2" > "$T/bad"
  $RZ -n $NOW -z bl.test "$T/bad" "$T/z/zone" "$T/d/data" 2>"$T/err"
  rc=$?
  if [ $rc = 100 ] && grep -qF "$T/bad:2: $3" "$T/err" && cmp -s "$T/z/zone" "$T/zone.before" && cmp -s "$T/d/data" "$T/data.before" \
     && [ ! -e "$T/z/zone.tmp" ]; then ok "bad line ($1): exit 100, file:line: reason, outputs untouched"
  else not_ok "bad line ($1)" "rc=$rc $(cat "$T/err")"; fi
}
bad "garbage" "not-an-ip reason" "not an IP address"
bad "host bits" "192.0.2.7/24" "host bits set beyond the prefix length"
bad "reversed range" "192.0.2.9-3" "range end below its start"
bad "mixed range" "192.0.2.1-2001:db8::1" "range mixes IPv4 and IPv6"
bad "bad date" "192.0.2.1 expires=2026-02-30 x" "bad expiry time"
bad "bad time" "192.0.2.1 expires=2026-12-01T25:00:00Z" "bad expiry time"
bad "prefix length" "2001:db8::/129" "bad prefix length"
bad "control byte" "$(printf '192.0.2.1 a\001b')" "control or non-ASCII byte"
bad "non-ASCII" "$(printf '192.0.2.1 caf\303\251')" "control or non-ASCII byte"
bad "long reason" "192.0.2.1 $(head -c 201 /dev/zero | tr '\0' x)" "reason too long"
bad "long line" "192.0.2.1 $(head -c 1200 /dev/zero | tr '\0' x)" "line too long"
check_eq "old zone kept its inode (never rewritten)" "$(stat -c %i "$T/z/zone")" "$ino"

printf '1.2.3.4\nx\n5.6.7.8\ny\n' > "$T/bad2"
$RZ "$T/bad2" "$T/z/zone" 2>"$T/err"
check "every bad line is reported" sh -c "grep -q 'bad2:2: ' '$T/err' && grep -q 'bad2:4: ' '$T/err'"

# --- good rewrite is atomic: a new inode replaces the old one
$RZ -n $NOW -z bl.test "$T/list" "$T/z/zone" "$T/d/data" 2>/dev/null
check "a rewrite renames a new file into place" test "$(stat -c %i "$T/z/zone")" != "$ino"

# --- usage and I/O errors
$RZ "$T/list" 2>/dev/null; check_eq "missing zone file argument: exit 100" $? 100
$RZ "$T/list" "$T/z/zone" "$T/d/data" 2>"$T/err"; check_eq "tinydns output without -z: exit 100" $? 100
$RZ -z 'bad..zone' "$T/list" "$T/z/zone" "$T/d/data" 2>/dev/null; check_eq "bad -z: exit 100" $? 100
$RZ -t -1 "$T/list" "$T/z/zone" 2>/dev/null; check_eq "bad -t: exit 100" $? 100
$RZ -a 2001:db8::1 "$T/list" "$T/z/zone" 2>/dev/null; check_eq "IPv6 -a: exit 100" $? 100
$RZ "$T/nonexistent" "$T/z/zone" 2>"$T/err"; check_eq "unreadable list: exit 111" $? 111
check "with a fatal message" grep -q '^rblzone: fatal: unable to read list: ' "$T/err"
$RZ "$T/list" "$T/nodir/zone" 2>/dev/null; check_eq "unwritable output: exit 111" $? 111
: > "$T/empty"
$RZ "$T/empty" "$T/z/empty.zone" 2>/dev/null
check "empty list gives a loadable empty zone" grep -qx '$DATASET ip6trie @' "$T/z/empty.zone"

# --- the same prefix twice: the first entry wins, the later one is reported
printf '192.0.2.7 first\n192.0.2.0-15 net\n192.0.2.7 second\n192.0.2.0/28 again\n' > "$T/dup"
$RZ -z bl.test "$T/dup" "$T/z/dup.zone" "$T/d/dup.data" 2>"$T/err"
check_eq "duplicates: exit 0" $? 0
check "duplicate reported with file:line" sh -c "grep -q 'dup:3: listed earlier, this line.s text not used: 192.0.2.7$' '$T/err' && grep -q 'dup:4: listed earlier.*192.0.2.0/28$' '$T/err'"
check_eq "one zone line per prefix" "$(grep -c '^192.0.2.' "$T/z/dup.zone")" 2
check_eq "one TXT per name for tinydns" "$(grep -c "^'7.2.0.192.bl.test:" "$T/d/dup.data")" 1
printf '192.0.2.0/28 net first in the file\n192.0.2.7 host\n' > "$T/overlap"
$RZ -z bl.test "$T/overlap" "$T/z/o.zone" "$T/d/o.data" 2>/dev/null
mkdir -p "$T/o"; { echo '.bl.test:127.0.0.53:a:300'; cat "$T/d/o.data"; } > "$T/o/data"
( cd "$T/o" && tinydns-data )
check_eq "overlap in tinydns: the longest prefix answers, whatever the order" \
  "$($DNSQ tinydns:"$T/o" bl.test 192.0.2.7 192.0.2.8)" '192.0.2.7 A=127.0.0.2 TXT="host" TTL=300
192.0.2.8 A=127.0.0.2 TXT="net first in the file" TTL=300'

# --- texts with rbldnsd's syntax in them ('=' first, '$', '$$'): rblzone
# replaces each '$' itself and escapes what rbldnsd would read, so rbldnsd and
# a real tinydns (the server, on loopback) serve the same text
long=$(head -c 190 /dev/zero | tr '\0' L)
cat > "$T/special" <<L
192.0.2.1 =
192.0.2.2 =starts with equals
192.0.2.3 ==two
192.0.2.4 fee 100\$\$ for \$
192.0.2.5 \$1 and \$= and \$\$\$ end\$
198.51.100.0/24 net \$ here
192.0.2.6 :colon: \\back\\slash "q" a#b ;semi
192.0.2.8 =\$
192.0.2.9 \$\$
192.0.2.10 $long \$
2001:db8::/32 v6 \$ net
2001:db8:1::5 v6 host \$
L
$RZ -n $NOW -z bl.test "$T/special" "$T/z/special.zone" "$T/d/special.data" 2>"$T/err"
check_eq "special texts: exit 0" "$?" 0
check "zone: a leading '=' doubled, each literal '\$' doubled, '\$' replaced" sh -c "grep -qx '192.0.2.1 :127.0.0.2:==' '$T/z/special.zone' && grep -qxF '192.0.2.4 :127.0.0.2:fee 100\$\$ for 192.0.2.4' '$T/z/special.zone'"
mkdir -p "$T/s/root"; chmod 755 "$T/s" "$T/s/root"
{ echo '.bl.test:127.0.0.54:a:300'; cat "$T/d/special.data"; } > "$T/s/root/data"
( cd "$T/s/root" && tinydns-data ) 2>"$T/tdd.err"
check "tinydns-data accepts the special texts" test -s "$T/s/root/data.cdb"
rbldnsd -n -u rbldns -w "$T/z" -b 127.0.0.55/53 -p "$T/z/pid2" bl.test:combined:special.zone >"$T/rbldnsd2.log" 2>&1 &
at_exit "kill $! 2>/dev/null"
if command -v tinydns >/dev/null; then
  env ROOT="$T/s/root" IP=127.0.0.54 UID="$(id -u nobody)" GID="$(id -g nobody)" tinydns >"$T/tinydns.log" 2>&1 &
  at_exit "kill $! 2>/dev/null"
  wait_udp_bound 127.0.0.54 53 || not_ok "tinydns started" "$(cat "$T/tinydns.log")"
  tserver=127.0.0.54
else
  tserver=tinydns:$T/s/root
fi
wait_udp_bound 127.0.0.55 53 || not_ok "rbldnsd started (special)" "$(cat "$T/rbldnsd2.log")"
sp="192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4 192.0.2.5 198.51.100.9 192.0.2.6 192.0.2.8 192.0.2.9 192.0.2.10 2001:db8:ff::1 2001:db8:1::5 192.0.2.11"
# shellcheck disable=SC2086
$DNSQ 127.0.0.55 bl.test $sp > "$T/rs.out" 2>&1
# shellcheck disable=SC2086
$DNSQ "$tserver" bl.test $sp > "$T/ts.out" 2>&1
cat > "$T/want" <<W
192.0.2.1 A=127.0.0.2 TXT="=" TTL=300
192.0.2.2 A=127.0.0.2 TXT="=starts with equals" TTL=300
192.0.2.3 A=127.0.0.2 TXT="==two" TTL=300
192.0.2.4 A=127.0.0.2 TXT="fee 100\$ for 192.0.2.4" TTL=300
192.0.2.5 A=127.0.0.2 TXT="192.0.2.51 and 192.0.2.5= and \$192.0.2.5 end192.0.2.5" TTL=300
198.51.100.9 A=127.0.0.2 TXT="net 198.51.100.0/24 here" TTL=300
192.0.2.6 A=127.0.0.2 TXT=":colon: \\back\\slash "q" a#b ;semi" TTL=300
192.0.2.8 A=127.0.0.2 TXT="=192.0.2.8" TTL=300
192.0.2.9 A=127.0.0.2 TXT="\$" TTL=300
192.0.2.10 A=127.0.0.2 TXT="$long 192.0.2.10" TTL=300
2001:db8:ff::1 A=127.0.0.2 TXT="v6 2001:db8::/32 net" TTL=300
2001:db8:1::5 A=127.0.0.2 TXT="v6 host 2001:db8:1::5" TTL=300
192.0.2.11 NXDOMAIN
W
check_file_eq "rbldnsd serves each special text as written ('=' kept, '\$' the listed address, '\$\$' one '\$')" "$T/rs.out" "$T/want"
check_file_eq "tinydns ($tserver) serves the same texts" "$T/ts.out" "$T/want"
check_eq "-m text follows the same rule" "$(printf '192.0.2.1\n' > "$T/m1"; $RZ -m '=blocked $ $$' "$T/m1" "$T/z/m.zone" 2>/dev/null; grep '^192' "$T/z/m.zone")" '192.0.2.1 :127.0.0.2:==blocked 192.0.2.1 $$'
A6=2001:db8:1111:2222:3333:4444:5555:6666     # 38 bytes: 176 + 2 x (1 + 38) = 254
bad "text over 254 bytes once \$ is replaced" "$A6 $(head -c 177 /dev/zero | tr '\0' x) \$ \$" "text too long once each \$ is replaced (254 bytes at most): $A6"
printf '%s %s $ $\n' $A6 "$(head -c 176 /dev/zero | tr '\0' x)" > "$T/edge"
$RZ -n $NOW "$T/edge" "$T/z/edge.zone" 2>/dev/null
check_eq "254 bytes exactly is served" "$?" 0
check_eq "254 bytes exactly: the whole text in the zone" "$(grep -c "^$A6 :127.0.0.2:x\{176\} $A6 $A6\$" "$T/z/edge.zone")" 1
