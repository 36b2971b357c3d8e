#include "rules/measures.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "core/test_paths.h"

namespace xinyong::rules {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using test::SourceDir;

// The real catalog, loaded once for every test.
const catalog::Catalog& RealCatalog() {
  static const catalog::Catalog* catalog = [] {
    auto r = catalog::Catalog::LoadDirectory(SourceDir() + "/data/catalog");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value().release() : nullptr;
  }();
  if (catalog == nullptr) std::abort();
  return *catalog;
}

// ---- The shipped list ------------------------------------------------------------------------

class ShippedMeasuresTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = MeasureCatalog::LoadDirectory(SourceDir() + "/data/measures", RealCatalog());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    measures_ = std::move(r).value().release();
  }
  static void TearDownTestSuite() {
    delete measures_;
    measures_ = nullptr;
  }
  static const MeasureCatalog* measures_;
};

const MeasureCatalog* ShippedMeasuresTest::measures_ = nullptr;

TEST_F(ShippedMeasuresTest, LoadsAtLeastFortyMeasures) {
  ASSERT_NE(measures_, nullptr);
  EXPECT_GE(measures_->measures().size(), 40u);
}

TEST_F(ShippedMeasuresTest, EveryScenarioTheIssueNamesExistsAndHasAMeasure) {
  ASSERT_NE(measures_, nullptr);
  for (std::string_view code :
       {"government_procurement", "bidding", "administrative_approval", "fiscal_funds", "honours",
        "market_entry", "public_resource_trading", "financing"}) {
    EXPECT_NE(measures_->FindScenario(code), nullptr) << code;
    EXPECT_FALSE(measures_->ForScenario(code).empty()) << code;
  }
}

TEST_F(ShippedMeasuresTest, EveryScenarioHasAMeasure) {
  ASSERT_NE(measures_, nullptr);
  for (const Scenario& s : measures_->scenarios()) {
    EXPECT_FALSE(s.label.empty()) << s.code;
    EXPECT_FALSE(measures_->ForScenario(s.code).empty()) << s.code;
  }
}

TEST_F(ShippedMeasuresTest, EveryMeasureCitesALegalBasisAndSaysWhoAppliesIt) {
  ASSERT_NE(measures_, nullptr);
  for (const Measure& m : measures_->measures()) {
    EXPECT_THAT(m.legal_basis, HasSubstr("《")) << m.code;
    EXPECT_FALSE(m.content.empty()) << m.code;
    EXPECT_FALSE(m.implementing_body.empty()) << m.code;
    EXPECT_FALSE(m.targets.empty()) << m.code;
    EXPECT_FALSE(m.scenarios.empty()) << m.code;
    EXPECT_THAT(m.source_file, HasSubstr("data/measures/")) << m.code;
    EXPECT_GT(m.source_line, 0) << m.code;
  }
}

TEST_F(ShippedMeasuresTest, HasBothKindsBothMandatoryValuesAndEveryCategory) {
  ASSERT_NE(measures_, nullptr);
  std::map<MeasureKind, int> kinds;
  std::map<bool, int> mandatory;
  std::map<MeasureCategory, int> categories;
  std::map<TriggerType, int> triggers;
  std::set<Target> targets;
  for (const Measure& m : measures_->measures()) {
    ++kinds[m.kind];
    ++mandatory[m.mandatory];
    ++categories[m.category];
    ++triggers[m.trigger.type];
    targets.insert(m.targets.begin(), m.targets.end());
  }
  EXPECT_GT(kinds[MeasureKind::kPunishment], 0);
  EXPECT_GT(kinds[MeasureKind::kReward], 0);
  EXPECT_GT(mandatory[true], 0);
  EXPECT_GT(mandatory[false], 0);
  EXPECT_EQ(categories.size(), 4u);
  EXPECT_EQ(triggers.size(), 4u);
  EXPECT_EQ(targets.size(), 4u);
}

// FACTS §6: restrictions on high consumption (and exit) apply only to judgment debtors the
// courts listed, never because of a score or another list.
TEST_F(ShippedMeasuresTest, HighConsumptionAndExitComeOnlyFromTheCourtList) {
  ASSERT_NE(measures_, nullptr);
  for (std::string_view scenario : {"consumption", "exit_control"}) {
    ASSERT_FALSE(measures_->ForScenario(scenario).empty()) << scenario;
    for (const Measure* m : measures_->ForScenario(scenario)) {
      EXPECT_EQ(m->trigger.type, TriggerType::kList) << m->code;
      EXPECT_EQ(m->trigger.indicator, "court_dishonest_debtor") << m->code;
    }
  }
}

TEST_F(ShippedMeasuresTest, FindsByCodeAndKeepsTheTrigger) {
  ASSERT_NE(measures_, nullptr);
  const Measure* m = measures_->Find("CJ-QL-003");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->kind, MeasureKind::kPunishment);
  EXPECT_EQ(m->category, MeasureCategory::kRightsRestriction);
  EXPECT_TRUE(m->mandatory);
  EXPECT_THAT(m->legal_basis, HasSubstr("《中华人民共和国政府采购法》第二十二条"));
  EXPECT_EQ(m->trigger.type, TriggerType::kRecord);
  EXPECT_EQ(m->trigger.indicator, "admin_penalty");
  EXPECT_EQ(m->trigger.nature, catalog::Nature::kNegative);
  EXPECT_EQ(m->trigger.severities, std::vector<catalog::Severity>{catalog::Severity::kSerious});
  EXPECT_EQ(m->trigger.window_days, 1095);
  EXPECT_EQ(m->trigger.min_count, 1);
  EXPECT_THAT(m->source_file, HasSubstr("punishments_rights.toml"));

  const Measure* breach = measures_->Find("CJ-GL-004");
  ASSERT_NE(breach, nullptr);
  EXPECT_EQ(breach->trigger.type, TriggerType::kCommitmentBreached);
  EXPECT_EQ(breach->trigger.indicator, kCommitmentIndicator);

  EXPECT_EQ(measures_->Find("CJ-QL-999"), nullptr);
  EXPECT_TRUE(measures_->ForScenario("no_such_scenario").empty());
}

TEST_F(ShippedMeasuresTest, ForScenarioKeepsLoadOrder) {
  ASSERT_NE(measures_, nullptr);
  const auto& procurement = measures_->ForScenario("government_procurement");
  ASSERT_GE(procurement.size(), 3u);
  EXPECT_EQ(procurement[0]->code, "CJ-QL-001");
  EXPECT_EQ(procurement[1]->code, "CJ-QL-002");
  EXPECT_EQ(procurement[2]->code, "CJ-QL-003");
}

TEST(MeasureNamesTest, NamesAndParsersAgree) {
  for (MeasureKind k : {MeasureKind::kPunishment, MeasureKind::kReward}) {
    EXPECT_EQ(ParseMeasureKind(MeasureKindName(k)), k);
  }
  for (MeasureCategory c : {MeasureCategory::kRightsRestriction, MeasureCategory::kManagement,
                            MeasureCategory::kMarket, MeasureCategory::kIncentive}) {
    EXPECT_EQ(ParseMeasureCategory(MeasureCategoryName(c)), c);
  }
  for (Target t : {Target::kEntity, Target::kNaturalPerson, Target::kLegalRepresentative,
                   Target::kResponsiblePersons}) {
    EXPECT_EQ(ParseTarget(TargetName(t)), t);
  }
  for (TriggerType t : {TriggerType::kList, TriggerType::kRecord, TriggerType::kGrade,
                        TriggerType::kCommitmentBreached}) {
    EXPECT_EQ(ParseTriggerType(TriggerTypeName(t)), t);
  }
  EXPECT_EQ(MeasureCategoryLabel(MeasureCategory::kManagement), "管理措施");
  EXPECT_EQ(TargetLabel(Target::kLegalRepresentative), "法定代表人");
  EXPECT_EQ(ParseTarget("法定代表人"), std::nullopt);
}

// ---- Rejections --------------------------------------------------------------------------------

constexpr std::string_view kScenarios = R"([[scenario]]
code = "government_procurement"
label = "政府采购"

[[scenario]]
code = "bidding"
label = "招标投标"
)";

// A small valid measure. Line numbers matter: the tests below expect them.
constexpr std::string_view kMeasure = R"([[measure]]
code = "CJ-XX-001"
kind = "punishment"
category = "rights_restriction"
content = "依法限制参加政府采购活动"
targets = ["entity", "legal_representative"]
legal_basis = "《中华人民共和国政府采购法》第二十二条"
implementing_body = "各级财政部门"
mandatory = true
scenarios = ["government_procurement", "bidding"]
[measure.trigger]
type = "list"
indicator = "serious_dishonesty"
)";

// `base` with the one line `from` replaced by `to` (which may span several lines or be empty).
std::string With(std::string_view from, std::string_view to, std::string_view base = kMeasure) {
  std::string s(base);
  const std::string needle = std::string(from) + "\n";
  const size_t at = s.find(needle);
  EXPECT_NE(at, std::string::npos) << "test bug: no line '" << from << "'";
  if (at == std::string::npos) return s;
  EXPECT_EQ(s.find(needle, at + 1), std::string::npos) << "test bug: '" << from << "' repeats";
  s.replace(at, needle.size(), to.empty() ? std::string() : std::string(to) + "\n");
  return s;
}

// A record trigger in place of the list trigger (lines 12-16).
std::string RecordTrigger(std::string_view window = "window_days = 1095") {
  return With("indicator = \"serious_dishonesty\"",
              "indicator = \"admin_penalty\"\nnature = \"negative\"\nseverity = [\"serious\"]\n" +
                  std::string(window),
              With("type = \"list\"", "type = \"record\""));
}

// A grade trigger in place of the list trigger (lines 12-13).
std::string GradeTrigger(std::string_view grades) {
  return With("indicator = \"serious_dishonesty\"", grades,
              With("type = \"list\"", "type = \"grade\""));
}

class RejectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("xinyong_measures_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Write("scenarios.toml", kScenarios);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& name, std::string_view text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  Result<std::unique_ptr<MeasureCatalog>> Load() {
    return MeasureCatalog::LoadDirectory(dir_.string(), RealCatalog());
  }

  // Loads `measures` as m.toml; the rejection message, or "" if it loaded.
  std::string Rejection(const std::string& measures) {
    Write("m.toml", measures);
    auto r = Load();
    if (r.ok()) return "";
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
    return r.status().message();
  }

  // The prefix every message about m.toml at `line` starts with.
  std::string At(int line) const { return Path("m.toml") + ":" + std::to_string(line) + ": "; }

  fs::path dir_;
};

TEST_F(RejectionTest, TheBaseMeasureLoads) {
  Write("m.toml", kMeasure);
  auto r = Load();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const MeasureCatalog& c = **r;
  ASSERT_EQ(c.measures().size(), 1u);
  const Measure& m = c.measures()[0];
  EXPECT_EQ(m.code, "CJ-XX-001");
  EXPECT_EQ(m.source_file, Path("m.toml"));
  EXPECT_EQ(m.source_line, 1);
  EXPECT_EQ(m.targets, (std::vector<Target>{Target::kEntity, Target::kLegalRepresentative}));
  EXPECT_EQ(c.ForScenario("bidding").size(), 1u);
  EXPECT_EQ(c.scenarios().size(), 2u);
  EXPECT_EQ(c.scenarios()[1].source_line, 5);
}

TEST_F(RejectionTest, MeasureWithoutLegalBasis) {
  const std::string msg =
      Rejection(With("legal_basis = \"《中华人民共和国政府采购法》第二十二条\"", ""));
  EXPECT_THAT(msg, StartsWith(At(1)));
  EXPECT_THAT(msg, HasSubstr("measure 'CJ-XX-001' has no 'legal_basis'"));
}

TEST_F(RejectionTest, MeasureWithEmptyLegalBasis) {
  const std::string msg = Rejection(With("legal_basis = \"《中华人民共和国政府采购法》第二十二条\"",
                                         "legal_basis = \" \u3000 \""));
  EXPECT_THAT(msg, StartsWith(At(7)));
  EXPECT_THAT(msg, HasSubstr("empty 'legal_basis'"));
}

TEST_F(RejectionTest, UnknownKind) {
  const std::string msg = Rejection(With("kind = \"punishment\"", "kind = \"penalty\""));
  EXPECT_THAT(msg, StartsWith(At(3)));
  EXPECT_THAT(msg, HasSubstr("unknown kind 'penalty'"));
}

TEST_F(RejectionTest, UnknownCategory) {
  const std::string msg =
      Rejection(With("category = \"rights_restriction\"", "category = \"blacklist\""));
  EXPECT_THAT(msg, StartsWith(At(4)));
  EXPECT_THAT(msg, HasSubstr("unknown category 'blacklist'"));
}

TEST_F(RejectionTest, CategoryOfTheOtherKind) {
  const std::string msg =
      Rejection(With("category = \"rights_restriction\"", "category = \"incentive\""));
  EXPECT_THAT(msg, StartsWith(At(4)));
  EXPECT_THAT(msg, HasSubstr("a punishment's category is"));
}

TEST_F(RejectionTest, UnknownTarget) {
  const std::string msg = Rejection(With("targets = [\"entity\", \"legal_representative\"]",
                                         "targets = [\"entity\", \"shareholders\"]"));
  EXPECT_THAT(msg, StartsWith(At(6)));
  EXPECT_THAT(msg, HasSubstr("unknown target 'shareholders'"));
}

TEST_F(RejectionTest, UnknownTriggerType) {
  const std::string msg = Rejection(With("type = \"list\"", "type = \"score\""));
  EXPECT_THAT(msg, StartsWith(At(12)));
  EXPECT_THAT(msg, HasSubstr("unknown type 'score'"));
}

TEST_F(RejectionTest, UnknownScenario) {
  const std::string msg = Rejection(With("scenarios = [\"government_procurement\", \"bidding\"]",
                                         "scenarios = [\"government_procurement\", \"lottery\"]"));
  EXPECT_THAT(msg, StartsWith(At(10)));
  EXPECT_THAT(msg, HasSubstr("unknown scenario 'lottery'"));
}

TEST_F(RejectionTest, TriggerIndicatorTheCatalogLacks) {
  const std::string msg =
      Rejection(With("indicator = \"serious_dishonesty\"", "indicator = \"tax_arrears\""));
  EXPECT_THAT(msg, StartsWith(At(13)));
  EXPECT_THAT(msg, HasSubstr("'tax_arrears', which the catalog does not have"));
}

TEST_F(RejectionTest, ListTriggerOnAnIndicatorThatIsNoList) {
  const std::string msg =
      Rejection(With("indicator = \"serious_dishonesty\"", "indicator = \"admin_penalty\""));
  EXPECT_THAT(msg, StartsWith(At(13)));
  EXPECT_THAT(msg, HasSubstr("'admin_penalty', which is not a list"));
}

TEST_F(RejectionTest, DuplicateCodeAcrossFiles) {
  Write("n.toml", kMeasure);
  const std::string msg = Rejection(std::string(kMeasure));
  // m.toml loads first (files by name), so n.toml repeats the code, on line 2.
  EXPECT_THAT(msg, StartsWith(Path("n.toml") + ":2: "));
  EXPECT_THAT(msg, HasSubstr("'CJ-XX-001' is already defined at " + Path("m.toml") + ":1"));
}

TEST_F(RejectionTest, DuplicateCodeInOneFile) {
  const std::string msg = Rejection(std::string(kMeasure) + "\n" + std::string(kMeasure));
  EXPECT_THAT(msg, StartsWith(At(16)));
  EXPECT_THAT(msg, HasSubstr("already defined at " + At(1).substr(0, At(1).size() - 2)));
}

TEST_F(RejectionTest, GradeOutsideAToD) {
  EXPECT_EQ(Rejection(GradeTrigger("grades = [\"D\"]")), "");
  const std::string msg = Rejection(GradeTrigger("grades = [\"C\", \"E\"]"));
  EXPECT_THAT(msg, StartsWith(At(13)));
  EXPECT_THAT(msg, HasSubstr("grade 'E'"));
  EXPECT_THAT(Rejection(GradeTrigger("grades = [\"a\"]")), HasSubstr("grade 'a'"));
  EXPECT_THAT(Rejection(GradeTrigger("grades = []")), HasSubstr("empty 'grades'"));
}

TEST_F(RejectionTest, WindowThatIsNotPositive) {
  EXPECT_EQ(Rejection(RecordTrigger()), "");
  std::string msg = Rejection(RecordTrigger("window_days = 0"));
  EXPECT_THAT(msg, StartsWith(At(16)));
  EXPECT_THAT(msg, HasSubstr("'window_days'"));
  msg = Rejection(RecordTrigger("window_days = -30"));
  EXPECT_THAT(msg, StartsWith(At(16)));
  msg = Rejection(RecordTrigger(""));
  EXPECT_THAT(msg, StartsWith(At(11)));
  EXPECT_THAT(msg, HasSubstr("has no 'window_days'"));

  const std::string breach = With("indicator = \"serious_dishonesty\"", "window_days = 0",
                                  With("type = \"list\"", "type = \"commitment_breached\""));
  msg = Rejection(breach);
  EXPECT_THAT(msg, StartsWith(At(13)));
  EXPECT_THAT(msg, HasSubstr("'window_days'"));
}

TEST_F(RejectionTest, SeverityNamedAsInTheCatalog) {
  const std::string msg =
      Rejection(With("severity = [\"serious\"]", "severity = [\"severe\"]", RecordTrigger()));
  EXPECT_THAT(msg, StartsWith(At(15)));
  EXPECT_THAT(msg, HasSubstr("unknown severity 'severe'"));
}

TEST_F(RejectionTest, SeverityNoRecordOfTheIndicatorCanHave) {
  // admin_penalty is general, and its [[serious_when]] rules make records serious, never minor.
  const std::string msg =
      Rejection(With("severity = [\"serious\"]", "severity = [\"minor\"]", RecordTrigger()));
  EXPECT_THAT(msg, StartsWith(At(15)));
  EXPECT_THAT(msg, HasSubstr("counts no record of 'admin_penalty'"));
  EXPECT_THAT(msg, HasSubstr("general or, by its [[serious_when]], serious"));
  EXPECT_EQ(Rejection(RecordTrigger()), "");  // serious: the rules can make a penalty so
}

TEST_F(RejectionTest, RecordNatureThatContradictsTheCatalog) {
  const std::string msg =
      Rejection(With("nature = \"negative\"", "nature = \"positive\"", RecordTrigger()));
  EXPECT_THAT(msg, StartsWith(At(14)));
  EXPECT_THAT(msg, HasSubstr("which is negative"));
}

TEST_F(RejectionTest, RewardTriggeredByNegativeList) {
  const std::string reward =
      With("kind = \"punishment\"", "kind = \"reward\"",
           With("category = \"rights_restriction\"", "category = \"incentive\""));
  const std::string msg = Rejection(reward);
  EXPECT_THAT(msg, StartsWith(At(13)));
  EXPECT_THAT(msg, HasSubstr("a reward needs positive information"));
  EXPECT_EQ(
      Rejection(With("indicator = \"serious_dishonesty\"", "indicator = \"red_list\"", reward)),
      "");
}

TEST_F(RejectionTest, TargetTheTriggerCannotReach) {
  const std::string msg = Rejection(
      With("targets = [\"entity\", \"legal_representative\"]", "targets = [\"natural_person\"]",
           With("indicator = \"serious_dishonesty\"", "indicator = \"abnormal_operation\"")));
  EXPECT_THAT(msg, StartsWith(At(13)));
  EXPECT_THAT(msg, HasSubstr("covers no natural person"));
}

TEST_F(RejectionTest, KeyThatDoesNotBelongToTheTriggerType) {
  const std::string msg = Rejection(With("indicator = \"serious_dishonesty\"",
                                         "indicator = \"serious_dishonesty\"\nwindow_days = 30"));
  EXPECT_THAT(msg, StartsWith(At(14)));
  EXPECT_THAT(msg, HasSubstr("unknown key 'window_days'"));
  EXPECT_THAT(msg, HasSubstr("a 'list' trigger takes only 'indicator'"));
}

TEST_F(RejectionTest, MisspeltKey) {
  const std::string msg = Rejection(With("mandatory = true", "mandatroy = true"));
  EXPECT_THAT(msg, StartsWith(At(9)));
  EXPECT_THAT(msg, HasSubstr("unknown key 'mandatroy'"));
}

TEST_F(RejectionTest, MeasureWithoutTrigger) {
  const std::string msg =
      Rejection(With("[measure.trigger]", "",
                     With("type = \"list\"", "", With("indicator = \"serious_dishonesty\"", ""))));
  EXPECT_THAT(msg, StartsWith(At(1)));
  EXPECT_THAT(msg, HasSubstr("has no trigger"));
}

TEST_F(RejectionTest, NotValidToml) {
  const std::string msg = Rejection(With("mandatory = true", "mandatory = "));
  EXPECT_THAT(msg, StartsWith(At(9)));
  EXPECT_THAT(msg, HasSubstr("not valid TOML"));
}

TEST_F(RejectionTest, DuplicateScenario) {
  Write("scenarios.toml",
        std::string(kScenarios) + "\n[[scenario]]\ncode = \"bidding\"\nlabel = \"又一个\"\n");
  const std::string msg = Rejection(std::string(kMeasure));
  EXPECT_THAT(msg, StartsWith(Path("scenarios.toml") + ":10: "));
  EXPECT_THAT(msg, HasSubstr("'bidding' is already defined at " + Path("scenarios.toml") + ":5"));
}

TEST_F(RejectionTest, ScenarioInAMeasuresFile) {
  const std::string msg =
      Rejection(std::string(kMeasure) + "\n[[scenario]]\ncode = \"x\"\nlabel = \"x\"\n");
  EXPECT_THAT(msg, StartsWith(At(15)));
  EXPECT_THAT(msg, HasSubstr("scenarios go in scenarios.toml"));
}

TEST_F(RejectionTest, MissingScenarioFile) {
  fs::remove(dir_ / "scenarios.toml");
  Write("m.toml", kMeasure);
  auto r = Load();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("scenarios.toml"));
}

}  // namespace
}  // namespace xinyong::rules
