// `xinyong declaration`: voluntary declarations (自主申报) — declare with the truthfulness
// commitment, list a subject's, withdraw or revoke one. Everything goes through
// server/declarations.h, as the API does; the operator acts here on the subject's behalf.
#include <boost/json.hpp>

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "server/declarations.h"

namespace xinyong::cli {

namespace json = boost::json;

namespace {

struct DeclarationArgs {
  std::string code, number, reason;
  server::DeclarationRequest request;
  bool false_declaration = false, all = false;
};

void Print(GlobalOptions& g, server::Platform& p, const server::Declaration& d) {
  if (g.json) {
    std::cout << json::serialize(server::DeclarationJson(p, d)) << '\n';
    return;
  }
  const Record& r = d.record;
  std::cout << r.document_number << "  " << r.decision_date.ToString() << "  "
            << RecordStatusName(r.status) << "  [自主申报] " << r.Get("SB_SBLB") << "  "
            << r.Get("SB_SBSX") << "  " << (r.Get("SB_GKLX").empty() ? "-" : r.Get("SB_GKLX"))
            << "  承诺: "
            << (d.commitment ? rules::CommitmentStateLabel(d.commitment->view.state) : "未找到")
            << '\n';
}

}  // namespace

void RegisterDeclaration(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand(
      "declaration", "voluntary declarations (自主申报) with a truthfulness commitment");
  cmd->require_subcommand(1);
  auto a = std::make_shared<DeclarationArgs>();

  auto* add = cmd->add_subcommand("add", "declare on the subject's behalf (it made the commitment)");
  add->add_option("code", a->code, "USCC or code of the subject")->required();
  add->add_option("--kind", a->request.kind, "资质证照, 荣誉奖励, 合同履约, 社会公益 or 其他")->required();
  add->add_option("--title", a->request.title, "申报事项")->required();
  add->add_option("--content", a->request.content, "申报内容")->required();
  add->add_option("--issuer", a->request.issuer, "颁发或认定单位");
  add->add_option("--obtained", a->request.obtained, "取得日期, YYYY-MM-DD");
  add->add_option("--valid-until", a->request.valid_until, "有效期至, YYYY-MM-DD");
  add->add_option("--evidence", a->request.evidence, "证明材料");
  add->add_option("--publicity", a->request.publicity, "可向社会公开 or 不可公开");
  add->add_flag("--truthful", a->request.truthful,
                "the subject's commitment that the declaration is lawful, true, accurate and "
                "complete (required)");
  add->callback([&g, a] {
    auto p = OpenPlatform(g);
    if (!p) return;
    auto subject = p->FindSubjectByCode(a->code);
    if (!subject.ok()) return Fail(g, subject.status());
    std::string bad_field;
    auto d = server::Declare(*p, *subject, a->request, Date::Today(), &bad_field);
    if (!d.ok()) {
      std::string option = bad_field == "valid_until" ? "valid-until" : bad_field;
      return Fail(g, (option.empty() ? "" : "--" + option + ": ") + d.status().message());
    }
    Print(g, *p, *d);
  });

  auto* list = cmd->add_subcommand("list", "a subject's declarations, newest first (operator view)");
  list->add_option("code", a->code, "USCC or code of the subject")->required();
  list->add_flag("--all", a->all, "withdrawn and revoked ones too");
  list->callback([&g, a] {
    auto p = OpenPlatform(g, /*read_only=*/true);
    if (!p) return;
    auto subject = p->FindSubjectByCode(a->code);
    if (!subject.ok()) return Fail(g, subject.status());
    std::vector<server::Declaration> found;
    Status st = server::ListDeclarations(*p, *subject, nullptr, a->all, Date::Today(), &found);
    if (!st.ok()) return Fail(g, st);
    for (const server::Declaration& d : found) Print(g, *p, d);
    const size_t n = found.size();
    if (!g.json) std::cerr << n << " declarations of " << subject->name << '\n';
  });

  auto* end = cmd->add_subcommand("revoke", "end a declaration (the operator's revocation)");
  end->add_option("code", a->code, "USCC or code of the subject")->required();
  end->add_option("number", a->number, "申报编号")->required();
  end->add_option("--reason", a->reason, "why")->required();
  end->add_flag("--false", a->false_declaration,
                "found untrue: its commitment becomes 全部未履行 / 虚假承诺 (a negative record)");
  end->callback([&g, a] {
    auto p = OpenPlatform(g);
    if (!p) return;
    auto subject = p->FindSubjectByCode(a->code);
    if (!subject.ok()) return Fail(g, subject.status());
    auto d = server::EndDeclaration(*p, *subject, a->number, a->reason, /*by_operator=*/true,
                                    a->false_declaration, Date::Today());
    if (!d.ok()) return Fail(g, d.status());
    Print(g, *p, *d);
  });
}

}  // namespace xinyong::cli
