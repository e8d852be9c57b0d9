#!/usr/bin/env bash
# The user-independent ranking terms after a new popularity board (SharedTermsBenchmark: JMH) against
# another commit's node jar and this tree's, in one run: base, head, base, so that drift of the machine
# shows. The benchmark itself is this tree's; only the node's classes differ. Arguments after the commit
# go to JMH (e.g. -p items=100000).
#
#   bench/run-terms.sh BASE_COMMIT [JMH ARGS]   (results in bench/results-terms-<time>.txt)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="${1:?usage: bench/run-terms.sh BASE_COMMIT [JMH ARGS]}"
shift
out="$root/bench/results-terms-$(date -u +%Y%m%dT%H%M%SZ).txt"
tree="$(mktemp -d)"
git -C "$root" worktree add -q --detach "$tree" "$base"
trap 'git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1 || true' EXIT
(cd "$tree" && mvn -q -B -DskipTests package -pl cluster -am)
(cd "$root" && mvn -q -B -DskipTests package -pl bench -am)

run() { # label, tree, JMH arguments
  local label="$1" jar="$2/cluster/target/freshet.jar"
  shift 2
  echo "## $label" | tee -a "$out"
  java -cp "$root/bench/target/freshet-bench.jar:$jar" \
    org.openjdk.jmh.Main SharedTermsBenchmark "$@" 2>&1 | grep -E '^(Benchmark|SharedTerms)' | tee -a "$out"
}
echo "# $(date -u +%FT%TZ) on $(nproc) cores; base $(git -C "$root" rev-parse --short "$base"), head $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)')" | tee "$out"
run "base $base" "$tree" "$@"
run "head" "$root" "$@"
run "base $base again" "$tree" "$@"
echo "results in $out"
