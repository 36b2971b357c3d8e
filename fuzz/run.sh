#!/usr/bin/env bash
# Builds and runs the libFuzzer targets (see README.md). ctest calls it (tests/CMakeLists.txt):
#   fuzz/run.sh build DIR              configure DIR with clang++ once, then build every target
#   fuzz/run.sh run DIR NAME SECONDS   run fuzz_NAME for SECONDS; exit non-zero on a crash
# A run starts from the committed seeds (fuzz/corpus/NAME, never written to) and from the inputs
# earlier runs found (DIR/corpus/NAME, where new ones go); a crashing input is saved in
# DIR/artifacts/NAME/.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cmd="${1:-}"
dir="${2:-}"
[ -n "$dir" ] || { echo "usage: $0 build DIR | run DIR NAME SECONDS" >&2; exit 2; }

case "$cmd" in
  build)
    if ! command -v clang++ >/dev/null; then
      echo "fuzz: clang++ is missing; scripts/setup.sh installs it (Debian: clang-14, libclang-rt-14-dev)" >&2
      exit 1
    fi
    if [ ! -f "$dir/build.ninja" ]; then
      cmake -S "$here" -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ >/dev/null
    fi
    cmake --build "$dir" -j "$(nproc)"
    ;;
  run)
    name="${3:?target name}"
    seconds="${4:?seconds}"
    bin="$dir/fuzz_$name"
    [ -x "$bin" ] || { echo "fuzz: $bin is not built (fuzz/run.sh build $dir)" >&2; exit 1; }
    mkdir -p "$dir/corpus/$name" "$dir/artifacts/$name"
    seeds="$here/corpus/$name"
    # Debian's llvm-14 installs the symbolizer under a versioned name only.
    if ! command -v llvm-symbolizer >/dev/null && [ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]; then
      export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
    fi
    # -timeout: one input running this long is a hang (seconds, generous for a loaded machine).
    # -rss_limit_mb: ASan's shadow memory and RocksDB's caches need more than the default 2 GB.
    status=0
    "$bin" "$dir/corpus/$name" "$seeds" -max_total_time="$seconds" -timeout=60 \
      -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$dir/artifacts/$name/" \
      2>"$dir/artifacts/$name/last-run.log" || status=$?
    grep -E '^(stat::number_of_executed_units|stat::new_units_added|Done )' \
      "$dir/artifacts/$name/last-run.log" || true
    if [ "$status" -ne 0 ]; then
      tail -60 "$dir/artifacts/$name/last-run.log"
      echo "fuzz_$name failed (exit $status); the input is in $dir/artifacts/$name/." >&2
      echo "Reproduce: $bin $dir/artifacts/$name/<crash-file>" >&2
      exit "$status"
    fi
    ;;
  *)
    echo "usage: $0 build DIR | run DIR NAME SECONDS" >&2
    exit 2
    ;;
esac
