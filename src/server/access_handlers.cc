// Handlers of the access-control endpoints: the operator's API tokens (created, listed,
// revoked while the server runs) and a subject's consents to financial institutions (recorded,
// listed, withdrawn).
#include <charconv>

#include "server/access.h"
#include "server/handlers.h"

namespace xinyong::server {

namespace json = boost::json;

namespace {

bool PositiveId(const ApiCall& call, size_t param, uint64_t* id, Response* error) {
  const std::string& s = call.params.at(param);
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *id);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || *id == 0) {
    *error = BadParameter("id", "the id must be a positive integer");
    return false;
  }
  return true;
}

// An InvalidArgument whose message starts with "<field>: " names that field.
Response FieldError(const Status& st) {
  if (st.code() == StatusCode::kInvalidArgument) {
    const size_t colon = st.message().find(':');
    if (colon != std::string::npos && colon < 20) {
      return StatusResponse(st, json::object{{"field", st.message().substr(0, colon)}});
    }
  }
  return StatusResponse(st);
}

// The subject of the {code} parameter, which a subject's token may reach only if it is its own.
bool ConsentSubject(Platform& p, const ApiCall& call, Subject* subject, Response* error) {
  return ResolveSubject(p, call, subject, error) && OwnSubjectOnly(call, subject->id, error);
}

}  // namespace

Response HandlePostToken(Platform& p, const ApiCall& call) {
  json::object body;
  Response error;
  if (!ParseBody(call, &body, &error)) return error;
  TokenRequest r;
  if (!StringField(body, "role", &r.role, &error) || !StringField(body, "name", &r.name, &error) ||
      !StringField(body, "dept", &r.dept, &error) ||
      !StringField(body, "subject", &r.subject, &error) ||
      !StringField(body, "institution", &r.institution, &error) ||
      !StringField(body, "source", &r.source, &error) ||
      !StringField(body, "region", &r.region, &error)) {
    return error;
  }
  if (const json::value* v = body.if_contains("indicators"); v != nullptr && !v->is_null()) {
    if (!v->is_array() || v->as_array().size() > 200) {
      return BadField("indicators", "indicators must be an array of indicator codes");
    }
    for (const json::value& i : v->as_array()) {
      if (!i.is_string()) return BadField("indicators", "indicators must be an array of indicator codes");
      r.indicators.emplace_back(i.as_string());
    }
  }
  if (const json::value* v = body.if_contains("expires_days"); v != nullptr && !v->is_null()) {
    if (!v->is_int64() || v->as_int64() < 1 || v->as_int64() > security::kMaxExpiryDays) {
      return BadField("expires_days", "expires_days must be an integer from 1 to " +
                                          std::to_string(security::kMaxExpiryDays));
    }
    r.expires_days = static_cast<int>(v->as_int64());
  }
  r.created_by = call.principal.Describe();
  const int64_t now = NowUnixMs();
  auto t = CreateToken(p, r, now);
  if (!t.ok()) return FieldError(t.status());
  json::object o = TokenJson(t->info, now);
  o["token"] = t->secret;
  Response res = JsonResponse(201, o);
  res.headers.emplace_back("Cache-Control", "no-store");  // the only copy of the secret
  return res;
}

Response HandleListTokens(Platform& p, const ApiCall& call) {
  std::vector<security::TokenInfo> tokens;
  if (Status st = p.tokens().List(&tokens); !st.ok()) return StatusResponse(st);
  const int64_t now = NowUnixMs();
  json::array out;
  for (const auto& t : tokens) out.push_back(TokenJson(t, now));
  return JsonResponse(200, json::object{{"tokens", std::move(out)}});
}

Response HandleRevokeToken(Platform& p, const ApiCall& call) {
  uint64_t id = 0;
  Response error;
  if (!PositiveId(call, 0, &id, &error)) return error;
  const int64_t now = NowUnixMs();
  auto t = p.tokens().Revoke(id, now, call.principal.Describe());
  if (!t.ok()) {
    json::value details = nullptr;
    if (t.status().code() == StatusCode::kNotFound) details = json::object{{"parameter", "id"}};
    return StatusResponse(t.status(), std::move(details));
  }
  return JsonResponse(200, TokenJson(*t, now));
}

Response HandleListConsents(Platform& p, const ApiCall& call) {
  Subject subject;
  Response error;
  if (!ConsentSubject(p, call, &subject, &error)) return error;
  std::vector<security::Consent> consents;
  if (Status st = p.consents().List(subject.id, &consents); !st.ok()) return StatusResponse(st);
  const Date today = Date::Today();
  json::array out;
  for (const auto& c : consents) {
    // An institution sees the consents given to it, not to its competitors.
    if (call.principal.role() == security::Role::kFinancialInstitution &&
        c.institution != call.principal.institution()) {
      continue;
    }
    out.push_back(ConsentJson(c, today));
  }
  json::object header;
  if (!SubjectHeader(p, call, subject, &header, &error)) return error;
  return JsonResponse(200, json::object{{"subject", std::move(header)},
                                        {"consents", std::move(out)}});
}

Response HandlePostConsent(Platform& p, const ApiCall& call) {
  json::object body;
  Response error;
  if (!ParseBody(call, &body, &error)) return error;
  std::string institution, purpose, expires;
  if (!StringField(body, "institution", &institution, &error) ||
      !StringField(body, "purpose", &purpose, &error) ||
      !StringField(body, "expires", &expires, &error)) {
    return error;
  }
  if (expires.empty()) return BadField("expires", "expires (the last day, YYYY-MM-DD) is required");
  auto until = Date::Parse(expires);
  if (!until.ok()) return BadField("expires", "expires must be a date (YYYY-MM-DD)");
  Subject subject;
  if (!ConsentSubject(p, call, &subject, &error)) return error;
  const Date today = Date::Today();
  auto c = p.consents().Grant(subject.id, institution, purpose, *until, today, NowUnixMs(),
                              call.principal.Describe());
  if (!c.ok()) return FieldError(c.status());
  return JsonResponse(201, ConsentJson(*c, today));
}

Response HandleWithdrawConsent(Platform& p, const ApiCall& call) {
  uint64_t id = 0;
  Response error;
  if (!PositiveId(call, 1, &id, &error)) return error;
  Subject subject;
  if (!ConsentSubject(p, call, &subject, &error)) return error;
  const Date today = Date::Today();
  auto c = p.consents().Withdraw(subject.id, id, today, NowUnixMs(), call.principal.Describe());
  if (!c.ok()) {
    json::value details = nullptr;
    if (c.status().code() == StatusCode::kNotFound) details = json::object{{"parameter", "id"}};
    return StatusResponse(c.status(), std::move(details));
  }
  return JsonResponse(200, ConsentJson(*c, today));
}

}  // namespace xinyong::server
