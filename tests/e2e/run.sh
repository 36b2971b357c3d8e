#!/usr/bin/env bash
# The browser tests of the portal and the operator console (issue 7): a small generated city,
# ingested through the real pipeline, served by `xinyong serve` on a loopback port, and the
# *.test.mjs files run by node's test runner, driving Debian's headless Chromium with
# playwright-core. Screenshots of the key pages land in the artifacts directory.
# Usage: tests/e2e/run.sh XINYONG_BIN WORK_DIR ARTIFACTS_DIR
# Installs the pinned playwright-core (npm ci) when node_modules does not match package-lock.json.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "$1")
work=$2
artifacts=$3
chromium=${XINYONG_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "e2e: $chromium is missing (Debian package chromium; make test installs it)" >&2; exit 1; }

bash "$here/../../scripts/npm-ci.sh" "$here"

# The console's charts need Apache ECharts in web/vendor/ (`make build` puts it there too).
bash "$here/../../scripts/web-vendor.sh"

rm -rf "$work" "$artifacts"
mkdir -p "$work" "$artifacts"
data="$work/data"
log="$work/setup.log"
{
  "$bin" gen --out "$work/gen" --subjects 400 --seed 11
  "$bin" --data "$data" ingest "$work"/gen/*
  "$bin" --data "$data" grade --all
} >"$log" 2>&1 || { echo "e2e: setting up the city failed; log:" >&2; cat "$log" >&2; exit 1; }
operator=$("$bin" --data "$data" token create --role operator --name e2e-operator --expires-days 1 2>>"$log")

# A free loopback port: the kernel picks one, then the server binds it (retried if taken meanwhile).
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true; }
trap cleanup EXIT
for attempt in 1 2 3 4 5; do
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  "$bin" --data "$data" serve --listen "127.0.0.1:$port" --web "$here/../../web" \
    > "$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' \
        "http://127.0.0.1:$port/api/v1/health"; then break 2; fi
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=""
done
[ -n "$server" ] || { echo "e2e: xinyong serve did not start; log:" >&2; cat "$work/serve.log" >&2; exit 1; }

export XY_BASE="http://127.0.0.1:$port" XY_OPERATOR_TOKEN="$operator" XY_ARTIFACTS="$artifacts" \
  XY_BIN="$bin" XY_WORK="$work" XY_CHROMIUM="$chromium"
cd "$here"
status=0
node --test --test-concurrency=1 --test-reporter=spec ./*.test.mjs || status=$?
if [ $status -ne 0 ]; then
  echo "e2e: failed; the server's log is $work/serve.log, screenshots in $artifacts" >&2
fi
exit $status
