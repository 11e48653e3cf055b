#!/usr/bin/env bash
# make bench, in one run:
#   1. times `plateau generate` writing multi-gigabyte logs (release build);
#   2. generates, once, the comparison data under WORK_DIR: a proxy set of Zscaler NSS CSV files
#      (>= 2 GB, >= 10M lines; the Americas JSON files are removed) and a Teams call-records set
#      (>= 1,000,000 meetings), each with the directory; reused while its stamp (the generate
#      arguments) matches and its files have the recorded size;
#   3. measures on them, page cache warm, wall seconds, MB/s, lines/s and peak RSS of
#      `wc -l` (the floor), DuckDB (the same daily-distinct-users query, 2 threads) and
#      `plateau snapshot`, and prints one table with plateau/DuckDB ratios against the target
#      (plateau >= 1.5x DuckDB's throughput at <= 1/3 of its peak memory).
#      When both ran, it checks that plateau and DuckDB agree on every (day, BU) proxy-user count.
#   3. `plateau ingest --store` on the same sets (new store, then again with nothing new) next
#      to the keyed in-memory snapshot.
# A plateau or DuckDB failure is reported in its row; the bench goes on.
#
# Usage: bench.sh PLATEAU_BINARY WORK_DIR
# Environment:
#   BENCH_VENV        virtual env DuckDB is pip-installed into (default: WORK_DIR/../bench-venv)
#   DUCKDB_VERSION    duckdb wheel to install (default 2.0.1)
#   DUCKDB_THREADS    DuckDB's threads (default 2)
#   BENCH_GENERATOR=0 skips part 1 (the generator timings, ~40 s)
#   BENCH_TIMEOUT     seconds after which one measured command is stopped (default 1800)
#   BENCH_RUNS        runs of each measured command; the table keeps the fastest wall time and
#                     the highest peak RSS (default 3)
set -euo pipefail

die() { echo "bench: $*" >&2; exit 1; }
[[ $# -eq 2 ]] || die "usage: bench.sh PLATEAU_BINARY WORK_DIR"
[[ -x $1 ]] || die "no plateau binary at '$1' (run: make build)"
bin=$(realpath "$1")
mkdir -p "$2"
dir=$(realpath "$2")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
venv=${BENCH_VENV:-$(dirname "$dir")/bench-venv}
mkdir -p "$(dirname "$venv")"
venv=$(realpath -m "$venv")
duckdb_version=${DUCKDB_VERSION:-2.0.1}
duckdb_threads=${DUCKDB_THREADS:-2}
timeout_s=${BENCH_TIMEOUT:-1800}
runs=${BENCH_RUNS:-3}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, not '$runs'"

# The comparison data sets. Sizes at these arguments: proxy 2.16 GB / 11.0M lines of CSV,
# call records 1.03 GB / 1.23M meetings.
PROXY_ARGS=(--only directory,proxy --scale 1 --proxy-lines 7 --from 2020-03-02 --to 2020-03-27)
MEETINGS_ARGS=(--only directory,meetings --scale 1.5 --from 2020-03-23 --to 2020-05-10)
PROXY_MIN_BYTES=2000000000 PROXY_MIN_LINES=10000000 MIN_MEETINGS=1000000

# ---------------------------------------------------------------- 1. the generator
gen() {  # id, label, then generate arguments
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
if [[ ${BENCH_GENERATOR:-1} != 0 ]]; then
  echo "== plateau generate (release build, $(nproc) cores)"
  gen gen-proxy "proxy CSV+JSON, scale 1, 26 days" --only proxy --scale 1 --proxy-lines 6 --from 2020-03-02 --to 2020-03-27
  gen gen-meetings "call records, scale 1, 7 weeks" --only meetings --scale 1 --from 2020-03-23 --to 2020-05-10
  gen gen-all "every feed, scale 0.25, 18 weeks" --scale 0.25 --proxy-lines 2
  echo
fi

# ---------------------------------------------------------------- 2. the data sets
proxy_set=$dir/set-proxy-csv
meetings_set=$dir/set-callrecords
proxy_files() { compgen -G "$proxy_set/proxy/nss-web-*.csv" | sort; }
meetings_files() { compgen -G "$meetings_set/teams/callrecords/*.jsonl" | sort; }
bytes_of() { local f; for f in "$@"; do stat -c %s "$f"; done | awk '{ s += $1 } END { printf "%.0f\n", s }'; }

# prepare_set SET FILES_FN PRUNE_FN ARGS...: (re)generates SET unless SET.stamp records ARGS and
# SET.stats the current size of FILES_FN's files (SET.stats: bytes lines meetings; both files sit
# beside SET so that plateau reads nothing but the logs and the directory).
prepare_set() {
  local set=$1 files_fn=$2 prune_fn=$3; shift 3
  local stamp="plateau generate $* (pruned by $prune_fn; stats v2)"
  if [[ -f $set.stamp && -f $set.stats && $(cat "$set.stamp") == "$stamp" ]]; then
    local -a files; mapfile -t files < <($files_fn)
    if (( ${#files[@]} )) && [[ $(bytes_of "${files[@]}") == "$(cut -d' ' -f1 "$set.stats")" ]]; then
      echo "reusing $set (stamp matches: $*)"; return 0
    fi
  fi
  echo "generating $set: plateau generate $* ..."
  rm -rf "${set:?}" "${set:?}.partial" "$set.stamp" "$set.stats"
  local t0=$SECONDS
  "$bin" generate --out "$set.partial" --quiet "$@" || die "plateau generate failed for $set"
  $prune_fn "$set.partial"
  mv "$set.partial" "$set"
  local -a files; mapfile -t files < <($files_fn)
  (( ${#files[@]} )) || die "plateau generate wrote no input files into $set"
  local bytes lines meetings
  bytes=$(bytes_of "${files[@]}")
  lines=$(cat "${files[@]}" | wc -l)
  meetings=$(cat "${files[@]}" | grep -c groupCall || true)
  echo "$bytes $lines $meetings" > "$set.stats"
  echo "$stamp" > "$set.stamp"
  awk -v b="$bytes" -v l="$lines" -v s=$((SECONDS - t0)) -v n=${#files[@]} \
    'BEGIN { printf "  done in %d s: %d files, %.2f GB, %.0f lines\n", s, n, b/1e9, l }'
}
prune_proxy() { find "$1/proxy" -name 'nss-web-americas-*.jsonl' -delete; }
# Only the call records and the directory stay: no usage reports for plateau to read besides.
prune_meetings() { rm -rf "$1/teams/activity"; find "$1" -maxdepth 1 -type f -delete; find "$1/teams" -maxdepth 1 -type f -delete; }

echo "== data sets under $dir"
prepare_set "$proxy_set" proxy_files prune_proxy "${PROXY_ARGS[@]}"
prepare_set "$meetings_set" meetings_files prune_meetings "${MEETINGS_ARGS[@]}"
read -r p_bytes p_lines _ < "$proxy_set.stats"
read -r m_bytes m_lines m_meetings < "$meetings_set.stats"
mapfile -t p_files < <(proxy_files)
mapfile -t m_files < <(meetings_files)
(( p_bytes >= PROXY_MIN_BYTES && p_lines >= PROXY_MIN_LINES )) ||
  die "proxy set too small ($p_bytes bytes, $p_lines lines; want >= $PROXY_MIN_BYTES, >= $PROXY_MIN_LINES): raise --proxy-lines in PROXY_ARGS"
(( m_meetings >= MIN_MEETINGS )) ||
  die "call-records set has $m_meetings meetings (want >= $MIN_MEETINGS): raise --scale in MEETINGS_ARGS"
echo "  proxy: ${#p_files[@]} CSV files, $p_bytes bytes, $p_lines lines"
echo "  call records: ${#m_files[@]} JSONL files, $m_bytes bytes, $m_lines lines, $m_meetings meetings"
echo "  disk: $(du -sh "$proxy_set" | cut -f1) + $(du -sh "$meetings_set" | cut -f1)"
echo

# ---------------------------------------------------------------- 3. the measurements
res=$dir/results
rm -rf "${res:?}"; mkdir -p "$res"

if /usr/bin/time --version 2>&1 | grep -q GNU; then
  rss_how="GNU time"
elif command -v python3 >/dev/null; then
  rss_how="python getrusage"
else
  rss_how=""
fi
# measure NAME OUT CMD...: runs CMD (stdout > OUT, stderr > OUT.err, no stdin, stopped after
# $timeout_s s); sets m_rc, m_secs (wall, from date) and m_rss_kb (peak RSS, "" when unknown).
measure() {
  local name=$1 out=$2; shift 2
  local rssf="$res/$name.rss" t0 t1
  : > "$rssf"
  t0=$(date +%s.%N)
  set +e
  case $rss_how in
    "GNU time") /usr/bin/time -f '%M' -o "$rssf" timeout "$timeout_s" "$@" > "$out" 2> "$out.err" < /dev/null ;;
    "python getrusage")
      python3 -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
open(sys.argv[1], "w").write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)' "$rssf" timeout "$timeout_s" "$@" > "$out" 2> "$out.err" < /dev/null ;;
    *) timeout "$timeout_s" "$@" > "$out" 2> "$out.err" < /dev/null ;;
  esac
  m_rc=$?
  set -e
  t1=$(date +%s.%N)
  m_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  m_rss_kb=$(tail -n 1 "$rssf" | grep -E '^[0-9]+$' || true)
}
# measure_best NAME OUT CMD...: measure, $runs times (stops at the first failure); keeps the
# fastest wall time and the highest peak RSS.
measure_best() {
  local i best="" peak=""
  for ((i = 1; i <= runs; i++)); do
    measure "$@"
    (( m_rc == 0 )) || return 0
    best=$(awk -v a="$best" -v b="$m_secs" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
    [[ -z $m_rss_kb ]] || peak=$(( ${peak:-0} > m_rss_kb ? ${peak:-0} : m_rss_kb ))
  done
  m_secs=$best m_rss_kb=$peak
}
failure() {  # OUT: one line saying why the last measure failed
  if (( m_rc == 124 )); then echo "timed out after $timeout_s s"; return; fi
  local msg; msg=$(grep -v '^Command exited with' "$1.err" | grep -m1 . | cut -c1-120 || true)
  echo "exit $m_rc${msg:+: $msg}"
}

rows=()   # tool|input|bytes|lines|secs|rss_kb|meetings|status
add_row() { rows+=("$1|$2|$3|$4|$5|$6|$7|$8"); }
p_input="proxy CSV, ${#p_files[@]} files"
m_input="call records, ${#m_files[@]} files"

echo "== measuring (warm page cache; best of $runs runs; $(nproc) cores; peak RSS by ${rss_how:-nothing: neither GNU time nor python3})"
read -r load _ < /proc/loadavg
if awk -v l="$load" 'BEGIN { exit !(l > 0.5) }'; then
  echo "warning: load average $load: other processes compete for the $(nproc) cores, figures are noisy"
fi
cat "${p_files[@]}" "${m_files[@]}" > /dev/null

# wc -l: the floor.
echo "wc -l over the proxy CSV ..."
measure_best wc "$res/wc.txt" wc -l -- "${p_files[@]}"
(( m_rc == 0 )) || die "wc -l failed: $(failure "$res/wc.txt")"
wc_lines=$(tail -n 1 "$res/wc.txt" | awk '{ print $1 }')
[[ $wc_lines == "$p_lines" ]] || die "wc -l counts $wc_lines lines, the stats file $p_lines: delete $proxy_set and rerun"
add_row "wc -l" "$p_input" "$p_bytes" "$p_lines" "$m_secs" "$m_rss_kb" "" ok

# DuckDB, pip-installed into its own venv.
duck_tool="DuckDB $duckdb_version, $duckdb_threads thr"
duck_ok=1 duck_secs="" duck_rss=""
duck_py=$venv/bin/python
if ! { [[ -x $duck_py ]] && "$duck_py" -c "import sys, duckdb; sys.exit(duckdb.__version__ != '$duckdb_version')" 2>/dev/null; }; then
  echo "installing duckdb==$duckdb_version into $venv ..."
  rm -rf "${venv:?}"
  if ! { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet --disable-pip-version-check "duckdb==$duckdb_version"; } > "$res/duckdb-install.log" 2>&1; then
    duck_ok=0
    echo "  could not install duckdb (python3 -m venv needs Debian's python3-venv): see $res/duckdb-install.log"
    add_row "$duck_tool" "$p_input" "$p_bytes" "$p_lines" "" "" "" "failed: could not install duckdb into $venv"
  fi
fi
if (( duck_ok )); then
  echo "DuckDB over the proxy CSV ..."
  measure_best duckdb "$res/duckdb.out" "$duck_py" "$here/duckdb_daily_users.py" "$proxy_set/proxy/nss-web-*.csv" "$res/duckdb-daily-users.csv" "$duckdb_threads"
  if (( m_rc == 0 )); then
    duck_secs=$m_secs duck_rss=$m_rss_kb
    add_row "$duck_tool" "$p_input" "$p_bytes" "$p_lines" "$m_secs" "$m_rss_kb" "" ok
    echo "  $(cat "$res/duckdb.out") (day, department) rows in $res/duckdb-daily-users.csv"
    measure duckdb-idle "$res/duckdb-idle.out" "$duck_py" -c 'import duckdb; duckdb.connect().execute("SELECT 1").fetchall()'
    duck_idle_kb=$m_rss_kb
  else
    duck_ok=0
    add_row "$duck_tool" "$p_input" "$p_bytes" "$p_lines" "" "" "" "failed: $(failure "$res/duckdb.out")"
  fi
fi

# plateau snapshot: the JSON goes to a file and must parse.
plateau_run() {  # NAME INPUT_DIR: measures the snapshot, sets pl_ok and pl_status
  local name=$1 input=$2 out="$res/$1.json"
  measure_best "$name" "$out" "$bin" snapshot --format json --quiet --tz UTC --min-group 1 "$input"
  pl_ok=0
  if (( m_rc != 0 )); then pl_status="failed: $(failure "$out")"
  elif [[ ! -s $out ]]; then pl_status="failed: no output"
  elif command -v python3 >/dev/null && ! python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$out" 2>/dev/null; then
    pl_status="failed: output is not JSON ($out)"
  else pl_ok=1 pl_status=ok
  fi
}
echo "plateau snapshot over the proxy CSV ..."
plateau_run plateau-proxy "$proxy_set"
pl_proxy_ok=$pl_ok pl_secs=$m_secs pl_rss=$m_rss_kb
add_row "plateau snapshot" "$p_input" "$p_bytes" "$p_lines" "$m_secs" "$m_rss_kb" "" "$pl_status"
echo "plateau snapshot over the call records ..."
plateau_run plateau-callrecords "$meetings_set"
add_row "plateau snapshot" "$m_input" "$m_bytes" "$m_lines" "$m_secs" "$m_rss_kb" "$m_meetings" "$pl_status"

# plateau ingest --store: the same inputs into a new store (people as keyed pseudonyms, one
# transaction per 32 MiB batch), then again with nothing new; and the keyed in-memory
# snapshot for comparison (PLATEAU_KEY makes it compute the same pseudonyms).
export PLATEAU_KEY=${PLATEAU_KEY:-$(printf '%064x' 2020)}
store_run() {  # NAME INPUT_DIR ROW_INPUT BYTES LINES
  local name=$1 input=$2 db="$res/$1.db"
  measure_best "$name-keyed" "$res/$name-keyed.json" "$bin" snapshot --format json --quiet --tz UTC --min-group 1 "$input"
  add_row "snapshot, PLATEAU_KEY" "$3" "$4" "$5" "$m_secs" "$m_rss_kb" "" "$( ((m_rc == 0)) && echo ok || echo "failed: $(failure "$res/$name-keyed.json")")"
  measure_best "$name" "$res/$name.out" bash -c 'rm -f "$1" "$1-wal" "$1-shm"; shift; exec "$@"' _ "$db" \
    "$bin" ingest --store "$db" --quiet --tz UTC "$input"
  add_row "ingest --store (new)" "$3" "$4" "$5" "$m_secs" "$m_rss_kb" "" "$( ((m_rc == 0)) && echo ok || echo "failed: $(failure "$res/$name.out")")"
  measure_best "$name-again" "$res/$name-again.out" "$bin" ingest --store "$db" --tz UTC "$input"
  add_row "ingest --store (again)" "$3" "$4" "$5" "$m_secs" "$m_rss_kb" "" "$( ((m_rc == 0)) && echo ok || echo "failed: $(failure "$res/$name-again.out")")"
  echo "  store: $(du -h "$db" | cut -f1); again: $(tail -n 1 "$res/$name-again.out" | sed 's/.*: //')"
}
echo "plateau ingest --store over the proxy CSV ..."
store_run plateau-store-proxy "$proxy_set" "$p_input" "$p_bytes" "$p_lines"
echo "plateau ingest --store over the call records ..."
store_run plateau-store-callrecords "$meetings_set" "$m_input" "$m_bytes" "$m_lines"
echo

# ---------------------------------------------------------------- the table
printf '%-22s %-24s %6s %10s %8s %8s %11s %8s %11s\n' \
  tool input GB lines seconds MB/s lines/s "RSS MB" meetings/s
for r in "${rows[@]}"; do
  IFS='|' read -r tool input bytes lines secs rss meetings status <<< "$r"
  if [[ $status != ok ]]; then
    printf '%-22s %-24s %s: failed (%s)\n' "$tool" "$input" "${tool%% *}" "${status#failed: }"
    continue
  fi
  awk -v t="$tool" -v i="$input" -v b="$bytes" -v l="$lines" -v s="$secs" -v r="$rss" -v m="$meetings" 'BEGIN {
    rs = (r == "") ? "?" : sprintf("%.1f", r / 1024)
    ms = (m == "") ? "" : sprintf("%.0f", m / s)
    printf "%-22s %-24s %6.2f %10.0f %8.2f %8.1f %11.0f %8s %11s\n", t, i, b/1e9, l, s, b/1e6/s, l/s, rs, ms }'
done
echo
if (( duck_ok )) && [[ -n ${duck_idle_kb:-} ]]; then
  echo "(DuckDB's RSS includes its Python interpreter: $(awk -v k="$duck_idle_kb" 'BEGIN { printf "%.1f", k/1024 }') MB for import duckdb and one tiny query)"
fi
if (( duck_ok && pl_proxy_ok )) && [[ -n $duck_rss && -n $pl_rss ]]; then
  awk -v ds="$duck_secs" -v ps="$pl_secs" -v dr="$duck_rss" -v pr="$pl_rss" 'BEGIN {
    tp = ds / ps; mem = pr / dr
    printf "plateau / DuckDB throughput: %.2fx (target >= 1.5x)\n", tp
    printf "plateau / DuckDB peak RSS:   %.3fx (target <= 0.333x)\n", mem
    printf "target met: %s\n", (tp >= 1.5 && mem <= 1/3) ? "yes" : "no" }'
else
  echo "plateau / DuckDB: n/a ($( ((duck_ok)) || printf 'DuckDB failed; ')$( ((pl_proxy_ok)) || printf 'plateau failed; ')no ratio)"
  echo "target met: no"
fi
if (( duck_ok && pl_proxy_ok )); then
  "$duck_py" "$here/compare_daily_users.py" "$res/plateau-proxy.json" "$res/duckdb-daily-users.csv" || true
fi
echo "outputs and stderr of every run: $res"
