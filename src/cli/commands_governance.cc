// `xinyong export governance`: the data-governance report (src/governance) as a spreadsheet, one
// sheet per table — the same figures as GET /api/v1/governance.xlsx; with --json the report's
// JSON is printed as well. `xinyong monitoring`: the city monitoring indicators by month, as GET
// /api/v1/monitoring gives them. Both only read the store, so they run beside `xinyong serve`.
#include <boost/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "governance/config.h"
#include "governance/governance.h"
#include "governance/monitoring.h"
#include "governance/report_json.h"
#include "governance/xlsx_export.h"

namespace xinyong::cli {

namespace json = boost::json;

namespace {

struct GovernanceArgs {
  std::string out, dept, from, to;
};

// Parses --NAME's value into *out (left as it is when empty); false after reporting a bad date.
bool DateArg(GlobalOptions& g, const char* name, const std::string& value, Date* out) {
  if (value.empty()) return true;
  auto d = Date::Parse(value);
  if (!d.ok()) {
    Fail(g, std::string("--") + name + " '" + value + "' is not a date (YYYY-MM-DD)");
    return false;
  }
  *out = *d;
  return true;
}

Result<governance::GovernanceConfig> Config(const server::Platform& p) {
  return governance::GovernanceConfig::LoadFile(p.options().share_dir +
                                                "/governance/governance.toml");
}

std::string Percent(const std::optional<double>& r) {
  if (!r) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", *r * 100.0);
  return buf;
}

std::string Number(const std::optional<double>& r) {
  if (!r) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", *r);
  return buf;
}

void RegisterExportGovernance(CLI::App* exp, GlobalOptions& g) {
  auto a = std::make_shared<GovernanceArgs>();
  auto* cmd = exp->add_subcommand(
      "governance", "the data-governance report per department and indicator as an XLSX workbook");
  cmd->add_option("--out", a->out, "the workbook to write (.xlsx)")->required();
  cmd->add_option("--dept", a->dept, "one department (as batches record it); default every one");
  cmd->add_option("--from", a->from, "first day of receipt counted (YYYY-MM-DD); default the beginning");
  cmd->add_option("--to", a->to, "last day of receipt counted and the day silence is judged on; default today");
  cmd->callback([&g, a] {
    governance::GovernanceQuery q;
    q.dept = a->dept;
    q.to = Date::Today();
    if (!DateArg(g, "from", a->from, &q.from) || !DateArg(g, "to", a->to, &q.to)) return;
    auto p = OpenPlatform(g, /*read_only=*/true);
    if (!p) return;
    auto config = Config(*p);
    if (!config.ok()) return Fail(g, config.status());
    auto r = governance::ComputeGovernance(p->store(), p->catalog(), p->calendar(), *config, q);
    if (!r.ok()) return Fail(g, r.status());
    if (Status st = governance::WriteGovernanceXlsx(*r, a->out); !st.ok()) return Fail(g, st);
    if (g.json) {
      json::object o = governance::GovernanceJson(*r);
      o["out"] = a->out;
      std::cout << json::serialize(o) << '\n';
      return;
    }
    const governance::IndicatorFigures& t = r->total;
    std::cout << "wrote " << a->out << ": " << r->figures.size()
              << " department/indicator rows, " << t.rows << " rows submitted, " << t.accepted
              << " accepted, " << t.rejected << " rejected, " << t.duplicates << " duplicates, "
              << t.late << " late\n"
              << "双公示上报率 " << Percent(r->shuanggongshi.ReportRate()) << "  合规率 "
              << Percent(t.ComplianceRate()) << "  双公示及时率 "
              << Percent(r->shuanggongshi.TimelinessRate()) << "  重错码率 "
              << Percent(t.UsccErrorRate()) << '\n'
              << "silent departments " << r->silent.size() << ", document-number series with gaps "
              << r->gaps.size() << ", name conflicts " << r->name_conflicts.size()
              << ", unknown subjects " << r->unknown_subjects_total << '\n';
  });
}

}  // namespace

void RegisterExport(CLI::App& app, GlobalOptions& g) {
  // `export` may also carry other engineers' exports: add to it rather than define it twice.
  CLI::App* exp = nullptr;
  for (CLI::App* sub : app.get_subcommands([](CLI::App* s) { return s->get_name() == "export"; })) {
    exp = sub;
  }
  if (exp == nullptr) {
    exp = app.add_subcommand("export", "export reports as files");
    exp->require_subcommand(1);
  }
  RegisterExportGovernance(exp, g);
}

void RegisterMonitoring(CLI::App& app, GlobalOptions& g) {
  auto a = std::make_shared<GovernanceArgs>();
  auto* cmd = app.add_subcommand(
      "monitoring", "the city monitoring indicators (城市信用状况监测) by month, from the stored data");
  cmd->add_option("--from", a->from, "first day (YYYY-MM-DD); default the month eleven months before --to");
  cmd->add_option("--to", a->to, "last day (YYYY-MM-DD); default today");
  cmd->callback([&g, a] {
    Date to = Date::Today();
    Date from;
    if (!DateArg(g, "to", a->to, &to)) return;
    if (a->from.empty()) {
      from = Date::FromYmd(to.year(), to.month(), 1)->AddMonths(-11);
    } else if (!DateArg(g, "from", a->from, &from)) {
      return;
    }
    auto p = OpenPlatform(g, /*read_only=*/true);
    if (!p) return;
    auto config = Config(*p);
    if (!config.ok()) return Fail(g, config.status());
    auto r = governance::ComputeMonitoring(p->store(), p->catalog(), p->calendar(), *config, from, to);
    if (!r.ok()) return Fail(g, r.status());
    if (g.json) {
      std::cout << json::serialize(governance::MonitoringJson(*r)) << '\n';
      return;
    }
    std::cout << "month\t双公示\t每户\t合规率\t及时率\t异议\t异议占比\t异议办理(工作日)\t修复\t修复(工作日)"
                 "\t审批替代型占比\t核查\t奖惩案例\t反馈\t已采纳\t抽查\t信用报告\t重错码率\t无依据\n";
    for (const governance::MonthFigures& m : r->months) {
      std::cout << m.month << '\t' << m.sgs_accepted << '\t' << Number(m.SgsPerEnterprise()) << '\t'
                << Percent(m.SgsCompliance()) << '\t' << Percent(m.SgsTimeliness()) << '\t'
                << m.objections_filed << '\t' << Percent(m.ObjectionShare()) << '\t'
                << Number(m.ObjectionDays()) << '\t' << m.repairs_finished << '\t'
                << Number(m.RepairDays()) << '\t' << Percent(m.ApprovalShare()) << '\t' << m.checks
                << '\t' << m.measure_cases << '\t' << m.feedback << '\t' << m.applied << '\t'
                << m.inspections << '\t' << m.credit_reports << '\t'
                << Percent(m.UsccErrorRate()) << '\t' << m.no_legal_document << '\n';
    }
    std::cout << "graded organizations " << r->graded;
    for (const auto& [grade, n] : r->grades) std::cout << "  " << grade << " " << n;
    if (r->last_grading_run) std::cout << "  (last full run " << r->last_grading_run->ToString() << ")";
    std::cout << '\n';
  });
}

}  // namespace xinyong::cli
