#include "governance/document_number.h"

#include <array>
#include <string>
#include <utility>

namespace xinyong::governance {

namespace {

// Full-width forms are folded to ASCII first (Fold): ［］ and （） arrive as [] and ().
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kBrackets = {{
    {"〔", "〕"},
    {"﹝", "﹞"},  // U+FE5D, U+FE5E: the small form, as some word processors type 〔〕
    {"[", "]"},
    {"【", "】"},
    {"(", ")"},
}};

// `text` with full-width ASCII (U+FF01-U+FF5E: digits, brackets, letters) as ASCII and U+3000 as
// a space, so that 郑市监（稽）罚〔２０２６〕１２号 and 郑市监(稽)罚〔2026〕12号 are one series.
std::string Fold(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto byte = [text](size_t i) { return static_cast<unsigned char>(text[i]); };
  for (size_t i = 0; i < text.size();) {
    if (i + 2 < text.size() && byte(i) == 0xEF && byte(i + 1) == 0xBC && byte(i + 2) >= 0x81 &&
        byte(i + 2) <= 0xBF) {
      out.push_back(static_cast<char>(byte(i + 2) - 0x81 + 0x21));
      i += 3;
    } else if (i + 2 < text.size() && byte(i) == 0xEF && byte(i + 1) == 0xBD &&
               byte(i + 2) >= 0x80 && byte(i + 2) <= 0x9E) {
      out.push_back(static_cast<char>(byte(i + 2) - 0x80 + 0x60));
      i += 3;
    } else if (text.substr(i).starts_with("\xE3\x80\x80")) {
      out.push_back(' ');
      i += 3;
    } else {
      out.push_back(text[i++]);
    }
  }
  return out;
}

std::string_view TrimSpaces(std::string_view s) {
  for (;;) {
    if (s.starts_with(" ")) {
      s.remove_prefix(1);
    } else if (s.starts_with("\xE3\x80\x80")) {  // U+3000
      s.remove_prefix(3);
    } else if (s.ends_with(" ")) {
      s.remove_suffix(1);
    } else if (s.ends_with("\xE3\x80\x80")) {
      s.remove_suffix(3);
    } else {
      return s;
    }
  }
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<DocumentNumber> ParseDocumentNumber(std::string_view input) {
  const std::string folded = Fold(input);
  std::string_view text = TrimSpaces(folded);
  // The last bracketed four-digit year: prefixes may contain brackets of their own.
  for (size_t at = text.size(); at-- > 0;) {
    for (const auto& [open, close] : kBrackets) {
      if (text.substr(at, open.size()) != open) continue;
      std::string_view rest = TrimSpaces(text.substr(at + open.size()));
      if (rest.size() < 4 || !IsDigit(rest[0]) || !IsDigit(rest[1]) || !IsDigit(rest[2]) ||
          !IsDigit(rest[3])) {
        continue;
      }
      const int year = (rest[0] - '0') * 1000 + (rest[1] - '0') * 100 + (rest[2] - '0') * 10 +
                       (rest[3] - '0');
      rest = TrimSpaces(rest.substr(4));
      if (!rest.starts_with(close)) continue;
      rest = TrimSpaces(rest.substr(close.size()));
      if (rest.starts_with("第")) rest = TrimSpaces(rest.substr(std::string_view("第").size()));
      size_t digits = 0;
      while (digits < rest.size() && IsDigit(rest[digits])) ++digits;
      if (digits == 0 || digits > 12) return std::nullopt;
      std::string_view tail = TrimSpaces(rest.substr(digits));
      if (!tail.empty() && tail != "号") return std::nullopt;
      const std::string_view prefix = TrimSpaces(text.substr(0, at));
      if (prefix.empty() || year < 1949 || year > 2999) return std::nullopt;
      DocumentNumber d;
      d.year = year;
      for (size_t i = 0; i < digits; ++i) d.serial = d.serial * 10 + static_cast<uint64_t>(rest[i] - '0');
      d.series = std::string(prefix) + "〔" + std::to_string(year) + "〕";
      return d;
    }
  }
  return std::nullopt;
}

}  // namespace xinyong::governance
