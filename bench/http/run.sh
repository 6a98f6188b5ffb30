#!/usr/bin/env bash
# HTTP throughput and latency of gatehouse's GET /healthz against nginx serving the same bytes as a
# static file, both on loopback, measured with wrk.
#
#   bench/http/run.sh
#
# Environment:
#   GATEHOUSE_BIN   binary to measure (default: build/release/src/cli/gatehouse, built if missing)
#   BENCH_SECONDS   duration of each measured wrk run (default 10)
#   BENCH_ROUNDS    measured rounds, each running both targets in turn (default 3); the table shows
#                   the median of the rounds, so one burst of background load does not decide the ratio
#   BENCH_THREADS   wrk threads (default 2), BENCH_CONNECTIONS wrk connections (default 64)
#   BENCH_KEEP=1    keep the temporary directory (logs, wrk output) instead of deleting it
#
# Needs wrk, nginx (nginx-light) and python3: `./dev test` installs them.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
ROUNDS="${BENCH_ROUNDS:-3}"
THREADS="${BENCH_THREADS:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
BIN="${GATEHOUSE_BIN:-$ROOT/build/release/src/cli/gatehouse}"
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || PYTHON="$(command -v python3 || true)"

say() { printf 'bench: %s\n' "$*" >&2; }
die() {
    say "error: $*"
    exit 1
}

[[ $SECONDS_PER_RUN =~ ^[1-9][0-9]*$ ]] || die "BENCH_SECONDS must be a positive integer"
command -v wrk >/dev/null || die "wrk not found (apt-get install wrk, or run ./dev test once)"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
[[ -x $NGINX ]] || die "nginx not found (apt-get install nginx-light, or run ./dev test once)"
[[ -n $PYTHON ]] || die "python3 not found"

if [[ ! -x $BIN ]]; then
    [[ -z ${GATEHOUSE_BIN:-} ]] || die "GATEHOUSE_BIN=$BIN is not executable"
    say "building the release binary"
    (
        cd "$ROOT"
        [[ -f build/release/build.ninja ]] || cmake --preset release >/dev/null
        cmake --build --preset release
    )
fi

TMP="$(mktemp -d /tmp/gatehouse-bench.XXXXXX)"
# nginx workers drop privileges when started as root: let them read the document root.
chmod 0755 "$TMP"
GH_PID=""
NGX_PID=""

cleanup() {
    local rc=$?
    if [[ -n $GH_PID ]] && kill -0 "$GH_PID" 2>/dev/null; then
        kill -TERM "$GH_PID" 2>/dev/null || true
        wait "$GH_PID" 2>/dev/null || true
    fi
    if [[ -n $NGX_PID ]] && kill -0 "$NGX_PID" 2>/dev/null; then
        kill -QUIT "$NGX_PID" 2>/dev/null || true
        wait "$NGX_PID" 2>/dev/null || true
    fi
    if [[ $rc -ne 0 || ${BENCH_KEEP:-0} == 1 ]]; then
        say "logs and wrk output kept in $TMP"
    else
        rm -rf -- "$TMP"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# http_get URL: prints the body; fails on a non-2xx status or a connection error.
http_get() {
    "$PYTHON" - "$1" <<'EOF'
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
    sys.stdout.buffer.write(r.read())
EOF
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# --- gatehouse -----------------------------------------------------------------------------------
say "starting gatehouse ($BIN)"
env -u GATEHOUSE_BIN "$BIN" serve --listen 127.0.0.1:0 --data-dir "$TMP/data" >"$TMP/gatehouse.log" 2>&1 &
GH_PID=$!
GH_URL=""
for _ in $(seq 1 100); do
    GH_URL="$(grep -m1 -o '^listening on http://[^ ]*' "$TMP/gatehouse.log" 2>/dev/null | sed 's/^listening on //' || true)"
    [[ -n $GH_URL ]] && break
    kill -0 "$GH_PID" 2>/dev/null || { tail -n 20 "$TMP/gatehouse.log" >&2; die "gatehouse exited"; }
    sleep 0.1
done
[[ -n $GH_URL ]] || { tail -n 20 "$TMP/gatehouse.log" >&2; die "gatehouse printed no 'listening on' line in 10 s"; }
GH_URL="${GH_URL%/}"

mkdir -p "$TMP/www"
http_get "$GH_URL/healthz" >"$TMP/www/healthz.json" || die "GET $GH_URL/healthz failed"
[[ -s $TMP/www/healthz.json ]] || die "empty /healthz body"
chmod 0755 "$TMP/www"
chmod 0644 "$TMP/www/healthz.json"

# --- nginx ---------------------------------------------------------------------------------------
NGX_PORT="$(free_port)"
sed -e "s|@TMP@|$TMP|g" -e "s|@PORT@|$NGX_PORT|g" "$HERE/nginx.conf.in" >"$TMP/nginx.conf"
say "starting nginx on 127.0.0.1:$NGX_PORT"
"$NGINX" -c "$TMP/nginx.conf" -p "$TMP/" -e "$TMP/nginx-error.log" &
NGX_PID=$!
NGX_URL="http://127.0.0.1:$NGX_PORT"
for _ in $(seq 1 100); do
    http_get "$NGX_URL/healthz.json" >"$TMP/nginx-body" 2>/dev/null && break
    kill -0 "$NGX_PID" 2>/dev/null || { cat "$TMP/nginx-error.log" >&2 || true; die "nginx exited"; }
    sleep 0.1
done
cmp -s "$TMP/nginx-body" "$TMP/www/healthz.json" || die "nginx does not serve gatehouse's /healthz body"

# --- measure -------------------------------------------------------------------------------------
TARGETS=(gatehouse nginx)
declare -A URLS=([gatehouse]="$GH_URL/healthz" [nginx]="$NGX_URL/healthz.json")

for name in "${TARGETS[@]}"; do
    say "warming $name"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "${URLS[$name]}" >/dev/null
done

for round in $(seq 1 "$ROUNDS"); do
    for name in "${TARGETS[@]}"; do
        say "round $round/$ROUNDS: wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s --latency ${URLS[$name]}"
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "${URLS[$name]}" >"$TMP/wrk-$name-$round.txt"
    done
done

# parse FILE -> "rps p50_ms p99_ms non2xx socket_errors"
parse() {
    awk '
        function ms(v,   n) {
            n = v + 0
            if (v ~ /us$/) return n / 1000
            if (v ~ /ms$/) return n
            if (v ~ /m$/)  return n * 60000
            if (v ~ /s$/)  return n * 1000
            return n
        }
        /^Requests\/sec:/            { rps = $2 }
        $1 == "50%"                   { p50 = ms($2) }
        $1 == "99%"                   { p99 = ms($2) }
        /Non-2xx or 3xx responses:/   { bad = $NF }
        /Socket errors:/              { gsub(/,/, ""); err = $4 + $6 + $8 + $10 }
        END { printf "%s %.3f %.3f %d %d\n", rps, p50, p99, bad, err }
    ' "$1"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A RPS P50 P99 BAD ERR
for name in "${TARGETS[@]}"; do
    : >"$TMP/rounds-$name.txt"
    for round in $(seq 1 "$ROUNDS"); do
        line=$(parse "$TMP/wrk-$name-$round.txt")
        [[ $line =~ ^[0-9] ]] || die "could not parse wrk output for $name (see $TMP/wrk-$name-$round.txt)"
        echo "$line" >>"$TMP/rounds-$name.txt"
    done
    RPS[$name]=$(awk '{ print $1 }' "$TMP/rounds-$name.txt" | median)
    P50[$name]=$(awk '{ print $2 }' "$TMP/rounds-$name.txt" | median)
    P99[$name]=$(awk '{ print $3 }' "$TMP/rounds-$name.txt" | median)
    BAD[$name]=$(awk '{ s += $4 } END { print s + 0 }' "$TMP/rounds-$name.txt")
    ERR[$name]=$(awk '{ s += $5 } END { print s + 0 }' "$TMP/rounds-$name.txt")
done

echo
echo "per round req/s (gatehouse nginx ratio):"
paste -d' ' <(awk '{ print $1 }' "$TMP/rounds-gatehouse.txt") <(awk '{ print $1 }' "$TMP/rounds-nginx.txt") |
    awk '{ printf "  round %d: %.0f %.0f %.3f\n", NR, $1, $2, ($2 > 0 ? $1 / $2 : 0) }'
echo
echo "GET /healthz on loopback, wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s, median of $ROUNDS rounds ($(nproc) cores)"
printf '%-10s %12s %10s %10s %9s %8s\n' target "req/s" "p50 ms" "p99 ms" "non-2xx" errors
for name in "${TARGETS[@]}"; do
    printf '%-10s %12.0f %10.3f %10.3f %9d %8d\n' "$name" "${RPS[$name]}" "${P50[$name]}" "${P99[$name]}" \
        "${BAD[$name]}" "${ERR[$name]}"
done
# Each round runs both targets back to back, so the ratio is taken per round (paired) and the
# median of those is the headline: drift in background load between rounds cancels out.
RATIO=$(paste -d' ' <(awk '{ print $1 }' "$TMP/rounds-gatehouse.txt") <(awk '{ print $1 }' "$TMP/rounds-nginx.txt") |
    awk '{ print ($2 > 0 ? $1 / $2 : 0) }' | median)
awk -v ratio="$RATIO" -v g50="${P50[gatehouse]}" -v n50="${P50[nginx]}" \
    -v g99="${P99[gatehouse]}" -v n99="${P99[nginx]}" '
    function r(a, b) { return b > 0 ? sprintf("%.3f", a / b) : "n/a" }
    END { printf "gatehouse/nginx: req/s %.3f (median of per-round ratios), p50 %s, p99 %s\n", ratio, r(g50, n50), r(g99, n99) }
' </dev/null
