#!/bin/bash
# rcptfilter terminating TLS, with real parts: tcpserver on loopback ->
# rcptfilter -c ... -> tests/smtpstub.py (records every byte and its
# environment) or exim4 -bs (stores byte for byte). Clients: Python's ssl
# (tests/tlsclient.py), swaks --tls, openssl s_client -starttls smtp, and
# exim4 as a real MTA that requires TLS. Then the hostile part: injection
# after STARTTLS in one segment, garbage, half and huge ClientHellos, TLS
# bytes before the 220, a trickling handshake, renegotiation.
. "$(dirname "$0")/lib.sh"
command -v tcpserver > /dev/null && command -v openssl > /dev/null || { skip "tls" "needs tcpserver and openssl"; exit 0; }
chmod 755 "$T"
C=$T/certs
sh "$TOP/tests/tlscerts.sh" "$C" || { not_ok "test certificates made"; exit 0; }
printf 'joe@example.com:@bad.example:deny\nalice@example.com::allow\n' | "$BIN/cdbmake-rules" "$T/rules.cdb" "$T/rules.tmp"
TC="$PY $TOP/tests/tlsclient.py"
A=127.0.0.1

# the backend: one directory per rcptfilter (its pid), the environment of each server it starts
cat > "$T/stub" <<EOF
#!/bin/sh
d=$T/sess/\$PPID; mkdir -p "\$d"; env > "\$d/environ.\$\$"
exec $PY $TOP/tests/smtpstub.py "\$d"
EOF
# rcptfilter's exit status goes to the log too: no signal, ever
cat > "$T/rf" <<EOF
#!/bin/sh
"$BIN/rcptfilter" "\$@"; echo "rcptfilter-exit=\$?" >&2
EOF
chmod 755 "$T/stub" "$T/rf"
mkdir -p "$T/sess"
serve() { # port env... -- rcptfilter options... (the backend is the stub unless EXIM=1)
  local port=$1; shift
  local -a envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done; shift
  local be="$T/stub"; [ "${EXIM-}" = 1 ] && be="$TOP/examples/backend/exim-bs $T/ex"
  env "${envs[@]}" tcpserver -q -R -H -l0 $A "$port" "$T/rf" "$@" "$T/rules.cdb" $be 2>> "$T/log.$port" &
  at_exit "kill $! 2>/dev/null"
}
serve 2501 -- -t 5 -c "$C/mx1.pem" -k "$C/mx1.key" -c "$C/mx2.pem" -k "$C/mx2.key"
serve 2503 -- -t 5 -i -c "$C/combined.pem"
serve 2504 -- -t 5
serve 2505 -- -t 5 -c "$C/garbage.pem"
serve 2506 -- -t 5 -c "$T/nonexistent.pem"
serve 2507 -- -t 2 -c "$C/combined.pem"
serve 2508 STUB_DIE=mail -- -t 5 -c "$C/combined.pem"
serve 2509 -- -t 5 -c "$C/mismatch.pem"
serve 2510 RBLSMTPD=-listed -- -t 5 -c "$C/combined.pem"
serve 2511 -- -t 5 -u 2 -m 2 -c "$C/combined.pem"
for p in 2501 2503 2504 2505 2506 2507 2508 2509 2510 2511; do
  wait_for "$PY -c 'import socket; socket.create_connection((\"$A\", $p))'" || not_ok "server on $p"
done
sleep 0.2; : > "$T/log.2501"   # the probes above were sessions too
lastpid() { sed -n "s/.* pid=\([0-9]*\) .*/\1/p" "$T/log.${1:-2501}" | tail -1; }
sess() { echo "$T/sess/$(lastpid "${1:-2501}")"; }
# until every session has ended: the rf shell writes rcptfilter's exit status
# last, so once none is left every log line of every session is in the file
settle() { wait_for "! left_behind '$T/rf' | grep -q '^[0-9]* /bin/sh $T/rf '"; }
# check_grep "what" regex file: ok when a line matches; shows the file's end when not
check_grep() { if grep -q -- "$2" "$3"; then ok "$1"; else not_ok "$1" "pattern: $2
$(tail -8 "$3")"; fi; }   # rcptfilter writes its last log lines after the client has gone

# --- the ordinary STARTTLS session, Python's ssl verifying the certificate
$TC --ca "$C/ca.pem" --sni mx1.test $A 2501 '<' '>EHLO c\r\n' '<' '>STARTTLS\r\n' '<' tls '>EHLO c2\r\n' '<' \
  '>MAIL FROM:<a@bad.example>\r\nRCPT TO:<joe@example.com>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n' '<' '<' '<' '<' \
  '>Subject: inside\r\n\r\n\xe9t\xe9 body\r\n..dot\r\n.\r\n' '<' '>QUIT\r\n' '<' > "$T/o"; rc=$?; settle
D=$(sess)
check_eq "STARTTLS session: client ran every step" "$rc" 0
check_eq "EHLO offers STARTTLS once (the backend's own removed)" "$(sed -n '1,/^220 2.0.0/p' "$T/o" | grep -c '^250.STARTTLS$')" 1
check "220 2.0.0 ready to start TLS" grep -q '^220 2.0.0 ready to start TLS$' "$T/o"
check "TLS 1.3, the certificate verified" grep -q '^TLS TLSv1.3 ' "$T/o"
check_eq "after TLS: EHLO without STARTTLS" "$(sed -n '/^TLS /,$p' "$T/o" | grep -c STARTTLS)" 0
check "inside TLS the deny rule holds" grep -q '^550 5.1.1 sorry, no mailbox here by that name' "$T/o"
check "inside TLS alice passes, DATA accepted" grep -q '^250 message accepted\|^250 ok' "$T/o"
printf 'Subject: inside\r\n\r\n\xe9t\xe9 body\r\n..dot\r\n' > "$T/want1"   # the stub keeps the dot-stuffing
check_file_eq "inside TLS: the body stored byte for byte" "$D/msg.1" "$T/want1"
check "the backend never saw STARTTLS" sh -c "! grep -qi starttls '$D/received'"
check "the backend never saw a TLS byte (a record header)" sh -c "! LC_ALL=C grep -q \"\$(printf '\026\003')\" '$D/received'"
check_eq "two backends: the plaintext one, then a fresh one" "$(ls "$D" | grep -c '^environ\.')" 2
check_eq "the fresh one has SSL_PROTOCOL and SSL_CIPHER" "$(cat "$D"/environ.* | grep -c '^SSL_PROTOCOL=TLSv1.3$'):$(cat "$D"/environ.* | grep -c '^SSL_CIPHER=TLS_')" "1:1"
check "the deny rule judged the sender given inside TLS" grep -q 'action=deny from=<a@bad.example> rcpt=<joe@example.com>' "$T/log.2501"
check_grep "one action=tls line: version, cipher, sni" "pid=$(lastpid) action=tls version=TLSv1.3 cipher=TLS_[A-Z0-9_]* sni=mx1.test$" "$T/log.2501"
check_eq "rcptfilter exit 0" "$(tail -1 "$T/log.2501")" "rcptfilter-exit=0"
check "a plaintext session pays nothing: no tlsfail when certificates are readable" sh -c "! grep -q tlsfail '$T/log.2501'"

# --- SNI: the second certificate by name, verified by the client
$TC --ca "$C/ca.pem" --sni mx2.test $A 2501 '<' '>EHLO c\r\n' '<' '>STARTTLS\r\n' '<' tls '>QUIT\r\n' '<' > "$T/o"; rc=$?; settle
check_eq "SNI mx2.test: the second certificate verifies" "$rc:$(grep -c '^TLS TLSv1.3' "$T/o")" "0:1"
check "SNI logged" grep -q "action=tls .* sni=mx2.test$" "$T/log.2501"
$TC --ca "$C/ca.pem" --sni localhost $A 2501 '<' '>EHLO c\r\n' '<' '>STARTTLS\r\n' '<' tls '>QUIT\r\n' '<' > "$T/o"; rc=$?
check_eq "SNI localhost: the default certificate (mx1) verifies" "$rc" 0

# --- pipelining around STARTTLS: every earlier reply first, in order
$TC $A 2501 '<' '>EHLO c\r\n' '<' '>NOOP\r\nNOOP one\r\nSTARTTLS\r\n' '<' '<' '<' tls '>EHLO c\r\n' '<' \
  '>MAIL FROM:<a@bad.example>\r\nRCPT TO:<alice@example.com>\r\nRCPT TO:<joe@example.com>\r\nRCPT TO:<unknown1@example.com>\r\nDATA\r\n' \
  '<' '<' '<' '<' '<' '>x\r\n.\r\nQUIT\r\n' '<' '<' > "$T/o"; rc=$?
check_eq "replies before STARTTLS in order, then 220" "$(grep -E '^(250 |220 2)' "$T/o" | sed -n 2,4p | cut -c1-5)" "250 o
250 o
220 2"
check_eq "pipelined inside TLS: each RCPT its reply, in order" "$(sed -n '/^TLS/,$p' "$T/o" | grep -E '^[2-5][0-9][0-9] ' | sed -n 2,6p | cut -c1-3)" "250
250
550
550
354"

# --- CVE-2011-0411: commands in the STARTTLS segment are never executed
$TC $A 2501 '<' '>EHLO c\r\n' '<' '>STARTTLS\r\nRSET\r\nMAIL FROM:<evil@inject.example>\r\n' '<' tls '>EHLO c\r\n' '<' \
  '>MAIL FROM:<a@good.example>\r\n' '<' '>QUIT\r\n' '<' > "$T/o"; rc=$?; settle
D=$(sess)
check_eq "injection: the session goes on" "$rc" 0
check "injection: nothing unread before the handshake, no reply to RSET or MAIL" sh -c "! grep -q '^UNREAD' '$T/o' && [ \$(sed -n '/^220 2.0.0/,/^TLS/p' '$T/o' | wc -l) = 2 ]"
check_eq "injection: after TLS, MAIL is the first transaction (250, not 503 nested)" "$(sed -n '/^TLS/,$p' "$T/o" | grep -A0 '^250 ' | sed -n 2p)" "250 ok"
check "injection: the backend never got the injected MAIL" sh -c "! grep -q 'evil@inject' '$D/received'"
check "injection: logged with its size" grep -q "pid=$(lastpid) action=tlsdiscard bytes=39$" "$T/log.2501"
$TC $A 2501 '<' '>EHLO c\r\n' '<' '>STARTTLS\r\nNOOP\r\n' '<' '<<' > "$T/o"
check_eq "injection, then plaintext instead of TLS: NOOP never answered, connection ends" "$(sed -n '/^220 2.0.0/,$p' "$T/o" | sed 1d)" "CLOSED"

# --- STARTTLS misuse
$TC $A 2501 '<' '>STARTTLS x\r\n' '<' '>EHLO c\r\n' '<' '>STARTTLS\r\n' '<' tls '>STARTTLS\r\n' '<' '>EHLO c\r\n' '<' '>STARTTLS\r\n' '<' '>QUIT\r\n' '<' > "$T/o"; rc=$?
check "STARTTLS with an argument: 501" grep -q '^501 5.5.4' "$T/o"
check_eq "STARTTLS inside TLS: 503, twice" "$(grep -c '^503 5.5.1 TLS already active' "$T/o")" 2
check_eq "and the session goes on" "$rc" 0

# --- RFC 3207 4.2: AUTH does not survive TLS; inside TLS AUTH lifts the rules
$TC $A 2501 '<' '>EHLO c\r\n' '<' '>AUTH PLAIN\r\n' '<' '>good\r\n' '<' '>STARTTLS\r\n' '<' tls '>EHLO c\r\n' '<' \
  '>MAIL FROM:<a@bad.example>\r\nRCPT TO:<joe@example.com>\r\n' '<' '<' '>QUIT\r\n' '<' > "$T/o"
check_eq "AUTH before STARTTLS: 235, then forgotten: joe refused" "$(grep -c '^235' "$T/o"):$(grep -c '^550 5.1.1 sorry' "$T/o")" "1:1"
$TC $A 2501 '<' '>EHLO c\r\n' '<' '>STARTTLS\r\n' '<' tls '>EHLO c\r\n' '<' '>AUTH PLAIN\r\n' '<' '>good\r\n' '<' \
  '>MAIL FROM:<a@bad.example>\r\nRCPT TO:<joe@example.com>\r\n' '<' '<' '>QUIT\r\n' '<' > "$T/o"
check_eq "AUTH inside TLS lifts the rules: joe accepted" "$(grep -c '^235' "$T/o"):$(grep -c '^550' "$T/o")" "1:0"

# --- smuggling inside TLS: a bare LF ends it, nothing stored
$TC $A 2501 '<' '>EHLO c\r\n' '<' '>STARTTLS\r\n' '<' tls '>EHLO c\r\n' '<' \
  '>MAIL FROM:<a@x.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n' '<' '<' '<' \
  '>Subject: outer\r\n\r\nx\n.\nMAIL FROM:<evil@c.example>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n\r\n.\r\n' '<<' > "$T/o"; settle
D=$(sess)
check "bare LF inside TLS: 451" grep -q '^451 4.5.0 bare LF' "$T/o"
check_eq "bare LF inside TLS: nothing stored, no smuggled envelope" "$(ls "$D" | grep -c '^msg\.'):$(grep -c evil "$D/received")" "0:0"

# --- RBLSMTPD and the limits hold inside TLS
$TC $A 2510 '<' '>EHLO c\r\n' '<' '>STARTTLS\r\n' '<' tls '>EHLO c\r\n' '<' \
  '>MAIL FROM:<a@x.example>\r\nRCPT TO:<alice@example.com>\r\nRCPT TO:<postmaster@example.com>\r\n' '<' '<' '<' '>QUIT\r\n' '<' > "$T/o"
check_eq "RBLSMTPD inside TLS: 553 with its text, postmaster still 250" "$(sed -n '/^TLS/,$p' "$T/o" | grep -E '^(553|250 ok)' | tr '\n' '|')" "250 ok|553 listed|250 ok|"
$TC $A 2511 '<' '>EHLO c\r\n' '<' '>STARTTLS\r\n' '<' tls '>EHLO c\r\n' '<' \
  '>MAIL FROM:<a@x.example>\r\nRCPT TO:<u1@example.org>\r\nRCPT TO:<u2@example.org>\r\nRCPT TO:<u3@example.org>\r\n' '<' '<' '<' '<' '>RSET\r\n' '<' \
  '>MAIL FROM:<a@bad.example>\r\nRCPT TO:<joe@example.com>\r\nRCPT TO:<joe@example.com>\r\nRCPT TO:<joe@example.com>\r\n' '<<' > "$T/o"
check "-m inside TLS: the third RCPT gets 452 4.5.3" grep -q '^452 4.5.3' "$T/o"
check "-u inside TLS: after two refusals, 421 4.7.0 and the end" sh -c "grep -q '^421 4.7.0 too many invalid recipients' '$T/o' && tail -1 '$T/o' | grep -q CLOSED"

# --- the backend dies inside TLS: 421, exit 111
$TC $A 2508 '<' '>EHLO c\r\n' '<' '>STARTTLS\r\n' '<' tls '>EHLO c\r\n' '<' '>MAIL FROM:<a@x.example>\r\n' '<' '<<' > "$T/o"; settle
check "backend death inside TLS: 421 4.3.0" grep -q '^421 4.3.0' "$T/o"
check_eq "backend death: rcptfilter exit 111" "$(tail -1 "$T/log.2508")" "rcptfilter-exit=111"

# --- -i: implicit TLS (SMTPS), the handshake before the banner
$TC --ca "$C/ca.pem" --sni mx1.test $A 2503 tls '<' '>EHLO c\r\n' '<' '>STARTTLS\r\n' '<' '>QUIT\r\n' '<' > "$T/o"; rc=$?; settle
check_eq "-i: handshake first, then the banner" "$rc:$(sed -n 2p "$T/o" | cut -c1-4)" "0:220 "
check_eq "-i: no STARTTLS offered, STARTTLS 503" "$(grep -c '^250.STARTTLS' "$T/o"):$(grep -c '^503 5.5.1' "$T/o")" "0:1"
D=$(sess 2503)
check_eq "-i: one backend, with SSL_PROTOCOL" "$(ls "$D" | grep -c '^environ\.'):$(cat "$D"/environ.* | grep -c '^SSL_PROTOCOL=TLSv1.3')" "1:1"
$TC $A 2503 '>EHLO c\r\n' '<' > "$T/o"; settle
check "-i: a plaintext client gets no banner" sh -c "! grep -q '^220' '$T/o'"
check "-i: and it is logged" grep -q 'action=abort reason="TLS handshake' "$T/log.2503"

# --- no STARTTLS without usable files; plaintext mail still flows
for p in 2504 2506; do
  $TC $A $p '<' '>EHLO c\r\n' '<' '>STARTTLS\r\n' '<' '>MAIL FROM:<a@x.example>\r\nRCPT TO:<alice@example.com>\r\n' '<' '<' '>QUIT\r\n' '<' > "$T/o"; rc=$?; settle
  check_eq "port $p: no STARTTLS offered, STARTTLS 454, mail goes on" "$rc:$(grep -c STARTTLS "$T/o"):$(grep -c '^454 4.7.0' "$T/o"):$(grep -c '^250 ok' "$T/o")" "0:0:1:2"
done
check "without -c: tlsfail logged" grep -q 'action=tlsfail reason="no certificate (-c)"' "$T/log.2504"
check "unreadable -c: tlsfail names the file" grep -q "action=tlsfail reason=\"unable to read $T/nonexistent.pem: no such file\"" "$T/log.2506"
for p in 2505 2509; do
  $TC $A $p '<' '>EHLO c\r\n' '<' '>STARTTLS\r\n' '<' '>EHLO c\r\n' '<' '>QUIT\r\n' '<' > "$T/o"; rc=$?; settle
  check_eq "port $p (certificate unusable): offered, then 454, plaintext goes on, no longer offered" \
    "$rc:$(grep -c '^454 4.7.0 TLS not available due to temporary reason' "$T/o"):$(grep -c STARTTLS "$T/o")" "0:1:1"
  check "port $p: the reason logged" grep -q 'action=tlsfail reason=".' "$T/log.$p"
done

# --- hostile handshakes
: > "$T/log.2507"
$TC $A 2507 '<' '>EHLO c\r\n' '<' '>STARTTLS\r\n' '<' 'hello:garbage' '<<' > "$T/o"; settle
check "garbage instead of a ClientHello: the connection ends" grep -q '^CLOSED' "$T/o"
check "garbage: logged, no plaintext fallback" grep -q 'action=abort reason="TLS handshake failed' "$T/log.2507"
$TC $A 2507 '<' '>EHLO c\r\n' '<' '>STARTTLS\r\n' '<' 'hello:half' '<<' > "$T/o"; settle
check "half a ClientHello then EOF: ends, logged" sh -c "grep -q '^CLOSED' '$T/o' && [ \$(grep -c 'action=abort reason=\"TLS' '$T/log.2507') = 2 ]"
$TC $A 2507 '<' '>EHLO c\r\n' '<' '>STARTTLS\r\n' '<' 'hello:huge:300000' '<<' > "$T/o"; settle
check "a 300 KB ClientHello: refused, ends" sh -c "grep -q '^CLOSED' '$T/o' && [ \$(grep -c 'action=abort reason=\"TLS' '$T/log.2507') = 3 ]"
$TC $A 2507 '<' '>EHLO c\r\n' '<' '>STARTTLS\r\n' '<' 'hello:trickle:0.4' > "$T/o"; settle
# the whole ClientHello at 0.4 s a byte would take minutes: under 10 s is -t 2
check "a trickling handshake is cut by -t" grep -q 'trickle: cut after [2-9]\.' "$T/o"
check "trickle: logged as a timeout" grep -q 'action=abort reason="TLS handshake timed out"' "$T/log.2507"
$TC $A 2507 '<' 'hello:garbage' 'sleep:0.3' '>\r\nQUIT\r\n' '<<' > "$T/o"; settle
check "TLS bytes before any STARTTLS: plaintext SMTP errors, never a 220 2.0.0" sh -c "! grep -q '^220 2.0.0' '$T/o' && grep -q '^221\|^500' '$T/o'"
$TC $A 2507 '<' '>EHLO c\r\n' '<' '>STARTTLS\r\n' '<' tls 'flood:20000000' 'sleep:4' > "$T/o"; settle
check "inside TLS, a client that stops reading: rcptfilter stops reading it too" grep -q '^flood stopped' "$T/o"
check "and drops it after -t, logged" grep -q 'action=abort reason="client not reading"' "$T/log.2507"
check_eq "every hostile session ended with exit 0" "$(grep -c '^rcptfilter-exit=0$' "$T/log.2507"):$(grep -c '^rcptfilter-exit=' "$T/log.2507")" "6:6"

# --- renegotiation (TLS 1.2): refused, the session does not go on unseen
# s_client takes "R" as a command only when a read of its input starts with
# it: each line goes once the one before has had its effect, never two in one
# read (fixed sleeps lost that race to a slow handshake under load)
# (s_client prints the last line of its own EHLO's reply too: wait for the
# stub's greeting line, which only our EHLO's reply has, and the end of it)
{ wait_for "grep -q '^SSL handshake has read' '$T/o'"; printf 'EHLO c\n'
  wait_for "awk '/^250-stub hello/ { f = 1 } f && /^250 / { ok = 1 } END { exit !ok }' '$T/o'"; printf 'R\n'
  wait_for "grep -q '^RENEGOTIATING' '$T/o'"; sleep 0.3; printf 'NOOP\n'; sleep 0.3; } |
  timeout 10 openssl s_client -connect $A:2501 -starttls smtp -tls1_2 -crlf > "$T/o" 2>&1; settle
check_grep "renegotiation: the client is told no" 'no renegotiation' "$T/o"
check_eq "renegotiation: rcptfilter exit 0" "$(tail -1 "$T/log.2501")" "rcptfilter-exit=0"

# --- openssl s_client -starttls smtp, SNI and verification
printf 'QUIT\r\n' | timeout 10 openssl s_client -connect $A:2501 -starttls smtp -servername mx2.test -CAfile "$C/ca.pem" -verify_return_error -crlf > "$T/o" 2>&1; rc=$?
check_eq "openssl s_client -starttls smtp: verified mx2.test" "$rc:$(grep -q 'Verify return code: 0 (ok)' "$T/o" && echo v):$(grep -c 'subject=CN = mx2.test' "$T/o")" "0:v:1"

# --- swaks --tls, and a real MTA (exim4) requiring TLS, both into exim4 -bs: stored byte for byte
if [ -x /usr/sbin/exim4 ] && [ "$(id -u)" = 0 ]; then
  EXIM=1 serve 2502 -- -t 10 -c "$C/combined.pem"
  wait_for "$PY -c 'import socket; socket.create_connection((\"$A\", 2502))'"
  stored() { local h; h=$(printf '%s' "$1" | sha256sum | cut -c1-64 | tr a-f A-F); ls "$T/ex/store/$h/new" 2>/dev/null | wc -l; }
  swaks --server $A --port 2502 --tls --from a@client.example --to alice@example.com --silent 2 > "$T/o" 2>&1; rc=$?
  check_eq "swaks --tls: delivered" "$rc:$(stored alice@example.com)" "0:1"
  swaks --server $A --port 2502 --tls --from spammer@bad.example --to joe@example.com --silent 2 > "$T/o" 2>&1; rc=$?
  check "swaks --tls: the deny rule holds ($rc)" sh -c "[ $rc -ne 0 ] && grep -q '550 5.1.1' '$T/o' && [ $(stored joe@example.com) = 0 ]"
  mkdir -p "$T/exc/spool" "$T/exc/log"; chown -R Debian-exim "$T/exc"; chmod 755 "$T/exc"
  cat > "$T/exc/client.conf" <<EOF
primary_hostname = client.test
spool_directory = $T/exc/spool
log_file_path = $T/exc/log/%slog
exim_user = Debian-exim
exim_group = Debian-exim
acl_smtp_rcpt = acl_rcpt
received_header_text =
keep_environment =
begin acl
acl_rcpt:
  accept control = suppress_local_fixups
begin routers
out:
  driver = manualroute
  route_list = * $A
  transport = tls_smtp
  self = send
begin transports
tls_smtp:
  driver = smtp
  port = 2502
  hosts_require_tls = *
  tls_verify_certificates = $C/ca.pem
  tls_verify_hosts = *
  tls_verify_cert_hostnames =
  tls_sni = mx1.test
  allow_localhost
  hosts_try_chunking =
  hosts_try_fastopen =
EOF
  printf 'From: a@client.example\r\nSubject: exim through TLS\r\n\r\nhello\r\n..dot line\r\n\xe9t\xe9 8bit\r\n' > "$T/exc/body"
  { printf 'EHLO client.test\r\nMAIL FROM:<a@client.example>\r\nRCPT TO:<bob@example.net>\r\nDATA\r\n'; cat "$T/exc/body"; printf '.\r\nQUIT\r\n'; } |
    /usr/sbin/exim4 -C "$T/exc/client.conf" -bs -odi -oMa 127.0.0.9 > "$T/o" 2>&1
  sleep 0.5
  check "exim4 as the client: delivered over TLS, certificate verified" grep -q '=> bob@example.net .*X=TLS1.3:.*CV=yes C="250' "$T/exc/log/mainlog"
  h=$(printf '%s' bob@example.net | sha256sum | cut -c1-64 | tr a-f A-F)
  printf 'From: a@client.example\r\nSubject: exim through TLS\r\n\r\nhello\r\n.dot line\r\n\xe9t\xe9 8bit\r\n' > "$T/want2"
  check_file_eq "exim4 through rcptfilter's TLS: stored byte for byte" "$(ls "$T/ex/store/$h/new/"* | head -1)" "$T/want2"
  n=100; [ "${VARIANT:-build}" = asan ] && n=20
  mkdir -p "$T/sent"
  $TC $A 2502 '<' '>EHLO c\r\n' '<' '>STARTTLS\r\n' '<' tls '>EHLO c\r\n' '<' "messages:$n:7:$T/sent:a@c.example:bulk@example.com" '>QUIT\r\n' '<' > "$T/o"; rc=$?
  h=$(printf '%s' bulk@example.com | sha256sum | cut -c1-64 | tr a-f A-F)
  b=$( (cd "$T/ex/store/$h/new" && for f in *; do md5sum < "$f"; done) | sort | md5sum)
  c=$(for f in "$T/sent"/sent.*; do md5sum < "$f"; done | sort | md5sum)
  check_eq "$n random messages inside TLS (8-bit, long lines, dots): each stored byte for byte" "$rc:$(stored bulk@example.com):$b" "0:$n:$c"
else
  skip "swaks and exim4 through TLS" "needs root and exim4"
fi
