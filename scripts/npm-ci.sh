#!/bin/sh
# Installs the pinned npm packages of DIR (its package-lock.json) with `npm ci`, only when
# DIR/node_modules is missing or was installed from another package-lock.json (a stamp file
# remembers which); that first run needs the npm registry. Quiet when nothing is to be done.
# Usage: scripts/npm-ci.sh DIR
set -eu
dir=$1
stamp="$dir/node_modules/.xinyong-package-lock.json"
if [ ! -f "$stamp" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$dir/package-lock.json" "$stamp"
fi
