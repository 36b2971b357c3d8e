#!/usr/bin/env bash
# The benchmarks of docs/benchmarks.md, each printed beside its anchor from the same run.
#   BENCH_SUBJECTS   subjects for the ingest comparison (default 100000 ≈ 1.6 M licence and
#                    penalty rows)
#   BENCH_FULL=1     also the 1,000,000-subject / ~20 M-record run: peak memory of the full
#                    ingest and the per-subject read latency on that store
#   BENCH_SEARCH_SUBJECTS  subjects for the name-search comparison (default 1000000; see
#                    bench/search.sh for its other knobs)
#   BENCH_GRADE_SUBJECTS  subjects for the full-grading benchmark (default 100000; see
#                    bench/grade.sh)
#   HTTP_SUBJECTS    subjects of the HTTP benchmark's city (default 100000; see bench/http.sh)
#   BENCH_CHECK_SUBJECTS  subjects of the credit-check benchmark's city (default 1000000; see
#                    bench/checks.sh)
#   BENCH_WORK       scratch directory (default /tmp/xinyong-bench; needs ~15 GB for the full run)
set -euo pipefail
cd "$(dirname "$0")/.."
XINYONG=$PWD/build/bin/xinyong
WORK=${BENCH_WORK:-/tmp/xinyong-bench}
N=${BENCH_SUBJECTS:-100000}
PGPORT=${BENCH_PGPORT:-55432}
rm -rf "$WORK/gen" "$WORK/store" "$WORK/keys"
mkdir -p "$WORK"

echo "== ingest: Xinyong (validation, dedup, indexing, durable batches) vs PostgreSQL 15 COPY"
$XINYONG gen --out "$WORK/gen" --subjects "$N" --seed 7 --bad-share 0 >/dev/null
files=$(ls "$WORK"/gen/admin_licence*.csv "$WORK"/gen/admin_penalty*.csv)
rows=0
for f in $files; do rows=$((rows + $(tail -n +2 "$f" | grep -c '' || true))); done

start=$(date +%s.%N)
$XINYONG --data "$WORK/store" ingest $files --json > "$WORK/ingest.jsonl"
end=$(date +%s.%N)
xy_rows=$(python3 -c "import json,sys; print(sum(json.loads(l)['rows'] for l in open('$WORK/ingest.jsonl')))")
xy_secs=$(echo "$end - $start" | bc -l)

bash bench/pg.sh stop "$WORK/pg" || true
rm -rf "$WORK/pg"
bash bench/pg.sh start "$WORK/pg" "$PGPORT"
trap 'bash bench/pg.sh stop "$WORK/pg"' EXIT
PSQL="psql -h 127.0.0.1 -p $PGPORT -U postgres -q -v ON_ERROR_STOP=1"
pg_secs=0
for f in $files; do
  table=$(basename "$f" | cut -d. -f1)
  ncols=$(head -1 "$f" | awk -F, '{print NF}')
  # The subject's code column: the third (…_SHXYM / 统一社会信用代码) in the standard layout.
  cols=$(seq 1 "$ncols" | sed 's/^/c/; s/$/ text/' | paste -sd, -)
  $PSQL -c "CREATE TABLE IF NOT EXISTS $table (id bigserial PRIMARY KEY, $cols);
            CREATE INDEX IF NOT EXISTS ${table}_subject ON $table (c3);"
  collist=$(seq 1 "$ncols" | sed 's/^/c/' | paste -sd, -)
  s=$(date +%s.%N)
  $PSQL -c "\\copy $table ($collist) FROM '$f' WITH (FORMAT csv, HEADER true)"
  e=$(date +%s.%N)
  pg_secs=$(echo "$pg_secs + $e - $s" | bc -l)
done
pg_rows=$($PSQL -At -c "SELECT (SELECT count(*) FROM admin_licence) + (SELECT count(*) FROM admin_penalty)")
printf "ingest_xinyong rows=%d seconds=%.2f rows_per_s=%.0f\n" "$xy_rows" "$xy_secs" "$(echo "$xy_rows / $xy_secs" | bc -l)"
printf "ingest_pg_copy rows=%d seconds=%.2f rows_per_s=%.0f\n" "$pg_rows" "$pg_secs" "$(echo "$pg_rows / $pg_secs" | bc -l)"
printf "ingest_speedup %.1fx (goal >= 5x)\n" "$(echo "($xy_rows / $xy_secs) / ($pg_rows / $pg_secs)" | bc -l)"

echo "== all records of one subject: Xinyong in process vs PostgreSQL prepared statement on loopback"
# The store after its background compaction (a bulk load leaves many level-0 files behind).
./build/bin/bench_subject_records "$WORK/store" 100000 --compact 2>/dev/null
./build/bin/bench_pg_subject_records "host=127.0.0.1 port=$PGPORT user=postgres" 100000

echo "== name search: Xinyong vs PostgreSQL 15 pg_trgm vs SQLite FTS5 trigram, same names and queries"
# Its own city (registration rows of BENCH_SEARCH_SUBJECTS subjects, default 1,000,000), its own
# PostgreSQL on another port; see bench/search.sh.
BENCH_WORK="$WORK" bash bench/search.sh

echo "== full grading: xinyong grade --all vs a plain RocksDB pass over the same records"
# Its own city (BENCH_GRADE_SUBJECTS, default 100,000; 1110000 for the 1 M / 20 M figure); see
# bench/grade.sh.
BENCH_WORK="$WORK" bash bench/grade.sh

echo "== HTTP: GET /api/v1/subjects/{code} over every registered code, wrk on loopback"
# Its own city (HTTP_SUBJECTS, default 100,000) and server; see bench/http.sh for its knobs.
BENCH_WORK="$WORK" bash bench/http.sh

echo "== credit checks: a batch of every subject vs the old way; single checks over HTTP at 10,000/s"
# Its own city (BENCH_CHECK_SUBJECTS, default 1,000,000) and server; see bench/checks.sh.
BENCH_WORK="$WORK" bash bench/checks.sh

echo "== the check log's by-subject memtable: hash skip lists vs RocksDB's skip list, uniform and hot subjects"
./build/bin/bench_subject_log_memtable --dir="$WORK/subject-log-memtable"

echo "== exchange: a county's change feed pushed to a city instance on loopback vs plain ingest"
# Its own county and city (EXCHANGE_SUBJECTS, default 12,000 ≈ 240,000 records); see bench/exchange.sh.
BENCH_WORK="$WORK" bash bench/exchange.sh

echo "== credit report: one subject with 5,000 records, model + PDF / HTML (goal < 1 s; no external anchor)"
./build/bin/bench_report --records 5000 --reps 5 --dir "$WORK/report"

# Its own city (PORTAL_SUBJECTS, default 100,000) and server; see bench/portal.sh. It prints its header.
BENCH_WORK="$WORK" bash bench/portal.sh

if [ "${BENCH_FULL:-0}" = 1 ]; then
  echo "== full city: 1,000,000 subjects, every catalog file"
  rm -rf "$WORK/full-gen" "$WORK/full-store" "$WORK/keys"
  $XINYONG gen --out "$WORK/full-gen" --subjects 1000000 --seed 11 >/dev/null
  /usr/bin/time -v $XINYONG --data "$WORK/full-store" ingest "$WORK"/full-gen/* --json \
    > "$WORK/full-ingest.jsonl" 2> "$WORK/full-time.txt"
  python3 - "$WORK" <<'PY'
import json, re, sys
w = sys.argv[1]
rows = accepted = 0
for l in open(f"{w}/full-ingest.jsonl"):
    d = json.loads(l); rows += d["rows"]; accepted += d["accepted"]
t = open(f"{w}/full-time.txt").read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
wall = re.search(r"Elapsed \(wall clock\) time.*: (.*)", t).group(1)
print(f"full_ingest rows={rows} accepted={accepted} wall={wall} max_rss_mib={rss/1024:.0f} (goal < 2048)")
PY
  ./build/bin/bench_subject_records "$WORK/full-store" 200000 --compact
fi
