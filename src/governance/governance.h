// Data governance (数据治理): how well each source department feeds the platform, per department
// and indicator over a period — the 双公示 figures (publication of licence and penalty decisions:
// report, compliance and timeliness rates, FACTS §3), rejected rows by reason, duplicates, late
// submissions, missing submissions (departments gone silent, gaps in document-number
// sequences), the USCC duplicate/erroneous code rate (重错码率), name conflicts and records of
// subjects unknown to registration. Everything is computed at call time from what the store
// keeps — batch reports with their rejected rows and warnings, records with their decision and
// receipt dates, subjects — so the figures cannot drift from the data; the only input that is
// not data is the departments' expected reporting frequency (GovernanceConfig).
//
// Thread-safety: ComputeGovernance only reads the store (thread-safe for readers).
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

// Rows of batch `b` with at least one warning `code` (a row warns once per conflicting code).
uint64_t RowsWarned(const BatchReport& b, std::string_view code);

// Working days in (from, to]: by the calendar in the years it covers, Monday to Friday in the
// others (a year missing at one end does not cost the holidays of the years covered).
int64_t WorkdaysIn(const WorkCalendar& calendar, Date from, Date to);

// Which submissions a report covers. Batches and records count when they were received in
// [from, to] (both inclusive; Date() for `from` means from the beginning). `to` is also the day
// silence is judged on. `dept` empty: every department.
struct GovernanceQuery {
  std::string dept;
  Date from;
  Date to;
};

// A rejected row, as its batch report gives it.
struct RowExample {
  uint64_t batch = 0;
  std::string file;
  uint32_t row = 0;
  std::string field;
  std::string message;
};

struct ReasonCount {
  std::string code;  // invalid_uscc, missing_field, ...
  uint64_t rows = 0;
  std::vector<RowExample> examples;  // the first few
};

// One department's submissions of one indicator in the period.
struct IndicatorFigures {
  std::string dept;  // "" when the batches named no department
  std::string indicator, indicator_name;
  bool shuanggongshi = false;
  uint64_t batches = 0;
  uint64_t rows = 0, accepted = 0, rejected = 0, duplicates = 0, corrected = 0, late = 0;
  // Accepted 双公示 rows whose timeliness could not be judged: received 8-31 days after the
  // decision while the working-day calendar lacked the year (warning calendar_missing).
  uint64_t timeliness_unknown = 0;
  // Accepted rows that warned: a code of another subject (duplicate code), a name other than the
  // stored one.
  uint64_t identifier_conflicts = 0, name_conflict_rows = 0;
  uint64_t invalid_uscc = 0;  // rows rejected for a malformed USCC (check character, length, …)
  // Rows rejected because negative information came without a document with legal effect
  // (no legal basis: 决定书文号), and columns offered outside the catalog (not collected).
  uint64_t no_legal_document = 0, columns_outside_catalog = 0;
  // Records received in the period whose subject has no registration record (reg_basic).
  uint64_t unknown_subject_records = 0;
  // Document-number serials of the department's records of the indicator, over the series of the
  // period's years (as the gaps below): distinct serials held, and serials expected — within each
  // series from its lowest to its highest serial held.
  uint64_t serials_held = 0, serials_expected = 0;
  std::vector<ReasonCount> rejections;  // by reason, most rows first

  // 双公示 only: serials_held / serials_expected (上报率): the share of the decisions a department
  // numbered that reached the platform, as far as its document-number sequences tell (the
  // platform has no count of decisions made; one after the highest serial held goes unseen);
  // nullopt otherwise or without document numbers.
  std::optional<double> ReportRate() const;
  // (rows - rejected) / rows: rows that passed validation (合规率); nullopt without rows.
  std::optional<double> ComplianceRate() const;
  // 双公示 only: (decisions - late) / decisions (及时率), decisions = accepted - corrected -
  // timeliness_unknown (a correction is judged with its decision; a row that could not be
  // judged is neither on time nor late); nullopt otherwise or without new decisions.
  std::optional<double> TimelinessRate() const;
  // (invalid_uscc + identifier_conflicts) / rows (重错码率); nullopt without rows.
  std::optional<double> UsccErrorRate() const;
};

// A department with a configured frequency that has not submitted when it should have.
struct SilentDepartment {
  std::string dept;
  Frequency frequency = Frequency::kMonthly;
  std::optional<Date> last_batch;  // nullopt: never submitted
  std::optional<Date> due;         // the next submission was due on this day
  int64_t missed = 0;              // periods (working days, weeks, months) without a batch
};

// Missing serials inside the observed range of one document-number series.
struct SerialGap {
  std::string dept, indicator, series;
  uint64_t first = 0, last = 0;  // lowest and highest serial seen
  uint64_t seen = 0;             // distinct serials seen
  uint64_t missing = 0;          // last - first + 1 - seen
  std::vector<uint64_t> listed;  // the first missing serials (GovernanceConfig::max_listed_gaps)
};

// A code submitted with names other than the subject's (registered or first) name.
struct NameConflict {
  uint64_t subject_id = 0;
  std::string code, stored_name;
  struct Variant {
    std::string name, dept, indicator;
    uint64_t records = 0;
  };
  std::vector<Variant> variants;
};

// A subject named by records in the period but unknown to registration.
struct UnknownSubject {
  uint64_t subject_id = 0;
  std::string code, name;
  std::string dept;  // the departments that sent its records, joined by 、
  uint64_t records = 0;
};

struct GovernanceReport {
  GovernanceQuery query;
  std::vector<IndicatorFigures> figures;  // by department, then indicator
  IndicatorFigures total;                 // the sum (dept and indicator empty)
  IndicatorFigures shuanggongshi;         // the sum over 双公示 indicators
  std::vector<SilentDepartment> silent;
  std::vector<SerialGap> gaps;
  uint64_t gap_series_checked = 0;  // series with at least two serials
  // At most max_examples * 10 subjects, most records first (ties: subject id), as for unknown
  // subjects: a city-wide report must not grow without bound.
  std::vector<NameConflict> name_conflicts;
  uint64_t name_conflicts_total = 0;
  std::vector<UnknownSubject> unknown_subjects;  // at most max_examples * 10, most records first
  uint64_t unknown_subjects_total = 0;
};

// Computes the report. `catalog` names the indicators; `calendar` counts working days for the
// daily frequency (a year it lacks: the working days are estimated as Monday to Friday).
// Fails only when the store cannot be read (its Status) or the period is empty
// (InvalidArgument naming `from`).
Result<GovernanceReport> ComputeGovernance(const storage::Store& store,
                                           const catalog::Catalog& catalog,
                                           const WorkCalendar& calendar,
                                           const GovernanceConfig& config,
                                           const GovernanceQuery& query);

}  // namespace xinyong::governance
