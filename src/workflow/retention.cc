#include "workflow/retention.h"

#include <algorithm>
#include <map>

#include "rules/check.h"
#include "rules/measures.h"
#include "rules/record_fields.h"

namespace xinyong::workflow {

namespace {

// When the behaviour ended: the end of a list membership when the record has one (its list end
// field), else the decision. A list entry without a list end: the end of its publicity
// (rules::MembershipEnd) if its indicator limits it; with neither, the entry has not ended while
// it is in force (a court's list of dishonest debtors lasts until the court takes the debtor
// off), and ended when it stopped being in force (the version that took it off).
std::optional<Date> BehaviourEnded(const Record& r, const catalog::Indicator& ind) {
  const std::optional<Date> list_end = rules::DateByRole(r, ind, catalog::FieldRole::kListEnd);
  if (list_end) return std::max(r.decision_date, *list_end);
  if (!rules::MeasureCatalog::IsListIndicator(ind.code)) return r.decision_date;
  if (const std::optional<Date> end = rules::MembershipEnd(r.decision_date, std::nullopt, ind)) {
    return std::max(r.decision_date, *end);
  }
  if (r.status == RecordStatus::kActive) return std::nullopt;
  return std::max(r.decision_date, r.received_date);
}

}  // namespace

std::optional<Date> RetentionEnd(const Record& r, const catalog::Indicator& ind,
                                 bool natural_person) {
  if (!natural_person || ind.nature != catalog::Nature::kNegative || ind.retention_years <= 0) {
    return std::nullopt;
  }
  const std::optional<Date> ended = BehaviourEnded(r, ind);
  if (!ended) return std::nullopt;  // still going on
  return ended->AddMonths(12 * ind.retention_years);
}

Result<RetentionReport> RunRetention(storage::Store& store, const catalog::Catalog& catalog,
                                     ingest::Ingester& ingester, security::AuditLog* audit,
                                     const RetentionOptions& options) {
  RetentionReport report;
  report.as_of = options.today == Date() ? Date::Today() : options.today;
  report.dry_run = options.dry_run;

  // The negative indicators with a retention period, list ends decoded where they have one.
  storage::RecordSelection selection;
  // A source record whose content makes a negative derived record (a commitment found broken
  // makes a 违背信用承诺) carries that negative information itself: it goes with the derived
  // record, on the derived indicator's retention, counted from the finding (its fulfilment date)
  // or its decision, whichever is later.
  std::map<std::string, const catalog::Indicator*> negative_sources;  // source → derived
  for (const catalog::Indicator& ind : catalog.indicators()) {
    if (ind.nature != catalog::Nature::kNegative || ind.retention_years <= 0) continue;
    selection.indicators.push_back(ind.code);
    if (ind.FieldIndexByRole(catalog::FieldRole::kListEnd) >= 0) {
      selection.with_values.push_back(ind.code);
    }
    if (ind.derived_from && catalog.Find(ind.derived_from->source) != nullptr) {
      negative_sources[ind.derived_from->source] = &ind;
      selection.indicators.push_back(ind.derived_from->source);
      selection.with_values.push_back(ind.derived_from->source);
    }
  }
  // The retention end of a source record that made a negative derived record, if it did.
  auto source_end = [&](const Record& r, Date* ended) -> std::optional<Date> {
    auto it = negative_sources.find(r.indicator);
    if (it == negative_sources.end()) return std::nullopt;
    const catalog::Derivation& d = *it->second->derived_from;
    const std::string_view value = r.Get(d.when_field);
    if (std::find(d.when_values.begin(), d.when_values.end(), value) == d.when_values.end()) {
      return std::nullopt;
    }
    const catalog::Indicator* source = catalog.Find(r.indicator);
    *ended = std::max(r.decision_date, rules::DateByRole(r, *source, catalog::FieldRole::kFulfilmentDate)
                                           .value_or(r.decision_date));
    return ended->AddMonths(12 * it->second->retention_years);
  };
  struct Due {
    storage::RecordRef ref;
    std::string indicator;
    Date decided, ended;
    uint32_t version = 0;
    bool active = false;
  };
  std::vector<Due> due;
  std::vector<uint64_t> persons;  // with something due
  if (!selection.indicators.empty()) {
    XY_RETURN_IF_ERROR(store.ScanSubjectRecords(
        storage::Store::SubjectPart(), selection, [&](const Subject& s, std::span<const Record> records) -> Status {
          if (s.type != SubjectType::kNaturalPerson) return Status::Ok();
          ++report.persons_scanned;
          bool any = false;
          for (const Record& r : records) {
            const catalog::Indicator* ind = catalog.Find(r.indicator);
            if (ind == nullptr) continue;
            Date ended;
            std::optional<Date> end = RetentionEnd(r, *ind, true);
            if (end) {
              ended = *BehaviourEnded(r, *ind);
            } else {
              end = source_end(r, &ended);
            }
            if (!end || *end > report.as_of) continue;
            due.push_back({{s.id, r.record_id}, r.indicator, r.decision_date, ended, r.version,
                           r.status == RecordStatus::kActive});
            any = true;
          }
          if (any) persons.push_back(s.id);
          return Status::Ok();
        }));
  }
  for (const Due& d : due) {
    ++report.by_indicator[d.indicator];
    report.erased.push_back(d.ref);
  }
  report.records_erased = due.size();
  if (options.dry_run || due.empty()) return report;
  if (audit == nullptr) return Status::FailedPrecondition("the store is read-only");

  // 0. What is to be erased, without personal data, written (durably) before anything is
  // erased: a run that stops halfway leaves entries whose records the next run erases (and
  // records again), never an erasure without its entry.
  // An entry of the platform itself, acting by its own rule.
  const auto entry = [](uint64_t subject_id, std::string outcome) {
    security::AuditEntry e = security::AuditEntryFor(security::Principal(), "erase", "retention");
    e.actor = "platform (retention)";
    e.subject_id = subject_id;
    e.outcome = std::move(outcome);
    return e;
  };
  std::vector<security::AuditEntry> entries;
  entries.reserve(due.size() + 1);
  for (const Due& d : due) {
    entries.push_back(entry(d.ref.subject_id,
                            "record " + std::to_string(d.ref.record_id) + " (" + d.indicator +
                                ", decided " + d.decided.ToString() + ", behaviour ended " +
                                d.ended.ToString() +
                                ") erased with all its versions: retention period over"));
  }
  entries.push_back(entry(0, "retention run as of " + report.as_of.ToString() + ": erasing " +
                                 std::to_string(report.records_erased) + " records"));
  // All in one durable write, or nothing is erased.
  XY_RETURN_IF_ERROR(audit->AppendWith(entries, [&](const storage::AuditAppend& a) {
    return store.AppendAudit(a.entries, a.head, /*durable=*/true);
  }));

  // 1. What is still in force stops being used at once, as by a repair.
  std::vector<ingest::StatusChange> changes;
  for (const Due& d : due) {
    if (!d.active) continue;
    changes.push_back({d.ref.subject_id, d.ref.record_id, d.version, RecordStatus::kExpired,
                       "retention period over: erased"});
  }
  if (!changes.empty()) {
    XY_ASSIGN_OR_RETURN(auto changed, ingester.ChangeStatus(changes, "retention", "platform",
                                                            report.as_of));
    report.versions_expired = changed.versions.size();
  }
  // 2. The records go, then the persons left without any record.
  XY_RETURN_IF_ERROR(ingester.Erase(report.erased, {}));
  XY_ASSIGN_OR_RETURN(const std::vector<uint64_t> empty_persons,
                      ingester.EraseSubjectsWithoutRecords(persons));
  report.persons_erased = empty_persons.size();

  // 3. The run's outcome.
  XY_RETURN_IF_ERROR(audit->Append(entry(0, "retention run as of " + report.as_of.ToString() +
                                                 ": " + std::to_string(report.records_erased) +
                                                 " records and " +
                                                 std::to_string(report.persons_erased) +
                                                 " persons erased"))
                         .status());
  return report;
}

}  // namespace xinyong::workflow
