#include "server/grades.h"

#include <chrono>
#include <vector>

namespace xinyong::server {

namespace json = boost::json;

namespace {

int64_t NowUnixMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

json::array ContributionsJson(const Platform& p, const SubjectGrade& g,
                              const security::DisclosureSet* levels) {
  json::array out;
  int64_t hidden_points = 0;
  bool hidden = false;
  for (const GradeReason& r : g.reasons) {
    const catalog::Indicator* ind = p.catalog().Find(r.indicator);
    // (An indicator no longer in the catalog has no level to withhold it by: shown.)
    if (levels != nullptr && ind != nullptr && !levels->Has(ind->disclosure)) {
      hidden = true;
      hidden_points += r.points;
      continue;
    }
    json::array ids;
    for (uint64_t id : r.record_ids) ids.push_back(id);
    out.push_back(json::object{{"label", r.label},
                               {"indicator", r.indicator},
                               {"records", r.record_ids.size()},
                               {"points", r.points},
                               {"capped", r.capped},
                               {"record_ids", std::move(ids)}});
  }
  if (hidden) {
    out.push_back(json::object{{"label", "其他信息（不在查看范围内）"},
                               {"indicator", nullptr},
                               {"records", nullptr},
                               {"points", hidden_points},
                               {"capped", false},
                               {"record_ids", json::array()}});
  }
  return out;
}

}  // namespace

Result<GradeView> ComputeGrade(Platform& p, const Subject& subject, Date as_of) {
  if (subject.type == SubjectType::kNaturalPerson) {
    return Status::FailedPrecondition("natural persons are not graded");
  }
  GradeView v;
  v.subject = subject;
  // The records the model reads, as a recompute reads them.
  std::optional<rules::Evaluation> e;
  const uint64_t id = subject.id;
  XY_RETURN_IF_ERROR(
      p.store().ReadSubjectRecords(std::span<const uint64_t>(&id, 1), p.grader().selection(),
                                   [&](const Subject& s, std::span<const Record> records) {
                                     e = p.evaluation().Evaluate(s, records, p.catalog(), as_of);
                                     return Status::Ok();
                                   }));
  if (!e) return Status::NotFound("subject " + subject.DisplayCode() + " is no longer stored");
  v.grade = p.grader().ToStored(*e, as_of, NowUnixMs());
  v.as_of = as_of;
  v.unix_ms = v.grade.unix_ms;
  XY_ASSIGN_OR_RETURN(auto stored, p.store().GetGrade(subject.id));
  if (stored) v.history = stored->history;
  return v;
}

Result<GradeView> SubjectCurrentGrade(Platform& p, const Subject& subject, Date today) {
  if (subject.type == SubjectType::kNaturalPerson) {
    return Status::FailedPrecondition("natural persons are not graded");
  }
  XY_ASSIGN_OR_RETURN(auto stored, p.store().GetGrade(subject.id));
  // A grade under another model (the file was replaced) is not current: the next full
  // recompute replaces it; until then the answer is computed.
  if (!stored || stored->grade.model != p.evaluation().name())
    return ComputeGrade(p, subject, today);
  GradeView v;
  v.subject = subject;
  v.grade = std::move(stored->grade);
  v.as_of = v.grade.as_of;
  v.unix_ms = v.grade.unix_ms;
  XY_ASSIGN_OR_RETURN(auto run, p.store().LastGradingRun());
  if (run && run->as_of > v.as_of) {
    v.as_of = run->as_of;
    v.unix_ms = run->unix_ms;
  }
  v.stored = true;
  v.history = stored->history;
  return v;
}

json::object GradeEntryJson(const Platform& p, const SubjectGrade& g,
                            const security::DisclosureSet* levels) {
  return json::object{{"date", g.as_of.ToString()},
                      {"unix_ms", g.unix_ms},
                      {"model", g.model},
                      {"score", g.score},
                      {"grade", g.grade},
                      {"grade_label", g.grade_label},
                      {"contributions", ContributionsJson(p, g, levels)}};
}

json::object GradeViewJson(const Platform& p, const GradeView& v,
                           const security::DisclosureSet* levels) {
  const SubjectGrade& g = v.grade;
  return json::object{
      {"subject", json::object{{"code", v.subject.DisplayCode()}, {"name", v.subject.name}}},
      {"model", g.model},
      {"legal_basis", p.evaluation().legal_basis()},
      {"date", v.as_of.ToString()},
      {"unix_ms", v.unix_ms},
      {"since", g.as_of.ToString()},
      {"stored", v.stored},
      {"history", v.history},
      {"base", p.evaluation().base()},
      {"score", g.score},
      {"grade", g.grade},
      {"grade_label", g.grade_label},
      {"contributions", ContributionsJson(p, g, levels)}};
}

json::object GradingSummaryJson(const rules::GradingSummary& s) {
  json::object by_grade;
  for (const char* g : {"A", "B", "C", "D"}) {
    auto it = s.by_grade.find(g);
    by_grade[g] = it == s.by_grade.end() ? 0 : it->second;
  }
  return json::object{{"date", s.as_of.ToString()},
                      {"subjects", s.subjects},
                      {"changed", s.changed},
                      {"by_grade", std::move(by_grade)},
                      {"seconds", s.seconds}};
}

}  // namespace xinyong::server
