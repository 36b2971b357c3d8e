#include "cli/commands.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "core/calendar.h"
#include "core/identifiers.h"
#include "core/utf8.h"
#include "ingest/field_validation.h"
#include "rules/check.h"
#include "security/audit.h"
#include "server/access.h"
#include "server/checks.h"
#include "server/grades.h"
#include "server/json_views.h"
#include "server/lists.h"
#include "server/platform.h"
#include "server/redact.h"

namespace xinyong::cli {

namespace json = boost::json;
using server::Platform;
using server::PlatformOptions;

namespace {

void PrintJson(const json::value& v) { std::cout << json::serialize(v) << '\n'; }


// Codes from the arguments, else one per line of standard input.
std::vector<std::string> InputsOrStdin(const std::vector<std::string>& args) {
  if (!args.empty()) return args;
  std::vector<std::string> out;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // A UTF-8 byte order mark (a list saved from a Windows editor) is not part of the first code.
    if (out.empty() && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

Result<WorkCalendar> LoadCalendar(const GlobalOptions& g) {
  std::string share = g.share_dir.empty() ? server::DefaultShareDir() : g.share_dir;
  return WorkCalendar::LoadFile(share + "/calendar/cn_workdays.toml");
}

void RegisterValidate(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("validate", "validate identifiers: uscc, id (resident ID), orgcode");
  auto kind = std::make_shared<std::string>();
  auto codes = std::make_shared<std::vector<std::string>>();
  cmd->add_option("kind", *kind, "uscc | id | orgcode")->required()->check(CLI::IsMember({"uscc", "id", "orgcode"}));
  cmd->add_option("codes", *codes, "codes (default: one per line of standard input)");
  cmd->callback([&g, kind, codes] {
    Date today = Date::Today();
    for (const std::string& input : InputsOrStdin(*codes)) {
      Status status;
      std::string normalized;
      if (*kind == "uscc") {
        auto r = ident::ParseUscc(input);
        status = r.status();
        if (r.ok()) normalized = r->code;
      } else if (*kind == "id") {
        auto r = ident::ParseResidentId(input, today);
        status = r.status();
        if (r.ok()) normalized = r->id18;
      } else {
        auto r = ident::ParseOrgCode(input);
        status = r.status();
        if (r.ok()) normalized = *r;
      }
      if (!status.ok()) g.exit_code = 1;
      if (g.json) {
        // JSON text is UTF-8: bytes that are not are shown as U+FFFD.
        json::object o{{"input", SanitizeUtf8(input)}, {"valid", status.ok()}};
        if (status.ok()) o["normalized"] = normalized; else o["reason"] = status.message();
        PrintJson(o);
      } else {
        std::cout << input << '\t' << (status.ok() ? "ok" : "invalid") << '\t'
                  << (status.ok() ? normalized : status.message()) << '\n';
      }
    }
  });
}

void RegisterCalendar(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("calendar", "China's working-day calendar (holidays and 调休)");
  cmd->require_subcommand(1);
  auto date = std::make_shared<std::string>();
  auto n = std::make_shared<int>(0);
  auto* workday = cmd->add_subcommand("workday", "is DATE a working day? prints yes or no");
  workday->add_option("date", *date, "YYYY-MM-DD")->required();
  workday->callback([&g, date] {
    auto d = Date::Parse(*date);
    if (!d.ok()) return Fail(g, d.status());
    auto cal = LoadCalendar(g);
    if (!cal.ok()) return Fail(g, cal.status());
    auto r = cal->IsWorkday(*d);
    if (!r.ok()) return Fail(g, r.status());
    if (g.json) {
      PrintJson(json::object{{"date", d->ToString()}, {"workday", *r}});
    } else {
      std::cout << (*r ? "yes" : "no") << '\n';
    }
  });
  auto* add = cmd->add_subcommand("add", "the N-th working day after DATE");
  add->add_option("date", *date, "YYYY-MM-DD")->required();
  add->add_option("n", *n, "N >= 1")->required()->check(CLI::PositiveNumber);
  add->callback([&g, date, n] {
    auto d = Date::Parse(*date);
    if (!d.ok()) return Fail(g, d.status());
    auto cal = LoadCalendar(g);
    if (!cal.ok()) return Fail(g, cal.status());
    auto r = cal->AddWorkdays(*d, *n);
    if (!r.ok()) return Fail(g, r.status());
    if (g.json) {
      PrintJson(json::object{{"date", d->ToString()}, {"n", *n}, {"result", r->ToString()}});
    } else {
      std::cout << r->ToString() << '\n';
    }
  });
}

std::string HumanFileReport(const ingest::FileReport& f) {
  std::string batches;
  if (f.batches.size() == 1) {
    batches = std::to_string(f.batches.front());
  } else if (!f.batches.empty()) {
    batches = std::to_string(f.batches.front()) + ".." + std::to_string(f.batches.back());
  }
  // The counts after a file name of any length (a fixed buffer cut them off).
  char counts[256];
  std::snprintf(counts, sizeof counts,
                " rows %llu accepted %llu rejected %llu duplicates %llu late %llu corrected %llu "
                "seconds %.3f",
                static_cast<unsigned long long>(f.rows), static_cast<unsigned long long>(f.accepted),
                static_cast<unsigned long long>(f.rejected),
                static_cast<unsigned long long>(f.duplicates),
                static_cast<unsigned long long>(f.late),
                static_cast<unsigned long long>(f.corrected), f.seconds);
  std::string s = f.file + ": batch " + batches + " indicator " + f.indicator + counts;
  if (f.derived > 0) s += " derived " + std::to_string(f.derived);
  if (f.rejected > 0 || f.warnings > 0) {
    s += " — rejected rows: xinyong batch show " + std::to_string(f.batches.front());
    if (f.batches.size() > 1) s += " (and the following batches)";
  }
  return s;
}

void RegisterIngest(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("ingest", "ingest department files (CSV in UTF-8/GBK, or JSONL)");
  struct Args {
    std::vector<std::string> files;
    std::string indicator, dept, received, format;
    size_t batch_rows = 50000;
    bool no_grade = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("files", a->files, "files to ingest")->required();
  cmd->add_flag("--no-grade", a->no_grade,
                "do not regrade the subjects of each batch (a bulk load; run `grade --all` after)");
  cmd->add_option("--indicator", a->indicator, "catalog indicator code (default: from file name or header)");
  cmd->add_option("--dept", a->dept, "submitting department code");
  cmd->add_option("--received", a->received, "date of receipt, YYYY-MM-DD (default: today)");
  cmd->add_option("--format", a->format, "csv or jsonl (default: from the file extension)")
      ->check(CLI::IsMember({"csv", "jsonl", "ndjson"}));
  cmd->add_option("--batch-rows", a->batch_rows, "rows per atomic batch")->default_val(50000);
  cmd->callback([&g, a] {
    ingest::IngestOptions o;
    o.indicator = a->indicator;
    o.dept = a->dept;
    o.format = a->format;
    o.batch_rows = a->batch_rows;
    if (!a->received.empty()) {
      auto d = Date::Parse(a->received);
      if (!d.ok()) return Fail(g, d.status().WithContext("--received"));
      // Timeliness is judged once, when a record first arrives: a receipt still to come would
      // mark decisions late for good and let decisions dated in the future through.
      if (*d > Date::Today()) {
        return Fail(g, "--received " + d->ToString() + " is after today (" +
                           Date::Today().ToString() + ")");
      }
      o.received_date = *d;
    }
    auto p = OpenPlatform(g, /*read_only=*/false, /*grade_on_ingest=*/!a->no_grade);
    if (!p) return;
    // The subjects of every batch of every file are regraded once, at the end (with --no-grade
    // not at all: no deferral, so no regrade mark a crash would leave for the next start).
    std::optional<rules::Grader::Deferral> grading;
    if (!a->no_grade) {
      grading.emplace(p->grader());
      o.grading_deferral = grading->id();
    }
    for (const auto& file : a->files) {
      auto r = p->ingester().IngestFile(file, o);
      if (!r.ok()) {
        Fail(g, r.status());
        continue;
      }
      if (g.json) {
        PrintJson(server::FileReportJson(*r));
      } else {
        std::cout << HumanFileReport(*r) << '\n';
      }
    }
    auto graded =
        grading ? grading->Finish() : Result<rules::GradingSummary>(rules::GradingSummary());
    if (!graded.ok()) {
      Fail(g, graded.status().WithContext("regrading the ingested subjects (run `xinyong grade --all`)"));
    }
  });
}

void RegisterBatch(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("batch", "ingestion batch reports");
  cmd->require_subcommand(1);
  auto id = std::make_shared<uint64_t>(0);
  auto* show = cmd->add_subcommand("show", "a batch report with every rejected row");
  show->add_option("id", *id, "batch id")->required();
  show->callback([&g, id] {
    auto p = OpenPlatform(g, /*read_only=*/true);
    if (!p) return;
    auto b = p->store().GetBatch(*id);
    if (!b.ok()) return Fail(g, b.status());
    if (!*b) return Fail(g, Status::NotFound("no batch has the id " + std::to_string(*id)));
    const BatchReport& r = **b;
    if (g.json) return PrintJson(server::BatchReportJson(r, true));
    std::cout << "batch " << r.id << " (" << r.file << ", part " << r.part << ", indicator "
              << r.indicator << (r.dept.empty() ? "" : ", dept " + r.dept) << ", " << r.encoding
              << ", received " << r.received_date.ToString() << ")\n"
              << "rows " << r.rows << "  accepted " << r.accepted << "  rejected " << r.rejected
              << "  duplicates " << r.duplicates << "  corrected " << r.corrected << "  late "
              << r.late << "  new subjects " << r.new_subjects << '\n';
    if (!r.rejections.empty()) std::cout << "rejected rows (row\tfield\treason):\n";
    for (const auto& i : r.rejections) {
      std::cout << i.row << '\t' << (i.field.empty() ? "-" : i.field) << '\t' << i.code << ": "
                << i.message << '\n';
    }
    if (!r.warnings.empty()) std::cout << "warnings (row\tfield\treason):\n";
    for (const auto& i : r.warnings) {
      std::cout << i.row << '\t' << (i.field.empty() ? "-" : i.field) << '\t' << i.code << ": "
                << i.message << '\n';
    }
  });
}

void RegisterStats(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("stats", "counts of subjects, records and batches");
  cmd->callback([&g] {
    auto p = OpenPlatform(g, /*read_only=*/true);
    if (!p) return;
    auto s = p->store().Stats();
    if (!s.ok()) return Fail(g, s.status());
    if (g.json) return PrintJson(server::StatsJson(*s));
    std::cout << "subjects\t" << s->subjects << "\nrecords\t" << s->records << "\nrecord_versions\t"
              << s->record_versions << "\nbatches\t" << s->batches << "\nstore_bytes\t"
              << s->disk_bytes << '\n';
    for (const auto& [k, v] : s->records_by_indicator) std::cout << "records." << k << '\t' << v << '\n';
  });
}

void RegisterSubject(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("subject", "a subject's profile and records as the public (or --as ROLE) sees them");
  struct Args {
    std::string code, as = "public", institution, dept;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("code", a->code, "USCC or legacy code")->required();
  cmd->add_option("--as", a->as,
                  "the view: public, operator, source_department, using_department, "
                  "financial_institution (with --institution; 授权查询 records while the "
                  "subject's consent stands) or subject (the subject's own)")
      ->check(CLI::IsMember({"public", "operator", "source_department", "using_department",
                             "financial_institution", "subject"}));
  cmd->add_option("--institution", a->institution, "--as financial_institution: the institution");
  cmd->add_option("--dept", a->dept, "--as a department role: the department");
  cmd->callback([&g, a] {
    auto p = OpenPlatform(g, /*read_only=*/true);
    if (!p) return;
    auto s = p->FindSubjectByCode(a->code);
    if (!s.ok()) return Fail(g, s.status());
    const security::Role role = security::ParseRole(a->as).value_or(security::Role::kPublic);
    if (role == security::Role::kFinancialInstitution && a->institution.empty()) {
      return UsageFail(g, "--as financial_institution needs --institution NAME");
    }
    security::Principal::Scope scope;
    if (role == security::Role::kSourceDepartment || role == security::Role::kUsingDepartment) {
      scope.department = a->dept;
    }
    if (role == security::Role::kFinancialInstitution) scope.institution = a->institution;
    if (role == security::Role::kSubject) {
      scope.subject_id = s->id;
      scope.subject_code = s->DisplayCode();
    }
    const security::Principal who =
        role == security::Role::kPublic ? security::Principal() : security::Principal(role, 0, scope);
    server::RecordView view(*p, who, Date::Today());
    auto levels = view.Levels(s->id);
    if (!levels.ok()) return Fail(g, levels.status());
    std::vector<Record> records;
    Status st = p->store().ListRecords(s->id, "", &records);
    if (!st.ok()) return Fail(g, st);
    // As the API shows it: the public sees a natural person's name masked.
    if (levels->public_only() && s->type == SubjectType::kNaturalPerson) {
      for (Record& r : records) {
        r = server::PersonRecordForPublic(r, p->catalog().Find(r.indicator), s->name);
      }
      *s = server::PersonForPublic(*s);
    }
    const Date today = Date::Today();
    const std::vector<uint64_t> objected = p->rights().UnderObjection(s->id);
    json::array out;
    for (const Record& r : records) {
      const auto* ind = p->catalog().Find(r.indicator);
      if (!server::ShownAt(r, ind, *levels, today)) continue;
      const bool under = std::find(objected.begin(), objected.end(), r.record_id) != objected.end();
      out.push_back(server::RecordJson(r, ind, {}, under));
    }
    if (g.json) {
      return PrintJson(json::object{{"subject", server::SubjectJson(*s)},
                                    {"view", security::RoleName(role)},
                                    {"records", out}});
    }
    std::cout << s->name << "  " << s->DisplayCode() << "  " << SubjectTypeLabel(s->type) << '\n';
    for (const auto& f : s->former_names) std::cout << "  曾用名 " << f << '\n';
    for (const Record& r : records) {
      const auto* ind = p->catalog().Find(r.indicator);
      if (!server::ShownAt(r, ind, *levels, today)) continue;
      const bool under = std::find(objected.begin(), objected.end(), r.record_id) != objected.end();
      std::cout << (r.decision_date == Date() ? std::string("          ") : r.decision_date.ToString())
                << "  " << ind->name << "  " << r.document_number
                << (r.version > 1 ? "  (v" + std::to_string(r.version) + ")" : "")
                << (under ? "  异议处理中" : "") << '\n';
    }
  });
}

// A check as text: the headline, then each measure with its legal basis and what triggered it.
void AppendCheckText(std::string_view name, std::string_view code, std::string_view scenario,
                     const rules::CheckOutcome& o, uint64_t id, std::string* out) {
  out->append(name).append("  ").append(code).append("  ").append(scenario).append("  ");
  out->append(rules::CheckResultName(o.result)).append("  ").append(rules::CheckResultLabel(o.result));
  out->append(id != 0 ? "  (核查 " + std::to_string(id) + ")\n" : std::string("  (未登记)\n"));
  for (const rules::AppliedMeasure& m : o.measures) {
    out->append("  ").append(m.measure->code).append(m.measure->mandatory ? "  强制  " : "  推荐  ");
    out->append(m.measure->content).append("\n    依据: ").append(m.measure->legal_basis).append("\n");
    for (const rules::TriggerEvidence& t : m.triggers) {
      out->append("    触发: ").append(t.indicator).append(" ");
      if (t.record_id != 0) {
        out->append(t.document_number).append(" ").append(t.date.ToString());
      } else {
        out->append(t.detail);
      }
      if (t.until) out->append(" 至 ").append(t.until->ToString());
      if (t.via_subject != 0) {  // 落实到人
        out->append("（作为").append(PersonRoleLabel(t.link)).append("：").append(t.via_name);
        out->append(" ").append(t.via_code).append("）");
      }
      out->append("\n");
    }
  }
  if (!o.withheld_rewards.empty()) {
    out->append("  ").append(rules::kRewardsWithheldReason).append(":");
    for (const rules::AppliedMeasure& m : o.withheld_rewards) out->append(" ").append(m.measure->code);
    out->append("\n");
  }
}

void RegisterCheck(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand(
      "check", "credit check (信用核查): the measures that apply in a scenario, and why; logged");
  struct Args {
    std::string code, file, scenario, purpose = "命令行核查", dept = "cli", date;
    unsigned threads = 0;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("code", a->code, "USCC or legacy code (or --file)");
  cmd->add_option("--file", a->file, "a batch: one subject code per line");
  cmd->add_option("--scenario", a->scenario, "scenario code (data/measures/scenarios.toml)")->required();
  cmd->add_option("--purpose", a->purpose, "查询事由, logged with the check")->default_val("命令行核查");
  cmd->add_option("--dept", a->dept, "the using department, logged with the check")->default_val("cli");
  cmd->add_option("--date", a->date,
                  "judge as of this day, YYYY-MM-DD (default: today); another day than today is "
                  "not a check made: not entered in the check log");
  cmd->add_option("--threads", a->threads, "threads of a --file batch (default: one per core)")
      ->check(CLI::Range(0u, 1024u));
  cmd->callback([&g, a] {
    if (a->code.empty() == a->file.empty()) {
      return UsageFail(g, a->code.empty() ? "check: give a subject code or --file"
                                          : "check: give a subject code or --file, not both");
    }
    Date today = Date::Today();
    if (!a->date.empty()) {
      auto d = Date::Parse(a->date);
      if (!d.ok()) return Fail(g, "--date: " + d.status().message());
      today = *d;
    }
    std::vector<std::string> codes;
    if (!a->file.empty()) {
      std::ifstream in(a->file);
      if (!in) return Fail(g, "cannot read " + a->file);
      for (std::string line; std::getline(in, line);) {
        auto t = ingest::TrimCell(line);
        if (!t.empty()) codes.emplace_back(t);
      }
    } else {
      codes.push_back(a->code);
    }
    auto p = OpenPlatform(g, /*read_only=*/false);  // checks are logged
    if (!p) return;
    // A large batch reads the trigger facts of the scenario in one go (a trigger index of the
    // indicators the scenario reads) instead of each subject's records one by one. Not for a
    // past --date: the index only serves checks as of the day it is built or later. (The code
    // directory a server builds is not: for one batch, building it costs about what it saves.)
    constexpr size_t kIndexFrom = 20000;
    if (codes.size() >= kIndexFrom && today >= Date::Today()) {
      if (auto t = p->triggers(a->scenario); !t.ok()) return Fail(g, t.status());
    }
    const server::CheckRequest r{"", a->scenario, a->purpose, a->dept, "cli"};
    auto batch = server::EvaluateChecks(*p, r, codes, today, a->threads);
    if (!batch.ok()) return Fail(g, batch.status());
    for (size_t i = 0; i < codes.size(); ++i) {
      const Status& why = batch->items[i].status;
      if (why.ok()) continue;
      if (codes.size() == 1 && a->file.empty()) return Fail(g, why);
      std::cerr << "xinyong: " << server::ForLog(codes[i], 40) << ": "
                << server::RedactPersonalIds(why.message()) << '\n';
      g.exit_code = 1;
    }
    // A check as of another day is a what-if, not a check made: the check log (what officials
    // and the subject read as checks run, with their results) has no day of its own to show
    // it under. The command itself is in the audit log.
    const bool what_if = !a->date.empty() && today != Date::Today();
    if (!what_if) {
      if (Status st = server::LogChecks(*p, &*batch); !st.ok()) return Fail(g, st);
    } else {
      std::cerr << "xinyong: judged as of " << today.ToString()
                << ", not today: not entered in the check log\n";
    }
    std::string out;
    for (const server::BatchItem& item : batch->items) {
      if (!item.status.ok()) continue;
      if (g.json) {
        out.append(json::serialize(server::CheckJson(*batch, item))).push_back('\n');
      } else {
        AppendCheckText(item.name, item.code, a->scenario, item.outcome, item.id, &out);
      }
      if (out.size() >= (1u << 20)) {
        std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
        out.clear();
      }
    }
    std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
  });
}

// `computed`: why a grade that is not the stored one was computed.
void PrintGrade(const Platform& p, const server::GradeView& v, std::string_view computed) {
  const SubjectGrade& grade = v.grade;
  std::cout << v.subject.name << "  " << v.subject.DisplayCode() << "  " << grade.grade << " ("
            << grade.grade_label << ")  " << grade.score << " 分 = 基础分 " << p.evaluation().base()
            << "  " << v.as_of.ToString()
            << (v.stored ? "（自 " + grade.as_of.ToString() + " 起）" : std::string(computed))
            << '\n';
  for (const GradeReason& r : grade.reasons) {
    std::cout << "  " << (r.points > 0 ? "+" : "") << r.points << "  " << r.label << "  "
              << r.record_ids.size() << " 条" << (r.capped ? "（已达上限）" : "") << '\n';
  }
}

void RegisterGrade(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand(
      "grade", "composite evaluation (公共信用综合评价): score, grade A–D and why; --all recomputes");
  struct Args {
    std::string code, date;
    bool history = false, all = false;
    unsigned threads = 0;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("code", a->code, "USCC or legacy code");
  cmd->add_flag("--history", a->history, "the history of the subject's grade, newest first");
  cmd->add_flag("--all", a->all, "recompute and store the grade of every organization");
  cmd->add_option("--date", a->date,
                  "as of this day, YYYY-MM-DD (default: today; with --all not before the last full run's); with CODE, computed and not stored");
  cmd->add_option("--threads", a->threads, "threads of --all (default: one per core)")
      ->check(CLI::Range(0u, 1024u));
  cmd->callback([&g, a] {
    if (a->all == !a->code.empty()) return UsageFail(g, "grade: give either a CODE or --all");
    if (a->all && a->history) return UsageFail(g, "--history: only with a CODE");
    if (a->history && !a->date.empty()) return UsageFail(g, "--date: not with --history");
    Date date = Date::Today();
    if (!a->date.empty()) {
      auto d = Date::Parse(a->date);
      if (!d.ok()) return Fail(g, d.status().WithContext("--date"));
      date = *d;
    }
    // Stored grades of a day still to come would apply ended memberships early, and the server's
    // daily regrade would wait for that day (it regrades when the last full run is older).
    if (a->all && date > Date::Today()) {
      return Fail(g, "--date: " + date.ToString() + " is after today (" +
                         Date::Today().ToString() + "); stored grades are never dated ahead");
    }
    auto p = OpenPlatform(g, /*read_only=*/!a->all);
    if (!p) return;
    if (a->all) {
      auto summary = p->grader().RecomputeAll(date, a->threads);
      if (!summary.ok()) return Fail(g, summary.status());
      if (g.json) return PrintJson(server::GradingSummaryJson(*summary));
      std::cout << "graded " << summary->subjects << " organizations as of " << date.ToString()
                << " in " << summary->seconds << " s; " << summary->changed << " changed";
      for (const auto& [grade, n] : summary->by_grade) std::cout << "  " << grade << " " << n;
      std::cout << '\n';
      return;
    }
    auto subject = p->FindSubjectByCode(a->code);
    if (!subject.ok()) return Fail(g, subject.status());
    if (a->history) {
      if (subject->type == SubjectType::kNaturalPerson) {
        return Fail(g, "natural persons are not graded");
      }
      std::vector<SubjectGrade> history;
      Status st = p->store().ListGradeHistory(subject->id, 0, SIZE_MAX, &history);
      if (!st.ok()) return Fail(g, st);
      for (const SubjectGrade& e : history) {
        if (g.json) {
          PrintJson(server::GradeEntryJson(*p, e));
        } else {
          std::cout << e.as_of.ToString() << "  " << e.grade << " (" << e.grade_label << ")  "
                    << e.score << " 分\n";
        }
      }
      if (!g.json && history.empty()) std::cerr << "no stored grade yet (xinyong grade --all)\n";
      return;
    }
    auto v = a->date.empty() ? server::SubjectCurrentGrade(*p, *subject, date)
                             : server::ComputeGrade(*p, *subject, date);
    if (!v.ok()) return Fail(g, v.status());
    if (g.json) return PrintJson(server::GradeViewJson(*p, *v));
    PrintGrade(*p, *v, a->date.empty() ? "（即时计算：尚无存储的评价）" : "（按 --date 即时计算，未存储）");
  });
}

void RegisterLists(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("lists", "current members of a list (红名单, 严重失信主体名单, ...)");
  auto type = std::make_shared<std::string>();
  cmd->add_option("--type", *type,
                  "red, serious_dishonesty, court_dishonest_debtor or abnormal_operation")
      ->required();
  cmd->callback([&g, type] {
    const std::string indicator = server::ListIndicatorOfType(*type);
    if (indicator.empty()) return Fail(g, "--type: no list '" + *type + "'");
    auto p = OpenPlatform(g, /*read_only=*/true);
    if (!p) return;
    std::vector<server::ListEntry> entries;
    const Date today = Date::Today();
    if (Status st = server::ListMembers(*p, indicator, today, &entries); !st.ok()) return Fail(g, st);
    const catalog::Indicator* ind = p->catalog().Find(indicator);
    for (const server::ListEntry& e : entries) {
      if (g.json) {
        PrintJson(server::ListEntryJson(e, ind));
        continue;
      }
      std::cout << e.membership.start.ToString() << "  "
                << (e.membership.end ? e.membership.end->ToString() : std::string("          "))
                << "  " << e.subject.DisplayCode() << "  " << e.subject.name << "  "
                << e.record.document_number << '\n';
    }
    if (!g.json) std::cerr << entries.size() << " current members of " << ind->name << '\n';
  });
}

void RegisterCatalog(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("catalog", "the indicators that may be collected, with their legal basis");
  cmd->callback([&g] {
    std::string share = g.share_dir.empty() ? server::DefaultShareDir() : g.share_dir;
    auto c = catalog::Catalog::LoadDirectory(share + "/catalog");
    if (!c.ok()) return Fail(g, c.status());
    for (const auto& i : (*c)->indicators()) {
      if (g.json) {
        PrintJson(server::IndicatorJson(i));
      } else {
        std::cout << i.code << '\t' << i.name << '\t' << catalog::DisclosureLabel(i.disclosure)
                  << '\t' << i.legal_basis << '\n';
      }
    }
  });
}

}  // namespace

// Messages come from every layer, some quoting what was typed: a resident ID in them is masked.
void Fail(GlobalOptions& g, const std::string& message) {
  std::cerr << "xinyong: " << server::RedactPersonalIds(message) << '\n';
  g.exit_code = 1;
}

void Fail(GlobalOptions& g, const Status& s) { Fail(g, s.message()); }

void UsageFail(GlobalOptions& g, const std::string& message) {
  std::cerr << "xinyong: " << server::RedactPersonalIds(message) << '\n';
  g.exit_code = 2;
}

std::unique_ptr<Platform> OpenPlatform(GlobalOptions& g, bool read_only, bool grade_on_ingest) {
  PlatformOptions o;
  o.grade_on_ingest = grade_on_ingest;
  o.data_dir = g.data_dir;
  o.share_dir = g.share_dir;
  o.key_file = g.key_file;
  o.read_only = read_only;
  o.block_cache_bytes = g.cache_mib << 20;
  o.profile_cache_bytes = g.profile_cache_mib << 20;
  o.trusted_proxies = g.trusted_proxies;
  o.public_reports_per_client_day = g.public_reports_per_client_day;
  auto p = Platform::Open(o);
  if (!p.ok()) {
    Fail(g, p.status());
    return nullptr;
  }
  if (!read_only) AuditCommand(g, **p);
  return std::move(p).value();
}

void AuditCommand(GlobalOptions& g, Platform& p) {
  security::AuditLog* log = p.audit();
  if (log == nullptr) return;
  security::AuditEntry e =
      security::AuditEntryFor(security::Principal(), "command", "cli " + server::ForLog(g.command_line, 400));
  e.actor = "local operator (command line)";
  if (auto seq = log->Append(std::move(e)); !seq.ok()) {
    spdlog::warn("the command could not be written to the audit log: {}", seq.status().ToString());
  }
}

void RegisterSearch(CLI::App& app, GlobalOptions& g);
void RegisterCommitment(CLI::App& app, GlobalOptions& g);  // commands_commitment.cc
void RegisterDeclaration(CLI::App& app, GlobalOptions& g);  // commands_declaration.cc
void RegisterInspect(CLI::App& app, GlobalOptions& g);     // commands_inspect.cc
void RegisterToken(CLI::App& app, GlobalOptions& g);       // commands_access.cc
void RegisterAudit(CLI::App& app, GlobalOptions& g);       // commands_audit.cc
void RegisterRetention(CLI::App& app, GlobalOptions& g);   // commands_audit.cc
void RegisterRights(CLI::App& app, GlobalOptions& g);      // commands_rights.cc
void RegisterReport(CLI::App& app, GlobalOptions& g);      // commands_report.cc
void RegisterGen(CLI::App& app, GlobalOptions& g);
void RegisterServe(CLI::App& app, GlobalOptions& g);
void RegisterExport(CLI::App& app, GlobalOptions& g);      // commands_governance.cc
void RegisterMonitoring(CLI::App& app, GlobalOptions& g);  // commands_governance.cc
void RegisterPush(CLI::App& app, GlobalOptions& g);     // commands_exchange.cc
void RegisterReceive(CLI::App& app, GlobalOptions& g);  // commands_exchange.cc

void RegisterCommands(CLI::App& app, GlobalOptions& g) {
  RegisterValidate(app, g);
  RegisterCalendar(app, g);
  RegisterCatalog(app, g);
  RegisterGen(app, g);
  RegisterIngest(app, g);
  RegisterBatch(app, g);
  RegisterStats(app, g);
  RegisterSubject(app, g);
  RegisterCheck(app, g);
  RegisterLists(app, g);
  RegisterCommitment(app, g);
  RegisterDeclaration(app, g);
  RegisterGrade(app, g);
  RegisterInspect(app, g);
  RegisterToken(app, g);
  RegisterAudit(app, g);
  RegisterRetention(app, g);
  RegisterRights(app, g);
  RegisterReport(app, g);
  RegisterSearch(app, g);
  RegisterServe(app, g);
  RegisterExport(app, g);
  RegisterMonitoring(app, g);
  RegisterPush(app, g);
  RegisterReceive(app, g);
}

}  // namespace xinyong::cli
