#!/usr/bin/env bash
# Freshet against the naive baseline (issue 14) in ONE run, on ONE PostgreSQL server:
#  - builds once (mvn package, nothing installed into ~/.m2);
#  - starts a fresh Freshet node (keys and limits off, no demo catalog, embedded PostgreSQL on a fixed
#    port in a temporary data directory), then the baseline service (dev.freshet.bench.baseline.
#    BaselineService) pointed at that same embedded server, its tables in schema "baseline" of the
#    same database; both JVMs get the same flags;
#  - sets up the same data in both (rank-spec --setup only: 10,000 items s-*, SPEC_USERS users su-* with
#    1,000 seen items and 30 events each; not measured);
#  - for each workload runs the load generator against one and then the other (the order alternates
#    from one workload to the next), each time WARMUP of unmeasured load right before DURATION measured:
#      1. ingest: batches of 20 of the 10,000 items for random users u-0 .. u-99999
#      2. rank k=20 for users u-* (little history: what step 1 gave them)
#      3. rank k=20 for users su-* (1,000 seen items each, rank-spec's conditions)
#  - prints a table of each side's rate and p99 and the ratios, with the conditions, and the CPU the
#    server, PostgreSQL and the load generator used inside each measured window (cores, ms/request).
#
#   bench/run-baseline-compare.sh [DURATION] [WARMUP]   (defaults 20s and 30s; output in
#                                                        bench/results-baseline-<time>.txt)
# Catalog scale (issue 15): POOLS="10000 100000 1000000" WORKLOADS=spec runs workload 3 once per
# catalog size, growing the same catalog (users su<pool>-* of their own at each size), and prints
# the embedded vector index's memory per item; Freshet's node is measured only once its index is ready.
# Environment: CONCURRENCY (32), SPEC_USERS (1000), POOLS ("10000"), WORKLOADS ("ingest rank spec"),
# FRESHET_HTTP_PORT (8080), BASELINE_PORT (8090),
# PG_PORT (55432), BASELINE_POOL (16 connections and 16 handler threads),
# JVM_OPTS (for both servers; default bin/freshet's: -Xms1g -Xmx4g -XX:+UseShenandoahGC, G1 where the JVM
# has no Shenandoah).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-20s}"
warmup="${2:-30s}"
concurrency="${CONCURRENCY:-32}"
spec_users="${SPEC_USERS:-1000}"
pools="${POOLS:-10000}"
workloads="${WORKLOADS:-ingest rank spec}"
f_port="${FRESHET_HTTP_PORT:-8080}"
b_port="${BASELINE_PORT:-8090}"
pg_port="${PG_PORT:-55432}"
b_pool="${BASELINE_POOL:-16}"
jvm="${JVM_OPTS:-$("$root/bin/freshet" jvm-options)}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$root/bench/results-baseline-$stamp.txt"
work="$(mktemp -d)"
bench_jar="$root/bench/target/freshet-bench.jar"

(cd "$root" && mvn -q -B -DskipTests package)

node="" baseline=""
cleanup() {
  [ -n "$baseline" ] && kill -TERM "$baseline" 2>/dev/null && wait "$baseline" 2>/dev/null || true
  [ -n "$node" ] && kill -TERM "$node" 2>/dev/null && wait "$node" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

wait_ready() { # url, log
  for _ in $(seq 1 180); do
    curl -sf "$1/health/ready" > /dev/null && return 0
    sleep 1
  done
  echo "not ready: $1; last lines of $2:" >&2; tail -20 "$2" >&2; exit 1
}

# shellcheck disable=SC2086
env FRESHET_AUTH=off FRESHET_RATE_LIMITS=off FRESHET_DEMO_CATALOG=off FRESHET_DATA_DIR="$work/freshet" \
  FRESHET_HTTP_PORT="$f_port" FRESHET_EMBEDDED_DB_PORT="$pg_port" \
  java $jvm -jar "$root/cluster/target/freshet.jar" > "$work/node.log" 2>&1 &
node=$!
wait_ready "http://127.0.0.1:$f_port" "$work/node.log"
# shellcheck disable=SC2086
java $jvm -cp "$bench_jar" dev.freshet.bench.baseline.BaselineService --port "$b_port" \
  --db-url "jdbc:postgresql://127.0.0.1:$pg_port/postgres" --db-user postgres --schema baseline \
  --pool-size "$b_pool" --threads "$b_pool" > "$work/baseline.log" 2>&1 &
baseline=$!
wait_ready "http://127.0.0.1:$b_port" "$work/baseline.log"

declare -A url=([freshet]="http://127.0.0.1:$f_port" [baseline]="http://127.0.0.1:$b_port")
declare -A pid=([freshet]="$node" [baseline]="$baseline")
seconds() { # 30s, 2m, 500ms -> whole seconds
  case "$1" in *ms) echo $(( ${1%ms} / 1000 ));; *m) echo $(( ${1%m} * 60 ));; *s) echo "${1%s}";; *) echo "$1";; esac
}
warm_s=$(seconds "$warmup")
dur_s=$(seconds "$duration")
ticks() { # CPU clock ticks (user + system) of the given processes
  local t=0 p
  for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  echo "$t"
}
bench() { # side, file, args...
  local side="$1" file="$2"; shift 2
  echo "### $side" | tee -a "$out"
  java -jar "$bench_jar" "$@" --url "${url[$side]}" 2>/dev/null | tee "$work/$file" | tee -a "$out"
}
{
  echo "# Freshet against the naive baseline, same run: $(date -u +%FT%TZ)"
  echo "# machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load average at start $(cut -d' ' -f1-3 /proc/loadavg); node, baseline, PostgreSQL and load generator all on it"
  echo "# commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)'); JVM flags (both servers): $jvm"
  echo "# PostgreSQL: Freshet's embedded server (fsync=on, synchronous_commit=on) on port $pg_port, shared: Freshet's tables in schema public, the baseline's in schema baseline of the same database"
  echo "# $(grep -m1 '^baseline service' "$work/baseline.log")"
  echo "# Freshet: FRESHET_AUTH=off FRESHET_RATE_LIMITS=off FRESHET_DEMO_CATALOG=off, defaults otherwise"
  echo "# each measurement: $warmup warm-up (unmeasured, same load) right before $duration measured, $concurrency requests in flight"
} | tee "$out"

# A measured workload: the load generator as in bench(), and the CPU the server (node or baseline JVM),
# PostgreSQL (all its processes) and the load generator used inside the measured window (from 1 s after
# the warm-up to 1 s before the end), as cores and as CPU milliseconds per request.
measure() { # side, file, args...
  local side="$1" file="$2"; shift 2
  echo "### $side" | tee -a "$out"
  java -jar "$bench_jar" "$@" --url "${url[$side]}" > "$work/$file" 2>/dev/null &
  local gen=$! window=$((dur_s - 2))
  sleep $((warm_s + 1))
  local s0 p0 g0 s1 p1 g1
  s0=$(ticks "${pid[$side]}"); p0=$(ticks $(pgrep -x postgres)); g0=$(ticks "$gen")
  sleep "$window"
  s1=$(ticks "${pid[$side]}"); p1=$(ticks $(pgrep -x postgres)); g1=$(ticks "$gen")
  wait "$gen" || true
  tee -a "$out" < "$work/$file"
  python3 - "$work/$file" "$side" "$window" "$(getconf CLK_TCK)" $((s1 - s0)) $((p1 - p0)) $((g1 - g0)) <<'EOF' | tee -a "$out" "$work/$file.cpu"
import json, sys
path, side, window, hz = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
server, pg, gen = (int(x) / hz / window for x in sys.argv[5:8])
line = next(l for l in open(path) if l.startswith("RESULT "))
result = json.loads(line[len("RESULT "):])
workload = next(v for k, v in result.items() if isinstance(v, dict) and "requestsPerS" in v)
rps = workload["requestsPerS"]
per = lambda cores: 1000 * cores / rps if rps else float("nan")
# the generator's process gone by the window's end reads as 0 ticks: no figure rather than a negative one
generator = f"{gen:.2f} cores" if gen >= 0 else "n/a (its process had ended)"
print(f"cpu {side}: server {server:.2f} cores ({per(server):.3f} ms/request), PostgreSQL {pg:.2f} cores"
      f" ({per(pg):.3f} ms/request), load generator {generator}, at {rps:,.0f} requests/s")
EOF
}

common=(--concurrency "$concurrency" --warmup "$warmup" --duration "$duration")
wants() { [[ " $workloads " == *" $1 "* ]]; }
# users su-* of the 10,000-item catalog (workloads 2 and 3 at the first size); su<pool>-* beyond it
prefix_of() { [ "$1" = 10000 ] && echo "su-" || echo "su$1-"; }
setup() { # pool
  local p="$1"
  echo "## setup (not measured): $p items, $spec_users users $(prefix_of "$p")* x 1,000 seen + 30 events, /state check" | tee -a "$out"
  for side in freshet baseline; do
    bench "$side" "setup-$side-$p.txt" rank-spec --setup only --pool "$p" --users "$spec_users" --users-prefix "$(prefix_of "$p")"
  done
  # rankings are measured once the embedded index holds the catalog (it answers "building" before)
  for _ in $(seq 1 3600); do
    index_status "$p" > /dev/null && break
    sleep 1
  done
  index_status "$p" | tee -a "$out" "$work/index-$p.txt"
}
ratios=()
cat > "$work/index_status.py" <<'EOF'
import json, sys
pool = int(sys.argv[1])
i = json.load(sys.stdin)["indexes"][0]
print("vector index at {:,} items: {} {}, {:,} items, {:,} bytes ({} B/item; the vectors are the"
      " catalog items' own, not counted), last build {:,} ms".format(
          pool, i["kind"], i["state"], i["items"], i["bytes"], i.get("bytesPerItem", 0),
          i.get("lastBuildMillis", 0)))
sys.exit(0 if i["state"] == "ready" and i["pending"] == 0 and i["items"] >= pool else 1)
EOF
index_status() { # pool: prints the embedded index's figures; fails until it is ready with the pool
  curl -sf "${url[freshet]}/v1/admin/vectors" | python3 "$work/index_status.py" "$1"
}
first_pool="${pools%% *}"
if wants ingest || wants rank || wants spec; then setup "$first_pool"; fi
if wants ingest; then
  echo "## 1. ingest: batches of 20 of $first_pool items, 100,000 users u-*" | tee -a "$out"
  for side in freshet baseline; do
    measure "$side" "ingest-$side.txt" ingest --users 100000 --items "$first_pool" --items-prefix s- --batch 20 "${common[@]}"
  done
  ratios+=("durable ingest, batches of 20, 100,000 users" ingest impressions "$work/ingest-freshet.txt" "$work/ingest-baseline.txt")
fi
if wants rank; then
  echo "## 2. rank k=20, $first_pool items, users u-* with little history (from step 1)" | tee -a "$out"
  for side in baseline freshet; do
    measure "$side" "rank-$side.txt" rank --users 100000 --items "$first_pool" --items-prefix s- --k 20 "${common[@]}"
  done
  ratios+=("ranking k = 20, $first_pool items, users with little history" rank rankings "$work/rank-freshet.txt" "$work/rank-baseline.txt")
fi
if wants spec; then
  for p in $pools; do
    [ "$p" = "$first_pool" ] || setup "$p"
    echo "## 3. rank k=20, $p items, users $(prefix_of "$p")* with 1,000 seen (rank-spec conditions)" | tee -a "$out"
    for side in freshet baseline; do
      measure "$side" "spec-$side-$p.txt" rank-spec --setup skip --pool "$p" --users "$spec_users" --users-prefix "$(prefix_of "$p")" --k 20 "${common[@]}"
    done
    ratios+=("ranking k = 20, $p items, $spec_users users with 1,000 seen" rank rankings "$work/spec-freshet-$p.txt" "$work/spec-baseline-$p.txt")
  done
fi

{
  echo
  echo "## Same-run ratios ($(nproc) cores; $concurrency in flight; $warmup warm-up + $duration measured each; commit $(git -C "$root" rev-parse --short HEAD))"
  java -cp "$bench_jar" dev.freshet.bench.baseline.SameRunRatio "${ratios[@]}"
  echo
  cat "$work"/index-*.txt 2>/dev/null || true
  echo
  echo "CPU inside each measured window (from /proc; PostgreSQL is shared, so its figure is whatever ran on it then):"
  for f in "$work"/*.txt.cpu; do echo "- $(basename "$f" .txt.cpu): $(cat "$f")"; done
} | tee -a "$out"
echo "results in $out"
