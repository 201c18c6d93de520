#!/bin/bash
# qmail-recipients: fixture qmail trees, each checked against the addresses
# qmail would deliver to (worked out by hand from dot-qmail(5), qmail-users(5),
# qmail-getpw and qmail-send's virtualdomains lookup), then the chain: the
# generated rules in rcptfilter refuse exactly the undeliverable ones.
. "$(dirname "$0")/lib.sh"
QR=$BIN/qmail-recipients
C=$BIN/cdbmake-rules
cd "$T" || exit 1

# homes must belong to their users (qmail-getpw skips the others) and uid 0 is never a user
if [ "$(id -u)" = 0 ]; then U1=1001 U2=1002 UA=7790; else U1=$(id -u) U2=$(id -u) UA=$(id -u); fi
own() { [ "$(id -u)" = 0 ] && chown "$1" "$2"; return 0; }

# ---- 1: a plain /var/qmail: local users, the alias user, virtualdomains, users/assign
Q=$T/q1
mkdir -p $Q/control $Q/users $Q/alias $T/home/joe $T/home/ann $T/home/upper $T/home/kim $T/home/lev
printf 'example.com\nlocalhost\n' > $Q/control/locals
printf 'example.com\nvirt.example\nassign.example\nrelay.example\n' > $Q/control/rcpthosts
printf '# virtual domains\nvirt.example:joe\nassign.example:ae\nrelay.example:\nsingle@other.example:joe\n' > $Q/control/virtualdomains
cat > $Q/users/assign <<A
=info:alias:$UA:$UA:$Q/alias:-:info:
=ann-shop:ann:$U2:$U2:$T/home/ann:::
+ae-:ann:$U2:$U2:$T/home/ann:-:ae-:
.
A
cat > $T/passwd1 <<P
root:x:0:0:root:/root:/bin/sh
joe:x:$U1:$U1:Joe:$T/home/joe:/bin/sh
ann:x:$U2:$U2:Ann:$T/home/ann:/bin/sh
alias:x:$UA:$UA::$Q/alias:/bin/false
nohome:x:1003:1003::$T/nonexistent:/bin/sh
Upper:x:1004:1004::$T/home/upper:/bin/sh
kim:x:$U1:$U1::$T/home/kim:/bin/sh
lev:x:$U2:$U2::$T/home/lev:/bin/sh
P
own $U1 $T/home/joe; own $U2 $T/home/ann; own $U1 $T/home/kim; own $U2 $T/home/lev; own $UA $Q/alias; own 1004 $T/home/upper
touch $T/home/joe/.qmail $T/home/joe/.qmail-x $T/home/joe/.qmail-lists-default $T/home/joe/.qmail-a:b \
      $T/home/joe/.qmail-Upper $T/home/joe/.qmail-c.d \
      $T/home/ann/.qmail-ae-sales $T/home/ann/.qmail-ae-lists-default \
      $T/home/kim/.qmail-default $T/home/lev/.qmail-a-default $T/home/lev/.qmail-a-b-default $T/home/lev/.qmail-a-b-c \
      $Q/alias/.qmail-postmaster $Q/alias/.qmail-root $Q/alias/.qmail-mailer-daemon $Q/alias/.qmail-info $Q/alias/.qmail-owner-default

"$QR" -d $Q -p $T/passwd1 > out1 2> err1; rc=$?
check_eq "plain tree: exit 0" "$rc" 0
check_eq "plain tree: the rules, domain by domain" "$(cat out1)" "@assign.example::deny
lists-*@assign.example::allow
sales@assign.example::allow
@example.com::deny
ae-lists-*@example.com::allow
ae-sales@example.com::allow
alias@example.com::allow
alias-info@example.com::allow
alias-mailer-daemon@example.com::allow
alias-owner-*@example.com::allow
alias-postmaster@example.com::allow
alias-root@example.com::allow
ann@example.com::allow
ann-ae-lists-*@example.com::allow
ann-ae-sales@example.com::allow
ann-shop@example.com::allow
info@example.com::allow
joe@example.com::allow
joe-a.b@example.com::allow
joe-lists-*@example.com::allow
joe-x@example.com::allow
kim@example.com::allow
kim-*@example.com::allow
lev@example.com::allow
lev-a-*@example.com::allow
lev-a-b-*@example.com::allow
lev-a-b-c@example.com::allow
mailer-daemon@example.com::allow
owner-*@example.com::allow
postmaster@example.com::allow
root@example.com::allow
@virt.example::deny
a.b@virt.example::allow
lists-*@virt.example::allow
x@virt.example::allow"
case $(cat err1) in "qmail-recipients: domains=3 closed=3 catchall=0 open=0 allow=32 inputs="*" newest="*" age="*) ok "summary line: counts and the age of the newest input";; *) not_ok "summary line" "$(cat err1)";; esac

# the addresses qmail delivers (y) or bounces (n), by hand from the qmail documentation
cat > probes1 <<'E'
y joe@example.com            passwd user joe
y JOE@Example.COM            qmail lowercases user names and extensions
y joe-x@example.com          ~joe/.qmail-x
y joe-lists-foo@example.com  ~joe/.qmail-lists-default
y joe-lists-@example.com     .qmail-lists-default also takes an empty rest
y joe-lists-a-b@example.com  longest first, down to lists-default
y joe-a.b@example.com        a dot in the extension is ':' in the file name
n joe-c.d@example.com        .qmail-c.d is never read
n joe-upper@example.com      .qmail-Upper is never read
n joe-y@example.com          no .qmail-y, no .qmail-default: bounce
n joe-lists@example.com      .qmail-lists-default needs the dash
y ann@example.com            passwd user
y ann-shop@example.com       users/assign = entry without dash
n ann-x@example.com          ann has no .qmail-x
y postmaster@example.com     ~alias/.qmail-postmaster
y root@example.com           uid 0 is never a user: the alias user's .qmail-root
n root-x@example.com         nor root-x
y mailer-daemon@example.com  ~alias/.qmail-mailer-daemon
y info@example.com           assign =info to ~alias/.qmail-info
y owner-list@example.com     ~alias/.qmail-owner-default
n owner@example.com          owner-default needs the dash
y alias-root@example.com     the alias user is a user too
n nobody@example.com         no such user, no ~alias/.qmail-default
n nohome@example.com         home missing: not a user, and no ~alias/.qmail-nohome
n upper@example.com          getpwnam("upper") does not find Upper
y kim-x-y@example.com        ~kim/.qmail-default: every extension
y kim-@example.com           even the empty one
n kimx@example.com           no user kimx
y lev-a-b-c@example.com      ~lev/.qmail-a-b-c
y lev-a-b-x@example.com      ~lev/.qmail-a-b-default
y lev-a-b-c-d@example.com    .qmail-a-b-c-default missing: down to a-b-default
y lev-a-x@example.com        ~lev/.qmail-a-default
y lev-a-@example.com         .qmail-a-default, empty rest
n lev-a@example.com          ext "a": no .qmail-a, no .qmail-default
n lev-b@example.com          no default at the top level
y ae-sales@example.com       locals: ae-sales goes through assign +ae- too
y ann-ae-sales@example.com   and ann's own .qmail-ae-sales serves ann-ae-sales
y joe-lists-x@example.com    user joe, extension lists-x
y x@virt.example             virt.example:joe -> joe-x
y lists-z@virt.example       joe-lists-z
y a.b@virt.example           joe-a.b
n y@virt.example             joe-y bounces
n joe@virt.example           joe-joe bounces
y sales@assign.example       +ae- -> ~ann/.qmail-ae-sales
y lists-x@assign.example     ~ann/.qmail-ae-lists-default
n other@assign.example       ~ann/.qmail-ae-other missing
p anyone@relay.example       relay.example: empty prefix, sent on: no rules
p single@other.example       not in rcpthosts: qmail-smtpd refuses it anyway
p root@localhost             not in rcpthosts
E
"$C" rules1.cdb rules1.tmp < out1 || not_ok "generated rules compile"
verify() {   # probes cdb: every line's expectation against cdbmake-rules -q
  local bad='' want addr rest got
  while read -r want addr rest; do
    got=$("$C" -q a@sender.example "$addr" "$2" | cut -d' ' -f1)
    case $want:$got in y:allow|n:deny|p:pass) ;; *) bad="$bad$addr: want $want, got $got ($rest)
";; esac
  done < "$1"
  printf '%s' "$bad"
}
check_eq "plain tree: rules allow what qmail delivers, deny what it bounces" "$(verify probes1 rules1.cdb)" ""

# a catch-all in the alias user's home: every local part of a locals domain is deliverable
touch $Q/alias/.qmail-default
"$QR" -d $Q -p $T/passwd1 > out1b 2> err1b
check_eq "~alias/.qmail-default: example.com gets no deny, the others keep theirs" "$(grep -c '^@' out1b):$(grep -c '@example.com' out1b)" "2:0"
case $(cat err1b) in *"catchall=1"*) ok "counted as a catch-all";; *) not_ok "catch-all count" "$(cat err1b)";; esac
rm $Q/alias/.qmail-default

# -m: the MSG of the deny lines
"$QR" -d $Q -p $T/passwd1 -m '5.1.1 "unknown" here' > outm 2>/dev/null
check_eq "-m quotes and escapes the MSG" "$(head -1 outm)" '@assign.example::deny,MSG="5.1.1 \"unknown\" here"'
"$C" -t outm > /dev/null; check_eq "and cdbmake-rules takes it" "$?" 0
"$QR" -d $Q -p $T/passwd1 -m '250 fine' > /dev/null 2> err; rc=$?
check_eq "-m with a 2xx code: exit 100" "$rc:$(cat err)" "100:qmail-recipients: fatal: bad MSG: MSG reply code must be 4xx or 5xx"

# users/cdb when users/assign is missing (as qmail-newu writes it)
mv $Q/users/assign $T/assign.saved
/usr/bin/python3 - "$Q/users" "$T/assign.saved" <<'PY'
import sys
out = open(sys.argv[1] + '/cdb.in', 'wb'); wild = set()
for line in open(sys.argv[2], 'rb'):
    line = line.rstrip(b'\n')
    if line == b'.': break
    f = line[1:].split(b':')
    key = b'!' + f[0].lower() + (b'\0' if line[:1] == b'=' else b'')
    if line[:1] == b'+' and f[0]: wild.add(f[0][-1:])
    val = b'\0'.join(f[1:7]) + b'\0'
    out.write(b'+%d,%d:%s->%s\n' % (len(key), len(val), key, val))
w = b''.join(sorted(wild))
out.write(b'+0,%d:->%s\n\n' % (len(w), w))
PY
cdb -c -t $Q/users/cdb.tmp $Q/users/cdb < $Q/users/cdb.in
"$QR" -d $Q -p $T/passwd1 > outc 2> errc; rc=$?
check_eq "users/cdb instead of assign: the same rules" "$rc:$(cmp -s out1 outc && echo same)" "0:same"
mv $T/assign.saved $Q/users/assign
touch -d '2000-01-01' $Q/users/cdb
"$QR" -d $Q -p $T/passwd1 > /dev/null 2> err
case $(cat err) in *"users/assign is newer than users/cdb: run qmail-newu"*) ok "assign newer than users/cdb: a warning";; *) not_ok "stale users/cdb warning" "$(cat err)";; esac
rm -f $Q/users/cdb $Q/users/cdb.in

# ---- 2: vpopmail domains: vpasswd, vpasswd.cdb, valias .qmail files, with and without catch-all
Q=$T/q2; V=$T/vpopmail
mkdir -p $Q/control $Q/users $V/domains/v.example $V/domains/c.example $V/domains/s.example
echo mail.example > $Q/control/me          # no locals: qmail-send uses me
printf 'v.example\nc.example\ns.example\n' > $Q/control/rcpthosts
printf 'v.example:v.example\nc.example:c.example\ns.example:s.example\n' > $Q/control/virtualdomains
for d in v c s; do echo "+$d.example-:$d.example:89:89:$V/domains/$d.example:-::"; done > $Q/users/assign
echo . >> $Q/users/assign
echo "| $V/bin/vdelivermail '' bounce-no-mailbox" > $V/domains/v.example/.qmail-default
printf 'bob:$1$x:1:0:Bob:%s/domains/v.example/bob:NOQUOTA\nCarol:$1$y:1:0::/x:NOQUOTA\n' $V > $V/domains/v.example/vpasswd
printf '+4,3:dave->x:y\n\n' | cdb -c -t $T/vp.tmp $V/domains/v.example/vpasswd.cdb
echo '&bob@v.example' > $V/domains/v.example/.qmail-sales           # a valias
echo '| ezmlm-send' > $V/domains/v.example/.qmail-list-default      # a mailing list
echo "| $V/bin/vdelivermail '' postmaster@c.example" > $V/domains/c.example/.qmail-default
echo "| $V/bin/vdelivermail '' bounce-no-mailbox" > $V/domains/s.example/.qmail-default
printf 'root:x:0:0:root:/root:/bin/sh\n' > $T/passwd2
"$QR" -d $Q -v $V -p $T/passwd2 > out2 2> err2; rc=$?
check_eq "vpopmail: exit 0" "$rc" 0
check_eq "vpopmail: v.example closed with its mailboxes, c.example (catch-all) and s.example (no vpasswd) open" "$(cat out2)" "@v.example::deny
bob@v.example::allow
carol@v.example::allow
dave@v.example::allow
list-*@v.example::allow
sales@v.example::allow"
case $(cat err2) in *"warning: s.example left open: a vpopmail domain without vpasswd or vpasswd.cdb"*"catchall=1 open=1"*) ok "s.example: a warning, counted open";; *) not_ok "vpopmail warning" "$(cat err2)";; esac
cat > probes2 <<'E'
y bob@v.example          vpasswd
y Carol@v.example        vpasswd, any case
y dave@v.example         vpasswd.cdb
y sales@v.example        valias (.qmail-sales)
y list-sub@v.example     .qmail-list-default
n eve@v.example          vdelivermail bounce-no-mailbox
n list@v.example         list-default needs the dash
p anyone@c.example       catch-all: vdelivermail delivers the unknown to postmaster
p anyone@s.example       users not in vpasswd: left open
E
"$C" rules2.cdb rules2.tmp < out2
check_eq "vpopmail: rules allow what qmail delivers, deny what it bounces" "$(verify probes2 rules2.cdb)" ""
touch $V/etc 2>/dev/null; rm -f $V/etc; mkdir -p $V/etc; touch $V/etc/vpopmail.mysql
"$QR" -d $Q -v $V -p $T/passwd2 > out2s 2> err2s
check_eq "vpopmail with MySQL users: no vpasswd to trust, every domain open" "$(cat out2s | wc -l):$(grep -c 'left open: vpopmail keeps its users in SQL' err2s)" "0:2"
rm -r $V/etc

# ---- 4: rcpthosts parents, morercpthosts.cdb, the empty virtualdomains entry, single addresses
Q=$T/q4
mkdir -p $Q/control $Q/users $T/h4/c $T/h4/m $T/h4/x
echo me.example > $Q/control/locals                    # not in rcpthosts: no rules
printf 'a.example\n.sub.example\n' > $Q/control/rcpthosts
printf '+9,0:m.example->\n\n' | cdb -c -t $T/m.tmp $Q/control/morercpthosts.cdb
printf 'vip@a.example:elsewhere\nm.example:mm\nx.sub.example:xs\n:catch\n' > $Q/control/virtualdomains
printf '+catch-:u:1:1:%s/h4/c:-::\n+mm-:u:1:1:%s/h4/m:-::\n+xs-:u:1:1:%s/h4/x:-::\n.\n' $T $T $T > $Q/users/assign
touch $T/h4/c/.qmail-info $T/h4/m/.qmail-sales $T/h4/x/.qmail-joe
"$QR" -d $Q -p $T/passwd2 > out4 2> err4; rc=$?
check_eq "parents, morercpthosts.cdb, ':catch', vip@: the rules" "$rc:$(cat out4)" "0:@a.example::deny
info@a.example::allow
vip@a.example::allow
@m.example::deny
sales@m.example::allow
@x.sub.example::deny
joe@x.sub.example::allow"
case $(cat err4) in *".sub.example in rcpthosts: subdomains are left open"*) ok "unlisted subdomains of .sub.example: warned";; *) not_ok "parent warning" "$(cat err4)";; esac

# without -p the users come from getpwent(3): this machine's, whatever they are
"$QR" -d $T/q2 -v $V > outg 2> errg; rc=$?
check_eq "getpwent: exit 0, the vpopmail domain as with -p" "$rc:$(grep -c '@v.example' outg)" "0:6"

# -e: vpopmail with --enable-qmail-ext delivers user-ext to user
"$QR" -d $T/q2 -v $V -p $T/passwd2 -e > oute 2>/dev/null
check_eq "-e: user-* for every vpopmail mailbox" "$(grep '@v.example' oute | tr '\n' ' ')" "@v.example::deny bob@v.example::allow bob-*@v.example::allow carol@v.example::allow carol-*@v.example::allow dave@v.example::allow dave-*@v.example::allow list-*@v.example::allow sales@v.example::allow "

# a broken vpasswd line: that domain open, the others keep their rules
cp $V/domains/v.example/vpasswd $T/vpasswd.saved
echo 'no-colon-here' >> $V/domains/v.example/vpasswd
"$QR" -d $T/q2 -v $V -p $T/passwd2 > outb 2> errb; rc=$?
check_eq "bad vpasswd line: exit 0, v.example open, warned with file:line" "$rc:$(grep -c '@v.example' outb):$(grep -c "vpasswd:3: want name" errb):$(grep -c 'v.example left open: its vpasswd has a line we cannot read' errb)" "0:0:1:1"
cp $T/vpasswd.saved $V/domains/v.example/vpasswd

# control/percenthack: user%host@domain is sent on to host, which no rule can list
echo v.example > $T/q2/control/percenthack
"$QR" -d $T/q2 -v $V -p $T/passwd2 > outp 2> errp
check_eq "a percenthack domain is left open" "$(grep -c '@v.example' outp):$(grep -c 'v.example left open: in control/percenthack' errp)" "0:1"
rm $T/q2/control/percenthack

# ---- 3: what it cannot say, and bad input
Q=$T/q3
mkdir -p $Q/control $Q/users $T/home/op
printf 'example.net\n' > $Q/control/locals
printf 'example.net\n.wild.example\n.relayed.example\n' > $Q/control/rcpthosts
printf '.wild.example:joe\n' > $Q/control/virtualdomains
printf '+op:joe:%s:%s:%s/home/op:::\n.\n' $U1 $U1 $T > $Q/users/assign
printf 'root:x:0:0:root:/root:/bin/sh\n' > $T/passwd3
"$QR" -d $Q -p $T/passwd3 > out3 2> err3; rc=$?
check_eq "a catch-all on 'op' (no dash): nothing the rules can say, exit 0, no lines" "$rc:$(cat out3)" "0:"
case $(cat err3) in *"example.net left open: a catch-all the rules cannot say"*) ok "the domain left open, with a warning";; *) not_ok "op warning" "$(cat err3)";; esac
case $(cat err3) in *".wild.example in rcpthosts: subdomains are left open"*) ok "rcpthosts .domain with local subdomains: warned";; *) not_ok "wildcard warning" "$(cat err3)";; esac
case $(cat err3) in *relayed.example*) not_ok "rcpthosts .domain relayed elsewhere: no warning" "$(cat err3)";; *) ok "rcpthosts .domain relayed elsewhere: no warning";; esac

printf '+op:joe:%s:%s:%s/home/op:::\njunk\n.\n' $U1 $U1 $T > $Q/users/assign
"$QR" -d $Q -p $T/passwd3 > out 2> err; rc=$?
check_eq "bad users/assign line: exit 100, file:line, nothing printed" "$rc:$(cat err):$(cat out)" "100:qmail-recipients: fatal: $Q/users/assign:2: want =local:user:uid:gid:homedir:dash:ext: or +prefix:... or the final .:"
printf '+op:joe:%s:%s:%s/home/op:::\n' $U1 $U1 $T > $Q/users/assign
"$QR" -d $Q -p $T/passwd3 > out 2> err; rc=$?
check_eq "users/assign without its final '.': exit 100" "$rc:$(cat err)" "100:qmail-recipients: fatal: $Q/users/assign:0: no final \".\" line: qmail-newu refuses it"
rm $Q/users/assign
printf 'ok.example:x\nno-colon.example\n' > $Q/control/virtualdomains
"$QR" -d $Q -p $T/passwd3 > out 2> err; rc=$?
check_eq "virtualdomains line without a colon: skipped as qmail does, with a warning" "$rc:$(head -1 err)" "0:qmail-recipients: warning: $Q/control/virtualdomains:2: no colon: qmail ignores this line"
printf 'ok.example:x\nbad\001.example:y\n' > $Q/control/virtualdomains
"$QR" -d $Q -p $T/passwd3 > out 2> err; rc=$?
check_eq "bad virtualdomains line: exit 100, file:line" "$rc:$(cat err)" "100:qmail-recipients: fatal: $Q/control/virtualdomains:2: control character in line"
printf 'a.example:one\na.example:two\n' > $Q/control/virtualdomains
printf 'a.example\n' >> $Q/control/rcpthosts
printf '+two-:u:1:1:%s/h4/m:-::\n.\n' $T > $Q/users/assign
"$QR" -d $Q -p $T/passwd3 > out 2> err; rc=$?
check_eq "a domain twice in virtualdomains: the last line wins (constmap)" "$rc:$(grep a.example out | tr '\n' ' ')" "0:@a.example::deny sales@a.example::allow "
rm $Q/users/assign
printf 'ok.example:x\n' > $Q/control/virtualdomains
printf 'joe:x:12:12\n' > $T/passwd3
"$QR" -d $Q -p $T/passwd3 > out 2> err; rc=$?
check_eq "bad passwd line: exit 100, file:line" "$rc:$(cat err)" "100:qmail-recipients: fatal: $T/passwd3:1: want name:password:uid:gid:gecos:home:shell"
"$QR" -d $Q -p $T/missing > out 2> err; rc=$?
check_eq "missing passwd file: exit 111" "$rc" 111
mv $Q/control/locals $T/locals.saved; mkdir $Q/control/locals
"$QR" -d $Q -p $T/passwd2 > out 2> err; rc=$?
check_eq "unreadable control/locals: exit 111, says which" "$rc:$(cat err)" "111:qmail-recipients: fatal: unable to read $Q/control/locals: not a regular file"
rmdir $Q/control/locals
"$QR" -d $Q -p $T/passwd2 > out 2> err; rc=$?
check_eq "neither locals nor me: exit 111" "$rc" 111
"$QR" -x > out 2> err; rc=$?
check_eq "unknown option: usage, exit 100" "$rc" 100

# ---- the chain: rcptfilter with the generated rules (and a rules.local) in front of a backend
RF=$BIN/rcptfilter
STUB="$PY $TOP/tests/smtpstub.py"
printf ':@spam.example:deny\n' > rules.local
cat rules.local out1 | "$C" -f rules "$T/rules.cdb" "$T/rules.tmp" || not_ok "chain rules compile"
. "$TOP/tests/rcptlib.sh"
in='EHLO c\r\nMAIL FROM:<a@sender.example>\r\n'
want_rcpt=''
while read -r want addr rest; do
  [ "$want" = p ] && continue
  in="${in}RCPT TO:<$addr>\r\n"
  [ "$want" = y ] && want_rcpt="${want_rcpt}RCPT TO:<$addr>
"
done < probes1
rf "${in}QUIT\r\n"
check_eq "chain: exit 0" "$rc" 0
check_eq "chain: the backend sees exactly the deliverable recipients" "$(got | grep '^RCPT')" "$(printf '%s' "$want_rcpt" | sed '$!b')"
check_eq "chain: one 550 per undeliverable recipient" "$(printf '%s\n' "$out" | grep -c '^550 ')" "$(grep -c '^n ' probes1)"
case $err in *"action=deny from=<a@sender.example> rcpt=<joe-y@example.com> rule="*" file=rules:"*) ok "chain: each refusal logged with file:line";; *) not_ok "chain log" "$err";; esac

# ---- examples/Makefile: rebuilt when an input changed, left alone otherwise
export PATH="$BIN:$PATH"
mkdir -p mk; printf ':@spam.example:deny\n' > mk/rules.local
mkq() { make -s -f "$TOP/examples/Makefile" qmail RULES=$T/mk/rules QMAILDIR=$T/q1 QRFLAGS="-p $T/passwd1" 2> mk/err; }
mkq; rc=$?
check_eq "make qmail: exit 0, rules.cdb built" "$rc:$([ -s mk/rules.cdb ] && echo built)" "0:built"
check_eq "the rules text: rules.local, then qmail-recipients' lines" "$(head -2 mk/rules)" ":@spam.example:deny
@assign.example::deny"
check_eq "-q on the built cdb" "$(cdbmake-rules -q a@b.example joe-x@example.com mk/rules.cdb | cut -d' ' -f1,3)" "allow file=$T/mk/rules:22"
before=$(stat -c %Y.%y mk/rules.cdb); sleep 1.1
mkq
check_eq "nothing changed: qmail-recipients not run, cdb untouched" "$(stat -c %Y.%y mk/rules.cdb):$(cat mk/err)" "$before:"
touch $T/home/joe/.qmail-new
mkq
check_eq "a new ~joe/.qmail-new: rebuilt, joe-new allowed" "$(cdbmake-rules -q a@b.example joe-new@example.com mk/rules.cdb | cut -d' ' -f1)" "allow"
before=$(stat -c %Y.%y mk/rules.cdb); sleep 1.1
touch $T/home/joe/.qmail-x
mkq
check_eq "an input touched, same output: cdb untouched" "$(stat -c %Y.%y mk/rules.cdb)" "$before"
printf 'joe@example.com:@bad.example:deny\n' >> mk/rules.local
mkq
check_eq "rules.local edited: rebuilt" "$(cdbmake-rules -q x@bad.example joe@example.com mk/rules.cdb | cut -d' ' -f1)" "deny"

# ---- random trees against an independent model of qmail's delivery (tests/qmailmodel.py):
# no address qmail delivers may be denied, none of a domain that is not ours touched
mkdir -p model
trees=40; [ "${VARIANT:-}" = asan ] && trees=8   # ~10,000 execs of cdbmake-rules -q: slow under ASan
res=$($PY "$TOP/tests/qmailmodel.py" "$BIN" "$T/model" 15 $trees); rc=$?
check_eq "$trees random trees: no deliverable address denied, every foreign one passed" "$rc" 0
case $res in *" denied by the rules, "*"; 0 lost") ok "model: $(printf '%s' "$res" | tail -1)";; *) not_ok "model summary" "$res";; esac
