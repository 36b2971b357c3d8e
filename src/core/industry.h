// Industries of the national economy (国民经济行业分类, GB/T 4754-2017, including its amendment
// No. 1 of 2019, which changed no section or division): the 20 sections (门类, A–T) and 97
// divisions (大类, 01–97) a subject's registered industry is given in. The platform keeps an
// industry as the section letter, or the letter and the 2-digit division ("C", "C13"); a
// random-inspection scope names either and matches by prefix. The table is the standard's own
// (section letters, division numbers and names as published by the National Bureau of
// Statistics in GB/T 4754-2017, table "国民经济行业分类和代码"); groups (中类) and classes (小类)
// are not kept.
// All functions are pure and thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace xinyong::industry {

struct Division {
  std::string_view code;  // "13"
  std::string_view name;  // "农副食品加工业"
};

struct Section {
  char letter;                          // 'C'
  std::string_view name;                // "制造业"
  std::span<const Division> divisions;  // in code order
};

// The 20 sections, A to T, each with its divisions.
std::span<const Section> Sections();

// Normalizes an industry as departments write it to "C" or "C13":
//   a section letter ("C", "c", "Ｃ"), a letter and division ("C13", "C-13"), a division alone
//   ("13"; its section is implied), a group or class code with or without its letter ("C131",
//   "1311": cut to the division, which must exist; the platform keeps no finer level), or the
//   exact name of a section or division ("制造业", "农副食品加工业").
// InvalidArgument naming the input otherwise: an unknown letter or division, or a division
// under the wrong section ("C05": 05 belongs to A).
Result<std::string> ParseIndustryCode(std::string_view input);

// The name of a normalized code: the division's for "C13", the section's for "C"; "" when it
// is not one.
std::string_view IndustryName(std::string_view code);

// Whether a subject of industry `code` falls in `scope` (a normalized section or division):
// the same section, and the same division when the scope names one. An empty scope takes
// every industry; an unknown industry ("") falls in no other scope.
bool InIndustryScope(std::string_view code, std::string_view scope);

}  // namespace xinyong::industry
