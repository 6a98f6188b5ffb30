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
# shellcheck source=../lib.sh
source "$ROOT/bench/lib.sh"
bench_settings
require_wrk_nginx
ensure_release_binary
bench_tmpdir

start_gatehouse
mkdir -p "$TMP/www"
http_get "$GH_URL/healthz" >"$TMP/www/healthz.json" || die "GET $GH_URL/healthz failed"
[[ -s $TMP/www/healthz.json ]] || die "empty /healthz body"
start_nginx healthz.json

declare -A URLS=([gatehouse]="$GH_URL/healthz" [nginx]="$NGX_URL/healthz.json")
declare -A HEADERS=()
declare -A RPS P50 P99 BAD ERR
measure gatehouse nginx

echo
echo "per round req/s (gatehouse nginx ratio):"
per_round gatehouse nginx
echo
echo "GET /healthz on loopback, wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s, median of $ROUNDS rounds ($(nproc) cores)"
print_table gatehouse nginx
RATIO=$(paired_ratio gatehouse nginx)
awk -v ratio="$RATIO" -v g50="${P50[gatehouse]}" -v n50="${P50[nginx]}" \
    -v g99="${P99[gatehouse]}" -v n99="${P99[nginx]}" '
    function r(a, b) { return b > 0 ? sprintf("%.3f", a / b) : "n/a" }
    END { printf "gatehouse/nginx: req/s %.3f (median of per-round ratios), p50 %s, p99 %s\n", ratio, r(g50, n50), r(g99, n99) }
' </dev/null
