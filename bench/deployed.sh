#!/usr/bin/env bash
# The deployed shape in one command: three `regionkv server` JVMs on loopback, each with its own data
# directory, and `regionkv bench --connect` joining them as a client-only node. Prints the bench table,
# the idle CPU of each server with one region and no client, and the CPU each server JVM spent per
# operation in every measured phase (sampled from /proc, so Linux only). Stops every JVM it started and
# removes their data on exit, also on Ctrl-C or an error.
#
#   bench/deployed.sh [--idle SECONDS] [--idle-settle SECONDS] [--keep DIR] [bench options...]
#
# Bench options default to --concurrency 1,256 --warmup 3s --duration 10s (any given replace them all).
# --idle measures the servers' idle CPU for that long before the bench starts (default 20; 0 skips it),
# after --idle-settle seconds (default 10). It prints it with and without the JIT compiler threads, which
# are still busy for a minute or two after a JVM starts (a longer settle shows the steady state).
# --keep DIR keeps data and logs in DIR instead of a temporary directory.
# --grpc runs the bench as a gRPC client of the three servers (`--endpoints`) instead of a cluster member.
# REGIONKV_JAVA_OPTS is passed to every JVM (e.g. -Xmx1g, or -XX:+FlightRecorder ... to profile).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
idle=20
idle_settle=10
grpc=0
work=""
bench_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --idle) idle="$2"; shift 2 ;;
    --idle-settle) idle_settle="$2"; shift 2 ;;
    --keep) work="$2"; shift 2 ;;
    --grpc) grpc=1; shift ;;
    *) bench_args+=("$1"); shift ;;
  esac
done
[ ${#bench_args[@]} -gt 0 ] || bench_args=(--concurrency 1,256 --warmup 3s --duration 10s)
duration=15 # the bench's own default, unless --duration says otherwise (the measured window of a phase)
for ((i = 0; i < ${#bench_args[@]}; i++)); do
  a="${bench_args[$i]}"
  case "$a" in
    --duration=*) d="${a#--duration=}" ;;
    --duration) d="${bench_args[$((i + 1))]}" ;;
    *) continue ;;
  esac
  case "$d" in *ms) duration=$(awk "BEGIN{print ${d%ms}/1000}") ;; *s) duration="${d%s}" ;; *m) duration=$((${d%m} * 60)) ;; esac
done

keep=0
if [ -n "$work" ]; then keep=1; mkdir -p "$work"; else work="$(mktemp -d "${TMPDIR:-/tmp}/regionkv-deployed.XXXXXX")"; fi
pids=()
sampler=""
cleanup() {
  set +e
  [ -n "$sampler" ] && kill "$sampler" 2>/dev/null
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$p" 2>/dev/null
  done
  [ "$keep" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Build once here, not in four launchers at the same time (`regionkv --version` builds what is stale).
"$root/bin/regionkv" --version >/dev/null

# Ports the kernel just handed out and took back: free now, and not one of the fixed defaults.
free_ports() {
  python3 -c 'import socket,sys
s=[socket.socket() for _ in range(int(sys.argv[1]))]
[x.bind(("127.0.0.1",0)) for x in s]
print(" ".join(str(x.getsockname()[1]) for x in s))
[x.close() for x in s]' "$1"
}
read -r -a ports <<<"$(free_ports 3)"
seed="127.0.0.1:${ports[0]}"
for i in 1 2 3; do
  mkdir -p "$work/s$i"
  args=(server --store-id "$i" --data "$work/s$i" --port "${ports[$((i - 1))]}" --grpc-port 0 --http-port 0
        --initial-stores 1,2,3)
  [ "$i" = 1 ] || args+=(--seed "$seed")
  "$root/bin/regionkv" "${args[@]}" >"$work/server-$i.log" 2>&1 &
  pids+=($!)
done
echo "deployed: servers started (pids ${pids[*]}, pekko ports ${ports[*]}, data and logs in $work)" >&2
for i in 1 2 3; do
  for _ in $(seq 1 600); do
    grep -q ' ready at ' "$work/server-$i.log" && break
    kill -0 "${pids[$((i - 1))]}" 2>/dev/null || { echo "deployed: server $i exited:" >&2; tail -20 "$work/server-$i.log" >&2; exit 1; }
    sleep 0.2
  done
  grep -q ' ready at ' "$work/server-$i.log" || { echo "deployed: server $i not ready after 120 s" >&2; exit 1; }
done

hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# CPU ticks of the JVM's JIT compiler threads (C1, C2) so far.
jit_ticks() {
  local t n=0
  for t in /proc/"$1"/task/*; do
    case "$(cat "$t/comm" 2>/dev/null)" in C1\ Compiler*|C2\ Compiler*) n=$((n + $(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null || echo 0))) ;; esac
  done
  echo "$n"
}
now_ms() { date +%s%3N; }

# Every 200 ms: milliseconds since the epoch, then each server's CPU ticks so far.
(
  while true; do
    line="$(now_ms)"
    for p in "${pids[@]}"; do line="$line $(cpu_ticks "$p" 2>/dev/null || echo 0)"; done
    echo "$line"
    sleep 0.2
  done
) >"$work/cpu.samples" &
sampler=$!

if [ "$idle" != 0 ]; then
  echo "deployed: cluster up; letting it settle $idle_settle s, then measuring idle CPU for $idle s" >&2
  sleep "$idle_settle"
  before=(); jit_before=()
  for p in "${pids[@]}"; do before+=("$(cpu_ticks "$p")"); jit_before+=("$(jit_ticks "$p")"); done
  t0=$(now_ms); sleep "$idle"; t1=$(now_ms)
  idle_line="idle CPU, one region, no client (% of one core; without the JIT compiler threads in brackets):"
  for i in 0 1 2; do
    after=$(cpu_ticks "${pids[$i]}"); jit=$(( $(jit_ticks "${pids[$i]}") - jit_before[i] ))
    idle_line="$idle_line server $((i + 1)) $(awk -v d=$((after - before[i])) -v j="$jit" -v hz="$hz" -v ms=$((t1 - t0)) \
      'BEGIN{printf "%.1f%% (%.1f%%)", d/hz/(ms/1000)*100, (d-j)/hz/(ms/1000)*100}')"
  done
fi

if [ "$grpc" = 1 ]; then
  # Each server prints "serving grpc HOST:P" once its endpoints are bound (ports were picked by the kernel).
  endpoints="$(for i in 1 2 3; do grep -o 'serving grpc [^ ]*' "$work/server-$i.log" | head -1 | awk '{print $3}'; done | paste -sd,)"
  target=(--endpoints "$endpoints")
else
  target=(--connect "$seed" --stores 1,2,3)
fi
echo "deployed: running regionkv bench ${target[*]} ${bench_args[*]}" >&2
# Each progress line of the bench gets the time it arrived, so that the measured window of every phase
# (it ends with the phase's last "measure" line) can be matched with the servers' CPU samples.
set +e
"$root/bin/regionkv" bench "${target[@]}" "${bench_args[@]}" \
    2> >(while IFS= read -r l; do echo "$(now_ms) $l"; done >"$work/bench.err") >"$work/bench.out"
status=$?
set -e
sleep 0.5
if [ "$status" != 0 ]; then echo "deployed: bench failed ($status):" >&2; tail -20 "$work/bench.err" >&2; exit "$status"; fi

echo "$(uptime | sed 's/.*load/load/') (at the end); $(nproc) cores"
cat "$work/bench.out"
[ "$idle" = 0 ] || echo "$idle_line"
# Per phase: the servers' CPU in its measured window, per operation the table reports.
python3 - "$work/bench.err" "$work/cpu.samples" "$work/bench.out" "$duration" "$hz" <<'PY'
import sys, re, bisect
err, samples, out, duration, hz = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
rows = [list(map(int, l.split())) for l in open(samples) if l.strip()]
times = [r[0] for r in rows]
def at(t):  # each server's CPU ticks at time t (ms), linearly interpolated between samples
    i = max(1, min(bisect.bisect_left(times, t), len(rows) - 1))
    a, b = rows[i - 1], rows[i]
    f = 0 if b[0] == a[0] else (t - a[0]) / (b[0] - a[0])
    return [x + (y - x) * f for x, y in zip(a[1:], b[1:])]
ends = {}
for l in open(err):
    m = re.match(r'(\d+) (\w+)\s+in-flight (\d+)\s+measure', l)
    if m: ends[(m.group(2), int(m.group(3)))] = int(m.group(1))
ops = {}
for l in open(out):
    f = l.split()
    if len(f) >= 3 and f[0] in ('put', 'get') and f[1].isdigit(): ops[(f[0], int(f[1]))] = float(f[2])
print("server CPU in each measured phase (% of one core; us of CPU per operation):")
for (op, c), end in ends.items():
    a, b = at(end - duration * 1000), at(end)
    cores = [(y - x) / hz / duration for x, y in zip(a, b)]
    rate = ops.get((op, c), 0)
    per = "  ".join(f"s{i+1} {cpu*100:5.1f}% {cpu*1e6/rate if rate else 0:7.0f} us/op" for i, cpu in enumerate(cores))
    print(f"  {op} {c:>5}: {per}  (all three: {sum(cores)*1e6/rate if rate else 0:.0f} us/op)")
PY
