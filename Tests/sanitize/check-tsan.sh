#!/usr/bin/env bash
# Fails when the ThreadSanitizer log $1 holds a report other than the known Mutex false
# positives of tsan-known.txt (see there) and access "races" on values of zero-sized types
# (below), or when the tests themselves failed ($2: their exit code). Prints every report it
# does not accept.
log=$1; rc=${2:-0}
known=$(dirname "$0")/tsan-known.txt
awk -v known="$known" '
  BEGIN { while ((getline l < known) > 0) if (l !~ /^#/ && l != "") ok[l] = 1 }
  /WARNING: ThreadSanitizer/ { inrep = 1; bad = 0; text = ""; n++; expect0 = 0; zerosized = 0 }
  inrep { text = text $0 "\n" }
  inrep && /(access of Swift variable|[Rr]ead of size|[Ww]rite of size)/ { expect0 = 1; next }
  inrep && expect0 && /^ *#0 / { expect0 = 0; if (!($2 in ok)) bad = 1 }
  # A value of a zero-sized type (a parser struct with no stored property) has no storage:
  # Swift hands the address of its type metadata to an inout access of it, so two threads, each with
  # its own empty value, "modify" one address. Nothing is shared; such a report is accepted.
  inrep && /Location is global .\$s[0-9A-Za-z_]*VN. / { zerosized = 1 }
  inrep && /^SUMMARY: ThreadSanitizer/ {
    inrep = 0
    if (text !~ /Swift access race/ || (bad && !zerosized)) { unknown++; printf "%s\n", text }
    else if (zerosized) empty++
    else accepted++
    zerosized = 0
  }
  END {
    if (inrep) { unknown++; printf "%s\n(cut short)\n", text }
    printf "tsan: %d reports, %d known Mutex false positives, %d on zero-sized values, %d others\n", n, accepted, empty, unknown
    exit unknown > 0 ? 1 : 0
  }' "$log" || exit 1
[ "$rc" = 0 ] || { echo "tsan: the tests failed (exit $rc)"; exit 1; }
