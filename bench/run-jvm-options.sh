#!/usr/bin/env bash
# Which JVM set-up suits the node on this box (issue 14 item 5), measured in ONE run: for each set of JVM
# options, a fresh node (keys and limits off, demo catalog, embedded PostgreSQL in a temporary directory)
# takes the ingest load from its first second, in consecutive windows, so that the table shows both the
# time a cold node takes to reach full speed (every rolling restart starts cold nodes) and the steady
# state: rate and p99 per window, then every stop-the-world pause from the node's safepoint log.
#
#   bench/run-jvm-options.sh [WINDOWS] [WINDOW]     (defaults 12 windows of 10s; results in
#                                                    bench/results-jvm-<time>.txt)
# Environment: CONCURRENCY (32), FRESHET_HTTP_PORT (8080), HEAP (-Xms1g -Xmx4g, for every set), and
# OPTION_SETS: the sets to compare, separated by ';' (default below). The first set is the reference
# the ratios are taken against.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
windows="${1:-12}"
window="${2:-10s}"
concurrency="${CONCURRENCY:-32}"
port="${FRESHET_HTTP_PORT:-8080}"
heap="${HEAP:--Xms1g -Xmx4g}"
sets="${OPTION_SETS:--XX:+UseG1GC;-XX:+UseG1GC -XX:MaxGCPauseMillis=20;-XX:+UseParallelGC;-XX:+UseZGC;-XX:+UseShenandoahGC}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$root/bench/results-jvm-$stamp.txt"
bench_jar="$root/bench/target/freshet-bench.jar"
work="$(mktemp -d)"

(cd "$root" && mvn -q -B -DskipTests package)

node=""
cleanup() {
  [ -n "$node" ] && kill -TERM "$node" 2>/dev/null && wait "$node" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

{
  echo "# JVM options for the node, same run: $(date -u +%FT%TZ)"
  echo "# machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load average at start $(cut -d' ' -f1-3 /proc/loadavg); node, PostgreSQL and load generator all on it"
  echo "# commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)'); $(java -version 2>&1 | head -1)"
  echo "# each set: a fresh node (demo catalog, keys and limits off), ingest from the first second: $windows windows of $window, batches of 20, 100,000 users, $concurrency in flight; heap $heap"
} | tee "$out"

summary=()
IFS=';' read -r -a option_sets <<< "$sets"
for i in "${!option_sets[@]}"; do
  opts="${option_sets[$i]}"
  data="$work/node-$i"
  mkdir -p "$data"
  # shellcheck disable=SC2086
  env FRESHET_AUTH=off FRESHET_RATE_LIMITS=off FRESHET_DATA_DIR="$data" FRESHET_HTTP_PORT="$port" \
    JAVA_OPTS="$heap $opts -Xlog:safepoint:file=$data/safepoint.log:uptime" "$root/bin/freshet" > "$data/node.log" 2>&1 &
  node=$!
  start=$(date +%s.%N)
  for _ in $(seq 1 180); do
    curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null && break
    sleep 0.5
  done
  ready=$(echo "$(date +%s.%N) - $start" | bc)
  echo "## $opts (ready after ${ready%.*} s)" | tee -a "$out"
  rates=()
  p99s=()
  for w in $(seq 1 "$windows"); do
    line=$(java -jar "$bench_jar" ingest --url "http://127.0.0.1:$port" --warmup 0s --duration "$window" \
      --concurrency "$concurrency" 2>/dev/null | grep '^RESULT ' | sed 's/^RESULT //')
    rate=$(echo "$line" | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["ingest"]["impressionsPerS"]))')
    p99=$(echo "$line" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ingest"]["latencyMs"]["p99"])')
    rates+=("$rate")
    p99s+=("$p99")
    echo "window $w: $rate impressions/s, p99 $p99 ms" | tee -a "$out"
  done
  rss=$(ps -o rss= -p "$(pgrep -P "$node" java || echo "$node")" 2>/dev/null | tr -d ' ' || echo 0)
  kill -TERM "$node" 2>/dev/null; wait "$node" 2>/dev/null || true
  node=""
  # every stop-the-world pause of the run, whatever the collector (ZGC's and Shenandoah's pauses are
  # not "Pause" lines of -Xlog:gc): the safepoint log's total per safepoint; count, over 50 ms, p99
  # (nearest rank), max, sum
  pauses=$(python3 - "$data/safepoint.log" <<'EOF'
import re, sys
ms = [int(m.group(1)) / 1e6 for line in open(sys.argv[1])
      for m in [re.search(r'Total: (\d+) ns', line)] if m]
ms.sort()
p99 = ms[min(len(ms) - 1, int(0.99 * len(ms)))] if ms else 0
print(f"{len(ms)} safepoints, {sum(1 for x in ms if x > 50)} over 50 ms, p99 {p99:.1f} ms, max {max(ms, default=0):.1f} ms, total {sum(ms)/1000:.1f} s")
EOF
)
  echo "pauses: $pauses; node RSS at the end $((rss / 1024)) MiB (ZGC maps the heap three times: its RSS counts it thrice)" | tee -a "$out"
  summary+=("$opts|${rates[*]}|${p99s[*]}|$pauses|$ready")
done

python3 - "${summary[@]}" <<'EOF' | tee -a "$out"
import sys
rows = [a.split('|') for a in sys.argv[1:]]
def steady(rates): return sum(rates[-3:]) / len(rates[-3:])
ref = None
print()
print("| JVM options | ready (s) | 1st window | time to 90 % of steady | steady (last 3 windows) | steady vs first set | steady p99 (worst of last 3) | stop-the-world pauses (whole run) |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for opts, rates, p99s, gc, ready in rows:
    r = [float(x) for x in rates.split()]
    p = [float(x) for x in p99s.split()]
    s = steady(r)
    ref = ref or s
    w = next(i for i, x in enumerate(r) if x >= 0.9 * s) + 1
    print(f"| `{opts}` | {float(ready):.0f} | {r[0]:,.0f}/s | window {w} of {len(r)} | {s:,.0f} impressions/s | {s / ref:.2f}x | {max(p[-3:]):.0f} ms | {gc} |")
EOF
echo "results in $out"
