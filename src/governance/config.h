// GovernanceConfig: what data governance needs to know that the platform does not store — how
// often each source department is expected to submit (so that a department that has gone silent
// can be found), how many missing document serials to list, and which commitment type counts as
// 审批替代型 for city monitoring. Read from data/governance/governance.toml, which operators edit
// without recompiling. Plain data; immutable once loaded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace xinyong::governance {

enum class Frequency : uint8_t { kDaily = 1, kWeekly = 2, kMonthly = 3 };
std::string_view FrequencyName(Frequency f);   // "daily", "weekly", "monthly"
std::string_view FrequencyLabel(Frequency f);  // "每个工作日", "每周", "每月"

// A source department's expected reporting rhythm. `dept` is the department as batches record it
// (the token's department, or `--dept` / `?dept=` of an ingest).
struct DepartmentSchedule {
  std::string dept;
  Frequency frequency = Frequency::kMonthly;
};

struct GovernanceConfig {
  std::vector<DepartmentSchedule> departments;
  // Missing serials listed per document-number series (the count is always complete).
  size_t max_listed_gaps = 50;
  // A series whose observed serial range is wider than this is reported with its count of
  // missing serials but is not listed (a mistyped number should not list a million gaps).
  uint64_t max_gap_span = 100000;
  // For the report rate (上报率) a series is cut where more serials than this are missing in a
  // row: one mistyped number (郑市监罚〔2026〕12345678号 among serials 1–500) must not make millions
  // of decisions look unreported. The gaps below still count every missing serial.
  uint64_t max_counted_gap = 1000;
  // At most this many examples (rows, subjects) per table entry.
  size_t max_examples = 20;
  // The 承诺类型 value of commitments that replace an approval (FACTS §7).
  std::string approval_commitment_type = "审批替代型";

  // Parses the TOML text; InvalidArgument "<source>:<line>: ..." naming the problem.
  static Result<GovernanceConfig> Parse(std::string_view text, std::string_view source_name);
  // Unavailable when the file cannot be read; else as Parse.
  static Result<GovernanceConfig> LoadFile(const std::string& path);
};

}  // namespace xinyong::governance
