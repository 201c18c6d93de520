#!/bin/bash
# make install / make uninstall with DESTDIR and PREFIX, as a packager runs them.
. "$(dirname "$0")/lib.sh"
if [ "${VARIANT:-build}" != build ]; then skip "install checked once" "asan variant"; exit 0; fi
make -s -C "$TOP" install DESTDIR="$T/root" PREFIX=/usr > "$T/log" 2>&1
check_eq "make install succeeds" "$?" 0
for p in rblsmtpd2 rcptfilter cdbmake-rules rblzone traplist received-origin; do
  check "installed: /usr/bin/$p, executable" test -x "$T/root/usr/bin/$p"
done
for m in rblsmtpd2.8 rcptfilter.8 cdbmake-rules.8 rcptfilter-rules.5; do
  check "installed: man page $m" test -f "$T/root/usr/share/man/man${m##*.}/$m"
done
check_eq "installed program runs" "$("$T/root/usr/bin/cdbmake-rules" 2>&1 | head -c 22)" "cdbmake-rules: usage: "
make -s -C "$TOP" uninstall DESTDIR="$T/root" PREFIX=/usr > "$T/log" 2>&1
check_eq "make uninstall removes every file" "$(find "$T/root" -type f | wc -l)" 0
