#!/usr/bin/env bash
# Full grading (公共信用综合评价 of every organization), side by side with a plain RocksDB pass over
# the same records (docs/benchmarks.md, "Full grading"):
#   1. a generated city, ingested without per-batch grading (`ingest --no-grade`, a bulk load)
#      and compacted, as a running server's store is after its background compaction;
#   2. `xinyong grade --all` twice: the first stores every organization's first grade (a history
#      entry each), the second is the daily recompute (grades re-dated, history unchanged);
#   3. the anchor, `bench_grade_scan`: every key and value of the records column family, on as
#      many threads, nothing decoded;
#   4. with BENCH_GRADE_INGEST=1 also the ingest with per-batch grading, to show its cost.
#   BENCH_GRADE_SUBJECTS   subjects of the city (default 100000; 1110000 gives ~1 M organizations
#                          and ~22 M records — the issue's 1 M / 20 M, ~25 GB of disk at peak)
#   BENCH_GRADE_INGEST=1   also ingest with per-batch grading into a second store (default: 1 when
#                          BENCH_GRADE_SUBJECTS <= 200000)
#   BENCH_GRADE_KEEP=1     keep the store and the generated files afterwards
#   BENCH_WORK             scratch directory (default /tmp/xinyong-bench); this uses $BENCH_WORK/grade
#   XINYONG_BIN_DIR        where the binaries are (default build/bin)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${XINYONG_BIN_DIR:-$PWD/build/bin}
WORK=${BENCH_WORK:-/tmp/xinyong-bench}/grade
N=${BENCH_GRADE_SUBJECTS:-100000}
if [ "$N" -le 200000 ]; then GRADED_INGEST=${BENCH_GRADE_INGEST:-1}; else GRADED_INGEST=${BENCH_GRADE_INGEST:-0}; fi
THREADS=$(nproc)

for b in xinyong bench_grade_scan bench_subject_records; do
  [ -x "$BIN/$b" ] || { echo "grade.sh: $BIN/$b is missing (make build)" >&2; exit 1; }
done
rm -rf "$WORK"
mkdir -p "$WORK"
cleanup() {
  if [ "${BENCH_GRADE_KEEP:-0}" != 1 ]; then rm -rf "$WORK/gen" "$WORK/store" "$WORK/graded" "$WORK/keys"; fi
}
trap cleanup EXIT
secs() { echo "$(date +%s.%N) - $1" | bc -l; }

t=$(date +%s.%N)
"$BIN/xinyong" gen --out "$WORK/gen" --subjects "$N" --seed 11 >/dev/null
printf "grade_setup step=gen subjects=%d seconds=%.1f\n" "$N" "$(secs "$t")"
t=$(date +%s.%N)
"$BIN/xinyong" --data "$WORK/store" ingest --no-grade "$WORK"/gen/* --json > "$WORK/ingest.jsonl"
ingest_plain=$(secs "$t")
rows=$(python3 -c "import json; print(sum(json.loads(l)['rows'] for l in open('$WORK/ingest.jsonl')))")
printf "grade_setup step=ingest_no_grade rows=%d seconds=%.1f\n" "$rows" "$ingest_plain"
if [ "$GRADED_INGEST" = 1 ]; then
  t=$(date +%s.%N)
  "$BIN/xinyong" --data "$WORK/graded" ingest "$WORK"/gen/* --json > /dev/null
  ingest_graded=$(secs "$t")
  printf "grade_ingest with_per_batch_grading_s=%.1f without_s=%.1f ratio=%.2f\n" \
    "$ingest_graded" "$ingest_plain" "$(echo "$ingest_graded / $ingest_plain" | bc -l)"
  # What the batches stored must be what a full recompute stores: the recompute changes nothing.
  "$BIN/xinyong" --data "$WORK/graded" grade --all --json | python3 -c "
import json, sys
d = json.load(sys.stdin)
print(f\"grade_ingest_check organizations={d['subjects']} changed_by_full_recompute={d['changed']} (expected 0)\")"
  rm -rf "$WORK/graded"
fi
t=$(date +%s.%N)
"$BIN/bench_subject_records" "$WORK/store" 1 --compact >/dev/null 2>&1
printf "grade_setup step=compact seconds=%.1f store=%s\n" "$(secs "$t")" "$(du -sh "$WORK/store" | cut -f1)"

# The recompute and its anchor, one after the other on a quiet machine.
for run in first daily; do
  "$BIN/xinyong" --data "$WORK/store" grade --all --json | python3 -c "
import json, sys
d = json.load(sys.stdin)
g = d['by_grade']
print(f\"grade_all run=$run organizations={d['subjects']} changed={d['changed']} seconds={d['seconds']:.2f} \"
      f\"A={g['A']} B={g['B']} C={g['C']} D={g['D']} (goal < 60 s at 1 M / 20 M)\")"
done
"$BIN/bench_grade_scan" "$WORK/store" --threads="$THREADS"
"$BIN/bench_grade_scan" "$WORK/store" --threads=1
