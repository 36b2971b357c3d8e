// Handlers of the random-inspection endpoints (双随机、一公开): a draw, the published draws, one
// draw with its results, the inspecting department's results, and the draws a subject was drawn
// in. The work is server/inspections.h's; these read the request and shape the answer.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <limits>

#include "core/utf8.h"
#include "server/handlers.h"
#include "server/inspections.h"

namespace xinyong::server {

namespace json = boost::json;

namespace {

constexpr size_t kMaxResultItems = 10000;

// Grades are government-internal (router.cc kGrades): the public, financial institutions and
// other subjects see who was drawn, not each one's grade or the ratio that reveals it (the
// counts by grade stay published). A subject sees its own.
enum class GradeSight { kAll, kOwn, kNone };
GradeSight SightOf(const ApiCall& call) {
  switch (call.principal.role()) {
    case security::Role::kOperator:
    case security::Role::kSourceDepartment:
    case security::Role::kUsingDepartment:
      return GradeSight::kAll;
    case security::Role::kSubject:
      return GradeSight::kOwn;
    default:
      return GradeSight::kNone;
  }
}

void HideGrade(json::object* drawn) {
  for (const char* k : {"grade", "grade_date", "ratio"}) drawn->erase(k);
}

bool DrawId(const ApiCall& call, uint64_t* id, Response* error) {
  const std::string& s = call.params[0];
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *id);
  if (ec != std::errc() || ptr != s.data() + s.size() || *id == 0) {
    *error = BadParameter("id", "the id must be a positive integer");
    return false;
  }
  return true;
}

// A string member of an item of `items`; a 400 naming "items[k].name" when it is not one.
bool ItemString(const json::object& item, size_t k, std::string_view name, std::string* out,
                Response* error, size_t max_bytes) {
  const json::value* v = item.if_contains(name);
  if (v == nullptr || v->is_null()) {
    out->clear();
    return true;
  }
  const std::string field = "items[" + std::to_string(k) + "]." + std::string(name);
  if (!v->is_string() || v->as_string().size() > max_bytes) {
    *error = BadField(
        field, field + " must be a string of at most " + std::to_string(max_bytes) + " bytes");
    return false;
  }
  *out = std::string(v->as_string());
  return true;
}

}  // namespace

Response HandlePostInspection(Platform& p, const ApiCall& call) {
  json::object body;
  Response error;
  if (!ParseBody(call, &body, &error)) return error;
  DrawRequest r;
  std::string type;
  if (!StringField(body, "region", &r.region, &error) ||
      !StringField(body, "type", &type, &error) ||
      !StringField(body, "industry", &r.industry, &error, 64) ||
      !StringField(body, "purpose", &r.purpose, &error) ||
      !StringField(body, "department", &r.department, &error) ||
      !ActingDepartment(call, "department", r.department, &r.department, &error)) {
    return error;
  }
  if (!type.empty()) {
    auto t = ParseSubjectType(type);
    if (!t || *t == SubjectType::kNaturalPerson) {
      return BadField("type",
                      "type must be legal_person, individual_business or other_organization");
    }
    r.type = *t;
  }
  const json::value* ratio = body.if_contains("base_ratio");
  if (ratio == nullptr || !ratio->is_number() || !(ratio->to_number<double>() > 0) ||
      ratio->to_number<double>() > 1) {
    return BadField("base_ratio", "base_ratio must be a number in (0, 1]");
  }
  r.base_ratio = ratio->to_number<double>();
  if (const json::value* seed = body.if_contains("seed"); seed != nullptr && !seed->is_null()) {
    // 双随机: the inspected are drawn at random. A department that chose its seed could try seeds
    // (the rule, the scope and the grades are all published) until one leaves a subject out.
    if (call.principal.role() == security::Role::kSourceDepartment ||
        call.principal.role() == security::Role::kUsingDepartment) {
      return ErrorResponse(
          403, "permission_denied",
          "seed: a department's draw takes a seed the platform picks at random; only the "
          "operator may give one (to re-run a published draw)",
          json::object{{"field", "seed"}, {"role", security::RoleName(call.principal.role())}});
    }
    std::string text = seed->is_string()   ? std::string(seed->as_string())
                       : seed->is_uint64() ? std::to_string(seed->as_uint64())
                       : seed->is_int64() && seed->as_int64() > 0 ? std::to_string(seed->as_int64())
                                                                  : "";
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), r.seed);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || r.seed == 0) {
      return BadField("seed",
                      "seed must be a positive 64-bit integer (a number or its decimal text)");
    }
  }
  for (auto [name, value] : {std::pair<std::string_view, const std::string*>{"purpose", &r.purpose},
                             {"department", &r.department}}) {
    if (value->empty()) return BadField(name, std::string(name) + " is required");
  }
  auto doc = DrawInspection(p, r, Date::Today());
  if (!doc.ok()) {
    if (doc.status().code() == StatusCode::kInvalidArgument &&
        doc.status().message().starts_with("industry: ")) {
      return BadField("industry", doc.status().message());
    }
    return StatusResponse(doc.status());
  }
  return JsonResponse(201, *doc);
}

Response HandleGetInspection(Platform& p, const ApiCall& call) {
  uint64_t id = 0;
  Response error;
  if (!DrawId(call, &id, &error)) return error;
  auto doc = GetInspectionDocument(p, id);
  if (!doc.ok()) return StatusResponse(doc.status());
  if (!doc->has_value()) {
    return StatusResponse(Status::NotFound("no inspection draw has the id " + std::to_string(id)));
  }
  json::object& d = **doc;
  const GradeSight sight = SightOf(call);
  std::vector<std::string> own;  // the codes of the caller's own subject
  if (sight == GradeSight::kOwn) {
    auto subject = p.store().GetSubject(call.principal.subject_id());
    if (!subject.ok()) return StatusResponse(subject.status());
    if (subject->has_value()) own = (*subject)->PublicCodes();
  }
  json::value* drawn = d.if_contains("drawn");
  if (sight != GradeSight::kAll && drawn != nullptr && drawn->is_array()) {
    for (json::value& e : drawn->as_array()) {
      if (!e.is_object()) continue;
      const json::value* code = e.as_object().if_contains("code");
      const bool mine = code != nullptr && code->is_string() &&
                        std::find(own.begin(), own.end(), code->get_string()) != own.end();
      if (!mine) HideGrade(&e.as_object());
    }
  }
  // A view with the grades is audited as one entry naming the draw (GET …/inspections/{id}),
  // not one per drawn subject: a draw may hold thousands, and each view would flood their access
  // logs with the same look.
  return JsonResponse(200, d);
}

Response HandleListInspections(Platform& p, const ApiCall& call) {
  int64_t limit = 0, before = 0;
  Response error;
  if (!IntParam(call, "limit", 20, 1, 100, &limit, &error)) return error;
  // Every draw stays findable (一公开): page back with `before`, the `next_before` of a page.
  if (!IntParam(call, "before", std::numeric_limits<int64_t>::max(), 1,
                std::numeric_limits<int64_t>::max(), &before, &error)) {
    return error;
  }
  const std::string* department = call.target.Query("department");
  json::array out;
  bool more = false;
  uint64_t last = 0;
  Status parse_error = Status::Ok();
  Status st = p.store().ListInspections([&](uint64_t id, std::string_view doc) {
    if (id >= static_cast<uint64_t>(before)) return true;
    auto parsed = ParseInspectionDocument(id, doc);
    if (!parsed.ok()) {
      parse_error = parsed.status();
      return false;
    }
    json::object& o = *parsed;
    if (department != nullptr && !department->empty()) {
      const json::value* d = o.if_contains("department");
      if (d == nullptr || !d->is_string() || d->as_string() != *department) return true;
    }
    if (out.size() >= static_cast<size_t>(limit)) {  // one more that matches: there is a next page
      more = true;
      return false;
    }
    json::object summary;
    for (const char* k :
         {"id", "date", "department", "purpose", "scope", "base_ratio", "seed", "in_scope"}) {
      if (o.contains(k)) summary[k] = o[k];
    }
    json::object counts = InspectionCounts(o);
    summary["drawn"] = counts["drawn"];
    summary["counts"] = std::move(counts);
    out.push_back(std::move(summary));
    last = id;
    return true;
  });
  if (!st.ok()) return StatusResponse(st);
  if (!parse_error.ok()) return StatusResponse(parse_error);
  json::object answer{{"inspections", std::move(out)}};
  answer["next_before"] = more ? json::value(last) : json::value(nullptr);
  return JsonResponse(200, std::move(answer));
}

Response HandlePostInspectionResults(Platform& p, const ApiCall& call) {
  InspectionResultsRequest r;
  Response error;
  if (!DrawId(call, &r.draw, &error)) return error;
  json::object body;
  if (!ParseBody(call, &body, &error)) return error;
  // Who inspected records (谁检查、谁录入): a department's token records for its own department
  // and only on its own draws; the operator records (or corrects) on any, naming the department.
  if (!StringField(body, "department", &r.department, &error) ||
      !ActingDepartment(call, "department", r.department, &r.department, &error)) {
    return error;
  }
  r.drawing_department_only = call.principal.role() == security::Role::kSourceDepartment ||
                              call.principal.role() == security::Role::kUsingDepartment;
  const json::value* items = body.if_contains("items");
  if (items == nullptr || !items->is_array() || items->as_array().empty() ||
      items->as_array().size() > kMaxResultItems) {
    return BadField("items", "items must be an array of 1 to " + std::to_string(kMaxResultItems) +
                                 " results {code, result, checked, findings}");
  }
  const json::array& list = items->as_array();
  r.items.resize(list.size());
  for (size_t k = 0; k < list.size(); ++k) {
    if (!list[k].is_object()) {
      const std::string field = "items[" + std::to_string(k) + "]";
      return BadField(field, field + " must be an object {code, result, checked, findings}");
    }
    const json::object& o = list[k].as_object();
    InspectionResultItem& item = r.items[k];
    if (!ItemString(o, k, "code", &item.code, &error, 64) ||
        !ItemString(o, k, "result", &item.result, &error, 200) ||
        !ItemString(o, k, "checked", &item.checked, &error, 32) ||
        !ItemString(o, k, "findings", &item.findings, &error, 8000)) {
      return error;
    }
  }
  using namespace std::chrono;
  const int64_t now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  std::string bad_field;
  auto done = RecordInspectionResults(p, r, Date::Today(), now, &bad_field);
  if (!done.ok()) {
    if (done.status().code() == StatusCode::kInvalidArgument && !bad_field.empty()) {
      return BadField(bad_field, done.status().message());
    }
    return StatusResponse(done.status());
  }
  return JsonResponse(200, json::object{{"id", r.draw},
                                        {"recorded", done->recorded},
                                        {"corrected", done->corrected},
                                        {"unchanged", done->unchanged},
                                        {"counts", std::move(done->counts)},
                                        {"entries", std::move(done->entries)}});
}

Response HandleSubjectInspections(Platform& p, const ApiCall& call) {
  Subject s;
  Response error;
  if (!ResolveSubject(p, call, &s, &error)) return error;
  int64_t limit = 0;
  if (!IntParam(call, "limit", 20, 1, 100, &limit, &error)) return error;
  auto list = SubjectInspections(p, s, static_cast<size_t>(limit));
  if (!list.ok()) return StatusResponse(list.status());
  if (const GradeSight sight = SightOf(call);
      sight == GradeSight::kNone ||
      (sight == GradeSight::kOwn && call.principal.subject_id() != s.id)) {
    for (json::value& e : *list) {
      if (e.is_object()) HideGrade(&e.as_object());
    }
  }
  json::object header;
  if (!SubjectHeader(p, call, s, &header, &error)) return error;
  return JsonResponse(200, json::object{{"subject", std::move(header)},
                                        {"inspections", std::move(*list)}});
}

}  // namespace xinyong::server
