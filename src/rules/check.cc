#include "rules/check.h"

#include <algorithm>
#include <iterator>

#include "rules/record_fields.h"

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

// Still published on `today`: the indicator's maximum publicity period has not run out.
bool InPublicity(Date decided, const catalog::Indicator& ind, Date today) {
  return ind.publicity_max_months <= 0 || decided.AddMonths(ind.publicity_max_months) > today;
}

bool Breached(std::string_view fulfilment_status) {
  return catalog::IsBreachStatus(fulfilment_status);
}

// Whether a record of severity `s` counts for a record trigger.
bool SeverityCounts(const Trigger& t, catalog::Severity s) {
  return t.severities.empty() ||
         std::find(t.severities.begin(), t.severities.end(), s) != t.severities.end();
}

TriggerEvidence Evidence(const TriggerFact& f) {
  TriggerEvidence e;
  e.indicator = f.indicator->code;
  e.record_id = f.record_id;
  e.document_number = std::string(f.document_number);
  e.date = f.decided;
  e.link = f.link;
  e.via_subject = f.via_subject;
  return e;
}

}  // namespace

std::optional<Date> MembershipEnd(Date decided, std::optional<Date> list_end,
                                  const catalog::Indicator& ind) {
  if (ind.publicity_max_months <= 0) return list_end;
  const Date publicity_end = decided.AddMonths(ind.publicity_max_months);
  return list_end && *list_end < publicity_end ? list_end : publicity_end;
}

std::optional<Membership> ActiveMembership(const Record& r, const catalog::Indicator& ind,
                                           Date today) {
  if (r.status != RecordStatus::kActive || r.decision_date > today) return std::nullopt;
  const std::optional<Date> end =
      MembershipEnd(r.decision_date, DateByRole(r, ind, catalog::FieldRole::kListEnd), ind);
  if (end && *end <= today) return std::nullopt;  // the membership has ended by itself
  return Membership{r.decision_date, end};
}

Checker::Checker(const catalog::Catalog& catalog, const MeasureCatalog& measures)
    : catalog_(catalog), measures_(measures) {
  if (const catalog::Indicator* breach = catalog.DerivedFrom(kCommitmentIndicator)) {
    breach_publicity_months_ = breach->publicity_max_months;
  }
  auto add = [](std::vector<const catalog::Indicator*>* v, const catalog::Indicator* ind) {
    if (std::find(v->begin(), v->end(), ind) == v->end()) v->push_back(ind);
  };
  prepared_.reserve(measures.measures().size());
  for (const Measure& m : measures.measures()) {
    Prepared how;
    for (Target target : m.targets) {
      how.reaches_person = how.reaches_person || target == Target::kNaturalPerson;
      how.reaches_org = how.reaches_org || target != Target::kNaturalPerson;
      how.reaches_legal_rep = how.reaches_legal_rep || target == Target::kLegalRepresentative;
      how.reaches_responsible = how.reaches_responsible || target == Target::kResponsiblePersons;
    }
    const Trigger& t = m.trigger;
    if (t.type != TriggerType::kGrade) {
      how.indicator = catalog.Find(t.indicator);  // the loader checked it against this catalog
      if (how.indicator != nullptr) {
        const bool raised = !how.indicator->serious_when.empty();
        how.severity_matches = t.type != TriggerType::kRecord ||
                               SeverityCounts(t, how.indicator->severity) ||
                               (raised && SeverityCounts(t, catalog::Severity::kSerious));
        // A record trigger no record of its indicator can match never fires: nothing to read.
        if (how.severity_matches) {
          add(&indicators_, how.indicator);
          // Record triggers read only headers, unless a record's severity depends on its values.
          if (t.type != TriggerType::kRecord || (raised && !t.severities.empty())) {
            add(&with_values_, how.indicator);
          }
        }
      }
    }
    prepared_.push_back(how);
  }
}

const Checker::Prepared& Checker::Of(const Measure& m) const {
  return prepared_[static_cast<size_t>(&m - measures_.measures().data())];
}

namespace {

TriggerFact FactOf(const Record& r, const catalog::Indicator& ind) {
  TriggerFact f;
  f.indicator = &ind;
  f.record_id = r.record_id;
  f.decided = r.decision_date;
  f.list_end = DateByRole(r, ind, catalog::FieldRole::kListEnd);
  f.fulfilment_status = ValueByRole(r, ind, catalog::FieldRole::kFulfilmentStatus);
  f.fulfilment_date = DateByRole(r, ind, catalog::FieldRole::kFulfilmentDate);
  f.severity = RecordSeverity(r, ind);
  f.document_number = r.document_number;
  return f;
}

const catalog::Indicator* FindIn(const std::vector<const catalog::Indicator*>& v,
                                 std::string_view code) {
  for (const catalog::Indicator* i : v) {
    if (i->code == code) return i;
  }
  return nullptr;
}

}  // namespace

void Checker::Collect(std::span<const Record> records, std::vector<TriggerFact>* out) const {
  for (const Record& r : records) {
    if (r.status != RecordStatus::kActive) continue;
    if (const catalog::Indicator* ind = FindIn(indicators_, r.indicator)) {
      out->push_back(FactOf(r, *ind));
    }
  }
}

bool CitedBefore(const TriggerFact& a, const TriggerFact& b) {
  if (a.decided != b.decided) return a.decided > b.decided;
  if (a.record_id != b.record_id) return a.record_id > b.record_id;
  return a.link < b.link;
}

void Checker::CollectLinked(const Record& r, PersonRole role, std::string_view person_hash,
                            std::vector<TriggerFact>* out) const {
  if (r.status != RecordStatus::kActive || role == PersonRole::kSelf) return;
  const catalog::Indicator* ind = FindIn(indicators_, r.indicator);
  // As the ingester links persons (Store::ListPersonLinks): through positive and negative
  // records only, never registration or other neutral ones.
  if (ind == nullptr || ind->nature == catalog::Nature::kNeutral) return;
  const int i = ind->FieldIndexByRole(role == PersonRole::kLegalRepresentative
                                          ? catalog::FieldRole::kLegalRepIdNumber
                                          : catalog::FieldRole::kResponsiblePersonIdNumber);
  if (i < 0) return;
  const std::string& field = ind->fields[static_cast<size_t>(i)].code;
  for (const PersonalValue& pv : r.personal) {
    if (pv.field == field && pv.hash == person_hash) {
      TriggerFact f = FactOf(r, *ind);
      f.link = role;
      f.via_subject = r.subject_id;
      out->push_back(f);
      return;
    }
  }
}

bool Checker::Reaches(const Prepared& how, bool person, PersonRole link) {
  switch (link) {
    case PersonRole::kSelf: return person ? how.reaches_person : how.reaches_org;
    case PersonRole::kLegalRepresentative: return person && how.reaches_legal_rep;
    case PersonRole::kResponsiblePerson: return person && how.reaches_responsible;
  }
  return false;
}

bool Checker::MayFire(const TriggerFact& f, Date from) const {
  const auto& all = measures_.measures();
  for (size_t i = 0; i < all.size(); ++i) {
    const Trigger& t = all[i].trigger;
    const Prepared& how = prepared_[i];
    if (how.indicator != f.indicator || all[i].scenarios.empty()) continue;
    const Date window_start = Date::FromDays(from.days() - t.window_days);
    switch (t.type) {
      case TriggerType::kList: {
        const std::optional<Date> end = MembershipEnd(f.decided, f.list_end, *f.indicator);
        if (!end || *end > from) return true;
        break;
      }
      case TriggerType::kRecord:
        if (how.severity_matches && SeverityCounts(t, f.severity) && f.decided >= window_start &&
            InPublicity(f.decided, *f.indicator, from)) {
          return true;
        }
        break;
      case TriggerType::kCommitmentBreached:
        if (Breached(f.fulfilment_status) && f.fulfilment_date.value_or(f.decided) >= window_start &&
            BreachPublished(f.fulfilment_date.value_or(f.decided), from)) {
          return true;
        }
        break;
      case TriggerType::kGrade:
        break;
    }
  }
  return false;
}

std::vector<TriggerEvidence> Checker::Triggered(const Measure& m, const Prepared& how,
                                                bool person, std::span<const TriggerFact> facts,
                                                const std::optional<std::string>& grade,
                                                Date today) const {
  const Trigger& t = m.trigger;
  std::vector<TriggerEvidence> out;
  if (t.type == TriggerType::kGrade) {
    if (Reaches(how, person, PersonRole::kSelf) && grade && std::find(t.grades.begin(), t.grades.end(), *grade) != t.grades.end()) {
      TriggerEvidence e;
      e.indicator = "grade";
      e.detail = *grade;
      out.push_back(std::move(e));
    }
    return out;
  }
  if (how.indicator == nullptr) return out;
  if (t.type == TriggerType::kRecord && !how.severity_matches) return out;
  const Date window_start = Date::FromDays(today.days() - t.window_days);
  for (const TriggerFact& f : facts) {
    if (f.indicator != how.indicator || !Reaches(how, person, f.link)) continue;
    switch (t.type) {
      case TriggerType::kList: {
        // ActiveMembership, on the fact: it ends with the list's end or the publicity period,
        // whichever comes first (the lists and the repair check read it so too).
        const std::optional<Date> end = MembershipEnd(f.decided, f.list_end, *how.indicator);
        if (f.decided > today || (end && *end <= today)) break;
        TriggerEvidence e = Evidence(f);
        e.until = end;
        out.push_back(std::move(e));
        break;
      }
      case TriggerType::kRecord: {
        if (f.decided < window_start || f.decided > today || !SeverityCounts(t, f.severity)) break;
        if (!InPublicity(f.decided, *how.indicator, today)) break;
        TriggerEvidence e = Evidence(f);
        // A record made serious by its own content says so: the official sees why it counts.
        if (f.severity != how.indicator->severity) e.detail = catalog::SeverityLabel(f.severity);
        out.push_back(std::move(e));
        break;
      }
      case TriggerType::kCommitmentBreached: {
        if (!Breached(f.fulfilment_status)) break;
        const Date found = f.fulfilment_date.value_or(f.decided);
        if (found < window_start || found > today || !BreachPublished(found, today)) break;
        TriggerEvidence e = Evidence(f);
        e.date = found;
        e.detail = std::string(f.fulfilment_status);
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

std::vector<const catalog::Indicator*> Checker::IndicatorsOf(std::string_view scenario) const {
  std::vector<const catalog::Indicator*> out;
  for (const Measure* m : measures_.ForScenario(scenario)) {
    const Prepared& how = Of(*m);
    const catalog::Indicator* ind = how.indicator;
    if (ind != nullptr && how.severity_matches &&
        std::find(out.begin(), out.end(), ind) == out.end()) {
      out.push_back(ind);
    }
  }
  return out;
}

bool Checker::NeedsGrade(const Subject& subject, std::string_view scenario) const {
  const bool person = subject.type == SubjectType::kNaturalPerson;
  for (const Measure* m : measures_.ForScenario(scenario)) {
    const Prepared& how = Of(*m);
    if (m->trigger.type == TriggerType::kGrade && (person ? how.reaches_person : how.reaches_org)) {
      return true;
    }
  }
  return false;
}

Result<CheckOutcome> Checker::Evaluate(const Subject& subject, const SubjectFacts& facts,
                                       std::string_view scenario, Date today) const {
  std::vector<TriggerFact> collected;
  Collect(facts.records, &collected);
  return Evaluate(subject, collected, facts.grade, scenario, today);
}

Result<CheckOutcome> Checker::Evaluate(const Subject& subject, std::span<const TriggerFact> facts,
                                       const std::optional<std::string>& grade,
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
    const Prepared& how = Of(*m);
    if (!(person ? how.reaches_person || how.reaches_legal_rep || how.reaches_responsible
                 : how.reaches_org)) {
      continue;
    }
    std::vector<TriggerEvidence> why = Triggered(*m, how, person, facts, grade, today);
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
  // 守信激励 is for subjects no 失信惩戒 reaches: with a punishment in force, the rewards that
  // fired are withheld (they stay visible, so the official sees why none applies).
  const bool punished = !out.measures.empty() &&
                        out.measures.front().measure->kind == MeasureKind::kPunishment;
  if (punished) {
    auto first_reward = std::find_if(out.measures.begin(), out.measures.end(),
                                     [](const AppliedMeasure& a) {
                                       return a.measure->kind == MeasureKind::kReward;
                                     });
    std::move(first_reward, out.measures.end(), std::back_inserter(out.withheld_rewards));
    out.measures.erase(first_reward, out.measures.end());
  }
  for (const AppliedMeasure& a : out.measures) {
    CheckResult r = a.measure->kind == MeasureKind::kReward ? CheckResult::kPassWithReward
                    : a.measure->mandatory                   ? CheckResult::kRefused
                                                             : CheckResult::kRestricted;
    out.result = std::max(out.result, r);
  }
  return out;
}

}  // namespace xinyong::rules
