// `xinyong report`: credit reports (信用报告). `report CODE --out FILE` issues one (the local
// operator's request: numbered, signed and kept in the store, as POST
// /api/v1/subjects/{code}/reports does); `report verify FILE` checks a report file's signature
// offline — with `--public-key FILE` (the JSON of GET /api/v1/reports/public-key, or the key in
// Base64) no data directory is needed; without it the data directory's key is used and the
// store also says whether the subject's information changed since the report was issued;
// `report domains` lists the special report's domains. Everything goes through
// server/reports.h, as the API does.
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "report/envelope.h"
#include "server/access.h"
#include "server/reports.h"

namespace xinyong::cli {

namespace json = boost::json;

namespace {

struct ReportArgs {
  std::string code, out, format, domains, from, to, view = "public", base_url;
  bool special = false;
  std::string file, public_key;
  bool items = false;  // verify: print every signed item too
};

// What the report's signature covers, as text: the period, the data cut-off and each section's
// summary and facts (every item with `items`). The signature covers this content, not the
// pages the file shows: the reader compares the two.
void PrintSignedContent(const json::object& content, bool items) {
  std::string from, to, cutoff;
  if (const json::value* r = content.if_contains("request"); r && r->is_object()) {
    if (const json::value* f = r->get_object().if_contains("from"); f && f->is_string())
      from = f->get_string();
    if (const json::value* t = r->get_object().if_contains("to"); t && t->is_string())
      to = t->get_string();
  }
  if (const json::value* c = content.if_contains("cutoff"); c && c->is_string())
    cutoff = c->get_string();
  std::cout << "period      " << from << " – " << to << " (data as of " << cutoff << ")\n"
            << "signed content (compare it with the document; only this is signed):\n";
  for (const report::SignedSection& s : report::SignedSections(content)) {
    std::cout << "  " << s.title << "：" << s.summary << '\n';
    for (const report::ReportField& f : s.facts) {
      std::cout << "    " << f.label << "：" << f.value << '\n';
    }
    if (!items) continue;
    for (const report::ReportItem& i : s.items) {
      std::cout << "    - " << (i.date.empty() ? "" : i.date + " ") << i.title
                << (i.document_number.empty() ? "" : " " + i.document_number) << '\n';
      for (const report::ReportField& f : i.fields) {
        std::cout << "        " << f.label << "：" << f.value << '\n';
      }
    }
  }
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open '" + path + "'");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Result<Date> DateOption(const std::string& text, std::string_view name) {
  auto d = Date::Parse(text);
  if (!d.ok()) return d.status().WithContext(std::string(name));
  return *d;
}

void Issue(GlobalOptions& g, const ReportArgs& a) {
  if (a.code.empty()) return UsageFail(g, "report: give a subject CODE (or `report verify FILE`)");
  if (a.out.empty()) return UsageFail(g, "--out: required: the file to write the report to");
  std::string format = a.format;
  if (format.empty()) {
    format = a.out.ends_with(".html") || a.out.ends_with(".htm") ? "html" : "pdf";
  }
  // Checked before a report is numbered, signed and stored, so that none is issued in vain.
  if (format != "pdf" && format != "html") {
    return Fail(g, "--format: '" + format.substr(0, 20) + "' is not a report format; give pdf or html");
  }
  report::ReportRequest request;
  request.kind = a.special ? report::ReportKind::kSpecial : report::ReportKind::kPublic;
  auto view = report::ParseReportView(a.view);
  if (!view) return Fail(g, "--view: '" + a.view + "' is not a view; give public or full");
  request.view = *view;
  if (!a.domains.empty() && !a.special) return UsageFail(g, "--domains: only with --special");
  std::string_view all = a.domains;
  while (!all.empty()) {
    const size_t comma = all.find(',');
    std::string_view one = all.substr(0, comma);
    if (!one.empty()) request.domains.emplace_back(one);
    if (comma == std::string_view::npos) break;
    all.remove_prefix(comma + 1);
  }
  const Date today = Date::Today();
  request.to = today;
  if (!a.to.empty()) {
    auto d = DateOption(a.to, "--to");
    if (!d.ok()) return Fail(g, d.status());
    request.to = *d;
  }
  request.from = report::EarliestPeriodStart(request.to);
  if (!a.from.empty()) {
    auto d = DateOption(a.from, "--from");
    if (!d.ok()) return Fail(g, d.status());
    request.from = *d;
  }
  if (request.to > today) return Fail(g, "--to: the period cannot end after today");
  auto p = OpenPlatform(g, /*read_only=*/false);  // the issued report is kept in the store
  if (!p) return;
  auto subject = p->FindSubjectByCode(a.code);
  if (!subject.ok()) return Fail(g, subject.status());
  request.subject_code = subject->DisplayCode();
  if (Status s = report::ValidateRequest(request); !s.ok()) return Fail(g, s);
  // --out is tried (without truncating a file that is there) before the report is issued.
  std::error_code ec;
  const bool existed = std::filesystem::exists(a.out, ec);
  if (!std::ofstream(a.out, std::ios::binary | std::ios::app)) {
    return Fail(g, "--out: cannot write '" + a.out + "'");
  }
  const auto drop_probe = [&] {
    if (!existed) std::filesystem::remove(a.out, ec);
  };
  auto issued = server::IssueReport(*p, *subject, request, today, server::NowUnixMs(), a.base_url);
  if (!issued.ok()) {
    drop_probe();
    return Fail(g, issued.status());
  }
  // The command was audited when the store was opened (OpenPlatform), before the issue.
  const std::string& number = issued->content.number;
  auto file = server::RenderReport(*issued, format);
  if (!file.ok()) {
    drop_probe();
    return Fail(g, file.status().WithContext("report " + number + " was issued but not rendered"));
  }
  std::ofstream out(a.out, std::ios::binary | std::ios::trunc);
  out.write(file->body.data(), static_cast<std::streamsize>(file->body.size()));
  out.close();
  if (!out) {
    return Fail(g, "--out: cannot write '" + a.out + "' (report " + number + " was issued)");
  }
  const auto& c = issued->content;
  if (g.json) {
    std::cout << json::serialize(json::object{{"number", c.number},
                                              {"file", a.out},
                                              {"format", format},
                                              {"bytes", file->body.size()},
                                              {"digest", issued->digest},
                                              {"verify_url", c.verify_url}})
              << '\n';
    return;
  }
  std::cout << c.number << "  " << report::ReportKindTitle(c.request.kind) << "  " << c.subject.name
            << "  → " << a.out << " (" << file->body.size() << " bytes)\n"
            << "verify: " << c.verify_url << '\n';
}

void Verify(GlobalOptions& g, const ReportArgs& a) {
  auto bytes = ReadWholeFile(a.file);
  if (!bytes.ok()) return Fail(g, bytes.status());
  auto env = report::ExtractEnvelope(*bytes);
  if (!env.ok()) return Fail(g, env.status().WithContext(a.file));
  report::PublicKey key{};
  std::unique_ptr<server::Platform> p;
  if (!a.public_key.empty()) {
    auto text = ReadWholeFile(a.public_key);
    if (!text.ok()) return Fail(g, text.status().WithContext("--public-key"));
    auto k = report::ParsePublicKey(*text);
    if (!k.ok()) return Fail(g, k.status().WithContext("--public-key " + a.public_key));
    key = *k;
  } else {
    p = OpenPlatform(g, /*read_only=*/true);
    if (!p) return;
    auto signer = p->report_signer();
    if (!signer.ok()) return Fail(g, signer.status());
    key = (*signer)->public_key();
  }
  const report::OfflineCheck check = report::CheckSignature(*env, key);
  // With the data directory: is it a report this platform issued, and did anything change?
  std::optional<server::ReportVerification> online;
  if (p && check.signature_valid) {
    auto v = server::VerifyIssuedReport(*p, check.number, Date::Today());
    if (!v.ok()) return Fail(g, v.status());
    online = *v;
  }
  const bool ok = check.signature_valid && (!p || (online && online->digest == check.digest));
  if (g.json) {
    json::object o{
        {"file", a.file},
        {"number", check.number},
        {"title", check.kind_title},
        {"subject", json::object{{"code", check.subject_code}, {"name", check.subject_name}}},
        {"issued_at", check.issued_at},
        {"key_id", env->key_id},
        {"digest", check.digest},
        {"signature_valid", check.signature_valid},
        {"result", ok ? "OK" : "FAILED"}};
    // What the signature covers, to compare with the document (only when it holds).
    if (check.signature_valid) {
      o["sections"] = server::SectionSummariesJson(report::SignedSections(env->content));
    }
    if (online) {
      o["stored"] = online->digest == check.digest;
      o["changed"] = online->changed;
      json::array parts;
      for (const auto& [key_name, title] : online->changed_parts)
        parts.push_back(json::value(title));
      o["changed_sections"] = std::move(parts);
    }
    std::cout << json::serialize(o) << '\n';
  } else {
    std::cout << "number      " << check.number << '\n'
              << "report      " << check.kind_title << '\n'
              << "subject     " << check.subject_name << " (" << check.subject_code << ")\n"
              << "issued at   " << check.issued_at << " (Beijing time)\n"
              << "signature   " << (check.signature_valid ? "valid" : "INVALID")
              << (check.key_matches ? "" : " (signed with another key: " + env->key_id + ")")
              << '\n';
    if (check.signature_valid) PrintSignedContent(env->content, a.items);
    if (p && check.signature_valid) {
      if (!online) {
        std::cout << "store       no report with this number was issued here\n";
      } else if (online->digest != check.digest) {
        std::cout << "store       the issued report with this number says something else\n";
      } else if (online->changed) {
        std::cout << "since issue changed:";
        for (const auto& [key_name, title] : online->changed_parts) std::cout << ' ' << title;
        std::cout << '\n';
      } else {
        std::cout << "since issue unchanged\n";
      }
    }
    std::cout << (ok ? "OK" : "FAILED") << '\n';
  }
  if (!ok) g.exit_code = 1;
}

}  // namespace

void RegisterReport(CLI::App& app, GlobalOptions& g) {
  auto a = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand(
      "report",
      "credit reports (信用报告): issue one (CODE --out FILE), verify a file, list domains");
  cmd->add_option("code", a->code, "the subject: USCC, legacy code or P… code");
  cmd->add_option("--out", a->out, "the file to write (.pdf or .html)");
  cmd->add_option("--format", a->format, "pdf or html (default: from --out's extension, else pdf)");
  cmd->add_flag("--special", a->special, "a special credit report (专项信用报告) of --domains");
  cmd->add_option("--domains", a->domains, "domain codes, comma-separated (`report domains`)");
  cmd->add_option("--from", a->from, "period start, YYYY-MM-DD (default: five years before --to)");
  cmd->add_option("--to", a->to, "period end, YYYY-MM-DD (default: today)");
  cmd->add_option("--view", a->view, "public (社会公开, default) or full (with non-public items)");
  cmd->add_option(
      "--base-url", a->base_url,
      "where the QR code points (default: $XINYONG_PUBLIC_URL or http://localhost:8080)");
  auto* verify =
      cmd->add_subcommand("verify", "check a report file's signature (offline with --public-key)");
  verify->add_option("file", a->file, "the report, PDF or HTML")->required();
  verify->add_flag("--items", a->items, "print every signed item, not only each section's summary");
  verify->add_option("--public-key", a->public_key,
                     "the platform's public key file (GET /api/v1/reports/public-key); no data "
                     "directory needed then");
  verify->callback([&g, a] { Verify(g, *a); });
  auto* domains = cmd->add_subcommand("domains", "the special report's domains");
  domains->callback([&g] {
    auto p = OpenPlatform(g, /*read_only=*/true);
    if (!p) return;
    for (const report::Domain& d : p->report_domains().domains()) {
      if (g.json) {
        std::cout << json::serialize(json::object{
                         {"code", d.code},
                         {"name", d.name},
                         {"indicators", json::array(d.indicators.begin(), d.indicators.end())}})
                  << '\n';
      } else {
        std::cout << d.code << '\t' << d.name << '\n';
      }
    }
  });
  cmd->callback([cmd, &g, a] {
    if (cmd->got_subcommand("verify") || cmd->got_subcommand("domains")) return;
    Issue(g, *a);
  });
}

}  // namespace xinyong::cli
