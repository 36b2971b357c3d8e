// Credit checks as a service of the platform: resolve the subject, evaluate the measures of the
// scenario (rules::Checker), log every check (who, scenario, purpose, result) and turn the outcome
// into the JSON the API and the CLI both print.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <span>
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
  std::string requester;   // who: the token (Principal::Describe) and the caller's address
};

struct CheckDone {
  Subject subject;
  rules::CheckOutcome outcome;
  CheckLog log;  // id 0 until logged
};

// Resolves and evaluates one check as of `today`; nothing is logged yet. InvalidArgument for a
// missing purpose/department/scenario or an unknown scenario; the subject lookup's own errors.
// The triggers' facts come from the platform's trigger index when it is built and `today` is not
// before its day, else from the subject's records in the store; the grade, only when a grade
// trigger of the scenario reaches the subject, from SubjectCurrentGrade (server/grades.h).
Result<CheckDone> EvaluateCheck(Platform& p, const CheckRequest& request, Date today);

// Assigns ids and logs the checks durably, all or none, as one run (through the platform's
// CheckLogger): those of one request, sharing its time, department, requester, scenario and
// purpose (the first check's).
Status LogChecks(Platform& p, std::vector<CheckDone*>& checks);
// The run that logs one check; it points into `c`.
CheckRun CheckRunOf(const CheckDone& c);

// A batch of checks: one request's scenario, purpose, department and requester applied to many
// subject codes (the API's checks:batch, `xinyong check --file`).
struct BatchItem {
  Status status = Status::Ok();  // why this code was not checked (NotFound, InvalidArgument ...)
  uint64_t subject_id = 0;
  std::string code;  // the subject's display code
  std::string name;
  SubjectType type = SubjectType::kLegalPerson;
  rules::CheckOutcome outcome;
  uint64_t id = 0;  // the check's id once logged; 0 for a failed item
};
struct CheckBatch {
  CheckRequest request;  // `subject` unused
  Date today;
  int64_t unix_ms = 0;
  std::vector<BatchItem> items;  // one per code, in the order given
};

// Evaluates a check of every code as EvaluateCheck does, on `threads` threads (0 = one per core);
// nothing is logged yet. InvalidArgument (for the whole batch) for a missing purpose, department
// or scenario or an unknown scenario; a code that cannot be checked fails only its item. The
// store's errors fail the batch.
Result<CheckBatch> EvaluateChecks(Platform& p, const CheckRequest& request,
                                  std::span<const std::string> codes, Date today,
                                  unsigned threads = 0);
// Logs the batch's checked items durably, all or none, and sets their ids (consecutive, in item
// order). Nothing to log (every item failed) is not an error.
Status LogChecks(Platform& p, CheckBatch* batch);

// {"id", "subject": {code, name, type}, "scenario", "purpose", "department", "date", "result",
//  "result_label", "measures": [{code, kind, category, content, targets, legal_basis,
//  implementing_body, mandatory, triggers: [{indicator, record_id, document_number, date, until,
//  detail}]}]}
boost::json::object CheckJson(const CheckDone& c, Date today);
// The same for a checked item of a batch.
boost::json::object CheckJson(const CheckBatch& b, const BatchItem& item);
// A subject's composite evaluation as of `today`: the subject lookup's errors, and
// FailedPrecondition for natural persons (they are not graded).
struct Graded {
  Subject subject;
  rules::Evaluation evaluation;
};
Result<Graded> GradeSubject(Platform& p, std::string_view code, Date today);

// A logged check as stored, with its feedback.
boost::json::object CheckLogJson(const CheckLog& c);

}  // namespace xinyong::server
