// What the HTTP layer does to a response once a handler (or the portal's files) produced it:
// validators and content coding. A successful GET gets a strong ETag derived from its body
// bytes and `Cache-Control: no-cache`, so clients keep it and revalidate; a matching
// If-None-Match turns it into a 304 without a body. A client that accepts gzip gets textual
// bodies above kGzipMinBytes compressed (zlib), with `Content-Encoding: gzip`; such responses
// carry `Vary: Accept-Encoding` whatever the client sent. Every response is hashed (and
// compressed) as it goes out, a kept profile (response_cache.h) too.
// Pure functions of their arguments (the compressor keeps one zlib stream per thread for reuse);
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/http_message.h"

namespace xinyong::server {

// Bodies smaller than this are sent as they are: the gzip header and the client's work cost more
// than the bytes saved.
inline constexpr size_t kGzipMinBytes = 1024;

// What of a request decides how its response goes out.
struct ResponseConditions {
  bool get_or_head = false;             // only GET and HEAD responses get validators
  std::string_view if_none_match = {};  // the If-None-Match header, "" when absent
  bool accepts_gzip = false;            // AcceptsGzip(the Accept-Encoding header)
};

// Applies validators, If-None-Match and gzip to `response` as described above. Leaves alone a
// response that already has an ETag or a Content-Encoding.
void FinishResponse(const ResponseConditions& conditions, Response* response);

// The strong entity tag of a body: a 64-bit hash of the bytes as 16 hex digits, in quotes.
// The gzip-coded representation of the same body has its own tag (`"…-gzip"`).
std::string BodyEtag(std::string_view body, bool gzip = false);

// True when an If-None-Match header value matches `etag` (weak comparison, as RFC 9110 asks for
// If-None-Match: `W/"x"` matches `"x"`): `*`, or a comma-separated list naming the tag. A
// malformed list matches nothing beyond the tags read before the error.
bool IfNoneMatchMatches(std::string_view if_none_match, std::string_view etag);

// True when an Accept-Encoding header value allows gzip: `gzip` or `x-gzip` listed with a
// non-zero q, or else `*` with a non-zero q. `gzip;q=0` refuses it even beside `*`.
bool AcceptsGzip(std::string_view accept_encoding);

// True for media types worth compressing: text/*, JSON, JavaScript, XML, SVG.
bool IsCompressibleType(std::string_view content_type);

// Compresses `in` into a gzip member (RFC 1952). False only when zlib fails (out of memory).
bool GzipCompress(std::string_view in, std::string* out);
// Decompresses one or more gzip members; false on corrupt or truncated input, or when the result
// would exceed `max_bytes`.
bool GzipDecompress(std::string_view in, std::string* out, size_t max_bytes = 256u << 20);

}  // namespace xinyong::server
