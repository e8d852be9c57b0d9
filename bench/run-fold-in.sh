#!/usr/bin/env bash
# Fold-in cost per event (issue 16): JMH on learning.FoldInBenchmark, with the node's jar on the
# class path for the domain classes. Arguments go to JMH (e.g. -p pairs=100 -f 2).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
(cd "$root" && mvn -q -B -DskipTests package -pl bench -am)
exec java -cp "$root/bench/target/freshet-bench.jar:$root/cluster/target/freshet.jar" \
  org.openjdk.jmh.Main FoldInBenchmark "$@"
