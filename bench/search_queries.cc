// The fixed data and query set of the search benchmark (bench/search.sh), written once so that
// Xinyong, PostgreSQL and SQLite all get exactly the same names and the same queries.
//
// Usage: bench_search_queries REG_BASIC_CSV OUT_DIR [--per-class N] [--seed S]
//
// Reads `xinyong gen`'s reg_basic.csv (name, USCC and registration status of every
// organization) and writes OUT_DIR/names.tsv and OUT_DIR/queries.tsv (formats in
// search_common.h). Query classes, N queries each, distinct within a class where the data allows:
//
//   cjk2, cjk3, cjk4   fragments of 2, 3, 4 Han characters cut at a random position of a random
//                      name (so frequent fragments such as 郑州 or 有限 come up as often as people
//                      would type them)
//   cjk2_common        the N Han bigrams found in the most names (公司, 有限, 郑州, 科技, ...)
//   cjk2_rare          random Han bigrams found in at most 5 names
//   code               full USCCs of random subjects
//   code8, code12      their first 8 and 12 characters
//   pinyin_initials    initials of a 2-4 character fragment: 郑州宇通 → zzyt
//   pinyin             full pinyin of a 2-3 character fragment: 宇通 → yutong
//
// Pinyin comes from ICU's "Han-Latin; Latin-ASCII" transliteration, one character at a time
// (polyphonic characters get ICU's default reading). The output depends only on the input file,
// N and the seed.
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "gen/rng.h"
#include "ingest/csv_reader.h"
#include "ingest/text_source.h"
#include "search_common.h"

namespace {

using xinyong::bench::EscapeCopyText;
using xinyong::bench::NameRow;
using xinyong::gen::Rng;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "bench_search_queries: %s\n", message.c_str());
  std::exit(1);
}

std::vector<NameRow> ReadRegBasic(const std::string& path) {
  auto src = xinyong::ingest::TextSource::OpenFile(path);
  if (!src.ok()) Die(src.status().ToString());
  xinyong::ingest::CsvReader reader(std::move(src).value());
  xinyong::ingest::CsvRow row;
  int name_col = -1, code_col = -1, status_col = -1;
  std::vector<NameRow> rows;
  std::unordered_map<std::string, size_t> row_of_code;
  size_t skipped = 0, repeated = 0;
  while (true) {
    auto more = reader.ReadRow(&row);
    if (!more.ok()) Die(more.status().ToString());
    if (!*more) break;
    if (row.number == 0) {
      for (size_t i = 0; i < row.cells.size(); ++i) {
        if (row.cells[i] == "DJ_QYMC") name_col = static_cast<int>(i);
        if (row.cells[i] == "DJ_TYSHXYDM") code_col = static_cast<int>(i);
        if (row.cells[i] == "DJ_DJZT") status_col = static_cast<int>(i);
      }
      if (name_col < 0 || code_col < 0 || status_col < 0) {
        Die(path + ": the header lacks DJ_QYMC, DJ_TYSHXYDM or DJ_DJZT");
      }
      continue;
    }
    const size_t needed = static_cast<size_t>(std::max({name_col, code_col, status_col}));
    if (!row.error.empty() || row.cells.size() <= needed || row.cells[name_col].empty() ||
        row.cells[code_col].empty()) {
      ++skipped;  // what the ingester would reject; none with --bad-share 0
      continue;
    }
    NameRow r{std::string(row.cells[code_col]), std::string(row.cells[name_col]),
              std::string(row.cells[status_col])};
    // A repeated code is a correction of the registration: the later row replaces the earlier
    // one, as in the store.
    auto [it, fresh] = row_of_code.emplace(r.code, rows.size());
    if (fresh) {
      rows.push_back(std::move(r));
    } else {
      rows[it->second] = std::move(r);
      ++repeated;
    }
  }
  if (skipped + repeated > 0) {
    std::fprintf(stderr, "bench_search_queries: %zu malformed rows skipped, %zu corrections\n",
                 skipped, repeated);
  }
  return rows;
}

std::u32string Decode(const std::string& s) {
  std::u32string out;
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(s.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(s.data(), i, n, c);
    if (c >= 0) out.push_back(static_cast<char32_t>(c));
  }
  return out;
}

std::string Encode(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) {
    char buf[4];
    int32_t len = 0;
    UBool error = false;
    U8_APPEND(buf, len, 4, static_cast<UChar32>(c), error);
    if (!error) out.append(buf, static_cast<size_t>(len));
  }
  return out;
}

bool IsHan(char32_t c) {
  UErrorCode err = U_ZERO_ERROR;
  return uscript_getScript(static_cast<UChar32>(c), &err) == USCRIPT_HAN && U_SUCCESS(err);
}

// Pinyin of one Han character without tones ("" when ICU has none), cached.
class Pinyin {
 public:
  Pinyin() {
    UErrorCode err = U_ZERO_ERROR;
    t_.reset(icu::Transliterator::createInstance("Han-Latin; Latin-ASCII", UTRANS_FORWARD, err));
    if (U_FAILURE(err) || !t_) Die(std::string("ICU Han-Latin: ") + u_errorName(err));
  }
  const std::string& Of(char32_t c) {
    auto it = cache_.find(c);
    if (it != cache_.end()) return it->second;
    icu::UnicodeString u(static_cast<UChar32>(c));
    t_->transliterate(u);
    std::string utf8, letters;
    u.toUTF8String(utf8);
    for (char ch : utf8) {
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
      if (ch >= 'a' && ch <= 'z') letters += ch;
    }
    return cache_.emplace(c, std::move(letters)).first->second;
  }

 private:
  std::unique_ptr<icu::Transliterator> t_;
  std::unordered_map<char32_t, std::string> cache_;
};

class QuerySet {
 public:
  QuerySet(const std::vector<NameRow>& rows, uint64_t seed) : rows_(rows), rng_(seed) {
    names_.reserve(rows.size());
    for (const auto& r : rows) names_.push_back(Decode(r.name));
  }

  // A run of `len` Han characters at a random position of a random name.
  std::u32string Fragment(size_t len) {
    for (int attempt = 0; attempt < 100000; ++attempt) {
      const std::u32string& name = names_[rng_.Below(names_.size())];
      std::vector<size_t> starts;
      for (size_t p = 0; p + len <= name.size(); ++p) {
        bool han = true;
        for (size_t k = 0; k < len && han; ++k) han = IsHan(name[p + k]);
        if (han) starts.push_back(p);
      }
      if (!starts.empty()) return name.substr(starts[rng_.Below(starts.size())], len);
    }
    Die("no name has " + std::to_string(len) + " Han characters in a row");
  }

  // Adds `n` queries of a class drawn by `draw` (which returns "" to reject a draw); a draw
  // already in the class is redrawn up to 50 times, then accepted (few distinct code prefixes).
  template <typename Draw>
  void Add(const std::string& cls, size_t n, Draw&& draw) {
    std::set<std::string> seen;
    for (size_t i = 0; i < n; ++i) {
      std::string q;
      for (int attempt = 0; attempt < 50; ++attempt) {
        do q = draw();
        while (q.empty());
        if (!seen.contains(q)) break;
      }
      seen.insert(q);
      out_.emplace_back(cls, q);
    }
  }

  // Han bigrams with the number of names containing each, sorted by bigram.
  std::vector<std::pair<uint64_t, uint32_t>> BigramCounts() const {
    std::unordered_map<uint64_t, uint32_t> df;
    std::vector<uint64_t> in_name;
    for (const auto& name : names_) {
      in_name.clear();
      for (size_t p = 0; p + 2 <= name.size(); ++p) {
        if (IsHan(name[p]) && IsHan(name[p + 1])) {
          in_name.push_back(static_cast<uint64_t>(name[p]) << 32 | name[p + 1]);
        }
      }
      std::sort(in_name.begin(), in_name.end());
      in_name.erase(std::unique(in_name.begin(), in_name.end()), in_name.end());
      for (uint64_t b : in_name) ++df[b];
    }
    std::vector<std::pair<uint64_t, uint32_t>> sorted(df.begin(), df.end());
    std::sort(sorted.begin(), sorted.end());
    return sorted;
  }

  static std::string BigramText(uint64_t b) {
    const char32_t cs[2] = {static_cast<char32_t>(b >> 32), static_cast<char32_t>(b & 0xFFFFFFFF)};
    return Encode(std::u32string_view(cs, 2));
  }

  const NameRow& RandomRow() { return rows_[rng_.Below(rows_.size())]; }
  Rng& rng() { return rng_; }
  const std::vector<std::pair<std::string, std::string>>& queries() const { return out_; }

 private:
  const std::vector<NameRow>& rows_;
  std::vector<std::u32string> names_;
  Rng rng_;
  std::vector<std::pair<std::string, std::string>> out_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s REG_BASIC_CSV OUT_DIR [--per-class N] [--seed S]\n", argv[0]);
    return 2;
  }
  size_t per_class = 200;
  uint64_t seed = 42;
  for (int i = 3; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--per-class")
      per_class = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--seed")
      seed = std::strtoull(argv[i + 1], nullptr, 10);
    else
      Die("unknown option " + a);
  }
  const std::vector<NameRow> rows = ReadRegBasic(argv[1]);
  if (rows.empty()) Die(std::string(argv[1]) + " has no usable rows");
  const std::filesystem::path out_dir(argv[2]);
  std::filesystem::create_directories(out_dir);
  {
    std::ofstream names(out_dir / "names.tsv", std::ios::binary);
    for (const auto& r : rows) {
      names << EscapeCopyText(r.code) << '\t' << EscapeCopyText(r.name) << '\t'
            << EscapeCopyText(r.status) << '\n';
    }
    if (!names.flush()) Die("cannot write " + (out_dir / "names.tsv").string());
  }

  QuerySet set(rows, seed);
  for (size_t len : {2, 3, 4}) {
    set.Add("cjk" + std::to_string(len), per_class, [&] { return Encode(set.Fragment(len)); });
  }
  {
    auto df = set.BigramCounts();
    auto by_count = df;
    std::stable_sort(by_count.begin(), by_count.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    by_count.resize(std::min(by_count.size(), per_class));
    set.Add("cjk2_common", by_count.size(),
            [&, i = size_t{0}]() mutable { return QuerySet::BigramText(by_count[i++].first); });
    std::vector<uint64_t> rare;
    for (const auto& [b, n] : df) {
      if (n <= 5) rare.push_back(b);
    }
    if (!rare.empty()) {
      set.Add("cjk2_rare", per_class,
              [&] { return QuerySet::BigramText(rare[set.rng().Below(rare.size())]); });
    }
  }
  set.Add("code", per_class, [&] { return set.RandomRow().code; });
  set.Add("code8", per_class, [&] { return set.RandomRow().code.substr(0, 8); });
  set.Add("code12", per_class, [&] { return set.RandomRow().code.substr(0, 12); });
  Pinyin pinyin;
  set.Add("pinyin_initials", per_class, [&] {
    std::string q;
    for (char32_t c : set.Fragment(2 + set.rng().Below(3))) {
      const std::string& p = pinyin.Of(c);
      if (p.empty()) return std::string();
      q += p[0];
    }
    return q;
  });
  set.Add("pinyin", per_class, [&] {
    std::string q;
    for (char32_t c : set.Fragment(2 + set.rng().Below(2))) {
      const std::string& p = pinyin.Of(c);
      if (p.empty()) return std::string();
      q += p;
    }
    return q;
  });

  std::ofstream queries(out_dir / "queries.tsv", std::ios::binary);
  std::map<std::string, size_t> per;
  for (const auto& [cls, q] : set.queries()) {
    queries << cls << '\t' << q << '\n';
    ++per[cls];
  }
  if (!queries.flush()) Die("cannot write " + (out_dir / "queries.tsv").string());
  std::fprintf(stderr, "bench_search_queries: %zu names, %zu queries in %zu classes\n", rows.size(),
               set.queries().size(), per.size());
  return 0;
}
