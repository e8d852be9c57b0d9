#!/usr/bin/env bash
# What the production edge costs (issue 6): the foundation ingest and rank workloads on a node with API
# keys and rate limits on (every request authenticated, every ingest batch and ranking taking a token;
# limits set high enough never to refuse) against a node with both off, fresh nodes, back to back.
#
#   bench/run-edge.sh [DURATION]      (default 60s per run; results go to bench/results-edge-<time>.txt)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-60s}"
out="$root/bench/results-edge-$(date -u +%Y%m%dT%H%M%SZ).txt"
key="bench-admin-key-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
high="-Dfreshet.limits.rank-per-key-per-minute=1000000000 -Dfreshet.limits.admin-per-key-per-minute=1000000000"
high="$high -Dfreshet.limits.ingest-batches-per-user-per-minute=1000000"

{
  echo "# $(date -u +%FT%TZ) on $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; node and load generator on the same machine"
  echo "# commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)'); demo catalog, $duration per run"
} | tee "$out"

run() { # label, extra node environment, JVM options, API key for the load generator
  (
    NODE_ENV="$2"
    api_key="$4"
    export JAVA_OPTS="-Xms512m -Xmx4g -XX:+UseG1GC $3"
    . "$root/bench/node.sh"
    bench() { FRESHET_API_KEY="$api_key" java -jar "$root/bench/target/freshet-bench.jar" "$@" --url "http://127.0.0.1:$port" --duration "$duration" 2>/dev/null | tee -a "$out"; }
    echo "## $1: ingest, warm-up (not compared), 64 in flight" | tee -a "$out"
    bench ingest --concurrency 64
    echo "## $1: ingest, warm node, 32 in flight" | tee -a "$out"
    bench ingest --concurrency 32
    echo "## $1: rank k=20, 16 in flight" | tee -a "$out"
    bench rank --concurrency 16
  )
}
run "edge off (baseline)" "FRESHET_AUTH=off FRESHET_RATE_LIMITS=off" "" ""
run "edge on" "FRESHET_AUTH=on FRESHET_RATE_LIMITS=on FRESHET_ADMIN_KEY=$key" "$high" "$key"
echo "results in $out"
