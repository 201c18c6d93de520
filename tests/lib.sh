# tests/lib.sh — sourced by tests/*.t. TAP out, one line per check.
# BIN is the directory with the built programs (build/ or build/asan/).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$TOP/build}
case $BIN in /*) ;; *) BIN=$TOP/$BIN ;; esac
PY=/usr/bin/python3            # Debian's python, which has python3-dnslib
T=$(mktemp -d "${TMPDIR:-/tmp}/rbl2test.XXXXXX")
_n=0 _failed=0
_cleanups=
at_exit() { _cleanups="$1; $_cleanups"; }
_finish() { eval "$_cleanups"; if [ -n "${TEST_KEEP-}" ]; then echo "# kept $T" >&2; else rm -rf "$T"; fi; echo "1..$_n"; }   # TEST_KEEP=1: leave $T to look at
trap _finish EXIT
trap 'exit 1' INT TERM

ok()     { _n=$((_n + 1)); echo "ok $_n - $1"; }
not_ok() { _n=$((_n + 1)); _failed=$((_failed + 1)); echo "not ok $_n - $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/#   /'; return 0; }
skip()   { _n=$((_n + 1)); echo "ok $_n - $1 # SKIP ${2:-}"; }
# check "what" command... : ok when the command succeeds
check()  { _w=$1; shift; if "$@"; then ok "$_w"; else not_ok "$_w"; fi; }
# check_eq "what" got want
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got:  $(printf '%s' "$2" | od -c | head -20)
want: $(printf '%s' "$3" | od -c | head -20)"; fi; }
# expect_match "what" text 'glob': ok when text matches the shell pattern
expect_match() { case $2 in $3) ok "$1";; *) not_ok "$1" "$2";; esac; }
# check_file_eq "what" gotfile wantfile (byte-exact)
check_file_eq() { if cmp -s "$2" "$3"; then ok "$1"; else not_ok "$1" "$(diff <(od -c "$2") <(od -c "$3") | head -20)"; fi; }
# a loopback address nobody else in this run uses (suites may also run in their own netns)
rand_lo() { echo "127.$(( $$ % 200 + 20 )).$(( (RANDOM) % 250 + 1 )).$(( RANDOM % 250 + 1 ))"; }
# wait until a TCP/UDP port answers or a file appears (bounded)
wait_for() { _i=0; while ! eval "$1" >/dev/null 2>&1; do _i=$((_i + 1)); [ $_i -gt 100 ] && return 1; sleep 0.05; done; return 0; }
# processes whose command line contains STRING, "pid cmdline" a line (the
# looking process itself excluded; no procps needed)
left_behind() {
  $PY - "$1" <<'PYEOF'
import os, sys
me, s = os.getpid(), sys.argv[1].encode()
for p in os.listdir('/proc'):
    if not p.isdigit() or int(p) == me:
        continue
    try:
        c = open('/proc/%s/cmdline' % p, 'rb').read()
    except OSError:
        continue
    if s in c:
        print(p, c.replace(b'\0', b' ').decode(errors='replace'))
PYEOF
}
# wait until no process's command line contains STRING (bounded as wait_for):
# a process told to stop takes its time to go on a loaded machine
gone() { wait_for "[ -z \"\$(left_behind '$1')\" ]"; }
# wait until something has bound UDP ADDR PORT (a DNS server started in the
# background). It looks at the socket table and never binds the address itself:
# a probe that binds races the server it waits for (EADDRINUSE on either side).
wait_udp_bound() { _a=$1; case $_a in *:*) _a="[$_a]";; esac; wait_for "ss -Hlun 'sport = :$2' | grep -qF ' $_a:$2 '"; }
