// Fuzzes the server's side of HTTP/1.1 below the API: raw bytes read the way the server reads a
// request (Beast's request parser with the server's header and body limits, a header first, then
// the body), delivered in reads of a fuzzer-chosen size as a socket would; then, for a request
// that parsed, what the server does with it outside the API handlers — the portal's files
// (StaticFiles, path traversal included) or the API target's parsing — and the finishing of the
// response (ETag, If-None-Match, gzip).
//
// Input layout: byte 0 picks the read size (1 to 64 bytes); the rest is what the client sends.
//
// Invariants: the outcome of reading (the request, or a refusal) does not depend on how the bytes
// were cut into reads; the portal answers 200 only with the contents of a file inside the web root; a
// finished response is consistent (a 304 has no body and only for a tag the client named, a
// gzip body inflates to the plain one, a GET's ETag matches itself).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "fuzz_check.h"
#include "server/http_message.h"
#include "server/response_encoding.h"
#include "server/router.h"
#include "server/static_files.h"
#include "server/target.h"

namespace {

using namespace xinyong::server;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;

// The server's default header limit; a small body limit, so that fuzz inputs reach it.
constexpr uint32_t kHeaderLimit = 16u << 10;
constexpr size_t kBodyLimit = 2048;

const std::string& WebRoot() {
  static const std::string root = std::string(XINYONG_SOURCE_DIR) + "/web";
  return root;
}

// The contents of every regular file in the web root: all that a 200 from the portal may hold.
const std::set<std::string>& PortalContents() {
  static const std::set<std::string> contents = [] {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(WebRoot())) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path(), std::ios::binary);
      out.emplace(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return out;
  }();
  return contents;
}

struct Outcome {
  beast::error_code ec;
  std::string method, target, version, headers, body;
  bool keep_alive = false;

  // The same request, or both refused. The error itself may differ: a parser fed a few bytes at
  // a time can still be waiting for more (partial_message at the end) where one fed everything
  // sees the bad byte (bad_line_ending).
  bool operator==(const Outcome& o) const {
    if (ec || o.ec) return ec && o.ec;
    return method == o.method && target == o.target && version == o.version &&
           headers == o.headers && body == o.body && keep_alive == o.keep_alive;
  }
};

// Reads one request as the server's session does (header, then body) from `bytes` in reads of at
// most `read_size` bytes, the client having closed its side after sending them.
Outcome ReadRequest(std::string_view bytes, size_t read_size,
                    http::request_parser<http::string_body>* parser) {
  boost::asio::io_context ioc;
  beast::test::stream stream(ioc, beast::string_view(bytes.data(), bytes.size()));
  stream.read_size(read_size);
  stream.close_remote();
  beast::flat_buffer buffer;
  parser->header_limit(kHeaderLimit);
  parser->body_limit(kBodyLimit);
  Outcome out;
  http::read_header(stream, buffer, *parser, out.ec);
  if (!out.ec && !parser->is_done()) http::read(stream, buffer, *parser, out.ec);
  if (out.ec) return out;
  const auto& msg = parser->get();
  out.method = std::string(msg.method_string());
  out.target = std::string(msg.target());
  out.version = std::to_string(msg.version());
  for (const auto& field : msg) {
    out.headers += std::string(field.name_string()) + ": " + std::string(field.value()) + "\n";
  }
  out.body = msg.body();
  out.keep_alive = msg.keep_alive();
  return out;
}

void CheckFinished(const Response& before, const ResponseConditions& conditions,
                   const Response& after) {
  if (after.status == 304) {
    FUZZ_CHECK(conditions.get_or_head && before.status == 200);
    FUZZ_CHECK(after.body.empty());
    FUZZ_CHECK(IfNoneMatchMatches(conditions.if_none_match, after.Header("ETag")));
    return;
  }
  FUZZ_CHECK(after.status == before.status);
  if (after.Header("Content-Encoding") == "gzip") {
    FUZZ_CHECK(conditions.accepts_gzip);
    std::string inflated;
    FUZZ_CHECK(GzipDecompress(after.body, &inflated));
    FUZZ_CHECK(inflated == before.body);
  } else {
    FUZZ_CHECK(after.body == before.body);
  }
  if (conditions.get_or_head && after.status == 200) {
    const std::string_view etag = after.Header("ETag");
    FUZZ_CHECK(!etag.empty());
    FUZZ_CHECK(IfNoneMatchMatches(etag, etag));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const StaticFiles portal(WebRoot());
  const size_t read_size = 1 + data[0] % 64;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);

  http::request_parser<http::string_body> parser;
  const Outcome outcome = ReadRequest(bytes, read_size, &parser);
  http::request_parser<http::string_body> whole_parser;
  FUZZ_CHECK(ReadRequest(bytes, bytes.size() + 1, &whole_parser) == outcome);
  if (outcome.ec) return 0;

  // The request as the server hands it on (HttpServer's session).
  const auto& msg = parser.get();
  Request request;
  request.method.assign(msg.method_string());
  request.target.assign(msg.target());
  if (auto it = msg.find(http::field::content_type); it != msg.end()) {
    request.content_type.assign(it->value());
  }
  request.body = msg.body();
  ResponseConditions conditions;
  conditions.get_or_head = msg.method() == http::verb::get || msg.method() == http::verb::head;
  std::string if_none_match;
  if (auto it = msg.find(http::field::if_none_match); it != msg.end()) {
    if_none_match.assign(it->value());
  }
  conditions.if_none_match = if_none_match;
  if (auto it = msg.find(http::field::accept_encoding); it != msg.end()) {
    conditions.accepts_gzip = AcceptsGzip(it->value());
  }

  Response response;
  if (IsApiTarget(request.target)) {
    ParsedTarget target;
    std::string error;
    if (ParseTarget(request.target, &target, &error)) {
      response = JsonResponse(200, boost::json::object{{"segments", target.segments.size()},
                                                       {"body", SanitizeUtf8(request.body)}});
    } else {
      response = StatusResponse(xinyong::Status::InvalidArgument(error));
    }
  } else {
    response = portal.Serve(request);
    if (response.status == 200) FUZZ_CHECK(PortalContents().contains(response.body));
  }
  Response finished = response;
  FinishResponse(conditions, &finished);
  CheckFinished(response, conditions, finished);
  return 0;
}
