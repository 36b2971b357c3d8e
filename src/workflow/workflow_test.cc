// The transition tables of objections and credit repair, table-driven: every transition the
// README lists is there with its actor and deadline, every other (kind, action, state) is not;
// the policy file; deadlines in working days across National Day.
#include "workflow/workflow.h"

#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "core/calendar.h"
#include "core/test_paths.h"
#include "workflow/application.h"
#include "workflow/policy.h"

namespace xinyong::workflow {
namespace {

using test::SourceDir;

struct Row {
  Kind kind;
  Action action;
  State from, to;
  Actor actor;
  Clock clock;
};

// The table again, as README.md states it: a change to the workflow fails here until the README
// (and this list) say the same.
const Row kExpected[] = {
    {Kind::kObjection, Action::kFile, State::kNone, State::kSubmitted, Actor::kApplicant, Clock::kForward},
    {Kind::kObjection, Action::kForward, State::kSubmitted, State::kForwarded, Actor::kOperator, Clock::kVerify},
    {Kind::kObjection, Action::kVerify, State::kForwarded, State::kVerified, Actor::kDepartment, Clock::kNotify},
    {Kind::kObjection, Action::kAnswer, State::kVerified, State::kAnswered, Actor::kOperator, Clock::kNone},
    {Kind::kObjection, Action::kWithdraw, State::kSubmitted, State::kWithdrawn, Actor::kApplicant, Clock::kNone},
    {Kind::kObjection, Action::kWithdraw, State::kForwarded, State::kWithdrawn, Actor::kApplicant, Clock::kNone},
    {Kind::kRepair, Action::kApply, State::kNone, State::kApplied, Actor::kApplicant, Clock::kAccept},
    {Kind::kRepair, Action::kAccept, State::kApplied, State::kAccepted, Actor::kOperator, Clock::kDecide},
    {Kind::kRepair, Action::kRefuse, State::kApplied, State::kRefused, Actor::kOperator, Clock::kNone},
    {Kind::kRepair, Action::kExtend, State::kAccepted, State::kAccepted, Actor::kDepartment, Clock::kDecide},
    {Kind::kRepair, Action::kDecide, State::kAccepted, State::kRepaired, Actor::kDepartment, Clock::kNone},
    {Kind::kRepair, Action::kDecide, State::kAccepted, State::kDenied, Actor::kDepartment, Clock::kNone},
    {Kind::kRepair, Action::kWithdraw, State::kApplied, State::kWithdrawn, Actor::kApplicant, Clock::kNone},
    {Kind::kRepair, Action::kWithdraw, State::kAccepted, State::kWithdrawn, Actor::kApplicant, Clock::kNone},
};

constexpr State kStates[] = {State::kNone,     State::kSubmitted, State::kForwarded,
                             State::kVerified, State::kAnswered,  State::kApplied,
                             State::kAccepted, State::kRefused,   State::kRepaired,
                             State::kDenied,   State::kWithdrawn};
constexpr Action kActions[] = {Action::kFile,   Action::kForward, Action::kVerify, Action::kAnswer,
                               Action::kApply,  Action::kAccept,  Action::kRefuse, Action::kExtend,
                               Action::kDecide, Action::kWithdraw};

TEST(WorkflowTest, TheTableHasExactlyTheDocumentedTransitions) {
  ASSERT_EQ(Transitions().size(), std::size(kExpected));
  for (const Row& r : kExpected) {
    const Transition* t = FindTransition(r.kind, r.action, r.from, r.to);
    ASSERT_NE(t, nullptr) << KindName(r.kind) << " " << ActionName(r.action) << " from "
                          << StateName(r.from);
    EXPECT_EQ(t->actor, r.actor) << ActionName(r.action);
    EXPECT_EQ(t->clock, r.clock) << ActionName(r.action);
  }
}

TEST(WorkflowTest, EveryOtherStepIsRefused) {
  std::set<std::tuple<Kind, Action, State>> allowed;
  for (const Row& r : kExpected) allowed.insert({r.kind, r.action, r.from});
  int refused = 0;
  for (Kind kind : {Kind::kObjection, Kind::kRepair}) {
    for (Action action : kActions) {
      for (State from : kStates) {
        const bool ok = allowed.contains({kind, action, from});
        EXPECT_EQ(FindTransition(kind, action, from) != nullptr, ok)
            << KindName(kind) << " " << ActionName(action) << " from " << StateName(from);
        refused += ok ? 0 : 1;
      }
    }
  }
  EXPECT_EQ(refused, 2 * 10 * 11 - 13);  // decide has two targets from one state
  // A step never crosses into the other workflow's states.
  EXPECT_EQ(FindTransition(Kind::kObjection, Action::kVerify, State::kForwarded, State::kRepaired),
            nullptr);
  EXPECT_EQ(FindTransition(Kind::kRepair, Action::kDecide, State::kAccepted, State::kVerified),
            nullptr);
}

TEST(WorkflowTest, FinalStatesAreThoseNothingLeaves) {
  for (State s : {State::kAnswered, State::kRefused, State::kRepaired, State::kDenied,
                  State::kWithdrawn}) {
    EXPECT_TRUE(IsFinal(s)) << StateName(s);
  }
  for (State s : {State::kNone, State::kSubmitted, State::kForwarded, State::kVerified,
                  State::kApplied, State::kAccepted}) {
    EXPECT_FALSE(IsFinal(s)) << StateName(s);
  }
}

TEST(WorkflowTest, NamesRoundTrip) {
  for (State s : kStates) EXPECT_EQ(ParseState(StateName(s)), s);
  for (Action a : kActions) EXPECT_EQ(ParseAction(ActionName(a)), a);
  EXPECT_EQ(ParseKind("objection"), Kind::kObjection);
  EXPECT_EQ(ParseKind("repair"), Kind::kRepair);
  EXPECT_FALSE(ParseState("Submitted").has_value());
  EXPECT_EQ(StateLabel(State::kSubmitted), "已提交");
}

TEST(PolicyTest, TheShippedFileHasTheCitysLimits) {
  auto cat = catalog::Catalog::LoadDirectory(SourceDir() + "/data/catalog");
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  auto p = Policy::LoadFile(SourceDir() + "/data/rights/rights.toml", **cat);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const Policy& policy = **p;
  EXPECT_EQ(policy.Workdays(Clock::kForward, false), 5);
  EXPECT_EQ(policy.Workdays(Clock::kVerify, false), 5);
  EXPECT_EQ(policy.Workdays(Clock::kNotify, false), 2);
  EXPECT_EQ(policy.objection_total_workdays(), 12);
  EXPECT_EQ(policy.Workdays(Clock::kAccept, false), 3);
  EXPECT_EQ(policy.Workdays(Clock::kDecide, false), 7);
  EXPECT_EQ(policy.Workdays(Clock::kDecide, true), 17);
  EXPECT_EQ(policy.Workdays(Clock::kNone, true), 0);
  EXPECT_FALSE(policy.NotRepairable("court_dishonest_debtor").empty());
  EXPECT_TRUE(policy.NotRepairable("admin_penalty").empty());
  EXPECT_EQ(policy.DecidingBodyFields("admin_penalty"),
            (std::vector<std::string>{"CF_CFJG", "CF_CFJGDM"}));

  // Work-safety and fire penalties, and special equipment, have a one-year minimum.
  const catalog::Indicator& penalty = *(*cat)->Find("admin_penalty");
  Record r;
  r.indicator = "admin_penalty";
  r.values = {{"CF_WFXW", "虚假宣传"}, {"CF_CFJG", "郑州市市场监督管理局"}};
  std::string why;
  EXPECT_EQ(policy.MinimumMonths(r, penalty, {"郑州市市场监督管理局"}, &why), 3);
  EXPECT_TRUE(why.empty());
  EXPECT_EQ(policy.MinimumMonths(r, penalty, {"郑州市应急管理局"}, &why), 12);
  EXPECT_NE(why.find("安全生产"), std::string::npos) << why;
  r.values = {{"CF_WFXW", "使用未经检验的特种设备"}};
  EXPECT_EQ(policy.MinimumMonths(r, penalty, {"郑州市市场监督管理局"}, &why), 12);
}

TEST(PolicyTest, ABadFileIsRefusedNamingTheLine) {
  auto cat = catalog::Catalog::LoadDirectory(SourceDir() + "/data/catalog");
  ASSERT_TRUE(cat.ok());
  const std::string path = ::testing::TempDir() + "/rights-bad.toml";
  auto write = [&](const std::string& text) {
    FILE* f = std::fopen(path.c_str(), "w");
    std::fputs(text.c_str(), f);
    std::fclose(f);
  };
  const std::string head =
      "legal_basis = \"x\"\n[objection]\nforward_workdays = 5\nverify_workdays = 5\n"
      "notify_workdays = 2\ntotal_workdays = 12\n";
  write(head + "[repair]\naccept_workdays = 0\ndecide_workdays = 7\ncomplex_extra_workdays = 10\n");
  auto p = Policy::LoadFile(path, **cat);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find(":8:"), std::string::npos) << p.status().message();
  EXPECT_NE(p.status().message().find("accept_workdays"), std::string::npos);
  write(head + "[repair]\naccept_workdays = 3\ndecide_workdays = 7\ncomplex_extra_workdays = 10\n"
               "[deciding_body]\nadmin_penalty = [\"CF_NOPE\"]\n");
  p = Policy::LoadFile(path, **cat);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("CF_NOPE"), std::string::npos) << p.status().message();
}

TEST(DeadlineTest, WorkingDaysSkipTheNationalDayGoldenWeek) {
  auto cal = WorkCalendar::LoadFile(SourceDir() + "/data/calendar/cn_workdays.toml");
  ASSERT_TRUE(cal.ok());
  const Policy policy;
  // Filed on Tuesday 29 September 2026: 1–7 October are holidays, Saturday 10 October is worked.
  const Date filed = *Date::Parse("2026-09-29");
  EXPECT_EQ(cal->AddWorkdays(filed, policy.Workdays(Clock::kForward, false))->ToString(),
            "2026-10-12");
  EXPECT_EQ(cal->AddWorkdays(filed, policy.objection_total_workdays())->ToString(), "2026-10-21");
  // A repair applied for on 30 September is accepted or refused by Saturday 10 October.
  EXPECT_EQ(cal->AddWorkdays(*Date::Parse("2026-09-30"), policy.Workdays(Clock::kAccept, false))
                ->ToString(),
            "2026-10-10");
}

TEST(ApplicationTest, OverdueOnlyAfterTheDeadlineDayAndNeverWhenClosed) {
  Application a;
  a.state = State::kForwarded;
  a.due = *Date::Parse("2026-10-16");
  a.due_clock = Clock::kVerify;
  a.overall_due = *Date::Parse("2026-10-21");
  EXPECT_FALSE(OverdueOn(a, *Date::Parse("2026-10-16")).any());
  EXPECT_TRUE(OverdueOn(a, *Date::Parse("2026-10-17")).step);
  EXPECT_FALSE(OverdueOn(a, *Date::Parse("2026-10-17")).overall);
  EXPECT_TRUE(OverdueOn(a, *Date::Parse("2026-10-22")).overall);
  a.state = State::kAnswered;
  EXPECT_FALSE(OverdueOn(a, *Date::Parse("2026-12-01")).any());
}

TEST(ApplicationTest, EncodesAndDecodesEveryMember) {
  Application a;
  a.id = 7;
  a.kind = Kind::kRepair;
  a.state = State::kAccepted;
  a.subject_id = 3;
  a.subject_code = "91110000600037341L";
  a.subject_name = "甲公司";
  a.record_id = 11;
  a.record_version = 2;
  a.indicator = "admin_penalty";
  a.document_number = "郑市监罚〔2026〕1号";
  a.decision_date = *Date::Parse("2026-01-05");
  a.filed = a.state_since = *Date::Parse("2026-09-30");
  a.due = *Date::Parse("2026-10-09");
  a.due_clock = Clock::kDecide;
  a.reason = "已缴纳罚款";
  a.evidence = {"缴款凭证 2026-001"};
  a.department = "郑州市市场监督管理局";
  a.departments = {"郑州市市场监督管理局", "11410100MB0000001X"};
  a.corrections = {{"CF_NR", "罚款1万元"}};
  a.extended = true;
  a.commitment_code = "41010020260930000007";
  a.conditions = {{"minimum_period", "最短公示期已满", true, "ended"}};
  a.batches = {4, 9};
  a.events = 2;
  Application b;
  ASSERT_TRUE(DecodeApplication(EncodeApplication(a), &b));
  EXPECT_EQ(EncodeApplication(b), EncodeApplication(a));
  EXPECT_EQ(b.due, a.due);
  EXPECT_EQ(b.due_clock, Clock::kDecide);
  EXPECT_EQ(b.conditions.size(), 1u);
  EXPECT_FALSE(DecodeApplication("{}", &b));
  Event e;
  e.seq = 2;
  e.action = Action::kExtend;
  e.from = e.to = State::kAccepted;
  e.day = a.filed;
  e.effects = {"x"};
  Event f;
  ASSERT_TRUE(DecodeEvent(EncodeEvent(e), &f));
  EXPECT_EQ(EncodeEvent(f), EncodeEvent(e));
}

}  // namespace
}  // namespace xinyong::workflow
