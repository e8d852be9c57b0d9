#!/usr/bin/env bash
# Heap per resident user and recovery time of a user entity (issue 14 item 6; SPEC: ≤ 3 KiB per resident
# user with 1,000 seen items, recovery ≤ 20 ms at 10,000 seen). Builds the node jar, then runs
# dev.freshet.bench.footprint.EntityFootprint on it: a node in this JVM on an embedded PostgreSQL in a
# temporary directory (removed at the end). Options after the script name go to the program, e.g.
#
#   bench/run-footprint.sh                                  # 2,000 + 2,000 users x 1,000 seen; 50 users per recovery group
#   bench/run-footprint.sh --users 1000 --recovery-users 20
#
# JAVA_OPTS (default -Xms1g -Xmx2g -XX:+UseG1GC) sets the JVM; results go to bench/results-footprint-<time>.txt
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/bench/results-footprint-$(date -u +%Y%m%dT%H%M%SZ).txt"
(cd "$root" && mvn -q -B -ntp -o -pl bench -am package -DskipTests)
{
  echo "# $(date -u +%FT%TZ) on $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "# bench/run-footprint.sh $*"
} | tee "$out"
# the node's JSON log lines (and stderr) go to the .log file, the report to the .txt file
log="${out%.txt}.log"
java ${JAVA_OPTS:--Xms1g -Xmx2g -XX:+UseG1GC} -cp "$root/cluster/target/freshet.jar:$root/bench/target/classes" \
  dev.freshet.bench.footprint.EntityFootprint "$@" 2> "$log" | awk -v lf="$log" '/^\{/ { print >> lf; next } { print; fflush() }' | tee -a "$out"
echo "results in $out (log: ${out%.txt}.log)"
