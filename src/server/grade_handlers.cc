// Handlers of the composite-evaluation endpoints: a subject's current grade with its
// explanation, the history of its changes, and the operator's full recompute.
#include "server/grades.h"
#include "server/handlers.h"

namespace xinyong::server {

namespace json = boost::json;

namespace {

constexpr int64_t kMaxPage = 1000000;
constexpr int64_t kMaxPageSize = 100;

// A natural person's grade (409) names the code; the store's errors name nothing.
Response GradeError(const Status& st) {
  if (st.code() != StatusCode::kFailedPrecondition) return StatusResponse(st);
  return StatusResponse(st, json::object{{"parameter", "code"}});
}

}  // namespace

Response HandleSubjectGrade(Platform& p, const ApiCall& call) {
  Subject subject;
  Response error;
  if (!ResolveSubject(p, call, &subject, &error)) return error;
  if (!OwnSubjectOnly(call, subject.id, &error)) return error;
  auto v = SubjectCurrentGrade(p, subject, Date::Today());
  if (!v.ok()) return GradeError(v.status());
  // The explanation shows no more than the caller reads of the subject's records.
  security::DisclosureSet levels;
  if (!ViewLevels(p, call, subject.id, &levels, &error)) return error;
  return JsonResponse(200, GradeViewJson(p, *v, &levels));
}

Response HandleSubjectGrades(Platform& p, const ApiCall& call) {
  Subject subject;
  Response error;
  if (!ResolveSubject(p, call, &subject, &error)) return error;
  if (!OwnSubjectOnly(call, subject.id, &error)) return error;
  int64_t page = 0, page_size = 0;
  if (!IntParam(call, "page", 1, 1, kMaxPage, &page, &error)) return error;
  if (!IntParam(call, "page_size", 20, 1, kMaxPageSize, &page_size, &error)) return error;
  if (subject.type == SubjectType::kNaturalPerson) {
    return GradeError(Status::FailedPrecondition("natural persons are not graded"));
  }
  auto current = p.store().GetGrade(subject.id);
  if (!current.ok()) return StatusResponse(current.status());
  std::vector<SubjectGrade> history;
  if (Status st =
          p.store().ListGradeHistory(subject.id, static_cast<size_t>((page - 1) * page_size),
                                     static_cast<size_t>(page_size), &history);
      !st.ok()) {
    return StatusResponse(st);
  }
  security::DisclosureSet levels;
  if (!ViewLevels(p, call, subject.id, &levels, &error)) return error;
  json::array entries;
  for (const SubjectGrade& g : history) entries.push_back(GradeEntryJson(p, g, &levels));
  return JsonResponse(200, json::object{{"subject", json::object{{"code", subject.DisplayCode()},
                                                                 {"name", subject.name}}},
                                        {"total", *current ? (*current)->history : 0},
                                        {"page", page},
                                        {"page_size", page_size},
                                        {"entries", std::move(entries)}});
}

Response HandlePostGradesRecompute(Platform& p, const ApiCall& call) {
  Date as_of = Date::Today();
  if (const std::string* d = call.target.Query("date"); d != nullptr && !d->empty()) {
    auto parsed = Date::Parse(*d);
    if (!parsed.ok()) return BadParameter("date", "date must be a date (YYYY-MM-DD)");
    // Stored grades of a day still to come would apply ended memberships early, and the daily
    // regrade would wait for that day.
    if (*parsed > as_of) {
      return BadParameter("date", "date " + parsed->ToString() + " is after today (" +
                                      as_of.ToString() + "); stored grades are never dated ahead");
    }
    as_of = *parsed;
  }
  if (p.options().read_only) {
    return StatusResponse(Status::FailedPrecondition("the store is open read-only"));
  }
  auto summary = p.grader().RecomputeAll(as_of);
  if (!summary.ok()) return StatusResponse(summary.status());
  return JsonResponse(200, GradingSummaryJson(*summary));
}

}  // namespace xinyong::server
