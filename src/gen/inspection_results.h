// Synthetic results of a random-inspection draw (抽查检查结果) for the demo city and tests: the
// file an inspecting department would send back after visiting the drawn subjects — one row per
// inspected subject, the published result wording, the day of the visit and what was found.
// Poorer grades find problems more often, as graded supervision expects. Never for real use:
// `xinyong inspect demo-results` writes it and `xinyong inspect result --file` records it
// through the same path as a real department's file.
// Pure function of its arguments; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/date.h"

namespace xinyong::gen {

struct DrawnSubject {
  std::string code;
  std::string grade;  // "A".."D", "" when ungraded
};

// CSV text (UTF-8, header `统一社会信用代码,检查结果,检查日期,检查发现`) with a row for about
// `recorded_share` of `drawn` (the rest are still pending), in the order given; visit days fall
// in [first_day, last_day]. The same arguments give the same text.
std::string InspectionResultsCsv(std::span<const DrawnSubject> drawn, Date first_day, Date last_day,
                                 uint64_t seed, double recorded_share = 0.85);

}  // namespace xinyong::gen
