#include "rules/check.h"

#include <algorithm>

namespace xinyong::rules {

std::string_view CheckResultName(CheckResult r) {
  switch (r) {
    case CheckResult::kPass: return "pass";
    case CheckResult::kPassWithReward: return "pass_with_reward";
    case CheckResult::kRestricted: return "restricted";
    case CheckResult::kRefused: return "refused";
  }
  return "unknown";
}

std::string_view CheckResultLabel(CheckResult r) {
  switch (r) {
    case CheckResult::kPass: return "通过";
    case CheckResult::kPassWithReward: return "通过（适用激励措施）";
    case CheckResult::kRestricted: return "限制（适用推荐性惩戒措施）";
    case CheckResult::kRefused: return "不予通过（适用强制性惩戒措施）";
  }
  return "未知";
}

namespace {

// The value of the field with `role` in a record of `ind`, or "".
std::string_view ByRole(const Record& r, const catalog::Indicator& ind, catalog::FieldRole role) {
  int i = ind.FieldIndexByRole(role);
  return i < 0 ? std::string_view() : r.Get(ind.fields[static_cast<size_t>(i)].code);
}

std::optional<Date> DateByRole(const Record& r, const catalog::Indicator& ind,
                               catalog::FieldRole role) {
  std::string_view v = ByRole(r, ind, role);
  if (v.empty()) return std::nullopt;
  auto d = Date::Parse(v);
  if (!d.ok()) return std::nullopt;
  return *d;
}

// Still published on `today`: the indicator's maximum publicity period has not run out.
bool InPublicity(const Record& r, const catalog::Indicator& ind, Date today) {
  return ind.publicity_max_months <= 0 || r.decision_date.AddMonths(ind.publicity_max_months) > today;
}

}  // namespace

std::optional<Membership> ActiveMembership(const Record& r, const catalog::Indicator& ind,
                                           Date today) {
  if (r.status != RecordStatus::kActive || r.decision_date > today) return std::nullopt;
  std::optional<Date> end = DateByRole(r, ind, catalog::FieldRole::kListEnd);
  if (end && *end <= today) return std::nullopt;  // the membership has ended by itself
  return Membership{r.decision_date, end};
}

namespace {

TriggerEvidence Evidence(const Record& r) {
  TriggerEvidence e;
  e.indicator = r.indicator;
  e.record_id = r.record_id;
  e.document_number = r.document_number;
  e.date = r.decision_date;
  return e;
}

}  // namespace

Checker::Checker(const catalog::Catalog& catalog, const MeasureCatalog& measures)
    : catalog_(catalog), measures_(measures) {}

std::vector<TriggerEvidence> Checker::Triggered(const Measure& m, const SubjectFacts& facts,
                                                Date today) const {
  const Trigger& t = m.trigger;
  std::vector<TriggerEvidence> out;
  if (t.type == TriggerType::kGrade) {
    if (facts.grade && std::find(t.grades.begin(), t.grades.end(), *facts.grade) != t.grades.end()) {
      TriggerEvidence e;
      e.indicator = "grade";
      e.detail = *facts.grade;
      out.push_back(std::move(e));
    }
    return out;
  }
  const catalog::Indicator* ind = catalog_.Find(t.indicator);
  if (ind == nullptr) return out;  // the loader checked it against this catalog
  const Date window_start = Date::FromDays(today.days() - t.window_days);
  for (const Record& r : facts.records) {
    if (r.indicator != t.indicator || r.status != RecordStatus::kActive) continue;
    switch (t.type) {
      case TriggerType::kList: {
        std::optional<Membership> m = ActiveMembership(r, *ind, today);
        if (!m) break;
        TriggerEvidence e = Evidence(r);
        e.until = m->end;
        out.push_back(std::move(e));
        break;
      }
      case TriggerType::kRecord: {
        if (r.decision_date < window_start || r.decision_date > today) break;
        if (!InPublicity(r, *ind, today)) break;
        if (!t.severities.empty() &&
            std::find(t.severities.begin(), t.severities.end(), ind->severity) == t.severities.end()) {
          break;
        }
        out.push_back(Evidence(r));
        break;
      }
      case TriggerType::kCommitmentBreached: {
        std::string_view status = ByRole(r, *ind, catalog::FieldRole::kFulfilmentStatus);
        if (status != "部分履行" && status != "全部未履行") break;
        Date found = DateByRole(r, *ind, catalog::FieldRole::kFulfilmentDate).value_or(r.decision_date);
        if (found < window_start || found > today) break;
        TriggerEvidence e = Evidence(r);
        e.date = found;
        e.detail = std::string(status);
        out.push_back(std::move(e));
        break;
      }
      case TriggerType::kGrade:
        break;
    }
  }
  if (t.type == TriggerType::kRecord && out.size() < static_cast<size_t>(std::max(1, t.min_count))) {
    out.clear();
  }
  return out;
}

Result<CheckOutcome> Checker::Evaluate(const Subject& subject, const SubjectFacts& facts,
                                       std::string_view scenario, Date today) const {
  if (measures_.FindScenario(scenario) == nullptr) {
    return Status::InvalidArgument("unknown scenario '" + std::string(scenario.substr(0, 64)) +
                                   "' (see data/measures/scenarios.toml)");
  }
  const bool person = subject.type == SubjectType::kNaturalPerson;
  CheckOutcome out;
  for (const Measure* m : measures_.ForScenario(scenario)) {
    // A measure reaches a natural person only if it names them; an organization through itself
    // or the persons behind it (落实到人), which the official needs to know about.
    bool reaches = false;
    for (Target target : m->targets) {
      reaches = reaches || (person ? target == Target::kNaturalPerson : target != Target::kNaturalPerson);
    }
    if (!reaches) continue;
    std::vector<TriggerEvidence> why = Triggered(*m, facts, today);
    if (why.empty()) continue;
    out.measures.push_back({m, std::move(why)});
  }
  std::stable_sort(out.measures.begin(), out.measures.end(),
                   [](const AppliedMeasure& a, const AppliedMeasure& b) {
                     auto rank = [](const Measure& m) {
                       if (m.kind == MeasureKind::kPunishment) return m.mandatory ? 0 : 1;
                       return 2;
                     };
                     return rank(*a.measure) < rank(*b.measure);
                   });
  for (const AppliedMeasure& a : out.measures) {
    CheckResult r = a.measure->kind == MeasureKind::kReward ? CheckResult::kPassWithReward
                    : a.measure->mandatory                   ? CheckResult::kRefused
                                                             : CheckResult::kRestricted;
    out.result = std::max(out.result, r);
  }
  return out;
}

}  // namespace xinyong::rules
