#!/usr/bin/env bash
# Warm ingest (read models on, demo catalog, keys and limits off) at another commit and at the working
# tree, back to back on fresh nodes, twice the other commit so that drift of the machine shows:
# BASE, HEAD, BASE. Used for the comparison with 5a043b0 in bench/README.md.
#
#   bench/run-compare.sh BASE_COMMIT [DURATION]   (default 30s per run; results in bench/results-compare-<time>.txt)
#   COMMAND=ingest-lag bench/run-compare.sh ...    the same runs while polling the read models' lag (GET
#                                                  /v1/admin/pipelines every second, then until caught up)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="${1:?usage: bench/run-compare.sh BASE_COMMIT [DURATION]}"
duration="${2:-30s}"
command="${COMMAND:-ingest}"
case "$command" in ingest|ingest-lag) ;; *) echo "COMMAND is ingest or ingest-lag" >&2; exit 2 ;; esac
out="$root/bench/results-compare-$(date -u +%Y%m%dT%H%M%SZ).txt"
tree="$(mktemp -d)"
git -C "$root" worktree add -q --detach "$tree" "$base"
trap 'git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1 || true' EXIT
(cd "$tree" && mvn -q -B -DskipTests package)
(cd "$root" && mvn -q -B -DskipTests install)

run() { # label, tree
  local data node
  data="$(mktemp -d)"
  FRESHET_AUTH=off FRESHET_RATE_LIMITS=off FRESHET_DATA_DIR="$data" FRESHET_HTTP_PORT=8080 \
    java -Xms512m -Xmx4g -XX:+UseG1GC -jar "$2/cluster/target/freshet.jar" > "$data/node.log" 2>&1 &
  node=$!
  for _ in $(seq 1 120); do curl -sf http://127.0.0.1:8080/health/ready > /dev/null && break; sleep 1; done
  echo "## $1: $command, warm-up, 64 in flight" | tee -a "$out"
  java -jar "$root/bench/target/freshet-bench.jar" "$command" --concurrency 64 --url http://127.0.0.1:8080 --duration "$duration" 2>/dev/null | tee -a "$out"
  echo "## $1: $command, warm node, 32 in flight" | tee -a "$out"
  java -jar "$root/bench/target/freshet-bench.jar" "$command" --concurrency 32 --url http://127.0.0.1:8080 --duration "$duration" 2>/dev/null | tee -a "$out"
  kill -TERM "$node"; wait "$node" 2>/dev/null || true; rm -rf "$data"
}
echo "# $(date -u +%FT%TZ) on $(nproc) cores; base $(git -C "$root" rev-parse --short "$base"), head $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)'); $command, $duration per run" | tee "$out"
run "base $base" "$tree"
run "head" "$root"
run "base $base again" "$tree"
echo "results in $out"
