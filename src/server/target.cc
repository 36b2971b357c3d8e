#include "server/target.h"

#include <cstdint>

namespace xinyong::server {

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

namespace {

bool DecodeChecked(std::string_view in, bool plus_as_space, std::string* out) {
  if (!PercentDecode(in, plus_as_space, out)) return false;
  return out->find('\0') == std::string::npos && IsValidUtf8(*out);
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
      int hi = HexDigitValue(in[i + 1]), lo = HexDigitValue(in[i + 2]);
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
