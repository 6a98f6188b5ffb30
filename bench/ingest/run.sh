#!/usr/bin/env bash
# Metrics ingestion over the collectors' mTLS listener, on SQLite and on PostgreSQL, beside COPY in the same run.
#
#   sudo bench/ingest/run.sh         (root: the PostgreSQL fixture runs the server as the postgres user)
#
# Per backend, one gatehouse (release build) and bench/ingest/ingest.py:
#   fleet  BENCH_COLLECTORS (500) enrolled collectors, each pushing BENCH_SAMPLES (100) samples every
#          BENCH_PERIOD (10) s for BENCH_FLEET_SECONDS (30), each push on a new connection with its TLS session
#          resumed: p50/p99 push latency (connect to answer) and gatehouse's CPU over the phase
#   max    BENCH_CONNECTIONS (8) keep-alive connections pushing batches of BENCH_BATCH (1000) samples back to back
#          for BENCH_MAX_SECONDS (20): the sustained samples/s (every push answered only once committed)
# Reference: the same number of rows (series_id, ts, value) loaded with COPY straight into a PostgreSQL table with
# the same primary key, from one client: rows/s. The ratio API/COPY is the cost of the API path (TLS, JSON,
# validation, series resolution, idempotency, one transaction per push). Absolute numbers on a shared machine are
# noise; the ratio is the claim.
#
# Environment: GATEHOUSE_BIN, BENCH_* above, BENCH_KEEP=1 keeps the temporary directory.
# Needs root, postgresql-15 and /usr/bin/python3 with python3-requests (`./dev test` installs them).
set -euo pipefail
export LC_ALL=C.UTF-8
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
ensure_release_binary
bench_tmpdir

PG_DIR=""
stop_all() {
    local rc=$?
    set +e
    [[ -n $PG_DIR ]] && bash "$ROOT/tests/fixtures/pg.sh" stop "$PG_DIR" 2>/dev/null
    (exit "$rc")
    bench_cleanup
}
trap stop_all EXIT

PG_DIR="$TMP/pg"
say "starting PostgreSQL 15 (tests/fixtures/pg.sh)"
PG_URL="$(bash "$ROOT/tests/fixtures/pg.sh" start "$PG_DIR" 2>"$TMP/pg.log" | tail -n 1)"
[[ $PG_URL == postgresql://* ]] || { cat "$TMP/pg.log" >&2; die "pg.sh start failed"; }
PSQL=(psql "$PG_URL" -X -q -v ON_ERROR_STOP=1)
"${PSQL[@]}" -c "CREATE DATABASE gh_ingest" -c "CREATE DATABASE copy_ref"
PG_DB_URL="${PG_URL%/*}/gh_ingest"
REF_URL="${PG_URL%/*}/copy_ref"

run_backend() {
    local name="$1"
    shift
    say "[$name] starting gatehouse"
    rm -f "$TMP/gatehouse.log"
    GATEHOUSE_ADMIN_PASSWORD=bench-admin-pw-1 env -u GATEHOUSE_BIN "$BIN" serve --listen 127.0.0.1:0 \
        --collectors-listen 127.0.0.1:0 --data-dir "$TMP/data-$name" --auth-argon2-opslimit 1 \
        --auth-argon2-memlimit-kib 8192 --log-access false "$@" >"$TMP/gatehouse.log" 2>&1 &
    GH_PID=$!
    wait_listening
    local collectors_url token
    collectors_url="$(grep -m1 -o '^collectors listening on https://[^ ]*' "$TMP/gatehouse.log" | sed 's/^collectors listening on //')"
    token="$("$PYTHON" - "$GH_URL" <<'PY'
import sys, requests
s = requests.Session(); s.trust_env = False
r = s.post(sys.argv[1] + "/api/v1/auth/login", json={"username": "admin", "password": "bench-admin-pw-1"})
r.raise_for_status(); print(r.json()["access_token"])
PY
)"
    say "[$name] enrolling ${BENCH_COLLECTORS:-500} collectors, then the fleet and max phases"
    "$PYTHON" "$HERE/ingest.py" --api "$GH_URL" --collectors-url "$collectors_url" --token "$token" --pid "$GH_PID" \
        --workdir "$TMP/certs-$name" --collectors "${BENCH_COLLECTORS:-500}" --samples "${BENCH_SAMPLES:-100}" \
        --period "${BENCH_PERIOD:-10}" --fleet-seconds "${BENCH_FLEET_SECONDS:-30}" \
        --max-seconds "${BENCH_MAX_SECONDS:-20}" --connections "${BENCH_CONNECTIONS:-8}" \
        --batch "${BENCH_BATCH:-1000}" >"$TMP/result-$name.json"
    kill -TERM "$GH_PID"
    wait "$GH_PID" || true
    GH_PID=""
}

run_backend sqlite
run_backend postgres --database-url "$PG_DB_URL"

# The reference: as many rows as the PostgreSQL max phase stored, COPY'd into the same shape of table.
ROWS="$("$PYTHON" -c 'import json,sys; print(int([json.loads(l) for l in open(sys.argv[1])][1]["samples"]))' "$TMP/result-postgres.json")"
say "COPY reference: $ROWS rows"
"$PYTHON" - "$ROWS" "$TMP/rows.csv" <<'PY'
import sys
rows, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as out:
    for n in range(rows):
        out.write(f"{n % 8000},{1764900000000 + (n // 8000) * 1000},{n % 1000}\n")
PY
psql "$REF_URL" -X -q -v ON_ERROR_STOP=1 -c "CREATE TABLE samples (series_id BIGINT NOT NULL, ts BIGINT NOT NULL, value DOUBLE PRECISION NOT NULL, PRIMARY KEY (series_id, ts))"
START=$(date +%s.%N)
psql "$REF_URL" -X -q -v ON_ERROR_STOP=1 -c "\\copy samples FROM '$TMP/rows.csv' WITH (FORMAT csv)"
END=$(date +%s.%N)

"$PYTHON" - "$TMP" "$ROWS" "$START" "$END" <<'PY'
import json, sys
tmp, rows, start, end = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
copy_rate = rows / (end - start)
print(f"{'backend':<10} {'fleet p50 ms':>12} {'fleet p99 ms':>12} {'fleet CPU %':>11} {'TLS resumed %':>13} "
      f"{'max samples/s':>14} {'max CPU %':>9}")
results = {}
for name in ("sqlite", "postgres"):
    fleet, peak = [json.loads(line) for line in open(f"{tmp}/result-{name}.json")]
    results[name] = (fleet, peak)
    print(f"{name:<10} {fleet['p50_ms']:>12.1f} {fleet['p99_ms']:>12.1f} {fleet['server_cpu_pct']:>11.1f} "
          f"{fleet['tls_resumed_pct']:>13.0f} {peak['samples_per_s']:>14.0f} {peak['server_cpu_pct']:>9.0f}")
    for phase in (fleet, peak):
        if phase["errors"]:
            print(f"  {name} {phase['phase']}: {phase['errors']} errors, first: {phase['first_error']}")
print(f"COPY into PostgreSQL (same rows, same primary key): {copy_rate:.0f} rows/s")
for name in ("sqlite", "postgres"):
    print(f"ratio {name} API / COPY: {results[name][1]['samples_per_s'] / copy_rate:.2f}")
fleet = results["sqlite"][0]
print(f"fleet: {fleet['collectors']} collectors x 100 samples / 10 s = {fleet['samples_per_s']:.0f} samples/s offered")
PY
