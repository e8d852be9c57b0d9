#!/usr/bin/env bash
# The pool coordinator's bookkeeping (issue 17): JMH on actors.pool.PoolBookkeepingBenchmark, with the
# node's jar on the class path for the domain classes. Arguments go to JMH (e.g. -p atRisk=100000).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
(cd "$root" && mvn -q -B -DskipTests package -pl bench -am)
exec java -cp "$root/bench/target/freshet-bench.jar:$root/cluster/target/freshet.jar" \
  org.openjdk.jmh.Main PoolBookkeepingBenchmark "$@"
