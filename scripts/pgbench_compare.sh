#!/usr/bin/env bash
# pgbench TPC-B-like, Cachet vs PostgreSQL on the same machine, equal durability:
# Cachet on disk with its default synchronous commit (WAL fsynced before COMMIT
# returns), PostgreSQL with synchronous_commit = on and fsync = on.
#
#   scripts/pgbench_compare.sh                # scale 10, 8 clients, 2 threads, 30 s
#   T=60 SCALE=10 scripts/pgbench_compare.sh
#
# PostgreSQL is reached with PG_DSN (default: host=localhost user=postgres
# password=postgres); a database named pgbench_compare is created there.
# Cachet's tables are made with primary keys inline and loaded with COPY, because
# `pgbench -i` needs statements the engine does not have yet (see
# scripts/pg_clients.sh); the data is the same as `pgbench -i` makes.
set -euo pipefail
cd "$(dirname "$0")/.."

T=${T:-30}
SCALE=${SCALE:-10}
PG_DSN=${PG_DSN:-host=localhost user=postgres password=postgres}
PORT=${CACHET_PG_PORT:-55434}

cargo build --release -p cachet-cli --quiet
work=$(mktemp -d)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

run() {
    local label=$1
    shift
    for mode in simple prepared; do
        local line
        line=$(pgbench "$@" -n -c 8 -j 2 -T "$T" -M "$mode" 2>&1 | grep -E "failed transactions|^tps" | tr '\n' ' ')
        echo "$label  -M $mode  $line"
    done
}

echo "PostgreSQL: $(psql "$PG_DSN" -Atc "select version()")"
echo "  synchronous_commit=$(psql "$PG_DSN" -Atc 'show synchronous_commit') fsync=$(psql "$PG_DSN" -Atc 'show fsync')"
psql "$PG_DSN" -qc "drop database if exists pgbench_compare" -c "create database pgbench_compare" 2>/dev/null
pgbench "dbname=pgbench_compare $PG_DSN" -i -s "$SCALE" -q >/dev/null 2>&1
run "postgres" "dbname=pgbench_compare $PG_DSN"

target/release/cachet serve "$work/db" --pg-addr "127.0.0.1:$PORT" >"$work/server.log" 2>&1 &
server_pid=$!
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=cachet PGDATABASE=cachet
for _ in $(seq 1 50); do psql -Atc "select 1" >/dev/null 2>&1 && break; sleep 0.2; done
start=$(date +%s%N)
psql -v ON_ERROR_STOP=1 -q -c "
    CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22));
    CREATE TABLE pgbench_tellers (tid int NOT NULL PRIMARY KEY, bid int, tbalance int, filler char(84));
    CREATE TABLE pgbench_accounts (aid int NOT NULL PRIMARY KEY, bid int, abalance int, filler char(84));
    CREATE TABLE pgbench_branches (bid int NOT NULL PRIMARY KEY, bbalance int, filler char(88));"
seq 1 "$SCALE" | awk '{print $1"\t0\t"}' | psql -q -c "COPY pgbench_branches (bid, bbalance, filler) FROM STDIN"
seq 1 $((SCALE * 10)) | awk '{print $1"\t"int(($1-1)/10)+1"\t0\t"}' | psql -q -c "COPY pgbench_tellers FROM STDIN"
seq 1 $((SCALE * 100000)) | awk '{print $1"\t"int(($1-1)/100000)+1"\t0\t"}' | psql -q -c "COPY pgbench_accounts FROM STDIN"
echo "Cachet: loaded $((SCALE * 100000)) accounts with COPY in $(( ($(date +%s%N) - start) / 1000000 )) ms"
run "cachet  "
sums=$(psql -Atc "select (select sum(abalance) from pgbench_accounts), (select sum(bbalance) from pgbench_branches), (select sum(tbalance) from pgbench_tellers), (select sum(delta) from pgbench_history)")
echo "Cachet balance check (accounts, branches, tellers, history): $sums"
