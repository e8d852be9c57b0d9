#!/usr/bin/env bash
# Partitioned against plain read-model table: time-range queries and the retention purge
# (dev.freshet.bench.PartitionBench) on the embedded PostgreSQL of a fresh node.
#
#   bench/run-partitions.sh [ROWS]      default 10,000,000; writes bench/results-partitions-<time>.txt
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rows="${1:-10000000}"
data="$(mktemp -d)"
out="$root/bench/results-partitions-$(date -u +%Y%m%dT%H%M%SZ).txt"

(cd "$root" && mvn -q -B -DskipTests install)
FRESHET_AUTH=off FRESHET_RATE_LIMITS=off FRESHET_DATA_DIR="$data" FRESHET_DEMO_CATALOG=off FRESHET_HTTP_PORT=8091 FRESHET_REMOTE_PORT=7391 \
  FRESHET_MANAGEMENT_PORT=7691 "$root/bin/freshet" > "$data/node.log" 2>&1 &
node=$!
trap 'kill $node 2>/dev/null; wait $node 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 120); do
  [ -f "$data/postgres/postmaster.pid" ] && grep -q "Freshet is running" "$data/node.log" && break
  sleep 1
done
port="$(sed -n 4p "$data/postgres/postmaster.pid")"
java -cp "$root/bench/target/freshet-bench.jar" dev.freshet.bench.PartitionBench \
  --url "jdbc:postgresql://localhost:$port/postgres" --rows "$rows" | tee "$out"
echo "Results in $out"
