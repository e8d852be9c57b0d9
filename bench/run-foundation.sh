#!/usr/bin/env bash
# Reproduces the figures in bench/README.md: starts a fresh node (embedded PostgreSQL in a temporary
# data directory, demo catalog), runs the load generator against it, stops the node.
#
#   bench/run-foundation.sh [DURATION]      (default 60s per run; results go to bench/results-<time>.txt)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-60s}"
out="$root/bench/results-$(date -u +%Y%m%dT%H%M%SZ).txt"
. "$(dirname "${BASH_SOURCE[0]}")/node.sh"

bench() { java -jar "$root/bench/target/freshet-bench.jar" "$@" --url "http://127.0.0.1:$port" --duration "$duration" 2>/dev/null | tee -a "$out"; }
{
  echo "# $(date -u +%FT%TZ) on $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; node and load generator on the same machine"
  echo "# commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)')"
} | tee "$out"
echo "## 1. ingest, cold node (JIT warming, every user's entity created on first touch), 64 in flight" | tee -a "$out"
bench ingest --concurrency 64
echo "## 2. ingest, warm node, 32 in flight" | tee -a "$out"
bench ingest --concurrency 32
echo "## 3. rank k=20, 16 in flight" | tee -a "$out"
bench rank --concurrency 16
echo "## 4. rank k=20, 64 in flight" | tee -a "$out"
bench rank --concurrency 64
echo "results in $out"
