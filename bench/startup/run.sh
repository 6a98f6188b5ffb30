#!/usr/bin/env bash
# Start-up time: gatehouse serve to /readyz 200 on an existing data directory vs nginx to its first 200, 5 starts
# each in the same run (STARTS to change). Uses GATEHOUSE_BIN or the release build.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
source "$ROOT/bench/lib.sh"
require_wrk_nginx
ensure_release_binary
"$PYTHON" "$HERE/startup.py" "$BIN" "$NGINX" "${STARTS:-5}"
