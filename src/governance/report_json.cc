#include "governance/report_json.h"

#include <boost/json.hpp>

namespace xinyong::governance {

namespace json = boost::json;

namespace {

json::value Rate(const std::optional<double>& r) {
  if (!r) return nullptr;
  return *r;
}

json::value Day(const std::optional<Date>& d) {
  if (!d || *d == Date()) return nullptr;
  return json::value(d->ToString());
}

json::object FiguresJson(const IndicatorFigures& f) {
  json::object o;
  if (!f.indicator.empty()) {
    o["dept"] = f.dept;
    o["indicator"] = f.indicator;
    o["indicator_name"] = f.indicator_name;
    o["shuanggongshi"] = f.shuanggongshi;
  }
  o["batches"] = f.batches;
  o["rows"] = f.rows;
  o["accepted"] = f.accepted;
  o["rejected"] = f.rejected;
  o["duplicates"] = f.duplicates;
  o["corrected"] = f.corrected;
  o["late"] = f.late;
  o["timeliness_unknown"] = f.timeliness_unknown;
  o["serials_held"] = f.serials_held;
  o["serials_expected"] = f.serials_expected;
  o["report_rate"] = Rate(f.ReportRate());
  o["compliance_rate"] = Rate(f.ComplianceRate());
  o["timeliness_rate"] = Rate(f.TimelinessRate());
  o["invalid_uscc"] = f.invalid_uscc;
  o["identifier_conflicts"] = f.identifier_conflicts;
  o["uscc_error_rate"] = Rate(f.UsccErrorRate());
  o["name_conflict_rows"] = f.name_conflict_rows;
  o["no_legal_document"] = f.no_legal_document;
  o["columns_outside_catalog"] = f.columns_outside_catalog;
  o["unknown_subject_records"] = f.unknown_subject_records;
  json::array reasons;
  for (const ReasonCount& r : f.rejections) {
    json::array examples;
    for (const RowExample& e : r.examples) {
      examples.push_back(json::object{{"batch", e.batch},
                                      {"file", e.file},
                                      {"row", e.row},
                                      {"field", e.field},
                                      {"message", e.message}});
    }
    reasons.push_back(json::object{{"code", r.code}, {"rows", r.rows}, {"examples", std::move(examples)}});
  }
  o["rejections"] = std::move(reasons);
  return o;
}

}  // namespace

json::object GovernanceJson(const GovernanceReport& r) {
  json::object o;
  o["dept"] = r.query.dept.empty() ? json::value(nullptr) : json::value(r.query.dept);
  o["from"] = Day(r.query.from);
  o["to"] = r.query.to.ToString();
  o["total"] = FiguresJson(r.total);
  o["shuanggongshi"] = FiguresJson(r.shuanggongshi);
  json::array figures;
  for (const IndicatorFigures& f : r.figures) figures.push_back(FiguresJson(f));
  o["figures"] = std::move(figures);
  json::array silent;
  for (const SilentDepartment& s : r.silent) {
    silent.push_back(json::object{{"dept", s.dept},
                                  {"frequency", FrequencyName(s.frequency)},
                                  {"last_batch", Day(s.last_batch)},
                                  {"due", Day(s.due)},
                                  {"missed", s.missed}});
  }
  o["silent_departments"] = std::move(silent);
  json::array gaps;
  for (const SerialGap& g : r.gaps) {
    json::array listed;
    for (uint64_t n : g.listed) listed.push_back(n);
    gaps.push_back(json::object{{"dept", g.dept},
                                {"indicator", g.indicator},
                                {"series", g.series},
                                {"first", g.first},
                                {"last", g.last},
                                {"seen", g.seen},
                                {"missing", g.missing},
                                {"missing_serials", std::move(listed)}});
  }
  o["serial_gaps"] = std::move(gaps);
  o["serial_series_checked"] = r.gap_series_checked;
  json::array conflicts;
  for (const NameConflict& c : r.name_conflicts) {
    json::array variants;
    for (const NameConflict::Variant& v : c.variants) {
      variants.push_back(json::object{{"name", v.name},
                                      {"dept", v.dept},
                                      {"indicator", v.indicator},
                                      {"records", v.records}});
    }
    conflicts.push_back(json::object{
        {"code", c.code}, {"stored_name", c.stored_name}, {"variants", std::move(variants)}});
  }
  o["name_conflicts"] = std::move(conflicts);
  o["name_conflicts_total"] = r.name_conflicts_total;
  json::array unknown;
  for (const UnknownSubject& u : r.unknown_subjects) {
    unknown.push_back(json::object{
        {"code", u.code}, {"name", u.name}, {"dept", u.dept}, {"records", u.records}});
  }
  o["unknown_subjects"] = std::move(unknown);
  o["unknown_subjects_total"] = r.unknown_subjects_total;
  return o;
}

json::object MonitoringJson(const MonitoringReport& r) {
  json::object o;
  o["from"] = r.from.ToString();
  o["to"] = r.to.ToString();
  json::array months;
  for (const MonthFigures& m : r.months) {
    json::object scenarios;
    for (const auto& [scenario, n] : m.checks_by_scenario) scenarios[scenario] = n;
    json::object report_kinds, report_domains;
    for (const auto& [kind, n] : m.reports_by_kind) report_kinds[kind] = n;
    for (const auto& [domain, n] : m.special_by_domain) report_domains[domain] = n;
    months.push_back(json::object{
        {"month", m.month},
        {"shuanggongshi",
         json::object{{"rows", m.sgs_rows},
                      {"accepted", m.sgs_accepted},
                      {"rejected", m.sgs_rejected},
                      {"late", m.sgs_late},
                      {"timeliness_unknown", m.sgs_timeliness_unknown},
                      {"enterprises", m.enterprises},
                      {"per_enterprise", Rate(m.SgsPerEnterprise())},
                      {"compliance_rate", Rate(m.SgsCompliance())},
                      {"timeliness_rate", Rate(m.SgsTimeliness())}}},
        {"objections",
         json::object{{"filed", m.objections_filed},
                      {"records_published", m.records_published},
                      {"share", Rate(m.ObjectionShare())},
                      {"answered", m.objections_answered},
                      {"mean_workdays", Rate(m.ObjectionDays())}}},
        {"repairs", json::object{{"finished", m.repairs_finished},
                                 {"mean_workdays", Rate(m.RepairDays())}}},
        {"approval_commitments", json::object{{"made", m.approval_commitments},
                                              {"subjects", m.approval_subjects},
                                              {"enterprises", m.enterprises},
                                              {"share", Rate(m.ApprovalShare())}}},
        {"checks", json::object{{"count", m.checks},
                                {"by_scenario", std::move(scenarios)},
                                {"scenarios_used", m.checks_by_scenario.size()}}},
        {"joint_measures", json::object{{"cases", m.measure_cases},
                                        {"feedback", m.feedback},
                                        {"applied", m.applied},
                                        {"feedback_share", Rate(m.FeedbackShare())},
                                        {"applied_share", Rate(m.AppliedShare())}}},
        {"inspections", json::object{{"draws", m.inspections},
                                     {"subjects", m.inspected_subjects}}},
        {"credit_reports", json::object{{"issued", m.credit_reports},
                                        {"by_kind", std::move(report_kinds)},
                                        {"special_by_domain", std::move(report_domains)}}},
        {"uscc", json::object{{"rows", m.rows},
                              {"invalid", m.invalid_uscc},
                              {"conflicts", m.identifier_conflicts},
                              {"error_rate", Rate(m.UsccErrorRate())}}},
        {"without_legal_basis", json::object{{"rows_without_document", m.no_legal_document},
                                             {"columns_outside_catalog",
                                              m.columns_outside_catalog}}},
    });
  }
  o["months"] = std::move(months);
  json::object grades;
  for (const auto& [g, n] : r.grades) grades[g] = n;
  o["graded_supervision"] = json::object{{"graded", r.graded},
                                         {"by_grade", std::move(grades)},
                                         {"last_full_run", Day(r.last_grading_run)}};
  return o;
}

}  // namespace xinyong::governance
