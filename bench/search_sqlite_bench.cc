// The SQLite anchor of the search benchmark: the names of names.tsv in a table with an FTS5
// trigram index, asked the queries of queries.tsv in process, the way an embedded application
// does name search today.
//
// Usage: bench_search_sqlite DB_FILE NAMES_TSV QUERIES_TSV [--passes N] [--warmup K]
//                            [--results FILE] [--explain]
//
// Creates DB_FILE afresh: `subjects(code TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT)`
// and an external-content FTS5 table over its names, `fts5(name, content='subjects',
// tokenize='trigram case_sensitive 1')` (case-sensitive like PostgreSQL's LIKE), filled with
// 'rebuild' and merged with 'optimize'. Prints
//   search_index system=sqlite ... index_bytes=.. build_s=..   (the FTS5 shadow tables, without
//                                                               the names they point to)
//   search system=sqlite class=C queries=N samples=M p50_us=.. p99_us=.. avg_hits=..
// A name query of 3 or more characters is an FTS5 phrase (a substring query for the trigram
// tokenizer); the matching rows are ranked by starts-with, length and code, top 20. A
// 2-character query cannot be answered by a trigram index, so it is `name LIKE '%q%'` over the
// table, ranked the same way. Codes: `code = ?` and, for a prefix p, the primary-key range
// p <= code < p || x'7f' (codes are ASCII), ordered by code. Pinyin classes are skipped: SQLite
// has no pinyin. The page cache is 256 MiB, so the index stays in memory as Xinyong's does.
// Timing: the first K (default 10) queries of each class once, then every query N (default 1)
// times. --results writes each query's result codes (class, query, codes).
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "search_common.h"

namespace {

using xinyong::bench::LikeEscape;

using xinyong::bench::Query;

sqlite3* db = nullptr;

void Check(int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

void Exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::fprintf(stderr, "%s: %s\n", sql, error);
    std::exit(1);
  }
}

sqlite3_stmt* Prepare(const char* sql) {
  sqlite3_stmt* s = nullptr;
  Check(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr), sql);
  return s;
}

int64_t Int(const char* sql) {
  sqlite3_stmt* s = Prepare(sql);
  Check(sqlite3_step(s), sql);
  int64_t v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

void Bind(sqlite3_stmt* s, int i, const std::string& v) {
  Check(sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT), "bind");
}

size_t Utf8Length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// q as an FTS5 string: in double quotes, inner quotes doubled, so it is one phrase.
std::string FtsString(const std::string& q) {
  std::string out = "\"";
  for (char c : q) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  xinyong::bench::AnchorOptions opt;
  if (!xinyong::bench::ParseAnchorOptions(argc, argv, "DB_FILE", &opt)) return 2;
  const std::vector<Query> queries = xinyong::bench::ReadQueries(argv[3]);
  const std::vector<xinyong::bench::NameRow> names = xinyong::bench::ReadNames(argv[2]);
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
    std::filesystem::remove(std::string(argv[1]) + suffix);
  }
  if (sqlite3_open(argv[1], &db) != SQLITE_OK) {
    std::fprintf(stderr, "%s: %s\n", argv[1], sqlite3_errmsg(db));
    return 1;
  }
  Exec("PRAGMA cache_size = -262144");
  Exec("CREATE TABLE subjects (code TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT)");

  auto t0 = std::chrono::steady_clock::now();
  Exec("BEGIN");
  sqlite3_stmt* insert = Prepare("INSERT INTO subjects (code, name, status) VALUES (?1, ?2, ?3)");
  for (const auto& r : names) {
    Bind(insert, 1, r.code);
    Bind(insert, 2, r.name);
    Bind(insert, 3, r.status);
    Check(sqlite3_step(insert), "insert");
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  Exec("COMMIT");
  const double load_s = xinyong::bench::SecondsSince(t0);

  t0 = std::chrono::steady_clock::now();
  Exec(
      "CREATE VIRTUAL TABLE names_fts USING fts5(name, content='subjects', "
      "content_rowid='rowid', tokenize='trigram case_sensitive 1')");
  Exec("INSERT INTO names_fts (names_fts) VALUES ('rebuild')");
  Exec("INSERT INTO names_fts (names_fts) VALUES ('optimize')");
  const double build_s = xinyong::bench::SecondsSince(t0);

  // Sizes per table and index from the dbstat virtual table (compiled into Debian's SQLite).
  std::map<std::string, int64_t> bytes;
  {
    sqlite3_stmt* s = Prepare("SELECT name, sum(pgsize) FROM dbstat GROUP BY name");
    while (sqlite3_step(s) == SQLITE_ROW) {
      bytes[reinterpret_cast<const char*>(sqlite3_column_text(s, 0))] = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
  }
  int64_t fts_bytes = 0, table_bytes = 0;
  for (const auto& [name, n] : bytes) {
    (name.starts_with("names_fts") ? fts_bytes : table_bytes) += n;
  }
  std::printf(
      "search_index system=sqlite kind=fts5_trigram names=%lld index_bytes=%lld "
      "build_s=%.2f table_bytes=%lld load_s=%.2f version=%s\n",
      static_cast<long long>(Int("SELECT count(*) FROM subjects")),
      static_cast<long long>(fts_bytes), build_s, static_cast<long long>(table_bytes), load_s,
      sqlite3_libversion());
  std::fflush(stdout);

  const char* kFts =
      "SELECT code, name FROM subjects WHERE rowid IN "
      "(SELECT rowid FROM names_fts WHERE names_fts MATCH ?1) "
      "ORDER BY instr(name, ?2) = 1 DESC, length(name), code LIMIT 20";
  const char* kLike =
      "SELECT code, name FROM subjects WHERE name LIKE ?1 ESCAPE '\\' "
      "ORDER BY instr(name, ?2) = 1 DESC, length(name), code LIMIT 20";
  const char* kCode = "SELECT code, name FROM subjects WHERE code = ?1";
  const char* kCodePrefix =
      "SELECT code, name FROM subjects WHERE code >= ?1 AND code < ?2 ORDER BY code LIMIT 20";
  sqlite3_stmt* fts = Prepare(kFts);
  sqlite3_stmt* like = Prepare(kLike);
  sqlite3_stmt* code = Prepare(kCode);
  sqlite3_stmt* code_prefix = Prepare(kCodePrefix);
  if (opt.explain) {
    for (const char* sql : {kFts, kLike, kCode, kCodePrefix}) {
      std::string q = std::string("EXPLAIN QUERY PLAN ") + sql;
      sqlite3_stmt* s = Prepare(q.c_str());
      std::fprintf(stderr, "-- %s\n", sql);
      while (sqlite3_step(s) == SQLITE_ROW) {
        std::fprintf(stderr, "%s\n", reinterpret_cast<const char*>(sqlite3_column_text(s, 3)));
      }
      sqlite3_finalize(s);
    }
  }

  std::vector<std::string> results(queries.size());
  std::vector<bool> captured(queries.size(), false);
  auto run = [&](const Query& q) -> size_t {
    sqlite3_stmt* s = nullptr;
    if (q.cls == "code") {
      s = code;
      Bind(s, 1, q.text);
    } else if (xinyong::bench::IsCodeClass(q.cls)) {
      s = code_prefix;
      Bind(s, 1, q.text);
      Bind(s, 2, q.text + "\x7f");
    } else if (Utf8Length(q.text) >= 3) {
      s = fts;
      Bind(s, 1, FtsString(q.text));
      Bind(s, 2, q.text);
    } else {
      s = like;
      Bind(s, 1, "%" + LikeEscape(q.text) + "%");
      Bind(s, 2, q.text);
    }
    const size_t i = static_cast<size_t>(&q - queries.data());
    size_t rows = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      if (!captured[i]) {
        if (rows > 0) results[i] += ',';
        results[i] += reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
      }
      ++rows;
    }
    Check(rc, q.text.c_str());
    captured[i] = true;
    sqlite3_reset(s);
    return rows;
  };
  auto skip = [](const Query& q) { return xinyong::bench::IsPinyinClass(q.cls); };
  xinyong::bench::TimeQueries("sqlite", queries, opt.warmup, opt.passes, run, skip);

  xinyong::bench::WriteResults(opt.results_path, queries, results, skip);
  for (sqlite3_stmt* s : {fts, like, code, code_prefix}) sqlite3_finalize(s);
  sqlite3_close(db);
  return 0;
}
