#!/bin/sh
# Cross-checks data/calendar/cn_workdays.toml against the pinned npm package chinese-days.
# Usage: tools/calendar-check/run.sh [path to cn_workdays.toml]
# Installs the pinned dependencies (npm ci) only when node_modules is missing or does not match
# package-lock.json; that first run needs the npm registry. Exit status: 0 when every day agrees.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
toml=${1:-"$here/../../data/calendar/cn_workdays.toml"}
stamp="$here/node_modules/.xinyong-package-lock.json"

if [ ! -f "$stamp" ] || ! cmp -s "$here/package-lock.json" "$stamp"; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$here/package-lock.json" "$stamp"
fi
exec node "$here/check.mjs" "$toml"
