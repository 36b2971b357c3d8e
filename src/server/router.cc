#include "server/router.h"

#include <algorithm>
#include <array>
#include <exception>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "server/access.h"
#include "server/handlers.h"
#include "server/redact.h"
#include "server/reports.h"
#include "server/target.h"

namespace xinyong::server {

namespace {

struct Route {
  std::string_view method;
  std::string_view pattern;  // segments; "{name}" matches any one segment
  Handler handler;
  // Who may call it (README.md, "Roles"). Empty: nobody — a route added without a policy is
  // refused to every caller, and access_test fails until it has one.
  security::RoleSet roles;
};

using security::Role;
using security::RoleSet;
constexpr RoleSet kEveryone = RoleSet::All();
constexpr RoleSet kOperator{Role::kOperator};
// Government: the operator and the departments.
constexpr RoleSet kGovernment{Role::kOperator, Role::kSourceDepartment, Role::kUsingDepartment};
constexpr RoleSet kSources{Role::kOperator, Role::kSourceDepartment};
constexpr RoleSet kUsers{Role::kOperator, Role::kUsingDepartment};
// Grades are government-internal (graded supervision); a subject reads its own.
constexpr RoleSet kGrades{Role::kOperator, Role::kSourceDepartment, Role::kUsingDepartment,
                          Role::kSubject};
// A subject's consents: the subject, the operator on its behalf, an institution its own.
constexpr RoleSet kConsentReaders{Role::kOperator, Role::kSubject, Role::kFinancialInstitution};
constexpr RoleSet kConsentWriters{Role::kOperator, Role::kSubject};
// Objections and credit repair (src/workflow): a subject files its own (the operator on its
// behalf) and reads its own; the operator forwards, accepts and answers; the source department
// answers what was forwarded to it and decides the repair of its own findings (the operator may
// record its written answer by naming it). The service narrows further (service.h).
constexpr RoleSet kApplicants{Role::kOperator, Role::kSubject};
constexpr RoleSet kRightsReaders{Role::kOperator, Role::kSourceDepartment, Role::kSubject};
// A lower instance's change feed: its lower_platform token (its own source and region only, the
// handlers check), or an operator.
constexpr RoleSet kPushers{Role::kOperator, Role::kLowerPlatform};

// Ordered: the first route whose pattern and method match handles the request.
constexpr Route kRoutes[] = {
    {"GET", "/api/v1/health", HandleHealth, kEveryone},
    {"GET", "/api/v1/catalog", HandleCatalog, kEveryone},
    {"GET", "/api/v1/subjects/{code}", HandleSubject, kEveryone},
    {"GET", "/api/v1/subjects/{code}/records", HandleSubjectRecords, kEveryone},
    {"GET", "/api/v1/subjects/{code}/grade", HandleSubjectGrade, kGrades},
    {"GET", "/api/v1/subjects/{code}/grades", HandleSubjectGrades, kGrades},
    {"POST", "/api/v1/grades:recompute", HandlePostGradesRecompute, kOperator},
    {"GET", "/api/v1/search", HandleSearch, kEveryone},
    {"POST", "/api/v1/batches", HandlePostBatch, kSources},
    {"GET", "/api/v1/batches", HandleListBatches, kSources},
    {"GET", "/api/v1/batches/{id}", HandleGetBatch, kSources},
    {"GET", "/api/v1/lists/{type}", HandleGetList, kEveryone},
    // The portal's public listings: 双公示 decisions and the measures list.
    {"GET", "/api/v1/publicity", HandlePublicity, kEveryone},
    {"GET", "/api/v1/measures", HandleMeasures, kEveryone},
    {"GET", "/api/v1/commitments", HandleListCommitments, kEveryone},
    {"GET", "/api/v1/subjects/{code}/commitments", HandleSubjectCommitments, kEveryone},
    {"POST", "/api/v1/subjects/{code}/commitments", HandlePostCommitment, kApplicants},
    {"POST", "/api/v1/subjects/{code}/commitments/{number}/fulfilment", HandlePostFulfilment,
     kGovernment},
    {"GET", "/api/v1/subjects/{code}/access-log", HandleSubjectAccessLog, kApplicants},
    {"GET", "/api/v1/subjects/{code}/checks", HandleSubjectChecks, kApplicants},
    {"POST", "/api/v1/subjects/{code}/declarations", HandlePostDeclaration, kApplicants},
    {"GET", "/api/v1/subjects/{code}/declarations", HandleListDeclarations, kEveryone},
    {"GET", "/api/v1/subjects/{code}/declarations/{number}", HandleGetDeclaration, kEveryone},
    {"POST", "/api/v1/subjects/{code}/declarations/{number}:withdraw", HandleWithdrawDeclaration,
     kApplicants},
    {"GET", "/api/v1/subjects/{code}/consents", HandleListConsents, kConsentReaders},
    {"POST", "/api/v1/subjects/{code}/consents", HandlePostConsent, kConsentWriters},
    {"DELETE", "/api/v1/subjects/{code}/consents/{id}", HandleWithdrawConsent, kConsentWriters},
    {"POST", "/api/v1/inspections", HandlePostInspection, kUsers},
    {"GET", "/api/v1/inspections", HandleListInspections, kEveryone},
    {"GET", "/api/v1/inspections/{id}", HandleGetInspection, kEveryone},
    {"POST", "/api/v1/inspections/{id}/results", HandlePostInspectionResults, kUsers},
    {"GET", "/api/v1/subjects/{code}/inspections", HandleSubjectInspections, kEveryone},
    {"POST", "/api/v1/checks", HandlePostCheck, kUsers},
    {"POST", "/api/v1/checks:batch", HandlePostCheckBatch, kUsers},
    {"GET", "/api/v1/checks/stats", HandleCheckStats, kUsers},
    {"GET", "/api/v1/checks/{id}", HandleGetCheck, kUsers},
    {"POST", "/api/v1/checks/{id}/feedback", HandlePostCheckFeedback, kUsers},
    {"POST", "/api/v1/tokens", HandlePostToken, kOperator},
    {"GET", "/api/v1/tokens", HandleListTokens, kOperator},
    {"DELETE", "/api/v1/tokens/{id}", HandleRevokeToken, kOperator},
    {"POST", "/api/v1/objections", HandlePostObjection, kApplicants},
    {"GET", "/api/v1/objections", HandleListObjections, kRightsReaders},
    {"GET", "/api/v1/objections/{id}", HandleGetObjection, kRightsReaders},
    {"POST", "/api/v1/objections/{id}:forward", HandleForwardObjection, kOperator},
    {"POST", "/api/v1/objections/{id}:verify", HandleVerifyObjection, kSources},
    {"POST", "/api/v1/objections/{id}:answer", HandleAnswerObjection, kOperator},
    {"POST", "/api/v1/objections/{id}:withdraw", HandleWithdrawObjection, kApplicants},
    {"POST", "/api/v1/repairs", HandlePostRepair, kApplicants},
    {"GET", "/api/v1/repairs", HandleListRepairs, kRightsReaders},
    {"GET", "/api/v1/repairs/{id}", HandleGetRepair, kRightsReaders},
    {"POST", "/api/v1/repairs/{id}:accept", HandleAcceptRepair, kOperator},
    {"POST", "/api/v1/repairs/{id}:refuse", HandleRefuseRepair, kOperator},
    {"POST", "/api/v1/repairs/{id}:extend", HandleExtendRepair, kSources},
    {"POST", "/api/v1/repairs/{id}:decide", HandleDecideRepair, kSources},
    {"POST", "/api/v1/repairs/{id}:withdraw", HandleWithdrawRepair, kApplicants},
    // Credit reports: anyone may ask; the handler narrows (a natural person's, a special or a full
    // report only for the subject itself or the operator: reports.h MayRequestReport).
    {"POST", "/api/v1/subjects/{code}/reports", HandlePostSubjectReport, kEveryone},
    {"GET", "/api/v1/reports/public-key", HandleReportPublicKey, kEveryone},
    {"GET", "/api/v1/reports/{number}/verification", HandleReportVerification, kEveryone},
    // Data governance: a source department reads its own submissions' figures, the operator
    // every department's and the city monitoring series (src/governance).
    {"GET", "/api/v1/governance", HandleGovernance, kSources},
    {"GET", "/api/v1/governance.xlsx", HandleGovernanceXlsx, kSources},
    {"GET", "/api/v1/monitoring", HandleMonitoring, kOperator},
    // Exchange between platform levels (src/exchange): a lower instance pushes with its
    // lower_platform token (or an operator token); the feed itself is for operators.
    {"POST", "/api/v1/exchange/changes", HandlePostExchangeChanges, kPushers},
    {"GET", "/api/v1/exchange/cursor", HandleGetExchangeCursor, kPushers},
    {"GET", "/api/v1/exchange/feed", HandleGetExchangeFeed, kOperator},
};

constexpr auto kRouteInfos = [] {
  std::array<RouteInfo, std::size(kRoutes)> out{};
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = {kRoutes[i].method, kRoutes[i].pattern, kRoutes[i].roles};
  }
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
      // "{id}" takes the whole segment; "{id}:verb" a segment ending in ":verb", without it.
      const std::string_view suffix = part.substr(part.find('}') + 1);
      const std::string& segment = segments[i];
      if (suffix.empty()) {
        params->push_back(segment);
      } else if (segment.size() > suffix.size() && segment.ends_with(suffix)) {
        params->push_back(segment.substr(0, segment.size() - suffix.size()));
      } else {
        return false;
      }
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

// RFC 6750: a 401 names the scheme; a token that was presented and refused is invalid_token.
Response Unauthenticated(std::string_view message, bool token_refused) {
  Response r = ErrorResponse(401, "unauthenticated", message);
  r.headers.emplace_back("WWW-Authenticate", token_refused
                                                 ? R"(Bearer realm="xinyong", error="invalid_token")"
                                                 : R"(Bearer realm="xinyong")");
  return r;
}

// Who sent the request: the public without an Authorization header (no work at all), else the
// principal of its bearer token. False and a 401 for anything but a valid token.
bool Authenticate(Platform& platform, std::string_view h, security::Principal* out,
                  Response* error) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  constexpr std::string_view kScheme = "bearer";
  bool bearer = h.size() > kScheme.size() && (h[kScheme.size()] == ' ' || h[kScheme.size()] == '\t');
  for (size_t i = 0; bearer && i < kScheme.size(); ++i) bearer = lower(h[i]) == kScheme[i];
  if (!bearer) {
    *error = Unauthenticated("the Authorization header must be 'Bearer <token>'", true);
    return false;
  }
  h.remove_prefix(kScheme.size());
  while (!h.empty() && (h.front() == ' ' || h.front() == '\t')) h.remove_prefix(1);
  while (!h.empty() && (h.back() == ' ' || h.back() == '\t')) h.remove_suffix(1);
  auto auth = platform.tokens().Authenticate(h, NowUnixMs());
  if (!auth.ok()) {
    *error = StatusResponse(auth.status());
    return false;
  }
  if (!auth->principal) {
    *error = Unauthenticated(auth->refusal, true);
    return false;
  }
  *out = std::move(*auth->principal);
  return true;
}

// Whether the caller may use the route: *out is who it is (left the public without an
// Authorization header, at no cost). Else false and *error: a 401 without a valid token where
// one is needed, a 403 naming the role when the route's roles do not include it.
bool Admit(Platform& platform, const Request& request, const Route& route,
           security::Principal* out, Response* error) {
  if (request.authorization.empty()) {
    if (route.roles.Has(Role::kPublic)) return true;
    *error = Unauthenticated(std::string(route.method) + " " + std::string(route.pattern) +
                                 " needs a bearer token of one of these roles: " +
                                 route.roles.Names(),
                             false);
    return false;
  }
  if (!Authenticate(platform, request.authorization, out, error)) return false;
  if (route.roles.Has(out->role())) return true;
  const std::string role(security::RoleName(out->role()));
  *error = ErrorResponse(
      403, "permission_denied",
      "the " + role + " role may not use " + std::string(route.method) + " " +
          std::string(route.pattern) +
          (route.roles.empty() ? "; no role may" : "; roles allowed: " + route.roles.Names()),
      boost::json::object{{"role", role}, {"allowed", route.roles.Names()}});
  return false;
}

// The declared purpose of a call (查询事由): the `purpose` query parameter, else the X-Purpose
// header (percent-encoded UTF-8); at most 200 bytes, made safe for a log line.
std::string DeclaredPurpose(const Request& request, const ParsedTarget& target) {
  std::string purpose;
  if (const std::string* q = target.Query("purpose")) {
    purpose = *q;
  } else if (!request.purpose.empty() && !PercentDecode(request.purpose, false, &purpose)) {
    purpose.clear();
  }
  return ForLog(purpose, 200);
}

// What a call is about, for the audit log: the subject (0 when none or unknown) — the {code} of
// its path, or the `subject` of a single credit check's body — and the declared purpose, which a
// check states in its body (read before the handler may move the body out).
struct AuditAbout {
  uint64_t subject_id = 0;
  std::string purpose;
};

AuditAbout About(Platform& platform, const Route& route, const Request& request,
                 const ParsedTarget& target, const std::vector<std::string>& params) {
  AuditAbout about;
  about.purpose = DeclaredPurpose(request, target);
  std::string code;
  if (size_t at = route.pattern.find("{code}"); at != std::string_view::npos) {
    const auto index = static_cast<size_t>(std::count(
        route.pattern.begin(), route.pattern.begin() + static_cast<std::ptrdiff_t>(at), '{'));
    if (index < params.size()) code = params[index];
  } else if (route.pattern == "/api/v1/checks" && request.body.size() < 4096) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(request.body, ec);
    if (!ec && v.is_object()) {
      if (const auto* s = v.as_object().if_contains("subject"); s && s->is_string()) {
        code = std::string(s->as_string());
      }
      // A check's purpose is the one its log keeps: the body's, over a query or a header.
      const auto* p = v.as_object().if_contains("purpose");
      if (p && p->is_string()) about.purpose = ForLog(std::string_view(p->as_string()), 200);
    }
  }
  if (!code.empty()) {
    if (auto id = platform.FindSubjectIdByCode(code); id.ok()) about.subject_id = *id;
  }
  return about;
}

// How many refusals of callers without a valid token one client address has entered in the
// audit log a minute (Audited).
constexpr size_t kRefusalAuditsPerMinute = 60;

// Whether one more refused request of a caller without a valid token from `request`'s client
// may be entered in the audit log: anyone can send such requests, and the log is never pruned.
// Past kRefusalAuditsPerMinute a minute from one address (ClientBucket: an IPv6 client's /64),
// the server's log says so once and the rest of that minute's are not entered.
bool WithinRefusalQuota(Platform& platform, const Request& request) {
  const std::string client = ClientBucket(ClientAddress(request, platform.options().trusted_proxies));
  const int64_t minute = NowUnixMs() / 60000;
  if (platform.refusal_audits().TryCount(client, minute, kRefusalAuditsPerMinute)) return true;
  if (platform.refusal_audits().TryCount(client + " (told)", minute, 1)) {
    spdlog::warn("more than {} requests from {} refused this minute for want of a valid token; "
                 "the rest of this minute's are not entered in the audit log",
                 kRefusalAuditsPerMinute, ForLog(client, 64));
  }
  return false;
}

// A refused request of a caller without a valid token stays in the audit log but out of the
// subject's access log: anyone could send such requests by the thousand, naming any subject,
// and push the real reads of its data out of the list the subject sees. The subject it named
// is kept in the entry's outcome.
void KeepRefusalOutOfSubjectLog(security::AuditEntry* e) {
  if (e->subject_id == 0) return;
  e->outcome += " (subject " + std::to_string(e->subject_id) + ")";
  e->subject_id = 0;
}

// Every write, and every call made with a token (which may read non-public data), is appended
// to the audit log before it is answered: who, which route, about which subject, the declared
// purpose and the status. An answer that could not be audited is not given (503). The public's
// reads are not logged: they see public data only; but a read with a token that was refused
// (revoked, expired, unknown) is, as a probe with a credential.
Response Audited(Platform& platform, const Request& request, const Route& route,
                 AuditAbout about, const security::Principal& who, bool admitted,
                 bool token_refused, Response response) {
  const bool write = route.method != "GET";
  security::AuditLog* log = platform.audit();
  if ((!write && who.is_public() && !token_refused) || log == nullptr) return response;
  security::AuditEntry e = security::AuditEntryFor(
      who, write ? "write" : "read", std::string(route.method) + " " + std::string(route.pattern));
  if (token_refused) e.actor = "a refused token";
  e.subject_id = about.subject_id != 0 ? about.subject_id : response.about_subject;
  e.purpose = std::move(about.purpose);
  e.outcome = std::to_string(response.status);
  if (!admitted && who.is_public()) KeepRefusalOutOfSubjectLog(&e);
  // An answer about many subjects: an entry for each, so that each subject's access log shows
  // it. All but the last go without waiting; the last is durable only after them (one chain,
  // written in order), so the answer still waits for all of them.
  if (!response.about_purpose.empty()) e.purpose = ForLog(response.about_purpose, 200);
  std::vector<uint64_t> many = std::move(response.about_subjects);
  std::sort(many.begin(), many.end());
  many.erase(std::unique(many.begin(), many.end()), many.end());
  if (!many.empty()) {
    for (size_t i = 0; i + 1 < many.size(); ++i) {
      security::AuditEntry one = e;
      one.subject_id = many[i];
      log->AppendAsync(std::move(one));
    }
    e.subject_id = many.back();
  }
  if (who.is_public() && (!admitted || response.status >= 400)) {
    // A refusal of a caller without a valid token, or a public write that failed: not waited
    // for — anyone can send those, and a flush each would be theirs to spend — and at most
    // kRefusalAuditsPerMinute a minute from one address (WithinRefusalQuota).
    if (WithinRefusalQuota(platform, request)) log->AppendAsync(std::move(e));
    return response;
  }
  if (auto seq = log->Append(std::move(e)); !seq.ok()) {
    spdlog::error("audit log not written; answering 503: {}", ForLog(seq.status().ToString()));
    return StatusResponse(Status::Unavailable("the audit log could not be written; try again"));
  }
  return response;
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
      security::Principal principal;
      Response refused;
      const bool admitted = Admit(platform, request, route, &principal, &refused);
      const bool token_refused = !admitted && !request.authorization.empty() && principal.is_public();
      const bool audit = platform.audit() != nullptr &&
                         (route.method != "GET" || !principal.is_public() || token_refused);
      AuditAbout about = audit ? About(platform, route, request, target, params) : AuditAbout();
      if (!admitted) {
        return Audited(platform, request, route, std::move(about), principal, false, token_refused,
                       std::move(refused));
      }
      ApiCall call{request, target, params, principal};
      Response r = Audited(platform, request, route, std::move(about), principal, true, false,
                           route.handler(platform, call));
      // What a token sees is not for shared caches (the public's answers stay cacheable).
      if (!principal.is_public() && route.method == "GET" && r.Header("Cache-Control").empty()) {
        r.headers.emplace_back("Cache-Control", "private, no-cache");
      }
      return r;
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

bool HasValidToken(Platform& platform, std::string_view authorization) {
  security::Principal principal;
  Response refused;
  return Authenticate(platform, authorization, &principal, &refused);
}

bool IsApiTarget(std::string_view target) {
  if (!target.starts_with("/api")) return false;
  return target.size() == 4 || target[4] == '/' || target[4] == '?';
}

bool RunsLong(std::string_view target) {
  // As the router reads the target (decoded segments, a trailing slash ignored), so that no
  // spelling of these paths reaches their handlers on an I/O thread.
  ParsedTarget parsed;
  std::string error;
  if (!ParseTarget(target, &parsed, &error)) return false;
  std::vector<std::string> params;
  for (std::string_view pattern :
       {"/api/v1/governance", "/api/v1/governance.xlsx", "/api/v1/monitoring"}) {
    if (Match(pattern, parsed.segments, &params)) return true;
  }
  return false;
}

Response HandleRequest(Platform& platform, Request&& request) {
  try {
    return Dispatch(platform, request);
  } catch (const std::exception& e) {
    spdlog::error("internal error on {} {}: {}", ForLog(request.method, 32),
                  LogPath(request.target), ForLog(e.what()));
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
  static const Route& route = *std::find_if(std::begin(kRoutes), std::end(kRoutes), [](const Route& r) {
    return r.method == "POST" && r.pattern == "/api/v1/checks";
  });
  // An exception can only come before the check is handed to the logger, i.e. before `reply`
  // was passed on.
  try {
    security::Principal principal;
    Response refused;
    const bool admitted = Admit(platform, request, route, &principal, &refused);
    // Audited as every write is, without holding a thread: a check logged has its entry in the
    // check log's own write; any other answer's follows in the audit log's next group.
    const bool token_refused = !admitted && !request.authorization.empty() && principal.is_public();
    auto entry = [&platform, principal, admitted, token_refused](
                     const Response& r, AuditAbout about) -> std::optional<security::AuditEntry> {
      if (platform.audit() == nullptr) return std::nullopt;
      security::AuditEntry e = security::AuditEntryFor(principal, "write", "POST /api/v1/checks");
      if (token_refused) e.actor = "a refused token";
      e.subject_id = about.subject_id;
      e.purpose = std::move(about.purpose);
      e.outcome = std::to_string(r.status);
      if (!admitted && principal.is_public()) KeepRefusalOutOfSubjectLog(&e);
      return e;
    };
    auto audit = [&platform, &entry](const Response& r, AuditAbout about) {
      if (auto e = entry(r, std::move(about))) platform.audit()->AppendAsync(std::move(*e));
    };
    // A check made names its subject and purpose itself; for any other answer they are read
    // from the request.
    auto about_request = [&] {
      return platform.audit() != nullptr ? About(platform, route, request, target, params)
                                         : AuditAbout();
    };
    if (!admitted) {
      if (!principal.is_public() || WithinRefusalQuota(platform, request)) {
        audit(refused, about_request());
      }
      reply(std::move(refused));
      return true;
    }
    ApiCall call{request, target, params, principal};
    // The purpose the check log keeps (the body's, which a check requires), as on every path.
    auto check_entry = [entry](const Response& r, const CheckLog& c) {
      return entry(r, AuditAbout{c.subject_id, ForLog(c.purpose, 200)});
    };
    Response error;
    if (!HandlePostCheckAsync(platform, call, std::move(check_entry), reply, &error)) {
      audit(error, about_request());
      reply(std::move(error));
    }
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
