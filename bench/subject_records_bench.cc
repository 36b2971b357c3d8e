// Latency of "all records of one subject" (Store::ListRecords), in process, on an existing store.
// Usage: bench_subject_records DATA_DIR [SAMPLES] [--compact | --settle] [--cache-mib=N]
// Picks subjects uniformly at random among those the store holds (ids 1..N), warms the cache with
// one pass, then times SAMPLES lookups and prints percentiles in microseconds. With --compact the
// store is first compacted (the steady state a running server reaches in the background after a
// bulk load); without it, whatever shape the last ingest left is measured. --settle only waits for
// the compactions RocksDB still has to do on its own (RocksDbStore::WaitForCompactions).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "storage/rocksdb/rocksdb_store.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DATA_DIR [SAMPLES]\n", argv[0]);
    return 2;
  }
  size_t samples = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100000;
  bool compact = false, settle = false;
  xinyong::storage::RocksDbOptions o;
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--compact") compact = true;
    if (a == "--settle") settle = true;
    if (a.starts_with("--cache-mib=")) o.block_cache_bytes = std::stoull(a.substr(12)) << 20;
  }
  o.read_only = !compact && !settle;
  o.create_if_missing = false;
  auto store = xinyong::storage::RocksDbStore::Open(argv[1], o);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  if (compact) {
    auto t0 = std::chrono::steady_clock::now();
    auto s = (*store)->CompactAll();
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
    std::fprintf(stderr, "compacted in %.1f s\n",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  } else if (settle) {
    auto t0 = std::chrono::steady_clock::now();
    auto s = (*store)->WaitForCompactions();
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
    std::fprintf(stderr, "settled in %.1f s\n",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  auto stats = (*store)->Stats();
  uint64_t max_id = (*store)->NextId(xinyong::storage::IdSpace::kSubject) - 1;
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<uint64_t> pick(1, max_id);
  std::vector<xinyong::Record> out;
  // Warm-up: one pass over as many subjects as we will sample.
  for (size_t i = 0; i < samples; ++i) {
    out.clear();
    (*store)->ListRecords(pick(rng), "", &out).IgnoreError();
  }
  std::vector<double> us(samples);
  size_t total_records = 0;
  for (size_t i = 0; i < samples; ++i) {
    uint64_t id = pick(rng);
    out.clear();
    auto t0 = std::chrono::steady_clock::now();
    auto s = (*store)->ListRecords(id, "", &out);
    auto t1 = std::chrono::steady_clock::now();
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
    total_records += out.size();
    us[i] = std::chrono::duration<double, std::micro>(t1 - t0).count();
  }
  std::sort(us.begin(), us.end());
  auto pct = [&](double p) { return us[std::min(us.size() - 1, static_cast<size_t>(p * us.size()))]; };
  std::printf(
      "subject_records store_records=%llu subjects=%llu samples=%zu avg_records=%.1f p50_us=%.1f "
      "p99_us=%.1f p999_us=%.1f max_us=%.1f\n",
      static_cast<unsigned long long>(stats.ok() ? stats->records : 0),
      static_cast<unsigned long long>(max_id), samples,
      static_cast<double>(total_records) / static_cast<double>(samples), pct(0.50), pct(0.99),
      pct(0.999), us.back());
  return 0;
}
