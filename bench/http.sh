#!/usr/bin/env bash
# HTTP throughput of the subject profile, GET /api/v1/subjects/{code} (issue 3): wrk on loopback,
# keep-alive, every request for a subject code drawn at random from the whole city. Goal:
# >= 30,000 requests/s with p99 under 5 ms and no errors, on the 2-core benchmark machine.
#
#   HTTP_SUBJECTS       subjects of the generated city (default 100000)
#   HTTP_DURATION       wrk run time (default 20s; a 5 s warm-up run comes first)
#   HTTP_CONNECTIONS    wrk connections (default 32), HTTP_WRK_THREADS wrk threads (default 1)
#   HTTP_SERVER_THREADS `serve --threads` (default: one per core)
#   HTTP_CACHE_MIB      `serve --cache-mib` (default: the store's default, 256 MiB)
#   HTTP_PROFILE_CACHE_MIB  `serve --profile-cache-mib` (default: the server's, 1024 MiB; 0: no
#                       cache, every profile computed from the store)
#   HTTP_REUSE=1        keep the store of an earlier run with the same HTTP_SUBJECTS
#   HTTP_WARMUP         seconds of wrk before the measured run (default 5; 0: measure from start,
#                       the block cache and the profile cache cold)
#   HTTP_POST_ROWS      while wrk runs, POST an admin_penalty batch of this many rows for random
#                       codes once a second (default 0: reads only). The server then runs on a
#                       copy of the store, deleted afterwards, so the measured store stays as built
#   BENCH_WORK          scratch directory (default /tmp/xinyong-bench); this uses BENCH_WORK/http
#   BUILD_DIR           where the binaries are (default build)
#
# Prints the wrk command line, wrk's own report, and one line of figures:
#   http_subject_profile requests=… req_per_s=… p50_ms=… p99_ms=… socket_errors=… non_2xx=…
# plus the server's CPU time per request, its resident memory, the profile cache's hits and misses
# during the measured run (from GET /api/v1/health) and the in-process cost of the handler.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BUILD=${BUILD_DIR:-build}
XINYONG=$PWD/$BUILD/bin/xinyong
WORK=${BENCH_WORK:-/tmp/xinyong-bench}/http
N=${HTTP_SUBJECTS:-100000}
DURATION=${HTTP_DURATION:-20s}
CONNECTIONS=${HTTP_CONNECTIONS:-32}
WRK_THREADS=${HTTP_WRK_THREADS:-1}

command -v wrk >/dev/null || { echo "http.sh: wrk is missing (bash scripts/setup.sh bench)" >&2; exit 1; }
mkdir -p "$WORK"

if [ "${HTTP_REUSE:-0}" = 1 ] && [ "$(cat "$WORK/READY" 2>/dev/null)" = "$N" ]; then
  echo "== reusing the $N-subject store in $WORK"
else
  echo "== a city of $N subjects, every catalog file, ingested and compacted"
  rm -rf "$WORK/gen" "$WORK/store" "$WORK/keys" "$WORK/READY"
  $XINYONG gen --out "$WORK/gen" --subjects "$N" --seed 7 --bad-share 0 >/dev/null
  $XINYONG --data "$WORK/store" ingest "$WORK"/gen/* --json >"$WORK/ingest.jsonl"
  # Subject codes from the registration file (统一社会信用代码, column DJ_TYSHXYDM).
  python3 - "$WORK/gen/reg_basic.csv" "$WORK/codes.txt" <<'PY'
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f, open(sys.argv[2], "w") as out:
    for row in csv.DictReader(f):
        if row["DJ_TYSHXYDM"]:
            out.write(row["DJ_TYSHXYDM"] + "\n")
PY
  # Compacted, like the store bench_subject_records measures: the state a running server
  # reaches in the background after a bulk load. Also prints the handler's in-process cost.
  ./$BUILD/bin/bench_http_handler "$WORK/store" "$WORK/codes.txt" 50000 --compact 2>/dev/null
  rm -rf "$WORK/gen"
  echo "$N" >"$WORK/READY"
fi
echo "codes: $(wc -l <"$WORK/codes.txt") (every registered company and individual business)"
if [ "${HTTP_REUSE:-0}" = 1 ]; then
  ./$BUILD/bin/bench_http_handler "$WORK/store" "$WORK/codes.txt" 50000 2>/dev/null
fi

store="$WORK/store"
post_rows=${HTTP_POST_ROWS:-0}
if [ "$post_rows" -gt 0 ]; then
  rm -rf "$WORK/mixed" && mkdir -p "$WORK/mixed/posts"
  cp -a "$WORK/store" "$WORK/mixed/store"
  [ -d "$WORK/keys" ] && cp -a "$WORK/keys" "$WORK/mixed/keys"
  store="$WORK/mixed/store"
  token=$($XINYONG --data "$store" token create --role operator --name http-bench --expires-days 1 | tail -1)
  # One admin_penalty file per second of the run, rows for codes drawn with a fixed seed.
  python3 - "$WORK/codes.txt" "${DURATION%s}" "$post_rows" "$WORK/mixed/posts" <<'PY'
import random, sys
codes = [line.strip() for line in open(sys.argv[1]) if line.strip()]
files, rows, out = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
random.seed(11)
head = ("CF_XDR_MC,CF_XDR_LB,CF_XDR_SHXYM,CF_XDR_ZJLX,CF_XDR_ZJHM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,"
        "CF_CFLB,CF_NR,CF_NR_FK,CF_JDRQ,CF_CFJG,CF_CFJGDM,CF_SJLY,CF_SJLYDM,CF_CFCX\n")
for i in range(files):
    with open(f"{out}/{i:04d}.csv", "w", encoding="utf-8") as f:
        f.write(head)
        for r in range(rows):
            f.write(f"某公司,法人及非法人组织,{random.choice(codes)},,,郑市监罚〔2026〕{i * 100000 + r}号,"
                    "虚假宣传,在网站发布虚假广告,《中华人民共和国广告法》第五十五条,罚款,罚款2万元,2,"
                    "2026-11-20,郑州市市场监督管理局,11410100MB0000001X,郑州市市场监督管理局,"
                    "11410100MB0000001X,普通程序\n")
PY
fi
serve_args=(--data "$store" serve --listen 127.0.0.1:0)
[ -n "${HTTP_SERVER_THREADS:-}" ] && serve_args+=(--threads "$HTTP_SERVER_THREADS")
[ -n "${HTTP_CACHE_MIB:-}" ] && serve_args+=(--cache-mib "$HTTP_CACHE_MIB")
[ -n "${HTTP_PROFILE_CACHE_MIB:-}" ] && serve_args+=(--profile-cache-mib "$HTTP_PROFILE_CACHE_MIB")
$XINYONG "${serve_args[@]}" 2>"$WORK/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true; [ "$post_rows" -gt 0 ] && rm -rf "$WORK/mixed"' EXIT
# The server prints its address once it listens (after building the name index).
url=$(serve_url "$WORK/serve.log" $server) || { echo "http.sh: the server did not start" >&2; exit 1; }
wait_retention "$WORK/serve.log" $server
echo "server: xinyong ${serve_args[*]} (pid $server, $url)"

wrk_cmd=(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/http_codes.lua "$url")
# Warm-up: fills the block cache, the page cache and the profile cache, as a server in service
# has them.
warmup=${HTTP_WARMUP:-5}
if [ "$warmup" -gt 0 ]; then
  CODES="$WORK/codes.txt" wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${warmup}s" -s bench/http_codes.lua \
    "$url" >/dev/null
fi
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
# The profile cache's counters (GET /api/v1/health), "- -" when the cache is off.
cache_counts() {
  python3 - "$url" <<'PY'
import json, sys, urllib.request
c = json.load(urllib.request.urlopen(sys.argv[1] + "/api/v1/health")).get("profile_cache")
print(f"{c['hits']} {c['misses']} {c['entries']} {c['bytes']}" if c else "- - - -")
PY
}
read -r hits0 misses0 _ _ <<<"$(cache_counts)"
before=$(cpu_ticks)
if [ "$post_rows" -gt 0 ]; then
  (
    for f in "$WORK"/mixed/posts/*.csv; do
      curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $token" \
        -H "Content-Type: text/csv" --data-binary "@$f" "$url/api/v1/batches?dept=410100-scjg"
      sleep 1
    done >"$WORK/mixed/posted.txt"
  ) &
  poster=$!
fi
echo "CODES=$WORK/codes.txt ${wrk_cmd[*]}"
CODES="$WORK/codes.txt" "${wrk_cmd[@]}" | tee "$WORK/wrk.txt"
if [ "$post_rows" -gt 0 ]; then
  wait $poster
  awk -v rows="$post_rows" '{ n++; ok += ($1 == 201); t += $2 }
    END { printf "http_posted batches=%d rows_each=%d created=%d mean_s=%.3f\n", n, rows, ok, t / n }' \
    "$WORK/mixed/posted.txt"
fi
after=$(cpu_ticks)
read -r hits1 misses1 entries1 bytes1 <<<"$(cache_counts)"
if [ "$hits0" = - ]; then
  echo "http_profile_cache off"
else
  python3 - "$hits0" "$misses0" "$hits1" "$misses1" "$entries1" "$bytes1" <<'PY'
import sys
h0, m0, h1, m1, entries, size = (int(x) for x in sys.argv[1:])
hits, misses = h1 - h0, m1 - m0
print(f"http_profile_cache run_hits={hits} run_misses={misses} "
      f"hit_rate={hits / max(hits + misses, 1):.3f} entries={entries} mib={size / 2**20:.1f}")
PY
fi
echo "http_server_rss_mib=$(awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$server/status")"
requests=$(awk '/^http_subject_profile/ {for (i = 1; i <= NF; i++) if ($i ~ /^requests=/) print substr($i, 10)}' "$WORK/wrk.txt")
python3 - "$before" "$after" "$requests" "$(getconf CLK_TCK)" <<'PY'
import sys
before, after, requests, tick = (float(x) for x in sys.argv[1:])
print(f"http_server_cpu us_per_request={(after - before) / tick * 1e6 / max(requests, 1):.1f}")
PY
awk '/^http_subject_profile/ {
  for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
  ok = f["req_per_s"] >= 30000 && f["p99_ms"] < 5 && f["socket_errors"] == 0 && f["non_2xx"] == 0
  printf "http_goal req_per_s=%s (goal >= 30000) p99_ms=%s (goal < 5) errors=%d: %s\n",
    f["req_per_s"], f["p99_ms"], f["socket_errors"] + f["non_2xx"], ok ? "met" : "not met"
}' "$WORK/wrk.txt"
kill $server
wait $server 2>/dev/null || true
trap - EXIT
rm -rf "$WORK/mixed"
