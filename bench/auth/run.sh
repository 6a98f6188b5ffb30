#!/usr/bin/env bash
# The authenticated hot path: GET /api/v1/users/me with a JWT access token and with an API token, against nginx
# serving the same bytes as a static file, all on loopback, measured with wrk in the same run.
#
#   bench/auth/run.sh
#
# gatehouse checks every request against its in-memory auth view (user generation, disabled flag, revoked
# families, denied jtis, API tokens): no database read per request. Targets: >= 0.8x nginx's requests/s with a
# JWT, >= 0.7x with an API token. Both servers write an access-log line per request.
#
# Environment:
#   GATEHOUSE_BIN   binary to measure (default: build/release/src/cli/gatehouse, built if missing)
#   BENCH_SECONDS   duration of each measured wrk run (default 10)
#   BENCH_ROUNDS    measured rounds, each running the three targets in turn (default 3); ratios are the medians of
#                   the per-round ratios, so drift in background load between rounds cancels out
#   BENCH_THREADS   wrk threads (default 2), BENCH_CONNECTIONS wrk connections (default 64)
#   BENCH_DATABASE_URL  run gatehouse on this PostgreSQL database instead of SQLite (optional)
#   BENCH_STRICT=1  exit 3 when a target is missed
#   BENCH_KEEP=1    keep the temporary directory (logs, wrk output) instead of deleting it
#
# Needs wrk, nginx (nginx-light) and python3: `./dev test` installs them.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
bench_settings
require_wrk_nginx
ensure_release_binary
bench_tmpdir

PASSWORD="bench-Admin-pw-$RANDOM$RANDOM"
extra=()
[[ -n ${BENCH_DATABASE_URL:-} ]] && extra=(--database-url "$BENCH_DATABASE_URL")
GATEHOUSE_ADMIN_PASSWORD="$PASSWORD" start_gatehouse --auth-access-ttl-s 7200 "${extra[@]}"

# A session and an API token of the admin (role admin: /users/me answers the same bytes for both).
read -r JWT TOKEN < <("$PYTHON" - "$GH_URL" "$PASSWORD" <<'PY'
import json, sys, urllib.request
base, password = sys.argv[1], sys.argv[2]
def call(path, body, token=None):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)
jwt = call("/api/v1/auth/login", {"username": "admin", "password": password})["access_token"]
token = call("/api/v1/api-tokens", {"name": "bench"}, jwt)["token"]
print(jwt, token)
PY
)
[[ -n $JWT && -n $TOKEN ]] || die "could not log in or create an API token"

mkdir -p "$TMP/www"
http_get "$GH_URL/api/v1/users/me" "Authorization: Bearer $JWT" >"$TMP/www/me.json" || die "GET /users/me failed"
http_get "$GH_URL/api/v1/users/me" "Authorization: Bearer $TOKEN" >"$TMP/token-me.json" || die "GET /users/me (token)"
cmp -s "$TMP/www/me.json" "$TMP/token-me.json" || die "the JWT and the API token see different bodies"
start_nginx me.json

declare -A URLS=([jwt]="$GH_URL/api/v1/users/me" [api_token]="$GH_URL/api/v1/users/me" [nginx]="$NGX_URL/me.json")
declare -A HEADERS=([jwt]="Authorization: Bearer $JWT" [api_token]="Authorization: Bearer $TOKEN")
declare -A RPS P50 P99 BAD ERR
measure jwt api_token nginx

echo
echo "per round req/s (gatehouse nginx ratio):"
echo " JWT:"
per_round jwt nginx
echo " API token:"
per_round api_token nginx
echo
echo "GET /api/v1/users/me on loopback ($([[ -n ${BENCH_DATABASE_URL:-} ]] && echo PostgreSQL || echo SQLite)), wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s, median of $ROUNDS rounds ($(nproc) cores)"
print_table jwt api_token nginx
JWT_RATIO=$(paired_ratio jwt nginx)
TOKEN_RATIO=$(paired_ratio api_token nginx)
printf 'gatehouse/nginx req/s (median of per-round ratios): JWT %.3f (target >= 0.8), API token %.3f (target >= 0.7)\n' \
    "$JWT_RATIO" "$TOKEN_RATIO"
if [[ ${BAD[jwt]} -ne 0 || ${BAD[api_token]} -ne 0 ]]; then
    die "gatehouse answered non-2xx: the tokens stopped working during the run"
fi
missed=$(awk -v j="$JWT_RATIO" -v t="$TOKEN_RATIO" 'BEGIN { print (j < 0.8 || t < 0.7) ? 1 : 0 }')
if [[ $missed == 1 ]]; then
    echo "verdict: target missed"
    [[ ${BENCH_STRICT:-0} == 1 ]] && exit 3
else
    echo "verdict: targets met"
fi
