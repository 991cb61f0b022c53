#!/usr/bin/env bash
# Compares variants of `regionkv bench` run in turn, round after round, and prints every run and then,
# per variant, the mean, lowest and highest puts/s and CPU per put. This 2-core VM drifts by 15-30 %
# within minutes, so only runs close in time compare, and one pair proves nothing: a difference that
# stays inside the spread of either variant's own runs is noise (BENCHMARKS.md reports it that way).
#
#   bench/ab.sh [-n ROUNDS] VARIANT... [-- BENCH OPTIONS...]
#
# A VARIANT is LABEL, optionally followed by @DIR (a checkout whose bin/regionkv runs: another build, e.g.
# from `git worktree add /tmp/base REV` and `mvn -q -o -DskipTests -pl regionkv-server -am package`
# there), by +BENCH_OPTIONS of its own (written "--name value", spaces allowed, quote the variant) and by
# =JAVA_OPTS (passed as REGIONKV_JAVA_OPTS; everything after the first "=" belongs to them). Examples:
#   bench/ab.sh -n 3 base@/tmp/base head
#   bench/ab.sh wait0=-Dregionkv.engine.raft-log-group-wait=0 default
#   bench/ab.sh -n 3 "r12+--regions 12" "r1+--regions 1"
# Bench options default to --regions 12 --concurrency 256 --warmup 20s --duration 10s. Those after "--"
# replace a default of the same name, and a variant's own replace both (every bench option takes a value,
# written "--name value" or "--name=value"). Only the first measured put phase is read; for a cluster in the
# bench's own process each run also shows its stores' batching (entries per raft-log write, writes per
# fsync, entries per apply batch), which tells what a lever did even when the puts drown in the noise.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds=2
variants=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) rounds="$2"; shift 2 ;;
    --) shift; break ;;
    *) variants+=("$1"); shift ;;
  esac
done
[ ${#variants[@]} -ge 1 ] || { sed -n '2,/^set /p' "$0" | grep '^#' >&2; exit 2; }
common=(--regions 12 --concurrency 256 --warmup 20s --duration 10s "$@")

# Prints the bench's options, one "--name=value" per line, each name once: the last one given wins
# (picocli refuses an option given twice).
merged_options() {
  local -A value=(); local -a order=(); local name val
  while [ $# -gt 0 ]; do
    if [[ "$1" == --*=* ]]; then name="${1%%=*}"; val="${1#*=}"; shift
    else name="$1"; val="${2:?$1 needs a value}"; shift 2; fi
    [ -n "${value[$name]+set}" ] || order+=("$name")
    value[$name]="$val"
  done
  for name in "${order[@]}"; do echo "$name=${value[$name]}"; done
}

declare -A puts cpus
for ((round = 1; round <= rounds; round++)); do
  for v in "${variants[@]}"; do
    spec="$v"; opts=""; dir="$root"; own=""
    if [[ "$spec" == *=* ]]; then opts="${spec#*=}"; spec="${spec%%=*}"; fi
    if [[ "$spec" == *+* ]]; then own="${spec#*+}"; spec="${spec%%+*}"; fi
    if [[ "$spec" == *@* ]]; then dir="${spec#*@}"; spec="${spec%%@*}"; fi
    label="$spec"
    read -r -a own_args <<<"$own"
    mapfile -t bench_args < <(merged_options "${common[@]}" "${own_args[@]}")
    out="$(cd "$dir" && REGIONKV_JAVA_OPTS="$opts" ./bin/regionkv bench "${bench_args[@]}" 2>&1 || true)"
    line="$(awk '$1 == "put" && $3 ~ /^[0-9]+$/ && $4 ~ /\./ { print; exit }' <<<"$out")"
    # The stores' rounds in the same phase (a cluster in the bench's own process only): they show what a
    # lever did to the batching even when the puts are lost in this machine's noise.
    rounds_line="$(awk '/entries\/write/ { r = 1; next } r && $1 == "put" { print; exit }' <<<"$out")"
    if [ -z "$line" ]; then
      echo "$(date +%H:%M:%S) round $round $label: no put figures (run it by hand to see why)" >&2
      exit 1
    fi
    read -r _ inflight ops p50 p99 _ _ errors cpu <<<"$line"
    batching=""
    if [ -n "$rounds_line" ]; then
      read -r _ _ per_write per_fsync per_apply <<<"$rounds_line"
      batching=", entries per raft-log write $per_write, writes per fsync $per_fsync, entries per apply $per_apply"
    fi
    echo "$(date +%H:%M:%S) round $round $label: $ops puts/s, p50 $p50 ms, p99 $p99 ms, $cpu µs CPU per put, $errors errors (in flight $inflight)$batching"
    puts[$label]="${puts[$label]:-} $ops"
    cpus[$label]="${cpus[$label]:-} $cpu"
  done
done

echo "variant: puts/s mean (lowest-highest) · CPU µs per put mean (lowest-highest), ${rounds} runs each"
for v in "${variants[@]}"; do
  label="${v%%=*}"; label="${label%%+*}"; label="${label%%@*}"
  echo "$label ${puts[$label]} | ${cpus[$label]}" | awk '{
    n = 0; m = 0
    for (i = 2; $i != "|"; i++) { n++; s += $i; if (!lo || $i < lo) lo = $i; if ($i > hi) hi = $i }
    for (i++; i <= NF; i++) { m++; c += $i; if (!clo || $i < clo) clo = $i; if ($i > chi) chi = $i }
    printf "%s: %.0f (%d-%d) · %.1f (%d-%d)\n", $1, s / n, lo, hi, c / m, clo, chi }'
done
