#!/usr/bin/env bash
# The resolver's memo (ResolutionMemo), before and after, in one binary: `plateau snapshot` with
# PLATEAU_RESOLVE_MEMO=0 (every line looked up, as before the memo) and with the default memo,
# rounds interleaved, on a set's logs without the directory (SET/proxy) and with it (SET), each
# without a key and with PLATEAU_KEY (pseudonyms). Prints, per case, the best wall seconds and
# the CPU seconds (user + system) of that run, the peak RSS, and the speed-up of the memo.
#
# Usage: resolve_memo.sh PLATEAU_BINARY SET_DIR [ROUNDS]   (SET_DIR: e.g. .build/bench-data/set-narrow)
set -euo pipefail
[[ $# -ge 2 ]] || { echo "usage: resolve_memo.sh PLATEAU_BINARY SET_DIR [ROUNDS]" >&2; exit 64; }
bin=$(realpath "$1"); set=$(realpath "$2"); rounds=${3:-5}
/usr/bin/time --version 2>&1 | grep -q GNU || { echo "resolve_memo.sh needs GNU time (apt-get install time)" >&2; exit 69; }
tmp=$(mktemp -d /tmp/plateau-memo-ab.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cat "$set"/proxy/* > /dev/null
export PLATEAU_KEY_FILE=$tmp/no-key
declare -A best cpu rss
cases=()
for input in "$set/proxy" "$set"; do
  for key in "" "$(printf '%064x' 2020)"; do
    cases+=("$input|$key")
  done
done
for ((r = 1; r <= rounds; r++)); do
  for c in "${cases[@]}"; do
    IFS='|' read -r input key <<< "$c"
    for memo in 0 default; do
      id="$c|$memo"
      env ${key:+PLATEAU_KEY=$key} $([[ $memo == 0 ]] && echo PLATEAU_RESOLVE_MEMO=0) \
        /usr/bin/time -f '%e %U %S %M' -o "$tmp/t" "$bin" snapshot --format json --quiet --tz UTC --min-group 1 "$input" > "$tmp/out-$memo.json"
      read -r wall user sys kb < "$tmp/t"
      if [[ -z ${best[$id]:-} ]] || awk -v a="$wall" -v b="${best[$id]}" 'BEGIN { exit !(a < b) }'; then
        best[$id]=$wall cpu[$id]=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
      fi
      rss[$id]=$(( ${rss[$id]:-0} > kb ? ${rss[$id]:-0} : kb ))
    done
    cmp -s "$tmp/out-0.json" "$tmp/out-default.json" || echo "DIFFERENT OUTPUTS with and without the memo: $c"
  done
done
read -r load _ < /proc/loadavg
echo "resolver memo, before (PLATEAU_RESOLVE_MEMO=0) and after, best of $rounds interleaved rounds ($(nproc) cores, load average now $load)"
printf '%-34s %-5s %16s %16s %8s %8s %7s\n' input key "no memo s (CPU)" "memo s (CPU)" "MB" "MB" speedup
for c in "${cases[@]}"; do
  IFS='|' read -r input key <<< "$c"
  a="$c|0" b="$c|default"
  printf '%-34s %-5s %16s %16s %8d %8d %7s\n' "$(basename "$(dirname "$input")")/$(basename "$input")" "$([[ -n $key ]] && echo yes || echo no)" \
    "${best[$a]} (${cpu[$a]})" "${best[$b]} (${cpu[$b]})" $((rss[$a] / 1024)) $((rss[$b] / 1024)) \
    "$(awk -v x="${best[$a]}" -v y="${best[$b]}" 'BEGIN { printf "%.2fx", x / y }')"
done
