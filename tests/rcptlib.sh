# tests/rcptlib.sh — sourced by the rcptfilter suites after lib.sh: run one
# scripted session through $RF against tests/smtpstub.py ($STUB).
n=0
# rf INPUT [VAR=value...] [-- rcptfilter options]: sets $out $rc $err $D (the stub's log dir)
rf() {
  local input=$1; shift
  local -a envs=() opts=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
  [ "${1-}" = -- ] && { shift; opts=("$@"); }
  n=$((n + 1)); D=$T/d$n; mkdir -p "$D"
  printf "$input" > "$D/in"
  if [ -n "${HOLD-}" ]; then
    # the client keeps its side open until rcptfilter ends, as a real one waiting for replies
    $PY -c 'import subprocess, sys
p = subprocess.Popen(sys.argv[2:], stdin=subprocess.PIPE)
p.stdin.write(open(sys.argv[1], "rb").read()); p.stdin.flush()
sys.exit(p.wait(timeout=60))' "$D/in" env -i PATH=/usr/bin:/bin TCPREMOTEIP=192.0.2.7 "${envs[@]}" "$RF" "${opts[@]}" "${RULES:-$T/rules.cdb}" $STUB "$D" > "$D/out" 2> "$D/err"
  else
    env -i PATH=/usr/bin:/bin TCPREMOTEIP=192.0.2.7 "${envs[@]}" "$RF" "${opts[@]}" "${RULES:-$T/rules.cdb}" $STUB "$D" < "$D/in" > "$D/out" 2> "$D/err"
  fi
  rc=$?; out=$(tr -d '\r' < "$D/out"); err=$(cat "$D/err")
}
got() { tr -d '\r' < "$D/received" 2>/dev/null; }
