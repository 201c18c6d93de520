#!/bin/bash
# A short libFuzzer run of every harness (FUZZ_SECONDS each, default 10) on a
# copy of its seed corpus. Runs once, in the normal variant (the fuzzers carry
# their own ASan/UBSan).
. "$(dirname "$0")/lib.sh"
if [ "${VARIANT:-build}" != build ]; then skip "fuzzers run once" "asan variant"; exit 0; fi
secs=${FUZZ_SECONDS:-10}
found=0
for f in "$TOP"/build/fuzz/fuzz_*; do
  [ -x "$f" ] || continue
  found=1
  name=${f##*/}; name=${name#fuzz_}
  mkdir -p "$T/$name"
  [ -d "$TOP/fuzz/corpus/$name" ] && cp -r "$TOP/fuzz/corpus/$name/." "$T/$name/"
  if (cd "$T" && "$f" -max_total_time="$secs" -rss_limit_mb=1024 -timeout=5 "$T/$name" > "$T/$name.log" 2>&1); then
    ok "fuzz $name ${secs}s: $(grep -o 'Done [0-9]* runs' "$T/$name.log" | tail -1)"
  else
    not_ok "fuzz $name" "$(grep -E 'ERROR|SUMMARY|Test unit written' "$T/$name.log" | head -5)"
  fi
done
[ $found = 1 ] || skip "no fuzzers built"
