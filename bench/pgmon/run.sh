#!/usr/bin/env bash
# PostgreSQL monitoring load: gatehouse's snapshot (GET .../postgres/activity and .../postgres/stats, both with
# ?fresh=true: cold caches, a query on PostgreSQL every time) against one scrape of postgres_exporter (Debian's
# prometheus-postgres-exporter, its default collectors), on the same PostgreSQL 15, in the same run, while
# `pgbench -c 8` runs against it.
#
#   sudo bench/pgmon/run.sh          (root: the PostgreSQL fixture runs the server as the postgres user)
#
# Per tool and round (the order alternates), BENCH_SNAPSHOTS snapshots one after another from one client:
#   wall            latency of one snapshot as the client sees it (gatehouse: both requests)
#   own CPU         CPU time of the gatehouse or exporter process per snapshot (/proc/PID/task/*/schedstat)
#   PostgreSQL CPU  CPU time of the PostgreSQL backends serving that tool per snapshot (found by application_name:
#                   gatehouse-monitor, pg_exporter); this is the load put on the monitored server
# Both tools keep their connection open between snapshots (warmed up first), as they do in service. The verdict
# compares medians over the rounds; absolute numbers on a shared 2-core machine are noise, the ratios are the claim.
# Goals: a snapshot under 5 ms, and under a fifth of the exporter's CPU on the monitored server.
#
# Environment:
#   GATEHOUSE_BIN    binary to measure (default: build/release/src/cli/gatehouse, built if missing)
#   BENCH_ROUNDS     rounds (default 3); BENCH_SNAPSHOTS snapshots per tool and round (default 200)
#   BENCH_PGBENCH_CLIENTS  pgbench -c during the measurement (default 8; 0: no load)
#   BENCH_STRICT=1   exit 3 when a goal is missed
#   BENCH_KEEP=1     keep the temporary directory
#
# Needs root, postgresql-15, prometheus-postgres-exporter and /usr/bin/python3 with python3-requests (`./dev test`
# installs them). Installs nothing itself.
set -euo pipefail
export LC_ALL=C.UTF-8
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

EXPORTER="$(command -v prometheus-postgres-exporter || true)"
[[ -n $EXPORTER ]] || die "prometheus-postgres-exporter not found (apt-get install prometheus-postgres-exporter)"
command -v pgbench >/dev/null || [[ -x /usr/lib/postgresql/15/bin/pgbench ]] || die "pgbench not found (postgresql-15)"
PGBENCH="$(command -v pgbench || echo /usr/lib/postgresql/15/bin/pgbench)"
ensure_release_binary
bench_tmpdir

PG_DIR=""
EXP_PID=""
BENCH_PID=""
stop_all() {
    local rc=$?
    set +e  # a killed process's status must not end the clean-up half way
    if [[ -n $BENCH_PID ]]; then kill "$BENCH_PID" 2>/dev/null; wait "$BENCH_PID" 2>/dev/null; fi
    if [[ -n $EXP_PID ]]; then kill "$EXP_PID" 2>/dev/null; wait "$EXP_PID" 2>/dev/null; fi
    [[ -n $PG_DIR ]] && bash "$ROOT/tests/fixtures/pg.sh" stop "$PG_DIR" 2>/dev/null
    (exit "$rc")
    bench_cleanup
}
trap stop_all EXIT

PG_DIR="$TMP/pg"
say "starting PostgreSQL 15 (tests/fixtures/pg.sh)"
PG_URL="$(bash "$ROOT/tests/fixtures/pg.sh" start "$PG_DIR" 2>"$TMP/pg.log" | tail -n 1)"
[[ $PG_URL == postgresql://* ]] || { cat "$TMP/pg.log" >&2; die "pg.sh start failed"; }
PG_PORT="${PG_URL##*:}"
PG_PORT="${PG_PORT%%/*}"
MONITOR_PW="bench-monitor-pw"
psql "$PG_URL" -X -q -c "CREATE ROLE monitor LOGIN PASSWORD '$MONITOR_PW' IN ROLE pg_monitor"
say "pgbench -i -s 10"
PGUSER=gatehouse "$PGBENCH" -h 127.0.0.1 -p "$PG_PORT" -i -q -s 10 postgres >"$TMP/pgbench-init.log" 2>&1

ADMIN_PW="bench-admin-pw-1234"
GATEHOUSE_ADMIN_PASSWORD="$ADMIN_PW" start_gatehouse
EXP_PORT="$(free_port)"
say "starting postgres_exporter on 127.0.0.1:$EXP_PORT"
DATA_SOURCE_NAME="postgresql://monitor:$MONITOR_PW@127.0.0.1:$PG_PORT/postgres?sslmode=disable&application_name=pg_exporter" \
    "$EXPORTER" --web.listen-address="127.0.0.1:$EXP_PORT" >"$TMP/exporter.log" 2>&1 &
EXP_PID=$!
for _ in $(seq 1 100); do
    http_get "http://127.0.0.1:$EXP_PORT/metrics" >/dev/null 2>&1 && break
    kill -0 "$EXP_PID" 2>/dev/null || { cat "$TMP/exporter.log" >&2; die "postgres_exporter exited"; }
    sleep 0.1
done

CLIENTS="${BENCH_PGBENCH_CLIENTS:-8}"
[[ $CLIENTS =~ ^[0-9]+$ ]] || die "BENCH_PGBENCH_CLIENTS must be a number"
if [[ $CLIENTS -gt 0 ]]; then
    say "pgbench -c $CLIENTS in the background for the whole measurement"
    PGUSER=gatehouse "$PGBENCH" -h 127.0.0.1 -p "$PG_PORT" -c "$CLIENTS" -j 2 -T 900 postgres >"$TMP/pgbench.log" 2>&1 &
    BENCH_PID=$!
    sleep 2
fi

"$PYTHON" "$HERE/measure.py" --gatehouse "$GH_URL" --gatehouse-pid "$GH_PID" \
    --exporter "http://127.0.0.1:$EXP_PORT" --exporter-pid "$EXP_PID" --password "$ADMIN_PW" \
    --pg-port "$PG_PORT" --monitor-password "$MONITOR_PW" --superuser-url "$PG_URL" \
    --rounds "${BENCH_ROUNDS:-3}" --snapshots "${BENCH_SNAPSHOTS:-200}"
