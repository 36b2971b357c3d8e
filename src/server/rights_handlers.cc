// Handlers of the objection (异议) and credit-repair (信用修复) endpoints: filing, each step of the
// workflows (POST …/{id}:action), one application with its history, and the queues with their
// deadlines. The rules — who may take which step, the deadlines, the effects on the records —
// are workflow::Service's; these handlers turn a request into its calls. Free text a caller
// sends (reasons, answers, document references) is stored with resident ID numbers masked.
#include <boost/json.hpp>

#include "workflow/service.h"
#include "server/handlers.h"
#include "server/redact.h"

namespace xinyong::server {

namespace json = boost::json;

namespace {

constexpr int64_t kDefaultPageSize = 20;
constexpr int64_t kMaxPageSize = 100;
constexpr int64_t kMaxPage = 100'000;
constexpr size_t kMaxText = 4000;
constexpr size_t kMaxList = 20;

// Who is asking, as the rights service knows callers. `acting` is the department an operator
// records a department's step for (ignored for other roles; a department acts for itself).
workflow::Caller CallerOf(const ApiCall& call, const std::string& acting = "") {
  workflow::Caller c;
  const security::Principal& p = call.principal;
  c.role_name = std::string(security::RoleName(p.role()));
  c.describe = p.Describe();
  switch (p.role()) {
    case security::Role::kOperator:
      c.role = workflow::Caller::Role::kOperator;
      c.department = acting;
      break;
    case security::Role::kSourceDepartment:
      c.role = workflow::Caller::Role::kDepartment;
      c.department = p.department();
      break;
    case security::Role::kSubject:
      c.role = workflow::Caller::Role::kSubject;
      c.subject_id = p.subject_id();
      break;
    default:
      c.role = workflow::Caller::Role::kOther;
  }
  return c;
}

// A service error as a response: an InvalidArgument whose message starts with a request field
// ("reason: …") names it in details.field.
Response RightsError(const Status& s) {
  if (s.code() == StatusCode::kInvalidArgument) {
    const std::string& m = s.message();
    for (std::string_view field : {"reason", "evidence", "documents", "department", "outcome",
                                   "corrections", "declaration", "commitment.content",
                                   "commitment.liability", "commitment"}) {
      if (m.starts_with(std::string(field) + ":")) {
        return StatusResponse(Status(s.code(), RedactPersonalIds(m)),
                              json::object{{"field", field}});
      }
    }
  }
  return StatusResponse(Status(s.code(), RedactPersonalIds(s.message())));
}

bool TextField(const json::object& o, std::string_view name, std::string* out, Response* error) {
  if (!StringField(o, name, out, error, kMaxText)) return false;
  *out = RedactPersonalIds(*out);
  return true;
}

// An array of strings (document references); absent or null is empty.
bool StringList(const json::object& o, std::string_view name, std::vector<std::string>* out,
                Response* error) {
  out->clear();
  const json::value* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) return true;
  if (!v->is_array() || v->as_array().size() > kMaxList) {
    *error = BadField(name, std::string(name) + " must be an array of at most " +
                                std::to_string(kMaxList) + " strings");
    return false;
  }
  for (const json::value& e : v->as_array()) {
    if (!e.is_string() || e.as_string().size() > 500) {
      *error = BadField(name, std::string(name) + " must hold strings of at most 500 bytes");
      return false;
    }
    out->push_back(RedactPersonalIds(std::string_view(e.as_string())));
  }
  return true;
}

// The record a filing names: the subject by code (a subject's token: its own, may be left out)
// and the record by its id.
bool RecordOf(Platform& p, const ApiCall& call, const json::object& body, uint64_t* subject_id,
              uint64_t* record_id, Response* error) {
  std::string code;
  if (!StringField(body, "subject", &code, error, 64)) return false;
  if (code.empty() && call.principal.role() == security::Role::kSubject) {
    *subject_id = call.principal.subject_id();
  } else if (code.empty()) {
    *error = BadField("subject", "subject: give the code of the subject the record is about");
    return false;
  } else {
    auto id = p.FindSubjectIdByCode(code);
    if (!id.ok()) {
      *error = StatusResponse(id.status(), json::object{{"field", "subject"}});
      return false;
    }
    *subject_id = *id;
  }
  if (!OwnSubjectOnly(call, *subject_id, error)) return false;
  const json::value* r = body.if_contains("record");
  if (r == nullptr || !(r->is_uint64() || (r->is_int64() && r->as_int64() > 0))) {
    *error = BadField("record", "record: the id of the record (a positive integer)");
    return false;
  }
  *record_id = r->is_uint64() ? r->as_uint64() : static_cast<uint64_t>(r->as_int64());
  return true;
}

bool IdParam(const ApiCall& call, uint64_t* id, Response* error) {
  const std::string& s = call.params.at(0);
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9' || v > (UINT64_MAX - 9) / 10) {
      *error = BadParameter("id", "id must be the number of an objection or repair application");
      return false;
    }
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (s.empty() || v == 0) {
    *error = BadParameter("id", "id must be the number of an objection or repair application");
    return false;
  }
  *id = v;
  return true;
}

Response Show(Platform& p, const ApiCall& call, workflow::Kind kind, uint64_t id, unsigned status) {
  std::vector<workflow::Event> history;
  auto a = p.rights().Get(CallerOf(call), id, &history);
  if (!a.ok()) return RightsError(a.status());
  if (a->kind != kind) {
    return StatusResponse(Status::NotFound("no " + std::string(workflow::KindName(kind)) +
                                           " has the id " + std::to_string(id)));
  }
  Response r = JsonResponse(status, workflow::ApplicationJson(*a, Date::Today(), history));
  r.about_subject = a->subject_id;  // for the audit log: the path names the application only
  return r;
}

bool BoolParam(const ApiCall& call, std::string_view name, bool* out, Response* error) {
  *out = false;
  const std::string* v = call.target.Query(name);
  if (v == nullptr || v->empty() || *v == "false") return true;
  if (*v == "true") {
    *out = true;
    return true;
  }
  *error = BadParameter(name, std::string(name) + " must be true or false");
  return false;
}

Response List(Platform& p, const ApiCall& call, workflow::Kind kind) {
  int64_t page = 0, page_size = 0;
  Response error;
  if (!IntParam(call, "page", 1, 1, kMaxPage, &page, &error) ||
      !IntParam(call, "page_size", kDefaultPageSize, 1, kMaxPageSize, &page_size, &error)) {
    return error;
  }
  workflow::ListFilter filter;
  filter.kind = kind;
  if (!BoolParam(call, "overdue", &filter.overdue_only, &error) ||
      !BoolParam(call, "open", &filter.open_only, &error)) {
    return error;
  }
  if (const std::string* s = call.target.Query("state"); s != nullptr && !s->empty()) {
    filter.state = workflow::ParseState(*s);
    bool of_kind = false;
    for (const workflow::Transition& t : workflow::Transitions()) {
      of_kind = of_kind || (filter.state && t.kind == kind && t.to == *filter.state);
    }
    if (!of_kind) {
      std::string states;
      for (const workflow::Transition& t : workflow::Transitions()) {
        const std::string name(workflow::StateName(t.to));
        if (t.kind == kind && states.find(name) == std::string::npos) {
          states += (states.empty() ? "" : ", ") + name;
        }
      }
      return BadParameter("state", "state must be one of " + states);
    }
  }
  const Date today = Date::Today();
  std::vector<workflow::Application> apps;
  Status st = p.rights().List(CallerOf(call), filter, today, &apps);
  if (!st.ok()) return RightsError(st);
  json::array items;
  // An application (its reasons, evidence, the department's answers) is the subject's
  // non-public data: each one shown is in its subject's access log (one audit entry each).
  std::vector<uint64_t> shown;
  const size_t first = static_cast<size_t>(page - 1) * static_cast<size_t>(page_size);
  for (size_t i = first; i < apps.size() && items.size() < static_cast<size_t>(page_size); ++i) {
    items.push_back(workflow::ApplicationJson(apps[i], today));
    shown.push_back(apps[i].subject_id);
  }
  json::object o;
  o[kind == workflow::Kind::kObjection ? "objections" : "repairs"] = std::move(items);
  o["page"] = page;
  o["page_size"] = page_size;
  o["total"] = apps.size();
  o["as_of"] = today.ToString();
  Response r = JsonResponse(200, o);
  r.about_subjects = std::move(shown);
  return r;
}

// One step: the body's reason, documents and the members `action` reads.
Response StepCall(Platform& p, const ApiCall& call, workflow::Kind kind, workflow::Action action) {
  uint64_t id = 0;
  Response error;
  if (!IdParam(call, &id, &error)) return error;
  json::object body;
  if (!call.request.body.empty() && !ParseBody(call, &body, &error)) return error;
  workflow::StepRequest req;
  req.action = action;
  std::string department;
  if (!TextField(body, "reason", &req.reason, &error) ||
      !StringList(body, "documents", &req.documents, &error) ||
      !StringField(body, "outcome", &req.outcome, &error, 40) ||
      !StringField(body, "department", &department, &error, 200)) {
    return error;
  }
  // A department acts for itself; the operator names the department whose written answer it
  // records (verify, extend, decide) or to which it forwards (forward).
  std::string acting;
  if (action == workflow::Action::kVerify || action == workflow::Action::kExtend ||
      action == workflow::Action::kDecide) {
    if (!ActingDepartment(call, "department", department, &acting, &error)) return error;
  }
  if (action == workflow::Action::kForward) req.department = department;
  if (const json::value* c = body.if_contains("corrections"); c != nullptr && !c->is_null()) {
    if (!c->is_object()) return BadField("corrections", "corrections must be an object of field code → value");
    for (const auto& [k, v] : c->as_object()) {
      if (!v.is_string() || v.as_string().size() > kMaxText) {
        return BadField("corrections", "corrections: the value of " + std::string(k).substr(0, 40) +
                                           " must be a string of at most 4000 bytes");
      }
      req.corrections.emplace_back(std::string(k), std::string(v.as_string()));
    }
  }
  {
    // The kind is part of the path: an objection's id under /repairs is not found.
    auto a = p.rights().Get(CallerOf(call, acting), id, nullptr);
    if (!a.ok()) return RightsError(a.status());
    if (a->kind != kind) {
      return StatusResponse(Status::NotFound("no " + std::string(workflow::KindName(kind)) +
                                             " has the id " + std::to_string(id)));
    }
  }
  auto done = p.rights().Step(CallerOf(call, acting), id, req, Date::Today());
  if (!done.ok()) return RightsError(done.status());
  return Show(p, call, kind, id, 200);
}

}  // namespace

Response HandlePostObjection(Platform& p, const ApiCall& call) {
  json::object body;
  Response error;
  if (!ParseBody(call, &body, &error)) return error;
  workflow::ObjectionRequest req;
  if (!RecordOf(p, call, body, &req.subject_id, &req.record_id, &error) ||
      !TextField(body, "reason", &req.reason, &error) ||
      !StringList(body, "evidence", &req.evidence, &error)) {
    return error;
  }
  auto a = p.rights().FileObjection(CallerOf(call), req, Date::Today());
  if (!a.ok()) return RightsError(a.status());
  return Show(p, call, workflow::Kind::kObjection, a->id, 201);
}

Response HandleListObjections(Platform& p, const ApiCall& call) {
  return List(p, call, workflow::Kind::kObjection);
}

Response HandleGetObjection(Platform& p, const ApiCall& call) {
  uint64_t id = 0;
  Response error;
  if (!IdParam(call, &id, &error)) return error;
  return Show(p, call, workflow::Kind::kObjection, id, 200);
}

Response HandleForwardObjection(Platform& p, const ApiCall& call) {
  return StepCall(p, call, workflow::Kind::kObjection, workflow::Action::kForward);
}
Response HandleVerifyObjection(Platform& p, const ApiCall& call) {
  return StepCall(p, call, workflow::Kind::kObjection, workflow::Action::kVerify);
}
Response HandleAnswerObjection(Platform& p, const ApiCall& call) {
  return StepCall(p, call, workflow::Kind::kObjection, workflow::Action::kAnswer);
}
Response HandleWithdrawObjection(Platform& p, const ApiCall& call) {
  return StepCall(p, call, workflow::Kind::kObjection, workflow::Action::kWithdraw);
}

Response HandlePostRepair(Platform& p, const ApiCall& call) {
  json::object body;
  Response error;
  if (!ParseBody(call, &body, &error)) return error;
  workflow::RepairRequest req;
  if (!RecordOf(p, call, body, &req.subject_id, &req.record_id, &error) ||
      !TextField(body, "declaration", &req.declaration, &error) ||
      !StringList(body, "evidence", &req.evidence, &error)) {
    return error;
  }
  if (const json::value* c = body.if_contains("commitment"); c != nullptr && !c->is_null()) {
    if (!c->is_object()) {
      return BadField("commitment", "commitment must be an object: content, liability, code");
    }
    workflow::NewCommitment nc;
    if (!TextField(c->as_object(), "content", &nc.content, &error) ||
        !TextField(c->as_object(), "liability", &nc.liability, &error) ||
        !StringField(c->as_object(), "code", &nc.code, &error, 40)) {
      return error;
    }
    req.commitment = std::move(nc);
  }
  auto a = p.rights().ApplyRepair(CallerOf(call), req, Date::Today());
  if (!a.ok()) return RightsError(a.status());
  return Show(p, call, workflow::Kind::kRepair, a->id, 201);
}

Response HandleListRepairs(Platform& p, const ApiCall& call) {
  return List(p, call, workflow::Kind::kRepair);
}

Response HandleGetRepair(Platform& p, const ApiCall& call) {
  uint64_t id = 0;
  Response error;
  if (!IdParam(call, &id, &error)) return error;
  return Show(p, call, workflow::Kind::kRepair, id, 200);
}

Response HandleAcceptRepair(Platform& p, const ApiCall& call) {
  return StepCall(p, call, workflow::Kind::kRepair, workflow::Action::kAccept);
}
Response HandleRefuseRepair(Platform& p, const ApiCall& call) {
  return StepCall(p, call, workflow::Kind::kRepair, workflow::Action::kRefuse);
}
Response HandleExtendRepair(Platform& p, const ApiCall& call) {
  return StepCall(p, call, workflow::Kind::kRepair, workflow::Action::kExtend);
}
Response HandleDecideRepair(Platform& p, const ApiCall& call) {
  return StepCall(p, call, workflow::Kind::kRepair, workflow::Action::kDecide);
}
Response HandleWithdrawRepair(Platform& p, const ApiCall& call) {
  return StepCall(p, call, workflow::Kind::kRepair, workflow::Action::kWithdraw);
}

}  // namespace xinyong::server
