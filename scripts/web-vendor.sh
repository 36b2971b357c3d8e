#!/bin/sh
# Copies the pinned browser libraries of tools/web (package-lock.json) into web/vendor/, where the
# portal and the operator console load them with classic <script> tags (web/README.md).
# Runs `npm ci` only when node_modules is missing or does not match package-lock.json (that first
# run needs the npm registry) and copies only when the copy differs, so a second run is silent.
# Usage: scripts/web-vendor.sh
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/tools/web"
vendor="$root/web/vendor"

sh "$root/scripts/npm-ci.sh" "$tools"

mkdir -p "$vendor"
copy() {
  if [ ! -f "$1" ]; then
    echo "web-vendor.sh: $1 is missing after npm ci in $tools" >&2
    exit 1
  fi
  if ! cmp -s "$1" "$2"; then
    cp "$1" "$2.tmp" && mv "$2.tmp" "$2"
    echo "web-vendor.sh: updated ${2#"$root"/}"
  fi
}
copy "$tools/node_modules/echarts/dist/echarts.min.js" "$vendor/echarts.min.js"
