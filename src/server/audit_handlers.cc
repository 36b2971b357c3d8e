// The query log (查询使用登记) of a subject: who looked at its data or acted on it, when, for what
// declared purpose — the audit log's entries about the subject (security/audit.h), newest first.
// The subject reads its own; the operator any subject's. Beside it, the credit checks run on the
// subject with their results.
#include <boost/json.hpp>

#include "security/audit.h"
#include "server/checks.h"
#include "server/handlers.h"

namespace xinyong::server {

namespace json = boost::json;

Response HandleSubjectAccessLog(Platform& p, const ApiCall& call) {
  Subject subject;
  Response error;
  if (!ResolveSubject(p, call, &subject, &error) || !OwnSubjectOnly(call, subject.id, &error)) {
    return error;
  }
  int64_t limit = 0;
  if (!IntParam(call, "limit", 100, 1, 1000, &limit, &error)) return error;
  auto entries = security::SubjectAuditEntries(p.store(), subject.id, static_cast<size_t>(limit));
  if (!entries.ok()) return StatusResponse(entries.status());
  json::array out;
  for (const security::AuditEntry& e : *entries) {
    out.push_back(json::object{{"seq", e.seq},
                               {"time", e.unix_ms},
                               {"who", e.actor},
                               {"role", security::RoleName(e.role)},
                               {"action", e.action},
                               {"what", e.target},
                               {"purpose", e.purpose},
                               {"outcome", e.outcome}});
  }
  return JsonResponse(200, json::object{{"subject", json::object{{"code", subject.DisplayCode()},
                                                                 {"name", subject.name}}},
                                        {"entries", std::move(out)}});
}

// The credit checks run on a subject (信用核查), newest first: who checked, for which scenario and
// purpose, with which result and measures, and what the department then did (feedback).
Response HandleSubjectChecks(Platform& p, const ApiCall& call) {
  Subject subject;
  Response error;
  if (!ResolveSubject(p, call, &subject, &error) || !OwnSubjectOnly(call, subject.id, &error)) {
    return error;
  }
  int64_t limit = 0;
  // Each check is read from its stretch of the log (up to 1,024 checks decoded): a page, not all.
  if (!IntParam(call, "limit", 50, 1, 200, &limit, &error)) return error;
  std::vector<uint64_t> ids;
  if (Status st = p.store().ListSubjectChecks(subject.id, static_cast<size_t>(limit), &ids);
      !st.ok()) {
    return StatusResponse(st);
  }
  json::array out;
  for (uint64_t id : ids) {
    auto c = p.store().GetCheck(id);
    if (!c.ok()) return StatusResponse(c.status());
    if (!c->has_value()) continue;
    json::object o = CheckLogJson(**c);
    // The official's token and address are for the operator, not for the subject.
    if (call.principal.role() == security::Role::kSubject) o.erase("requester");
    out.push_back(std::move(o));
  }
  return JsonResponse(200, json::object{{"subject", json::object{{"code", subject.DisplayCode()},
                                                                 {"name", subject.name}}},
                                        {"checks", std::move(out)}});
}

}  // namespace xinyong::server
