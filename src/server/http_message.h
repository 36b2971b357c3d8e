// Request and Response: the plain values that cross between the HTTP server (which does socket
// I/O only) and the request handlers (plain functions, testable without a socket). The JSON
// helpers build every API response, so all errors share one shape:
//   {"error":{"code":"not_found","message":"...","details":...}}
// Plain data and pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/status.h"

namespace xinyong::server {

struct Request {
  std::string method;         // "GET", "POST", ...
  std::string target;         // origin-form path and query, as sent: "/api/v1/search?q=..."
  std::string content_type;   // the Content-Type header, "" when absent
  std::string authorization;  // the Authorization header, "" when absent
  std::string purpose;        // the X-Purpose header (查询事由, percent-encoded UTF-8), "" when absent
  std::string body;
  std::string peer;           // "ip:port" of the client, "" when unknown
  std::string forwarded_for;  // the X-Forwarded-For header, "" when absent (see ClientAddress)
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Allow, Location)
  std::string body;
  // The subject the answer is about, set by a handler whose path does not name one (an
  // objection, a repair, a credit check by id): the audit log's entry names it (router.cc).
  uint64_t about_subject = 0;
  // The subjects an answer about many is about (a batch of credit checks; a listing that shows
  // a token's holder non-public data of several subjects: commitments, objection and repair
  // queues): an entry each, with
  // `about_purpose` (the batch's own, read from its body by the handler) when not empty.
  std::vector<uint64_t> about_subjects;
  std::string about_purpose;

  // The value of an extra header, "" when absent (for tests).
  std::string_view Header(std::string_view name) const;
};

inline constexpr std::string_view kJsonContentType = "application/json; charset=utf-8";

// `status` with `value` serialized as the body.
Response JsonResponse(unsigned status, const boost::json::object& value);
Response JsonResponse(unsigned status, const boost::json::value& value);
// An error response. `message` is one sentence for people; resident ID numbers in it are masked
// here, whoever produced it. `details` is null or an object naming e.g. the offending parameter.
Response ErrorResponse(unsigned status, std::string_view code, std::string_view message,
                       boost::json::value details = nullptr);
// The error response for a failed Status: the HTTP status from HttpStatusFor, the code from
// StatusCodeName.
Response StatusResponse(const Status& status, boost::json::value details = nullptr);

}  // namespace xinyong::server
