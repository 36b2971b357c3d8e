#include "governance/monitoring.h"

#include <algorithm>
#include <limits>

#include <boost/json.hpp>

#include "governance/governance.h"
#include "report/issuer.h"
#include "rules/commitment.h"
#include "workflow/application.h"

namespace xinyong::governance {

namespace {

std::optional<double> Ratio(uint64_t num, uint64_t den) {
  if (den == 0) return std::nullopt;
  return static_cast<double>(num) / static_cast<double>(den);
}

// By day arithmetic: FromYmd refuses years before 1900, and the default period of twelve months
// up to a `to` early in 1900 starts in 1899.
Date FirstOfMonth(Date d) { return Date::FromDays(d.days() - (d.day() - 1)); }

// The day of a Unix time in China (UTC+8), as the platform's dates are.
Date ChinaDay(int64_t unix_ms) {
  const int64_t seconds = unix_ms / 1000 + 8 * 3600;
  int64_t days = seconds / 86400;
  if (seconds % 86400 < 0) --days;
  return Date::FromDays(static_cast<int32_t>(days));
}


}  // namespace

std::optional<double> MonthFigures::SgsPerEnterprise() const { return Ratio(sgs_accepted, enterprises); }
std::optional<double> MonthFigures::SgsCompliance() const {
  return Ratio(sgs_rows - std::min(sgs_rows, sgs_rejected), sgs_rows);
}
std::optional<double> MonthFigures::SgsTimeliness() const {
  // Of the new decisions accepted (sgs_late counts only those).
  uint64_t decisions = sgs_accepted - std::min(sgs_accepted, sgs_corrected);
  decisions -= std::min(decisions, sgs_timeliness_unknown);
  return Ratio(decisions - std::min(decisions, sgs_late), decisions);
}
std::optional<double> MonthFigures::ObjectionShare() const {
  return Ratio(objections_filed, records_published);
}
std::optional<double> MonthFigures::ObjectionDays() const {
  return Ratio(objection_workdays, objections_answered);
}
std::optional<double> MonthFigures::RepairDays() const { return Ratio(repair_workdays, repairs_finished); }
std::optional<double> MonthFigures::ApprovalShare() const {
  return Ratio(approval_subjects, enterprises);
}
std::optional<double> MonthFigures::FeedbackShare() const { return Ratio(feedback, measure_cases); }
std::optional<double> MonthFigures::AppliedShare() const { return Ratio(applied, feedback); }
std::optional<double> MonthFigures::UsccErrorRate() const {
  return Ratio(invalid_uscc + identifier_conflicts, rows);
}

Result<MonitoringReport> ComputeMonitoring(const storage::Store& store,
                                           const catalog::Catalog& catalog,
                                           const WorkCalendar& calendar,
                                           const GovernanceConfig& config, Date from, Date to) {
  if (from > to) {
    return Status::InvalidArgument("from " + from.ToString() + " is after to " + to.ToString());
  }
  MonitoringReport rep;
  rep.from = from;
  rep.to = to;
  for (Date m = FirstOfMonth(from); m <= to; m = m.AddMonths(1)) {
    if (rep.months.size() >= 120) {
      return Status::InvalidArgument("from " + from.ToString() + " to " + to.ToString() +
                                     " spans more than 120 months");
    }
    MonthFigures f;
    f.first = m;
    f.last = m.AddMonths(1).AddDays(-1);
    f.month = m.ToString().substr(0, 7);
    rep.months.push_back(std::move(f));
  }
  const Date first = rep.months.front().first, last = rep.months.back().last;
  auto month_of = [&](Date d) -> MonthFigures* {
    if (d < first || d > last) return nullptr;
    const int index = (d.year() - first.year()) * 12 + (d.month() - first.month());
    return &rep.months[static_cast<size_t>(index)];
  };

  // Batch reports: 双公示 volume and quality, code errors, rows without a legal basis.
  std::vector<storage::BatchSummary> summaries;
  XY_RETURN_IF_ERROR(store.ListBatches(std::numeric_limits<size_t>::max(), "", &summaries));
  for (const storage::BatchSummary& s : summaries) {
    XY_ASSIGN_OR_RETURN(auto b, store.GetBatch(s.id));
    if (!b || !IsSubmission(*b)) continue;
    MonthFigures* m = month_of(b->received_date);
    if (m == nullptr) continue;
    const catalog::Indicator* ind = catalog.Find(b->indicator);
    if (ind != nullptr && ind->shuanggongshi) {
      m->sgs_rows += b->rows;
      m->sgs_accepted += b->accepted;
      m->sgs_rejected += b->rejected;
      m->sgs_late += b->late;
      m->sgs_timeliness_unknown += RowsWarned(*b, "calendar_missing");
      m->sgs_corrected += b->corrected;
    }
    m->rows += b->rows;
    m->records_accepted += b->accepted;
    // Published: new decisions of an indicator the public sees as a whole (one whose records
    // each say with 公开类型 cannot be told from the batch and is left out; corrections are
    // versions of records already counted).
    if (ind != nullptr && ind->disclosure == catalog::Disclosure::kPublic &&
        ind->FieldIndexByRole(catalog::FieldRole::kPublicityType) < 0) {
      m->records_published += b->accepted - std::min(b->accepted, b->corrected);
    }
    for (const RowIssue& r : b->rejections) {
      if (r.code == "invalid_uscc") ++m->invalid_uscc;
      if (r.code == "missing_document") ++m->no_legal_document;
    }
    m->identifier_conflicts += RowsWarned(*b, "identifier_conflict");
    for (const RowIssue& w : b->warnings) {
      if (w.code == "unknown_column") ++m->columns_outside_catalog;
    }
  }

  // Organizations known by each month's end.
  std::vector<int32_t> seen;
  XY_RETURN_IF_ERROR(store.ScanSubjects([&](const Subject& s) {
    if (s.type != SubjectType::kNaturalPerson) seen.push_back(s.first_seen.days());
    return Status::Ok();
  }));
  std::sort(seen.begin(), seen.end());
  for (MonthFigures& m : rep.months) {
    m.enterprises = static_cast<uint64_t>(
        std::upper_bound(seen.begin(), seen.end(), m.last.days()) - seen.begin());
  }

  // 审批替代型 commitments of organizations.
  if (const catalog::Indicator* ind = catalog.Find(rules::kCommitmentIndicator)) {
    storage::RecordSelection selection;
    selection.indicators = {ind->code};
    selection.with_values = {ind->code};
    selection.skip_natural_persons = true;
    std::vector<int32_t> first_made;  // per organization, its first such commitment
    XY_RETURN_IF_ERROR(store.ScanSubjectRecords(
        storage::Store::SubjectPart(), selection, [&](const Subject& s, std::span<const Record> records) -> Status {
          std::optional<Date> earliest;
          for (const Record& r : records) {
            if (r.status != RecordStatus::kActive) continue;
            rules::CommitmentView v = rules::ViewCommitment(r, *ind, to);
            if (v.type != config.approval_commitment_type) continue;
            if (MonthFigures* m = month_of(v.made)) ++m->approval_commitments;
            if (!earliest || v.made < *earliest) earliest = v.made;
          }
          // Counted from when the platform knew the organization, as the denominator counts
          // it (a commitment older than the subject's first record would give shares over 1).
          if (earliest) first_made.push_back(std::max(*earliest, s.first_seen).days());
          return Status::Ok();
        }));
    std::sort(first_made.begin(), first_made.end());
    for (MonthFigures& m : rep.months) {
      m.approval_subjects = static_cast<uint64_t>(
          std::upper_bound(first_made.begin(), first_made.end(), m.last.days()) -
          first_made.begin());
    }
  }

  // Objections and credit repairs.
  Status bad;
  XY_RETURN_IF_ERROR(store.ScanApplications([&](uint64_t id, std::string_view value) {
    workflow::Application a;
    if (!workflow::DecodeApplication(value, &a)) {
      bad = Status::DataLoss("application " + std::to_string(id) + " is corrupt");
      return false;
    }
    if (a.kind == workflow::Kind::kObjection) {
      if (MonthFigures* m = month_of(a.filed)) ++m->objections_filed;
      if (a.state == workflow::State::kAnswered) {
        if (MonthFigures* m = month_of(a.state_since)) {
          ++m->objections_answered;
          m->objection_workdays += static_cast<uint64_t>(WorkdaysIn(calendar, a.filed, a.state_since));
        }
      }
    } else if (a.state == workflow::State::kRepaired) {
      if (MonthFigures* m = month_of(a.state_since)) {
        ++m->repairs_finished;
        m->repair_workdays += static_cast<uint64_t>(WorkdaysIn(calendar, a.filed, a.state_since));
      }
    }
    return true;
  }));
  XY_RETURN_IF_ERROR(bad);

  // Credit checks and their feedback.
  XY_RETURN_IF_ERROR(store.ScanChecks([&](const CheckLog& c) {
    MonthFigures* m = month_of(ChinaDay(c.unix_ms));
    if (m == nullptr) return Status::Ok();
    ++m->checks;
    ++m->checks_by_scenario[c.scenario];
    if (!c.measures.empty()) {
      ++m->measure_cases;
      if (!c.feedback_action.empty()) ++m->feedback;
      if (c.feedback_action == "applied") ++m->applied;
    }
    return Status::Ok();
  }));

  // Random-inspection draws.
  XY_RETURN_IF_ERROR(store.ListInspections([&](uint64_t, std::string_view document) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(document, ec);
    if (ec || !v.is_object()) return true;
    const boost::json::object& o = v.as_object();
    const boost::json::value* date = o.if_contains("date");
    if (date == nullptr || !date->is_string()) return true;
    auto day = Date::Parse(std::string_view(date->as_string()));
    if (!day.ok()) return true;
    if (MonthFigures* m = month_of(*day)) {
      ++m->inspections;
      if (const boost::json::value* d = o.if_contains("drawn"); d != nullptr && d->is_array()) {
        m->inspected_subjects += d->as_array().size();
      }
    }
    return true;
  }));

  // Issued credit reports.
  XY_RETURN_IF_ERROR(store.ScanReports(storage::Store::ScanOrder::kOldestFirst, [&](uint64_t id, std::string_view value) {
    auto facts = report::ReadIssueFacts(id, value);
    if (!facts.ok()) {
      bad = facts.status();
      return false;
    }
    MonthFigures* m = month_of(ChinaDay(facts->issued_unix_ms));
    if (m == nullptr) return true;
    ++m->credit_reports;
    const report::ReportRequest& r = facts->request;
    if (r.kind == report::ReportKind::kSpecial) {
      ++m->reports_by_kind["special"];
      for (const std::string& d : r.domains) ++m->special_by_domain[d];
    } else {
      ++m->reports_by_kind[r.view == report::ReportView::kFull ? "full" : "public"];
    }
    return true;
  }));
  XY_RETURN_IF_ERROR(bad);

  // Grades as they stand.
  XY_RETURN_IF_ERROR(store.ScanGrades(0, [&](uint64_t, const storage::CurrentGrade& g) -> Result<bool> {
    ++rep.graded;
    ++rep.grades[g.grade.grade];
    return true;
  }));
  XY_ASSIGN_OR_RETURN(auto run, store.LastGradingRun());
  if (run) rep.last_grading_run = run->as_of;
  return rep;
}

}  // namespace xinyong::governance
