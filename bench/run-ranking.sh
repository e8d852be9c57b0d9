#!/usr/bin/env bash
# Ranking under the SPEC's conditions (issue 3): starts a fresh node with an empty catalog
# (FRESHET_DEMO_CATALOG=off, embedded PostgreSQL in a temporary data directory), sets up a 10,000-item
# catalog and 1,000 users with 1,000 seen items and warm features each (rank-spec --setup only), measures
# rank k=20 for those users at 16 and 64 requests in flight, stops the node.
#
#   bench/run-ranking.sh [DURATION]      (default 60s per run; results go to bench/results-ranking-<time>.txt)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-60s}"
out="$root/bench/results-ranking-$(date -u +%Y%m%dT%H%M%SZ).txt"
NODE_ENV="FRESHET_DEMO_CATALOG=off"
. "$(dirname "${BASH_SOURCE[0]}")/node.sh"

bench() { java -jar "$root/bench/target/freshet-bench.jar" rank-spec "$@" --url "http://127.0.0.1:$port" 2>/dev/null | tee -a "$out"; }
{
  echo "# $(date -u +%FT%TZ) on $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; node and load generator on the same machine"
  echo "# commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)'); node started with FRESHET_DEMO_CATALOG=off on a new data directory"
} | tee "$out"
echo "## 0. setup (not measured): 10,000 items, 1,000 users x 1,000 seen items + 30 events, then /state check" | tee -a "$out"
bench --setup only
echo "## 1. rank k=20, SPEC conditions, 16 in flight" | tee -a "$out"
bench --setup skip --duration "$duration" --concurrency 16
echo "## 2. rank k=20, SPEC conditions, 64 in flight" | tee -a "$out"
bench --setup skip --duration "$duration" --concurrency 64
echo "results in $out"
