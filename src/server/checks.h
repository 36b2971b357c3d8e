// Credit checks as a service of the platform: resolve the subject, evaluate the measures of the
// scenario (rules::Checker), log every check (who, scenario, purpose, result) and turn the outcome
// into the JSON the API and the CLI both print.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "model/check_log.h"
#include "rules/check.h"
#include "server/platform.h"

namespace xinyong::server {

struct CheckRequest {
  std::string subject;     // a subject code
  std::string scenario;    // scenario code
  std::string purpose;     // 查询事由
  std::string department;  // the using department
  std::string requester;   // who: the caller's address until accounts exist
};

struct CheckDone {
  Subject subject;
  rules::CheckOutcome outcome;
  CheckLog log;  // id 0 until logged
};

// Resolves and evaluates one check as of `today`; nothing is logged yet. InvalidArgument for a
// missing purpose/department/scenario or an unknown scenario; the subject lookup's own errors.
Result<CheckDone> EvaluateCheck(Platform& p, const CheckRequest& request, Date today);

// Assigns ids and logs the checks durably, all or none.
Status LogChecks(Platform& p, std::vector<CheckDone*>& checks);

// {"id", "subject": {code, name, type}, "scenario", "purpose", "department", "date", "result",
//  "result_label", "measures": [{code, kind, category, content, targets, legal_basis,
//  implementing_body, mandatory, triggers: [{indicator, record_id, document_number, date, until,
//  detail}]}]}
boost::json::object CheckJson(const CheckDone& c, Date today);
// A subject's composite evaluation as of `today`: the subject lookup's errors, and
// FailedPrecondition for natural persons (they are not graded).
struct Graded {
  Subject subject;
  rules::Evaluation evaluation;
};
Result<Graded> GradeSubject(Platform& p, std::string_view code, Date today);

// {"subject", "model", "legal_basis", "date", "base", "score", "grade", "grade_label",
//  "contributions": [{label, indicator, records, points, capped, record_ids}]}
boost::json::object GradeJson(const Subject& s, const rules::EvaluationModel& model,
                              const rules::Evaluation& e, Date today);

// A random-inspection draw (双随机): every organization in scope (region code prefix, subject
// type; natural persons are never drawn), graded as of `today`, drawn with rules::Drawn. Saved
// and returned as the published document: {"id", "date", "department", "purpose", "scope",
// "base_ratio", "seed", "multipliers", "legal_basis", "in_scope", "drawn": [{code, name, grade,
// ratio}]}. A seed of 0 picks one at random (and the document records it).
struct DrawRequest {
  std::string region;  // GB/T 2260 prefix, "" = all
  std::optional<SubjectType> type;
  double base_ratio = 0;
  uint64_t seed = 0;
  std::string purpose, department;
};
Result<boost::json::object> DrawInspection(Platform& p, const DrawRequest& r, Date today);

// A logged check as stored, with its feedback.
boost::json::object CheckLogJson(const CheckLog& c);

}  // namespace xinyong::server
