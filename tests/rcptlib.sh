# tests/rcptlib.sh — sourced by the rcptfilter suites after lib.sh: run one
# scripted session through $RF against tests/smtpstub.py ($STUB).
n=0
# rf INPUT [VAR=value...] [-- rcptfilter options]: sets $out $rc $err $D (the stub's log dir)
# INPUT is printf '%b' text (\r\n, \0, \xHH; a % is a %); rf_file FILE and
# rf_pipe 'shell' give it from a file or from a command (timing, EOF).
rf_file() { local f=$1; shift; RF_INPUT_FILE=$f rf '' "$@"; }
rf_pipe() { local c=$1; shift; RF_INPUT_CMD=$c rf '' "$@"; }
rf() {
  local input=$1; shift
  local -a envs=() opts=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
  [ "${1-}" = -- ] && { shift; opts=("$@"); }
  n=$((n + 1)); D=$T/d$n; mkdir -p "$D"
  if [ -n "${RF_INPUT_FILE-}" ]; then cp "$RF_INPUT_FILE" "$D/in"
  elif [ -z "${RF_INPUT_CMD-}" ]; then printf '%b' "$input" > "$D/in"; fi
  if [ -n "${RF_INPUT_CMD-}" ]; then
    sh -c "$RF_INPUT_CMD" | env -i PATH=/usr/bin:/bin TCPREMOTEIP=192.0.2.7 "${envs[@]}" "$RF" "${opts[@]}" "${RULES:-$T/rules.cdb}" $STUB "$D" > "$D/out" 2> "$D/err"
  elif [ -n "${HOLD-}" ]; then
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
