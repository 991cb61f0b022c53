#!/usr/bin/env bash
# Idle CPU of `regionkv local --nodes 3` holding N regions and no traffic (issue 8's target: under 5% of
# one core with 1,000 regions). Splits the bench's key space (keys k000000000000000..) into N regions
# through the shell's `split`, waits SETTLE seconds, then reads the process's CPU time from
# /proc/PID/stat over WINDOW seconds. Extra JVM options (e.g. -Dregionkv.raftstore.hibernate-regions=off
# for the figure without hibernation) go in REGIONKV_JAVA_OPTS. After the window it prints each store's
# peers by sleep state (the shell's status): asleep, or what keeps them awake.
# Usage: bench/idle-regions-cpu.sh [N=1000] [WINDOW=60] [SETTLE=30]
set -euo pipefail
n="${1:-1000}"; window="${2:-60}"; settle="${3:-30}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/regionkv-idle-XXXXXX)"
trap 'kill "$holder" 2>/dev/null || true; rm -rf "$work"' EXIT
mkfifo "$work/in"
sleep infinity >"$work/in" & holder=$!
"$root/bin/regionkv" local --nodes 3 --data "$work/data" <"$work/in" >"$work/out" 2>"$work/err" & shell=$!
exec 3>"$work/in"
# Cut keys 0..99,999 (the bench's default --keys) evenly, as `regionkv bench --regions N` does.
for ((i = 1; i < n; i++)); do printf 'split k%015d\n' $(( i * 100000 / n )) >&3; done
echo regions >&3
retried=0
until grep -q "^($n regions)" "$work/out"; do
  kill -0 "$shell" 2>/dev/null || { cat "$work/err" >&2; exit 1; }
  # A split refused under load (a timeout while the region moved) is sent again.
  grep -o "^ERR split '[^']*'" "$work/out" | tail -n +$(( retried + 1 )) | tr -d "'" | sed 's/^ERR //' >&3 || true
  retried="$(grep -c "^ERR split '" "$work/out" || true)"
  echo regions >&3; sleep 5
done
echo "$(grep -c '^OK' "$work/out") splits OK, $(grep -c '^ERR' "$work/out") refused; settling ${settle}s" >&2
sleep "$settle"
pid="$(pgrep -P "$shell" java || echo "$shell")"
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz="$(getconf CLK_TCK)"
threads() { for t in /proc/"$pid"/task/*; do echo "$(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0) $(cat "$t/comm" 2>/dev/null)"; done; }
threads >"$work/threads0"
t0="$(ticks "$pid")"; sleep "$window"; t1="$(ticks "$pid")"
threads >"$work/threads1"
# The busiest thread groups over the window (thread names with their numbers cut off), in CPU ticks.
echo "busiest threads (CPU ticks of 1/$(getconf CLK_TCK) s over the window):" >&2
awk 'NR == FNR { $1 = -$1 } { t = $1; $1 = ""; sub(/^ /, ""); gsub(/-?[0-9]+$/, ""); sum[$0] += t } END { for (n in sum) if (sum[n] > 0) print sum[n], n }' \
  "$work/threads0" "$work/threads1" | sort -rn | head -8 >&2
echo "idle CPU of regionkv local (3 nodes, $n regions) over ${window}s: $(( (t1 - t0) * 1000 / hz / window / 10 )).$(( (t1 - t0) * 1000 / hz / window % 10 ))% of one core; load average $(cut -d' ' -f1-3 /proc/loadavg)"
# After the window (the status walk costs CPU itself): how many peers sleep, and what keeps the others awake.
echo status >&3
for ((i = 0; i < 30; i++)); do [ "$(grep -c 'peers by sleep state' "$work/out")" -ge 3 ] && break; sleep 1; done
grep 'peers by sleep state' "$work/out" >&2 || echo "no sleep states in the status (an older build?)" >&2
# Each store should hold a peer of every region; fewer means splits that never reached that store.
grep -o '^store [0-9]* region' "$work/out" | sort | uniq -c | awk '{print "store " $3 " holds " $1 " peers"}' >&2
echo quit >&3
wait "$shell" || true
