#include "rules/evaluation.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/test_paths.h"

namespace xinyong::rules {
namespace {

using test::SourceDir;

class EvaluationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = catalog::Catalog::LoadDirectory(SourceDir() + "/data/catalog");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(c).value();
    auto m = EvaluationModel::LoadFile(SourceDir() + "/data/evaluation/model.toml", *catalog_);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    model_ = std::move(m).value();
  }
  static Record R(std::string indicator, uint64_t id, std::string decided,
                  std::vector<std::pair<std::string, std::string>> values = {}) {
    Record r;
    r.record_id = id;
    r.indicator = std::move(indicator);
    r.decision_date = *Date::Parse(decided);
    for (const auto& [k, v] : values) r.values.emplace_back(k, v);
    return r;
  }
  Evaluation Eval(const std::vector<Record>& records, SubjectType type = SubjectType::kLegalPerson) {
    Subject s;
    s.type = type;
    auto e = model_->Evaluate(s, records, *catalog_, *Date::Parse("2026-11-22"));
    EXPECT_TRUE(e.has_value());
    return e.value_or(Evaluation());
  }
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<EvaluationModel> model_;
};

TEST_F(EvaluationTest, NoRecordsIsTheBaseGrade) {
  Evaluation e = Eval({});
  EXPECT_EQ(e.score, model_->base());
  EXPECT_EQ(e.grade, "B");
  EXPECT_TRUE(e.contributions.empty());
}

TEST_F(EvaluationTest, ABrokenCommitmentLowersTheScore) {
  // Its 违背信用承诺 record counts (FACTS §7); a revoked one (an objection upheld) does not.
  std::vector<Record> records = {R("commitment_breach", 1, "2026-06-01"),
                                 R("commitment_breach", 2, "2026-07-01")};
  Evaluation e = Eval(records);
  EXPECT_LT(e.score, model_->base());
  ASSERT_EQ(e.contributions.size(), 1u);
  EXPECT_EQ(e.contributions[0].rule->indicator, "commitment_breach");
  EXPECT_EQ(e.contributions[0].record_ids.size(), 2u);
  records[1].status = RecordStatus::kRevoked;
  EXPECT_EQ(Eval(records).contributions[0].record_ids.size(), 1u);
}

TEST_F(EvaluationTest, EachRuleExplainsItsPointsAndIsCapped) {
  std::vector<Record> records;
  for (uint64_t i = 0; i < 8; ++i) records.push_back(R("admin_penalty", 100 + i, "2026-01-10"));
  records.push_back(R("admin_penalty", 200, "2020-01-10"));  // outside the three-year window
  Evaluation e = Eval(records);
  ASSERT_EQ(e.contributions.size(), 1u);
  EXPECT_EQ(e.contributions[0].rule->indicator, "admin_penalty");
  EXPECT_EQ(e.contributions[0].record_ids.size(), 8u);
  EXPECT_TRUE(e.contributions[0].capped);
  EXPECT_EQ(e.contributions[0].points, -150);
  EXPECT_EQ(e.score, model_->base() - 150);
  EXPECT_EQ(e.grade, "C");
}

TEST_F(EvaluationTest, CurrentSeriousDishonestyMeansDAndEndedMembershipsCountNothing) {
  Evaluation e = Eval({R("serious_dishonesty", 1, "2026-03-01", {{"YZSX_YXQZ", "2029-03-01"}})});
  EXPECT_EQ(e.grade, "D");
  e = Eval({R("serious_dishonesty", 1, "2022-03-01", {{"YZSX_YXQZ", "2025-03-01"}})});
  EXPECT_EQ(e.grade, "B");
  Record revoked = R("serious_dishonesty", 1, "2026-03-01");
  revoked.status = RecordStatus::kRevoked;
  EXPECT_EQ(Eval({revoked}).grade, "B");
}

TEST_F(EvaluationTest, HonoursLiftTheGrade) {
  Evaluation e = Eval({R("red_list", 1, "2026-01-10", {{"RY_YXQZ", "2027-12-31"}}),
                       R("tax_a_grade", 2, "2026-04-01"), R("tax_a_grade", 3, "2025-04-01")});
  EXPECT_EQ(e.grade, "A");
  EXPECT_EQ(e.contributions.size(), 2u);
}

TEST_F(EvaluationTest, NaturalPersonsAreNotGraded) {
  Subject s;
  s.type = SubjectType::kNaturalPerson;
  EXPECT_FALSE(model_->Evaluate(s, {}, *catalog_, *Date::Parse("2026-11-22")).has_value());
}

TEST_F(EvaluationTest, BadModelsFailNamingFileAndLine) {
  auto dir = std::filesystem::temp_directory_path() / ("xinyong-eval-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto load = [&](const std::string& text) {
    std::ofstream((dir / "m.toml").string()) << text;
    return EvaluationModel::LoadFile((dir / "m.toml").string(), *catalog_).status();
  };
  const std::string head = "name = \"m\"\nlegal_basis = \"《x》\"\nbase = 800\nmin = 0\nmax = 1000\n";
  const std::string grades =
      "[[grade]]\ngrade = \"A\"\nmin = 850\nlabel = \"a\"\n[[grade]]\ngrade = \"B\"\nmin = 700\n"
      "label = \"b\"\n[[grade]]\ngrade = \"C\"\nmin = 550\nlabel = \"c\"\n[[grade]]\ngrade = \"D\"\n"
      "min = 0\nlabel = \"d\"\n";
  const std::string rule = "[[rule]]\nlabel = \"p\"\nindicator = \"admin_penalty\"\npoints = -30\ncap = -150\n";
  EXPECT_TRUE(load(head + rule + grades).ok());
  Status s = load("name = \"m\"\nbase = 800\nmin = 0\nmax = 1000\n" + rule + grades);
  EXPECT_NE(s.message().find("m.toml:"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("legal_basis"), std::string::npos) << s.ToString();
  s = load(head + "[[rule]]\nlabel = \"p\"\nindicator = \"no_such\"\npoints = -30\ncap = -150\n" + grades);
  EXPECT_NE(s.message().find("m.toml:6:"), std::string::npos) << s.ToString();
  s = load(head + "[[rule]]\nlabel = \"p\"\nindicator = \"admin_penalty\"\npoints = -30\ncap = 150\n" + grades);
  EXPECT_FALSE(s.ok());
  s = load(head + rule + "[[grade]]\ngrade = \"B\"\nmin = 850\nlabel = \"a\"\n");
  EXPECT_NE(s.message().find("A, B, C, D"), std::string::npos) << s.ToString();
  // Numbers that would overflow a score (a 64-bit value cut to 32 bits) or a grade no score reaches.
  s = load(head + "[[rule]]\nlabel = \"p\"\nindicator = \"admin_penalty\"\npoints = -4294967296\ncap = -4294967296\n" + grades);
  EXPECT_NE(s.message().find("between -1000000 and 1000000"), std::string::npos) << s.ToString();
  std::string high = grades;
  high.replace(high.find("min = 850"), 9, "min = 1001");
  s = load(head + rule + high);
  EXPECT_NE(s.message().find("grade A starts above `max`"), std::string::npos) << s.ToString();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace xinyong::rules
