#!/usr/bin/env bash
# make bench, ClickHouse part (skipped when clickhouse-server is not installed): on one generated
# data set (all feeds), the in-memory `plateau snapshot` against `plateau ingest --to` (load
# throughput) and `plateau snapshot --source` (the rollups computed by the database), with one
# local server started for the run (127.0.0.1 only, config and data in a temporary folder,
# stopped on exit). Checks that both snapshots print the same CSV.
#
# Usage: clickhouse.sh PLATEAU_BINARY WORK_DIR
# Environment: CH_SCALE (default 0.1), CH_PROXY_LINES (default 4), CH_RUNS (default 3: the
# fastest of the snapshot runs is kept), CH_SHARDS (default 1; 2 or more: that many servers on
# this machine as one cluster, loaded and queried through Distributed tables), CH_APPENDS,
# CH_APPEND_MODE (below), CH_LOGS (a folder: the loads' --verbose output is copied there).
set -euo pipefail

die() { echo "bench: $*" >&2; exit 1; }
[[ $# -eq 2 ]] || die "usage: clickhouse.sh PLATEAU_BINARY WORK_DIR"
[[ -x $1 ]] || die "no plateau binary at '$1' (run: make build)"
bin=$(realpath "$1")
mkdir -p "$2"
dir=$(realpath "$2")
server=$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)
if [[ ! -x $server ]]; then echo "== ClickHouse: clickhouse-server is not installed; skipped (apt-get install clickhouse-server)"; exit 0; fi
runs=${CH_RUNS:-3}

# ------------------------------------------------------------ the data set (generated once)
set_dir=$dir/ch-set
args=(--scale "${CH_SCALE:-0.1}" --proxy-lines "${CH_PROXY_LINES:-4}" --seed 2020)
stamp="plateau generate ${args[*]}"
if [[ ! -f $set_dir.stamp || $(cat "$set_dir.stamp") != "$stamp" ]]; then
  echo "generating $set_dir: $stamp ..."
  rm -rf "$set_dir" "$set_dir.stamp"
  "$bin" generate --out "$set_dir" --quiet "${args[@]}"
  echo "$stamp" > "$set_dir.stamp"
fi
bytes=$(du -sb "$set_dir" | cut -f1)

# ------------------------------------------------------------ local servers
shards=${CH_SHARDS:-1}
run=$(mktemp -d /tmp/plateau-bench-ch.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
https=() tcps=() pids=()
for i in $(seq "$shards"); do https+=("$(free_port)"); tcps+=("$(free_port)"); done
remote=""
if (( shards > 1 )); then
  remote="<remote_servers><bench>"
  for t in "${tcps[@]}"; do
    remote+="<shard><replica><host>127.0.0.1</host><port>$t</port><user>default</user><password>$password</password></replica></shard>"
  done
  remote+="</bench></remote_servers>"
fi
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done; rm -rf "$run"' EXIT
for i in $(seq 0 $((shards - 1))); do
  s=$run/s$i http=${https[$i]} tcp=${tcps[$i]}
  mkdir -p "$s"/{data,tmp,user_files,format_schemas,log}
  cat > "$s/config.xml" <<XML
<yandex>
  <logger><level>warning</level><log>$s/log/server.log</log><errorlog>$s/log/error.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host><http_port>$http</http_port><tcp_port>$tcp</tcp_port>
  <path>$s/data/</path><tmp_path>$s/tmp/</tmp_path><user_files_path>$s/user_files/</user_files_path>
  <format_schema_path>$s/format_schemas/</format_schema_path><users_config>$s/users.xml</users_config>
  <default_profile>default</default_profile><default_database>default</default_database><timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  $remote
</yandex>
XML
  cat > "$s/users.xml" <<XML
<yandex>
  <profiles><default></default></profiles>
  <users><default><password>$password</password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
XML
  "$server" --config-file="$s/config.xml" >"$s/log/stdout.log" 2>&1 &
  pids+=($!)
done
for http in "${https[@]}"; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$http/ping" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$http/ping" >/dev/null || die "a ClickHouse server did not start (logs: $run)"
done
http=${https[0]}
query=""
if (( shards > 1 )); then
  query="?cluster=bench&shards=$(for h in "${https[@]}"; do printf '127.0.0.1:%s,' "$h"; done | sed 's/,$//')"
fi
# Credentials from the environment, as an operator would pass them.
export PLATEAU_CLICKHOUSE_URL="clickhouse://default:$password@127.0.0.1:$http/bench$query"

now() { date +%s.%N; }
best() {  # runs "$@" CH_RUNS times, stdout to $out; sets secs to the fastest wall time
  secs=""
  for _ in $(seq "$runs"); do
    local t0 t1; t0=$(now); "$@" > "$out"; t1=$(now)
    secs=$(awk -v a="$t0" -v b="$t1" -v s="$secs" 'BEGIN { d = b - a; print (s == "" || d < s) ? d : s }')
  done
}

echo "== ClickHouse $(curl -s -u "default:$password" "http://127.0.0.1:$http/" --data-binary "SELECT version()"), $shards server(s) on 127.0.0.1$( (( shards > 1 )) && echo " as a $shards-shard cluster (Distributed tables)"), $(nproc) cores; data: $stamp, $(awk -v b="$bytes" 'BEGIN { printf "%.0f MB", b/1e6 }') on disk"
out=$run/memory.csv
best "$bin" snapshot --format csv --quiet --min-group 1 "$set_dir"
mem_secs=$secs
t0=$(now)
"$bin" ingest "$set_dir" --to env > "$run/ingest.txt"
t1=$(now)
load_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
records=$(sed -n 's/^load .*: +[0-9]* lines, +\([0-9]*\) records;.*/\1/p' "$run/ingest.txt" | tail -1)
summary=$(tail -1 "$run/ingest.txt" | sed "s/$password/***/g")
out=$run/clickhouse.csv
best "$bin" snapshot --format csv --quiet --min-group 1 --source env --config "$set_dir/plateau.toml"
ch_secs=$secs
facts=$(curl -s -u "default:$password" "http://127.0.0.1:$http/?database=bench" --data-binary "SELECT count() FROM plateau_facts")
disk=0
for h in "${https[@]}"; do
  disk=$((disk + $(curl -s -u "default:$password" "http://127.0.0.1:$h/" --data-binary "SELECT sum(bytes_on_disk) FROM system.parts WHERE database = 'bench' AND active")))
done

printf "%-44s %8s  %s\n" "step" "seconds" "throughput"
printf "%-44s %8.2f  %s\n" "plateau snapshot (in memory, files)" "$mem_secs" "$(awk -v b="$bytes" -v s="$mem_secs" 'BEGIN { printf "%.0f MB/s of input", b/1e6/s }')"
printf "%-44s %8.2f  %s\n" "plateau ingest --to (parse + load)" "$load_secs" "$(awk -v r="$records" -v s="$load_secs" -v b="$bytes" 'BEGIN { printf "%.0f records/s, %.0f MB/s of input", r/s, b/1e6/s }')"
printf "%-44s %8.2f  %s\n" "plateau snapshot --source (SQL rollups)" "$ch_secs" "$(awk -v f="$facts" -v s="$ch_secs" 'BEGIN { printf "%.0f fact rows/s", f/s }')"
echo "loaded: $summary"
echo "database: $facts fact rows, $(awk -v b="$disk" 'BEGIN { printf "%.1f MB", b/1e6 }') on disk"
if cmp -s "$run/memory.csv" "$run/clickhouse.csv"; then
  echo "check: the two snapshots print the same CSV ($(wc -l < "$run/memory.csv") rows)"
else
  echo "check: FAILED, the snapshots differ:"; diff "$run/memory.csv" "$run/clickhouse.csv" | head -20; exit 1
fi

# ------------------------------------------------------------ appends (issue 19)
# The same files, uncompressed, loaded as a cron job would while they grow: 80 % of the data,
# then CH_APPENDS appends of 1 % each (the last takes what is left), one load after each;
# against one load of the final files into another database. Load times are wall times of
# `plateau ingest --to`, each begun once the servers' background merges are done (`settle`).
# CH_APPEND_MODE=time (default): the data arrives in time order, as logs
# do — a file covers the period its name gives (a day, an ISO week, a month; the whole range
# without one) and holds, at each step, the share of its lines up to that step's instant (the
# instants chosen so that 80 %, 81 %, … of all bytes have arrived); CH_APPEND_MODE=every: every
# file grows by 1 % of its lines at each step (old daily files too: a stress case, not a log's life).
appends=${CH_APPENDS:-20}
mode=${CH_APPEND_MODE:-time}
if (( appends > 0 )); then
  grow=$run/grow final=$run/final
  python3 - "$set_dir" "$grow" "$final" "$appends" "$run/plan" "$mode" <<'PY'
import datetime as dt, gzip, os, re, sys
src, grow, final, n, planfile, mode = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
def period(name):
    m = re.search(r"(\d{4})-(\d{2})-(\d{2})", name)
    if m:
        d = dt.date(int(m[1]), int(m[2]), int(m[3])); return d, d + dt.timedelta(days=1)
    m = re.search(r"(\d{4})-W(\d{2})", name)
    if m:
        d = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1); return d, d + dt.timedelta(days=7)
    m = re.search(r"(\d{4})-(\d{2})", name)
    if m:
        d = dt.date(int(m[1]), int(m[2]), 1); e = dt.date(d.year + d.month // 12, d.month % 12 + 1, 1); return d, e
    return None
files = []
for root, _, names in os.walk(src):
    for f in sorted(names):
        path = os.path.join(root, f)
        rel = os.path.relpath(path, src)
        data = gzip.open(path).read() if f.endswith(".gz") else open(path, "rb").read()
        if f.endswith(".gz"): rel = rel[:-3]
        for d in (grow, final):
            os.makedirs(os.path.dirname(os.path.join(d, rel)), exist_ok=True)
        open(os.path.join(final, rel), "wb").write(data)
        whole = rel.startswith("directory/") or rel.endswith((".toml", ".md", ".json"))
        ends = [i + 1 for i, b in enumerate(data) if b == 10]
        files.append((rel, data, whole or len(ends) < 2, ends, period(os.path.basename(rel))))
known = [p for *_, p in files if p]
# The data's range: that of the daily files when there are some (a month's file of the last
# month holds days up to the data's end only, not to the month's).
daily = [p for p in known if (p[1] - p[0]).days == 1] or known
lo, hi = min(p[0] for p in daily), max(p[1] for p in daily)
files = [(rel, data, whole, ends, (max(p[0], lo), min(p[1], hi)) if p else None) for rel, data, whole, ends, p in files]
total = sum(len(d) for _, d, *_ in files)
def cut(ends, size, frac):
    if frac <= 0: return 0
    if frac >= 1: return size
    return ends[max(0, min(len(ends) - 1, int(len(ends) * frac) - 1))]
def at(t):  # bytes of every file that arrived by instant t (days since lo)
    out = []
    for rel, data, whole, ends, p in files:
        if whole: out.append(len(data)); continue
        a, b = p if p else (lo, hi)
        frac = (t - (a - lo).days) / max(1, (b - a).days)
        out.append(cut(ends, len(data), frac))
    return out
span = (hi - lo).days
def instant(share):  # the instant by which `share` of all bytes arrived (bisection)
    a, b = 0.0, float(span)
    for _ in range(60):
        m = (a + b) / 2
        if sum(at(m)) < share * total: a = m
        else: b = m
    return b
steps = []
for k in range(n + 1):
    share = 0.8 + 0.2 * k / n
    if mode == "every":
        steps.append([len(d) if whole else cut(ends, len(d), share) if k < n else len(d) for _, d, whole, ends, _ in files])
    else:
        steps.append(at(instant(share)) if k < n else [len(d) for _, d, *_ in files])
with open(planfile, "w") as out:
    for i, (rel, data, *_rest) in enumerate(files):
        cuts = [max(s[i] for s in steps[:k + 1]) for k in range(n + 1)]
        out.write("%s\t%s\n" % (rel, ",".join(map(str, cuts))))
        if cuts[0] > 0: open(os.path.join(grow, rel), "wb").write(data[:cuts[0]])
PY
  step() {  # appends piece $1 (1-based) of every file
    python3 - "$grow" "$final" "$1" "$run/plan" <<'PY'
import os, sys
grow, final, k, planfile = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
for line in open(planfile):
    rel, cuts = line.rstrip("\n").split("\t")
    cuts = [int(c) for c in cuts.split(",")]
    if cuts[k] == cuts[k - 1]: continue
    with open(os.path.join(final, rel), "rb") as f:
        f.seek(cuts[k - 1]); piece = f.read(cuts[k] - cuts[k - 1])
    os.makedirs(os.path.dirname(os.path.join(grow, rel)), exist_ok=True)
    with open(os.path.join(grow, rel), "ab") as f: f.write(piece)
PY
  }
  grow_url="clickhouse://default:$password@127.0.0.1:$http/appends$query"
  once_url="clickhouse://default:$password@127.0.0.1:$http/once$query"
  # Each load starts on servers done with the background merges of the loads before (as a cron
  # load every few minutes finds them): waited for, not timed.
  settle() {
    local h i
    for h in "${https[@]}"; do
      for i in $(seq 600); do
        [[ $(curl -s -u "default:$password" "http://127.0.0.1:$h/" --data-binary "SELECT count() FROM system.merges") == 0 ]] && break
        sleep 0.1
      done
    done
  }
  # load DIR URL NAME: one timed load, its stages (--verbose) kept in $run/NAME.err; prints its seconds.
  load() {
    local t0 t1
    settle; t0=$(now); "$bin" ingest "$1" --to "$2" --quiet --verbose --config "$set_dir/plateau.toml" > /dev/null 2> "$run/$3.err"; t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'
  }
  first=$(load "$grow" "$grow_url" first)
  total=$first
  slowest=0
  for k in $(seq "$appends"); do
    step "$k"
    t=$(load "$grow" "$grow_url" "append-$k")
    total=$(awk -v a="$total" -v b="$t" 'BEGIN { print a + b }')
    slowest=$(awk -v a="$slowest" -v b="$t" 'BEGIN { print (b > a) ? b : a }')
  done
  cmp -s <(cd "$grow" && find . -type f -exec md5sum {} + | sort -k2) <(cd "$final" && find . -type f -exec md5sum {} + | sort -k2) \
    || die "the grown files differ from the final ones"
  once=$(load "$final" "$once_url" once)
  ratio=$(awk -v a="$total" -v b="$once" 'BEGIN { printf "%.2f", a / b }')
  sql() { curl -s -u "default:$password" "http://127.0.0.1:$http/?database=$1" --data-binary "$2"; }
  printf "\n%-44s %8s\n" "appends: step" "seconds"
  printf "%-44s %8.2f\n" "first load (80 % of the data; mode $mode)" "$first"
  printf "%-44s %8.2f  (slowest %.2f)\n" "$appends loads of 1 % each, together" "$(awk -v a="$total" -v b="$first" 'BEGIN { print a - b }')" "$slowest"
  printf "%-44s %8.2f  (%.2f × one load; target ≤ 1.5)\n" "total of the $((appends + 1)) loads" "$total" "$ratio"
  printf "%-44s %8.2f\n" "one load of the final files" "$once"
  echo "one load of the final files, stage by stage (--verbose):"
  grep -E '(: [0-9.]+ s$)|sessions: ' "$run/once.err" | sed 's/^plateau: /  /'
  echo "an append, stage by stage (--verbose; the mean of the $appends):"
  cat "$run"/append-*.err | grep -E ': [0-9.]+ s$' | sed 's/^plateau: //' | awk -v n="$appends" '
    { name = $0; sub(/: [0-9.]+ s$/, "", name); t = $NF == "s" ? $(NF - 1) : $NF; if (!(name in sum)) order[++count] = name; sum[name] += t }
    END { for (i = 1; i <= count; i++) printf "  %s: %.3f s\n", order[i], sum[order[i]] / n }'
  for table in plateau_facts plateau_meetings plateau_session_pieces plateau_sessions; do
    printf "rows of %-36s %10s after the appends, %10s after one load\n" "$table" "$(sql appends "SELECT count() FROM $table")" "$(sql once "SELECT count() FROM $table")"
  done
  printf "%-44s %10s after the appends, %10s after one load\n" "distinct fact keys (source, metric, BU, person, half-day)" \
    "$(sql appends "SELECT count() FROM (SELECT DISTINCT source, metric, bu, person, intDiv(toUInt32(time), 43200), day FROM plateau_facts)")" \
    "$(sql once "SELECT count() FROM (SELECT DISTINCT source, metric, bu, person, intDiv(toUInt32(time), 43200), day FROM plateau_facts)")"
  [[ $(sql appends "SELECT count() FROM plateau_sessions_stage") == 0 ]] || die "rows left in plateau_sessions_stage"
  out=$run/appends.csv; "$bin" snapshot --format csv --quiet --min-group 1 --source "$grow_url" --config "$set_dir/plateau.toml" > "$out"
  out=$run/once.csv; "$bin" snapshot --format csv --quiet --min-group 1 --source "$once_url" --config "$set_dir/plateau.toml" > "$out"
  if cmp -s "$run/appends.csv" "$run/once.csv" && cmp -s "$run/once.csv" "$run/memory.csv"; then
    echo "check: after the appends, after one load and from the files: the same CSV ($(wc -l < "$run/once.csv") rows)"
  else
    echo "check: FAILED, the snapshots differ:"; diff "$run/appends.csv" "$run/once.csv" | head -10; diff "$run/once.csv" "$run/memory.csv" | head -10; exit 1
  fi
  if [[ -n ${CH_LOGS:-} ]]; then mkdir -p "$CH_LOGS" && cp "$run"/*.err "$CH_LOGS"/ && echo "the loads' --verbose output: $CH_LOGS"; fi
  awk -v r="$ratio" 'BEGIN { exit !(r <= 1.5) }' || echo "note: the appends took more than 1.5 × one load"
fi
