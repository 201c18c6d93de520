#!/bin/bash
# Differential suite: rblsmtpd2 against ucspi-tcp's /usr/bin/rblsmtpd, same DNS
# servers on loopback (rbldnsd for plain lists, tests/dnsd.py for the odd
# answers), same environment, options and client bytes. Compared: stdout
# bytes, exit status, and what was exec'd (argv and RBLSMTPD).
. "$(dirname "$0")/lib.sh"
REF=/usr/bin/rblsmtpd
[ -x $REF ] || { skip "no /usr/bin/rblsmtpd"; exit 0; }

# --- DNS: rbldnsd on 127.0.0.53 (bl.test, bl2.test, al.test), dnsd.py on 127.0.0.54 (sp.test)
mkdir -p "$T/z"
printf ':127.0.0.2:listed: see http://bl.test/$\n127.0.0.2\n:127.0.0.4:other reason for $\n127.0.0.4\n127.0.0.6\n' > "$T/z/bl"
printf ':127.0.0.3:second list\n127.0.0.3\n127.0.0.4\n' > "$T/z/bl2"
printf ':127.0.0.2:allowed\n127.0.0.4\n127.0.0.5\n' > "$T/z/al"
chmod -R a+rX "$T"
rbldnsd -n -u rbldns -w "$T/z" -b 127.0.0.53/53 -p "$T/z/pid" \
  bl.test:ip4set:bl bl2.test:ip4set:bl2 al.test:ip4set:al 2>"$T/rbldnsd.log" &
at_exit "kill $! 2>/dev/null"
long=$(printf 'x%.0s' $(seq 1 300))
cat > "$T/sp.zone" <<Z
2.0.0.127.sp.test TXT "part one " "part two" | "record two"
3.0.0.127.sp.test TXT "$long"
4.0.0.127.sp.test TXT "ctl\\x01\\x7f\\xe9\\xff tab\\there"
5.0.0.127.sp.test * SERVFAIL
6.0.0.127.sp.test TXT tc "came over tcp"
7.0.0.127.sp.test TXT ""
8.0.0.127.sp.test * EMPTY
9.0.0.127.sp.test TXT "evil\\r\\n250 ok"
10.0.0.127.sp.test * REFUSED
11.0.0.127.sp.test TXT SHORT "cut short"
12.0.0.127.sp.test TXT "a" "" "b"
Z
$PY "$TOP/tests/dnsd.py" 127.0.0.54 "$T/sp.zone" 2>"$T/dnsd.log" &
at_exit "kill $! 2>/dev/null"
wait_udp_bound 127.0.0.53 53 || not_ok "rbldnsd started" "$(cat "$T/rbldnsd.log")"
wait_udp_bound 127.0.0.54 53 || not_ok "dnsd.py started" "$(cat "$T/dnsd.log")"

# --- the exec'd program records its argv and RBLSMTPD, and answers one line
cat > "$T/rec" <<'R'
#!/bin/sh
{ printf 'argv:'; printf ' [%s]' "$@"; printf '\nRBLSMTPD=%s\n' "${RBLSMTPD-(unset)}"; } > "$RECFILE"
printf '220 backend %s\r\n' "$*"
R
chmod +x "$T/rec"

# --- client inputs
mkdir -p "$T/in"
printf 'HELO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nQUIT\r\n' > "$T/in/std"
printf 'helo x\r\nmail from:<a@b>\r\nrcpt to:<c@d>\r\nrset\r\nnoop\r\nquit\r\n' > "$T/in/lower"
printf 'HELO x\nMAIL FROM:<a@b>\nRCPT TO:<c@d>\nQUIT\n' > "$T/in/barelf"
printf 'EHLO x\r\nRCPT TO:<c@d>\r\nQUIT' > "$T/in/nofinal"
printf 'FOO\r\nVRFY x\r\nEXPN y\r\n\r\nNOOP\r\nRSET\r\nEHLO y\r\n QUIT\r\nQUIT now\r\n' > "$T/in/unknown"
printf 'QUIT\r\r\nQUI\r\nquit\tx\r\nHELO\0x\r\n\0QUIT\r\nH\303LO\r\nHELO\000\r\nHELO \000\r\nQUIT\000\r\nQuIt\r\n' > "$T/in/weird"
{ printf 'HELO '; head -c 5000 /dev/zero | tr '\0' a; printf '\r\nMAIL%s\r\nQUIT\r\n' "$(head -c 3000 /dev/zero | tr '\0' b)"; } > "$T/in/long"
: > "$T/in/empty"
printf 'MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nRCPT TO:<e@f>\r\nDATA\r\nSubject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n' > "$T/in/pipelined"
printf 'helo x\r\nmail from:<a@b>\r' > "$T/in/crend"

# --- cases: name|ip|RBLSMTPD (or '-' for unset)|input|options...
cases=$(cat <<'C'
plain-listed|127.0.0.2|-|std|-r bl.test
plain-listed-lower|127.0.0.2|-|lower|-r bl.test
plain-listed-barelf|127.0.0.2|-|barelf|-r bl.test
plain-listed-nofinal|127.0.0.2|-|nofinal|-r bl.test
plain-listed-unknown|127.0.0.2|-|unknown|-r bl.test
plain-listed-weird|127.0.0.2|-|weird|-r bl.test
plain-listed-long|127.0.0.2|-|long|-r bl.test
plain-listed-empty|127.0.0.2|-|empty|-r bl.test
plain-listed-pipelined|127.0.0.2|-|pipelined|-r bl.test
plain-listed-crend|127.0.0.2|-|crend|-r bl.test
plain-clean|127.0.0.9|-|std|-r bl.test
plain-listed-other|127.0.0.4|-|std|-r bl.test
listed-no-txt|127.0.0.6|-|std|-r bl.test
second-list|127.0.0.3|-|std|-r bl.test -r bl2.test
first-of-two|127.0.0.4|-|std|-r bl2.test -r bl.test
two-clean|127.0.0.9|-|std|-r bl.test -r bl2.test
bounce|127.0.0.2|-|std|-b -r bl.test
bounce-after|127.0.0.2|-|std|-r bl.test -b
bounce-then-B|127.0.0.2|-|std|-b -B -r bl.test
bounce-second|127.0.0.3|-|std|-r bl.test -b -r bl2.test
bounce-first-only|127.0.0.3|-|std|-b -r bl.test -B -r bl2.test
bounce-grouped|127.0.0.2|-|std|-bc -r bl.test
bounce-attached|127.0.0.2|-|std|-b -rbl.test
allow-before|127.0.0.4|-|std|-a al.test -r bl.test
allow-after|127.0.0.4|-|std|-r bl.test -a al.test
allow-miss|127.0.0.2|-|std|-a al.test -r bl.test
allow-only|127.0.0.5|-|std|-a al.test
allow-between|127.0.0.4|-|std|-r bl2.test -a al.test -r bl.test
allow-first-clean|127.0.0.5|-|std|-a al.test -r bl.test -r bl2.test
t0-listed|127.0.0.2|-|std|-t 0 -r bl.test
t0-bounce|127.0.0.2|-|std|-t0 -b -r bl.test
t5-listed|127.0.0.2|-|lower|-t 5 -r bl.test
env-empty|127.0.0.2|=|std|-r bl.test
env-text|127.0.0.9|=go away|std|-r bl.test
env-perm|127.0.0.9|=-go away for good|std|-r bl.test
env-dash|127.0.0.9|=-|std|-r bl.test
env-ctl|127.0.0.9|=bad	text|std|-r bl.test
env-long|127.0.0.9|=LONG|std|-r bl.test
env-text-t0|127.0.0.9|=stop|std|-t 0 -r bl.test
env-text-nolist|127.0.0.9|=stop|std|-a al.test
env-perm-allow|127.0.0.5|=-stop|std|-a al.test -r bl.test
env-empty-listed-b|127.0.0.2|=|std|-b -r bl.test
env-text-bounce|127.0.0.9|=nope|std|-b -r bl.test
no-lists|127.0.0.2|-|std|-b
only-options|127.0.0.2|-|std|-c -C -B
multistring|127.0.0.2|-|std|-r sp.test
multistring-lower|127.0.0.2|-|lower|-r sp.test
txt-300|127.0.0.3|-|std|-r sp.test
txt-300-bounce|127.0.0.3|-|std|-b -r sp.test
txt-ctl-8bit|127.0.0.4|-|std|-r sp.test
servfail-open|127.0.0.5|-|std|-r sp.test
servfail-closed|127.0.0.5|-|std|-c -r sp.test
servfail-closed-after|127.0.0.5|-|std|-r sp.test -c
servfail-then-listed-b|127.0.0.5|-|std|-b -r sp.test -r bl.test
servfail-then-listed|127.0.0.5|-|std|-r sp.test -r bl.test
servfail-allow-open|127.0.0.5|-|std|-a sp.test -r bl.test
servfail-allow-closed|127.0.0.5|-|std|-c -a sp.test -r bl.test
tcp-fallback|127.0.0.6|-|std|-r sp.test
empty-string|127.0.0.7|-|std|-r sp.test
empty-answer|127.0.0.8|-|std|-r sp.test
crlf-injection|127.0.0.9|-|std|-r sp.test
refused-open|127.0.0.10|-|std|-r sp.test
refused-closed|127.0.0.10|-|std|-c -r sp.test
short-answer|127.0.0.11|-|std|-r sp.test
short-answer-closed|127.0.0.11|-|std|-c -r sp.test
empty-middle-string|127.0.0.12|-|std|-r sp.test
mixed-lists|127.0.0.2|-|std|-r sp.test -r bl.test
mixed-bounce|127.0.0.4|-|unknown|-b -r bl2.test -r sp.test
dash-dash|127.0.0.2|-|std|-r bl.test --
C
)

run_case() { # prog tag name ip env input opts...
  local prog=$1 tag=$2 name=$3 ip=$4 envv=$5 input=$6; shift 6
  local -a e=(env -i PATH=/usr/bin:/bin DNSCACHEIP=127.0.0.53 TCPREMOTEIP="$ip" RECFILE="$T/out/$name.$tag.rec")
  case $name in *sp*|multistring*|txt-*|servfail*|tcp-*|empty-*|crlf*|refused*|short*|mixed*) e[2]=DNSCACHEIP=127.0.0.54 ;; esac
  case $name in mixed*|servfail-then*|servfail-allow*) e[2]=DNSCACHEIP=127.0.0.54 ;; esac
  case $envv in
    -) ;;
    =LONG) e+=(RBLSMTPD="$(printf 'y%.0s' $(seq 1 250))") ;;
    =*) e+=(RBLSMTPD="${envv#=}") ;;
  esac
  "${e[@]}" "$prog" "$@" "$T/rec" one two < "$T/in/$input" > "$T/out/$name.$tag.out" 2>"$T/out/$name.$tag.err"
  echo $? > "$T/out/$name.$tag.rc"
}

mkdir -p "$T/out"
# lists mixed with sp.test use dnsd.py alone: it answers for bl.test too
cat >> "$T/sp.zone" <<Z
2.0.0.127.bl.test TXT "listed: see http://bl.test/127.0.0.2"
4.0.0.127.bl.test TXT "other reason for 127.0.0.4"
4.0.0.127.bl2.test TXT "second list"
2.0.0.127.al.test A 127.0.0.2
5.0.0.127.bl.test * NXDOMAIN
Z
ncases=0 pids=
while IFS='|' read -r name ip envv input opts; do
  [ -n "$name" ] || continue
  ncases=$((ncases + 1))
  # shellcheck disable=SC2086
  run_case $REF ref "$name" "$ip" "$envv" "$input" $opts & pids="$pids $!"
  # shellcheck disable=SC2086
  run_case "$BIN/rblsmtpd2" new "$name" "$ip" "$envv" "$input" $opts & pids="$pids $!"
done <<< "$cases"
# shellcheck disable=SC2086
wait $pids

while IFS='|' read -r name ip envv input opts; do
  [ -n "$name" ] || continue
  o="$T/out/$name"
  if cmp -s "$o.ref.out" "$o.new.out" && cmp -s "$o.ref.rc" "$o.new.rc" &&
     { [ ! -e "$o.ref.rec" ] && [ ! -e "$o.new.rec" ] || cmp -s "$o.ref.rec" "$o.new.rec"; }; then
    ok "same as rblsmtpd: $name ($opts)"
  else
    not_ok "same as rblsmtpd: $name ($opts)" "$(echo "rc ref=$(cat "$o.ref.rc") new=$(cat "$o.new.rc")"
      diff <(od -c "$o.ref.out") <(od -c "$o.new.out") | head -10
      diff "$o.ref.rec" "$o.new.rec" 2>&1 | head -5; cat "$o.new.err" | head -3)"
  fi
done <<< "$cases"
check "at least 60 differential cases ($ncases)" [ "$ncases" -ge 60 ]
