#!/usr/bin/env bash
# The portal's subject page in headless Chromium on loopback (bench/portal.mjs): a generated city
# of PORTAL_SUBJECTS subjects (default 100000), `xinyong serve`, PORTAL_PAGES pages (default 200)
# of subjects drawn from the generated registration file. Needs chromium and tests/e2e's
# playwright-core (installed by `make test`, or here).
#   BENCH_WORK   scratch directory (default /tmp/xinyong-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
XINYONG=${XINYONG:-$PWD/build/bin/xinyong}
WORK=${BENCH_WORK:-/tmp/xinyong-bench}/portal
N=${PORTAL_SUBJECTS:-100000}
PAGES=${PORTAL_PAGES:-200}
PORT=${PORTAL_PORT:-18441}
bash scripts/setup.sh node browser
bash scripts/npm-ci.sh tests/e2e

if [ ! -f "$WORK/READY-$N" ]; then
  rm -rf "$WORK" && mkdir -p "$WORK"
  $XINYONG gen --out "$WORK/gen" --subjects "$N" --seed 7 --bad-share 0 >/dev/null 2>&1
  $XINYONG --data "$WORK/data" ingest "$WORK"/gen/* >/dev/null 2>&1
  touch "$WORK/READY-$N"
fi
# Subjects of the registration file (legal persons with a USCC), in a fixed shuffled order.
f=$(ls "$WORK"/gen/reg_basic*.csv | head -1)
tail -n +2 "$f" | cut -d, -f2 | grep -E '^[0-9A-Z]{18}$' | shuf --random-source=<(yes) -n "$PAGES" > "$WORK/codes.txt"

$XINYONG --data "$WORK/data" serve --listen 127.0.0.1:$PORT > "$WORK/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/api/v1/health" >/dev/null && break
  sleep 0.1
done
wait_retention "$WORK/serve.log" $server
echo "== portal: subject page render in headless Chromium ($N subjects, $PAGES pages)"
node bench/portal.mjs "http://127.0.0.1:$PORT" "$WORK/codes.txt" "$PAGES"
