// Checker: the credit check (信用核查) — which measures of the list apply to a subject in a
// business scenario, and why. Every measure returned cites its legal basis and the records or list
// entries that triggered it; nothing outside the measures catalog is ever returned.
//
// Triggers, judged on `today`:
//   list     an active record of a list indicator whose membership has started (decision date)
//            and not ended (the field with role list_end: 有效期至 / 移出日期; none = open-ended);
//   record   at least min_count active records of the indicator, of a listed severity, decided
//            within window_days, and still within the indicator's publicity period; a record's
//            severity is its indicator's unless one of the indicator's serious_when rules makes it
//            serious (RecordSeverity: a penalty of 吊销 or 责令停产停业, or a large fine);
//   grade    the subject's composite evaluation grade is one of the trigger's grades;
//   commitment_breached  a credit commitment found 部分履行 or 全部未履行 (fulfilment_status)
//            within window_days (by fulfilment_date, else the decision date).
// Only records with status active count: superseded, revoked (an upheld objection), repaired and
// expired records never trigger anything.
// 落实到人: a natural person is also reached through other subjects' records naming them as legal
// representative or responsible person (CollectLinked), by the measures targeting that role only.
//
// Result: refused when a mandatory punishment applies, restricted when only recommended ones do,
// pass_with_reward when no punishment but a reward applies, pass otherwise. Rewards never apply
// beside a punishment: they are returned as withheld_rewards instead.
//
// The triggers read facts (TriggerFact), not whole records: made from a subject's records by
// Collect, or kept in memory for every subject by the trigger index (rules/trigger_index.h), so
// that a check need not read the records at all. The grade is read only where NeedsGrade says.
//
// Thread-safety: immutable; Evaluate may run on any number of threads.
#pragma once

#include <optional>
#include <span>
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
// (never revoked, repaired, superseded or expired ones) count, and a membership ends by itself
// at its list end or when the indicator's maximum publicity period runs out, whichever is first
// (a list entry no longer published is no longer applied: punishment ends on time).
std::optional<Membership> ActiveMembership(const Record& r, const catalog::Indicator& ind,
                                           Date today);
// That end: `list_end`, or the decision date plus the publicity period if earlier; none when
// neither bounds it.
std::optional<Date> MembershipEnd(Date decided, std::optional<Date> list_end,
                                  const catalog::Indicator& ind);

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
  // A record of another subject that names the checked person (落实到人): in what role, and whose
  // record it is (the subject's id; its code and name are filled in by whoever shows them).
  PersonRole link = PersonRole::kSelf;
  uint64_t via_subject = 0;
  std::string via_code, via_name;
};

struct AppliedMeasure {
  const Measure* measure = nullptr;
  std::vector<TriggerEvidence> triggers;
};

struct CheckOutcome {
  CheckResult result = CheckResult::kPass;
  std::vector<AppliedMeasure> measures;  // punishments first (mandatory first), then rewards
  // Rewards whose triggers fired but that do not apply because a punishment does: a subject
  // facing 失信惩戒 in the scenario is not 守信 in it (a red-list entry beside a serious-dishonesty
  // one earns no 绿色通道). Shown to the official with their triggers, never applied or logged.
  std::vector<AppliedMeasure> withheld_rewards;
};

// Why withheld_rewards are withheld, for the official (Chinese, as shown).
inline constexpr std::string_view kRewardsWithheldReason =
    "存在适用的失信惩戒措施，守信激励措施不予适用";

// What the triggers read about one subject.
struct SubjectFacts {
  std::vector<Record> records;       // current versions of its records (Store::ListRecords)
  std::optional<std::string> grade;  // composite evaluation grade, when one exists
};

// One record in force as the list, record and commitment triggers read it: no more than the
// trigger judges and the evidence it cites. Views into the record (or the trigger index's copy of
// it) and into the catalog the Checker was given; valid while those are.
struct TriggerFact {
  const catalog::Indicator* indicator = nullptr;
  uint64_t record_id = 0;
  Date decided;                          // decision date
  std::optional<Date> list_end;          // field with role list_end, when a date
  std::string_view fulfilment_status;    // field with role fulfilment_status; "" when none
  std::optional<Date> fulfilment_date;   // field with role fulfilment_date, when a date
  catalog::Severity severity = catalog::Severity::kNone;  // RecordSeverity
  std::string_view document_number;
  // kSelf for the checked subject's own records; otherwise a record of `via_subject` naming the
  // checked person as legal representative or responsible person (CollectLinked).
  PersonRole link = PersonRole::kSelf;
  uint64_t via_subject = 0;
};

// The order facts are cited in: that of Store::ListRecords (newest decision first, ties: newest
// record first), a record's two linked facts legal representative first.
bool CitedBefore(const TriggerFact& a, const TriggerFact& b);

class Checker {
 public:
  // Both must outlive the checker.
  Checker(const catalog::Catalog& catalog, const MeasureCatalog& measures);

  // InvalidArgument for a scenario the measures catalog does not define.
  Result<CheckOutcome> Evaluate(const Subject& subject, const SubjectFacts& facts,
                                std::string_view scenario, Date today) const;
  // The same from facts (Collect, or the trigger index) and the grade. The grade is read only
  // when NeedsGrade says so.
  Result<CheckOutcome> Evaluate(const Subject& subject, std::span<const TriggerFact> facts,
                                const std::optional<std::string>& grade, std::string_view scenario,
                                Date today) const;
  // Whether a measure of `scenario` that reaches `subject` has a grade trigger: only then does a
  // check need the subject's grade. False for an unknown scenario.
  bool NeedsGrade(const Subject& subject, std::string_view scenario) const;

  // Appends the facts of `records` that a trigger may read: records in force (active) of the
  // indicators in Indicators(), in the order given.
  void Collect(std::span<const Record> records, std::vector<TriggerFact>* out) const;
  // The same for records of other subjects that name a person (落实到人): `record` is the current
  // version of a linked record (Store::ListPersonLinks); it counts only while active and while
  // its field of `role` still holds `person_hash`. Measures then reach the person through it
  // only when they target that role (legal_representative, responsible_persons).
  void CollectLinked(const Record& record, PersonRole role, std::string_view person_hash,
                     std::vector<TriggerFact>* out) const;
  // Whether `fact` can make some trigger fire on `from` or any later day. A fact that cannot
  // (a list membership ended, a record out of every window or past its publicity, a commitment
  // not breached) never will again, so a store of facts for checks as of `from` or later may drop
  // it.
  bool MayFire(const TriggerFact& fact, Date from) const;

  // The indicators the list, record and commitment triggers read (grade triggers read the
  // grade), and those of them whose field values a trigger reads (list_end, fulfilment); the
  // others are read by their header alone (status, decision date, document number).
  const std::vector<const catalog::Indicator*>& Indicators() const { return indicators_; }
  const std::vector<const catalog::Indicator*>& IndicatorsWithValues() const {
    return with_values_;
  }
  // Those of Indicators() that the measures of `scenario` read; empty for an unknown scenario.
  std::vector<const catalog::Indicator*> IndicatorsOf(std::string_view scenario) const;
  const catalog::Catalog& catalog() const { return catalog_; }

 private:
  // Per measure (parallel to MeasureCatalog::measures()): what evaluating it needs.
  struct Prepared {
    const catalog::Indicator* indicator = nullptr;  // list, record, commitment triggers
    bool reaches_person = false;    // targets natural persons
    bool reaches_org = false;       // targets organizations (themselves or persons behind them)
    bool reaches_legal_rep = false;    // a person through an organization's record naming them
    bool reaches_responsible = false;  // the same as a responsible person
    // Record triggers: some record of the indicator can be of a listed severity (the indicator's
    // own, or serious through its serious_when rules).
    bool severity_matches = true;
  };
  const Prepared& Of(const Measure& m) const;
  std::vector<TriggerEvidence> Triggered(const Measure& m, const Prepared& how, bool person,
                                         std::span<const TriggerFact> facts,
                                         const std::optional<std::string>& grade, Date today) const;
  // Whether a fact of this link may make the measure reach the checked subject.
  static bool Reaches(const Prepared& how, bool person, PersonRole link);
  // Whether a breach found on `found` is still published on `today`: the derived breach record
  // (违背信用承诺) is, for its indicator's maximum publicity period; once it is not, no measure
  // applies on it any more (nor can it be repaired).
  bool BreachPublished(Date found, Date today) const {
    return breach_publicity_months_ <= 0 || found.AddMonths(breach_publicity_months_) > today;
  }
  const catalog::Catalog& catalog_;
  const MeasureCatalog& measures_;
  std::vector<Prepared> prepared_;
  std::vector<const catalog::Indicator*> indicators_, with_values_;
  int breach_publicity_months_ = 0;  // of the indicator derived from kCommitmentIndicator
};

}  // namespace xinyong::rules
