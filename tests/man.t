#!/bin/bash
# Man pages: every man/*.[0-9] passes `mandoc -Tlint` without a warning, and
# every option a program's usage message shows has its own `.It Fl X` entry
# in that program's page (so the page and the program cannot drift apart).
. "$(dirname "$0")/lib.sh"
command -v mandoc > /dev/null || { skip "man pages" "mandoc is not installed"; exit 0; }

for m in "$TOP"/man/*.[0-9]; do
  [ -f "$m" ] || continue
  # -W warning: warnings and errors only (not the style notes about a stale mandoc.db)
  out=$(mandoc -Tlint -W warning "$m" 2>&1)
  check_eq "mandoc -Tlint: ${m##*/}" "$out" ""
done

for c in "$TOP"/*.c; do
  p=$(basename "$c" .c)
  page=$TOP/man/$p.8
  if [ ! -f "$page" ]; then not_ok "$p has a man page (man/$p.8)"; continue; fi
  [ -x "$BIN/$p" ] || { skip "$p: options in man/$p.8" "$BIN/$p not built"; continue; }
  # an unknown option gets the usage message on stderr
  usage=$("$BIN/$p" -% < /dev/null 2>&1 | sed -n '/usage:/,$p')
  if [ -z "$usage" ]; then not_ok "$p: prints a usage message for an unknown option"; continue; fi
  opts=$(printf '%s\n' "$usage" | grep -oE '(^|[ [])-[A-Za-z]+' | sed 's/^[ []*-//' | fold -w1 | sort -u)
  if [ -z "$opts" ]; then ok "$p: no options in its usage"; continue; fi
  missing=
  for o in $opts; do
    grep -qE "^\.It Fl $o( |$)" "$page" || missing="$missing -$o"
  done
  check_eq "$p: every option of the usage message (-$(echo $opts | tr -d ' ')) has an .It Fl entry in man/$p.8" "${missing# }" ""
done
