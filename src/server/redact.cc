#include "server/redact.h"

#include <algorithm>

#include "core/identifiers.h"
#include "core/utf8.h"
#include "server/target.h"

namespace xinyong::server {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int Num(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

bool PlausibleMonthDay(std::string_view mmdd) {
  int m = Num(mmdd.substr(0, 2)), d = Num(mmdd.substr(2, 2));
  return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

// `s` is 18 characters (17 digits + digit or X) or 15 digits. The address code is not looked at:
// whatever ident::ParseResidentId accepts must be masked, and it accepts any six digits there.
bool LooksLikeResidentId(std::string_view s) {
  if (s.size() == 18) {
    int year = Num(s.substr(6, 4));
    return year >= 1900 && year <= 2100 && PlausibleMonthDay(s.substr(10, 4));
  }
  return PlausibleMonthDay(s.substr(8, 4));
}

}  // namespace

std::string MaskName(std::string_view name) {
  if (name.empty()) return "";
  const auto lead = static_cast<unsigned char>(name[0]);
  const size_t first = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  const size_t rest = Utf8Length(name.substr(std::min(first, name.size())));
  return std::string(name.substr(0, std::min(first, name.size()))) +
         std::string(std::max<size_t>(rest, 1), '*');
}

std::string RedactPersonalIds(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (!IsDigit(text[i])) {
      out += text[i++];
      continue;
    }
    size_t j = i;
    while (j < text.size() && IsDigit(text[j])) ++j;
    size_t len = j - i;
    if (len == 17 && j < text.size() && (text[j] == 'X' || text[j] == 'x')) {
      ++j;
      ++len;
    }
    std::string_view run = text.substr(i, len);
    if ((len == 18 || len == 15) && LooksLikeResidentId(run)) {
      out += ident::MaskResidentId(run);
    } else {
      out.append(run);
    }
    i = j;
  }
  return out;
}

std::string ForLog(std::string_view text, size_t max_bytes) {
  bool cut = text.size() > max_bytes;
  // Redacted before the cut, which could otherwise leave the first digits of an ID unmasked.
  std::string clean = SanitizeUtf8(std::string_view(RedactPersonalIds(text)).substr(0, max_bytes));
  std::string out;
  out.reserve(clean.size());
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : clean) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  if (cut) out += "...";
  // The hex digits of an escape can join the digits after it into something shaped like an ID
  // number ("\x02" + "8246200421034X"): masked as well, on the safe side.
  return RedactPersonalIds(out);
}

}  // namespace xinyong::server
