// Handlers of the joint rewards and punishments endpoints: credit checks (信用核查) — single and
// batch, a logged check, the using department's feedback, counts by department and scenario —
// and the lists' current members. Every check answered is logged first; a check that cannot be
// logged is not answered.
#include <charconv>
#include <map>

#include "server/checks.h"
#include "server/handlers.h"
#include "server/json_views.h"
#include "server/json_writer.h"
#include "server/lists.h"
#include "server/redact.h"

namespace xinyong::server {

namespace json = boost::json;

namespace {

constexpr size_t kMaxBatchSubjects = 10000;
bool ReadRequest(const ApiCall& call, const json::object& body, CheckRequest* r, Response* error) {
  if (!StringField(body, "scenario", &r->scenario, error) ||
      !StringField(body, "purpose", &r->purpose, error) ||
      !StringField(body, "department", &r->department, error) ||
      !ActingDepartment(call, "department", r->department, &r->department, error)) {
    return false;
  }
  for (auto [name, value] : {std::pair<std::string_view, const std::string*>{"scenario", &r->scenario},
                             {"purpose", &r->purpose},
                             {"department", &r->department}}) {
    if (value->empty()) {
      *error = BadField(name, std::string(name) + " is required");
      return false;
    }
  }
  // Free text kept in the check log: a person's number in it is kept as its mask.
  r->purpose = RedactPersonalIds(r->purpose);
  // Who asked: the token (role, id, department) and the address it came from.
  r->requester = call.principal.Describe() + " from " +
                 call.request.peer.substr(0, call.request.peer.rfind(':'));
  return true;
}

// A using department reads and answers its own checks only.
bool OwnCheck(const ApiCall& call, const CheckLog& c, Response* error) {
  if (call.principal.role() != security::Role::kUsingDepartment ||
      c.department == call.principal.department()) {
    return true;
  }
  *error = Forbidden(call, "credit check " + std::to_string(c.id) + " was made by another department");
  return false;
}

bool CheckId(const ApiCall& call, uint64_t* id, Response* error) {
  const std::string& s = call.params[0];
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *id);
  if (ec != std::errc() || ptr != s.data() + s.size() || *id == 0) {
    *error = BadParameter("id", "the id must be a positive integer");
    return false;
  }
  return true;
}

}  // namespace

namespace {

// The check a POST /api/v1/checks asks for, evaluated as of `today`; false and the error
// response when the request is bad or the subject cannot be checked.
bool EvaluatePostedCheck(Platform& p, const ApiCall& call, Date today, CheckDone* out,
                         Response* error) {
  json::object body;
  if (!ParseBody(call, &body, error)) return false;
  CheckRequest r;
  if (!StringField(body, "subject", &r.subject, error)) return false;
  if (r.subject.empty()) {
    *error = BadField("subject", "subject (a subject code) is required");
    return false;
  }
  if (!ReadRequest(call, body, &r, error)) return false;
  auto done = EvaluateCheck(p, r, today);
  if (!done.ok()) {
    if (done.status().code() == StatusCode::kInvalidArgument &&
        done.status().message().starts_with("unknown scenario")) {
      *error = BadField("scenario", done.status().message());
    } else {
      *error = StatusResponse(done.status(), json::object{{"field", "subject"}});
    }
    return false;
  }
  *out = std::move(done).value();
  return true;
}

}  // namespace

Response HandlePostCheck(Platform& p, const ApiCall& call) {
  const Date today = Date::Today();
  CheckDone done;
  Response error;
  if (!EvaluatePostedCheck(p, call, today, &done, &error)) return error;
  std::vector<CheckDone*> batch{&done};
  if (Status st = LogChecks(p, batch); !st.ok()) return StatusResponse(st);
  return JsonResponse(201, CheckJson(done, today));
}

bool HandlePostCheckAsync(Platform& p, const ApiCall& call, CheckAuditFn audit,
                          std::function<void(Response)> reply, Response* error) {
  // What the log write's callback needs, alive until it runs (the run points into `done`).
  struct Pending {
    Date today = Date::Today();
    CheckDone done;
    CheckRun run;
    Response response;  // the answer but for the check's id
  };
  auto pending = std::make_shared<Pending>();
  if (!EvaluatePostedCheck(p, call, pending->today, &pending->done, error)) return false;
  // A check that is not logged is answered with the error, which is audited on its own.
  auto failed = [&p, audit, reply](Response r, const CheckLog& c) {
    if (security::AuditLog* log = p.audit()) {
      if (auto e = audit(r, c)) log->AppendAsync(std::move(*e));
    }
    reply(std::move(r));
  };
  CheckLogger* logger = p.check_logger();
  if (logger == nullptr) {
    failed(StatusResponse(Status::FailedPrecondition("the store is read-only")), pending->done.log);
    return true;
  }
  pending->run = CheckRunOf(pending->done);
  // The answer is written now, on this thread, and gets its id (CheckJson's first member) once
  // logged: the logger's thread, which writes the next checks' log meanwhile, only adds the id.
  pending->response = JsonResponse(201, CheckJson(pending->done, pending->today));
  auto logged = [pending, failed = std::move(failed), reply = std::move(reply)](Result<uint64_t> id) {
    if (!id.ok()) return failed(StatusResponse(id.status()), pending->done.log);
    pending->done.log.id = *id;
    pending->response.body.insert(1, "\"id\":" + std::to_string(*id) + ",");
    reply(std::move(pending->response));
  };
  logger->LogAsync(&pending->run, audit(pending->response, pending->done.log), std::move(logged));
  return true;
}

Response HandlePostCheckBatch(Platform& p, const ApiCall& call) {
  json::object body;
  Response error;
  if (!ParseBody(call, &body, &error)) return error;
  CheckRequest base;
  if (!ReadRequest(call, body, &base, &error)) return error;
  if (p.measures().FindScenario(base.scenario) == nullptr) {
    return BadField("scenario", "unknown scenario '" + base.scenario.substr(0, 64) + "'");
  }
  const json::value* subjects = body.if_contains("subjects");
  if (subjects == nullptr || !subjects->is_array() || subjects->as_array().empty() ||
      subjects->as_array().size() > kMaxBatchSubjects) {
    return BadField("subjects", "subjects must be an array of 1 to " +
                                    std::to_string(kMaxBatchSubjects) + " subject codes");
  }
  const Date today = Date::Today();
  const json::array& codes = subjects->as_array();
  std::vector<std::string> texts(codes.size());
  for (size_t i = 0; i < codes.size(); ++i) {
    if (codes[i].is_string()) texts[i] = std::string(codes[i].as_string());
  }
  auto batch = EvaluateChecks(p, base, texts, today);
  if (!batch.ok()) return StatusResponse(batch.status());
  for (size_t i = 0; i < codes.size(); ++i) {
    if (!codes[i].is_string()) batch->items[i].status = Status::InvalidArgument("not a string");
  }
  if (Status st = LogChecks(p, &*batch); !st.ok()) return StatusResponse(st);

  // The counts come before the results in the answer: counted first.
  std::map<std::string_view, uint64_t> by_result;
  for (const BatchItem& c : batch->items) {
    ++by_result[c.status.ok() ? rules::CheckResultName(c.outcome.result) : "error"];
  }
  // Written as it goes: a tree of 10,000 results built, serialized and freed was about a fifth of
  // a batch request's CPU.
  Response res;
  res.body.reserve(codes.size() * 128);
  JsonWriter w(&res.body);
  w.BeginObject();
  w.Member("scenario", base.scenario);
  w.Member("date", today.ToString());
  w.Member("count", static_cast<uint64_t>(codes.size()));
  w.Key("by_result");
  w.BeginObject();
  for (const auto& [k, v] : by_result) w.Member(k, v);
  w.EndObject();
  w.Key("results");
  w.BeginArray();
  for (size_t i = 0; i < codes.size(); ++i) {
    const BatchItem& c = batch->items[i];
    w.BeginObject();
    if (!c.status.ok()) {
      w.Key("subject");
      if (codes[i].is_string()) {
        w.String(codes[i].as_string());
      } else {
        w.Null();
      }
      w.Key("error");
      w.BeginObject();
      w.Member("code", StatusCodeName(c.status.code()));
      w.Member("message", c.status.message());
      w.EndObject();
    } else {
      w.Member("subject", c.code);
      w.Member("name", c.name);
      w.Member("id", c.id);
      w.Member("result", rules::CheckResultName(c.outcome.result));
      w.Key("measures");
      w.BeginArray();
      for (const auto& m : c.outcome.measures) w.String(m.measure->code);
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  // The audit log has an entry for each subject checked (router.cc), as for a single check,
  // with the purpose its body states.
  for (const BatchItem& c : batch->items) {
    if (c.status.ok()) res.about_subjects.push_back(c.subject_id);
  }
  res.about_purpose = base.purpose;
  return res;
}

Response HandleGetCheck(Platform& p, const ApiCall& call) {
  uint64_t id = 0;
  Response error;
  if (!CheckId(call, &id, &error)) return error;
  auto c = p.store().GetCheck(id);
  if (!c.ok()) return StatusResponse(c.status());
  if (!c->has_value()) return StatusResponse(Status::NotFound("no credit check has the id " + std::to_string(id)));
  if (!OwnCheck(call, **c, &error)) return error;
  Response r = JsonResponse(200, CheckLogJson(**c));
  r.about_subject = (*c)->subject_id;  // for the audit log
  return r;
}

Response HandlePostCheckFeedback(Platform& p, const ApiCall& call) {
  uint64_t id = 0;
  Response error;
  if (!CheckId(call, &id, &error)) return error;
  json::object body;
  if (!ParseBody(call, &body, &error)) return error;
  std::string action, reason;
  if (!StringField(body, "action", &action, &error) || !StringField(body, "reason", &reason, &error)) {
    return error;
  }
  if (action != "applied" && action != "not_applied") {
    return BadField("action", "action must be applied or not_applied");
  }
  if (action == "not_applied" && reason.empty()) {
    return BadField("reason", "reason is required when the measures were not applied");
  }
  if (call.principal.role() == security::Role::kUsingDepartment) {
    auto c = p.store().GetCheck(id);
    if (!c.ok()) return StatusResponse(c.status());
    if (c->has_value() && !OwnCheck(call, **c, &error)) return error;
  }
  using namespace std::chrono;
  int64_t now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  reason = RedactPersonalIds(reason);
  if (Status st = p.store().SetCheckFeedback(id, action, reason, now); !st.ok()) {
    return StatusResponse(st);
  }
  auto c = p.store().GetCheck(id);
  if (!c.ok() || !c->has_value()) return StatusResponse(c.ok() ? Status::Internal("check vanished") : c.status());
  return JsonResponse(200, CheckLogJson(**c));
}

Response HandleGetList(Platform& p, const ApiCall& call) {
  const std::string indicator = ListIndicatorOfType(call.params[0]);
  if (indicator.empty()) {
    return StatusResponse(Status::NotFound("no list '" + call.params[0].substr(0, 64) +
                                           "' (red, serious_dishonesty, court_dishonest_debtor, "
                                           "abnormal_operation)"));
  }
  int64_t page = 0, page_size = 0;
  Response error;
  if (!IntParam(call, "page", 1, 1, 1000000, &page, &error)) return error;
  if (!IntParam(call, "page_size", 20, 1, 100, &page_size, &error)) return error;
  const Date today = Date::Today();
  auto members = p.lists().Get(p, indicator, today);
  if (!members.ok()) return StatusResponse(members.status());
  const catalog::Indicator* ind = p.catalog().Find(indicator);
  json::array out;
  const size_t first = static_cast<size_t>(page - 1) * static_cast<size_t>(page_size);
  const size_t end = std::min((*members)->size(), first + static_cast<size_t>(page_size));
  for (size_t i = first; i < end; ++i) {
    // Read as it stands now: an entry changed since the list was computed (revoked a moment
    // ago) is left out rather than shown.
    auto entry = CurrentEntry(p, *ind, (**members)[i], today);
    if (!entry.ok()) return StatusResponse(entry.status());
    if (*entry) out.push_back(ListEntryJson(**entry, ind));
  }
  const size_t total = (*members)->size();
  return JsonResponse(200, json::object{{"type", call.params[0]},
                                        {"indicator", indicator},
                                        {"name", ind ? ind->name : ""},
                                        {"date", today.ToString()},
                                        {"total", total},
                                        {"page", page},
                                        {"page_size", page_size},
                                        {"entries", std::move(out)}});
}

Response HandleCheckStats(Platform& p, const ApiCall& call) {
  // A using department counts its own checks.
  const bool own_only = call.principal.role() == security::Role::kUsingDepartment;
  struct Counts {
    uint64_t checks = 0, feedback = 0, applied = 0, not_applied = 0;
    std::map<std::string, uint64_t> results;
  };
  std::map<std::string, Counts> by_department, by_scenario;
  Counts all;
  Status st = p.store().ScanChecks([&](const CheckLog& c) {
    if (own_only && c.department != call.principal.department()) return Status::Ok();
    for (Counts* k : {&by_department[c.department], &by_scenario[c.scenario], &all}) {
      ++k->checks;
      ++k->results[c.result];
      if (!c.feedback_action.empty()) ++k->feedback;
      if (c.feedback_action == "applied") ++k->applied;
      if (c.feedback_action == "not_applied") ++k->not_applied;
    }
    return Status::Ok();
  });
  if (!st.ok()) return StatusResponse(st);
  auto to_json = [](const Counts& k) {
    json::object results;
    for (const auto& [r, n] : k.results) results[r] = n;
    return json::object{{"checks", k.checks},       {"feedback", k.feedback},
                        {"applied", k.applied},     {"not_applied", k.not_applied},
                        {"by_result", std::move(results)}};
  };
  json::object dep, sc;
  for (const auto& [k, v] : by_department) dep[k] = to_json(v);
  for (const auto& [k, v] : by_scenario) sc[k] = to_json(v);
  return JsonResponse(200, json::object{{"total", to_json(all)},
                                        {"by_department", std::move(dep)},
                                        {"by_scenario", std::move(sc)}});
}

}  // namespace xinyong::server
