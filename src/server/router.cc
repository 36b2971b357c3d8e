#include "server/router.h"

#include <array>
#include <exception>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "server/handlers.h"
#include "server/redact.h"
#include "server/target.h"

namespace xinyong::server {

namespace {

struct Route {
  std::string_view method;
  std::string_view pattern;  // segments; "{name}" matches any one segment
  Handler handler;
};

// Ordered: the first route whose pattern and method match handles the request.
constexpr Route kRoutes[] = {
    {"GET", "/api/v1/health", HandleHealth},
    {"GET", "/api/v1/catalog", HandleCatalog},
    {"GET", "/api/v1/subjects/{code}", HandleSubject},
    {"GET", "/api/v1/subjects/{code}/records", HandleSubjectRecords},
    {"GET", "/api/v1/subjects/{code}/grade", HandleSubjectGrade},
    {"GET", "/api/v1/subjects/{code}/grades", HandleSubjectGrades},
    {"POST", "/api/v1/grades:recompute", HandlePostGradesRecompute},
    {"GET", "/api/v1/search", HandleSearch},
    {"POST", "/api/v1/batches", HandlePostBatch},
    {"GET", "/api/v1/batches", HandleListBatches},
    {"GET", "/api/v1/batches/{id}", HandleGetBatch},
    {"GET", "/api/v1/lists/{type}", HandleGetList},
    {"GET", "/api/v1/commitments", HandleListCommitments},
    {"GET", "/api/v1/subjects/{code}/commitments", HandleSubjectCommitments},
    {"POST", "/api/v1/subjects/{code}/commitments/{number}/fulfilment", HandlePostFulfilment},
    {"POST", "/api/v1/inspections", HandlePostInspection},
    {"GET", "/api/v1/inspections", HandleListInspections},
    {"GET", "/api/v1/inspections/{id}", HandleGetInspection},
    {"POST", "/api/v1/checks", HandlePostCheck},
    {"POST", "/api/v1/checks:batch", HandlePostCheckBatch},
    {"GET", "/api/v1/checks/stats", HandleCheckStats},
    {"GET", "/api/v1/checks/{id}", HandleGetCheck},
    {"POST", "/api/v1/checks/{id}/feedback", HandlePostCheckFeedback},
};

constexpr auto kRouteInfos = [] {
  std::array<RouteInfo, std::size(kRoutes)> out{};
  for (size_t i = 0; i < out.size(); ++i) out[i] = {kRoutes[i].method, kRoutes[i].pattern};
  return out;
}();

bool Match(std::string_view pattern, const std::vector<std::string>& segments,
           std::vector<std::string>* params) {
  params->clear();
  size_t i = 0;
  size_t pos = 1;
  while (pos <= pattern.size()) {
    size_t slash = pattern.find('/', pos);
    if (slash == std::string_view::npos) slash = pattern.size();
    std::string_view part = pattern.substr(pos, slash - pos);
    pos = slash + 1;
    if (i >= segments.size()) return false;
    if (!part.empty() && part.front() == '{') {
      params->push_back(segments[i]);
    } else if (part != segments[i]) {
      return false;
    }
    ++i;
  }
  return i == segments.size();
}

std::string ShortPath(std::string_view path) {
  constexpr size_t kMax = 200;
  if (path.size() <= kMax) return std::string(path);
  return std::string(path.substr(0, kMax)) + "...";
}

Response Dispatch(Platform& platform, Request& request) {
  ParsedTarget target;
  std::string error;
  if (!ParseTarget(request.target, &target, &error)) {
    return StatusResponse(Status::InvalidArgument(error));
  }
  // HEAD is GET without a body; the server drops the body.
  std::string_view method = request.method == "HEAD" ? std::string_view("GET") : request.method;
  std::vector<std::string> params;
  std::string allow;
  for (const Route& route : kRoutes) {
    if (!Match(route.pattern, target.segments, &params)) continue;
    if (route.method == method) {
      ApiCall call{request, target, params};
      return route.handler(platform, call);
    }
    if (allow.find(route.method) == std::string::npos) {
      if (!allow.empty()) allow += ", ";
      allow += route.method;
      if (route.method == "GET") allow += ", HEAD";
    }
  }
  if (!allow.empty()) {
    Response r = ErrorResponse(405, "method_not_allowed",
                               "method " + request.method.substr(0, 16) + " is not allowed on " +
                                   ShortPath(target.path) + "; allowed: " + allow,
                               boost::json::object{{"allow", allow}});
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  return StatusResponse(Status::NotFound("no API endpoint at " + ShortPath(target.path)));
}

}  // namespace

std::span<const RouteInfo> Routes() { return kRouteInfos; }

bool IsApiTarget(std::string_view target) {
  if (!target.starts_with("/api")) return false;
  return target.size() == 4 || target[4] == '/' || target[4] == '?';
}

Response HandleRequest(Platform& platform, Request&& request) {
  try {
    return Dispatch(platform, request);
  } catch (const std::exception& e) {
    std::string_view path(request.target);
    path = path.substr(0, path.find('?'));
    spdlog::error("internal error on {} {}: {}", ForLog(request.method, 32), ForLog(path),
                  ForLog(e.what()));
    return StatusResponse(Status::Internal("internal error; the server log has the details"));
  }
}

bool HandleRequestAsync(Platform& platform, Request& request, std::function<void(Response)> reply) {
  if (request.method != "POST") return false;
  ParsedTarget target;
  std::string error;
  std::vector<std::string> params;
  if (!ParseTarget(request.target, &target, &error) ||
      !Match("/api/v1/checks", target.segments, &params)) {
    return false;
  }
  // An exception can only come before the check is handed to the logger, i.e. before `reply`
  // was passed on.
  try {
    ApiCall call{request, target, params};
    HandlePostCheckAsync(platform, call, reply);
  } catch (const std::exception& e) {
    spdlog::error("internal error on POST /api/v1/checks: {}", ForLog(e.what()));
    reply(StatusResponse(Status::Internal("internal error; the server log has the details")));
  }
  return true;
}

Response HandleRequest(Platform& platform, const Request& request) {
  Request copy = request;
  return HandleRequest(platform, std::move(copy));
}

}  // namespace xinyong::server
