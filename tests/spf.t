#!/bin/bash
# SPF (RFC 7208): the RFC 7208 test suite Debian's python3-spf ships, through
# the evaluator alone (spfquery -z) and end to end over DNS (spfquery ->
# tests/spfdnsd.py on loopback); a differential test against pyspf on
# generated records; spfquery's own behaviour (timeouts are temperror, the
# questions go out in parallel, bad input).
. "$(dirname "$0")/lib.sh"
Q=$BIN/spfquery
SUITE=/usr/share/doc/python3-spf/rfc7208-tests.yml.gz
export SPFQUERY=$Q T

# suite SUITE-MODE NAME: runs tests/spfsuite.py, one check for the whole run
suite() {
  local out rc
  out=$($PY "$TOP/tests/spfsuite.py" "$1" "$SUITE" 2>&1); rc=$?
  local fig; fig=$(printf '%s\n' "$out" | sed -n 's/^# \([0-9]*\/[0-9]*\) passed.*/\1/p')
  echo "# RFC 7208 suite, $2: $fig passed"
  if [ $rc -eq 0 ] && [ -n "$fig" ]; then ok "RFC 7208 suite, $2: $fig"
  else not_ok "RFC 7208 suite, $2: ${fig:-no figure}" "$(printf '%s\n' "$out" | grep -A3 '^not ok' | head -40)"; fi
}

if [ ! -r "$SUITE" ] || ! $PY -c 'import yaml, spf' 2>/dev/null; then
  skip "RFC 7208 suite" "python3-spf or python3-yaml missing"
else
  suite zone "evaluator (spfquery -z)"
fi

# a DNS server answering from a zone file, as a recursive cache would
: > "$T/zone.live"
$PY "$TOP/tests/spfdnsd.py" 127.0.0.53 "$T/zone.live" - "$T/qlog" 2>"$T/dnsd.log" &
at_exit "kill $! 2>/dev/null"
wait_udp_bound 127.0.0.53 53 || not_ok "spfdnsd started" "$(cat "$T/dnsd.log")"
export DNSCACHEIP=127.0.0.53
[ -r "$SUITE" ] && $PY -c 'import yaml, spf' 2>/dev/null && suite dns=127.0.0.53 "over DNS (spfquery -> spfdnsd.py)"

if $PY -c 'import spf' 2>/dev/null; then
  out=$($PY "$TOP/tests/spfdiff.py" "${SPF_DIFF_CASES:-1500}" 7208 2>&1)
  printf '%s\n' "$out" | grep '^# '
  case $out in *"0 disagree"*) ok "differential against pyspf: $(printf '%s\n' "$out" | sed -n 's/^# \(.* agree with pyspf.*\)/\1/p')";;
    *) not_ok "differential against pyspf" "$(printf '%s\n' "$out" | grep -A8 '^not ok' | head -60)";; esac
else
  skip "differential against pyspf" "python3-spf missing"
fi

# spfquery over DNS: set the zone, run, look at the first line
zone() { cat > "$T/zone.new"; mv "$T/zone.new" "$T/zone.live"; sleep 0.05; }
sq() { out=$("$Q" "$@" 2>"$T/err"); rc=$?; first=${out%%$'\n'*}; second=${out#*$'\n'}; }

zone <<'Z'
example.com TXT "v=spf1 a:a.example.com mx:m.example.com include:i.example.com -all"
a.example.com A 192.0.2.1
m.example.com MX 10 mx.example.com
mx.example.com A 192.0.2.2
i.example.com TXT "v=spf1 ip4:192.0.2.3 ?all"
slow.example.com TXT TIMEOUT
slowa.example.com TXT "v=spf1 a:t.example.com -all"
t.example.com TIMEOUT
big.example.com TXT "v=spf1 ip4:192.0.2.9 ~all"
big.example.com TXT "pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad pad"
exp.example.com TXT "v=spf1 -all exp=why.example.com"
why.example.com TXT "%{i} may not send for %{d}"
Z
: > "$T/qlog"
sq 192.0.2.3 user@example.com helo.example.com
check_eq "pass through include" "$first" "pass"
case $second in *"lookups=3 "*) ok "three DNS terms counted";; *) not_ok "lookups" "$second";; esac
check_eq "questions: the record, then a, mx and include together, then the exchange" \
  "$(sort "$T/qlog" | tr '\n' ' ')" "a.example.com A example.com TXT i.example.com TXT m.example.com MX mx.example.com A "
case $second in *"queries=5 "*) ok "five questions, none twice";; *) not_ok "queries" "$second";; esac
sq 192.0.2.2 user@example.com helo.example.com
check_eq "mx" "$first" "pass"
sq 192.0.2.99 user@example.com helo.example.com
check_eq "no match: fail" "$first" "fail"
sq 2001:db8::99 user@example.com helo.example.com
check_eq "IPv6 client: fail" "$first" "fail"
sq ::ffff:192.0.2.1 user@example.com helo.example.com
check_eq "::ffff:192.0.2.1 is the IPv4 client" "$first" "pass"
: > "$T/qlog"
sq 192.0.2.9 user@big.example.com helo.example.com
check_eq "answer over 512 bytes: truncated, retried over TCP" "$first" "pass"
check_eq "  ... asked twice (UDP, then TCP)" "$(grep -c '^big.example.com TXT' "$T/qlog")" "2"
sq -n 1 192.0.2.99 bob@exp.example.com h
case $second in *'explanation="192.0.2.99 may not send for exp.example.com"'*) ok "explanation";; *) not_ok "explanation" "$second";; esac
start=$SECONDS
sq -t 1 192.0.2.1 user@slow.example.com h
check_eq "TXT never answered: temperror at the deadline" "$first" "temperror"
check "  ... after about the deadline" [ $((SECONDS - start)) -le 4 ]
# a server that answers only the first query, after 3.5 s: libowfat has
# retransmitted at 3 s and closed that socket; the answer is heard on it
SPFDNSD_DELAY=3.5 SPFDNSD_FIRST_ONLY=1 $PY "$TOP/tests/spfdnsd.py" 127.0.0.55 "$T/zone.live" 2>"$T/dnsd-late.log" &
at_exit "kill $! 2>/dev/null"
wait_udp_bound 127.0.0.55 53 || not_ok "the late spfdnsd started" "$(cat "$T/dnsd-late.log")"
start=$SECONDS
DNSCACHEIP=127.0.0.55 sq -t 8 192.0.2.3 user@i.example.com h
check_eq "the record comes 3.5 s late, retransmissions are never answered: heard on the first socket" "$first" "pass"
check "  ... in about 3.5 s, not at the 8 s deadline ($((SECONDS - start)) s)" [ $((SECONDS - start)) -le 6 ]
sq -t 1 192.0.2.1 user@slowa.example.com h
check_eq "A never answered: temperror, never fail" "$first" "temperror"
case $second in *'problem="'?*'"'*) ok "  ... with a reason";; *) not_ok "reason" "$second";; esac
DNSCACHEIP=127.0.0.99 sq -t 1 192.0.2.1 user@example.com h
check_eq "no DNS server: temperror" "$first" "temperror"
sq 192.0.2.1 user@nosuch.example.com h
check_eq "no record: none" "$first" "none"
sq 192.0.2.99 '' example.com
check_eq "null sender: HELO identity" "$first" "fail"
case $second in *"domain=example.com "*) ok "  ... domain is HELO's";; *) not_ok "helo domain" "$second";; esac
check_eq "exit 0 on a result" "$rc" "0"

sq nonsense user@example.com
check_eq "bad address: exit 100" "$rc" "100"
sq 192.0.2.1
check_eq "usage: exit 100" "$rc" "100"
sq -t x 192.0.2.1 a@b.example
check_eq "bad -t: exit 100" "$rc" "100"
sq -z "$T/nonexistent" 192.0.2.1 a@b.example
check_eq "unreadable zone: exit 111" "$rc" "111"
printf 'x.example.com BOGUS 1\n' > "$T/badzone"
sq -z "$T/badzone" 192.0.2.1 a@b.example
check_eq "bad zone line: exit 100" "$rc" "100"
case $(cat "$T/err") in *"bad zone file line 1"*) ok "  ... names the line";; *) not_ok "zone line" "$(cat "$T/err")";; esac

# 40 exchanges asked in one round: more than the 32 questions in flight, the rest queued
{
  echo 'wide.example.com TXT "v=spf1 mx:a.w.example mx:b.w.example mx:c.w.example mx:d.w.example -all"'
  for m in a b c d; do for i in 0 1 2 3 4 5 6 7 8 9; do
    echo "$m.w.example MX $i mx$i.$m.w.example"; echo "mx$i.$m.w.example A 10.$i.0.$(printf '%d' "'$m")"
  done; done
} | zone
: > "$T/qlog"
sq 10.9.0.100 a@wide.example.com h
check_eq "40 exchanges, 32 in flight: the last one matches" "$first" "pass"
check_eq "  ... every exchange asked once" "$(grep -c '^mx.\..\.w\.example A' "$T/qlog")" "40"
sq 10.9.0.101 a@wide.example.com h
check_eq "  ... and none matches: fail" "$first" "fail"

# RHSBL: the sender's domain against -d lists (rcptfilter -d; spfquery -d shows it)
zone <<'Z'
bad.example.dbl.test A 127.0.1.2
bad.example.dbl.test TXT "bad.example is listed"
refused.example.dbl.test A 127.255.255.254
refused.example.dbl.test TXT "query refused"
slow.example.dbl.test TIMEOUT
bad.example.cl.test A 127.0.1.2
Z
rh() { sq "$@"; third=$(printf '%s\n' "$out" | sed -n 3p); }
rh -d dbl.test 192.0.2.1 a@bad.example h
check_eq "RHSBL: listed, with the list's text" "$third" 'rhsbl=listed list=dbl.test text="bad.example is listed" dbl.test=listed'
start=$SECONDS
DNSCACHEIP=127.0.0.55 rh -t 8 -d dbl.test 192.0.2.1 a@bad.example h
check_eq "RHSBL: A and TXT 3.5 s late, retransmissions never answered: heard on the first sockets" "$third" 'rhsbl=listed list=dbl.test text="bad.example is listed" dbl.test=listed'
check "  ... in about 3.5 s, not at the 8 s deadline ($((SECONDS - start)) s)" [ $((SECONDS - start)) -le 6 ]
rh -d dbl.test 192.0.2.1 a@BAD.example. h
check_eq "RHSBL: case and root dot" "$third" 'rhsbl=listed list=dbl.test text="bad.example is listed" dbl.test=listed'
rh -d dbl.test 192.0.2.1 a@good.example h
check_eq "RHSBL: not listed" "$third" 'rhsbl=pass dbl.test=clean'
rh -d cl.test=127.0.1.3-9 192.0.2.1 a@bad.example h
check_eq "RHSBL: codes filter the answer" "$third" 'rhsbl=pass cl.test=clean'
rh -d cl.test=127.0.1.2 192.0.2.1 a@bad.example h
check_eq "RHSBL: code listed, no TXT: the list's name" "$third" 'rhsbl=listed list=cl.test text="listed in cl.test" cl.test=listed'
rh -d dbl.test 192.0.2.1 a@refused.example h
check_eq "RHSBL: 127.255.255.x is an error, not a listing" "$third" 'rhsbl=pass dbl.test=failed/blocked'
rh -t 1 -d dbl.test 192.0.2.1 a@slow.example h
check_eq "RHSBL: timeout is a failed lookup, not a listing" "$third" 'rhsbl=pass dbl.test=failed/timeout'
rh -d dbl.test -d cl.test=127.0.1.2 192.0.2.1 a@bad.example h
check_eq "RHSBL: two lists, the first decides (at once: the second may still be pending)" "${third% cl.test=*}" 'rhsbl=listed list=dbl.test text="bad.example is listed" dbl.test=listed'
rh -d dbl.test 192.0.2.1 '' h
check_eq "RHSBL: null sender: no domain to look up" "$third" 'rhsbl=pass dbl.test=failed/badname'
rh -d 'dbl..test' 192.0.2.1 a@bad.example h
check_eq "RHSBL: bad list: usage" "$rc" "100"
rh -z "$T/badzone" -d dbl.test 192.0.2.1 a@bad.example h
check_eq "RHSBL: not with -z" "$rc" "100"

# hostile answers (tests/dnsd.py): never a fail, never a crash
cat > "$T/hostile" <<'Z'
garbage.example TXT GARBAGE
wrongid.example TXT WRONGID TXT "v=spf1 -all"
short.example TXT SHORT TXT "v=spf1 -all"
loop.example TXT LOOP
tc.example TXT tc "v=spf1 ip4:192.0.2.1 -all"
servfail.example TXT SERVFAIL
refused.example TXT REFUSED
drop.example TXT DROP
Z
$PY "$TOP/tests/dnsd.py" 127.0.0.54 "$T/hostile" 2>"$T/dnsd2.log" &
at_exit "kill $! 2>/dev/null"
wait_udp_bound 127.0.0.54 53 || not_ok "dnsd started" "$(cat "$T/dnsd2.log")"
for d in garbage wrongid short servfail refused drop; do
  DNSCACHEIP=127.0.0.54 sq -t 1 192.0.2.9 "a@$d.example" h
  check_eq "hostile DNS ($d): temperror" "$first" "temperror"
done
DNSCACHEIP=127.0.0.54 sq -t 1 192.0.2.9 a@loop.example h
case $first in temperror|none) ok "hostile DNS (loop): $first";; *) not_ok "hostile DNS (loop)" "$out";; esac
DNSCACHEIP=127.0.0.54 sq -t 2 192.0.2.1 a@tc.example h
check_eq "truncated UDP answer: TCP gives the record" "$first" "pass"
