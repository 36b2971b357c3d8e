#!/usr/bin/env bash
# Exchange between platform levels (src/exchange): how fast the change feed moves from a county
# instance to a city instance (`xinyong serve`) on loopback, beside a plain `xinyong ingest` of
# the same files — what the exchange costs above ingestion. docs/benchmarks.md has the figures.
#   EXCHANGE_SUBJECTS  subjects of the generated county (default 12000 ≈ 240,000 records)
#   EXCHANGE_BATCH     changes per pushed batch (default 10000)
#   BENCH_WORK         scratch directory (default /tmp/xinyong-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
XINYONG=${XINYONG:-$PWD/build/bin/xinyong}
WORK=${BENCH_WORK:-/tmp/xinyong-bench}/exchange
N=${EXCHANGE_SUBJECTS:-12000}
BATCH=${EXCHANGE_BATCH:-10000}
PORT=${EXCHANGE_PORT:-18431}
rm -rf "$WORK"
mkdir -p "$WORK"

$XINYONG gen --out "$WORK/gen" --subjects "$N" --seed 7 --bad-share 0 >/dev/null
start=$(date +%s.%N)
$XINYONG --data "$WORK/county" ingest "$WORK"/gen/* --json > "$WORK/ingest.jsonl"
end=$(date +%s.%N)
accepted=$(python3 -c "import json; print(sum(json.loads(l)['accepted'] for l in open('$WORK/ingest.jsonl')))")
ingest_secs=$(echo "$end - $start" | bc -l)

token=$($XINYONG --data "$WORK/city" token create --role lower_platform --name bench \
  --source county --region 410102 2>/dev/null)
$XINYONG --data "$WORK/city" serve --listen 127.0.0.1:$PORT > "$WORK/city.log" 2>&1 &
city=$!
trap 'kill $city 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
  curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/api/v1/exchange/cursor?source=county" >/dev/null && break
  sleep 0.1
done
wait_retention "$WORK/city.log" $city
$XINYONG --data "$WORK/county" push --to http://127.0.0.1:$PORT --token "$token" \
  --source county --region 410102 --batch "$BATCH" --json > "$WORK/push.json"
kill $city; wait $city 2>/dev/null || true
trap - EXIT
python3 - "$WORK/push.json" "$accepted" "$ingest_secs" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
accepted, secs = int(sys.argv[2]), float(sys.argv[3])
print(f"exchange: {p['sent']:,} changes in {p['batches']} batches, {p['seconds']:.1f} s: "
      f"{p['sent'] / p['seconds']:,.0f} records/s (anchor: the issue's goal 100,000/s)")
print(f"plain ingest of the same files: {accepted:,} records in {secs:.1f} s: "
      f"{accepted / secs:,.0f} records/s")
PY
$XINYONG --data "$WORK/city" stats --json | head -1
