// Parsing of a request target ("/api/v1/subjects/%E9%83%91?page=2") into percent-decoded path
// segments and query parameters. Segments are decoded one by one, so an encoded "/" (%2F) inside
// a subject code stays inside its segment. Decoded text must be valid UTF-8 without NUL bytes;
// anything else is refused rather than guessed at. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/utf8.h"

namespace xinyong::server {

struct ParsedTarget {
  std::string_view path;              // raw path, before '?'
  std::vector<std::string> segments;  // decoded; "/a/b/" gives {"a", "b"}
  std::vector<std::pair<std::string, std::string>> query;  // decoded, '+' as space

  // The first value of a query parameter; nullptr when absent.
  const std::string* Query(std::string_view name) const;
};

// Parses an origin-form target. On failure returns false and says why in *error.
bool ParseTarget(std::string_view target, ParsedTarget* out, std::string* error);

// The value of a hexadecimal digit, -1 for another character.
int HexDigitValue(char c);

// Decodes %XX escapes (and '+' as a space when `plus_as_space`). False on a malformed escape.
bool PercentDecode(std::string_view in, bool plus_as_space, std::string* out);

// core/utf8.h: IsValidUtf8 (no overlongs, no surrogates, nothing above U+10FFFF) and
// SanitizeUtf8 (U+FFFD for every byte that starts no well-formed sequence).
using xinyong::IsValidUtf8;
using xinyong::SanitizeUtf8;

}  // namespace xinyong::server
