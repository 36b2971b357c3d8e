// The anchor for subject_records_bench: the same question — every record of one subject — asked
// of PostgreSQL 15 over loopback with a prepared statement, on the tables bench/run.sh loaded with
// COPY (an index on the subject code column c3).
// Usage: bench_pg_subject_records CONNINFO [SAMPLES]
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

PGresult* Exec(PGconn* c, const char* sql) {
  PGresult* r = PQexec(c, sql);
  if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
    std::fprintf(stderr, "%s: %s\n", sql, PQerrorMessage(c));
    std::exit(1);
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CONNINFO [SAMPLES]\n", argv[0]);
    return 2;
  }
  size_t samples = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100000;
  PGconn* c = PQconnectdb(argv[1]);
  if (PQstatus(c) != CONNECTION_OK) {
    std::fprintf(stderr, "%s", PQerrorMessage(c));
    return 1;
  }
  PGresult* codes = Exec(c,
                         "SELECT DISTINCT c3 FROM (SELECT c3 FROM admin_penalty UNION ALL "
                         "SELECT c3 FROM admin_licence) t WHERE c3 <> ''");
  std::vector<std::string> subjects;
  for (int i = 0; i < PQntuples(codes); ++i) subjects.emplace_back(PQgetvalue(codes, i, 0));
  PQclear(codes);
  PQclear(Exec(c,
               "PREPARE subject_records(text) AS SELECT row_to_json(l)::text FROM admin_licence l "
               "WHERE c3 = $1 UNION ALL SELECT row_to_json(p)::text FROM admin_penalty p "
               "WHERE c3 = $1"));
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<size_t> pick(0, subjects.size() - 1);
  auto run = [&](const std::string& code, size_t* rows) {
    const char* params[] = {code.c_str()};
    PGresult* r = PQexecPrepared(c, "subject_records", 1, params, nullptr, nullptr, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      std::fprintf(stderr, "%s", PQerrorMessage(c));
      std::exit(1);
    }
    *rows += static_cast<size_t>(PQntuples(r));
    PQclear(r);
  };
  size_t rows = 0;
  for (size_t i = 0; i < samples; ++i) run(subjects[pick(rng)], &rows);  // warm-up
  rows = 0;
  std::vector<double> us(samples);
  for (size_t i = 0; i < samples; ++i) {
    const std::string& code = subjects[pick(rng)];
    auto t0 = std::chrono::steady_clock::now();
    run(code, &rows);
    us[i] = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
  }
  std::sort(us.begin(), us.end());
  auto pct = [&](double p) { return us[std::min(us.size() - 1, static_cast<size_t>(p * us.size()))]; };
  std::printf("pg_subject_records subjects=%zu samples=%zu avg_records=%.1f p50_us=%.1f p99_us=%.1f "
              "p999_us=%.1f max_us=%.1f\n",
              subjects.size(), samples, static_cast<double>(rows) / static_cast<double>(samples),
              pct(0.50), pct(0.99), pct(0.999), us.back());
  PQfinish(c);
  return 0;
}
