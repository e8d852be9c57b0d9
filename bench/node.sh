# Sourced by the bench/run-*.sh scripts: builds Freshet, starts a fresh node on a temporary data
# directory (extra environment in NODE_ENV, e.g. "FRESHET_DEMO_CATALOG=off"), waits until it is ready,
# and stops it (and removes the directory) when the script exits.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$(mktemp -d)"
port="${FRESHET_HTTP_PORT:-8080}"

(cd "$root" && mvn -q -B -DskipTests install)
# The load generator sends no API key and far more than the per-key limits: these benchmarks measure
# the engine behind the edge, so keys and limits are off (FRESHET_AUTH, FRESHET_RATE_LIMITS).
env FRESHET_AUTH=off FRESHET_RATE_LIMITS=off ${NODE_ENV:-} FRESHET_DATA_DIR="$data" FRESHET_HTTP_PORT="$port" "$root/bin/freshet" > "$data/node.log" 2>&1 &
node=$!
trap 'kill -TERM $node 2>/dev/null; wait $node 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null && break
  sleep 1
done
