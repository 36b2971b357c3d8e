// The Xinyong side of the search benchmark: builds the name index from a store that the real
// ingestion produced and asks it the queries of queries.tsv, in process, as the API handler does.
//
// Usage: bench_search STORE_DIR QUERIES_TSV [--passes N] [--warmup K] [--recall N]
//                     [--results FILE]
//
// Prints
//   search_index system=xinyong ... index_bytes=.. build_s=..   (NameIndex::Stats: memory of the
//       index itself; rss_delta_bytes is what the process grew by during the build, as a check)
//   search system=xinyong class=C queries=N samples=M p50_us=.. p99_us=.. avg_hits=..
// for Search(q, {.limit = 20}) of every query, pinyin included. Timing: the first K (default: all)
// queries of each class once, then every query N (default 5) times.
//
// --recall N compares, for the first N queries of each name class (cjk*), the matching subjects
// with a brute-force substring scan over every name the store holds (current and former, natural
// persons excluded), both sides normalized by the index's own Normalizer — so what is checked is
// that the posting lists find every match, not the normalization. `total` must equal the number
// of matching subjects when the index says it is exact, and must not exceed it otherwise; when
// there are at most 4,000 matches (pages reach search::kMaxResultDepth, 5,000 hits, no deeper),
// the subjects of all pages (1,000 hits each, read until one is short) must equal the brute-force set, each listed once. Full codes must find their subject
// first. One line per class:
//   search_recall class=C checked=N mismatches=M
// and every mismatch on stderr.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "search/name_index.h"
#include "search/normalizer.h"
#include "search_common.h"
#include "storage/rocksdb/rocksdb_store.h"

namespace {

using xinyong::bench::Query;
using xinyong::search::NameIndex;
using xinyong::search::SearchOptions;

SearchOptions Page(size_t offset, size_t limit) {
  SearchOptions o;
  o.offset = offset;
  o.limit = limit;
  return o;
}

uint64_t RssBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

// Every name the index should find, normalized, with its subject.
struct NameDoc {
  uint64_t subject_id;
  std::string normalized;
};

std::vector<NameDoc> AllNames(const xinyong::storage::Store& store,
                              const xinyong::search::Normalizer& normalizer) {
  std::vector<NameDoc> docs;
  auto s = store.ScanSubjects([&](const xinyong::Subject& subject) {
    if (subject.type == xinyong::SubjectType::kNaturalPerson) return xinyong::Status::Ok();
    docs.push_back({subject.id, normalizer.Normalize(subject.name)});
    for (const auto& former : subject.former_names) {
      docs.push_back({subject.id, normalizer.Normalize(former)});
    }
    return xinyong::Status::Ok();
  });
  if (!s.ok()) {
    std::fprintf(stderr, "scan: %s\n", s.ToString().c_str());
    std::exit(1);
  }
  return docs;
}

// Queries with more matches than this are checked by their total only.
constexpr size_t kPage = 1000;
constexpr size_t kPagedCheckLimit = xinyong::search::kMaxResultDepth - kPage;

// The recall check; returns the number of mismatches of one query (0 or 1) and explains them.
int CheckQuery(const NameIndex& index, const Query& q, const std::vector<NameDoc>& docs) {
  auto first = index.Search(q.text, Page(0, 20));
  if (!first.ok()) {
    std::fprintf(stderr, "recall %s '%s': %s\n", q.cls.c_str(), q.text.c_str(),
                 first.status().ToString().c_str());
    return 1;
  }
  if (q.cls == "code") {
    if (first->hits.empty() || first->hits[0].code != q.text) {
      std::fprintf(stderr, "recall code '%s': not the first hit\n", q.text.c_str());
      return 1;
    }
    return 0;
  }
  std::set<uint64_t> expected;
  const std::string& nq = first->normalized_query;
  for (const auto& d : docs) {
    if (d.normalized.find(nq) != std::string::npos) expected.insert(d.subject_id);
  }
  // An exact total must be the brute-force count; an inexact one (a very common fragment, whose
  // counting stops early) a lower bound of it.
  if (first->total_exact ? first->total != expected.size() : first->total > expected.size()) {
    std::fprintf(stderr, "recall %s '%s': total %llu (%s), brute force %zu\n", q.cls.c_str(),
                 q.text.c_str(), static_cast<unsigned long long>(first->total),
                 first->total_exact ? "exact" : "lower bound", expected.size());
    return 1;
  }
  if (expected.size() > kPagedCheckLimit) return 0;
  // Every match can be paged to, once: read pages until one comes back short.
  std::set<uint64_t> found;
  size_t listed = 0;
  for (size_t offset = 0;; offset += kPage) {
    auto page = index.Search(q.text, Page(offset, kPage));
    if (!page.ok()) {
      std::fprintf(stderr, "recall %s '%s' at %zu: %s\n", q.cls.c_str(), q.text.c_str(), offset,
                   page.status().ToString().c_str());
      return 1;
    }
    for (const auto& h : page->hits) found.insert(h.subject_id);
    listed += page->hits.size();
    if (page->hits.size() < kPage || listed > expected.size()) break;
  }
  if (found != expected || listed != expected.size()) {
    std::vector<uint64_t> missing, extra;
    std::set_difference(expected.begin(), expected.end(), found.begin(), found.end(),
                        std::back_inserter(missing));
    std::set_difference(found.begin(), found.end(), expected.begin(), expected.end(),
                        std::back_inserter(extra));
    std::fprintf(stderr,
                 "recall %s '%s': pages listed %zu hits, %zu distinct; %zu missing (first id "
                 "%llu), %zu unexpected (first id %llu)\n",
                 q.cls.c_str(), q.text.c_str(), listed, found.size(), missing.size(),
                 static_cast<unsigned long long>(missing.empty() ? 0 : missing[0]), extra.size(),
                 static_cast<unsigned long long>(extra.empty() ? 0 : extra[0]));
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: %s STORE_DIR QUERIES_TSV [--passes N] [--warmup K] [--recall N] "
                 "[--results FILE]\n",
                 argv[0]);
    return 2;
  }
  int passes = 5;
  size_t warmup = SIZE_MAX, recall = 0;
  std::string results_path;
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--passes" && i + 1 < argc)
      passes = std::atoi(argv[++i]);
    else if (a == "--warmup" && i + 1 < argc)
      warmup = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--recall" && i + 1 < argc)
      recall = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--results" && i + 1 < argc)
      results_path = argv[++i];
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  const std::vector<Query> queries = xinyong::bench::ReadQueries(argv[2]);
  xinyong::storage::RocksDbOptions o;
  o.read_only = true;
  o.create_if_missing = false;
  auto store = xinyong::storage::RocksDbStore::Open(argv[1], o);
  if (!store.ok()) {
    std::fprintf(stderr, "%s: %s\n", argv[1], store.status().ToString().c_str());
    return 1;
  }

  const uint64_t rss_before = RssBytes();
  auto t0 = std::chrono::steady_clock::now();
  auto built = NameIndex::Build(**store);
  const double build_s = xinyong::bench::SecondsSince(t0);
  if (!built.ok()) {
    std::fprintf(stderr, "build: %s\n", built.status().ToString().c_str());
    return 1;
  }
  const uint64_t rss_after = RssBytes();
  const NameIndex& index = **built;
  const auto stats = index.Stats();
  std::printf(
      "search_index system=xinyong kind=ngram_memory names=%llu subjects=%llu "
      "index_bytes=%llu build_s=%.2f grams=%llu postings=%llu rss_delta_bytes=%lld\n",
      static_cast<unsigned long long>(stats.documents),
      static_cast<unsigned long long>(stats.subjects),
      static_cast<unsigned long long>(stats.memory_bytes), build_s,
      static_cast<unsigned long long>(stats.grams), static_cast<unsigned long long>(stats.postings),
      static_cast<long long>(rss_after) - static_cast<long long>(rss_before));
  std::fflush(stdout);

  std::vector<std::string> results(queries.size());
  std::vector<bool> captured(queries.size(), false);
  auto run = [&](const Query& q) -> size_t {
    auto r = index.Search(q.text, Page(0, 20));
    if (!r.ok()) {
      std::fprintf(stderr, "%s '%s': %s\n", q.cls.c_str(), q.text.c_str(),
                   r.status().ToString().c_str());
      std::exit(1);
    }
    const size_t i = static_cast<size_t>(&q - queries.data());
    if (!captured[i]) {
      captured[i] = true;
      for (size_t k = 0; k < r->hits.size(); ++k) {
        if (k > 0) results[i] += ',';
        results[i] += r->hits[k].code;
      }
    }
    return r->hits.size();
  };
  xinyong::bench::TimeQueries("xinyong", queries, warmup, passes, run,
                              [](const Query&) { return false; });
  if (!results_path.empty()) {
    std::ofstream out(results_path, std::ios::binary);
    for (size_t i = 0; i < queries.size(); ++i) {
      out << queries[i].cls << '\t' << queries[i].text << '\t' << results[i] << '\n';
    }
  }

  if (recall > 0) {
    auto normalizer = xinyong::search::Normalizer::Create();
    if (!normalizer.ok()) {
      std::fprintf(stderr, "normalizer: %s\n", normalizer.status().ToString().c_str());
      return 1;
    }
    const std::vector<NameDoc> docs = AllNames(**store, **normalizer);
    std::vector<std::string> order;
    std::map<std::string, std::pair<size_t, size_t>> checked;  // class → (checked, mismatches)
    for (const Query& q : queries) {
      if (!q.cls.starts_with("cjk") && q.cls != "code") continue;
      auto [it, fresh] = checked.try_emplace(q.cls, 0, 0);
      if (fresh) order.push_back(q.cls);
      if (it->second.first >= recall) continue;
      ++it->second.first;
      it->second.second += static_cast<size_t>(CheckQuery(index, q, docs));
    }
    for (const auto& cls : order) {
      std::printf("search_recall class=%s checked=%zu mismatches=%zu names=%zu\n", cls.c_str(),
                  checked[cls].first, checked[cls].second, docs.size());
    }
  }
  return 0;
}
