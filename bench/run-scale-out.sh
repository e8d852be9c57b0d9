#!/usr/bin/env bash
# Ingest on one node against ingest on three (issue 17): the same load generator, the same warm-up,
# back to back, each cluster on a fresh PostgreSQL of its own (bin/freshet postgres), the nodes started
# as bin/freshet node N --of M starts them (Cluster Bootstrap over FRESHET_SEED_NODES). The load
# generator spreads its connections over every node's URL (--also). Prints both runs and the ratio.
#
#   bench/run-scale-out.sh [DURATION]   (default 60s measured per run; results in bench/results-scale-out-<time>.txt)
#
# Around the measured run it prints the CPU seconds each node, PostgreSQL (with its backends) and the
# rest of the machine (the load generator) used. JFR=1 also records every node with Java Flight Recorder
# during the measured run (bench/results-scale-out-<time>/<run>-node-N.jfr) and prints where their
# CPU went (bench/tools/jfr_top.py). NODE_JAVA_OPTS adds JVM options to every node (e.g.
# -XX:ActiveProcessorCount=1, so that three nodes size their pools for a core each); WARMUP sets the
# warm-up's length (default 30s), the same for both runs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-60s}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$root/bench/results-scale-out-$stamp.txt"
jfr_dir="$root/bench/results-scale-out-$stamp"
jar="$root/cluster/target/freshet.jar"
bench_jar="$root/bench/target/freshet-bench.jar"
(cd "$root" && mvn -q -B -DskipTests install)

{
  echo "# $(date -u +%FT%TZ) on $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; nodes, PostgreSQL and load generator on the same machine"
  echo "# commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)'); demo catalog, keys and limits off, -Xmx1g${NODE_JAVA_OPTS:+ $NODE_JAVA_OPTS} per node, $duration measured per run"
} | tee "$out"

pids=()
stop_all() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
trap stop_all EXIT

cpu_of() { # pids...: CPU seconds (user + system) of each process with its descendants, then the machine's busy seconds
  python3 - "$@" <<'PY'
import os, sys
tick = os.sysconf("SC_CLK_TCK")
own, children = {}, {}
for d in os.listdir("/proc"):
    if not d.isdigit():
        continue
    try:
        s = open(f"/proc/{d}/stat").read()
    except OSError:
        continue
    rest = s[s.rindex(")") + 2:].split()
    own[int(d)] = (int(rest[11]) + int(rest[12])) / tick
    children.setdefault(int(rest[1]), []).append(int(d))
def tree(p):
    return own.get(p, 0.0) + sum(tree(c) for c in children.get(p, []))
cpu = open("/proc/stat").readline().split()[1:]
busy = (sum(map(int, cpu)) - int(cpu[3]) - int(cpu[4])) / tick  # all but idle and iowait
print(" ".join(f"{tree(int(p)):.2f}" for p in sys.argv[1:]), f"{busy:.2f}")
PY
}

cpu_report() { # label, seconds measured, "before" and "after" from cpu_of (nodes..., postgres, machine), the run's RESULT
  python3 - "$@" <<'PY' | tee -a "$out"
import json, sys
label, seconds, before, after = sys.argv[1], float(sys.argv[2]), sys.argv[3].split(), sys.argv[4].split()
batches = json.loads(sys.argv[5].removeprefix("RESULT "))["ingest"]["requests"]
used = [float(a) - float(b) for a, b in zip(after, before)]
*nodes, pg, machine = used
rest = machine - sum(nodes) - pg
parts = [f"node-{i + 1} {c:.1f}" for i, c in enumerate(nodes)] + [f"PostgreSQL {pg:.1f}", f"the rest (load generator) {rest:.1f}"]
print(f"CPU {label}: {machine:.1f} s busy of {seconds:.0f} s on the machine's cores ({machine / seconds:.2f} cores): " + ", ".join(parts))
print(f"CPU {label} per batch: nodes {1000 * sum(nodes) / batches:.2f} ms, PostgreSQL {1000 * pg / batches:.2f} ms, the rest {1000 * rest / batches:.2f} ms ({batches} batches)")
PY
}

run() { # label, number of nodes
  local label="$1" n="$2" data pg_port urls also i
  data="$(mktemp -d)"
  pg_port=$((5600 + n))
  java -cp "$jar" dev.freshet.cluster.PostgresCommand --port "$pg_port" --dir "$data/pg" > "$data/pg.log" 2>&1 &
  pids+=($!)
  local pg_pid="" node_pids=()
  for _ in $(seq 1 60); do grep -q "PostgreSQL is running" "$data/pg.log" && break; sleep 1; done
  # the server runs detached from the command that started it: its postmaster names the data directory
  local p
  for p in $(pgrep -x postgres); do
    if tr '\0' ' ' < "/proc/$p/cmdline" | grep -q -- "$data/pg"; then pg_pid=$p; fi
  done
  seeds=""
  for ((i = 1; i <= n; i++)); do seeds="${seeds:+$seeds,}127.0.0.1:$((7725 + i))"; done
  urls=()
  for ((i = 1; i <= n; i++)); do
    FRESHET_DB_URL="jdbc:postgresql://127.0.0.1:$pg_port/postgres" FRESHET_DB_USER=postgres FRESHET_DB_PASSWORD= \
      FRESHET_AUTH=off FRESHET_RATE_LIMITS=off FRESHET_LOG_FORMAT=TEXT \
      FRESHET_HTTP_PORT=$((8180 + i)) FRESHET_INTERNAL_HTTP_PORT=$((8190 + i)) FRESHET_MANAGEMENT_PORT=$((7725 + i)) FRESHET_REMOTE_PORT=$((7455 + i)) \
      FRESHET_DATA_DIR="$data/node-$i" FRESHET_SEED_NODES="$seeds" \
      java -Xms512m -Xmx1g ${NODE_JAVA_OPTS:-} -jar "$jar" > "$data/node-$i.log" 2>&1 &
    pids+=($!)
    node_pids+=($!)
    urls+=("http://127.0.0.1:$((8180 + i))")
  done
  for ((i = 1; i <= n; i++)); do
    for _ in $(seq 1 180); do curl -sf "http://127.0.0.1:$((7725 + i))/ready" > /dev/null && break; sleep 1; done
  done
  also="$(IFS=,; echo "${urls[*]:1}")"
  bench() { java -jar "$bench_jar" ingest --url "${urls[0]}" ${also:+--also "$also"} "$@" 2>/dev/null | tee -a "$out"; }
  echo "## $label: ingest, warm-up of ${WARMUP:-30s} (not compared), 64 in flight" | tee -a "$out"
  bench --concurrency 64 --duration "${WARMUP:-30s}"
  # what the nodes cost with no load at all: background pipelines, gossip, the JIT's backlog
  local tag="${label// /-}" before after started
  before="$(cpu_of "${node_pids[@]}" "$pg_pid")"
  python3 "$root/bench/tools/thread_cpu.py" snapshot "${node_pids[@]}" > "$data/threads-before.json"
  sleep 20
  after="$(cpu_of "${node_pids[@]}" "$pg_pid")"
  python3 "$root/bench/tools/thread_cpu.py" snapshot "${node_pids[@]}" > "$data/threads-after.json"
  echo "## $label: idle for 20 s after the warm-up" | tee -a "$out"
  python3 - "$before" "$after" <<'PY' | tee -a "$out"
import sys
used = [float(a) - float(b) for a, b in zip(sys.argv[2].split(), sys.argv[1].split())]
*nodes, pg, machine = used
print(f"CPU idle: nodes {sum(nodes) / 20:.2f} cores ({', '.join(f'{n / 20:.2f}' for n in nodes)}), PostgreSQL {pg / 20:.2f} cores, machine {machine / 20:.2f} cores")
PY
  python3 "$root/bench/tools/thread_cpu.py" diff "$data/threads-before.json" "$data/threads-after.json" "$label, idle" | tee -a "$out"
  echo "## $label: ingest, warm nodes, 64 in flight" | tee -a "$out"
  if [ "${JFR:-0}" = 1 ]; then
    mkdir -p "$jfr_dir"
    for ((i = 1; i <= n; i++)); do jcmd "${node_pids[$((i - 1))]}" JFR.start name=scale settings=profile > /dev/null; done
  fi
  before="$(cpu_of "${node_pids[@]}" "$pg_pid")"
  python3 "$root/bench/tools/thread_cpu.py" snapshot "${node_pids[@]}" > "$data/threads-before.json"
  started=$(date +%s.%N)
  bench --concurrency 64 --duration "$duration"
  after="$(cpu_of "${node_pids[@]}" "$pg_pid")"
  python3 "$root/bench/tools/thread_cpu.py" snapshot "${node_pids[@]}" > "$data/threads-after.json"
  python3 "$root/bench/tools/thread_cpu.py" diff "$data/threads-before.json" "$data/threads-after.json" "$label" | tee -a "$out"
  cpu_report "$label" "$(echo "$(date +%s.%N) - $started" | bc)" "$before" "$after" "$(grep '^RESULT' "$out" | tail -1)"
  if [ "${JFR:-0}" = 1 ]; then
    for ((i = 1; i <= n; i++)); do
      jcmd "${node_pids[$((i - 1))]}" JFR.stop name=scale filename="$jfr_dir/$tag-node-$i.jfr" > /dev/null
    done
    python3 "$root/bench/tools/jfr_top.py" "$jfr_dir/$tag"-node-*.jfr | tee -a "$out"
  fi
  stop_all
  rm -rf "$data"
}

run "one node" 1
run "three nodes" 3
result_after() { # the first RESULT line after a heading (awk reads to the end: no SIGPIPE under pipefail)
  awk -v h="$1" 'index($0, h) == 1 { on = 1 } on && /^RESULT / && !done { sub(/^RESULT /, ""); print; done = 1 }' "$out"
}
one="$(result_after '## one node: ingest, warm nodes')"
three="$(result_after '## three nodes: ingest, warm nodes')"
python3 - "$one" "$three" <<'PY' | tee -a "$out"
import json, sys
one, three = (json.loads(a)["ingest"] for a in sys.argv[1:3])
for name, r in (("one node", one), ("three nodes", three)):
    print(f"{name}: {r['requestsPerS']:.0f} batches/s, {r.get('impressionsPerS', 0):.0f} impressions/s,"
          f" p99 {r['latencyMs']['p99']:.1f} ms, {r['failed']} failed")
print(f"three nodes / one node, batches/s: {three['requestsPerS'] / one['requestsPerS']:.2f}")
PY
echo "results in $out"
