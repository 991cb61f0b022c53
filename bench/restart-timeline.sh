#!/bin/bash
# Restart timing of real `regionkv server` JVMs (RELIABILITY.md, "Where a restart's time goes"): starts
# three servers on this machine, SIGKILLs and restarts each store in turn (twice), then all three at once
# (twice), and prints each restart's startup timeline (ms since its JVM started, from the server's log),
# the CPU time its JVM had used by then (/proc/PID/stat) and the load average.
#
# Run from anywhere (`bin/regionkv` builds the server module first if needed). EXTRA adds JVM options to every server, e.g.
# EXTRA="-Dregionkv.server.membership-tick=1s" to compare settings. CDS=1 first makes an AppCDS archive of
# the server's classes (a training start of the three servers with -XX:ArchiveClassesAtExit, stopped with
# SIGTERM so that the JVMs write it) and then runs every measured start with -XX:SharedArchiveFile.
# Needs Linux (/proc) and ports 27101-27103.
set -u
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/bin/regionkv" --version >/dev/null || exit 1
CP="$ROOT/regionkv-server/target/regionkv-server-0.1.0-SNAPSHOT.jar:$ROOT/regionkv-server/target/lib/*"
BASE=$(mktemp -d /tmp/regionkv-restarts.XXXX)
PORTS=(0 27101 27102 27103)
declare -A PID
start() {
  local s=$1
  nice java ${EXTRA:-} -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dlogback.configurationFile="$ROOT/regionkv-server/conf/logback.xml" \
    --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
    -cp "$CP" io.regionkv.cli.Main server --store-id "$s" --data "$BASE/s$s" --port "${PORTS[$s]}" \
    --seed "127.0.0.1:${PORTS[1]}" --initial-stores 1,2,3 --grpc-port 0 --http-port 0 >> "$BASE/server-$s.log" 2>&1 &
  PID[$s]=$!
}
timelines() { cat "$BASE/server-$1.log" 2>/dev/null | grep -c "startup since"; }
await() { # store, timelines before, label
  for _ in $(seq 1 1200); do [ "$(timelines "$1")" -gt "$2" ] && break; sleep 0.1; done
  local cpu
  cpu=$(awk '{print ($14+$15)/100}' "/proc/${PID[$1]}/stat" 2>/dev/null)
  echo "$3 store $1: $(grep 'startup since' "$BASE/server-$1.log" | tail -1 | sed 's/.*JVM start: //') | cpu ${cpu}s | load $(cut -d' ' -f1 /proc/loadavg)"
}
if [ "${CDS:-0}" = 1 ]; then
  EXTRA0="${EXTRA:-}"
  for s in 1 2 3; do EXTRA="$EXTRA0 -XX:ArchiveClassesAtExit=$BASE/train-$s.jsa -Xlog:cds=off"; start $s; done
  for s in 1 2 3; do await $s 0 training; done
  sleep 3
  for s in 1 2 3; do kill -TERM "${PID[$s]}"; done; wait 2>/dev/null
  [ -s "$BASE/train-1.jsa" ] || { echo "no archive written"; exit 1; }
  echo "archive: $(du -h "$BASE/train-1.jsa" | cut -f1)"
  EXTRA="$EXTRA0 -XX:SharedArchiveFile=$BASE/train-1.jsa"
fi
n0=(0 0 0 0)
for s in 1 2 3; do n0[$s]=$(timelines $s); start $s; done
for s in 1 2 3; do await $s "${n0[$s]}" first; done
sleep 3
for k in 1 2 3 1 2 3; do
  n=$(timelines $k); kill -9 "${PID[$k]}"; wait "${PID[$k]}" 2>/dev/null; sleep 2; start $k; await $k "$n" "kill one"; sleep 3
done
for _ in 1 2; do
  declare -A N
  for s in 1 2 3; do N[$s]=$(timelines $s); kill -9 "${PID[$s]}"; done; wait 2>/dev/null; sleep 2
  for s in 1 2 3; do start $s; done
  for s in 1 2 3; do await $s "${N[$s]}" "kill all"; done; sleep 3
done
for s in 1 2 3; do kill -9 "${PID[$s]}"; done; wait 2>/dev/null
echo "data and logs in $BASE"
