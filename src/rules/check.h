// Checker: the credit check (信用核查) — which measures of the list apply to a subject in a
// business scenario, and why. Every measure returned cites its legal basis and the records or list
// entries that triggered it; nothing outside the measures catalog is ever returned.
//
// Triggers, judged on `today`:
//   list     an active record of a list indicator whose membership has started (decision date)
//            and not ended (the field with role list_end: 有效期至 / 移出日期; none = open-ended);
//   record   at least min_count active records of the indicator, of a listed severity, decided
//            within window_days, and still within the indicator's publicity period;
//   grade    the subject's composite evaluation grade is one of the trigger's grades;
//   commitment_breached  a credit commitment found 部分履行 or 全部未履行 (fulfilment_status)
//            within window_days (by fulfilment_date, else the decision date).
// Only records with status active count: superseded, revoked (an upheld objection), repaired and
// expired records never trigger anything.
//
// Result: refused when a mandatory punishment applies, restricted when only recommended ones do,
// pass_with_reward when no punishment but a reward applies, pass otherwise.
//
// Thread-safety: immutable; Evaluate may run on any number of threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "core/date.h"
#include "core/status.h"
#include "model/record.h"
#include "model/subject.h"
#include "rules/measures.h"

namespace xinyong::rules {

// A current list membership: started (decision date) and not yet ended (list_end field).
struct Membership {
  Date start;
  std::optional<Date> end;  // when it ends by itself; none = until revoked
};
// The membership a record of list indicator `ind` gives on `today`, if any: only active records
// (never revoked, repaired, superseded or expired ones) count.
std::optional<Membership> ActiveMembership(const Record& r, const catalog::Indicator& ind,
                                           Date today);

enum class CheckResult : uint8_t {
  kPass = 1,
  kPassWithReward = 2,
  kRestricted = 3,  // recommended punishments apply
  kRefused = 4,     // a mandatory punishment applies
};
std::string_view CheckResultName(CheckResult r);   // "pass", "pass_with_reward", ...
std::string_view CheckResultLabel(CheckResult r);  // "通过", "通过（适用激励措施）", ...

// One record or fact that made a measure apply.
struct TriggerEvidence {
  std::string indicator;  // the record's indicator; "grade" for a grade trigger
  uint64_t record_id = 0;
  std::string document_number;
  Date date;                  // list entry, decision or breach date
  std::optional<Date> until;  // a list membership's end, when it has one
  std::string detail;         // e.g. the grade, or the fulfilment status
};

struct AppliedMeasure {
  const Measure* measure = nullptr;
  std::vector<TriggerEvidence> triggers;
};

struct CheckOutcome {
  CheckResult result = CheckResult::kPass;
  std::vector<AppliedMeasure> measures;  // punishments first (mandatory first), then rewards
};

// What the triggers read about one subject.
struct SubjectFacts {
  std::vector<Record> records;       // current versions of its records (Store::ListRecords)
  std::optional<std::string> grade;  // composite evaluation grade, when one exists
};

class Checker {
 public:
  // Both must outlive the checker.
  Checker(const catalog::Catalog& catalog, const MeasureCatalog& measures);

  // InvalidArgument for a scenario the measures catalog does not define.
  Result<CheckOutcome> Evaluate(const Subject& subject, const SubjectFacts& facts,
                                std::string_view scenario, Date today) const;

 private:
  std::vector<TriggerEvidence> Triggered(const Measure& m, const SubjectFacts& facts,
                                         Date today) const;
  const catalog::Catalog& catalog_;
  const MeasureCatalog& measures_;
};

}  // namespace xinyong::rules
