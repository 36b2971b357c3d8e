// The anchor of the full-grading benchmark (bench/grade.sh): a plain RocksDB pass over the same
// `records` column family a full recompute reads — every key and value touched, nothing decoded,
// nothing evaluated or written — on the same number of threads, each taking an equal range of
// subject ids as Store::ScanSubjectRecords cuts them. What is left between this and
// `xinyong grade --all` is the cost of grading itself.
// Usage: bench_grade_scan DATA_DIR [--threads=N]   (N default 2)
// Prints: grade_anchor_scan threads=N entries=... bytes=... seconds=...
#include <rocksdb/db.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/coding.h"

namespace {

std::string SubjectKey(uint64_t id) {
  std::string k;
  xinyong::coding::PutFixed64BE(&k, id);
  return k;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DATA_DIR [--threads=N]\n", argv[0]);
    return 2;
  }
  unsigned threads = 2;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a.starts_with("--threads=")) threads = std::max(1, std::stoi(a.substr(10)));
  }
  rocksdb::DBOptions options;
  std::vector<std::string> names;
  auto s = rocksdb::DB::ListColumnFamilies(options, argv[1], &names);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const auto& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::OpenForReadOnly(options, argv[1], cfs, &handles, &raw);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  auto cf = [&](const std::string& name) {
    return handles[std::find(names.begin(), names.end(), name) - names.begin()];
  };
  rocksdb::ColumnFamilyHandle* subjects = cf("subjects");
  rocksdb::ColumnFamilyHandle* records = cf("records");

  std::unique_ptr<rocksdb::Iterator> last(db->NewIterator(rocksdb::ReadOptions(), subjects));
  last->SeekToLast();
  if (!last->Valid()) {
    std::fprintf(stderr, "the store has no subjects\n");
    return 1;
  }
  const unsigned __int128 ids = xinyong::coding::DecodeFixed64BE(last->key().data());
  last.reset();

  const auto start = std::chrono::steady_clock::now();
  std::vector<uint64_t> counts(threads), bytes(threads);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      const std::string lo = SubjectKey(static_cast<uint64_t>(1 + ids * t / threads));
      const std::string hi = SubjectKey(static_cast<uint64_t>(1 + ids * (t + 1) / threads));
      rocksdb::ReadOptions ro;
      ro.total_order_seek = true;
      ro.fill_cache = false;
      ro.readahead_size = 2u << 20;
      rocksdb::Slice upper(hi);
      ro.iterate_upper_bound = &upper;
      std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, records));
      uint64_t n = 0, b = 0;
      for (it->Seek(lo); it->Valid(); it->Next()) {
        ++n;
        b += it->key().size() + it->value().size();
      }
      counts[t] = n;
      bytes[t] = b;
    });
  }
  for (auto& th : pool) th.join();
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  uint64_t n = 0, b = 0;
  for (unsigned t = 0; t < threads; ++t) {
    n += counts[t];
    b += bytes[t];
  }
  std::printf("grade_anchor_scan threads=%u entries=%llu bytes=%llu seconds=%.2f\n", threads,
              static_cast<unsigned long long>(n), static_cast<unsigned long long>(b), secs);
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  return 0;
}
