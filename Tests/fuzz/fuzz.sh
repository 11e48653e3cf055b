#!/usr/bin/env bash
# Builds the libFuzzer driver (release, -sanitize=fuzzer,address, in .build-fuzz) and runs
# each target for SECONDS, starting from its committed corpus (Tests/fuzz/corpus/<target>/).
# New inputs go to .build-fuzz/corpus/<target>/ (not committed), crashes and property failures
# to .build-fuzz/crashes/; every run's executions are appended to .build-fuzz/executions.tsv.
#   Tests/fuzz/fuzz.sh SECONDS [TARGET ...]      (no TARGET: all of them)
# FUZZ_JOBS=N runs N targets at once; FUZZ_BUILD=0 skips the build.
#   Tests/fuzz/fuzz.sh --mutate SECONDS [TARGET ...]
#     no libFuzzer: the plain debug build's random mutator (`make test`'s short run; it has
#     that build at hand, while the libFuzzer build costs minutes from a fresh clone), with a
#     fixed seed (FUZZ_SEED, default 1; FUZZ_SEED=random explores) so every machine checks the
#     same mutations; FUZZ_JOBS targets at once (default 2).
set -uo pipefail
cd "$(dirname "$0")/../.."
swift=${SWIFT:-swift}
if [ "${1:-}" = --mutate ]; then
  seconds=${2:-5}; shift 2
  bin=$($swift build --show-bin-path)/plateau-fuzz
  [ -x "$bin" ] || $swift build --product plateau-fuzz || exit 1
  targets=("$@"); [ ${#targets[@]} = 0 ] && mapfile -t targets < <("$bin" --list)
  # FUZZ_JOBS targets at once (default 2: `make test` runs this after the tests, with both
  # cores free); each still gets its SECONDS of mutations, and the reports come in target order.
  jobs=${FUZZ_JOBS:-2}
  out_dir=$(mktemp -d)
  running=0
  for t in "${targets[@]}"; do
    ( PLATEAU_FUZZ_SEED=${FUZZ_SEED:-1} SWIFT_BACKTRACE=enable=no "$bin" --mutate "$seconds" "$t" "Tests/fuzz/corpus/$t" >"$out_dir/$t.out" 2>&1
      echo $? >"$out_dir/$t.rc" ) &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
  done
  wait
  failed=0
  for t in "${targets[@]}"; do
    out=$(cat "$out_dir/$t.out")
    if [ "$(cat "$out_dir/$t.rc" 2>/dev/null)" != 0 ]; then
      echo "fuzz: $t FAILED with seed ${FUZZ_SEED:-1} (the input is kept in /tmp/plateau-fuzz-$t-*.input):"; echo "$out" | grep -E 'property failed|Fatal error|Assertion|ERROR' | head -4 | sed 's/^/  /'
      failed=1
    else
      echo "fuzz (mutations, ${seconds}s): $out"
    fi
  done
  rm -rf "$out_dir"
  exit $failed
fi
seconds=${1:-60}; shift || true
scratch=.build-fuzz
if [ "${FUZZ_BUILD:-1}" != 0 ]; then
  $swift build -c release --scratch-path $scratch --product plateau-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DPLATEAU_FUZZ 2>&1 | grep -v 'ld.gold: warning' || exit 1
fi
bin=$($swift build -c release --scratch-path $scratch --show-bin-path)/plateau-fuzz
[ -x "$bin" ] || { echo "fuzz: no $bin"; exit 1; }
targets=("$@")
if [ ${#targets[@]} = 0 ]; then
  # The driver's plain build lists them too; the corpus folders are the same names.
  mapfile -t targets < <(ls Tests/fuzz/corpus)
fi
mkdir -p $scratch/crashes $scratch/logs
# A failed check is a Swift fatal error: no backtracer (it would hold the crash for minutes),
# libFuzzer records the input. ASan: leaks are reported at exit only, not per input.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1:quarantine_size_mb=8}
run() {
  local t=$1 work=$scratch/corpus/$1 log=$scratch/logs/$1.log
  mkdir -p "$work"
  PLATEAU_FUZZ_TARGET=$t "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 -artifact_prefix="$scratch/crashes/$t-" "$work" "Tests/fuzz/corpus/$t" >"$log" 2>&1
  local rc=$? execs
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "${execs:-0}" "$seconds" "$rc" >> $scratch/executions.tsv
  if [ $rc != 0 ]; then
    echo "fuzz: $t FAILED after ${execs:-?} executions (log: $log):"
    grep -E 'property failed|Fatal error|ERROR: AddressSanitizer|ERROR: libFuzzer|SUMMARY|Test unit written' "$log" | head -8 | sed 's/^/  /'
    return 1
  fi
  printf 'fuzz: %-30s %12s executions in %ss\n' "$t" "$execs" "$seconds"
}
failed=0
jobs=${FUZZ_JOBS:-1}
for t in "${targets[@]}"; do
  if [ "$jobs" -gt 1 ]; then
    run "$t" & 
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || failed=1; done
  else
    run "$t" || failed=1
  fi
done
while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || failed=1; done
if [ $failed != 0 ]; then
  echo "fuzz: a target failed: reproduce with PLATEAU_FUZZ_TARGET=<target> $bin <crash file>; once fixed, add the input to Tests/fuzz/corpus/<target>/"
  exit 1
fi
