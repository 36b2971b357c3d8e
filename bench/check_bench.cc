// Batch credit checks (issue 4: "batch check of 1 million subjects under 3 s"), in process on an
// existing store, split into their parts, beside the anchor measured in the same run: the same
// checks the way they were done before the trigger index (every record of the subject read from
// the store, the grade computed from them), one after another.
//
// Usage: bench_checks DATA_DIR CODES_FILE --scenario=S [--anchor=N] [--threads=T] [--api]
//                     [--resolve=N]
//                     [--cache-mib=N]  (the store's block cache, as `serve --cache-mib`)
//        bench_checks DATA_DIR CODES_FILE --write-codes   (every subject's code, shuffled)
//   phases printed as `check_phase name=… seconds=… cpu_seconds=…`:
//     index     the trigger index built from the store (one pass over every subject, T threads)
//     codes     the code directory built from the store (n: the codes it holds)
//     evaluate  server::EvaluateChecks over every code (code lookup, facts, grade, measures)
//     log       server::LogChecks: one durable, all-or-none write of every check
//   then `check_batch …` (evaluate and log, or the API requests: the index is built once, when a
//   server starts; checks per second) and, with --anchor=N,
//   `check_anchor …`: N codes checked the old way, their time per check and the projection to
//   the whole file; every anchor outcome is compared with the batch's and a difference is an
//   error (exit 1).
//   --resolve=N: last, N codes resolved to their subjects one at a time (a single check's first
//   step), alternately the way before the code directory (the store's identifier index, then the
//   subject) and through it, three rounds each: `check_resolve way=… us_per_code=…`; a code the
//   two resolve differently is an error (exit 1).
//   --api: instead of the direct calls, POST /api/v1/checks:batch of 10,000 codes at a time
//   through the router (JSON in and out, logging included), one request after another.
// The store is written to (the check log); run it on a copy.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "server/access.h"
#include "server/checks.h"
#include "server/platform.h"
#include "server/router.h"

namespace {

using namespace xinyong;
using Clock = std::chrono::steady_clock;

double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Timer {
  Clock::time_point wall = Clock::now();
  double cpu = ProcessCpuSeconds();
  double Seconds() const { return std::chrono::duration<double>(Clock::now() - wall).count(); }
  double Cpu() const { return ProcessCpuSeconds() - cpu; }
};

// This process's resident memory (VmRSS), KiB; 0 when it cannot be read.
long RssKib() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("VmRSS:")) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

void Phase(const char* name, const Timer& t, size_t n) {
  std::printf("check_phase name=%s n=%zu seconds=%.3f cpu_seconds=%.3f\n", name, n, t.Seconds(),
              t.Cpu());
}

// The subject of a code the way before the code directory: the store's identifier index, then
// the subject.
Result<Subject> ByStore(server::Platform& p, const std::string& code) {
  XY_ASSIGN_OR_RETURN(uint64_t id, p.FindSubjectIdByCode(code));
  XY_ASSIGN_OR_RETURN(auto s, p.store().GetSubject(id));
  if (!s) return Status::NotFound(code);
  return std::move(*s);
}

// The check as it was done before the trigger index: all records, the grade from them.
Result<rules::CheckOutcome> OldWay(server::Platform& p, const std::string& code,
                                   const std::string& scenario, Date today) {
  XY_ASSIGN_OR_RETURN(Subject s, ByStore(p, code));
  rules::SubjectFacts facts;
  XY_RETURN_IF_ERROR(p.store().ListRecords(s.id, "", &facts.records));
  if (auto e = p.evaluation().Evaluate(s, facts.records, p.catalog(), today)) facts.grade = e->grade;
  rules::Checker checker(p.catalog(), p.measures());
  return checker.Evaluate(s, facts, scenario, today);
}

bool SameOutcome(const rules::CheckOutcome& a, const rules::CheckOutcome& b) {
  if (a.result != b.result || a.measures.size() != b.measures.size()) return false;
  for (size_t i = 0; i < a.measures.size(); ++i) {
    const auto& x = a.measures[i];
    const auto& y = b.measures[i];
    if (x.measure != y.measure || x.triggers.size() != y.triggers.size()) return false;
    for (size_t j = 0; j < x.triggers.size(); ++j) {
      const auto& u = x.triggers[j];
      const auto& v = y.triggers[j];
      if (u.indicator != v.indicator || u.record_id != v.record_id ||
          u.document_number != v.document_number || u.date != v.date || u.until != v.until ||
          u.detail != v.detail) {
        return false;
      }
    }
  }
  return true;
}

// --resolve: each way in turn, an untimed round to warm the block cache and three timed ones;
// returns the number of codes resolved differently.
size_t Resolve(server::Platform& p, std::span<const std::string> codes) {
  auto by_store = [&p](const std::string& code) -> uint64_t {
    auto s = ByStore(p, code);
    return s.ok() ? s->id : 0;
  };
  auto by_directory = [&p](const std::string& code) -> uint64_t {
    auto s = p.FindSubjectByCode(code);
    return s.ok() ? s->id : 0;
  };
  std::vector<uint64_t> expected(codes.size());
  size_t differ = 0;
  for (int round = 0; round <= 3; ++round) {
    for (int way = 0; way < 2; ++way) {
      const Timer t;
      for (size_t i = 0; i < codes.size(); ++i) {
        const uint64_t id = way == 0 ? by_store(codes[i]) : by_directory(codes[i]);
        if (round == 0 && way == 0) {
          expected[i] = id;
        } else if (id != expected[i] && ++differ <= 5) {
          std::fprintf(stderr, "resolved differently: %s\n", codes[i].c_str());
        }
      }
      const double s = t.Seconds();
      if (round == 0) continue;  // the warm-up
      std::printf("check_resolve way=%s round=%d codes=%zu seconds=%.3f us_per_code=%.2f\n",
                  way == 0 ? "store" : "directory", round, codes.size(), s,
                  s * 1e6 / static_cast<double>(codes.size()));
    }
  }
  return differ;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: %s DATA_DIR CODES_FILE --scenario=S [--anchor=N] [--threads=T] [--api]\n"
                 "         [--resolve=N]\n"
                 "       %s DATA_DIR CODES_FILE --write-codes\n",
                 argv[0], argv[0]);
    return 2;
  }
  if (std::string(argv[3]) == "--write-codes") {
    server::PlatformOptions o;
    o.data_dir = argv[1];
    o.read_only = true;
    auto p = server::Platform::Open(o);
    if (!p.ok()) {
      std::fprintf(stderr, "%s\n", p.status().ToString().c_str());
      return 1;
    }
    std::vector<std::string> codes;
    Status st = (*p)->store().ScanSubjects([&](const Subject& s) {
      codes.push_back(s.DisplayCode());
      return Status::Ok();
    });
    if (!st.ok()) {
      std::fprintf(stderr, "%s\n", st.ToString().c_str());
      return 1;
    }
    std::shuffle(codes.begin(), codes.end(), std::mt19937_64(7));
    std::ofstream out(argv[2]);
    for (const std::string& c : codes) out << c << '\n';
    std::printf("codes=%zu\n", codes.size());
    return out ? 0 : 1;
  }
  std::string scenario;
  size_t anchor = 0;
  unsigned threads = 0;
  size_t cache_mib = 0;
  bool api = false;
  size_t resolve = 0;
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (a.starts_with("--scenario=")) {
      scenario = a.substr(11);
    } else if (a.starts_with("--anchor=")) {
      anchor = std::strtoull(a.c_str() + 9, nullptr, 10);
    } else if (a.starts_with("--threads=")) {
      threads = static_cast<unsigned>(std::strtoul(a.c_str() + 10, nullptr, 10));
    } else if (a.starts_with("--resolve=")) {
      resolve = std::strtoull(a.c_str() + 10, nullptr, 10);
    } else if (a == "--api") {
      api = true;
    } else if (a.starts_with("--cache-mib=")) {
      cache_mib = std::strtoull(a.c_str() + 12, nullptr, 10);
    } else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  std::vector<std::string> codes;
  {
    std::ifstream in(argv[2]);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) codes.push_back(line);
    }
  }
  server::PlatformOptions o;
  o.data_dir = argv[1];
  o.block_cache_bytes = cache_mib << 20;
  auto opened = server::Platform::Open(o);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  server::Platform& p = **opened;
  const Date today = Date::Today();

  Timer t;
  auto index = p.triggers();
  if (!index.ok()) {
    std::fprintf(stderr, "%s\n", index.status().ToString().c_str());
    return 1;
  }
  Phase("index", t, 0);
  const rules::TriggerIndexStats st = (*index)->Stats();
  std::printf("check_index subjects_with_facts=%llu persons_with_linked_facts=%llu facts=%llu "
              "bytes=%llu\n",
              static_cast<unsigned long long>(st.subjects),
              static_cast<unsigned long long>(st.persons),
              static_cast<unsigned long long>(st.facts),
              static_cast<unsigned long long>(st.bytes));

  // So is the code directory, as a running server has it.
  const long rss_before = RssKib();
  t = Timer();
  auto directory = p.codes();
  if (!directory.ok()) {
    std::fprintf(stderr, "%s\n", directory.status().ToString().c_str());
    return 1;
  }
  const size_t directory_codes = (*directory)->Stats().codes;
  Phase("codes", t, directory_codes);
  std::printf("check_code_directory codes=%zu rss_mib=%.1f\n", directory_codes,
              static_cast<double>(RssKib() - rss_before) / 1024);

  // The batch proper, as a running server does it: the index is built when the server starts.
  Timer total;
  const server::CheckRequest request{"", scenario, "批量核查基准", "bench", "127.0.0.1"};
  std::vector<rules::CheckOutcome> outcomes;  // for the anchor's comparison
  size_t failed = 0, flagged = 0;
  if (api) {
    // As a using department's token, like any caller of the API (the token is stored).
    server::TokenRequest who;
    who.role = "using_department";
    who.dept = "bench";
    who.name = "bench_checks --api";
    auto token = server::CreateToken(p, who, server::NowUnixMs());
    if (!token.ok()) {
      std::fprintf(stderr, "%s\n", token.status().ToString().c_str());
      return 1;
    }
    t = Timer();
    constexpr size_t kPerRequest = 10000;
    for (size_t begin = 0; begin < codes.size(); begin += kPerRequest) {
      boost::json::array subjects;
      for (size_t i = begin; i < std::min(codes.size(), begin + kPerRequest); ++i) {
        subjects.push_back(boost::json::string(codes[i]));
      }
      server::Request req;
      req.method = "POST";
      req.target = "/api/v1/checks:batch";
      req.content_type = "application/json";
      req.peer = "127.0.0.1:1";
      req.authorization = "Bearer " + token->secret;
      req.body = boost::json::serialize(boost::json::object{{"scenario", scenario},
                                                            {"purpose", "批量核查基准"},
                                                            {"department", "bench"},
                                                            {"subjects", std::move(subjects)}});
      server::Response res = server::HandleRequest(p, std::move(req));
      if (res.status != 200) {
        std::fprintf(stderr, "checks:batch answered %u: %s\n", res.status, res.body.c_str());
        return 1;
      }
      auto v = boost::json::parse(res.body).as_object();
      for (const auto& [k, n] : v["by_result"].as_object()) {
        if (k == "error") failed += n.to_number<size_t>();
        if (k == "refused" || k == "restricted") flagged += n.to_number<size_t>();
      }
    }
    Phase("api", t, codes.size());
  } else {
    t = Timer();
    auto batch = server::EvaluateChecks(p, request, codes, today, threads);
    if (!batch.ok()) {
      std::fprintf(stderr, "%s\n", batch.status().ToString().c_str());
      return 1;
    }
    Phase("evaluate", t, codes.size());
    t = Timer();
    if (Status s = server::LogChecks(p, &*batch); !s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
    Phase("log", t, codes.size());
    for (const server::BatchItem& item : batch->items) {
      if (!item.status.ok()) ++failed;
      if (item.outcome.result >= rules::CheckResult::kRestricted) ++flagged;
      outcomes.push_back(item.outcome);
    }
  }
  const double seconds = total.Seconds();
  std::printf("check_batch mode=%s scenario=%s checks=%zu failed=%zu restricted_or_refused=%zu "
              "seconds=%.3f cpu_seconds=%.3f checks_per_s=%.0f\n",
              api ? "api" : "direct", scenario.c_str(), codes.size(), failed, flagged, seconds,
              total.Cpu(), static_cast<double>(codes.size()) / seconds);

  if (anchor > 0) {
    anchor = std::min(anchor, codes.size());
    t = Timer();
    size_t differ = 0;
    for (size_t i = 0; i < anchor; ++i) {
      auto old = OldWay(p, codes[i], scenario, today);
      if (!outcomes.empty() && old.ok() && !SameOutcome(*old, outcomes[i])) {
        if (++differ <= 5) std::fprintf(stderr, "differs: %s\n", codes[i].c_str());
      }
    }
    const double s = t.Seconds();
    std::printf("check_anchor way=all_records_per_subject checks=%zu seconds=%.3f us_per_check=%.1f "
                "projected_seconds=%.1f differ=%zu\n",
                anchor, s, s * 1e6 / static_cast<double>(anchor),
                s * static_cast<double>(codes.size()) / static_cast<double>(anchor), differ);
    if (differ > 0) return 1;
  }
  // Last, so that its reads do not warm the cache for the batch.
  if (resolve > 0 && Resolve(p, std::span(codes).first(std::min(resolve, codes.size()))) != 0) {
    return 1;
  }
  return 0;
}
