#!/bin/bash
# A short libFuzzer run of every harness (FUZZ_SECONDS each, default 10) on a
# copy of its seed corpus, FUZZ_JOBS harnesses at a time (default: one per
# core; the fuzzers are CPU-bound and nothing else runs beside this suite).
# Runs once, in the normal variant (the fuzzers carry their own ASan/UBSan).
. "$(dirname "$0")/lib.sh"
if [ "${VARIANT:-build}" != build ]; then skip "fuzzers run once" "asan variant"; exit 0; fi
secs=${FUZZ_SECONDS:-10}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
names=()
for f in "$TOP"/build/fuzz/fuzz_*; do
  [ -x "$f" ] || continue
  name=${f##*/}; name=${name#fuzz_}
  names+=("$name")
  mkdir -p "$T/$name"
  [ -d "$TOP/fuzz/corpus/$name" ] && cp -r "$TOP/fuzz/corpus/$name/." "$T/$name/"
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
  (cd "$T" && "$f" -max_total_time="$secs" -rss_limit_mb=1024 -timeout=5 "$T/$name" > "$T/$name.log" 2>&1
   echo $? > "$T/$name.rc") &
done
wait
[ ${#names[@]} -gt 0 ] || { skip "no fuzzers built"; exit 0; }
for name in "${names[@]}"; do
  if [ "$(cat "$T/$name.rc" 2>/dev/null)" = 0 ]; then
    ok "fuzz $name ${secs}s: $(grep -o 'Done [0-9]* runs' "$T/$name.log" | tail -1)"
  else
    not_ok "fuzz $name" "$(grep -E 'ERROR|SUMMARY|Test unit written' "$T/$name.log" | head -5)"
  fi
done
