#!/usr/bin/env bash
# Read-model lag under the foundation benchmark's ingest load: starts a fresh node (embedded PostgreSQL in a
# temporary data directory, demo catalog, projections into user_impressions and events on), runs
# `ingest-lag` (the ingest workload while polling GET /v1/admin/pipelines every second, then until the
# projections have caught up) cold at 64 and warm at 32 requests in flight, stops the node.
#
#   bench/run-read-models.sh [DURATION]      (default 60s per run; results go to bench/results-read-models-<time>.txt)
#   bench/run-read-models.sh DURATION off    the same ingest runs on a node with FRESHET_READ_MODELS=off (no
#                                            projections; plain `ingest`), as a baseline for the cost of the read models
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-60s}"
mode="${2:-on}"
case "$mode" in
  on) command=ingest-lag; suffix="" ;;
  off) command=ingest; suffix="-off"; NODE_ENV="FRESHET_READ_MODELS=off" ;;
  *) echo "usage: bench/run-read-models.sh [DURATION] [on|off]" >&2; exit 2 ;;
esac
out="$root/bench/results-read-models$suffix-$(date -u +%Y%m%dT%H%M%SZ).txt"
. "$(dirname "${BASH_SOURCE[0]}")/node.sh"

bench() { java -jar "$root/bench/target/freshet-bench.jar" "$command" "$@" --url "http://127.0.0.1:$port" --duration "$duration" 2>/dev/null | tee -a "$out"; }
{
  echo "# $(date -u +%FT%TZ) on $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; node and load generator on the same machine"
  echo "# commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)'); fresh node, demo catalog, read models $mode"
  echo "# before: $(uptime)"
} | tee "$out"
echo "## 1. $command (read models $mode), cold node (JIT warming, every user's entity created on first touch), 64 in flight" | tee -a "$out"
bench --concurrency 64
echo "## 2. $command (read models $mode), warm node, 32 in flight" | tee -a "$out"
bench --concurrency 32
echo "## GET /v1/admin/pipelines at the end" | tee -a "$out"
{ curl -s "http://127.0.0.1:$port/v1/admin/pipelines"; echo; } | tee -a "$out"
echo "## node: read-model lines of the log" | tee -a "$out"
{ grep -iE 'projection|read.?model|pipeline' "$data/node.log" | grep -iE 'warn|error|restart|fail' | tail -20 || true; } | tee -a "$out"
echo "# after: $(uptime)" | tee -a "$out"
echo "results in $out"
