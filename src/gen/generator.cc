#include "gen/generator.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "gen/city.h"
#include "gen/indicator_generator.h"
#include "gen/population.h"

namespace xinyong::gen {

namespace {

// Removes what an earlier run wrote for `code`, so that ingesting the directory sees one run.
Status RemoveStale(const std::filesystem::path& dir, const std::vector<std::string>& codes) {
  std::error_code ec;
  std::vector<std::filesystem::path> doomed;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    for (const auto& code : codes) {
      if (name == code + ".csv" || name == code + ".jsonl" ||
          (name.starts_with(code + ".part-") &&
           (name.ends_with(".csv") || name.ends_with(".jsonl")))) {
        doomed.push_back(entry.path());
      }
    }
  }
  if (ec) return Status::Unavailable("cannot list " + dir.string() + ": " + ec.message());
  for (const auto& p : doomed) {
    std::filesystem::remove(p, ec);
    if (ec) return Status::Unavailable("cannot remove " + p.string() + ": " + ec.message());
  }
  return Status::Ok();
}

}  // namespace

Result<GenReport> Generate(const catalog::Catalog& catalog, const GenOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  if (options.out_dir.empty()) return Status::InvalidArgument("gen: no output directory given");
  if (options.subjects == 0 || options.subjects > 50000000) {
    return Status::InvalidArgument("gen: the number of subjects must be between 1 and 50,000,000");
  }
  if (!(options.bad_row_share >= 0 && options.bad_row_share <= 1) ||
      !(options.late_share >= 0 && options.late_share <= 1) ||
      !(options.correction_share >= 0 && options.correction_share <= 1)) {
    return Status::InvalidArgument("gen: shares must lie between 0 and 1");
  }
  if (options.rows_per_file == 0)
    return Status::InvalidArgument("gen: rows per file must be at least 1");
  const auto& indicators = catalog.indicators();
  // Positions in the catalog of the indicators to write, in catalog order.
  // Derived indicators (commitment breaches) are made by the ingester from their source's rows.
  std::vector<size_t> selected;
  for (size_t i = 0; i < indicators.size(); ++i) {
    if (indicators[i].derived_from) continue;
    if (options.indicators.empty() ||
        std::find(options.indicators.begin(), options.indicators.end(), indicators[i].code) !=
            options.indicators.end()) {
      selected.push_back(i);
    }
  }
  for (const auto& code : options.indicators) {
    if (catalog.Find(code) == nullptr) {
      return Status::InvalidArgument("gen: the catalog has no indicator '" + code + "'");
    }
  }

  const std::filesystem::path dir(options.out_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Unavailable("cannot create " + options.out_dir + ": " + ec.message());
  std::vector<std::string> codes;
  for (const auto& ind : catalog.indicators()) codes.push_back(ind.code);
  XY_RETURN_IF_ERROR(RemoveStale(dir, codes));

  const Date as_of = options.as_of == Date() ? Date::Today() : options.as_of;
  const City city(Population::Build(options.subjects, options.seed, as_of), catalog);

  IndicatorOptions io;
  io.out_dir = options.out_dir;
  io.gbk = options.gbk;
  io.rows_per_file = options.rows_per_file;
  io.bad_share = options.bad_row_share;
  io.late_share = options.late_share;
  io.correction_share = options.correction_share;

  // Each indicator is independent of the others, so they run in parallel without changing a byte.
  const size_t n = indicators.size();
  std::vector<std::vector<std::pair<std::string, uint64_t>>> files(n);
  std::vector<GenTally> tallies(n);
  std::vector<Status> statuses(n);
  // Largest first, so that the big files do not end up last on one thread.
  std::vector<size_t> order = selected;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return IndicatorGenerator::ExpectedRowsPerSubject(indicators[a]) >
           IndicatorGenerator::ExpectedRowsPerSubject(indicators[b]);
  });
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t k = next.fetch_add(1); k < order.size(); k = next.fetch_add(1)) {
      const size_t i = order[k];
      IndicatorGenerator g(city, indicators[i], io);
      statuses[i] = g.Run(&files[i], &tallies[i]);
    }
  };
  const unsigned threads =
      std::max(1u, std::min<unsigned>(options.threads, static_cast<unsigned>(order.size())));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();

  GenReport report;
  report.subjects = options.subjects;
  std::vector<uint64_t> by_kind(static_cast<size_t>(BadKind::kCount), 0);
  for (size_t i = 0; i < n; ++i) {
    XY_RETURN_IF_ERROR(statuses[i]);
    for (auto& f : files[i]) {
      report.total_rows += f.second;
      report.files.push_back(std::move(f));
    }
    report.bad_rows += tallies[i].bad;
    report.late_rows += tallies[i].late;
    report.corrections += tallies[i].corrections;
    for (size_t k = 0; k < by_kind.size(); ++k) by_kind[k] += tallies[i].by_kind[k];
  }
  for (size_t k = 1; k < by_kind.size(); ++k) {
    report.bad_by_kind.emplace_back(std::string(BadKindName(static_cast<BadKind>(k))), by_kind[k]);
  }
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace xinyong::gen
