#!/usr/bin/env bash
# Historical import (bin/freshet import) of MovieLens latest-small into a fresh node, keys on:
#   1. movies.csv and ratings.csv into the fresh node (cold: its JIT compiles during the import);
#   2. the same again: every batch is answered from the idempotency store, nothing changes;
#   3. the ratings once more under other user ids (the node now warm).
#
#   bench/run-import.sh [ML_DIR]   default ../shared/data/ml-latest-small; RATE_LIMITS=off lifts the
#                                  node's rate limits (on by default, as in production)
# Writes bench/results-import-<time>.txt.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ml="${1:-$root/../shared/data/ml-latest-small}"
out="$root/bench/results-import-$(date -u +%Y%m%dT%H%M%SZ).txt"
key="bench-import-admin-key-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
earliest="1995-01-01T00:00:00Z" # MovieLens' ratings start in 1996
export FRESHET_HTTP_PORT="${FRESHET_HTTP_PORT:-8092}"
NODE_ENV="FRESHET_AUTH=on FRESHET_ADMIN_KEY=$key FRESHET_RATE_LIMITS=${RATE_LIMITS:-on}
  FRESHET_DEMO_CATALOG=off FRESHET_EARLIEST_EVENT_TIME=$earliest
  FRESHET_REMOTE_PORT=7392 FRESHET_MANAGEMENT_PORT=7692"
source "$root/bench/node.sh"

import() {
  # the summary and the waits; not the progress lines
  FRESHET_API_KEY="$key" FRESHET_EARLIEST_EVENT_TIME="$earliest" "$root/bin/freshet" import \
    --url "http://127.0.0.1:$FRESHET_HTTP_PORT" "$@" 2>&1 | grep -v '^import: \(events\|items\) '
}
{
  echo "bin/freshet import of $ml; rate limits ${RATE_LIMITS:-on}; $(nproc) cores; $(date -u)"
  echo "== 1. movies and ratings into a fresh node"
  import --items "$ml/movies.csv" --events "$ml/ratings.csv"
  echo "== 2. the same again"
  import --items "$ml/movies.csv" --events "$ml/ratings.csv"
  echo "== 3. the ratings under other user ids, into the warm node"
  awk -F, 'NR == 1 { print; next } { print "again-" $0 }' "$ml/ratings.csv" > "$data/ratings-again.csv"
  import --events "$data/ratings-again.csv"
} | tee "$out"
echo "Results in $out"
