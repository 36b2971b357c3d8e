#!/bin/sh
# Cross-checks data/calendar/cn_workdays.toml against the pinned npm package chinese-days.
# Usage: tools/calendar-check/run.sh [path to cn_workdays.toml]
# Installs the pinned dependencies (npm ci) only when node_modules is missing or does not match
# package-lock.json; that first run needs the npm registry. Exit status: 0 when every day agrees.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
toml=${1:-"$here/../../data/calendar/cn_workdays.toml"}
sh "$here/../../scripts/npm-ci.sh" "$here"
exec node "$here/check.mjs" "$toml"
