#!/usr/bin/env bash
# Reverse-proxy throughput and latency: the same nginx upstream (static files) reached directly, through an nginx
# proxy_pass with keep-alive upstream connections, and through gatehouse's gateway with a valid access token, in
# one run, for a small page and a 100 KB file. wrk on loopback.
#
#   bench/proxy/run.sh
#
# Prints req/s, p50 and p99 per target (median of the rounds), the ratio gatehouse / nginx proxy (median of the
# per-round ratios) and the p99 each proxy adds to the direct p99. Goals: ratio >= 1.0, added p99 not above nginx's.
#
# Environment:
#   GATEHOUSE_BIN   binary to measure (default: build/release/src/cli/gatehouse, built if missing)
#   BENCH_SECONDS   duration of each measured wrk run (default 10); BENCH_ROUNDS rounds (default 3)
#   BENCH_THREADS   wrk threads (default 2), BENCH_CONNECTIONS wrk connections (default 64)
#   BENCH_WORKERS   nginx proxy workers and gatehouse I/O threads (default: the number of cores)
#   BENCH_KEEP=1    keep the temporary directory
#
# Needs wrk, nginx and python3: `./dev test` installs them.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
bench_settings
require_wrk_nginx
ensure_release_binary
bench_tmpdir
WORKERS="${BENCH_WORKERS:-$(nproc)}"

UP_PID=""
stop_upstream() {
    local rc=$?
    if [[ -n $UP_PID ]] && kill -0 "$UP_PID" 2>/dev/null; then
        kill -QUIT "$UP_PID" 2>/dev/null || true
        wait "$UP_PID" 2>/dev/null || true
    fi
    (exit "$rc")
    bench_cleanup
}
trap stop_upstream EXIT

mkdir -p "$TMP/www"
chmod 0755 "$TMP/www"
"$PYTHON" - "$TMP/www" <<'PY'
import os, sys
www = sys.argv[1]
page = "<!doctype html><html><head><title>small</title></head><body><p>" + "x" * 400 + "</p></body></html>\n"
open(os.path.join(www, "small.html"), "w").write(page)
open(os.path.join(www, "100k.bin"), "wb").write(bytes(range(256)) * 400)
for name in ("small.html", "100k.bin"):
    os.chmod(os.path.join(www, name), 0o644)
PY

# start_nginx_role ROLE PORT UPSTREAM_PORT WORKERS: sets the PID in NGX_PID_OUT.
start_nginx_role() {
    local role="$1" port="$2" upstream="$3" workers="$4"
    sed -e "s|@TMP@|$TMP|g" -e "s|@PORT@|$port|g" -e "s|@UPSTREAM@|$upstream|g" -e "s|@ROLE@|$role|g" \
        -e "s|@WORKERS@|$workers|g" "$HERE/nginx.conf.in" >"$TMP/nginx-$role.conf"
    "$NGINX" -c "$TMP/nginx-$role.conf" -p "$TMP/" -e "$TMP/nginx-$role-error.log" &
    NGX_PID_OUT=$!
    for _ in $(seq 1 100); do
        http_get "http://127.0.0.1:$port/small.html" >/dev/null 2>&1 && return 0
        kill -0 "$NGX_PID_OUT" 2>/dev/null || { cat "$TMP/nginx-$role-error.log" >&2 || true; die "nginx ($role) exited"; }
        sleep 0.1
    done
    die "nginx ($role) does not answer"
}

UP_PORT="$(free_port)"
say "starting the nginx upstream on 127.0.0.1:$UP_PORT (1 worker)"
start_nginx_role upstream "$UP_PORT" "$UP_PORT" 1
UP_PID=$NGX_PID_OUT
PROXY_PORT="$(free_port)"
say "starting the nginx proxy on 127.0.0.1:$PROXY_PORT ($WORKERS workers)"
start_nginx_role proxy "$PROXY_PORT" "$UP_PORT" "$WORKERS"
NGX_PID=$NGX_PID_OUT

GATEHOUSE_ADMIN_PASSWORD="bench-Admin-pw-1" start_gatehouse --log-access false --http-io-threads "$WORKERS" \
    --auth-argon2-opslimit 1 --auth-argon2-memlimit-kib 8192
TOKEN="$("$PYTHON" - "$GH_URL" "http://127.0.0.1:$UP_PORT" <<'PY'
import json, sys, urllib.request
base, upstream = sys.argv[1], sys.argv[2]
def call(method, path, body, token=None):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method=method,
                                 headers={"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)
admin = call("POST", "/api/v1/auth/login", {"username": "admin", "password": "bench-Admin-pw-1"})["access_token"]
call("POST", "/api/v1/gateway/routes", {"slug": "app", "name": "App", "upstream_url": upstream}, admin)
print(call("POST", "/api/v1/access-tokens", {"route": "app", "duration_hours": 24}, admin)["token"])
PY
)"
[[ ${#TOKEN} -eq 64 ]] || die "could not buy an access token"
for file in small.html 100k.bin; do
    http_get "$GH_URL/gw/app/$file" "X-Access-Token: $TOKEN" | cmp -s - "$TMP/www/$file" ||
        die "gatehouse does not serve $file as the upstream does"
    http_get "http://127.0.0.1:$PROXY_PORT/proxied/$file" | cmp -s - "$TMP/www/$file" ||
        die "the nginx proxy does not serve $file as the upstream does"
done

declare -A URLS=(
    [direct-small]="http://127.0.0.1:$UP_PORT/small.html"
    [nginx-small]="http://127.0.0.1:$PROXY_PORT/proxied/small.html"
    [gatehouse-small]="$GH_URL/gw/app/small.html"
    [direct-100k]="http://127.0.0.1:$UP_PORT/100k.bin"
    [nginx-100k]="http://127.0.0.1:$PROXY_PORT/proxied/100k.bin"
    [gatehouse-100k]="$GH_URL/gw/app/100k.bin"
)
declare -A HEADERS=([gatehouse-small]="X-Access-Token: $TOKEN" [gatehouse-100k]="X-Access-Token: $TOKEN")
declare -A RPS P50 P99 BAD ERR
measure direct-small nginx-small gatehouse-small direct-100k nginx-100k gatehouse-100k

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s, median of $ROUNDS rounds, $(nproc) cores;" \
    "nginx proxy: $WORKERS workers, gatehouse: $WORKERS I/O threads; upstream: nginx, 1 worker"
print_table direct-small nginx-small gatehouse-small direct-100k nginx-100k gatehouse-100k
echo
for size in small 100k; do
    echo "per round req/s $size (gatehouse nginx ratio):"
    per_round "gatehouse-$size" "nginx-$size"
    RATIO=$(paired_ratio "gatehouse-$size" "nginx-$size")
    awk -v size="$size" -v ratio="$RATIO" -v d99="${P99[direct-$size]}" -v n99="${P99[nginx-$size]}" \
        -v g99="${P99[gatehouse-$size]}" 'END {
        printf "%s: gatehouse/nginx proxy req/s %.3f; p99 added to direct: gatehouse %+.3f ms, nginx %+.3f ms\n",
            size, ratio, g99 - d99, n99 - d99 }' </dev/null
done
