#include "server/checks.h"

#include <chrono>
#include <random>

namespace xinyong::server {

namespace json = boost::json;

namespace {

int64_t NowUnixMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

Result<CheckDone> EvaluateCheck(Platform& p, const CheckRequest& r, Date today) {
  if (r.scenario.empty()) return Status::InvalidArgument("scenario is required");
  if (r.purpose.empty()) return Status::InvalidArgument("purpose (查询事由) is required");
  if (r.department.empty()) return Status::InvalidArgument("department is required");
  CheckDone c;
  XY_ASSIGN_OR_RETURN(c.subject, p.FindSubjectByCode(r.subject));
  rules::SubjectFacts facts;
  XY_RETURN_IF_ERROR(p.store().ListRecords(c.subject.id, "", &facts.records));
  // The grade as of the check, from the same records (grade-triggered measures read it).
  if (auto e = p.evaluation().Evaluate(c.subject, facts.records, p.catalog(), today)) {
    facts.grade = e->grade;
  }
  rules::Checker checker(p.catalog(), p.measures());
  XY_ASSIGN_OR_RETURN(c.outcome, checker.Evaluate(c.subject, facts, r.scenario, today));
  c.log.unix_ms = NowUnixMs();
  c.log.department = r.department;
  c.log.requester = r.requester;
  c.log.scenario = r.scenario;
  c.log.purpose = r.purpose;
  c.log.subject_id = c.subject.id;
  c.log.subject_code = c.subject.DisplayCode();
  c.log.result = std::string(rules::CheckResultName(c.outcome.result));
  for (const auto& m : c.outcome.measures) c.log.measures.push_back(m.measure->code);
  return c;
}

Status LogChecks(Platform& p, std::vector<CheckDone*>& checks) {
  std::vector<CheckLog> logs;
  logs.reserve(checks.size());
  for (CheckDone* c : checks) {
    c->log.id = p.store().NextId(storage::IdSpace::kCheck);
    logs.push_back(c->log);
  }
  return p.store().LogChecks(logs);
}

json::object CheckJson(const CheckDone& c, Date today) {
  json::array measures;
  for (const rules::AppliedMeasure& a : c.outcome.measures) {
    const rules::Measure& m = *a.measure;
    json::array triggers;
    for (const rules::TriggerEvidence& t : a.triggers) {
      json::object o{{"indicator", t.indicator}};
      if (t.record_id != 0) {
        o["record_id"] = t.record_id;
        o["document_number"] = t.document_number;
        o["date"] = t.date.ToString();
      }
      if (t.until) o["until"] = t.until->ToString();
      if (!t.detail.empty()) o["detail"] = t.detail;
      triggers.push_back(std::move(o));
    }
    json::array targets;
    for (rules::Target t : m.targets) targets.push_back(json::string(rules::TargetName(t)));
    measures.push_back(json::object{{"code", m.code},
                                    {"kind", rules::MeasureKindName(m.kind)},
                                    {"category", rules::MeasureCategoryName(m.category)},
                                    {"content", m.content},
                                    {"targets", std::move(targets)},
                                    {"legal_basis", m.legal_basis},
                                    {"implementing_body", m.implementing_body},
                                    {"mandatory", m.mandatory},
                                    {"triggers", std::move(triggers)}});
  }
  json::object o;
  if (c.log.id != 0) o["id"] = c.log.id;
  o["subject"] = json::object{{"code", c.subject.DisplayCode()},
                              {"name", c.subject.name},
                              {"type", SubjectTypeName(c.subject.type)}};
  o["scenario"] = c.log.scenario;
  o["purpose"] = c.log.purpose;
  o["department"] = c.log.department;
  o["date"] = today.ToString();
  o["result"] = rules::CheckResultName(c.outcome.result);
  o["result_label"] = rules::CheckResultLabel(c.outcome.result);
  o["measures"] = std::move(measures);
  return o;
}

Result<Graded> GradeSubject(Platform& p, std::string_view code, Date today) {
  Graded g;
  XY_ASSIGN_OR_RETURN(g.subject, p.FindSubjectByCode(code));
  std::vector<Record> records;
  XY_RETURN_IF_ERROR(p.store().ListRecords(g.subject.id, "", &records));
  auto e = p.evaluation().Evaluate(g.subject, records, p.catalog(), today);
  if (!e) return Status::FailedPrecondition("natural persons are not graded");
  g.evaluation = std::move(*e);
  return g;
}

json::object GradeJson(const Subject& s, const rules::EvaluationModel& model,
                       const rules::Evaluation& e, Date today) {
  json::array contributions;
  for (const rules::Contribution& c : e.contributions) {
    json::array ids;
    for (uint64_t id : c.record_ids) ids.push_back(id);
    contributions.push_back(json::object{{"label", c.rule->label},
                                         {"indicator", c.rule->indicator},
                                         {"records", c.record_ids.size()},
                                         {"points", c.points},
                                         {"capped", c.capped},
                                         {"record_ids", std::move(ids)}});
  }
  return json::object{{"subject", json::object{{"code", s.DisplayCode()}, {"name", s.name}}},
                      {"model", model.name()},
                      {"legal_basis", model.legal_basis()},
                      {"date", today.ToString()},
                      {"base", model.base()},
                      {"score", e.score},
                      {"grade", e.grade},
                      {"grade_label", e.grade_label},
                      {"contributions", std::move(contributions)}};
}

Result<json::object> DrawInspection(Platform& p, const DrawRequest& r, Date today) {
  if (!(r.base_ratio > 0 && r.base_ratio <= 1)) {
    return Status::InvalidArgument("base_ratio must be in (0, 1]");
  }
  if (r.purpose.empty() || r.department.empty()) {
    return Status::InvalidArgument("purpose and department are required");
  }
  uint64_t seed = r.seed;
  while (seed == 0) seed = (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
  const rules::InspectionRatios& ratios = p.inspection_ratios();
  uint64_t in_scope = 0;
  json::array drawn;
  std::vector<Record> records;
  XY_RETURN_IF_ERROR(p.store().ScanSubjects([&](const Subject& s) -> Status {
    if (s.type == SubjectType::kNaturalPerson) return Status::Ok();
    if (r.type && s.type != *r.type) return Status::Ok();
    if (!r.region.empty() && !s.region.starts_with(r.region)) return Status::Ok();
    ++in_scope;
    records.clear();
    XY_RETURN_IF_ERROR(p.store().ListRecords(s.id, "", &records));
    auto e = p.evaluation().Evaluate(s, records, p.catalog(), today);
    const std::string grade = e ? e->grade : "";
    const std::string code = s.DisplayCode();
    if (rules::Drawn(seed, code, grade, r.base_ratio, ratios)) {
      drawn.push_back(json::object{{"code", code},
                                   {"name", s.name},
                                   {"grade", grade},
                                   {"ratio", std::min(1.0, r.base_ratio * ratios.Multiplier(grade))}});
    }
    return Status::Ok();
  }));
  json::object multipliers;
  for (const auto& [g, m] : ratios.multipliers()) multipliers[g] = m;
  json::object scope{{"region", r.region}};
  scope["type"] = r.type ? json::value(SubjectTypeName(*r.type)) : json::value(nullptr);
  const uint64_t id = p.store().NextId(storage::IdSpace::kInspection);
  json::object doc{{"id", id},
                   {"date", today.ToString()},
                   {"department", r.department},
                   {"purpose", r.purpose},
                   {"scope", std::move(scope)},
                   {"base_ratio", r.base_ratio},
                   {"seed", std::to_string(seed)},  // as text: JSON numbers lose 64-bit precision
                   {"multipliers", std::move(multipliers)},
                   {"legal_basis", ratios.legal_basis()},
                   {"rule", "drawn iff DrawUniform(seed, code) < min(1, base_ratio × multiplier[grade])"},
                   {"in_scope", in_scope},
                   {"drawn", std::move(drawn)}};
  XY_RETURN_IF_ERROR(p.store().SaveInspection(id, json::serialize(doc)));
  return doc;
}

json::object CheckLogJson(const CheckLog& c) {
  json::array measures;
  for (const auto& m : c.measures) measures.push_back(json::string(m));
  json::object o{{"id", c.id},
                 {"unix_ms", c.unix_ms},
                 {"department", c.department},
                 {"scenario", c.scenario},
                 {"purpose", c.purpose},
                 {"subject", c.subject_code},
                 {"result", c.result},
                 {"measures", std::move(measures)}};
  if (c.feedback_action.empty()) {
    o["feedback"] = nullptr;
  } else {
    o["feedback"] = json::object{{"action", c.feedback_action},
                                 {"reason", c.feedback_reason},
                                 {"unix_ms", c.feedback_unix_ms}};
  }
  return o;
}

}  // namespace xinyong::server
