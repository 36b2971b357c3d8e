// City monitoring (城市信用状况监测, FACTS §9): the indicators by which the city's credit work is
// watched, computed from the platform's own data as a time series by calendar month — 双公示
// volume per enterprise and its quality; objections as a share of published records and their
// handling time; the time to finish a credit repair; the share of enterprises using 审批替代型
// commitments; where credit checks, credit reports, grades and random inspections are used; the
// USCC duplicate/erroneous code rate; feedback on joint reward/punishment cases; the count of
// credit checks; and the negative indicator, rows offered without a legal basis. Nothing is kept for
// it: every call reads the store (batch reports, records, subjects, applications, the check log,
// inspection draws, grades, issued credit reports).
//
// Thread-safety: ComputeMonitoring only reads the store.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/calendar.h"
#include "core/date.h"
#include "core/status.h"
#include "governance/config.h"
#include "storage/store.h"

namespace xinyong::governance {

struct MonthFigures {
  std::string month;  // "2026-03"
  Date first, last;   // the month's first and last day

  // 双公示 (licence and penalty decisions) submitted in the month, from the batch reports.
  uint64_t sgs_rows = 0, sgs_accepted = 0, sgs_rejected = 0, sgs_late = 0, sgs_corrected = 0;
  uint64_t sgs_timeliness_unknown = 0;  // as IndicatorFigures::timeliness_unknown
  // Organizations (every subject but natural persons) known by the month's end.
  uint64_t enterprises = 0;
  std::optional<double> SgsPerEnterprise() const;  // sgs_accepted / enterprises
  std::optional<double> SgsCompliance() const;     // (rows - rejected) / rows
  // (decisions - late) / decisions, decisions = accepted - corrected
  std::optional<double> SgsTimeliness() const;

  // Records published (accepted rows of every indicator) and objections filed in the month.
  // Records accepted in the month (all indicators), and of them the new decisions of indicators
  // the public sees (社会公开, no record-by-record 公开类型): the records published.
  uint64_t records_accepted = 0, records_published = 0, objections_filed = 0;
  std::optional<double> ObjectionShare() const;  // objections_filed / records_published
  // Objections answered in the month and their mean handling time, filing to answer, in
  // working days; the same for credit repairs finished (repaired) in the month.
  uint64_t objections_answered = 0, objection_workdays = 0;
  uint64_t repairs_finished = 0, repair_workdays = 0;
  std::optional<double> ObjectionDays() const;
  std::optional<double> RepairDays() const;

  // 审批替代型 commitments made in the month; enterprises that have made one by its end.
  uint64_t approval_commitments = 0, approval_subjects = 0;
  std::optional<double> ApprovalShare() const;  // approval_subjects / enterprises

  // Credit checks in the month, by scenario (the fields where credit information is used); the
  // cases that met joint reward or punishment measures, how many got feedback and how many of
  // those say the measures were applied.
  uint64_t checks = 0;
  std::map<std::string, uint64_t> checks_by_scenario;
  uint64_t measure_cases = 0, feedback = 0, applied = 0;
  std::optional<double> FeedbackShare() const;  // feedback / measure_cases
  std::optional<double> AppliedShare() const;   // applied / feedback
  // Random-inspection draws (graded supervision in use) and subjects drawn.
  uint64_t inspections = 0, inspected_subjects = 0;

  // Credit reports (信用报告) issued in the month (Beijing date of issue), by kind — "public"
  // (公共信用信息报告, public view), "full" (the same, the subject's full view), "special"
  // (专项信用报告) — and the special reports by the domain they certify (the fields where
  // reports are used; a report of two domains counts in both).
  uint64_t credit_reports = 0;
  std::map<std::string, uint64_t> reports_by_kind, special_by_domain;

  // USCC duplicate/erroneous codes among all rows submitted in the month.
  uint64_t rows = 0, invalid_uscc = 0, identifier_conflicts = 0;
  std::optional<double> UsccErrorRate() const;
  // The negative indicator: rows rejected as negative information without a document with
  // legal effect, and columns offered outside the catalog (not collected).
  uint64_t no_legal_document = 0, columns_outside_catalog = 0;
};

struct MonitoringReport {
  Date from, to;
  std::vector<MonthFigures> months;  // oldest first, every month of [from, to]
  // Graded supervision as it stands: organizations with a current grade, by grade, and the
  // last full recompute.
  uint64_t graded = 0;
  std::map<std::string, uint64_t> grades;
  std::optional<Date> last_grading_run;
};

// Computes the series for every month that intersects [from, to]. Fails only when the store
// cannot be read (its Status; DataLoss for a corrupt stored report), or InvalidArgument when
// from > to or the span exceeds 120 months.
Result<MonitoringReport> ComputeMonitoring(const storage::Store& store,
                                           const catalog::Catalog& catalog,
                                           const WorkCalendar& calendar,
                                           const GovernanceConfig& config, Date from, Date to);

}  // namespace xinyong::governance
