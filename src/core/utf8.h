// UTF-8 helpers shared by every module. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace xinyong {

// Number of code points in well-formed UTF-8 (counts the bytes that do not continue a character).
inline size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 when the bytes there are not one
// (stray continuation byte, truncated or overlong sequence, surrogate, beyond U+10FFFF).
size_t Utf8SequenceLength(std::string_view s, size_t i);
// True when `s` is well-formed UTF-8.
bool IsValidUtf8(std::string_view s);
// `s` with every byte that does not start a well-formed sequence replaced by U+FFFD: for text
// that goes where broken UTF-8 would break a reader (JSON answers, spreadsheets).
std::string SanitizeUtf8(std::string_view s);

}  // namespace xinyong
