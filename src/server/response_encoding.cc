#include "server/response_encoding.h"

#include <zlib.h>

#include <algorithm>
#include <functional>
#include <limits>

namespace xinyong::server {

namespace {

// Compression level: 6 (zlib's default) costs about twice level 1 and saves another ~15% on
// API JSON; bodies are a few KiB, so either is far below a millisecond.
constexpr int kGzipLevel = 6;

constexpr bool IsOws(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

// The weight of one Accept-Encoding element's parameters: 1 without a q parameter, 0 for
// `q=0`, `q=0.`, `q=0.000`; any other value counts as non-zero.
bool QIsZero(std::string_view params) {
  while (!params.empty()) {
    size_t semi = params.find(';');
    std::string_view p = TrimOws(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (p.size() < 2 || Lower(p[0]) != 'q') continue;
    std::string_view rest = TrimOws(p.substr(1));
    if (rest.empty() || rest[0] != '=') continue;
    std::string_view value = TrimOws(rest.substr(1));
    if (value.empty() || value[0] != '0') return false;
    for (char c : value.substr(1)) {
      if (c != '.' && c != '0') return false;
    }
    return true;
  }
  return false;
}

// One zlib deflate stream per thread, reset between bodies instead of allocating its ~270 KiB
// of state for every response.
class Deflater {
 public:
  Deflater() {
    ok_ = deflateInit2(&zs_, kGzipLevel, Z_DEFLATED, 15 + 16 /* gzip wrapper */, 8,
                       Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~Deflater() {
    if (ok_) deflateEnd(&zs_);
  }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  bool Compress(std::string_view in, std::string* out) {
    if (!ok_ || in.size() > std::numeric_limits<uInt>::max() / 2) return false;
    if (deflateReset(&zs_) != Z_OK) return false;
    out->resize(deflateBound(&zs_, static_cast<uLong>(in.size())));
    zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs_.avail_in = static_cast<uInt>(in.size());
    zs_.next_out = reinterpret_cast<Bytef*>(out->data());
    zs_.avail_out = static_cast<uInt>(out->size());
    int rc = deflate(&zs_, Z_FINISH);
    if (rc != Z_STREAM_END) {
      out->clear();
      return false;
    }
    out->resize(zs_.total_out);
    return true;
  }

 private:
  z_stream zs_{};
  bool ok_ = false;
};

}  // namespace

std::string BodyEtag(std::string_view body, bool gzip) {
  // std::hash of a string_view is a 64-bit Murmur-style hash in libstdc++: fast (several GB/s)
  // and plenty for telling versions of one resource apart. It may change with the standard
  // library, which only costs clients one full response.
  uint64_t h = std::hash<std::string_view>{}(body);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string tag;
  tag.reserve(24);
  tag += '"';
  for (int shift = 60; shift >= 0; shift -= 4) tag += kHex[(h >> shift) & 15];
  if (gzip) tag += "-gzip";
  tag += '"';
  return tag;
}

bool IfNoneMatchMatches(std::string_view header, std::string_view etag) {
  std::string_view s = TrimOws(header);
  if (s == "*") return true;
  std::string_view opaque = etag;
  if (opaque.starts_with("W/")) opaque.remove_prefix(2);
  while (true) {
    while (!s.empty() && (IsOws(s.front()) || s.front() == ',')) s.remove_prefix(1);
    if (s.empty()) return false;
    if (s.starts_with("W/")) s.remove_prefix(2);
    if (s.empty() || s.front() != '"') return false;
    size_t close = s.find('"', 1);
    if (close == std::string_view::npos) return false;
    if (s.substr(0, close + 1) == opaque) return true;
    s.remove_prefix(close + 1);
    s = TrimOws(s);
    if (!s.empty() && s.front() != ',') return false;
  }
}

bool AcceptsGzip(std::string_view header) {
  int gzip = -1;  // -1 not listed, 0 refused, 1 accepted
  int star = -1;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view element = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    size_t semi = element.find(';');
    std::string_view coding = TrimOws(element.substr(0, semi));
    std::string_view params =
        semi == std::string_view::npos ? std::string_view() : element.substr(semi + 1);
    int accepted = QIsZero(params) ? 0 : 1;
    if (EqualsIgnoreCase(coding, "gzip") || EqualsIgnoreCase(coding, "x-gzip")) {
      gzip = std::max(gzip, accepted);
    } else if (coding == "*") {
      star = std::max(star, accepted);
    }
  }
  if (gzip >= 0) return gzip == 1;
  return star == 1;
}

bool IsCompressibleType(std::string_view type) {
  type = TrimOws(type.substr(0, type.find(';')));
  if (StartsWithIgnoreCase(type, "text/")) return true;
  for (std::string_view t : {"application/json", "application/javascript", "application/xml",
                             "application/x-ndjson", "image/svg+xml"}) {
    if (EqualsIgnoreCase(type, t)) return true;
  }
  // Structured syntax suffixes: application/problem+json, application/atom+xml, ...
  return type.ends_with("+json") || type.ends_with("+xml");
}

bool GzipCompress(std::string_view in, std::string* out) {
  thread_local Deflater deflater;
  return deflater.Compress(in, out);
}

bool GzipDecompress(std::string_view in, std::string* out, size_t max_bytes) {
  out->clear();
  z_stream zs{};
  // 15 + 32: zlib or gzip wrapper, detected from the header.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return false;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  char chunk[16384];
  bool ok = in.size() <= std::numeric_limits<uInt>::max();
  while (ok) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof chunk;
    int rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      ok = false;
      break;
    }
    out->append(chunk, sizeof chunk - zs.avail_out);
    if (out->size() > max_bytes) {
      ok = false;
      break;
    }
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Another gzip member follows (RFC 1952 allows several).
      if (inflateReset(&zs) != Z_OK) ok = false;
    } else if (zs.avail_in == 0 && zs.avail_out != 0) {
      ok = false;  // truncated
    }
  }
  inflateEnd(&zs);
  if (!ok) out->clear();
  return ok;
}

void FinishResponse(const ResponseConditions& c, Response* r) {
  if (!r->Header("ETag").empty() || !r->Header("Content-Encoding").empty()) return;
  const bool varies = IsCompressibleType(r->content_type) && r->body.size() >= kGzipMinBytes;
  const bool gzip = varies && c.accepts_gzip;
  if (varies) r->headers.emplace_back("Vary", "Accept-Encoding");
  std::string etag;  // "" for responses without validators
  if (c.get_or_head && r->status == 200) {
    // The tag of the representation about to be sent; known before compressing it, so a 304
    // costs no compression.
    etag = BodyEtag(r->body, gzip);
    if (r->Header("Cache-Control").empty()) r->headers.emplace_back("Cache-Control", "no-cache");
    if (!c.if_none_match.empty() && IfNoneMatchMatches(c.if_none_match, etag)) {
      r->status = 304;
      r->body.clear();
      r->content_type.clear();
      r->headers.emplace_back("ETag", std::move(etag));
      return;
    }
  }
  if (gzip) {
    std::string compressed;
    if (GzipCompress(r->body, &compressed)) {
      r->body = std::move(compressed);
      r->headers.emplace_back("Content-Encoding", "gzip");
    } else if (!etag.empty()) {
      etag = BodyEtag(r->body);  // zlib failed (out of memory): the body goes out as it is
    }
  }
  if (!etag.empty()) r->headers.emplace_back("ETag", std::move(etag));
}

}  // namespace xinyong::server
