// Document numbers (文号) of decisions, such as 郑市监罚〔2026〕123号, read as a series — the
// issuer's prefix and the year (郑市监罚〔2026〕) — and a serial (123). Departments number their
// decisions consecutively within a series, so a serial missing inside the observed range of a
// series is a decision that was made but perhaps never submitted (a gap in the sequence).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xinyong::governance {

struct DocumentNumber {
  std::string series;  // prefix + "〔" + year + "〕", brackets normalized: 郑市监罚〔2026〕
  int year = 0;
  uint64_t serial = 0;
};

// Reads `prefix` `bracket year bracket` [第] `digits` [号]. The year brackets may be 〔〕, ﹝﹞, [],
// 【】, ［］, () or （）; spaces around the parts are ignored; full-width digits, brackets and
// letters count as their ASCII forms, in the prefix too (郑市监（稽）罚 is 郑市监(稽)罚). nullopt for anything else (a case number
// such as (2026)豫0105执123号 has no prefix before the year and is not read as a series either).
std::optional<DocumentNumber> ParseDocumentNumber(std::string_view text);

}  // namespace xinyong::governance
