#include "server/target.h"

#include <cstdint>

namespace xinyong::server {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool DecodeChecked(std::string_view in, bool plus_as_space, std::string* out) {
  if (!PercentDecode(in, plus_as_space, out)) return false;
  return out->find('\0') == std::string::npos && IsValidUtf8(*out);
}

// Length of the well-formed UTF-8 sequence at s[i], 0 when there is none.
size_t SequenceLength(std::string_view s, size_t i) {
  const size_t n = s.size();
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t len;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > n) return 0;
  for (size_t k = 1; k < len; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) {
    return 0;  // overlong
  }
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

const std::string* ParsedTarget::Query(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return &v;
  }
  return nullptr;
}

bool PercentDecode(std::string_view in, bool plus_as_space, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t len = SequenceLength(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t len = SequenceLength(s, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

bool ParseTarget(std::string_view target, ParsedTarget* out, std::string* error) {
  out->segments.clear();
  out->query.clear();
  if (target.empty() || target[0] != '/') {
    *error = "the request target must be a path starting with '/'";
    return false;
  }
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  if (size_t hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
  out->path = path;

  size_t pos = 1;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view raw = path.substr(pos, slash - pos);
    // A single trailing slash is tolerated: "/api/v1/health/" names the same resource.
    if (raw.empty() && slash == path.size()) break;
    std::string seg;
    if (!DecodeChecked(raw, false, &seg)) {
      *error = "the request path has a malformed percent-escape or is not UTF-8";
      return false;
    }
    out->segments.push_back(std::move(seg));
    pos = slash + 1;
  }

  size_t start = 0;
  while (start < query.size()) {
    size_t amp = query.find('&', start);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view pair = query.substr(start, amp - start);
    start = amp + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key, value;
    bool ok = DecodeChecked(pair.substr(0, eq), true, &key);
    if (ok && eq != std::string_view::npos) ok = DecodeChecked(pair.substr(eq + 1), true, &value);
    if (!ok) {
      *error = "the query string has a malformed percent-escape or is not UTF-8";
      return false;
    }
    out->query.emplace_back(std::move(key), std::move(value));
  }
  return true;
}

}  // namespace xinyong::server
