// Grades as the API and the CLI show them: a subject's current composite-evaluation grade (the
// stored one; computed on the fly only while none is stored under the loaded model), its
// history, and the summary of a recompute. The recompute itself is rules::Grader, reached
// through Platform::grader() by `xinyong grade --all` and POST /api/v1/grades:recompute alike.
#pragma once

#include <boost/json.hpp>
#include <string_view>

#include "model/grade.h"
#include "rules/grading.h"
#include "security/access.h"
#include "server/platform.h"

namespace xinyong::server {

struct GradeView {
  Subject subject;
  SubjectGrade grade;    // as stored (or computed); grade.as_of: since when it says this
  Date as_of;            // the day it is the grade as of: grade.as_of or a later full recompute's
  int64_t unix_ms = 0;   // when that was computed
  bool stored = false;   // false: computed now, for want of a stored grade
  uint32_t history = 0;  // entries in the stored history
};

// The current grade of an organization: the stored one when there is one under the loaded model
// — as of the last full recompute when that came after it, since a recompute leaves a grade that
// says the same as it was — else computed as of `today` and not stored. The store's errors;
// FailedPrecondition for natural persons (they are not graded).
Result<GradeView> SubjectCurrentGrade(Platform& p, const Subject& subject, Date today);
// The grade computed as of `as_of` from the records in the store, never stored; errors as above.
Result<GradeView> ComputeGrade(Platform& p, const Subject& subject, Date as_of);

// {"subject": {code, name}, "model", "legal_basis", "date", "unix_ms", "since", "stored",
//  "history", "base", "score", "grade", "grade_label", "contributions": [{label, indicator,
//  records, points, capped, record_ids}]}. `levels`: what the caller reads of the subject's
// records (null: everything). Contributions of indicators at a level it does not read (a
// department, of 授权查询 records) are shown as one line of their points only — label
// 其他信息（不在查看范围内）, indicator null, no count, no ids — so that the score adds up
// without telling of which indicator such records are or how many.
boost::json::object GradeViewJson(const Platform& p, const GradeView& v,
                                  const security::DisclosureSet* levels = nullptr);
// One history entry: {"date", "unix_ms", "model", "score", "grade", "grade_label",
//  "contributions"}, contributions as above.
boost::json::object GradeEntryJson(const Platform& p, const SubjectGrade& g,
                                   const security::DisclosureSet* levels = nullptr);
// {"date", "subjects", "changed", "by_grade": {"A", "B", "C", "D"}, "seconds"}
boost::json::object GradingSummaryJson(const rules::GradingSummary& s);

}  // namespace xinyong::server
