#!/usr/bin/env bash
# Idle CPU of the live dashboard: runs `plateau watch DIR` in a detached tmux pane, waits until
# the first read is on screen, then samples the process's utime+stime from /proc over SECONDS
# of idleness (nothing appended) and prints the share of one core.
# usage: idle_cpu.sh BINARY DIR [SECONDS]
set -euo pipefail
bin=$(realpath "$1"); dir=$2; secs=${3:-30}
sock="plateau-idle-$$"
t() { tmux -L "$sock" -f /dev/null "$@"; }
trap 't kill-server 2>/dev/null || true' EXIT
t new-session -d -s s -x 160 -y 48 "LANG=C.UTF-8 TERM=xterm-256color exec $bin watch $dir"
for _ in $(seq 600); do t capture-pane -p -t s | grep -q "files followed" && t capture-pane -p -t s | grep -q "ALL" && break; sleep 0.1; done
pid=$(t display-message -p -t s '#{pane_pid}')
sleep 2   # let the first analysis settle
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
a=$(ticks "$pid"); sleep "$secs"; b=$(ticks "$pid")
awk -v a="$a" -v b="$b" -v hz="$hz" -v s="$secs" -v dir="$dir" \
  'BEGIN { printf "idle CPU of plateau watch %s over %d s: %.2f %% of one core (%d ticks)\n", dir, s, 100 * (b - a) / hz / s, b - a }'
