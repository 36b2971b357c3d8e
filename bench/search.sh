#!/usr/bin/env bash
# Name search, side by side in one run: Xinyong's name index, PostgreSQL 15 with a pg_trgm GIN
# index, SQLite FTS5 with the trigram tokenizer — the same names, the same fixed query set, the
# top 20 results per query, p50/p99 latency per query class (docs/benchmarks.md explains each).
#   BENCH_SEARCH_SUBJECTS   subjects of the generated city (default 1150000: ~86% of them are
#                           organizations with a registration row, i.e. names)
#   BENCH_SEARCH_PER_CLASS  queries per class (default 200)
#   BENCH_SEARCH_PGPORT     port of the throwaway PostgreSQL (default 55433)
#   BENCH_SEARCH_KEEP=1     keep the store, the databases and the generated file afterwards
#   BENCH_WORK              scratch directory (default /tmp/xinyong-bench); this uses $BENCH_WORK/search
#   XINYONG_BIN_DIR         where the binaries are (default build/bin)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${XINYONG_BIN_DIR:-$PWD/build/bin}
WORK=${BENCH_WORK:-/tmp/xinyong-bench}/search
N=${BENCH_SEARCH_SUBJECTS:-1150000}
PER_CLASS=${BENCH_SEARCH_PER_CLASS:-200}
PGPORT=${BENCH_SEARCH_PGPORT:-55433}

for b in xinyong bench_search bench_search_queries bench_search_pg bench_search_sqlite bench_subject_records; do
  [ -x "$BIN/$b" ] || { echo "search.sh: $BIN/$b is missing (make build)" >&2; exit 1; }
done
bash bench/pg.sh stop "$WORK/pg" 2>/dev/null || true
rm -rf "$WORK"
mkdir -p "$WORK"
cleanup() {
  bash bench/pg.sh stop "$WORK/pg" || true
  if [ "${BENCH_SEARCH_KEEP:-0}" != 1 ]; then
    rm -rf "$WORK/pg" "$WORK/store" "$WORK/keys" "$WORK/gen" "$WORK/names.db"
  fi
}
trap cleanup EXIT
secs() { echo "$(date +%s.%N) - $1" | bc -l; }

# 1. One city: registration rows only (names, codes, status), then the same data for everyone.
t=$(date +%s.%N)
"$BIN/xinyong" gen --out "$WORK/gen" --subjects "$N" --seed 7 --bad-share 0 \
  --indicators reg_basic >/dev/null
printf "search_setup step=gen subjects=%d seconds=%.1f\n" "$N" "$(secs "$t")"
t=$(date +%s.%N)
"$BIN/bench_search_queries" "$WORK/gen/reg_basic.csv" "$WORK" --per-class "$PER_CLASS" --seed 42
printf "search_setup step=queries seconds=%.1f names=%d queries=%d\n" "$(secs "$t")" \
  "$(wc -l < "$WORK/names.tsv")" "$(wc -l < "$WORK/queries.tsv")"
t=$(date +%s.%N)
"$BIN/xinyong" --data "$WORK/store" ingest "$WORK/gen/reg_basic.csv" --json > "$WORK/ingest.jsonl"
printf "search_setup step=ingest seconds=%.1f\n" "$(secs "$t")"
# The store as a running server has it after its background compaction (a bulk load leaves
# level-0 files that every code lookup would otherwise merge), as PostgreSQL's table is after COPY.
t=$(date +%s.%N)
"$BIN/bench_subject_records" "$WORK/store" 1 --compact >/dev/null 2>&1
printf "search_setup step=compact seconds=%.1f\n" "$(secs "$t")"

# 2. The three systems one after the other: nothing else of this script runs meanwhile.
bash bench/pg.sh start "$WORK/pg" "$PGPORT"
"$BIN/bench_search_pg" "host=127.0.0.1 port=$PGPORT user=postgres" "$WORK/names.tsv" \
  "$WORK/queries.tsv" --results "$WORK/pg.results" | tee "$WORK/pg.out"
bash bench/pg.sh stop "$WORK/pg"
"$BIN/bench_search_sqlite" "$WORK/names.db" "$WORK/names.tsv" "$WORK/queries.tsv" \
  --results "$WORK/sqlite.results" | tee "$WORK/sqlite.out"
"$BIN/bench_search" "$WORK/store" "$WORK/queries.tsv" --recall 50 \
  --results "$WORK/xinyong.results" 2> "$WORK/recall.err" | tee "$WORK/xinyong.out"

# 3. Side by side.
python3 - "$WORK" <<'PY'
import re, sys
w = sys.argv[1]
lat, idx, recall = {}, {}, []
for system in ("xinyong", "pg", "sqlite"):
    for line in open(f"{w}/{system}.out"):
        kv = dict(re.findall(r'(\w+)=("[^"]*"|\S+)', line))
        if line.startswith("search "):
            lat[(system, kv["class"])] = (float(kv["p50_us"]), float(kv["p99_us"]))
        elif line.startswith("search_index "):
            idx[system] = kv
        elif line.startswith("search_recall "):
            recall.append(kv)
classes = [c for (s, c) in lat if s == "xinyong"]
print(f"{'class':<16}{'xinyong p50/p99 µs':>24}{'pg p50/p99 µs':>24}{'sqlite p50/p99 µs':>24}"
      f"{'pg/xy p50':>11}{'sqlite/xy p50':>15}")
for c in classes:
    row = f"{c:<16}"
    for s in ("xinyong", "pg", "sqlite"):
        row += f"{'%.1f / %.1f' % lat[(s, c)] if (s, c) in lat else 'n/a (no pinyin)':>24}"
    x = lat[("xinyong", c)][0]
    for s, width in (("pg", 11), ("sqlite", 15)):
        r = lat[(s, c)][0] / x if (s, c) in lat else None
        row += f"{'-' if r is None else '%.1fx' % r if r >= 1 else '%.2fx' % r:>{width}}"
    print(row)
for c in ("cjk2", "cjk2_common", "cjk2_rare"):
    if ("pg", c) in lat:
        r = lat[("pg", c)][0] / lat[("xinyong", c)][0]
        print(f"search_ratio class={c} pg_over_xinyong_p50={r:.1f} (goal >= 20)")
# The goal is against PostgreSQL; SQLite (in process, no network) is reported beside it.
for s in ("pg", "sqlite"):
    slower = [c for c in classes
              if (s, c) in lat and not c.startswith("cjk2") and lat[("xinyong", c)][0] > lat[(s, c)][0]]
    print(f"search_longer_queries anchor={s} xinyong_slower_at_p50=" + (",".join(slower) or "none")
          + (" (goal: none)" if s == "pg" else ""))
for s in ("xinyong", "pg", "sqlite"):
    kv = idx[s]
    print(f"search_index system={s} kind={kv['kind']} names={kv['names']} "
          f"index_mib={int(kv['index_bytes']) / 2**20:.1f} build_s={kv['build_s']}"
          + (" (goal < 10 s)" if s == "xinyong" else ""))
bad = sum(int(r["mismatches"]) for r in recall)
print(f"search_recall checked={sum(int(r['checked']) for r in recall)} mismatches={bad} "
      f"(brute-force substring scan over {recall[0]['names'] if recall else 0} names)")
pg = open(f"{w}/pg.results").read().splitlines()
sq = open(f"{w}/sqlite.results").read().splitlines()
same = sum(a == b for a, b in zip(pg, sq))
# Xinyong ranks active subjects before cancelled ones at equal length; the anchors cannot.
xy = dict(((l.split("\t")[0], l.split("\t")[1]), l) for l in open(f"{w}/xinyong.results").read().splitlines())
xy_same = sum(xy.get(tuple(l.split("\t")[:2])) == l for l in pg)
print(f"search_anchor_check pg_and_sqlite_identical_top20={same}/{len(pg)} "
      f"xinyong_identical_top20={xy_same}/{len(pg)}")
PY
if [ -s "$WORK/recall.err" ]; then
  echo "search.sh: recall mismatches (first 20 of $(wc -l < "$WORK/recall.err")):" >&2
  head -20 "$WORK/recall.err" >&2
fi
