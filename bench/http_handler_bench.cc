// The cost of one GET /api/v1/subjects/{code} without the network: the router and handler called
// in process, one thread, on an existing store, split into its parts (code lookup, record scan,
// the whole handler). bench/http.sh prints it beside the wrk figures, to tell the server's own
// time from the socket's. The handler is timed right after the same subject's code lookup and
// record scan, so it finds their blocks cached: handler - (lookup and scan, cached) is roughly
// the JSON.
// Usage: bench_http_handler DATA_DIR CODES_FILE [SAMPLES] [--compact] [--cache-mib=N]
// With --compact the store is compacted first (the shape bench_subject_records measures, and what
// bench/http.sh serves); the data directory must not be in use then.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "server/platform.h"
#include "server/router.h"

namespace {

using Clock = std::chrono::steady_clock;

// CPU time of this thread: on a machine shared with other work it says more than wall time.
double ThreadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

xinyong::server::Request Get(const std::string& code) {
  xinyong::server::Request req;
  req.method = "GET";
  req.target = "/api/v1/subjects/" + code;
  return req;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s DATA_DIR CODES_FILE [SAMPLES]\n", argv[0]);
    return 2;
  }
  size_t samples = 50000;
  bool compact = false;
  size_t cache_mib = 0;
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--compact") {
      compact = true;
    } else if (a.starts_with("--cache-mib=")) {
      cache_mib = std::strtoull(a.c_str() + 12, nullptr, 10);
    } else {
      samples = std::strtoull(argv[i], nullptr, 10);
    }
  }
  std::vector<std::string> codes;
  {
    std::ifstream in(argv[2]);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) codes.push_back(line);
    }
  }
  if (codes.empty()) {
    std::fprintf(stderr, "no codes in %s\n", argv[2]);
    return 1;
  }
  xinyong::server::PlatformOptions o;
  o.data_dir = argv[1];
  o.read_only = !compact;
  o.block_cache_bytes = cache_mib << 20;
  // The profile's own cost: with the server's profile cache, a code asked twice would be a
  // lookup in memory (bench/http.sh measures the cache through the server).
  o.profile_cache_bytes = 0;
  auto platform = xinyong::server::Platform::Open(o);
  if (!platform.ok()) {
    std::fprintf(stderr, "%s\n", platform.status().ToString().c_str());
    return 1;
  }
  xinyong::server::Platform& p = **platform;
  if (compact) {
    auto t0 = Clock::now();
    auto st = p.rocksdb().CompactAll();
    if (!st.ok()) {
      std::fprintf(stderr, "%s\n", st.ToString().c_str());
      return 1;
    }
    std::fprintf(stderr, "compacted in %.1f s\n",
                 std::chrono::duration<double>(Clock::now() - t0).count());
  }

  std::mt19937_64 rng(7);
  std::uniform_int_distribution<size_t> pick(0, codes.size() - 1);
  // Warm-up: one pass over as many codes as will be timed.
  for (size_t i = 0; i < samples; ++i) {
    (void)xinyong::server::HandleRequest(p, Get(codes[pick(rng)]));
  }
  std::vector<double> lookup, scan, handler;
  lookup.reserve(samples);
  scan.reserve(samples);
  handler.reserve(samples);
  size_t bytes = 0, errors = 0, records = 0;
  std::vector<xinyong::Record> out;
  double lookup_cpu = 0, scan_cpu = 0, warm_cpu = 0, handler_cpu = 0;
  for (size_t i = 0; i < samples; ++i) {
    const std::string& code = codes[pick(rng)];
    double c0 = ThreadCpuMicros();
    auto t0 = Clock::now();
    auto subject = p.FindSubjectByCode(code);
    auto t1 = Clock::now();
    double c1 = ThreadCpuMicros();
    out.clear();
    if (subject.ok()) (void)p.store().ListRecords(subject->id, "", &out);
    double c2 = ThreadCpuMicros();
    // The same again, now from the block cache: what the handler's own lookup and scan cost.
    auto again = p.FindSubjectByCode(code);
    out.clear();
    if (again.ok()) (void)p.store().ListRecords(again->id, "", &out);
    double c2b = ThreadCpuMicros();
    warm_cpu += c2b - c2;
    c2 = c2b;
    auto t2 = Clock::now();
    auto res = xinyong::server::HandleRequest(p, Get(code));
    auto t3 = Clock::now();
    double c3 = ThreadCpuMicros();
    lookup_cpu += c1 - c0;
    scan_cpu += c2 - c1;
    handler_cpu += c3 - c2;
    lookup.push_back(Micros(t1 - t0));
    scan.push_back(Micros(t2 - t1));
    handler.push_back(Micros(t3 - t2));
    bytes += res.body.size();
    records += out.size();
    if (res.status != 200) ++errors;
  }
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return v.empty() ? 0 : s / static_cast<double>(v.size());
  };
  std::printf(
      "http_handler_in_process samples=%zu records_per_subject=%.1f body_bytes=%.0f "
      "non_200=%zu lookup_us_mean=%.1f scan_us_mean=%.1f handler_us_mean=%.1f "
      "handler_us_p50=%.1f handler_us_p99=%.1f cpu_us_lookup=%.1f cpu_us_scan=%.1f "
      "cpu_us_lookup_and_scan_cached=%.1f cpu_us_handler=%.1f\n",
      samples, static_cast<double>(records) / static_cast<double>(samples),
      static_cast<double>(bytes) / static_cast<double>(samples), errors, mean(lookup), mean(scan),
      mean(handler), Percentile(handler, 0.5), Percentile(handler, 0.99),
      lookup_cpu / static_cast<double>(samples), scan_cpu / static_cast<double>(samples),
      warm_cpu / static_cast<double>(samples), handler_cpu / static_cast<double>(samples));
  return 0;
}
