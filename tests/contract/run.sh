#!/usr/bin/env bash
# The API contract as clients see it: starts gatehouse on a scratch data directory, fetches /openapi.json, lints it
# with redocly (recommended rules, warnings as errors), generates a TypeScript client with openapi-typescript and type-checks
# client.ts against it. Needs GATEHOUSE_BIN, node and npm (the packages come from package-lock.json, npm ci).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
: "${GATEHOUSE_BIN:?set GATEHOUSE_BIN to the gatehouse binary}"
work="$(mktemp -d /tmp/gh-contract-XXXXXX)"
pid=""
cleanup() {
    if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

cd "$here"
# node_modules lives beside package.json (ignored by git); npm ci only when the lock file changed.
if [[ ! -f node_modules/.package-lock.json ]] || ! cmp -s package-lock.json node_modules/.package-lock.json.copy; then
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.package-lock.json.copy
fi

GATEHOUSE_ADMIN_PASSWORD=contract-admin-pw-1 "$GATEHOUSE_BIN" serve --listen 127.0.0.1:0 --collectors-listen 127.0.0.1:0 --data-dir "$work/data" \
    >"$work/stdout" 2>"$work/stderr" &
pid=$!
url=""
for _ in $(seq 1 100); do
    url="$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$work/stdout" | head -n1)"
    [[ -n $url ]] && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/stderr" >&2; exit 1; }
    sleep 0.1
done
[[ -n $url ]] || { echo "gatehouse did not start" >&2; cat "$work/stderr" >&2; exit 1; }
mkdir -p generated
curl -fsS "$url/openapi.json" -o generated/openapi.json

echo "contract: redocly lint (recommended-strict: every warning fails)"
npx --no-install redocly lint --config redocly.yaml --format=stylish generated/openapi.json
echo "contract: openapi-typescript"
npx --no-install openapi-typescript generated/openapi.json -o generated/schema.d.ts
echo "contract: tsc --noEmit client.ts"
npx --no-install tsc -p tsconfig.json
echo "contract: ok"
