// The PostgreSQL anchor of the search benchmark: the names of names.tsv in a table with a pg_trgm
// GIN index, asked the queries of queries.tsv over loopback with prepared statements, the way an
// application on PostgreSQL does name search today.
//
// Usage: bench_search_pg CONNINFO NAMES_TSV QUERIES_TSV [--passes N] [--warmup K]
//                        [--results FILE] [--explain]
//
// Loads `subjects(code text COLLATE "C" primary key, name text, status text)` with COPY
// (replacing an earlier table), builds `gin (name gin_trgm_ops)` and prints:
//   search_index system=pg ... index_bytes=.. build_s=.. (the GIN index alone) and table sizes
//   search system=pg class=C queries=N samples=M p50_us=.. p99_us=.. avg_hits=..
// Name queries: WHERE name LIKE '%q%' ORDER BY (name LIKE 'q%') DESC, length(name), code
// LIMIT 20 (q with \, % and _ escaped). Codes: `code = $1` for a full code, `code LIKE 'p%'`
// ordered by code for a prefix, both on the primary key (C collation, so that LIKE 'p%' is a
// range of the B-tree). Every execution is planned for its actual parameters
// (plan_cache_mode = force_custom_plan): PostgreSQL's best plan for each query, e.g. a sequential
// scan for a 2-character fragment, from which pg_trgm extracts no trigram. Pinyin classes are
// skipped: PostgreSQL has no pinyin. The GIN index is built with maintenance_work_mem = 1GB.
// Timing: the first K (default 10) queries of each class once as a warm-up, then every query
// N (default 1) times. --results writes each query's result codes (class, query, codes).
#include <libpq-fe.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "search_common.h"

namespace {

using xinyong::bench::LikeEscape;

using xinyong::bench::Query;

PGconn* conn = nullptr;

void Exec(const std::string& sql) {
  PGresult* r = PQexec(conn, sql.c_str());
  if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
    std::fprintf(stderr, "%s: %s\n", sql.c_str(), PQerrorMessage(conn));
    std::exit(1);
  }
  PQclear(r);
}

std::string Scalar(const std::string& sql) {
  PGresult* r = PQexec(conn, sql.c_str());
  if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
    std::fprintf(stderr, "%s: %s\n", sql.c_str(), PQerrorMessage(conn));
    std::exit(1);
  }
  std::string v = PQgetvalue(r, 0, 0);
  PQclear(r);
  return v;
}

void Copy(const std::string& path) {
  PGresult* start = PQexec(conn, "COPY subjects (code, name, status) FROM STDIN");
  if (PQresultStatus(start) != PGRES_COPY_IN) {
    std::fprintf(stderr, "COPY: %s\n", PQerrorMessage(conn));
    std::exit(1);
  }
  PQclear(start);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::exit(1);
  }
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0 && PQputCopyData(conn, buf.data(), static_cast<int>(in.gcount())) != 1) {
      std::fprintf(stderr, "COPY: %s\n", PQerrorMessage(conn));
      std::exit(1);
    }
  }
  if (PQputCopyEnd(conn, nullptr) != 1) {
    std::fprintf(stderr, "COPY: %s\n", PQerrorMessage(conn));
    std::exit(1);
  }
  while (PGresult* r = PQgetResult(conn)) {
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      std::fprintf(stderr, "COPY: %s\n", PQerrorMessage(conn));
      std::exit(1);
    }
    PQclear(r);
  }
}

}  // namespace

int main(int argc, char** argv) {
  xinyong::bench::AnchorOptions opt;
  if (!xinyong::bench::ParseAnchorOptions(argc, argv, "CONNINFO", &opt)) return 2;
  const std::vector<Query> queries = xinyong::bench::ReadQueries(argv[3]);
  conn = PQconnectdb(argv[1]);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::fprintf(stderr, "%s", PQerrorMessage(conn));
    return 1;
  }
  Exec("SET client_min_messages = warning");
  Exec("DROP TABLE IF EXISTS subjects");
  Exec("CREATE TABLE subjects (code text COLLATE \"C\" NOT NULL, name text NOT NULL, status text)");
  auto t0 = std::chrono::steady_clock::now();
  Copy(argv[2]);
  Exec("ALTER TABLE subjects ADD PRIMARY KEY (code)");
  const double load_s = xinyong::bench::SecondsSince(t0);
  Exec("CREATE EXTENSION IF NOT EXISTS pg_trgm");
  Exec("SET maintenance_work_mem = '1GB'");
  t0 = std::chrono::steady_clock::now();
  Exec("CREATE INDEX subjects_name_trgm ON subjects USING gin (name gin_trgm_ops)");
  const double build_s = xinyong::bench::SecondsSince(t0);
  Exec("VACUUM ANALYZE subjects");
  std::printf(
      "search_index system=pg kind=pg_trgm_gin names=%s index_bytes=%s build_s=%.2f "
      "table_bytes=%s pkey_bytes=%s load_s=%.2f version=\"%s\"\n",
      Scalar("SELECT count(*) FROM subjects").c_str(),
      Scalar("SELECT pg_relation_size('subjects_name_trgm')").c_str(), build_s,
      Scalar("SELECT pg_table_size('subjects')").c_str(),
      Scalar("SELECT pg_relation_size('subjects_pkey')").c_str(), load_s,
      Scalar("SHOW server_version").c_str());
  std::fflush(stdout);

  Exec("SET plan_cache_mode = force_custom_plan");
  const char* kName =
      "SELECT code, name FROM subjects WHERE name LIKE $1 "
      "ORDER BY (name LIKE $2) DESC, length(name), code LIMIT 20";
  const char* kCode = "SELECT code, name FROM subjects WHERE code = $1";
  const char* kCodePrefix =
      "SELECT code, name FROM subjects WHERE code LIKE $1 ORDER BY code LIMIT 20";
  for (auto [stmt, sql, n] : {std::tuple{"name", kName, 2}, std::tuple{"code", kCode, 1},
                              std::tuple{"code_prefix", kCodePrefix, 1}}) {
    PGresult* r = PQprepare(conn, stmt, sql, n, nullptr);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      std::fprintf(stderr, "%s: %s\n", sql, PQerrorMessage(conn));
      return 1;
    }
    PQclear(r);
  }

  std::vector<std::string> results(queries.size());
  std::vector<bool> captured(queries.size(), false);
  auto run = [&](const Query& q) -> size_t {
    std::string p1, p2;
    const char* stmt = "name";
    int n = 2;
    if (q.cls == "code") {
      stmt = "code";
      p1 = q.text;
      n = 1;
    } else if (xinyong::bench::IsCodeClass(q.cls)) {
      stmt = "code_prefix";
      p1 = LikeEscape(q.text) + "%";
      n = 1;
    } else {
      p1 = "%" + LikeEscape(q.text) + "%";
      p2 = LikeEscape(q.text) + "%";
    }
    const char* params[] = {p1.c_str(), p2.c_str()};
    PGresult* r = PQexecPrepared(conn, stmt, n, params, nullptr, nullptr, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      std::fprintf(stderr, "%s: %s\n", q.text.c_str(), PQerrorMessage(conn));
      std::exit(1);
    }
    const size_t rows = static_cast<size_t>(PQntuples(r));
    const size_t i = static_cast<size_t>(&q - queries.data());
    if (!captured[i]) {
      captured[i] = true;
      for (size_t k = 0; k < rows; ++k) {
        if (k > 0) results[i] += ',';
        results[i] += PQgetvalue(r, static_cast<int>(k), 0);
      }
    }
    PQclear(r);
    return rows;
  };
  auto skip = [](const Query& q) { return xinyong::bench::IsPinyinClass(q.cls); };

  if (opt.explain) {
    // The plan of the first query of each class, on stderr.
    std::string seen;
    for (const Query& q : queries) {
      if (skip(q) || seen.find("|" + q.cls + "|") != std::string::npos) continue;
      seen += "|" + q.cls + "|";
      std::string lit = "'%" + LikeEscape(q.text) + "%'";
      std::string sql = "EXPLAIN (ANALYZE, COSTS OFF) SELECT code, name FROM subjects WHERE " +
                        (xinyong::bench::IsCodeClass(q.cls)
                             ? "code LIKE '" + LikeEscape(q.text) + "%' ORDER BY code LIMIT 20"
                             : "name LIKE " + lit + " ORDER BY (name LIKE '" + LikeEscape(q.text) +
                                   "%') DESC, length(name), code LIMIT 20");
      PGresult* r = PQexec(conn, sql.c_str());
      std::fprintf(stderr, "-- %s %s\n", q.cls.c_str(), q.text.c_str());
      for (int k = 0; k < PQntuples(r); ++k) std::fprintf(stderr, "%s\n", PQgetvalue(r, k, 0));
      PQclear(r);
    }
  }

  xinyong::bench::TimeQueries("pg", queries, opt.warmup, opt.passes, run, skip);
  xinyong::bench::WriteResults(opt.results_path, queries, results, skip);
  PQfinish(conn);
  return 0;
}
