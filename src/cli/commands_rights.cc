// `xinyong objection` and `xinyong repair`: objections (异议) and credit repair (信用修复) from the
// command line, through workflow::Service as the API goes. The command line acts as the operator
// (市信用中心); `--as-department` makes a step the department's own (verify, extend, decide) —
// the written answer of a department that has no token, entered by the operator — and narrows a
// list to that department's queue.
#include <boost/json.hpp>

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "workflow/service.h"

namespace xinyong::cli {

namespace json = boost::json;

namespace {

struct RightsArgs {
  std::string code, state, reason, outcome, department, as_department, declaration;
  std::string commitment, liability, commitment_code;
  std::vector<std::string> evidence, documents, corrections;
  uint64_t id = 0, record = 0;
  bool overdue = false, open = false;
};

workflow::Caller CliCaller(const RightsArgs& a) {
  workflow::Caller c;
  if (a.as_department.empty()) {
    c.role = workflow::Caller::Role::kOperator;
    c.role_name = "operator";
    c.describe = "operator (command line)";
  } else {
    c.role = workflow::Caller::Role::kDepartment;
    c.department = a.as_department;
    c.role_name = "source_department";
    c.describe = "source_department (command line, entered for " + a.as_department + ")";
  }
  return c;
}

void PrintOne(const GlobalOptions& g, const workflow::Application& a,
              const std::vector<workflow::Event>& history) {
  const Date today = Date::Today();
  if (g.json) {
    std::cout << json::serialize(workflow::ApplicationJson(a, today, history)) << '\n';
    return;
  }
  const workflow::Overdue late = workflow::OverdueOn(a, today);
  std::cout << workflow::KindLabel(a.kind) << ' ' << a.id << "  " << workflow::StateName(a.state)
            << " (" << workflow::StateLabel(a.state) << ")\n"
            << "  subject:   " << a.subject_code << ' ' << a.subject_name << '\n'
            << "  record:    " << a.record_id << " v" << a.record_version << ' ' << a.indicator
            << ' ' << a.document_number << '\n'
            << "  filed:     " << a.filed.ToString() << (a.on_behalf ? " (by the operator)" : "")
            << '\n';
  if (!a.department.empty()) std::cout << "  department: " << a.department << '\n';
  if (a.open()) {
    std::cout << "  deadline:  "
              << (a.due ? a.due->ToString() + " (" + std::string(workflow::ClockName(a.due_clock)) + ")"
                        : std::string("none"))
              << (a.overall_due ? ", overall " + a.overall_due->ToString() : std::string())
              << (late.any() ? "  OVERDUE" : "") << '\n';
  }
  if (!a.deadline_note.empty()) std::cout << "  note:      " << a.deadline_note << '\n';
  std::cout << "  reason:    " << a.reason << '\n';
  for (const auto& e : a.evidence) std::cout << "  evidence:  " << e << '\n';
  if (!a.outcome.empty()) std::cout << "  outcome:   " << a.outcome << '\n';
  if (!a.answer.empty()) std::cout << "  answer:    " << a.answer << '\n';
  if (!a.reply.empty()) std::cout << "  reply:     " << a.reply << '\n';
  for (const auto& [k, v] : a.corrections) std::cout << "  corrected: " << k << " = " << v << '\n';
  for (const auto& c : a.conditions) {
    std::cout << "  condition: [" << (c.met ? "met" : "NOT MET") << "] " << c.label << " — "
              << c.detail << '\n';
  }
  for (const auto& e : history) {
    std::cout << "  #" << e.seq << ' ' << e.day.ToString() << ' ' << workflow::ActionName(e.action)
              << " → " << workflow::StateName(e.to) << " by " << e.actor
              << (e.department.empty() ? "" : " for " + e.department)
              << (e.reason.empty() ? "" : ": " + e.reason) << '\n';
    for (const auto& x : e.effects) std::cout << "      " << x << '\n';
  }
}

// Application `id` of `kind`: an id of the other kind is "no such" (as the API answers 404), so
// that `objection withdraw 2` never withdraws repair application 2.
Result<workflow::Application> GetOfKind(server::Platform& p, const RightsArgs& a,
                                        workflow::Kind kind, uint64_t id,
                                        std::vector<workflow::Event>* history) {
  auto app = p.rights().Get(CliCaller(a), id, history);
  if (app.ok() && app->kind != kind) {
    return Status::NotFound("no " + std::string(workflow::KindName(kind)) + " has the id " +
                            std::to_string(id) + " (it is a " +
                            std::string(workflow::KindName(app->kind)) + ")");
  }
  return app;
}

void Show(GlobalOptions& g, server::Platform& p, const RightsArgs& a, workflow::Kind kind,
          uint64_t id) {
  std::vector<workflow::Event> history;
  auto app = GetOfKind(p, a, kind, id, &history);
  if (!app.ok()) return Fail(g, app.status());
  PrintOne(g, *app, history);
}

void List(GlobalOptions& g, workflow::Kind kind, const RightsArgs& a) {
  workflow::ListFilter f;
  f.kind = kind;
  f.overdue_only = a.overdue;
  f.open_only = a.open;
  if (!a.state.empty()) {
    f.state = workflow::ParseState(a.state);
    if (!f.state) return Fail(g, "--state: '" + a.state + "' is not a state");
  }
  auto p = OpenPlatform(g, /*read_only=*/true);
  if (!p) return;
  const Date today = Date::Today();
  std::vector<workflow::Application> apps;
  Status st = p->rights().List(CliCaller(a), f, today, &apps);
  if (!st.ok()) return Fail(g, st);
  for (const auto& app : apps) {
    if (g.json) {
      std::cout << json::serialize(workflow::ApplicationJson(app, today)) << '\n';
      continue;
    }
    std::cout << app.id << '\t' << workflow::StateName(app.state) << '\t' << app.filed.ToString()
              << '\t' << (app.open() && app.due ? app.due->ToString() : std::string("-")) << '\t'
              << (workflow::OverdueOn(app, today).any() ? "overdue" : "-") << '\t'
              << app.subject_code << '\t' << app.indicator << ' ' << app.document_number << '\t'
              << (app.department.empty() ? "-" : app.department) << '\n';
  }
  if (!g.json) std::cerr << apps.size() << " " << workflow::KindName(kind) << "(s)\n";
}

// A step as the operator (or --as-department); prints the application after it.
void Step(GlobalOptions& g, workflow::Kind kind, workflow::Action action,
          const RightsArgs& a) {
  workflow::StepRequest req;
  req.action = action;
  req.reason = a.reason;
  req.documents = a.documents;
  req.department = a.department;
  req.outcome = a.outcome;
  for (const std::string& c : a.corrections) {
    const size_t eq = c.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Fail(g, "--correct: '" + c.substr(0, 60) + "' must be FIELD=VALUE");
    }
    req.corrections.emplace_back(c.substr(0, eq), c.substr(eq + 1));
  }
  auto p = OpenPlatform(g);
  if (!p) return;
  if (auto app = GetOfKind(*p, a, kind, a.id, nullptr); !app.ok()) return Fail(g, app.status());
  auto done = p->rights().Step(CliCaller(a), a.id, req, Date::Today());
  if (!done.ok()) return Fail(g, done.status());
  Show(g, *p, a, kind, a.id);
}

uint64_t SubjectId(GlobalOptions& g, server::Platform& p, const std::string& code) {
  auto id = p.FindSubjectIdByCode(code);
  if (!id.ok()) {
    Fail(g, id.status());
    return 0;
  }
  return *id;
}

}  // namespace

void RegisterRights(CLI::App& app, GlobalOptions& g) {
  auto a = std::make_shared<RightsArgs>();
  const std::string as_dept_help =
      "act as this source department (its written answer, entered by the operator); for list: "
      "that department's queue";

  // --- objection ---------------------------------------------------------------------------
  auto* obj = app.add_subcommand(
      "objection", "objections (异议): file, list, show, forward, verify, answer, withdraw");
  obj->require_subcommand(1);

  auto* file = obj->add_subcommand("file", "file an objection against a record on the subject's behalf");
  file->add_option("code", a->code, "USCC or legacy code of the subject")->required();
  file->add_option("record", a->record, "the record's id (GET …/records shows it)")->required();
  file->add_option("--reason", a->reason, "why the record is wrong")->required();
  file->add_option("--evidence", a->evidence, "a reference to a supporting document (repeatable)");
  file->callback([&g, a] {
    auto p = OpenPlatform(g);
    if (!p) return;
    const uint64_t subject = SubjectId(g, *p, a->code);
    if (subject == 0) return;
    auto done = p->rights().FileObjection(CliCaller(*a), {subject, a->record, a->reason, a->evidence},
                                          Date::Today());
    if (!done.ok()) return Fail(g, done.status());
    Show(g, *p, *a, workflow::Kind::kObjection, done->id);
  });

  auto* olist = obj->add_subcommand("list", "objections, newest first, with deadlines");
  olist->add_option("--state", a->state, "submitted, forwarded, verified, answered, withdrawn");
  olist->add_flag("--overdue", a->overdue, "only those with a step past its deadline");
  olist->add_flag("--open", a->open, "only those not yet answered or withdrawn");
  olist->add_option("--as-department", a->as_department, as_dept_help);
  olist->callback([&g, a] { List(g, workflow::Kind::kObjection, *a); });

  auto* oshow = obj->add_subcommand("show", "an objection with its history");
  oshow->add_option("id", a->id, "objection id")->required();
  oshow->callback([&g, a] {
    auto p = OpenPlatform(g, /*read_only=*/true);
    if (p) Show(g, *p, *a, workflow::Kind::kObjection, a->id);
  });

  auto* forward = obj->add_subcommand("forward", "forward to the source department (5 working days)");
  forward->add_option("id", a->id, "objection id")->required();
  forward->add_option("--department", a->department,
                      "the source department (default: the record's deciding body)");
  forward->add_option("--reason", a->reason, "a note for the department");
  forward->callback([&g, a] { Step(g, workflow::Kind::kObjection, workflow::Action::kForward, *a); });

  auto* verify = obj->add_subcommand(
      "verify", "the source department's written answer: upheld_correct, upheld_revoke or rejected");
  verify->add_option("id", a->id, "objection id")->required();
  verify->add_option("--as-department", a->as_department, "the department answering")->required();
  verify->add_option("--outcome", a->outcome, "upheld_correct, upheld_revoke or rejected")
      ->required()
      ->check(CLI::IsMember({"upheld_correct", "upheld_revoke", "rejected"}));
  verify->add_option("--reason", a->reason, "the answer, with its reasons")->required();
  verify->add_option("--correct", a->corrections, "FIELD=VALUE, for upheld_correct (repeatable)");
  verify->add_option("--document", a->documents, "a reference to a document (repeatable)");
  verify->callback([&g, a] { Step(g, workflow::Kind::kObjection, workflow::Action::kVerify, *a); });

  auto* answer = obj->add_subcommand("answer", "notify the applicant in writing, with reasons");
  answer->add_option("id", a->id, "objection id")->required();
  answer->add_option("--reason", a->reason, "the written answer")->required();
  answer->callback([&g, a] { Step(g, workflow::Kind::kObjection, workflow::Action::kAnswer, *a); });

  auto* owithdraw = obj->add_subcommand("withdraw", "withdraw on the applicant's behalf");
  owithdraw->add_option("id", a->id, "objection id")->required();
  owithdraw->add_option("--reason", a->reason, "why");
  owithdraw->callback([&g, a] { Step(g, workflow::Kind::kObjection, workflow::Action::kWithdraw, *a); });

  // --- repair ------------------------------------------------------------------------------
  auto* rep = app.add_subcommand(
      "repair", "credit repair (信用修复): apply, list, show, accept, refuse, extend, decide, withdraw");
  rep->require_subcommand(1);

  auto* apply = rep->add_subcommand("apply", "apply for the repair of a record on the subject's behalf");
  apply->add_option("code", a->code, "USCC or legacy code of the subject")->required();
  apply->add_option("record", a->record, "the record's id")->required();
  apply->add_option("--declaration", a->declaration,
                    "how the conduct was corrected and the obligations performed");
  apply->add_option("--evidence", a->evidence, "a reference to a proving document (repeatable)");
  apply->add_option("--commitment", a->commitment,
                    "make the 信用修复型 commitment now: its content (承诺内容)");
  apply->add_option("--liability", a->liability, "the commitment's 违诺责任");
  apply->add_option("--commitment-code", a->commitment_code, "its 承诺编码 (default: made up)");
  apply->callback([&g, a] {
    auto p = OpenPlatform(g);
    if (!p) return;
    const uint64_t subject = SubjectId(g, *p, a->code);
    if (subject == 0) return;
    workflow::RepairRequest req{subject, a->record, a->declaration, a->evidence, std::nullopt};
    if (!a->commitment.empty()) {
      req.commitment = workflow::NewCommitment{a->commitment, a->liability, a->commitment_code};
    }
    auto done = p->rights().ApplyRepair(CliCaller(*a), req, Date::Today());
    if (!done.ok()) return Fail(g, done.status());
    Show(g, *p, *a, workflow::Kind::kRepair, done->id);
  });

  auto* rlist = rep->add_subcommand("list", "repair applications, newest first, with deadlines");
  rlist->add_option("--state", a->state, "applied, accepted, refused, repaired, denied, withdrawn");
  rlist->add_flag("--overdue", a->overdue, "only those with a step past its deadline");
  rlist->add_flag("--open", a->open, "only those not yet decided, refused or withdrawn");
  rlist->add_option("--as-department", a->as_department, as_dept_help);
  rlist->callback([&g, a] { List(g, workflow::Kind::kRepair, *a); });

  auto* rshow = rep->add_subcommand("show", "a repair application with its conditions and history");
  rshow->add_option("id", a->id, "application id")->required();
  rshow->callback([&g, a] {
    auto p = OpenPlatform(g, /*read_only=*/true);
    if (p) Show(g, *p, *a, workflow::Kind::kRepair, a->id);
  });

  auto* accept = rep->add_subcommand("accept", "accept (every condition met; 3 working days)");
  accept->add_option("id", a->id, "application id")->required();
  accept->add_option("--reason", a->reason, "a note");
  accept->callback([&g, a] { Step(g, workflow::Kind::kRepair, workflow::Action::kAccept, *a); });

  auto* refuse = rep->add_subcommand("refuse", "refuse to accept, with reasons");
  refuse->add_option("id", a->id, "application id")->required();
  refuse->add_option("--reason", a->reason, "why")->required();
  refuse->callback([&g, a] { Step(g, workflow::Kind::kRepair, workflow::Action::kRefuse, *a); });

  auto* extend = rep->add_subcommand("extend", "a complex case: the decision period +10 working days, once");
  extend->add_option("id", a->id, "application id")->required();
  extend->add_option("--as-department", a->as_department, "the body that made the finding")->required();
  extend->add_option("--reason", a->reason, "why the case is complex")->required();
  extend->callback([&g, a] { Step(g, workflow::Kind::kRepair, workflow::Action::kExtend, *a); });

  auto* decide = rep->add_subcommand("decide", "the finding body's decision: repaired or denied");
  decide->add_option("id", a->id, "application id")->required();
  decide->add_option("--as-department", a->as_department, "the body that made the finding")->required();
  decide->add_option("--outcome", a->outcome, "repaired or denied")
      ->required()
      ->check(CLI::IsMember({"repaired", "denied"}));
  decide->add_option("--reason", a->reason, "the reasons (required to deny)");
  decide->add_option("--document", a->documents, "a reference to a document (repeatable)");
  decide->callback([&g, a] { Step(g, workflow::Kind::kRepair, workflow::Action::kDecide, *a); });

  auto* rwithdraw = rep->add_subcommand("withdraw", "withdraw on the applicant's behalf");
  rwithdraw->add_option("id", a->id, "application id")->required();
  rwithdraw->add_option("--reason", a->reason, "why");
  rwithdraw->callback([&g, a] { Step(g, workflow::Kind::kRepair, workflow::Action::kWithdraw, *a); });
}

}  // namespace xinyong::cli
