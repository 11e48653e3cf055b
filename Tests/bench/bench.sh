#!/usr/bin/env bash
# make bench, in one run:
#   1. times `plateau generate` writing multi-gigabyte logs (release build);
#   2. generates, once, the comparison sets under WORK_DIR (reused while a set's stamp — its
#      generate arguments — matches and its log files have the recorded size):
#        narrow     Zscaler NSS CSV, 10 columns (datetime,user,department,location,hostname,url,
#                   action,reason,transactionsize,clientip), 4 weeks, ~100 k people, ~8 M lines,
#                   ~1.4 GB, with the directory beside it;
#        wide       the same people and days as the 41-column SIEM web feed (~3.6 GB), with the
#                   directory beside it;
#        callrec    Teams call records (JSON lines, >= 1 M meetings) and the directory;
#        narrow-2x  the narrow feed of twice the people (no directory);
#        narrow-4x  twice the people over twice the days (no directory);
#   3. measures on each set, page cache warm, rounds interleaved (wc -l, DuckDB, plateau, then
#      again), wall seconds and peak RSS of `wc -l` (the floor), DuckDB (the same daily-distinct-
#      users query, 2 threads) and `plateau snapshot` — with the directory (the set's folder) and
#      without it (its log folder only) — and prints ONE table: a row per (set, directory or
#      not) with both tools' best time, the throughput ratio (DuckDB s / plateau s; in brackets
#      the range of the per-round ratios), both peak RSS and their ratio, the cell-by-cell check
#      (plateau and DuckDB agree on every (day, BU) distinct-user count) and the target:
#      plateau >= 2x DuckDB's throughput at <= 1/3 of its peak RSS (issue 15);
#   4. `plateau ingest --store` on the narrow and call-records sets (new store, then again with
#      nothing new) next to the keyed in-memory snapshot (BENCH_STORE=0 skips it).
# A failing tool is reported in its row; the bench goes on.
#
# Usage: bench.sh PLATEAU_BINARY WORK_DIR
# Environment:
#   BENCH_SCALE       multiplies every set's --scale (people), e.g. 0.1 to check the harness in a
#                     minute; sets of another scale live in their own folders (default 1)
#   BENCH_SETS        the sets to measure, comma-separated (default: narrow,wide,callrec,narrow-2x,narrow-4x)
#   BENCH_VENV        virtual env DuckDB is pip-installed into (default: WORK_DIR/../bench-venv)
#   DUCKDB_VERSION    duckdb wheel to install (default 2.0.1)
#   DUCKDB_THREADS    DuckDB's threads (default 2)
#   BENCH_GENERATOR=0 skips part 1 (the generator timings, ~40 s)
#   BENCH_STORE=0     skips part 4 (the store)
#   BENCH_TIMEOUT     seconds after which one measured command is stopped (default 1800)
#   BENCH_RUNS        rounds of measurements; the table keeps each command's fastest wall time
#                     and highest peak RSS (default 3)
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
scale=${BENCH_SCALE:-1}
wanted=${BENCH_SETS:-narrow,wide,callrec,narrow-2x,narrow-4x}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, not '$runs'"
[[ $scale =~ ^[0-9]*\.?[0-9]+$ ]] && awk -v s="$scale" 'BEGIN { exit !(s > 0) }' ||
  die "BENCH_SCALE must be a positive number, not '$scale'"
sc() { awk -v a="$1" -v f="$scale" 'BEGIN { printf "%g", a * f }'; }   # a --scale times BENCH_SCALE
suffix=$([[ $scale == 1 ]] || echo "-x$scale")

# The sets' generate arguments (at BENCH_SCALE 1; measured sizes in the README's Speed section).
# ~100 k people write proxy CSV at --scale 0.75 (the Americas' JSON files are removed).
WEEKS4=(--from 2020-03-02 --to 2020-03-29)
WEEKS8=(--from 2020-03-02 --to 2020-04-26)
NARROW_ARGS=(--only directory,proxy --proxy-columns narrow --scale "$(sc 0.75)" --proxy-lines 6.5 "${WEEKS4[@]}")
WIDE_ARGS=(--only directory,proxy --proxy-columns wide --scale "$(sc 0.75)" --proxy-lines 6.5 "${WEEKS4[@]}")
CALLREC_ARGS=(--only directory,meetings --scale "$(sc 1.5)" --from 2020-03-23 --to 2020-05-10)
NARROW2_ARGS=(--only proxy --proxy-columns narrow --scale "$(sc 1.5)" --proxy-lines 6.5 "${WEEKS4[@]}")
NARROW4_ARGS=(--only proxy --proxy-columns narrow --scale "$(sc 1.5)" --proxy-lines 6.5 "${WEEKS8[@]}")

# ---------------------------------------------------------------- 1. the generator
gen() {  # id, label, then generate arguments
  local id=$1 label=$2; shift 2
  rm -rf "${dir:?}/$id"
  local t0 t1 bytes lines
  t0=$(date +%s.%N)
  if ! "$bin" generate --out "$dir/$id" --quiet "$@"; then
    echo "$label: plateau generate failed"; rm -rf "${dir:?}/$id"; return 0
  fi
  t1=$(date +%s.%N)
  bytes=$(du -sb "$dir/$id" | cut -f1)
  lines=$(find "$dir/$id" -type f -name '*.*' ! -name '*.md' ! -name '*.toml' -exec cat {} + | wc -l)
  awk -v n="$label" -v b="$bytes" -v l="$lines" -v t0="$t0" -v t1="$t1" 'BEGIN { s = t1 - t0;
    printf "%-36s %6.2f GB %11d lines %6.1f s %7.1f MB/s %9.0f lines/s\n", n, b/1e9, l, s, b/1e6/s, l/s }'
  rm -rf "${dir:?}/$id"
}
if [[ ${BENCH_GENERATOR:-1} != 0 ]]; then
  echo "== plateau generate (release build, $(nproc) cores)"
  gen gen-proxy "proxy CSV+JSON, scale $(sc 1), 26 days" --only proxy --scale "$(sc 1)" --proxy-lines 6 --from 2020-03-02 --to 2020-03-27
  gen gen-wide "proxy wide CSV+JSON, scale $(sc 0.5), 26 d" --only proxy --proxy-columns wide --scale "$(sc 0.5)" --proxy-lines 6 --from 2020-03-02 --to 2020-03-27
  gen gen-meetings "call records, scale $(sc 1), 7 weeks" --only meetings --scale "$(sc 1)" --from 2020-03-23 --to 2020-05-10
  gen gen-all "every feed, scale $(sc 0.25), 18 weeks" --scale "$(sc 0.25)" --proxy-lines 2
  echo
fi

# ---------------------------------------------------------------- 2. the data sets
bytes_of() { local f; for f in "$@"; do stat -c %s "$f"; done | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
proxy_files() { compgen -G "$1/proxy/nss-web-*.csv" | sort || true; }
callrec_files() { compgen -G "$1/teams/callrecords/*.jsonl" | sort || true; }
prune_proxy() { find "$1/proxy" -name 'nss-web-americas-*.jsonl' -delete; find "$1" -maxdepth 1 -type f -delete; }
# Only the call records and the directory stay: no usage reports for plateau to read besides.
prune_callrec() { rm -rf "$1/teams/activity"; find "$1" -maxdepth 1 -type f -delete; find "$1/teams" -maxdepth 1 -type f -delete; }

# prepare_set SET FILES_FN PRUNE_FN ARGS...: (re)generates SET unless SET.stamp records ARGS and
# SET.stats the current size of FILES_FN's files (SET.stats: bytes lines meetings; both files sit
# beside SET so that plateau reads nothing but the logs and the directory). Returns 1 (after
# saying why) when the generator fails.
prepare_set() {
  local set=$1 files_fn=$2 prune_fn=$3; shift 3
  local stamp="plateau generate $* (pruned by $prune_fn; stats v2)"
  if [[ -f $set.stamp && -f $set.stats && $(cat "$set.stamp") == "$stamp" ]]; then
    local -a files; mapfile -t files < <($files_fn "$set")
    if (( ${#files[@]} )) && [[ $(bytes_of "${files[@]}") == "$(cut -d' ' -f1 "$set.stats")" ]]; then
      echo "reusing $set (stamp matches: $*)"; return 0
    fi
  fi
  echo "generating $set: plateau generate $* ..."
  rm -rf "${set:?}" "${set:?}.partial" "$set.stamp" "$set.stats"
  local t0=$SECONDS
  if ! "$bin" generate --out "$set.partial" --quiet "$@"; then
    echo "  plateau generate failed for $set"; rm -rf "${set:?}.partial"; return 1
  fi
  $prune_fn "$set.partial"
  mv "$set.partial" "$set"
  local -a files; mapfile -t files < <($files_fn "$set")
  (( ${#files[@]} )) || { echo "  plateau generate wrote no input files into $set"; return 1; }
  local bytes lines meetings
  bytes=$(bytes_of "${files[@]}")
  lines=$(cat "${files[@]}" | wc -l)
  meetings=$(cat "${files[@]}" | grep -c groupCall || true)
  echo "$bytes $lines $meetings" > "$set.stats"
  echo "$stamp" > "$set.stamp"
  awk -v b="$bytes" -v l="$lines" -v s=$((SECONDS - t0)) -v n=${#files[@]} \
    'BEGIN { printf "  done in %d s: %d files, %.2f GB, %.0f lines\n", s, n, b/1e9, l }'
}

# The sets: id | folder | files function | prune function | DuckDB query | generate arguments
# (by name) | plateau inputs: "label=subfolder" (empty: the whole set, with its directory).
declare -A set_dir set_files set_prune set_query set_args set_runs set_label
define_set() { set_dir[$1]=$dir/set-$1$suffix set_files[$1]=$2 set_prune[$1]=$3 set_query[$1]=$4 set_args[$1]=$5 set_label[$1]=$6 set_runs[$1]=$7; }
define_set narrow proxy_files prune_proxy proxy NARROW_ARGS "NSS CSV narrow (10 col)" "no directory=proxy;directory="
define_set wide proxy_files prune_proxy proxy WIDE_ARGS "NSS CSV wide (41 col)" "directory=;no directory=proxy"
define_set callrec callrec_files prune_callrec meetings CALLREC_ARGS "call records (JSONL)" "directory="
define_set narrow-2x proxy_files prune_proxy proxy NARROW2_ARGS "NSS CSV narrow 2x people" "no directory="
define_set narrow-4x proxy_files prune_proxy proxy NARROW4_ARGS "NSS CSV narrow 4x (2x ppl, 2x days)" "no directory="
IFS=',' read -r -a sets <<< "$wanted"
for s in "${sets[@]}"; do [[ -n ${set_dir[$s]:-} ]] || die "BENCH_SETS: unknown set '$s' (known: narrow,wide,callrec,narrow-2x,narrow-4x)"; done

# Sets of earlier versions of this bench, superseded by the ones above.
for old in "$dir/set-proxy-csv" "$dir/set-callrecords"; do
  if [[ -e $old ]]; then echo "removing $old (a set of an earlier make bench)"; rm -rf "${old:?}" "$old.stamp" "$old.stats"; fi
done

echo "== data sets under $dir (BENCH_SCALE $scale)"
ready=()
for s in "${sets[@]}"; do
  declare -n args_ref=${set_args[$s]}
  if prepare_set "${set_dir[$s]}" "${set_files[$s]}" "${set_prune[$s]}" "${args_ref[@]}"; then ready+=("$s"); fi
  unset -n args_ref
done
echo

# ---------------------------------------------------------------- 3. the measurements
# The table compares counting, not pseudonymising: no key. (A key file that an earlier
# `plateau ingest` left in ~/.local/share/plateau would make every snapshot compute pseudonyms;
# part 4 measures that on purpose, with PLATEAU_KEY.)
unset PLATEAU_KEY
export PLATEAU_KEY_FILE=$dir/no-key-for-the-table
rm -f "$PLATEAU_KEY_FILE"
res=$dir/results$suffix
rm -rf "${res:?}"; mkdir -p "$res"

if /usr/bin/time --version 2>&1 | grep -q GNU; then
  rss_how="GNU time"
elif command -v python3 >/dev/null; then
  rss_how="python getrusage"
else
  rss_how=""
fi
# measure NAME OUT CMD...: runs CMD (stdout > OUT, stderr > OUT.err, no stdin, stopped after
# $timeout_s s); sets m_rc, m_secs (wall, from date), m_cpu (user + system seconds, "" when
# unknown) and m_rss_kb (peak RSS, "" when unknown).
measure() {
  local name=$1 out=$2; shift 2
  local rssf="$res/$name.rusage" t0 t1
  : > "$rssf"
  t0=$(date +%s.%N)
  set +e
  case $rss_how in
    "GNU time") /usr/bin/time -f '%U %S %M' -o "$rssf" timeout "$timeout_s" "$@" > "$out" 2> "$out.err" < /dev/null ;;
    "python getrusage")
      python3 -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
r = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write("%.2f %.2f %d\n" % (r.ru_utime, r.ru_stime, r.ru_maxrss))
sys.exit(rc)' "$rssf" timeout "$timeout_s" "$@" > "$out" 2> "$out.err" < /dev/null ;;
    *) timeout "$timeout_s" "$@" > "$out" 2> "$out.err" < /dev/null ;;
  esac
  m_rc=$?
  set -e
  t1=$(date +%s.%N)
  m_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  local last; last=$(tail -n 1 "$rssf")
  if [[ $last =~ ^([0-9.]+)\ ([0-9.]+)\ ([0-9]+)$ ]]; then
    m_cpu=$(awk -v u="${BASH_REMATCH[1]}" -v s="${BASH_REMATCH[2]}" 'BEGIN { printf "%.2f", u + s }')
    m_rss_kb=${BASH_REMATCH[3]}
  else
    m_cpu="" m_rss_kb=""
  fi
}
failure() {  # OUT: one line saying why the last measure failed
  if (( m_rc == 124 )); then echo "timed out after $timeout_s s"; return; fi
  local msg; msg=$(grep -v '^Command exited with' "$1.err" | grep -m1 . | cut -c1-80 || true)
  echo "exit $m_rc${msg:+: $msg}"
}

# Results per measured command id: every round's seconds, the best seconds and its CPU time,
# the highest peak RSS, and "ok" or "failed: why".
declare -A r_secs r_best r_cpu r_rss r_status
record() {  # ID OUT: files the last measure under ID (a failed command is not run again)
  local id=$1 out=$2
  if (( m_rc != 0 )); then r_status[$id]="failed: $(failure "$out")"; return; fi
  r_status[$id]=ok
  r_secs[$id]="${r_secs[$id]:-} $m_secs"
  if [[ -z ${r_best[$id]:-} ]] || awk -v a="$m_secs" -v b="${r_best[$id]}" 'BEGIN { exit !(a < b) }'; then
    r_best[$id]=$m_secs r_cpu[$id]=$m_cpu
  fi
  [[ -z $m_rss_kb ]] || r_rss[$id]=$(( ${r_rss[$id]:-0} > m_rss_kb ? ${r_rss[$id]:-0} : m_rss_kb ))
}
runnable() { [[ ${r_status[$1]:-ok} == ok ]]; }

# DuckDB, pip-installed into its own venv.
duck_ok=1 duck_why=""
duck_py=$venv/bin/python
if ! { [[ -x $duck_py ]] && "$duck_py" -c "import sys, duckdb; sys.exit(duckdb.__version__ != '$duckdb_version')" 2>/dev/null; }; then
  echo "installing duckdb==$duckdb_version into $venv ..."
  rm -rf "${venv:?}"
  if ! { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet --disable-pip-version-check "duckdb==$duckdb_version"; } > "$res/duckdb-install.log" 2>&1; then
    duck_ok=0 duck_why="could not install duckdb (see $res/duckdb-install.log; python3 -m venv needs python3-venv)"
    echo "  $duck_why"
  fi
fi
duckdb_cmd() {  # SET OUT.csv: sets cmd to the DuckDB command of the set's query
  local s=$1 d=${set_dir[$1]}
  case ${set_query[$s]} in
    proxy) cmd=("$duck_py" "$here/duckdb_daily_users.py" "$d/proxy/nss-web-*.csv" "$2" "$duckdb_threads") ;;
    meetings) cmd=("$duck_py" "$here/duckdb_meeting_users.py" "$d/teams/callrecords/*.jsonl" "$d/directory/people.csv" "$2" "$duckdb_threads") ;;
  esac
}
duck_tool="DuckDB $duckdb_version ($duckdb_threads threads)"

echo "== measuring (warm page cache; $runs interleaved rounds; $(nproc) cores; peak RSS by ${rss_how:-nothing: neither GNU time nor python3})"
for s in "${ready[@]}"; do
  d=${set_dir[$s]}
  mapfile -t files < <(${set_files[$s]} "$d")
  read -r load _ < /proc/loadavg
  echo "${set_label[$s]} ($s): ${#files[@]} files, $(cut -d' ' -f1 "$d.stats" | awk '{ printf "%.2f GB", $1/1e9 }'); load average $load$(awk -v l="$load" 'BEGIN { if (l > 0.5) printf " (other processes compete for the cores: figures are noisy)" }')"
  cat "${files[@]}" > /dev/null
  [[ ! -d $d/directory ]] || cat "$d"/directory/* > /dev/null
  IFS=';' read -r -a inputs <<< "${set_runs[$s]}"
  for ((round = 1; round <= runs; round++)); do
    measure "wc-$s" "$res/wc-$s.txt" wc -l -- "${files[@]}"; record "wc-$s" "$res/wc-$s.txt"
    if (( duck_ok )) && runnable "duck-$s"; then
      duckdb_cmd "$s" "$res/duck-$s.csv"
      measure "duck-$s" "$res/duck-$s.out" "${cmd[@]}"; record "duck-$s" "$res/duck-$s.out"
    fi
    for i in "${!inputs[@]}"; do
      id="pl-$s-$i" sub=${inputs[$i]#*=}
      runnable "$id" || continue
      measure "$id" "$res/$id.json" "$bin" snapshot --format json --quiet --tz UTC --min-group 1 "$d${sub:+/$sub}"
      record "$id" "$res/$id.json"
      if [[ ${r_status[$id]:-} == ok && ! -s $res/$id.json ]]; then r_status[$id]="failed: no output"; fi
    done
  done
done
if (( duck_ok )); then
  measure duckdb-idle "$res/duckdb-idle.out" "$duck_py" -c 'import duckdb; duckdb.connect().execute("SELECT 1").fetchall()'
  duck_idle_kb=$m_rss_kb
fi
echo

# ---------------------------------------------------------------- the table
mb() { [[ -n $1 ]] && awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }' || echo "?"; }
target_all=yes
table=()
for s in "${ready[@]}"; do
  d=${set_dir[$s]}
  read -r bytes lines meetings < "$d.stats"
  IFS=';' read -r -a inputs <<< "${set_runs[$s]}"
  wc_s=$( [[ ${r_status[wc-$s]:-} == ok ]] && echo "${r_best[wc-$s]}" || echo "failed" )
  for i in "${!inputs[@]}"; do
    id="pl-$s-$i" label="${set_label[$s]}, ${inputs[$i]%%=*}"
    duck="" ratio="" rss_ratio="" cells="" target=no
    if (( ! duck_ok )); then duck="failed: $duck_why"
    elif [[ ${r_status[duck-$s]:-} != ok ]]; then duck="${r_status[duck-$s]:-failed: not run}"
    fi
    pl=""
    [[ ${r_status[$id]:-} == ok ]] || pl="${r_status[$id]:-failed: not run}"
    if [[ -z $duck && -z $pl ]]; then
      # Ratio of the best times, and the range of the per-round ratios (rounds interleaved).
      ratio=$(awk -v d="${r_best[duck-$s]}" -v p="${r_best[$id]}" -v ds="${r_secs[duck-$s]}" -v ps="${r_secs[$id]}" 'BEGIN {
        n = split(ds, a, " "); split(ps, b, " "); lo = 1e9; hi = 0
        for (k = 1; k <= n; k++) if (b[k] > 0) { r = a[k] / b[k]; if (r < lo) lo = r; if (r > hi) hi = r }
        printf "%.2f (%.2f-%.2f)", d / p, lo, hi }')
      if [[ -n ${r_rss[duck-$s]:-} && -n ${r_rss[$id]:-} ]]; then
        rss_ratio=$(awk -v d="${r_rss[duck-$s]}" -v p="${r_rss[$id]}" 'BEGIN { printf "%.2f", p / d }')
      fi
      metric=$([[ ${set_query[$s]} == meetings ]] && echo meetings.users || echo proxy.users)
      cells=$("$duck_py" "$here/compare_daily_users.py" --metric "$metric" --summary "$res/$id.json" "$res/duck-$s.csv" 2>&1 | tail -n 1) || true
      cells=${cells:-"?"}
      target=$(awk -v d="${r_best[duck-$s]}" -v p="${r_best[$id]}" -v r="${rss_ratio:-9}" 'BEGIN { print (d / p >= 2 && r <= 1/3) ? "yes" : "no" }')
    fi
    [[ $target == yes ]] || target_all=no
    table+=("$label|$(awk -v b="$bytes" 'BEGIN { printf "%.2f", b/1e9 }')|$lines|$wc_s|${duck:-${r_best[duck-$s]:-}}|${pl:-${r_best[$id]:-}}|${r_cpu[$id]:-}|$ratio|$(mb "${r_rss[duck-$s]:-}")|$(mb "${r_rss[$id]:-}")|$rss_ratio|$cells|$target")
  done
done

echo "== plateau snapshot against $duck_tool: best of $runs interleaved rounds; throughput ratio = DuckDB s / plateau s (range of the per-round ratios); RSS ratio = plateau / DuckDB"
echo "   target (issue 15): ratio >= 2.00 and RSS ratio <= 0.33 on every row; cells: (day, BU) counts where plateau and DuckDB agree"
fmt='%-46s %6s %10s %7s %8s %8s %7s %-18s %7s %7s %6s %-15s %s\n'
printf "$fmt" set GB lines "wc -l s" "DuckDB s" "plat s" "plat CPU" "ratio (range)" "DuckDB MB" "plat MB" "RSS" cells target
for row in "${table[@]}"; do
  IFS='|' read -r label gb lines wc_s duck pl cpu ratio dmb pmb rr cells target <<< "$row"
  # A failure takes the rest of the row.
  if [[ $duck == failed* || $pl == failed* ]]; then
    printf '%-46s %6s %10s %7s  ' "$label" "$gb" "$lines" "$wc_s"
    [[ $duck != failed* ]] || printf 'DuckDB %s  ' "$duck"
    [[ $pl != failed* ]] || printf 'plateau %s' "$pl"
    printf '\n'
    continue
  fi
  printf "$fmt" "$label" "$gb" "$lines" "$wc_s" "$duck" "$pl" "$cpu" "$ratio" "$dmb" "$pmb" "$rr" "$cells" "$target"
done
if (( duck_ok )) && [[ -n ${duck_idle_kb:-} ]]; then
  echo "(DuckDB's RSS includes its Python interpreter: $(mb "$duck_idle_kb") MB for import duckdb and one tiny query; plat CPU: user + system seconds of the fastest plateau run)"
fi
echo "target met on every row: $target_all"
echo "outputs and stderr of every run: $res"
echo

# ---------------------------------------------------------------- 4. the store
# plateau ingest --store: the same inputs into a new store (people as keyed pseudonyms, one
# transaction per 32 MiB batch), then again with nothing new; and the keyed in-memory
# snapshot for comparison (PLATEAU_KEY makes it compute the same pseudonyms).
if [[ ${BENCH_STORE:-1} != 0 ]]; then
  export PLATEAU_KEY=${PLATEAU_KEY:-$(printf '%064x' 2020)}
  store_rows=()
  store_one() {  # ID LABEL CMD...: best of $runs
    local id=$1 label=$2; shift 2
    unset "r_status[$id]" "r_best[$id]" "r_rss[$id]"
    local k; for ((k = 1; k <= runs; k++)); do runnable "$id" || break; measure "$id" "$res/$id.out" "$@"; record "$id" "$res/$id.out"; done
    store_rows+=("$label|${r_status[$id]:-failed: not run}|${r_best[$id]:-}|$(mb "${r_rss[$id]:-}")")
  }
  for s in narrow callrec; do
    [[ " ${ready[*]} " == *" $s "* ]] || continue
    d=${set_dir[$s]} db="$res/store-$s.db"
    echo "plateau ingest --store over ${set_label[$s]} ..."
    store_one "keyed-$s" "${set_label[$s]}: snapshot, PLATEAU_KEY" "$bin" snapshot --format json --quiet --tz UTC --min-group 1 "$d"
    store_one "store-$s" "${set_label[$s]}: ingest --store (new)" bash -c 'rm -f "$1" "$1-wal" "$1-shm"; shift; exec "$@"' _ "$db" \
      "$bin" ingest --store "$db" --quiet --tz UTC "$d"
    store_one "again-$s" "${set_label[$s]}: ingest --store (again)" "$bin" ingest --store "$db" --tz UTC "$d"
    [[ ! -f $db ]] || echo "  store: $(du -h "$db" | cut -f1); again: $(tail -n 1 "$res/again-$s.out" | sed 's/.*: //')"
  done
  printf '%-58s %9s %9s\n' "plateau store (best of $runs)" seconds "RSS MB"
  for row in "${store_rows[@]}"; do
    IFS='|' read -r label status secs rssmb <<< "$row"
    if [[ $status == ok ]]; then printf '%-58s %9.2f %9s\n' "$label" "$secs" "$rssmb"; else printf '%-58s %s\n' "$label" "$status"; fi
  done
fi
