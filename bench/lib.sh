# Shared by the bench/*/run.sh scripts: starting gatehouse and nginx on loopback, running wrk, reading its
# output, medians. Source it after setting HERE and ROOT.

PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || PYTHON="$(command -v python3 || true)"

say() { printf 'bench: %s\n' "$*" >&2; }
die() {
    say "error: $*"
    exit 1
}

require_wrk_nginx() {
    command -v wrk >/dev/null || die "wrk not found (apt-get install wrk, or run ./dev test once)"
    NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
    [[ -x $NGINX ]] || die "nginx not found (apt-get install nginx-light, or run ./dev test once)"
    [[ -n $PYTHON ]] || die "python3 not found"
}

# ensure_release_binary: sets BIN (GATEHOUSE_BIN or the release build, built when missing).
ensure_release_binary() {
    BIN="${GATEHOUSE_BIN:-$ROOT/build/release/src/cli/gatehouse}"
    if [[ ! -x $BIN ]]; then
        [[ -z ${GATEHOUSE_BIN:-} ]] || die "GATEHOUSE_BIN=$BIN is not executable"
        say "building the release binary"
        (
            cd "$ROOT"
            [[ -f build/release/build.ninja ]] || cmake --preset release >/dev/null
            cmake --build --preset release
        )
    fi
}

# bench_tmpdir: sets TMP and the cleanup trap (gatehouse and nginx stopped; TMP kept on failure or BENCH_KEEP=1).
bench_tmpdir() {
    TMP="$(mktemp -d /tmp/gatehouse-bench.XXXXXX)"
    # nginx workers drop privileges when started as root: let them read the document root.
    chmod 0755 "$TMP"
    GH_PID=""
    NGX_PID=""
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}

bench_cleanup() {
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

# http_get URL [HEADER...]: prints the body; fails on a non-2xx status or a connection error.
http_get() {
    "$PYTHON" - "$@" <<'PY'
import sys, urllib.request
req = urllib.request.Request(sys.argv[1])
for h in sys.argv[2:]:
    name, _, value = h.partition(": ")
    req.add_header(name, value)
with urllib.request.urlopen(req, timeout=5) as r:
    sys.stdout.buffer.write(r.read())
PY
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# bench_settings: BENCH_SECONDS, BENCH_ROUNDS, BENCH_THREADS, BENCH_CONNECTIONS of the wrk benches.
bench_settings() {
    SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
    ROUNDS="${BENCH_ROUNDS:-3}"
    THREADS="${BENCH_THREADS:-2}"
    CONNECTIONS="${BENCH_CONNECTIONS:-64}"
    [[ $SECONDS_PER_RUN =~ ^[1-9][0-9]*$ ]] || die "BENCH_SECONDS must be a positive integer"
}

# start_gatehouse [SERVE ARGS...]: starts $BIN on a free loopback port; sets GH_PID and GH_URL.
start_gatehouse() {
    say "starting gatehouse ($BIN)"
    env -u GATEHOUSE_BIN "$BIN" serve --listen 127.0.0.1:0 --data-dir "$TMP/data" "$@" >"$TMP/gatehouse.log" 2>&1 &
    GH_PID=$!
    wait_listening
}

# wait_listening: waits for the "listening on" line of the gatehouse started as GH_PID; sets GH_URL.
wait_listening() {
    GH_URL=""
    for _ in $(seq 1 100); do
        GH_URL="$(grep -m1 -o '^listening on http://[^ ]*' "$TMP/gatehouse.log" 2>/dev/null | sed 's/^listening on //' || true)"
        [[ -n $GH_URL ]] && break
        kill -0 "$GH_PID" 2>/dev/null || { tail -n 20 "$TMP/gatehouse.log" >&2; die "gatehouse exited"; }
        sleep 0.1
    done
    [[ -n $GH_URL ]] || { tail -n 20 "$TMP/gatehouse.log" >&2; die "gatehouse printed no 'listening on' line in 10 s"; }
    GH_URL="${GH_URL%/}"
}

# start_nginx FILE: nginx serving $TMP/www/FILE (same bytes, same content type); sets NGX_PID and NGX_URL.
start_nginx() {
    local file="$1" port
    chmod 0755 "$TMP/www"
    chmod 0644 "$TMP/www/$file"
    port="$(free_port)"
    sed -e "s|@TMP@|$TMP|g" -e "s|@PORT@|$port|g" -e "s|@FILE@|$file|g" "$ROOT/bench/nginx.conf.in" >"$TMP/nginx.conf"
    say "starting nginx on 127.0.0.1:$port"
    "$NGINX" -c "$TMP/nginx.conf" -p "$TMP/" -e "$TMP/nginx-error.log" &
    NGX_PID=$!
    NGX_URL="http://127.0.0.1:$port"
    for _ in $(seq 1 100); do
        http_get "$NGX_URL/$file" >"$TMP/nginx-body" 2>/dev/null && break
        kill -0 "$NGX_PID" 2>/dev/null || { cat "$TMP/nginx-error.log" >&2 || true; die "nginx exited"; }
        sleep 0.1
    done
    cmp -s "$TMP/nginx-body" "$TMP/www/$file" || die "nginx does not serve the same bytes as gatehouse"
}

# wrk_parse FILE -> "rps p50_ms p99_ms non2xx socket_errors"
wrk_parse() {
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

# measure NAMES...: runs every round over the targets NAMES (URLS[name], HEADERS[name]) in turn, after a warm-up;
# writes $TMP/rounds-NAME.txt ("rps p50 p99 non2xx errors" per round) and fills RPS, P50, P99, BAD, ERR.
measure() {
    local name round line
    for name in "$@"; do
        say "warming $name"
        wrk -t"$THREADS" -c"$CONNECTIONS" -d2s ${HEADERS[$name]:+-H "${HEADERS[$name]}"} "${URLS[$name]}" >/dev/null
    done
    for round in $(seq 1 "$ROUNDS"); do
        for name in "$@"; do
            say "round $round/$ROUNDS: wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s --latency $name"
            wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency \
                ${HEADERS[$name]:+-H "${HEADERS[$name]}"} "${URLS[$name]}" >"$TMP/wrk-$name-$round.txt"
        done
    done
    for name in "$@"; do
        : >"$TMP/rounds-$name.txt"
        for round in $(seq 1 "$ROUNDS"); do
            line=$(wrk_parse "$TMP/wrk-$name-$round.txt")
            [[ $line =~ ^[0-9] ]] || die "could not parse wrk output for $name (see $TMP/wrk-$name-$round.txt)"
            echo "$line" >>"$TMP/rounds-$name.txt"
        done
        RPS[$name]=$(awk '{ print $1 }' "$TMP/rounds-$name.txt" | median)
        P50[$name]=$(awk '{ print $2 }' "$TMP/rounds-$name.txt" | median)
        P99[$name]=$(awk '{ print $3 }' "$TMP/rounds-$name.txt" | median)
        BAD[$name]=$(awk '{ s += $4 } END { print s + 0 }' "$TMP/rounds-$name.txt")
        ERR[$name]=$(awk '{ s += $5 } END { print s + 0 }' "$TMP/rounds-$name.txt")
    done
}

# print_table NAMES...
print_table() {
    local name
    printf '%-16s %12s %10s %10s %9s %8s\n' target "req/s" "p50 ms" "p99 ms" "non-2xx" errors
    for name in "$@"; do
        printf '%-16s %12.0f %10.3f %10.3f %9d %8d\n' "$name" "${RPS[$name]}" "${P50[$name]}" "${P99[$name]}" \
            "${BAD[$name]}" "${ERR[$name]}"
    done
}

# paired_ratio A B: the median over rounds of A's req/s divided by B's in the same round (drift in background
# load between rounds cancels out).
paired_ratio() {
    paste -d' ' <(awk '{ print $1 }' "$TMP/rounds-$1.txt") <(awk '{ print $1 }' "$TMP/rounds-$2.txt") |
        awk '{ print ($2 > 0 ? $1 / $2 : 0) }' | median
}

# per_round A B: "round N: a b ratio" lines.
per_round() {
    paste -d' ' <(awk '{ print $1 }' "$TMP/rounds-$1.txt") <(awk '{ print $1 }' "$TMP/rounds-$2.txt") |
        awk '{ printf "  round %d: %.0f %.0f %.3f\n", NR, $1, $2, ($2 > 0 ? $1 / $2 : 0) }'
}
