#!/usr/bin/env bash
# Ingest on one node against ingest on three (issue 17): the same load generator, the same warm-up,
# back to back, each cluster on a fresh PostgreSQL of its own (bin/freshet postgres), the nodes started
# as bin/freshet node N --of M starts them (Cluster Bootstrap over FRESHET_SEED_NODES). The load
# generator spreads its connections over every node's URL (--also). Prints both runs and the ratio.
#
#   bench/run-scale-out.sh [DURATION]   (default 60s measured per run; results in bench/results-scale-out-<time>.txt)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-60s}"
out="$root/bench/results-scale-out-$(date -u +%Y%m%dT%H%M%SZ).txt"
jar="$root/cluster/target/freshet.jar"
bench_jar="$root/bench/target/freshet-bench.jar"
(cd "$root" && mvn -q -B -DskipTests install)

{
  echo "# $(date -u +%FT%TZ) on $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; nodes, PostgreSQL and load generator on the same machine"
  echo "# commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)'); demo catalog, keys and limits off, -Xmx1g per node, $duration measured per run"
} | tee "$out"

pids=()
stop_all() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
trap stop_all EXIT

run() { # label, number of nodes
  local label="$1" n="$2" data pg_port urls also i
  data="$(mktemp -d)"
  pg_port=$((5600 + n))
  java -cp "$jar" dev.freshet.cluster.PostgresCommand --port "$pg_port" --dir "$data/pg" > "$data/pg.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 60); do grep -q "PostgreSQL is running" "$data/pg.log" && break; sleep 1; done
  seeds=""
  for ((i = 1; i <= n; i++)); do seeds="${seeds:+$seeds,}127.0.0.1:$((7725 + i))"; done
  urls=()
  for ((i = 1; i <= n; i++)); do
    FRESHET_DB_URL="jdbc:postgresql://127.0.0.1:$pg_port/postgres" FRESHET_DB_USER=postgres FRESHET_DB_PASSWORD= \
      FRESHET_AUTH=off FRESHET_RATE_LIMITS=off FRESHET_LOG_FORMAT=TEXT \
      FRESHET_HTTP_PORT=$((8180 + i)) FRESHET_INTERNAL_HTTP_PORT=$((8190 + i)) FRESHET_MANAGEMENT_PORT=$((7725 + i)) FRESHET_REMOTE_PORT=$((7455 + i)) \
      FRESHET_DATA_DIR="$data/node-$i" FRESHET_SEED_NODES="$seeds" \
      java -Xms512m -Xmx1g -jar "$jar" > "$data/node-$i.log" 2>&1 &
    pids+=($!)
    urls+=("http://127.0.0.1:$((8180 + i))")
  done
  for ((i = 1; i <= n; i++)); do
    for _ in $(seq 1 180); do curl -sf "http://127.0.0.1:$((7725 + i))/ready" > /dev/null && break; sleep 1; done
  done
  also="$(IFS=,; echo "${urls[*]:1}")"
  bench() { java -jar "$bench_jar" ingest --url "${urls[0]}" ${also:+--also "$also"} "$@" 2>/dev/null | tee -a "$out"; }
  echo "## $label: ingest, warm-up (not compared), 64 in flight" | tee -a "$out"
  bench --concurrency 64 --duration 30s
  echo "## $label: ingest, warm nodes, 64 in flight" | tee -a "$out"
  bench --concurrency 64 --duration "$duration"
  stop_all
  rm -rf "$data"
}

run "one node" 1
run "three nodes" 3
one="$(grep -A100 '^## one node: ingest, warm nodes' "$out" | grep -m1 '^RESULT' | sed 's/^RESULT //')"
three="$(grep -A100 '^## three nodes: ingest, warm nodes' "$out" | grep -m1 '^RESULT' | sed 's/^RESULT //')"
python3 - "$one" "$three" <<'PY' | tee -a "$out"
import json, sys
one, three = (json.loads(a)["ingest"] for a in sys.argv[1:3])
for name, r in (("one node", one), ("three nodes", three)):
    print(f"{name}: {r['requestsPerS']:.0f} batches/s, {r.get('impressionsPerS', 0):.0f} impressions/s,"
          f" p99 {r['latencyMs']['p99']:.1f} ms, {r['failed']} failed")
print(f"three nodes / one node, batches/s: {three['requestsPerS'] / one['requestsPerS']:.2f}")
PY
echo "results in $out"
