// UTF-8 helpers shared by every module. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace xinyong {

// Number of code points in well-formed UTF-8 (counts the bytes that do not continue a character).
inline size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace xinyong
