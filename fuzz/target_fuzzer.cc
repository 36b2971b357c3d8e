// Fuzzes request-target parsing (server/target.h) and the redaction of resident ID numbers
// (server/redact.h) that every echoed path, query and log line goes through.
//
// Invariants: a parsed target's segments and query parameters are valid UTF-8 without NUL bytes,
// and percent-encoding them again gives a target that parses to the same; the two UTF-8
// validators of the code base (server and ingest) agree; SanitizeUtf8 yields valid UTF-8 and
// leaves valid UTF-8 alone; IsApiTarget agrees with the parsed path; redacted text and log lines
// hold no number that the resident ID parser accepts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/date.h"
#include "core/identifiers.h"
#include "fuzz_check.h"
#include "ingest/encoding.h"
#include "server/redact.h"
#include "server/router.h"
#include "server/target.h"

namespace {

using namespace xinyong;
using namespace xinyong::server;

const Date kToday = Date::FromYmd(2025, 6, 30).value();

bool Unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string Encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (Unreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

void CheckDecodedText(std::string_view s) {
  FUZZ_CHECK(IsValidUtf8(s));
  FUZZ_CHECK(s.find('\0') == std::string_view::npos);
}

// Whether `run` stands in `source` as a whole run of digits (not inside a longer one).
bool IsRunOf(std::string_view source, std::string_view run) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  for (size_t at = source.find(run); at != std::string_view::npos; at = source.find(run, at + 1)) {
    const size_t end = at + run.size();
    if ((at == 0 || !digit(source[at - 1])) &&
        (end == source.size() || (!digit(source[end]) && source[end] != 'X' && source[end] != 'x'))) {
      return true;
    }
  }
  return false;
}

// No run of digits (17 and an X) in `text` is a resident ID number the parser accepts — one that
// stands as a whole run in `source`, when given (ForLog writes control bytes as \xNN, whose hex
// digits can join the digits beside them into a new number: no one's ID, even when the same
// digits occur inside a longer number of the source).
void CheckNoResidentId(std::string_view text, const std::string_view* source = nullptr) {
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] < '0' || text[i] > '9') {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
    if (j - i == 17 && j < text.size() && (text[j] == 'X' || text[j] == 'x')) ++j;
    const std::string_view run = text.substr(i, j - i);
    if ((run.size() == 18 || run.size() == 15) &&
        (source == nullptr || IsRunOf(*source, run))) {
      FUZZ_CHECK(!ident::ParseResidentId(run, kToday).ok());
    }
    i = j;
  }
}

void CheckTarget(std::string_view target) {
  ParsedTarget parsed;
  std::string error;
  if (!ParseTarget(target, &parsed, &error)) {
    FUZZ_CHECK(!error.empty() && IsValidUtf8(error));
    return;
  }
  FUZZ_CHECK(parsed.path == target.substr(0, target.find('?')));
  FUZZ_CHECK(IsApiTarget(target) ==
             (parsed.path == "/api" || parsed.path.starts_with("/api/")));
  std::string again = "/";
  for (size_t i = 0; i < parsed.segments.size(); ++i) {
    CheckDecodedText(parsed.segments[i]);
    if (i > 0) again += '/';
    again += Encode(parsed.segments[i]);
  }
  // An empty last segment needs the trailing slash that would otherwise be dropped.
  if (!parsed.segments.empty() && parsed.segments.back().empty()) again += '/';
  for (size_t i = 0; i < parsed.query.size(); ++i) {
    CheckDecodedText(parsed.query[i].first);
    CheckDecodedText(parsed.query[i].second);
    again += i == 0 ? '?' : '&';
    again += Encode(parsed.query[i].first) + "=" + Encode(parsed.query[i].second);
  }
  ParsedTarget reparsed;
  FUZZ_CHECK(ParseTarget(again, &reparsed, &error));
  FUZZ_CHECK(reparsed.segments == parsed.segments);
  FUZZ_CHECK(reparsed.query == parsed.query);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckTarget(input);

  FUZZ_CHECK(IsValidUtf8(input) == ingest::IsValidUtf8(input));
  const std::string clean = SanitizeUtf8(input);
  FUZZ_CHECK(IsValidUtf8(clean));
  if (IsValidUtf8(input)) FUZZ_CHECK(clean == input);

  std::string decoded;
  if (PercentDecode(input, /*plus_as_space=*/false, &decoded) &&
      input.find('%') == std::string_view::npos) {
    FUZZ_CHECK(decoded == input);
  }

  const std::string redacted = RedactPersonalIds(input);
  CheckNoResidentId(redacted);
  const std::string line = ForLog(input);
  CheckNoResidentId(line, &input);
  FUZZ_CHECK(IsValidUtf8(line));
  for (char c : line) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F);
  return 0;
}
