#include "server/json_writer.h"

#include <charconv>
#include <cstdint>
#include <cstring>

namespace xinyong::server {

namespace {

// For each byte: 0 when it is written as it is, else the letter after the backslash ('u' for
// \u00XX). The same choices as boost::json::serialize.
constexpr auto kEscape = [] {
  struct Table {
    char c[256] = {};
  } t;
  for (int i = 0; i < 0x20; ++i) t.c[i] = 'u';
  t.c['\b'] = 'b';
  t.c['\t'] = 't';
  t.c['\n'] = 'n';
  t.c['\f'] = 'f';
  t.c['\r'] = 'r';
  t.c['"'] = '"';
  t.c['\\'] = '\\';
  return t;
}();

// True when one of the 8 bytes of `x` is below 0x20, '"' or '\\' (bit tricks on the whole word;
// bytes of 0x80 and above, i.e. all of Chinese text in UTF-8, never match).
constexpr bool NeedsEscape(uint64_t x) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  auto has_zero = [](uint64_t v) { return ((v - kOnes) & ~v & kHigh) != 0; };
  const bool below_space = ((x - kOnes * 0x20) & ~x & kHigh) != 0;
  return below_space || has_zero(x ^ (kOnes * '"')) || has_zero(x ^ (kOnes * '\\'));
}

}  // namespace

void JsonWriter::AppendEscaped(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run = 0;  // start of the bytes not yet copied
  size_t i = 0;
  for (; i < s.size(); ++i) {
    // Skip 8 bytes at a time while none of them needs an escape.
    while (i + 8 <= s.size()) {
      uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      if (NeedsEscape(word)) break;
      i += 8;
    }
    if (i >= s.size()) break;
    char e = kEscape.c[static_cast<unsigned char>(s[i])];
    if (e == 0) continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    out->push_back('\\');
    out->push_back(e);
    if (e == 'u') {
      unsigned char c = static_cast<unsigned char>(s[i]);
      const char digits[4] = {'0', '0', kHex[c >> 4], kHex[c & 15]};
      out->append(digits, 4);
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

void JsonWriter::Int(int64_t v) {
  Separate();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out_->append(buf, static_cast<size_t>(end - buf));
}

void JsonWriter::Uint(uint64_t v) {
  Separate();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out_->append(buf, static_cast<size_t>(end - buf));
}

}  // namespace xinyong::server
