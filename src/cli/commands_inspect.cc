// `xinyong inspect`: random inspection (双随机、一公开). The command itself draws (as the API's
// POST /api/v1/inspections does); `show ID` prints a published draw with its results,
// `result ID` records the inspecting department's results (a CSV file or one result by flags),
// and `demo-results ID` writes synthetic results for the demo city. Everything goes through
// server/inspections.h, as the API does.
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/commands.h"
#include "core/utf8.h"
#include "gen/inspection_results.h"
#include "ingest/csv_reader.h"
#include "ingest/field_validation.h"
#include "server/inspections.h"

namespace xinyong::cli {

namespace json = boost::json;

namespace {

struct InspectArgs {
  // The draw.
  std::string region, industry, type, purpose = "双随机抽查", dept = "cli";
  double ratio = 0;
  uint64_t seed = 0;
  // show / result / demo-results.
  uint64_t id = 0;
  std::string file, code, result, checked, findings, out;
  double share = 0.85;
  uint64_t demo_seed = 1;
};

std::string Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return "";
  if (v->is_string()) return std::string(v->as_string());
  return json::serialize(*v);
}

// The results of a CSV file: a header naming the columns (code or 统一社会信用代码, result or
// 检查结果, checked or 检查日期, findings or 检查发现), then one row per subject. UTF-8 or GBK.
Result<std::vector<server::InspectionResultItem>> ReadResultsFile(const std::string& path) {
  XY_ASSIGN_OR_RETURN(auto source, ingest::TextSource::OpenFile(path));
  ingest::CsvReader reader(std::move(source));
  ingest::CsvRow row;
  XY_ASSIGN_OR_RETURN(bool any, reader.ReadRow(&row));
  if (!any) return Status::InvalidArgument(path + " is empty");
  int col[4] = {-1, -1, -1, -1};  // code, result, checked, findings
  static constexpr std::string_view kNames[4][4] = {
      {"code", "统一社会信用代码", "主体代码", "代码"},
      {"result", "检查结果", "抽查检查结果", ""},
      {"checked", "检查日期", "检查时间", ""},
      {"findings", "检查发现", "检查情况", "发现问题"}};
  for (size_t i = 0; i < row.cells.size(); ++i) {
    std::string_view cell = ingest::TrimCell(row.cells[i]);
    if (cell.starts_with("\xEF\xBB\xBF")) cell.remove_prefix(3);
    for (int c = 0; c < 4; ++c) {
      for (std::string_view name : kNames[c]) {
        if (!name.empty() && cell == name && col[c] < 0) col[c] = static_cast<int>(i);
      }
    }
  }
  for (int c = 0; c < 3; ++c) {
    if (col[c] < 0) {
      return Status::InvalidArgument(path + ": the header has no " + std::string(kNames[c][0]) +
                                     " (" + std::string(kNames[c][1]) + ") column");
    }
  }
  std::vector<server::InspectionResultItem> items;
  while (true) {
    XY_ASSIGN_OR_RETURN(bool more, reader.ReadRow(&row));
    if (!more) break;
    if (!row.error.empty()) {
      return Status::InvalidArgument(path + " line " + std::to_string(row.line) + ": " + row.error);
    }
    auto cell = [&](int c) {
      return col[c] >= 0 && static_cast<size_t>(col[c]) < row.cells.size()
                 ? std::string(ingest::TrimCell(row.cells[static_cast<size_t>(col[c])]))
                 : std::string();
    };
    items.push_back({cell(0), cell(1), cell(2), cell(3)});
  }
  return items;
}

void PrintDraw(const json::object& doc) {
  const json::object& scope = doc.at("scope").as_object();
  std::cout << "抽查 " << Str(doc, "id") << "  " << Str(doc, "date") << "  "
            << Str(doc, "department") << "  " << Str(doc, "purpose") << '\n'
            << "  范围: 区划 " << (Str(scope, "region").empty() ? "全市" : Str(scope, "region"))
            << "  行业 "
            << (Str(scope, "industry").empty()
                    ? "全部"
                    : Str(scope, "industry") + " " + Str(scope, "industry_name"))
            << "  类型 " << (Str(scope, "type").empty() ? "全部" : Str(scope, "type")) << '\n'
            << "  seed " << Str(doc, "seed") << "  基础比例 "
            << doc.at("base_ratio").to_number<double>() << "  抽中 "
            << doc.at("drawn").as_array().size() << " / " << Str(doc, "in_scope") << '\n';
  if (const json::value* g = doc.if_contains("grades"); g != nullptr && g->is_object()) {
    const json::object& grades = g->as_object();
    std::cout << "  评价: " << Str(grades, "model") << "（存储的等级";
    if (const json::value* run = grades.if_contains("last_full_run");
        run != nullptr && run->is_object()) {
      std::cout << "，全量评价于 " << Str(run->as_object(), "date");
    }
    std::cout << "）  scope_digest " << Str(doc, "scope_digest").substr(0, 16) << "…\n";
  }
}

void PrintEntry(const json::object& d) {
  std::cout << "  " << Str(d, "code") << "  " << (Str(d, "grade").empty() ? "-" : Str(d, "grade"))
            << "  " << (Str(d, "industry").empty() ? "   " : Str(d, "industry")) << "  "
            << Str(d, "name");
  const json::value* r = d.if_contains("result");
  if (r != nullptr && r->is_object()) {
    const json::object& o = r->as_object();
    std::cout << "  → " << Str(o, "label") << "（" << Str(o, "checked") << "）";
    if (!Str(o, "findings").empty()) std::cout << " " << Str(o, "findings");
    if (const json::value* h = o.if_contains("history"); h != nullptr && h->is_array()) {
      std::cout << "  [更正 " << h->as_array().size() << " 次]";
    }
  }
  std::cout << '\n';
}

void PrintCounts(const json::object& counts) {
  std::cout << "  已录入 " << Str(counts, "recorded") << " / " << Str(counts, "drawn")
            << "，待录入 " << Str(counts, "pending") << "，发现问题 "
            << Str(counts, "with_problems") << '\n';
  for (const json::value& v : counts.at("by_result").as_array()) {
    const json::object& o = v.as_object();
    std::cout << "    " << Str(o, "label") << "  " << Str(o, "count") << '\n';
  }
}

void RegisterShow(CLI::App* cmd, GlobalOptions& g, std::shared_ptr<InspectArgs> a) {
  auto* show = cmd->add_subcommand("show", "a published draw with its results and their counts");
  show->add_option("id", a->id, "the draw's id")->required();
  show->callback([&g, a] {
    auto p = OpenPlatform(g, /*read_only=*/true);
    if (!p) return;
    auto doc = server::GetInspectionDocument(*p, a->id);
    if (!doc.ok()) return Fail(g, doc.status());
    if (!doc->has_value()) return Fail(g, "no inspection draw has the id " + std::to_string(a->id));
    const json::object& d = **doc;
    if (g.json) {
      std::cout << json::serialize(d) << '\n';
      return;
    }
    PrintDraw(d);
    for (const json::value& e : d.at("drawn").as_array()) PrintEntry(e.as_object());
    PrintCounts(d.at("counts").as_object());
  });
}

void RegisterResult(CLI::App* cmd, GlobalOptions& g, std::shared_ptr<InspectArgs> a) {
  auto* result = cmd->add_subcommand(
      "result", "record the inspecting department's results (抽查检查结果) for drawn subjects");
  result->add_option("id", a->id, "the draw's id")->required();
  result->add_option(
      "--file", a->file,
      "CSV: code (统一社会信用代码), result (检查结果), checked (检查日期), findings (检查发现)");
  result->add_option("--code", a->code, "one drawn subject's code (instead of --file)");
  result->add_option("--result", a->result,
                     "its result: a category name or label, e.g. 未发现问题");
  result->add_option("--checked", a->checked, "the day of the inspection (default: today)");
  result->add_option("--findings", a->findings, "what was found (required when a problem was)");
  result->add_option("--dept", a->dept, "the inspecting department recording them")->required();
  result->callback([&g, a] {
    server::InspectionResultsRequest r;
    r.draw = a->id;
    r.department = a->dept;
    const Date today = Date::Today();
    if (!a->file.empty()) {
      if (!a->code.empty()) throw CLI::ValidationError("--code", "give --file or --code, not both");
      auto items = ReadResultsFile(a->file);
      if (!items.ok()) return Fail(g, items.status());
      r.items = std::move(items).value();
    } else if (!a->code.empty()) {
      if (a->result.empty()) throw CLI::RequiredError("--result");
      r.items.push_back(
          {a->code, a->result, a->checked.empty() ? today.ToString() : a->checked, a->findings});
    } else {
      throw CLI::RequiredError("--file or --code");
    }
    auto p = OpenPlatform(g, /*read_only=*/false);
    if (!p) return;
    std::string bad_field;
    using namespace std::chrono;
    const int64_t now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    auto done = server::RecordInspectionResults(*p, r, today, now, &bad_field);
    if (!done.ok()) {
      // An item's field is named by its position; in a file, say the line too.
      std::string message = done.status().message();
      if (!a->file.empty() && bad_field.starts_with("items[")) {
        const size_t k = std::stoul(bad_field.substr(6));
        message = a->file + " row " + std::to_string(k + 1) + ": " + message;
      }
      return Fail(g, message);
    }
    if (g.json) {
      std::cout << json::serialize(json::object{{"id", a->id},
                                                {"recorded", done->recorded},
                                                {"corrected", done->corrected},
                                                {"unchanged", done->unchanged},
                                                {"counts", done->counts}})
                << '\n';
      return;
    }
    std::cout << "抽查 " << a->id << ": 新录入 " << done->recorded << "，更正 " << done->corrected
              << "，未变 " << done->unchanged << '\n';
    PrintCounts(done->counts);
  });
}

void RegisterDemoResults(CLI::App* cmd, GlobalOptions& g, std::shared_ptr<InspectArgs> a) {
  auto* demo = cmd->add_subcommand(
      "demo-results",
      "write synthetic results for a draw (demo city and tests only), for `inspect result --file`");
  demo->add_option("id", a->id, "the draw's id")->required();
  demo->add_option("--out", a->out, "the CSV file to write")->required();
  demo->add_option("--seed", a->demo_seed, "random seed (same seed, same file)")->default_val(1);
  demo->add_option("--share", a->share, "share of the drawn subjects with a result")
      ->check(CLI::Range(0.0, 1.0))
      ->default_val(0.85);
  demo->callback([&g, a] {
    auto p = OpenPlatform(g, /*read_only=*/true);
    if (!p) return;
    auto doc = server::GetInspectionDocument(*p, a->id);
    if (!doc.ok()) return Fail(g, doc.status());
    if (!doc->has_value()) return Fail(g, "no inspection draw has the id " + std::to_string(a->id));
    const json::object& d = **doc;
    std::vector<gen::DrawnSubject> drawn;
    for (const json::value& e : d.at("drawn").as_array()) {
      drawn.push_back({Str(e.as_object(), "code"), Str(e.as_object(), "grade")});
    }
    auto first = Date::Parse(Str(d, "date"));
    if (!first.ok()) return Fail(g, "inspection draw " + std::to_string(a->id) + " has no date");
    const std::string csv = gen::InspectionResultsCsv(
        drawn, *first, std::max(*first, Date::Today()), a->demo_seed, a->share);
    std::ofstream out(a->out, std::ios::binary);
    out << csv;
    out.close();
    if (!out) return Fail(g, "cannot write " + a->out);
    if (!g.json)
      std::cerr << "xinyong: wrote synthetic results for draw " << a->id << " to " << a->out
                << '\n';
  });
}

}  // namespace

void RegisterInspect(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand(
      "inspect",
      "random inspection (双随机): draw (grade-dependent ratios, a recorded seed; published), "
      "show, result");
  cmd->require_subcommand(0, 1);
  auto a = std::make_shared<InspectArgs>();
  cmd->add_option("--region", a->region,
                  "GB/T 2260 division code prefix (default: the whole city)");
  cmd->add_option("--industry", a->industry,
                  "GB/T 4754-2017 section or division, e.g. C or C13 (default: every industry)");
  cmd->add_option("--type", a->type, "legal_person, individual_business or other_organization");
  cmd->add_option("--ratio", a->ratio, "base inspection ratio, in (0, 1]; required to draw");
  cmd->add_option("--seed", a->seed, "re-run a published draw with its seed (default: a new one)");
  cmd->add_option("--purpose", a->purpose, "what the draw is for")->default_val("双随机抽查");
  cmd->add_option("--dept", a->dept, "the department drawing (or recording results)")
      ->default_val("cli");
  RegisterShow(cmd, g, a);
  RegisterResult(cmd, g, a);
  RegisterDemoResults(cmd, g, a);
  cmd->callback([cmd, &g, a] {
    if (!cmd->get_subcommands().empty()) return;  // show, result or demo-results ran
    if (a->ratio == 0) throw CLI::RequiredError("--ratio");
    server::DrawRequest r;
    r.region = a->region;
    r.industry = a->industry;
    if (!a->type.empty()) {
      auto t = ParseSubjectType(a->type);
      if (!t || *t == SubjectType::kNaturalPerson)
        return Fail(g, "--type: not an organization type");
      r.type = *t;
    }
    r.base_ratio = a->ratio;
    r.seed = a->seed;
    r.purpose = a->purpose;
    r.department = a->dept;
    auto p = OpenPlatform(g, /*read_only=*/false);  // the draw is saved
    if (!p) return;
    auto doc = server::DrawInspection(*p, r, Date::Today());
    if (!doc.ok()) {
      const std::string& m = doc.status().message();
      return Fail(g, m.starts_with("industry: ") ? "--industry: " + m.substr(10) : m);
    }
    if (g.json) {
      std::cout << json::serialize(*doc) << '\n';
      return;
    }
    PrintDraw(*doc);
    for (const json::value& e : doc->at("drawn").as_array()) PrintEntry(e.as_object());
  });
}

}  // namespace xinyong::cli
