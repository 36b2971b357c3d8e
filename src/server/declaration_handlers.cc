// Voluntary declarations (自主申报, server/declarations.h): a subject declares, lists and withdraws
// its own; the operator declares on its behalf and revokes a false one; everyone reads what the
// view shows (a declaration the subject made public is public; the rest is for the subject and
// the government's roles, as any record of its disclosure).
#include <boost/json.hpp>

#include "server/access.h"
#include "server/declarations.h"
#include "server/redact.h"
#include "server/handlers.h"

namespace xinyong::server {

namespace json = boost::json;

namespace {

constexpr size_t kMaxTextBytes = 12'000;  // 4,000 characters of Chinese text

Response DeclarationError(const Status& st, std::string_view bad_field) {
  json::value details = nullptr;
  if (!bad_field.empty()) details = json::object{{"field", bad_field}};
  if (st.code() == StatusCode::kNotFound) details = json::object{{"parameter", "number"}};
  return StatusResponse(st, std::move(details));
}

// The declaration as a caller who sees its person as the public does gets it: the name masked
// in the declaration and its commitment.
Declaration MaskedPerson(Platform& p, const Subject& person, Declaration d) {
  d.record = PersonRecordForPublic(d.record, p.catalog().Find(d.record.indicator), person.name);
  if (d.commitment) MaskPersonForPublic(p, &*d.commitment);
  return d;
}

// Whether the caller sees this declaration; when not, the very 404 of a number that does not
// exist (NoSuchDeclaration), so that its existence cannot be probed.
bool Visible(Platform& p, const ApiCall& call, const Subject& subject, const Record& r,
             Response* error) {
  RecordView view(p, call.principal, Date::Today());
  auto sees = view.Sees(r, p.catalog().Find(r.indicator));
  if (!sees.ok()) {
    *error = StatusResponse(sees.status());
    return false;
  }
  if (!*sees) {
    *error = DeclarationError(NoSuchDeclaration(subject, r.document_number), "");
    return false;
  }
  return true;
}

}  // namespace

Response HandlePostDeclaration(Platform& p, const ApiCall& call) {
  Subject subject;
  Response error;
  if (!ResolveSubject(p, call, &subject, &error) || !OwnSubjectOnly(call, subject.id, &error)) {
    return error;
  }
  json::object body;
  if (!ParseBody(call, &body, &error)) return error;
  DeclarationRequest rq;
  if (!StringField(body, "kind", &rq.kind, &error) ||
      !StringField(body, "title", &rq.title, &error) ||
      !StringField(body, "content", &rq.content, &error, kMaxTextBytes) ||
      !StringField(body, "issuer", &rq.issuer, &error) ||
      !StringField(body, "obtained", &rq.obtained, &error) ||
      !StringField(body, "valid_until", &rq.valid_until, &error) ||
      !StringField(body, "evidence", &rq.evidence, &error, kMaxTextBytes) ||
      !StringField(body, "publicity", &rq.publicity, &error)) {
    return error;
  }
  if (const json::value* v = body.if_contains("truthful"); v != nullptr && !v->is_null()) {
    if (!v->is_bool()) return BadField("truthful", "truthful must be true or false");
    rq.truthful = v->as_bool();
  }
  std::string bad_field;
  auto d = Declare(p, subject, rq, Date::Today(), &bad_field);
  if (!d.ok()) return DeclarationError(d.status(), bad_field);
  return JsonResponse(201, DeclarationJson(p, *d));
}

Response HandleListDeclarations(Platform& p, const ApiCall& call) {
  Subject subject;
  Response error;
  if (!ResolveSubject(p, call, &subject, &error)) return error;
  bool all_statuses = false;
  if (const std::string* st = call.target.Query("status"); st != nullptr && !st->empty()) {
    if (*st != "all" && *st != "active") {
      return BadParameter("status", "status must be active (the default) or all");
    }
    all_statuses = *st == "all";
  }
  RecordView view(p, call.principal, Date::Today());
  auto levels = view.Levels(subject.id);
  if (!levels.ok()) return StatusResponse(levels.status());
  if (all_statuses && !levels->all()) {
    return Forbidden(call, "status=all (withdrawn and revoked declarations too) is for the "
                           "operator and the subject itself");
  }
  std::vector<Declaration> found;
  if (Status st = ListDeclarations(p, subject, &view, all_statuses, Date::Today(), &found);
      !st.ok()) {
    return StatusResponse(st);
  }
  bool mask = false;
  if (!PersonSeenAsPublic(p, call, subject, &mask, &error)) return error;
  json::array out;
  for (Declaration& d : found) {
    out.push_back(DeclarationJson(p, mask ? MaskedPerson(p, subject, std::move(d)) : d));
  }
  return JsonResponse(200, json::object{{"subject", SubjectHeaderJson(subject, mask)},
                                        {"declarations", std::move(out)}});
}

Response HandleGetDeclaration(Platform& p, const ApiCall& call) {
  Subject subject;
  Response error;
  if (!ResolveSubject(p, call, &subject, &error)) return error;
  auto d = GetDeclaration(p, subject, call.params[1], Date::Today());
  if (!d.ok()) return DeclarationError(d.status(), "");
  if (d->record.status != RecordStatus::kActive) {
    // Withdrawn or revoked: history, for the operator and the subject itself.
    RecordView view(p, call.principal, Date::Today());
    auto levels = view.Levels(subject.id);
    if (!levels.ok()) return StatusResponse(levels.status());
    if (!levels->all()) {
      return DeclarationError(NoSuchDeclaration(subject, d->record.document_number), "");
    }
  } else if (!Visible(p, call, subject, d->record, &error)) {
    return error;
  }
  bool mask = false;
  if (!PersonSeenAsPublic(p, call, subject, &mask, &error)) return error;
  return JsonResponse(200, DeclarationJson(p, mask ? MaskedPerson(p, subject, std::move(*d)) : *d));
}

Response HandleWithdrawDeclaration(Platform& p, const ApiCall& call) {
  Subject subject;
  Response error;
  if (!ResolveSubject(p, call, &subject, &error) || !OwnSubjectOnly(call, subject.id, &error)) {
    return error;
  }
  json::object body;
  if (!ParseBody(call, &body, &error)) return error;
  std::string reason;
  if (!StringField(body, "reason", &reason, &error, kMaxTextBytes)) return error;
  if (reason.empty()) return BadField("reason", "reason is required");
  bool false_declaration = false;
  if (const json::value* v = body.if_contains("false_declaration"); v != nullptr && !v->is_null()) {
    if (!v->is_bool()) return BadField("false_declaration", "false_declaration must be true or false");
    false_declaration = v->as_bool();
  }
  const bool by_operator = call.principal.role() == security::Role::kOperator;
  if (false_declaration && !by_operator) {
    return Forbidden(call, "only the operator finds a declaration false");
  }
  auto d = EndDeclaration(p, subject, call.params[1], reason, by_operator, false_declaration,
                          Date::Today());
  if (!d.ok()) {
    const bool about_reason = d.status().code() == StatusCode::kInvalidArgument &&
                              d.status().message().starts_with("reason");
    return DeclarationError(d.status(), about_reason ? "reason" : "");
  }
  return JsonResponse(200, DeclarationJson(p, *d));
}

}  // namespace xinyong::server
