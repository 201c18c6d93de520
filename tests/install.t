#!/bin/bash
# make install DESTDIR=... PREFIX=/usr puts every program and man page in
# place with the right modes, and the installed programs run; make uninstall
# removes exactly those files.
. "$(dirname "$0")/lib.sh"
[ "${VARIANT:-build}" = asan ] && { skip "install" "same Makefile rules as the normal variant"; exit 0; }
root=$T/root
# -o all: install what is built, never rebuild (others may be mid-edit)
out=$(make -s -o all -C "$TOP" install DESTDIR="$root" PREFIX=/usr 2>&1)
check "make install DESTDIR PREFIX=/usr exits 0" test $? -eq 0 || printf '%s\n' "$out" | sed 's/^/# /'
progs=$(cd "$TOP" && ls *.c | sed 's/\.c$//')
for p in $progs; do
  f=$root/usr/bin/$p
  check "installed $p, mode 755" test "$(stat -c %a "$f" 2>/dev/null)" = 755
  check "installed $p is the built program" cmp -s "$f" "$TOP/build/$p"
done
# it runs from there: a usage error exits 100 and names the program
"$root/usr/bin/rcptfilter" > /dev/null 2> "$T/err"; rc=$?
check_eq "installed rcptfilter runs (usage: exit 100)" "$rc" 100
check "installed rcptfilter prints its usage" grep -q '^rcptfilter: usage:' "$T/err"
for m in "$TOP"/man/*.[0-9]; do
  n=${m##*/} s=${m##*.}
  f=$root/usr/share/man/man$s/$n
  check "man page $n in man$s, mode 644" test "$(stat -c %a "$f" 2>/dev/null)" = 644
  check "man page $n is byte-identical" cmp -s "$f" "$m"
done
# nothing outside bin and share/man, nothing left behind
check_eq "no temporary file left" "$(find "$root" -name '*.new' | wc -l)" 0
check_eq "only bin/ and share/man/ are written" "$(cd "$root/usr" && ls | tr '\n' ' ')" "bin share "
# again over an existing install: replaced in place
make -s -o all -C "$TOP" install DESTDIR="$root" PREFIX=/usr > /dev/null 2>&1
check "make install twice works" test $? -eq 0
make -s -C "$TOP" uninstall DESTDIR="$root" PREFIX=/usr > /dev/null 2>&1
check "make uninstall exits 0" test $? -eq 0
check_eq "make uninstall leaves no file" "$(find "$root" -type f | wc -l)" 0
# BINDIR/MANDIR honoured
make -s -o all -C "$TOP" install DESTDIR="$root" PREFIX=/opt/rbl > /dev/null 2>&1
check "PREFIX=/opt/rbl: programs in /opt/rbl/bin" test -x "$root/opt/rbl/bin/rblsmtpd2"
check "PREFIX=/opt/rbl: man pages in /opt/rbl/share/man/man8" test -f "$root/opt/rbl/share/man/man8/rblsmtpd2.8"
