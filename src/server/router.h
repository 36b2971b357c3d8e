// The HTTP API of Xinyong (/api/v1): one plain function from a request to a response, so that
// every endpoint is testable without a socket. An ordered route table is matched first match
// wins; a known path with another method gets 405 with an Allow header, anything else a 404.
// Responses are JSON (UTF-8); errors are {"error":{"code","message","details"}} with the HTTP
// status from HttpStatusFor. Each route admits its roles (RouteInfo::roles): the caller's bearer
// token is checked, and 401 or 403 answered, before the handler runs; a request without a token
// is the public (README.md, "Roles").
//
// Endpoints (docs/openapi.yaml describes the shapes):
//   GET  /api/v1/health
//   GET  /api/v1/catalog
//   GET  /api/v1/subjects/{code}
//   GET  /api/v1/subjects/{code}/records?category=&nature=&from=&to=&page=&page_size=
//   GET  /api/v1/search?q=&limit=&page=&type=
//   POST /api/v1/batches?indicator=&dept=&format=&name=   (body text/csv or application/x-ndjson)
//   GET  /api/v1/batches?limit=
//   GET  /api/v1/batches/{id}
//
// Validators (ETag, 304) and gzip are the HTTP layer's business (response_encoding.h): the
// responses here are always complete and uncompressed.
//
// Thread-safety: HandleRequest may run on many threads at once; ingestion (POST) is serialized
// by the Ingester. Never throws: an unexpected exception becomes a 500 response.
#pragma once

#include <functional>
#include <span>
#include <string_view>

#include "security/principal.h"
#include "server/http_message.h"
#include "server/platform.h"

namespace xinyong::server {

inline constexpr std::string_view kApiVersion = "0.1.0";

// One entry of the route table: the method and the path pattern, whose "{name}" segments match
// any one segment. docs/openapi.yaml must describe exactly these (a test checks it).
struct RouteInfo {
  std::string_view method;
  std::string_view pattern;
  // The roles that may call it; the router answers 401 (no or a bad token) or 403 (a role not
  // among these) before the handler runs. README.md's "Roles" table lists them.
  security::RoleSet roles;
};

// The route table, in matching order. HEAD is answered by every GET route and is not listed.
std::span<const RouteInfo> Routes();

Response HandleRequest(Platform& platform, const Request& request);
// The same; the body is moved into the ingester rather than copied.
Response HandleRequest(Platform& platform, Request&& request);

// The requests the HTTP server may answer without holding a thread while they wait
// (HttpServer::AsyncHandler): POST /api/v1/checks, whose answer waits for the check's log entry
// to be flushed. Returns false for any other request (HandleRequest answers it); otherwise calls
// `reply` exactly once, from any thread, with what HandleRequest would have answered. Never throws.
bool HandleRequestAsync(Platform& platform, Request& request, std::function<void(Response)> reply);

// True when the target belongs to the API ("/api" or "/api/..."), i.e. is not a portal file.
bool IsApiTarget(std::string_view target);

// True for the GET requests that read the whole store (data governance, city monitoring): the
// HTTP server runs them on a worker thread, not on an I/O thread (HttpServerOptions::runs_long).
bool RunsLong(std::string_view target);

// Whether `authorization` (an Authorization header) holds a token the platform accepts now.
bool HasValidToken(Platform& platform, std::string_view authorization);

}  // namespace xinyong::server
