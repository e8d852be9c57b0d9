#!/usr/bin/env bash
# Issue 15: the embedded vector index candidates (jvector, hnswlib-core, Lucene's HNSW) measured on
# the same clustered data in one JVM, one library after the other (dev.freshet.bench.vectors.
# IndexComparison): build time and heap per item, single-thread QPS and recall@100 of top-100
# search at several beam widths, and filtered search with 10 % and 50 % of the items excluded.
#
#   bench/run-vector-index.sh [options]     (output in bench/results-vectors-<time>.txt)
#
# Options (defaults in brackets) go to IndexComparison: --items [100000] --dim [64] --queries [1000]
# --libraries [jvector,hnswlib,lucene] --seed [42] --ef [100,200,400] --exclude [0.1,0.5]
# --build-threads [1] --m [16] --ef-construction [100] --clusters [100] --k [100].
# The issue's second size: bench/run-vector-index.sh --items 1000000 --dim 32
# Environment: JAVA_OPTS (default -Xms1g -Xmx8g -XX:+UseG1GC: fixed, so the libraries are compared
# under the same collector; a library that runs out of memory is reported as such, not a crash).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$root/bench/results-vectors-$stamp.txt"
jvm="${JAVA_OPTS:--Xms1g -Xmx8g -XX:+UseG1GC}"

# the bench module and what it needs, nothing installed into ~/.m2
(cd "$root" && mvn -q -B -pl bench -am package -DskipTests)

{
  echo "run-vector-index.sh at $stamp, git $(cd "$root" && git rev-parse --short HEAD)$(cd "$root" && git diff --quiet HEAD -- bench || echo ' (bench modified)')"
  echo "host: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2 " GB RAM"}'); java: $(java -version 2>&1 | head -1)"
  echo
} | tee "$out"
# shellcheck disable=SC2086  # JAVA_OPTS is a list of flags
java $jvm -cp "$root/bench/target/freshet-bench.jar" dev.freshet.bench.vectors.IndexComparison "$@" 2>&1 | tee -a "$out"
echo "written to $out"
