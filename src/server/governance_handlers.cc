// Handlers of data governance (数据治理) and city monitoring (城市信用状况监测): the governance
// report per department and indicator as JSON or as a spreadsheet, and the monitoring
// indicators as a monthly series (src/governance). A source department sees its own
// submissions only; the operator sees every department and the monitoring.
//
// Each of these reads the whole store (every batch report, every record): they run on a worker
// thread, not an I/O thread (RunsLong, router.h), and one at a time — another asked meanwhile is
// answered 429 with Retry-After, so that no department can hold the server by asking again.
#include <filesystem>
#include <mutex>

#include "governance/config.h"
#include "governance/governance.h"
#include "governance/monitoring.h"
#include "governance/report_json.h"
#include "governance/xlsx_export.h"
#include "server/handlers.h"

namespace xinyong::server {

namespace {

constexpr std::string_view kXlsxType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// Held while a governance report or the monitoring series is computed (one per process).
std::mutex& WholeStoreReadMutex() {
  static std::mutex mu;
  return mu;
}

Response Busy() {
  Response r = ErrorResponse(429, "busy",
                             "another governance report or monitoring series is being computed; "
                             "ask again shortly");
  r.headers.emplace_back("Retry-After", "5");
  return r;
}

// An optional date parameter written YYYY-MM-DD; absent or empty leaves *out as it is.
bool DateQuery(const ApiCall& call, std::string_view name, Date* out, Response* error) {
  const std::string* v = call.target.Query(name);
  if (v == nullptr || v->empty()) return true;
  auto d = Date::Parse(*v);
  if (v->size() != 10 || (*v)[4] != '-' || (*v)[7] != '-' || !d.ok()) {
    *error = BadParameter(name, std::string(name) + " must be a date written YYYY-MM-DD");
    return false;
  }
  *out = *d;
  return true;
}

Result<governance::GovernanceConfig> LoadConfig(const Platform& p) {
  const std::string share =
      p.options().share_dir.empty() ? DefaultShareDir() : p.options().share_dir;
  return governance::GovernanceConfig::LoadFile(share + "/governance/governance.toml");
}

// The report of the call's department (a department's token: its own) and period, or false and
// the error response.
bool GovernanceOf(Platform& p, const ApiCall& call, governance::GovernanceReport* out,
                  Response* error) {
  governance::GovernanceQuery q;
  std::string given;
  if (const std::string* d = call.target.Query("dept")) given = *d;
  if (given.size() > 64) {
    *error = BadParameter("dept", "dept must be at most 64 bytes");
    return false;
  }
  if (!ActingDepartment(call, "dept", given, &q.dept, error)) return false;
  q.to = Date::Today();
  if (!DateQuery(call, "from", &q.from, error) || !DateQuery(call, "to", &q.to, error)) return false;
  if (q.from > q.to) {
    *error = BadParameter("from", "from must not be after to");
    return false;
  }
  auto config = LoadConfig(p);
  if (!config.ok()) {
    *error = StatusResponse(config.status());
    return false;
  }
  auto report = governance::ComputeGovernance(p.store(), p.catalog(), p.calendar(), *config, q);
  if (!report.ok()) {
    *error = StatusResponse(report.status());
    return false;
  }
  *out = std::move(report).value();
  return true;
}

Response Spreadsheet(const governance::GovernanceReport& report) {
  std::error_code ec;
  const std::filesystem::path tmp = std::filesystem::temp_directory_path(ec);
  auto bytes = governance::GovernanceXlsxBytes(report, ec ? std::string("/tmp") : tmp.string());
  if (!bytes.ok()) return StatusResponse(bytes.status());
  Response r;
  r.status = 200;
  r.content_type = std::string(kXlsxType);
  r.body = std::move(bytes).value();
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"governance-" + report.query.to.ToString() +
                             ".xlsx\"");
  return r;
}

}  // namespace

std::unique_lock<std::mutex> LockWholeStoreReads() {
  return std::unique_lock(WholeStoreReadMutex());
}

Response HandleGovernance(Platform& p, const ApiCall& call) {
  std::string format;
  if (const std::string* f = call.target.Query("format")) format = *f;
  if (!format.empty() && format != "json" && format != "xlsx") {
    return BadParameter("format", "format must be json or xlsx");
  }
  std::unique_lock one(WholeStoreReadMutex(), std::try_to_lock);
  if (!one) return Busy();
  governance::GovernanceReport report;
  Response error;
  if (!GovernanceOf(p, call, &report, &error)) return error;
  if (format == "xlsx") return Spreadsheet(report);
  return JsonResponse(200, governance::GovernanceJson(report));
}

Response HandleGovernanceXlsx(Platform& p, const ApiCall& call) {
  std::unique_lock one(WholeStoreReadMutex(), std::try_to_lock);
  if (!one) return Busy();
  governance::GovernanceReport report;
  Response error;
  if (!GovernanceOf(p, call, &report, &error)) return error;
  return Spreadsheet(report);
}

Response HandleMonitoring(Platform& p, const ApiCall& call) {
  Date to = Date::Today();
  Response error;
  if (!DateQuery(call, "to", &to, &error)) return error;
  Date from = Date::FromDays(0);
  bool from_given = false;
  if (const std::string* f = call.target.Query("from"); f != nullptr && !f->empty()) {
    if (!DateQuery(call, "from", &from, &error)) return error;
    from_given = true;
  }
  // Default: the twelve months up to `to`.
  if (!from_given) from = *Date::FromYmd(to.year(), to.month(), 1);
  if (!from_given) from = from.AddMonths(-11);
  if (from > to) return BadParameter("from", "from must not be after to");
  if ((to.year() - from.year()) * 12 + (to.month() - from.month()) >= 120) {
    return BadParameter("from", "the period may span at most 120 months");
  }
  std::unique_lock one(WholeStoreReadMutex(), std::try_to_lock);
  if (!one) return Busy();
  auto config = LoadConfig(p);
  if (!config.ok()) return StatusResponse(config.status());
  auto report = governance::ComputeMonitoring(p.store(), p.catalog(), p.calendar(), *config, from, to);
  if (!report.ok()) return StatusResponse(report.status());
  return JsonResponse(200, governance::MonitoringJson(*report));
}

}  // namespace xinyong::server
