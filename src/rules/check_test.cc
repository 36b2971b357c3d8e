#include "rules/check.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "core/test_paths.h"

namespace xinyong::rules {
namespace {

using test::SourceDir;

class CheckerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto c = catalog::Catalog::LoadDirectory(SourceDir() + "/data/catalog");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(c).value().release();
    auto m = MeasureCatalog::LoadDirectory(SourceDir() + "/data/measures", *catalog_);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    measures_ = std::move(m).value().release();
  }

  Subject Company() {
    Subject s;
    s.id = 7;
    s.type = SubjectType::kLegalPerson;
    s.name = "郑州某某商贸有限公司";
    s.uscc = "91410100MA44DWJQ4H";
    return s;
  }
  static Record Entry(std::string indicator, uint64_t id, std::string decided,
                      std::vector<std::pair<std::string, std::string>> values = {}) {
    Record r;
    r.subject_id = 7;
    r.record_id = id;
    r.indicator = std::move(indicator);
    r.decision_date = *Date::Parse(decided);
    r.document_number = "文" + std::to_string(id) + "号";
    for (const auto& [k, v] : values) r.values.emplace_back(k, v);
    return r;
  }
  CheckOutcome Check(const SubjectFacts& facts, std::string_view scenario,
                     std::string today = "2026-11-22") {
    Checker checker(*catalog_, *measures_);
    auto r = checker.Evaluate(Company(), facts, scenario, *Date::Parse(today));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : CheckOutcome();
  }

  static catalog::Catalog* catalog_;
  static MeasureCatalog* measures_;
};
catalog::Catalog* CheckerTest::catalog_ = nullptr;
MeasureCatalog* CheckerTest::measures_ = nullptr;

TEST_F(CheckerTest, NothingOnRecordPasses) {
  CheckOutcome o = Check({}, "government_procurement");
  EXPECT_EQ(o.result, CheckResult::kPass);
  EXPECT_TRUE(o.measures.empty());
}

TEST_F(CheckerTest, SeriousDishonestyRefusesProcurementCitingTheEntryAndTheLaw) {
  SubjectFacts f;
  f.records = {Entry("serious_dishonesty", 11, "2026-03-01", {{"YZSX_YXQZ", "2029-03-01"}})};
  CheckOutcome o = Check(f, "government_procurement");
  EXPECT_EQ(o.result, CheckResult::kRefused);
  ASSERT_FALSE(o.measures.empty());
  const AppliedMeasure& first = o.measures[0];
  EXPECT_EQ(first.measure->kind, MeasureKind::kPunishment);
  EXPECT_TRUE(first.measure->mandatory);
  EXPECT_FALSE(first.measure->legal_basis.empty());
  ASSERT_EQ(first.triggers.size(), 1u);
  EXPECT_EQ(first.triggers[0].record_id, 11u);
  EXPECT_EQ(first.triggers[0].document_number, "文11号");
  ASSERT_TRUE(first.triggers[0].until.has_value());
  EXPECT_EQ(first.triggers[0].until->ToString(), "2029-03-01");
  for (const AppliedMeasure& a : o.measures) {
    const auto& s = a.measure->scenarios;
    EXPECT_NE(std::find(s.begin(), s.end(), "government_procurement"), s.end());
  }
}

TEST_F(CheckerTest, ListMembershipEndsByItselfAndNotBeforeItStarts) {
  SubjectFacts f;
  f.records = {Entry("serious_dishonesty", 11, "2023-03-01", {{"YZSX_YXQZ", "2026-03-01"}})};
  EXPECT_EQ(Check(f, "government_procurement").result, CheckResult::kPass);  // ended
  f.records = {Entry("serious_dishonesty", 12, "2026-12-01")};
  EXPECT_EQ(Check(f, "government_procurement").result, CheckResult::kPass);  // not yet
  f.records = {Entry("serious_dishonesty", 13, "2026-03-01")};  // no end date
  CheckOutcome open = Check(f, "government_procurement");
  EXPECT_EQ(open.result, CheckResult::kRefused);
  // ... until its publicity period (36 months) runs out, as the lists and repair read it.
  ASSERT_FALSE(open.measures.empty());
  ASSERT_TRUE(open.measures[0].triggers[0].until.has_value());
  EXPECT_EQ(open.measures[0].triggers[0].until->ToString(), "2029-03-01");
  f.records = {Entry("serious_dishonesty", 14, "2022-01-10")};
  EXPECT_EQ(Check(f, "government_procurement").result, CheckResult::kPass)
      << "published no more since 2025-01-10: no measure applies";
  EXPECT_FALSE(ActiveMembership(f.records[0], *catalog_->Find("serious_dishonesty"),
                                *Date::Parse("2026-11-22")));
}

TEST_F(CheckerTest, RevokedRepairedAndSupersededRecordsNeverTrigger) {
  for (RecordStatus s : {RecordStatus::kRevoked, RecordStatus::kRepaired,
                         RecordStatus::kSuperseded, RecordStatus::kExpired}) {
    SubjectFacts f;
    f.records = {Entry("serious_dishonesty", 11, "2026-03-01")};
    f.records[0].status = s;
    EXPECT_EQ(Check(f, "government_procurement").result, CheckResult::kPass)
        << RecordStatusName(s);
  }
}

TEST_F(CheckerTest, RedListEarnsARewardWhereOneIsOffered) {
  SubjectFacts f;
  f.records = {Entry("red_list", 21, "2026-01-10", {{"RY_YXQZ", "2027-12-31"}})};
  bool rewarded_somewhere = false;
  for (const Scenario& sc : measures_->scenarios()) {
    CheckOutcome o = Check(f, sc.code);
    EXPECT_NE(o.result, CheckResult::kRefused) << sc.code;
    EXPECT_NE(o.result, CheckResult::kRestricted) << sc.code;
    if (o.result == CheckResult::kPassWithReward) {
      rewarded_somewhere = true;
      for (const AppliedMeasure& a : o.measures) EXPECT_EQ(a.measure->kind, MeasureKind::kReward);
    }
  }
  EXPECT_TRUE(rewarded_somewhere);
  // Punishments outrank rewards: a subject on both lists is refused.
  f.records.push_back(Entry("serious_dishonesty", 11, "2026-03-01"));
  EXPECT_EQ(Check(f, "government_procurement").result, CheckResult::kRefused);
}

TEST_F(CheckerTest, NoRewardBesideAPunishmentTheRewardsAreShownWithheld) {
  SubjectFacts f;
  f.records = {Entry("red_list", 21, "2026-01-10", {{"RY_YXQZ", "2027-12-31"}})};
  CheckOutcome honoured = Check(f, "administrative_approval");
  ASSERT_EQ(honoured.result, CheckResult::kPassWithReward);
  EXPECT_TRUE(honoured.withheld_rewards.empty());
  const size_t rewards = honoured.measures.size();

  f.records.push_back(Entry("serious_dishonesty", 11, "2026-03-01"));
  CheckOutcome o = Check(f, "administrative_approval");
  EXPECT_EQ(o.result, CheckResult::kRefused);
  ASSERT_FALSE(o.measures.empty());
  for (const AppliedMeasure& a : o.measures) {
    EXPECT_EQ(a.measure->kind, MeasureKind::kPunishment) << a.measure->code << " applied";
  }
  ASSERT_EQ(o.withheld_rewards.size(), rewards) << "every reward that fired is shown withheld";
  for (const AppliedMeasure& a : o.withheld_rewards) {
    EXPECT_EQ(a.measure->kind, MeasureKind::kReward);
    ASSERT_EQ(a.triggers.size(), 1u);
    EXPECT_EQ(a.triggers[0].record_id, 21u);
  }
  // Once the punishment has ended, the rewards apply again.
  f.records[1] = Entry("serious_dishonesty", 11, "2023-03-01", {{"YZSX_YXQZ", "2026-03-01"}});
  CheckOutcome later = Check(f, "administrative_approval");
  EXPECT_EQ(later.result, CheckResult::kPassWithReward);
  EXPECT_EQ(later.measures.size(), rewards);
  EXPECT_TRUE(later.withheld_rewards.empty());
}

TEST_F(CheckerTest, GradeTriggersNeedAGrade) {
  const Measure* by_grade = nullptr;
  for (const Measure& m : measures_->measures()) {
    if (m.trigger.type == TriggerType::kGrade && !m.scenarios.empty()) by_grade = &m;
  }
  ASSERT_NE(by_grade, nullptr);
  SubjectFacts f;
  EXPECT_TRUE(Check(f, by_grade->scenarios[0]).measures.empty());
  f.grade = by_grade->trigger.grades[0];
  CheckOutcome o = Check(f, by_grade->scenarios[0]);
  bool found = false;
  for (const AppliedMeasure& a : o.measures) {
    if (a.measure == by_grade) {
      found = true;
      ASSERT_EQ(a.triggers.size(), 1u);
      EXPECT_EQ(a.triggers[0].indicator, "grade");
      EXPECT_EQ(a.triggers[0].detail, f.grade);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(CheckerTest, RecordTriggersCountOnlyWithinTheirWindow) {
  const Measure* by_record = nullptr;
  for (const Measure& m : measures_->measures()) {
    if (m.trigger.type == TriggerType::kRecord && !m.scenarios.empty()) by_record = &m;
  }
  ASSERT_NE(by_record, nullptr);
  const Trigger& t = by_record->trigger;
  const Date today = *Date::Parse("2026-11-22");
  auto at = [&](int days_ago) { return Date::FromDays(today.days() - days_ago).ToString(); };
  SubjectFacts f;
  for (int i = 0; i < std::max(1, t.min_count); ++i) {
    f.records.push_back(Entry(t.indicator, 100 + static_cast<uint64_t>(i), at(t.window_days + 10)));
  }
  auto applies = [&](const CheckOutcome& o) {
    for (const AppliedMeasure& a : o.measures) {
      if (a.measure == by_record) return true;
    }
    return false;
  };
  EXPECT_FALSE(applies(Check(f, by_record->scenarios[0])));  // all outside the window
  for (auto& r : f.records) r.decision_date = Date::FromDays(today.days() - 1);
  EXPECT_TRUE(applies(Check(f, by_record->scenarios[0])));
}

TEST_F(CheckerTest, OnlyAMajorViolationBarsASupplierFromProcurement) {
  // 《政府采购法》第二十二条第一款第（五）项 (CJ-QL-003): a 重大违法记录 — 吊销, 责令停产停业, or a fine
  // of 200万元 or more (财库〔2022〕3号) — not any penalty.
  auto penalty = [](std::string kinds, std::string fine, std::string decided = "2026-06-01") {
    std::vector<std::pair<std::string, std::string>> v{{"CF_CFLB", std::move(kinds)}};
    if (!fine.empty()) v.emplace_back("CF_NR_FK", std::move(fine));
    return Entry("admin_penalty", 31, std::move(decided), std::move(v));
  };
  auto cj_ql_003 = [](const CheckOutcome& o) -> const AppliedMeasure* {
    for (const AppliedMeasure& a : o.measures) {
      if (a.measure->code == "CJ-QL-003") return &a;
    }
    return nullptr;
  };
  SubjectFacts f;
  for (auto [kinds, fine] : std::vector<std::pair<std::string, std::string>>{
           {"警告;罚款", "199.99"}, {"罚款;没收违法所得", "50"}, {"暂扣许可证件", ""}}) {
    f.records = {penalty(kinds, fine)};
    const CheckOutcome o = Check(f, "government_procurement");
    EXPECT_EQ(o.result, CheckResult::kPass) << kinds << " " << fine;
    EXPECT_EQ(cj_ql_003(o), nullptr) << kinds << " " << fine;
  }
  for (auto [kinds, fine] : std::vector<std::pair<std::string, std::string>>{
           {"罚款;吊销许可证件", "3"}, {"责令停产停业", ""}, {"罚款", "200"}, {"罚款", "1500.5"}}) {
    f.records = {penalty(kinds, fine)};
    const CheckOutcome o = Check(f, "government_procurement");
    EXPECT_EQ(o.result, CheckResult::kRefused) << kinds << " " << fine;
    const AppliedMeasure* a = cj_ql_003(o);
    ASSERT_NE(a, nullptr) << kinds << " " << fine;
    ASSERT_EQ(a->triggers.size(), 1u);
    EXPECT_EQ(a->triggers[0].record_id, 31u);
    EXPECT_EQ(a->triggers[0].detail, "严重");  // why an ordinary indicator's record counts
  }
  // Punishment ends on time: a penalty no longer published bars nothing, serious or not.
  f.records = {penalty("吊销营业执照", "", "2025-10-01")};
  EXPECT_EQ(cj_ql_003(Check(f, "government_procurement")), nullptr);
  // A revoked decision (an upheld objection) never counts.
  f.records = {penalty("吊销营业执照", "")};
  f.records[0].status = RecordStatus::kRevoked;
  EXPECT_EQ(Check(f, "government_procurement").result, CheckResult::kPass);
  // Where general and serious penalties count (supervision: three within a year), a serious one
  // counts as one of them.
  f.records = {penalty("吊销营业执照", ""), Entry("admin_penalty", 32, "2026-06-02"),
               Entry("admin_penalty", 33, "2026-06-03")};
  bool penalties_counted = false;
  for (const AppliedMeasure& a : Check(f, "supervision").measures) {
    if (a.measure->trigger.indicator != "admin_penalty") continue;
    EXPECT_EQ(a.triggers.size(), 3u) << a.measure->code;
    penalties_counted = true;
  }
  EXPECT_TRUE(penalties_counted);
}

TEST_F(CheckerTest, BreachedCommitmentsTriggerWithinTheirWindow) {
  const Measure* breach = nullptr;
  for (const Measure& m : measures_->measures()) {
    if (m.trigger.type == TriggerType::kCommitmentBreached && !m.scenarios.empty()) breach = &m;
  }
  ASSERT_NE(breach, nullptr);
  SubjectFacts f;
  f.records = {Entry("credit_commitment", 31, "2025-06-01",
                     {{"CN_LXZT", "全部履行"}, {"CN_LXZTRDRQ", "2026-06-01"}})};
  auto applies = [&](const CheckOutcome& o) {
    for (const AppliedMeasure& a : o.measures) {
      if (a.measure == breach) return true;
    }
    return false;
  };
  EXPECT_FALSE(applies(Check(f, breach->scenarios[0])));
  f.records[0].values = {{"CN_LXZT", "全部未履行"}, {"CN_LXZTRDRQ", "2026-06-01"}};
  CheckOutcome o = Check(f, breach->scenarios[0]);
  EXPECT_TRUE(applies(o));
  EXPECT_NE(o.result, CheckResult::kPass);
  // The breach record is published for 12 months from its finding; after that no measure
  // applies on it, whatever the measure's window (it could not be repaired either).
  ASSERT_GT(breach->trigger.window_days, 366);
  EXPECT_TRUE(applies(Check(f, breach->scenarios[0], "2027-05-31")));
  EXPECT_FALSE(applies(Check(f, breach->scenarios[0], "2027-06-01")));
}

bool Targets(const Measure& m, Target t) {
  return std::find(m.targets.begin(), m.targets.end(), t) != m.targets.end();
}

// 落实到人: a person named in an organization's list entry is reached by the measures that target
// that role, and by no other.
TEST_F(CheckerTest, PersonsNamedInAnOrganizationsListEntryAreReachedInTheirRoleOnly) {
  Checker checker(*catalog_, *measures_);
  Subject person;
  person.id = 9;
  person.type = SubjectType::kNaturalPerson;
  person.name = "张某";
  const std::string rep(32, 'R'), other(32, 'O');
  Record entry = Entry("serious_dishonesty", 11, "2026-03-01", {{"YZSX_YXQZ", "2029-03-01"}});
  entry.personal = {{"YZSX_FR_ZJHM", rep, "sealed"}, {"YZSX_ZRR_ZJHM", other, "sealed"}};
  const Date today = *Date::Parse("2026-11-22");
  auto check = [&](const std::vector<TriggerFact>& facts, std::string_view scenario) {
    auto r = checker.Evaluate(person, facts, std::nullopt, scenario, today);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : CheckOutcome();
  };

  std::vector<TriggerFact> facts;
  checker.CollectLinked(entry, PersonRole::kLegalRepresentative, rep, &facts);
  ASSERT_EQ(facts.size(), 1u);
  CheckOutcome o = check(facts, "honours");
  EXPECT_EQ(o.result, CheckResult::kRefused);
  bool cj021 = false;
  for (const AppliedMeasure& a : o.measures) {
    EXPECT_TRUE(Targets(*a.measure, Target::kLegalRepresentative)) << a.measure->code;
    cj021 = cj021 || a.measure->code == "CJ-QL-021";
    ASSERT_EQ(a.triggers.size(), 1u);
    EXPECT_EQ(a.triggers[0].link, PersonRole::kLegalRepresentative);
    EXPECT_EQ(a.triggers[0].via_subject, 7u);
    EXPECT_EQ(a.triggers[0].record_id, 11u);
  }
  EXPECT_TRUE(cj021);
  // In every scenario, only measures aimed at legal representatives follow the link; the
  // organization's own (entity) and persons' own (natural_person) measures do not.
  for (const Scenario& sc : measures_->scenarios()) {
    for (const AppliedMeasure& a : check(facts, sc.code).measures) {
      EXPECT_TRUE(Targets(*a.measure, Target::kLegalRepresentative)) << sc.code << " " << a.measure->code;
    }
  }

  // The responsible person named in the same entry, in that role.
  facts.clear();
  checker.CollectLinked(entry, PersonRole::kResponsiblePerson, other, &facts);
  ASSERT_EQ(facts.size(), 1u);
  o = check(facts, "honours");
  EXPECT_EQ(o.result, CheckResult::kRefused);
  for (const AppliedMeasure& a : o.measures) {
    EXPECT_TRUE(Targets(*a.measure, Target::kResponsiblePersons)) << a.measure->code;
    EXPECT_EQ(a.triggers[0].link, PersonRole::kResponsiblePerson);
  }

  // A link the record no longer bears out counts for nothing: another person in the field, the
  // person in the other role's field, or an entry no longer active.
  facts.clear();
  checker.CollectLinked(entry, PersonRole::kLegalRepresentative, other, &facts);
  checker.CollectLinked(entry, PersonRole::kResponsiblePerson, rep, &facts);
  EXPECT_TRUE(facts.empty());
  for (RecordStatus st : {RecordStatus::kRevoked, RecordStatus::kRepaired, RecordStatus::kExpired}) {
    Record gone = entry;
    gone.status = st;
    checker.CollectLinked(gone, PersonRole::kLegalRepresentative, rep, &facts);
  }
  EXPECT_TRUE(facts.empty());

  // The organization itself is not reached through a link: its own entry does that.
  facts.clear();
  checker.CollectLinked(entry, PersonRole::kLegalRepresentative, rep, &facts);
  auto org = checker.Evaluate(Company(), facts, std::nullopt, "honours", today);
  ASSERT_TRUE(org.ok());
  EXPECT_EQ(org->result, CheckResult::kPass);
}

TEST_F(CheckerTest, UnknownScenarioIsAnError) {
  Checker checker(*catalog_, *measures_);
  auto r = checker.Evaluate(Company(), {}, "no_such_scenario", *Date::Parse("2026-11-22"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no_such_scenario"), std::string::npos);
}

}  // namespace
}  // namespace xinyong::rules
