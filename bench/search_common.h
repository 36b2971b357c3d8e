// What the search benchmarks (bench/search.sh) share: the two files every system reads and the
// way latencies are summarized, so that Xinyong, PostgreSQL and SQLite are measured on exactly
// the same data and queries and reported the same way.
//
//   names.tsv    one subject per line: code <TAB> name <TAB> status, in PostgreSQL's COPY text
//                format (backslash, tab and newline escaped as \\, \t and \n)
//   queries.tsv  one query per line: class <TAB> query, written by bench_search_queries
//
// Header-only; plain functions, no state.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace xinyong::bench {

struct NameRow {
  std::string code, name, status;
};

struct Query {
  std::string cls;  // "cjk2", "code8", "pinyin", ... (see bench_search_queries)
  std::string text;
};

// Classes PostgreSQL and SQLite cannot answer at all (they have no pinyin).
inline bool IsPinyinClass(std::string_view cls) { return cls.starts_with("pinyin"); }
// Classes answered from the code column rather than the name.
inline bool IsCodeClass(std::string_view cls) { return cls.starts_with("code"); }

inline std::string EscapeCopyText(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  return out;
}

inline std::string UnescapeCopyText(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    out += c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c;
  }
  return out;
}

inline std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> cells;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    cells.push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
    if (tab == std::string_view::npos) return cells;
    start = tab + 1;
  }
}

// Exits with a message when the file cannot be read or a line is malformed: a benchmark on
// partial input would print plausible but wrong figures.
inline std::vector<NameRow> ReadNames(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::exit(1);
  }
  std::vector<NameRow> rows;
  std::string line;
  while (std::getline(in, line)) {
    auto cells = SplitTabs(line);
    if (cells.size() != 3) {
      std::fprintf(stderr, "%s:%zu: expected code, name and status\n", path.c_str(),
                   rows.size() + 1);
      std::exit(1);
    }
    rows.push_back(
        {UnescapeCopyText(cells[0]), UnescapeCopyText(cells[1]), UnescapeCopyText(cells[2])});
  }
  return rows;
}

inline std::vector<Query> ReadQueries(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::exit(1);
  }
  std::vector<Query> queries;
  std::string line;
  while (std::getline(in, line)) {
    auto cells = SplitTabs(line);
    if (cells.size() != 2 || cells[1].empty()) {
      std::fprintf(stderr, "%s:%zu: expected class and query\n", path.c_str(), queries.size() + 1);
      std::exit(1);
    }
    queries.push_back({std::string(cells[0]), std::string(cells[1])});
  }
  return queries;
}

// Latencies of one class, in microseconds.
struct ClassTimes {
  std::vector<double> us;
  uint64_t hits = 0;  // rows returned, summed over the timed queries
  double Percentile(double p) {
    std::sort(us.begin(), us.end());
    if (us.empty()) return 0;
    return us[std::min(us.size() - 1, static_cast<size_t>(p * static_cast<double>(us.size())))];
  }
};

// Runs `one(query)` (which returns the number of rows it got) for the first `warmup` queries of
// each class as a warm-up, then `passes` timed times for every query, and prints one line per
// class in the order classes first appear:
// `search system=S class=C queries=N samples=M p50_us=.. p99_us=.. avg_hits=..`.
// Queries for which `skip(query)` is true are not run.
template <typename One, typename Skip>
void TimeQueries(const char* system, const std::vector<Query>& queries, size_t warmup, int passes,
                 One&& one, Skip&& skip) {
  std::vector<std::string> order;
  std::map<std::string, ClassTimes> times;
  std::map<std::string, size_t> counts;
  for (const Query& q : queries) {
    if (skip(q)) continue;
    if (!times.contains(q.cls)) order.push_back(q.cls);
    times[q.cls];
    if (counts[q.cls]++ < warmup) one(q);
  }
  for (int pass = 0; pass < passes; ++pass) {
    for (const Query& q : queries) {
      if (skip(q)) continue;
      auto t0 = std::chrono::steady_clock::now();
      size_t rows = one(q);
      double us =
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
      ClassTimes& t = times[q.cls];
      t.us.push_back(us);
      t.hits += rows;
    }
  }
  for (const auto& cls : order) {
    ClassTimes& t = times[cls];
    std::printf(
        "search system=%s class=%s queries=%zu samples=%zu p50_us=%.1f p99_us=%.1f "
        "avg_hits=%.1f\n",
        system, cls.c_str(), counts[cls], t.us.size(), t.Percentile(0.50), t.Percentile(0.99),
        t.us.empty() ? 0.0 : static_cast<double>(t.hits) / static_cast<double>(t.us.size()));
  }
  std::fflush(stdout);
}

// q for use inside a LIKE pattern with ESCAPE '\\': the escape character and wildcards escaped.
inline std::string LikeEscape(std::string_view q) {
  std::string out;
  for (char c : q) {
    if (c == '\\' || c == '%' || c == '_') out += '\\';
    out += c;
  }
  return out;
}

// The options both anchors take after their three positional arguments.
struct AnchorOptions {
  int passes = 1;
  size_t warmup = 10;
  std::string results_path;
  bool explain = false;
};

// Parses `argv[4..]`; prints the usage (`first_arg` names the first positional argument) and
// returns false on a missing argument or an unknown option.
inline bool ParseAnchorOptions(int argc, char** argv, const char* first_arg, AnchorOptions* o) {
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: %s %s NAMES_TSV QUERIES_TSV [--passes N] [--warmup K] "
                 "[--results FILE] [--explain]\n",
                 argv[0], first_arg);
    return false;
  }
  for (int i = 4; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--passes" && i + 1 < argc) {
      o->passes = std::atoi(argv[++i]);
    } else if (a == "--warmup" && i + 1 < argc) {
      o->warmup = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--results" && i + 1 < argc) {
      o->results_path = argv[++i];
    } else if (a == "--explain") {
      o->explain = true;
    } else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return false;
    }
  }
  return true;
}

// Writes "class<TAB>query<TAB>result" for every query not skipped (the anchors' --results file).
template <typename Skip>
void WriteResults(const std::string& path, const std::vector<Query>& queries,
                  const std::vector<std::string>& results, Skip&& skip) {
  if (path.empty()) return;
  std::ofstream out(path, std::ios::binary);
  for (size_t i = 0; i < queries.size(); ++i) {
    if (skip(queries[i])) continue;
    out << queries[i].cls << '\t' << queries[i].text << '\t' << results[i] << '\n';
  }
}

inline double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace xinyong::bench
