#!/usr/bin/env bash
# Credit checks (issue 4), each figure beside its anchor from the same run:
#   1. a batch of every subject of the city (goal: 1,000,000 in under 3 s) — in process
#      (server::EvaluateChecks + LogChecks with the trigger index built, as a running server has
#      it), through the API (POST /api/v1/checks:batch of 10,000 codes, in process), and the CLI
#      end to end (`xinyong check --file`, which builds the trigger index first); the anchor is
#      the same checks done the old way — every record of the subject read, the grade computed
#      from them — timed on BENCH_CHECK_ANCHOR codes and projected to the whole batch, with every
#      one of those outcomes compared to the batch's (a difference fails the run);
#   2. single checks over HTTP (goal: p99 under 5 ms at 10,000 checks/s): wrk on loopback,
#      keep-alive, POST /api/v1/checks of random codes, paced (bench/check_post.lua) by think
#      times drawn from an exponential distribution (arrivals close to a Poisson process: the
#      goal's figure), then, beside it on the same server, by fixed think times (the way it was
#      measured before, which makes the connections come in synchronized bursts).
#
#   BENCH_CHECK_SUBJECTS   subjects of the generated city (default 1000000)
#   BENCH_CHECK_SCENARIOS  scenarios to run (default "government_procurement supervision")
#   BENCH_CHECK_ANCHOR     codes checked the old way (default 20000)
#   BENCH_CHECK_RESOLVE    codes resolved one at a time through the store's identifier index and
#                          through the code directory, alternately (default 200000; 0 skips it)
#   CHECK_HTTP_CONNECTIONS wrk connections (default 120), CHECK_HTTP_DELAY_MS mean pause of each
#                          connection before each request (default 11: about 10,000 requests/s),
#                          CHECK_HTTP_FIXED_DELAY_MS the pause of the fixed-pacing run (default 9:
#                          about 10,000 requests/s; 0 skips that run)
#   CHECK_HTTP_DURATION    wrk run time (default 30s, after a 5 s warm-up)
#   BENCH_CHECK_REUSE=1    reuse the store of an earlier run with the same BENCH_CHECK_SUBJECTS
#   BENCH_WORK             scratch directory (default /tmp/xinyong-bench); this uses BENCH_WORK/checks
#                          (~8 GB for a million subjects)
#   BUILD_DIR              where the binaries are (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BUILD=${BUILD_DIR:-build}
BIN=$PWD/$BUILD/bin
WORK=${BENCH_WORK:-/tmp/xinyong-bench}/checks
N=${BENCH_CHECK_SUBJECTS:-1000000}
SCENARIOS=${BENCH_CHECK_SCENARIOS:-government_procurement supervision}
ANCHOR=${BENCH_CHECK_ANCHOR:-20000}
RESOLVE=${BENCH_CHECK_RESOLVE:-200000}
CONNECTIONS=${CHECK_HTTP_CONNECTIONS:-120}
DELAY_MS=${CHECK_HTTP_DELAY_MS:-11}
FIXED_DELAY_MS=${CHECK_HTTP_FIXED_DELAY_MS:-9}
DURATION=${CHECK_HTTP_DURATION:-30s}

for b in xinyong bench_checks bench_subject_records; do
  [ -x "$BIN/$b" ] || { echo "checks.sh: $BIN/$b is missing (make build)" >&2; exit 1; }
done
command -v wrk >/dev/null || { echo "checks.sh: wrk is missing (bash scripts/setup.sh bench)" >&2; exit 1; }
mkdir -p "$WORK"
STORE=$WORK/store

if [ "${BENCH_CHECK_REUSE:-0}" = 1 ] && [ "$(cat "$WORK/READY" 2>/dev/null)" = "$N" ]; then
  echo "== reusing the $N-subject store in $WORK"
else
  echo "== a city of $N subjects, every catalog file: generated, ingested, compacted, graded"
  rm -rf "$WORK/gen" "$STORE" "$WORK/keys" "$WORK/READY"
  "$BIN/xinyong" gen --out "$WORK/gen" --subjects "$N" --seed 7 --bad-share 0 >/dev/null
  "$BIN/xinyong" --data "$STORE" ingest "$WORK"/gen/* --json >"$WORK/ingest.jsonl"
  rm -rf "$WORK/gen"
  # The state a running server reaches in the background after a bulk load.
  "$BIN/bench_subject_records" "$STORE" 1 --compact >/dev/null 2>&1
  # Grades stored (grade-triggered measures read them), as after `xinyong grade --all`.
  "$BIN/xinyong" --data "$STORE" grade --all >/dev/null
  "$BIN/bench_checks" "$STORE" "$WORK/codes.txt" --write-codes
  echo "$N" >"$WORK/READY"
fi
echo "codes: $(wc -l <"$WORK/codes.txt") (every subject of the city, shuffled)"

for sc in $SCENARIOS; do
  echo "== batch, scenario $sc"
  resolve=()
  [ "$RESOLVE" = 0 ] || resolve=(--resolve="$RESOLVE")
  echo "$BIN/bench_checks $STORE $WORK/codes.txt --scenario=$sc --anchor=$ANCHOR ${resolve[*]}"
  "$BIN/bench_checks" "$STORE" "$WORK/codes.txt" --scenario="$sc" --anchor="$ANCHOR" "${resolve[@]}"
  RESOLVE=0  # once: code resolution does not depend on the scenario
  echo "$BIN/bench_checks $STORE $WORK/codes.txt --scenario=$sc --api"
  "$BIN/bench_checks" "$STORE" "$WORK/codes.txt" --scenario="$sc" --api | grep -v '^check_index'
  cli=("$BIN/xinyong" --data "$STORE" check --file "$WORK/codes.txt" --scenario "$sc")
  echo "${cli[*]} > /dev/null"
  /usr/bin/time -f "check_cli scenario=$sc seconds=%e cpu_seconds=%U+%S max_rss_mib=%M" \
    "${cli[@]}" >/dev/null 2>"$WORK/cli.err" || true
  tail -1 "$WORK/cli.err" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^max_rss_mib=/) { split($i, kv, "="); $i = "max_rss_mib=" int(kv[2] / 1024) } print }'
done

echo "== single checks over HTTP"
# The checks come from a using department's token, as every API caller's do.
TOKEN=$("$BIN/xinyong" --data "$STORE" token create --role using_department --dept bench \
  --name bench/checks.sh --expires-days 1 2>/dev/null)
export TOKEN
"$BIN/xinyong" --data "$STORE" serve --listen 127.0.0.1:0 2>"$WORK/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
url=$(serve_url "$WORK/serve.log" $server) || { echo "checks.sh: the server did not start" >&2; exit 1; }
wait_retention "$WORK/serve.log" $server
grep -E 'index' "$WORK/serve.log" || true
sc=${SCENARIOS%% *}
export CODES=$WORK/codes.txt SCENARIO=$sc
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
# http_run PACING DELAY_MS: one measured wrk run, its figures and the server's CPU per check.
http_run() {
  export PACING=$1 DELAY_MS=$2
  local wrk_cmd=(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/check_post.lua "$url")
  echo "CODES=$CODES SCENARIO=$SCENARIO PACING=$PACING DELAY_MS=$DELAY_MS ${wrk_cmd[*]}"
  local before after requests
  before=$(cpu_ticks)
  "${wrk_cmd[@]}" | tee "$WORK/wrk-$PACING.txt"
  after=$(cpu_ticks)
  requests=$(awk '/^http_check/ {for (i = 1; i <= NF; i++) if ($i ~ /^requests=/) print substr($i, 10)}' "$WORK/wrk-$PACING.txt")
  python3 - "$before" "$after" "$requests" "$(getconf CLK_TCK)" "$PACING" <<'PY'
import sys
before, after, requests, tick = (float(x) for x in sys.argv[1:5])
print(f"http_check_server_cpu pacing={sys.argv[5]} us_per_request={(after - before) / tick * 1e6 / max(requests, 1):.1f}")
PY
}
PACING=exponential DELAY_MS=$DELAY_MS wrk -t1 -c"$CONNECTIONS" -d5s -s bench/check_post.lua "$url" >/dev/null
http_run exponential "$DELAY_MS"
[ "$FIXED_DELAY_MS" = 0 ] || http_run fixed "$FIXED_DELAY_MS"
awk '/^http_check / {
  for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
  ok = f["req_per_s"] >= 9500 && f["p99_ms"] < 5 && f["socket_errors"] == 0 && f["non_2xx"] == 0
  printf "http_check_goal req_per_s=%s (goal 10000) p99_ms=%s (goal < 5) errors=%d: %s\n",
    f["req_per_s"], f["p99_ms"], f["socket_errors"] + f["non_2xx"], ok ? "met" : "not met"
}' "$WORK/wrk-exponential.txt"
kill $server
wait $server 2>/dev/null || true
trap - EXIT
