#!/bin/bash
# cdbmake-rules from the outside: compile, -t, -q, errors, atomic replace.
. "$(dirname "$0")/lib.sh"
C=$BIN/cdbmake-rules
cd "$T" || exit 1
cat > rules <<'R'
# recipient : sender : action[,MSG="text"]
joe@example.com:spammer@bad.example:deny
joe@example.com:@bad.example:deny                # whole domain
joe@example.com:.bad.example:deny                # any subdomain
joe@example.com:*viagra*:deny                    # glob on the sender
joe@example.com:friend@bad.example:allow         # exception
joe@example.com:<>:deny                          # bounces (null sender)
@example.com::deny,MSG="5.1.1 no such mailbox"   # closed domain ...
alice@example.com::allow                         # ... with its mailboxes
bob@example.com::allow
:@spam.example:deny                              # every recipient
trap@example.com::trap                           # spamtrap (logs client)
R
"$C" rules.cdb rules.tmp < rules; rc=$?
check_eq "compiles the SPEC example" "$rc" 0
check "rules.cdb written" [ -s rules.cdb ]
check "tmp renamed away" [ ! -e rules.tmp ]
check_eq "mode 0644" "$(stat -c %a rules.cdb)" 644
check_eq "-q deny" "$("$C" -q spammer@bad.example joe@example.com rules.cdb)" 'deny rule=1 file=rules:2 reply="550 5.1.1 sorry, no mailbox here by that name"'
check_eq "-q allow" "$("$C" -q '<friend@Bad.Example>' JOE@example.com rules.cdb)" 'allow rule=5 file=rules:6'
check_eq "-q null sender" "$("$C" -q '<>' joe@example.com rules.cdb)" 'deny rule=6 file=rules:7 reply="550 5.1.1 sorry, no mailbox here by that name"'
check_eq "-q closed domain" "$("$C" -q a@b.example carol@example.com rules.cdb)" 'deny rule=7 file=rules:8 reply="550 5.1.1 no such mailbox"'
check_eq "-q trap" "$("$C" -q a@b.example trap@example.com rules.cdb)" 'trap rule=11 file=rules:12 reply="550 5.1.1 sorry, no mailbox here by that name"'
check_eq "-q pass" "$("$C" -q a@b.example x@elsewhere.example rules.cdb)" 'pass (no rule matches: the backend decides)'
check_eq "-t summary" "$("$C" -t rules)" "rules: 11 rules (3 allow, 7 deny, 1 trap), 1 with a glob: ok"
check_eq "-t from stdin, -f names it" "$("$C" -t -f /etc/rcptfilter/rules - < rules)" "/etc/rcptfilter/rules: 11 rules (3 allow, 7 deny, 1 trap), 1 with a glob: ok"
"$C" -f /etc/rcptfilter/rules named.cdb named.tmp < rules
check_eq "-f: the name in decisions" "$("$C" -q a@b.example trap@example.com named.cdb | cut -d' ' -f3)" "file=/etc/rcptfilter/rules:12"

# prefix-*@domain: qmail's -default files (exact > prefix-* longest first > @domain)
cat > prefix <<'R'
@q.example::deny
joe@q.example::allow
joe-*@q.example::allow
joe-lists-spam-*@q.example::deny,MSG="no spam"
R
"$C" prefix.cdb prefix.tmp < prefix; rc=$?
check_eq "prefix rules compile" "$rc" 0
check_eq "-t counts prefix rules" "$("$C" -t prefix)" "prefix: 4 rules (2 allow, 2 deny, 0 trap), 0 with a glob, 2 for a prefix-* recipient: ok"
check_eq "-q prefix-*" "$("$C" -q a@b.example Joe-Lists-X@q.example prefix.cdb)" 'allow rule=3 file=prefix:3'
check_eq "-q longest prefix first" "$("$C" -q a@b.example joe-lists-spam-x@q.example prefix.cdb)" 'deny rule=4 file=prefix:4 reply="550 no spam"'
check_eq "-q no dash, no prefix" "$("$C" -q a@b.example joex@q.example prefix.cdb)" 'deny rule=1 file=prefix:1 reply="550 5.1.1 sorry, no mailbox here by that name"'
check_eq "a cdb with prefix rules says version 2" "$(cdb -q prefix.cdb M | head -1)" "rcptfilter-rules 2"
check_eq "one without them stays version 1" "$(cdb -q rules.cdb M | head -1)" "rcptfilter-rules 1"

# CRLF, trailing spaces, quotes
printf 'joe@example.com:a@b.example:deny  \r\n# c\r\n\r\nx@example.com::deny,MSG="say \\"no\\" # here"\r\n' > crlf
"$C" crlf.cdb crlf.tmp < crlf; rc=$?
check_eq "CRLF file compiles" "$rc" 0
check_eq "quoted MSG with escaped quote and #" "$("$C" -q a@b.c x@example.com crlf.cdb)" 'deny rule=2 file=crlf:4 reply="550 say "no" # here"'

# bad input: every bad line reported, exit 100, old cdb untouched
cp rules.cdb before.cdb
cat > bad <<'R'
joe@example.com:a@b.example:deny
joe@example.com:a@b.example:reject
nobody:x@y.example:deny
joe@example.com:x@y.example:deny,MSG="tab	here"
joe@example.com:a@b.example:allow
R
"$C" rules.cdb rules.tmp < bad 2> err; rc=$?
check_eq "bad input: exit 100" "$rc" 100
check_eq "bad input: each line with its reason" "$(cat err)" "rules:2: unknown action (want allow, deny or trap)
rules:3: malformed recipient (want local@domain, prefix-*@domain, @domain or nothing)
rules:4: MSG contains a control character
rules:5: same recipient and sender as another rule, different action or MSG (conflicts with line 1)"
check "bad input: old cdb untouched" cmp -s rules.cdb before.cdb
check "bad input: no tmp left" [ ! -e rules.tmp ]
"$C" -t bad > out 2> err; rc=$?
check_eq "-t on bad input: exit 100, file:line" "$rc:$(head -1 err)" "100:bad:2: unknown action (want allow, deny or trap)"
check_eq "-t on bad input: no summary" "$(cat out)" ""
printf ':*x*:deny\n:*X*:allow\n' | "$C" g.cdb g.tmp 2> err; rc=$?
check_eq "conflicting globs named" "$rc:$(cat err)" "100:g:2: same recipient and glob as another rule, different action or MSG (conflicts with line 1)"
printf 'a@b.c:d@e.f:deny\na@b.c:D@E.F.:deny\n' | "$C" d.cdb d.tmp; rc=$?
check_eq "identical duplicate is harmless" "$rc" 0
# duplicates are found in the finished cdb: identical copies counted once,
# conflicts told by line among the other errors, the first 20 of them
printf 'a@b.c:d@e.f:deny\nx@y.z::allow\na@b.c:d@e.f:deny\nA@B.C:D@E.F.:deny\n' > dup3
check_eq "identical copies counted once" "$("$C" -t dup3)" "dup3: 2 rules (1 allow, 1 deny, 0 trap), 0 with a glob: ok"
printf 'a@b.c:d@e.f:deny\na@b.c:d@e.f:allow\nbogus\nx@y.z::deny\nx@y.z::trap\n' > mixed
"$C" -t mixed > /dev/null 2> err; rc=$?
check_eq "conflicts and bad lines in line order" "$rc:$(cat err)" "100:mixed:2: same recipient and sender as another rule, different action or MSG (conflicts with line 1)
mixed:3: want recipient:sender:action
mixed:5: same recipient and sender as another rule, different action or MSG (conflicts with line 4)"
for i in $(seq 1 30); do printf 'u%s@x.example:s@y.example:deny\nu%s@x.example:s@y.example:allow\n' $i $i; done > many
"$C" -t many > /dev/null 2> err; rc=$?
check_eq "30 conflicts: the first 20 told" "$rc:$(wc -l < err):$(head -1 err):$(tail -1 err)" \
  "100:20:many:2: same recipient and sender as another rule, different action or MSG (conflicts with line 1):many:40: same recipient and sender as another rule, different action or MSG (conflicts with line 39)"
yes 'same@x.example:s@y.example:deny' | head -50000 > same
check_eq "50000 copies of one rule: one rule" "$("$C" -t same)" "same: 1 rules (0 allow, 1 deny, 0 trap), 0 with a glob: ok"
{ yes 'same@x.example:s@y.example:deny' | head -50000; echo 'same@x.example:s@y.example:trap'; } > same2
"$C" -t same2 > /dev/null 2> err; rc=$?
check_eq "50000 copies then a different one: that line told" "$rc:$(cat err)" "100:same2:50001: same recipient and sender as another rule, different action or MSG (conflicts with line 1)"
{ printf 'a@b.c::deny,MSG="'; head -c 5000 /dev/zero | tr '\0' x; printf '"\n'; } | "$C" l.cdb l.tmp 2> err; rc=$?
check_eq "line over 4096 bytes" "$rc:$(cat err)" "100:l:1: line longer than 4096 bytes"

# I/O failures: exit 111, old cdb untouched
seq 1 20000 | sed 's/.*/u&@example.com:s&@spam.example:deny/' > big
( ulimit -f 16; "$C" rules.cdb rules.tmp < big 2> err ); rc=$?
check_eq "file size limit: exit 111" "$rc" 111
case $(cat err) in "cdbmake-rules: fatal: unable to write the tmp file: "*) ok "file size limit: says so";; *) not_ok "fsize message" "$(cat err)";; esac
check "file size limit: old cdb untouched" cmp -s rules.cdb before.cdb
check "file size limit: no tmp left" [ ! -e rules.tmp ]
mkdir ro; chmod 555 ro
if [ "$(id -u)" = 0 ] && ! capsh --has-p=cap_dac_override 2>/dev/null; then :; fi
"$C" ro/rules.cdb /nonexistent/dir/rules.tmp < rules 2> err; rc=$?
check_eq "unwritable tmp: exit 111" "$rc" 111
ln -s "$T/victim" rules.tmp; echo precious > victim
"$C" rules.cdb rules.tmp < rules; rc=$?
check_eq "stale tmp symlink: removed, not followed" "$rc:$(cat victim)" "0:precious"
"$C" big.cdb big.tmp < big; rc=$?
check_eq "20000 rules compile" "$rc" 0
check_eq "and answer" "$("$C" -q s777@spam.example u777@example.com big.cdb)" 'deny rule=777 file=big:777 reply="550 5.1.1 sorry, no mailbox here by that name"'

# -q on missing or corrupt cdb: temporary
"$C" -q a@b.c d@e.f missing.cdb > /dev/null 2> err; rc=$?
check_eq "-q missing cdb: 111" "$rc" 111
head -c 3000 /dev/urandom > junk.cdb
"$C" -q a@b.c d@e.f junk.cdb > /dev/null 2> err; rc=$?
check_eq "-q not a rules cdb: 111" "$rc" 111
cdb -c plain.cdb < /dev/null 2>/dev/null || printf '\n' | cdb -c plain.cdb
"$C" -q a@b.c d@e.f plain.cdb > /dev/null 2> err; rc=$?
check_eq "-q a cdb without our header: 111" "$rc" 111

# usage
for args in "" "rules.cdb" "-q a b" "-t" "-t a b" "-x" "-f '' a b"; do
  # shellcheck disable=SC2086
  eval "\"$C\" $args" < /dev/null > /dev/null 2> err; rc=$?
  check_eq "usage: '$args'" "$rc:$(head -c 21 err)" "100:cdbmake-rules: usage:"
done

# a compile long enough to start writing the file out on the way (every 65,536 rules)
awk 'BEGIN { for (i = 1; i <= 140000; i++) printf "u%d@big.example:s%d@spam.example:deny\n", i, i }' > big
check_eq "140,000 rules compile" "$("$C" big.cdb big.tmp < big && "$C" -t big)" "big: 140000 rules (0 allow, 140000 deny, 0 trap), 0 with a glob: ok"
check_eq "the first rule is in it" "$("$C" -q s1@spam.example u1@big.example big.cdb | cut -d' ' -f1-3)" "deny rule=1 file=big:1"
check_eq "the last rule is in it" "$("$C" -q s140000@spam.example u140000@big.example big.cdb | cut -d' ' -f1-3)" "deny rule=140000 file=big:140000"
check "and no temporary file is left" test ! -e big.tmp
