#!/usr/bin/env bash
# PostgreSQL statements per ingest batch (issue 14 target: <= 3 on average), counted by pg_stat_statements.
# The embedded server cannot preload the extension, so this starts a throw-away cluster of the machine's
# own PostgreSQL (PG_BIN, default /usr/lib/postgresql/15/bin: Debian's postgresql-15) on PG_PORT ($P)
# with pg_stat_statements preloaded, a node on it (FRESHET_DB_URL; keys and limits off, demo catalog,
# read models on), warms it with 40 s of ingest, resets the counters, measures 30 s of ingest (batches of
# 20, 100,000 users, 32 in flight), waits 5 s for the read models, and prints the statements per batch
# and the 25 most called. Output also in bench/results-statements-<time>.txt.
#
#   bench/run-statements.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/bench/results-statements-$(date -u +%Y%m%dT%H%M%SZ).txt"
B="${PG_BIN:-/usr/lib/postgresql/15/bin}"
P="${PG_PORT:-55499}"
(cd "$root" && mvn -q -B -DskipTests package)
exec > >(tee "$out") 2>&1
echo "# $(date -u +%FT%TZ), commit $(git -C "$root" rev-parse --short HEAD), $(nproc) cores; $("$B/postgres" --version)"
D="$(mktemp -d)"; chmod 755 "$D"; chown postgres "$D" 2>/dev/null || true
# initdb refuses to run as root: the cluster belongs to the postgres user where there is one
id postgres >/dev/null 2>&1 && RUN="su postgres -c" || RUN="bash -c"
node=""
cleanup() {
  [ -n "$node" ] && kill "$node" 2>/dev/null && wait "$node" 2>/dev/null || true
  [ -f "$D/data/postmaster.pid" ] && $RUN "$B/pg_ctl -D $D/data stop -m fast >/dev/null" || true
  rm -rf "$D"
}
trap cleanup EXIT
$RUN "$B/initdb -D $D/data -U postgres -A trust >/dev/null"
$RUN "$B/pg_ctl -D $D/data -o '-p $P -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all -c max_connections=200 -k $D' -l $D/log start >/dev/null"
sleep 2
psql -h 127.0.0.1 -p $P -U postgres -c "CREATE EXTENSION pg_stat_statements" >/dev/null
F="$D/node"; mkdir -p "$F"
FRESHET_AUTH=off FRESHET_RATE_LIMITS=off FRESHET_DATA_DIR=$F FRESHET_DB_URL=jdbc:postgresql://127.0.0.1:$P/postgres FRESHET_DB_USER=postgres FRESHET_DB_PASSWORD= \
  "$root/bin/freshet" start > "$F/node.log" 2>&1 &
node=$!
for i in $(seq 1 60); do curl -sf http://127.0.0.1:8080/health/ready >/dev/null && break; sleep 1; done
java -jar $root/bench/target/freshet-bench.jar ingest --duration 20s --warmup 40s --concurrency 32 2>/dev/null | grep "SPEC target" 
psql -h 127.0.0.1 -p $P -U postgres -c "SELECT pg_stat_statements_reset()" >/dev/null
java -jar $root/bench/target/freshet-bench.jar ingest --duration 30s --warmup 0s --concurrency 32 > $F/ingest.txt 2>/dev/null
sleep 5  # read models catch up
grep "SPEC target" $F/ingest.txt
req=$(grep '^RESULT' $F/ingest.txt | sed 's/^RESULT //' | python3 -c 'import json,sys; print(json.load(sys.stdin)["ingest"]["requests"])')
echo "batches: $req"
psql -h 127.0.0.1 -p $P -U postgres -At -F '|' -c "SELECT calls, round(total_exec_time::numeric,0), left(regexp_replace(query, '\s+', ' ', 'g'), 110) FROM pg_stat_statements WHERE query NOT ILIKE '%pg_stat_statements%' ORDER BY calls DESC LIMIT 25" > $F/stmts.txt
q() { psql -h 127.0.0.1 -p "$P" -U postgres -At -c "$1"; }
mine="query NOT ILIKE '%pg_stat_statements%'"
control="query IN ('BEGIN','COMMIT','ROLLBACK') OR query ILIKE 'SET %' OR query ILIKE 'SAVEPOINT%' OR query ILIKE 'RELEASE%'"
# the foreign-key trigger's check, run inside an INSERT (event_tag -> event_journal), not sent by a client
ri="query ILIKE 'SELECT 1 FROM ONLY %FOR KEY SHARE%'"
sent=$(q "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE $mine AND NOT ($control) AND NOT ($ri)")
checks=$(q "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE $mine AND ($ri)")
txns=$(q "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE $mine AND query = 'BEGIN'")
per() { echo "scale=2; $1 / $req" | bc; }
echo "per batch of 20: $(per "$sent") statements sent ($sent), plus $(per "$checks") foreign-key checks run by a trigger inside them ($checks); $(per "$txns") explicit transactions ($txns BEGIN)"
cat $F/stmts.txt
echo "results in $out"
