#!/bin/sh
# Builds the web UI into OUT_DIR: npm ci when package-lock.json changed, then esbuild (build.mjs).
# One build at a time per checkout (the ci, sanitize and release presets may build side by side and share
# node_modules).
set -eu
[ $# -eq 1 ] || { echo "usage: ui/build.sh OUT_DIR" >&2; exit 2; }
out="$(realpath -m "$1")"
cd "$(dirname "$0")"
if [ -z "${GATEHOUSE_UI_LOCKED:-}" ]; then
    GATEHOUSE_UI_LOCKED=1 exec flock .build.lock ./build.sh "$out"
fi
command -v npm >/dev/null 2>&1 || { echo "ui/build.sh: npm is missing (Debian: apt-get install nodejs npm)" >&2; exit 1; }
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error >&2
fi
exec node build.mjs "$out"
