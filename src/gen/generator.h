// The synthetic city generator (`xinyong gen`): writes, for every indicator of the catalog, the
// file a department would send — `<code>.csv` (UTF-8 or GBK; standard field codes as the
// header, Chinese labels for a few indicators) or `<code>.jsonl` for credit commitments and
// contract performance — about 20 records per subject in all, deterministic for a seed.
// The population is ~70% enterprises, ~15% individual businesses, ~5% institutions and social
// organizations and ~10% natural persons of Zhengzhou, with valid codes; a configurable share
// of rows is bad on purpose (see BadKind in gen/indicator_generator.h), ~3% of 双公示 rows are
// reported late, and a few rows correct an earlier one.
// Thread-safety: Generate may run concurrently for different output directories.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "core/date.h"
#include "core/status.h"

namespace xinyong::gen {

struct GenOptions {
  std::string out_dir;
  uint64_t subjects = 1000;
  uint64_t seed = 1;
  bool gbk = false;                  // CSV files in GBK (GB18030); JSONL is always UTF-8
  Date as_of;                        // Date() = today; no decision or report date lies after it
  double bad_row_share = 0.02;       // rows made bad on purpose
  uint64_t rows_per_file = 1000000;  // larger files are split into .part-0001, .part-0002, …
  double late_share = 0.03;          // 双公示 rows reported more than 7 working days late
  double correction_share = 0.002;   // rows that correct an earlier row (same natural key)
  unsigned threads = 2;  // indicators are written in parallel; output does not depend on it
  // Catalog codes of the indicators to write; empty means every indicator. A file's bytes do not
  // depend on which other indicators are written (rows are functions of seed, indicator and row).
  std::vector<std::string> indicators;
};

struct GenReport {
  std::vector<std::pair<std::string /*file*/, uint64_t /*rows*/>> files;  // paths, catalog order
  uint64_t total_rows = 0;
  double seconds = 0;
  uint64_t bad_rows = 0;
  uint64_t late_rows = 0;
  uint64_t corrections = 0;
  std::vector<std::pair<std::string, uint64_t>> bad_by_kind;  // "bad_uscc", "duplicate", …
  uint64_t subjects = 0;
};

// Writes the files into options.out_dir (created if missing). Files of an earlier run for any
// catalog indicator (`<code>.csv`, `<code>.jsonl`, `<code>.part-*`) are removed first, also those
// of indicators this run does not write, so the directory holds exactly one run. Fails with
// InvalidArgument for unusable options (an indicator code the catalog does not know among them)
// and Unavailable when a file cannot be written.
Result<GenReport> Generate(const catalog::Catalog& catalog, const GenOptions& options);

}  // namespace xinyong::gen
