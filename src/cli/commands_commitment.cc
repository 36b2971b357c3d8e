// `xinyong commitment`: credit commitments (信用承诺) — a subject's commitments with their state,
// the public listing (承诺公示), a 主动型 commitment made on the subject's behalf (主动承诺) and
// the accepting unit's finding of fulfilment. Everything goes through server/commitments.h and
// server/declarations.h, as the API does.
#include <boost/json.hpp>

#include <algorithm>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "server/commitments.h"
#include "server/declarations.h"

namespace xinyong::cli {

namespace json = boost::json;

namespace {

struct CommitmentArgs {
  std::string code, number, type, state, status, date, unit, unit_code, unfulfilled, liability;
  bool false_commitment = false, all = false;
  int page = 1, limit = 20;
  server::CommitmentRequest made;  // `make`
};

// The entries as the public sees them: a natural person's name masked.
void MaskPersons(server::Platform& p, std::vector<server::CommitmentEntry>* entries) {
  for (server::CommitmentEntry& e : *entries) server::MaskPersonForPublic(p, &e);
}

void PrintEntry(const GlobalOptions& g, const server::CommitmentEntry& e,
                const catalog::Indicator* ind) {
  if (g.json) {
    std::cout << json::serialize(server::CommitmentJson(e, ind)) << '\n';
    return;
  }
  const rules::CommitmentView& v = e.view;
  std::cout << v.code << "  " << v.made.ToString() << "  "
            << (v.deadline ? v.deadline->ToString() : std::string("          ")) << "  "
            << rules::CommitmentStateLabel(v.state) << "  " << v.type << "  "
            << e.subject.DisplayCode() << "  " << e.subject.name << "  "
            << (v.publicity.empty() ? "-" : v.publicity) << '\n';
}

bool ReadFilter(GlobalOptions& g, const CommitmentArgs& a, server::CommitmentFilter* f) {
  f->type = a.type;
  if (!a.state.empty()) {
    f->state = rules::ParseCommitmentState(a.state);
    if (!f->state) {
      Fail(g, "--state: must be open, fulfilled, partially_fulfilled, unfulfilled or overdue");
      return false;
    }
  }
  return true;
}

}  // namespace

void RegisterCommitment(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("commitment", "credit commitments (信用承诺): list, publicity, make, fulfil");
  cmd->require_subcommand(1);
  auto a = std::make_shared<CommitmentArgs>();

  auto* list = cmd->add_subcommand("list", "a subject's commitments and their state");
  list->add_option("code", a->code, "USCC or legacy code of the subject")->required();
  list->add_option("--state", a->state, "open, fulfilled, partially_fulfilled, unfulfilled, overdue");
  list->add_option("--type", a->type, "承诺类型, e.g. 审批替代型");
  list->add_flag("--all", a->all, "include commitments the public may not see (政务共享 use)");
  list->callback([&g, a] {
    server::CommitmentFilter f;
    if (!ReadFilter(g, *a, &f)) return;
    f.public_only = !a->all;
    auto p = OpenPlatform(g, /*read_only=*/true);
    if (!p) return;
    auto subject = p->FindSubjectByCode(a->code);
    if (!subject.ok()) return Fail(g, subject.status());
    std::vector<server::CommitmentEntry> entries;
    Status st = server::SubjectCommitments(*p, *subject, f, Date::Today(), &entries);
    if (!st.ok()) return Fail(g, st);
    if (f.public_only) MaskPersons(*p, &entries);  // the public's view, as the API shows it
    const catalog::Indicator* ind = p->catalog().Find(rules::kCommitmentIndicator);
    for (const auto& e : entries) PrintEntry(g, e, ind);
    if (!g.json) std::cerr << entries.size() << " commitments\n";
  });

  auto* pub = cmd->add_subcommand("publicity", "commitments open to the public (承诺公示), newest first");
  pub->add_option("--state", a->state, "open, fulfilled, partially_fulfilled, unfulfilled, overdue");
  pub->add_option("--type", a->type, "承诺类型, e.g. 信用修复型");
  pub->add_option("--page", a->page, "page, from 1")->check(CLI::Range(1, 100000));
  pub->add_option("--limit", a->limit, "commitments per page")->check(CLI::Range(1, 1000));
  pub->callback([&g, a] {
    server::CommitmentFilter f;
    if (!ReadFilter(g, *a, &f)) return;
    auto p = OpenPlatform(g, /*read_only=*/true);
    if (!p) return;
    std::vector<server::CommitmentEntry> entries;
    bool more = false;
    const size_t skip = static_cast<size_t>(a->page - 1) * static_cast<size_t>(a->limit);
    Status st = server::ListCommitments(*p, f, Date::Today(), skip, static_cast<size_t>(a->limit),
                                        &entries, &more);
    if (!st.ok()) return Fail(g, st);
    MaskPersons(*p, &entries);  // as the public sees them (GET /api/v1/commitments)
    const catalog::Indicator* ind = p->catalog().Find(rules::kCommitmentIndicator);
    for (const auto& e : entries) PrintEntry(g, e, ind);
    if (!g.json && more) std::cerr << "more on --page " << a->page + 1 << '\n';
  });

  auto* make = cmd->add_subcommand(
      "make", "a 主动型 commitment (主动承诺) on the subject's behalf, accepted by the unit of "
              "rights.toml [declaration]");
  make->add_option("code", a->code, "USCC or code of the subject")->required();
  make->add_option("--reason", a->made.reason, "承诺事由")->required();
  make->add_option("--content", a->made.content, "承诺内容")->required();
  make->add_option("--liability", a->made.liability,
                   "违诺责任 (default: the commitment_liability text of rights.toml [declaration])");
  make->add_option("--valid-until", a->made.valid_until, "承诺有效期至, YYYY-MM-DD");
  make->add_option("--publicity", a->made.publicity,
                   "可向社会公开 or 不可公开 (default: public for organizations only)");
  make->callback([&g, a] {
    auto p = OpenPlatform(g);
    if (!p) return;
    auto subject = p->FindSubjectByCode(a->code);
    if (!subject.ok()) return Fail(g, subject.status());
    std::string bad_field;
    auto made = server::MakeCommitment(*p, *subject, a->made, Date::Today(), &bad_field);
    if (!made.ok()) {
      std::string option = bad_field;
      std::replace(option.begin(), option.end(), '_', '-');
      return Fail(g, (option.empty() ? "" : "--" + option + ": ") + made.status().message());
    }
    PrintEntry(g, *made, p->catalog().Find(rules::kCommitmentIndicator));
  });

  auto* fulfil = cmd->add_subcommand(
      "fulfil", "record the accepting unit's finding (履行状态认定); a breach becomes a negative record");
  fulfil->add_option("code", a->code, "USCC or legacy code of the subject")->required();
  fulfil->add_option("number", a->number, "承诺编码 (20 digits)")->required();
  fulfil->add_option("--status", a->status, "全部履行, 部分履行 or 全部未履行")->required();
  fulfil->add_option("--date", a->date, "when it was found, YYYY-MM-DD (default: today)");
  fulfil->add_option("--unit", a->unit, "the accepting unit (承诺受理单位) that found it");
  fulfil->add_option("--unit-code", a->unit_code, "its code (承诺受理单位代码)");
  fulfil->add_option("--unfulfilled", a->unfulfilled, "未履行的承诺内容 (required for a breach)");
  fulfil->add_option("--liability", a->liability, "违诺责任追究内容");
  fulfil->add_flag("--false", a->false_commitment, "a false commitment (虚假承诺)");
  fulfil->callback([&g, a] {
    if (a->unit.empty() && a->unit_code.empty()) return UsageFail(g, "give --unit or --unit-code");
    const Date today = Date::Today();
    rules::Fulfilment f{a->status, today, a->unit, a->unit_code, a->unfulfilled, a->liability,
                        a->false_commitment};
    if (!a->date.empty()) {
      auto d = Date::Parse(a->date);
      if (!d.ok()) return Fail(g, "--date: " + d.status().message());
      f.found = *d;
    }
    auto p = OpenPlatform(g);
    if (!p) return;
    auto subject = p->FindSubjectByCode(a->code);
    if (!subject.ok()) return Fail(g, subject.status());
    std::string bad_field;
    auto done = server::RecordFulfilment(*p, *subject, a->number, f, today, &bad_field);
    if (!done.ok()) {
      // The request field at fault, as this command's option.
      std::string option = bad_field == "false_commitment" ? "false" : bad_field;
      std::replace(option.begin(), option.end(), '_', '-');
      return Fail(g, (option.empty() ? "" : "--" + option + ": ") + done.status().message());
    }
    const catalog::Indicator* ind = p->catalog().Find(rules::kCommitmentIndicator);
    PrintEntry(g, done->commitment, ind);
    if (!g.json) {
      std::cerr << "batch " << (done->report.batches.empty() ? 0 : done->report.batches.front())
                << (done->report.accepted > 0 ? ": new version recorded" : ": nothing changed")
                << (done->breach ? "; 违背信用承诺 record " + std::to_string(done->breach->record_id)
                                 : std::string())
                << '\n';
    }
  });
}

}  // namespace xinyong::cli
