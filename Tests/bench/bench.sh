#!/usr/bin/env bash
# make bench: measures `plateau generate` writing multi-gigabyte logs (release build).
# Usage: bench.sh PLATEAU_BINARY WORK_DIR
set -euo pipefail
bin=$1; dir=$2
run() {  # id, label, then generate arguments
  local id=$1 label=$2; shift 2
  rm -rf "${dir:?}/$id"
  local t0 t1 bytes lines
  t0=$(date +%s.%N)
  "$bin" generate --out "$dir/$id" --quiet "$@"
  t1=$(date +%s.%N)
  bytes=$(du -sb "$dir/$id" | cut -f1)
  lines=$(find "$dir/$id" -type f -name '*.*' ! -name '*.md' ! -name '*.toml' -exec cat {} + | wc -l)
  awk -v n="$label" -v b="$bytes" -v l="$lines" -v t0="$t0" -v t1="$t1" 'BEGIN { s = t1 - t0;
    printf "%-36s %6.2f GB %11d lines %6.1f s %7.1f MB/s %9.0f lines/s\n", n, b/1e9, l, s, b/1e6/s, l/s }'
  rm -rf "${dir:?}/$id"
}
echo "plateau generate (release build, $(nproc) cores)"
run proxy "proxy CSV+JSON, scale 1, 26 days" --only proxy --scale 1 --proxy-lines 6 --from 2020-03-02 --to 2020-03-27
run meetings "call records, scale 1, 7 weeks" --only meetings --scale 1 --from 2020-03-23 --to 2020-05-10
run all "every feed, scale 0.25, 18 weeks" --scale 0.25 --proxy-lines 2
