// The memtable of the subject_logs column family under the writes a credit check makes (one write
// of two keys: its audit entry's by-subject key, kind 'a', and its check-index key, kind 'c', both
// at the checked subject, sequence numbers rising), side by side in one run:
//   skiplist            RocksDB's default memtable, one skip list for the column family (the
//                       anchor: what these keys had before 2026-11-23)
//   hash_b<B>_h<H>      SubjectLogMemtableFactory(64 MiB, B, H): a skip list per
//                       hash bucket of subjects (B = 64, H = 4 on 2026-11-23; the store's
//                       kSubjectLogBytesPerBucket and kSubjectLogSkipListHeight now)
// Each under uniform checks over SUBJECTS subjects, and with a share of them at one hot subject.
// A subject's newest 'a' key sorts first among its keys, but its newest 'c' key sorts after all
// of its 'a' keys, so a 'c' insert walks past the subject's whole audit trail in the memtable:
// cheap in a skip list tall enough for it, ~1/64 of the trail per insert in one 4 levels high.
// Every bucket a write touches costs the memtable its skip list's head (more for taller lists),
// so the configurations also differ in how many checks one 64 MiB memtable holds before it is
// switched for a new one and flushed: fewer means more flushes and more level-0 files.
//
// Usage: bench_subject_log_memtable [--checks=N] [--subjects=N] [--hot-share=F] [--dir=D]
//                                   [--configs=B:H,…]  (0:0 is the skip list; default
//                                   0:0,64:4,<the store's>; H from 1 to 32)
// The database lives in D/db (default D: /tmp/xinyong-subject-log-memtable-bench), which each run
// creates and removes. Prints one line per configuration, workload and round:
//   subject_log_memtable memtable=… workload=… round=… checks=… ns_per_write=… p50_ns=… p99_ns=…
//     p999_ns=… hot_ns_per_write=… checks_per_memtable=…
// (hot_ns_per_write: the hot subject's writes, 0 in the uniform workload).
// The writes skip the write-ahead log, so the figures are the memtable's insert (and RocksDB's
// write path, with its flushes in the background); checks_per_memtable is how many checks the
// first 64 MiB memtable took before it was switched.
#include <rocksdb/db.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "storage/rocksdb/keys.h"
#include "storage/rocksdb/rocksdb_store.h"

namespace {

namespace keys = xinyong::storage::keys;

constexpr size_t kWriteBuffer = 64u << 20;  // the store's default per column family

struct Config {
  size_t bytes_per_bucket = 0;  // 0: RocksDB's default skip list
  int32_t height = 0;
  std::string Name() const {
    if (bytes_per_bucket == 0) return "skiplist";
    return "hash_b" + std::to_string(bytes_per_bucket) + "_h" + std::to_string(height);
  }
};

struct Figures {
  double mean_ns = 0, hot_mean_ns = 0;
  uint64_t p50 = 0, p99 = 0, p999 = 0;
  size_t per_memtable = 0;  // 0: the run never switched memtables
};

uint64_t Percentile(const std::vector<uint64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto at = static_cast<size_t>(p * static_cast<double>(sorted.size()));
  return sorted[std::min(sorted.size() - 1, at)];
}

// One fresh database per run; `subjects[i]` is the subject of check i.
Figures Run(const Config& c, const std::string& dir, const std::vector<uint64_t>& subjects,
            uint64_t hot) {
  std::filesystem::remove_all(dir);
  rocksdb::Options o;
  o.create_if_missing = true;
  o.allow_concurrent_memtable_write = false;
  o.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(8));
  o.write_buffer_size = kWriteBuffer;
  o.max_write_buffer_number = 3;
  if (c.bytes_per_bucket > 0) {
    o.memtable_factory =
        xinyong::storage::SubjectLogMemtableFactory(kWriteBuffer, c.bytes_per_bucket, c.height);
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(o, dir, &raw);
  if (!s.ok()) {
    std::fprintf(stderr, "opening %s: %s\n", dir.c_str(), s.ToString().c_str());
    std::exit(1);
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;
  std::vector<uint64_t> ns;
  ns.reserve(subjects.size());
  double hot_total = 0;
  size_t hot_n = 0;
  rocksdb::WriteBatch wb;
  Figures f;
  uint64_t entries = 0, last_entries = 0;
  for (size_t i = 0; i < subjects.size(); ++i) {
    const uint64_t seq = i + 1;
    wb.Clear();
    wb.Put(keys::SubjectLogKey(subjects[i], keys::kSubjectLogAudit, seq), "");
    wb.Put(keys::SubjectLogKey(subjects[i], keys::kSubjectLogCheck, seq), "");
    const auto t0 = std::chrono::steady_clock::now();
    s = db->Write(wo, &wb);
    const auto t1 = std::chrono::steady_clock::now();
    if (!s.ok()) {
      std::fprintf(stderr, "write: %s\n", s.ToString().c_str());
      std::exit(1);
    }
    const auto d = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
    ns.push_back(d);
    if (subjects[i] == hot) {
      hot_total += static_cast<double>(d);
      ++hot_n;
    }
    // The first switch of memtables: the active one suddenly holds fewer entries.
    if (f.per_memtable == 0 && i % 256 == 255) {
      db->GetIntProperty(rocksdb::DB::Properties::kNumEntriesActiveMemTable, &entries);
      if (entries < last_entries) f.per_memtable = (i + 1) - entries / 2;
      last_entries = entries;
    }
  }
  double total = 0;
  for (uint64_t d : ns) total += static_cast<double>(d);
  f.mean_ns = total / static_cast<double>(std::max<size_t>(ns.size(), 1));
  f.hot_mean_ns = hot_n ? hot_total / static_cast<double>(hot_n) : 0;
  std::sort(ns.begin(), ns.end());
  f.p50 = Percentile(ns, 0.5);
  f.p99 = Percentile(ns, 0.99);
  f.p999 = Percentile(ns, 0.999);
  db.reset();
  std::filesystem::remove_all(dir);
  return f;
}

// Parses the command line into the arguments; false (with a message) on anything invalid.
struct Args {
  size_t checks = 1000000;
  uint64_t subjects = 1000000;
  double hot_share = 0.1;
  std::string dir = "/tmp/xinyong-subject-log-memtable-bench";
  std::vector<Config> configs = {
      {0, 0},
      {64, 4},
      {xinyong::storage::kSubjectLogBytesPerBucket, xinyong::storage::kSubjectLogSkipListHeight},
  };
};

bool ParseConfigs(const std::string& list, std::vector<Config>* out) {
  out->clear();
  const std::string items = list + ",";
  for (size_t at = 0, comma; (comma = items.find(',', at)) != std::string::npos; at = comma + 1) {
    const std::string item = items.substr(at, comma - at);
    const size_t colon = item.find(':');
    if (colon == std::string::npos) return false;
    Config c{std::stoull(item.substr(0, colon)),
             static_cast<int32_t>(std::stol(item.substr(colon + 1)))};
    // RocksDB's skip list takes 1 to 32 levels; a skip list (0:0) has neither.
    if (c.bytes_per_bucket > 0 ? (c.height < 1 || c.height > 32) : c.height != 0) return false;
    out->push_back(c);
  }
  return !out->empty();
}

bool Parse(int argc, char** argv, Args* args) {
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (a.starts_with("--checks=")) {
        args->checks = std::stoull(a.substr(9));
      } else if (a.starts_with("--subjects=")) {
        args->subjects = std::max<uint64_t>(std::stoull(a.substr(11)), 2);
      } else if (a.starts_with("--hot-share=")) {
        args->hot_share = std::stod(a.substr(12));
        if (!(args->hot_share >= 0 && args->hot_share <= 1)) return false;
      } else if (a.starts_with("--dir=")) {
        args->dir = a.substr(6);
      } else if (a.starts_with("--configs=")) {
        if (!ParseConfigs(a.substr(10), &args->configs)) return false;
      } else {
        return false;
      }
    }
  } catch (const std::exception&) {  // a number that is not one
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!Parse(argc, argv, &args)) {
    std::fprintf(stderr,
                 "usage: %s [--checks=N] [--subjects=N] [--hot-share=0..1] [--dir=D] "
                 "[--configs=BYTES_PER_BUCKET:HEIGHT,...]  (0:0 the skip list, HEIGHT 1-32)\n",
                 argv[0]);
    return 2;
  }
  std::error_code ec;
  std::filesystem::create_directories(args.dir, ec);
  if (ec) {
    std::fprintf(stderr, "cannot create %s: %s\n", args.dir.c_str(), ec.message().c_str());
    return 1;
  }
  const std::string db_dir = args.dir + "/db";
  const uint64_t hot = args.subjects / 2 + 1;
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<uint64_t> any(1, args.subjects);
  std::bernoulli_distribution is_hot(args.hot_share);
  std::vector<uint64_t> uniform(args.checks), hot_mix(args.checks);
  for (size_t i = 0; i < args.checks; ++i) {
    uniform[i] = any(rng);
    hot_mix[i] = is_hot(rng) ? hot : any(rng);
  }
  char hot_name[64];
  std::snprintf(hot_name, sizeof hot_name, "hot_%g", args.hot_share);
  struct Workload {
    std::string name;
    const std::vector<uint64_t>* subjects;
    uint64_t hot;  // 0: none (subject ids start at 1)
  };
  const Workload workloads[] = {{"uniform", &uniform, 0}, {hot_name, &hot_mix, hot}};
  // Alternated, so that a drift of the machine's speed does not favour one configuration.
  for (int round = 0; round < 2; ++round) {
    for (const Workload& w : workloads) {
      for (const Config& c : args.configs) {
        const Figures f = Run(c, db_dir, *w.subjects, w.hot);
        std::printf(
            "subject_log_memtable memtable=%s workload=%s round=%d checks=%zu ns_per_write=%.0f "
            "p50_ns=%lu p99_ns=%lu p999_ns=%lu hot_ns_per_write=%.0f checks_per_memtable=%zu\n",
            c.Name().c_str(), w.name.c_str(), round + 1, w.subjects->size(), f.mean_ns,
            static_cast<unsigned long>(f.p50), static_cast<unsigned long>(f.p99),
            static_cast<unsigned long>(f.p999), f.hot_mean_ns, f.per_memtable);
        std::fflush(stdout);
      }
    }
  }
  return 0;
}
