#include "rules/commitment.h"

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "core/test_paths.h"
#include "rules/record_fields.h"

namespace xinyong::rules {
namespace {

class CommitmentTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto c = catalog::Catalog::LoadDirectory(test::SourceDir() + "/data/catalog");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(c).value().release();
  }
  static const catalog::Indicator& Ind() { return *catalog_->Find(kCommitmentIndicator); }

  // A commitment made 2026-03-01 with a deadline, accepted by the market regulator.
  Record Made(std::vector<std::pair<std::string, std::string>> extra = {}) {
    Record r;
    r.record_id = 5;
    r.indicator = "credit_commitment";
    r.decision_date = *Date::Parse("2026-03-01");
    r.document_number = "41010020260301000007";
    for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
             {"CN_CNBM", "41010020260301000007"},
             {"CN_CNRMC", "甲公司"},
             {"CN_CNLX", "容缺受理型"},
             {"CN_CNZCRQ", "2026-03-01"},
             {"CN_CNYXQ", "2026-06-01"},
             {"CN_CNSLDW", "郑州市市场监督管理局"},
             {"CN_CNSLDWDM", "11410100MB1848126Q"},
             {"CN_GKLX", "可向社会公开"}}) {
      r.values.emplace_back(k, v);
    }
    for (const auto& [k, v] : extra) r.values.emplace_back(k, v);
    return r;
  }
  static std::string Get(const Row& row, std::string_view code) {
    for (const auto& [k, v] : row) {
      if (k == code) return v;
    }
    return "";
  }

  static catalog::Catalog* catalog_;
};
catalog::Catalog* CommitmentTest::catalog_ = nullptr;

TEST_F(CommitmentTest, StateFollowsTheFindingAndTheDeadline) {
  const Date before = *Date::Parse("2026-05-31"), after = *Date::Parse("2026-06-02");
  EXPECT_EQ(ViewCommitment(Made(), Ind(), before).state, CommitmentState::kOpen);
  EXPECT_EQ(ViewCommitment(Made(), Ind(), after).state, CommitmentState::kOverdue);
  CommitmentView kept = ViewCommitment(Made({{"CN_LXZT", "全部履行"}}), Ind(), after);
  EXPECT_EQ(kept.state, CommitmentState::kFulfilled);
  EXPECT_EQ(ViewCommitment(Made({{"CN_LXZT", "部分履行"}}), Ind(), after).state,
            CommitmentState::kPartiallyFulfilled);
  EXPECT_EQ(ViewCommitment(Made({{"CN_LXZT", "全部未履行"}}), Ind(), after).state,
            CommitmentState::kUnfulfilled);
  EXPECT_EQ(kept.code, "41010020260301000007");
  EXPECT_EQ(kept.type, "容缺受理型");
  EXPECT_EQ(kept.deadline, *Date::Parse("2026-06-01"));
  for (auto s : {CommitmentState::kOpen, CommitmentState::kFulfilled,
                 CommitmentState::kPartiallyFulfilled, CommitmentState::kUnfulfilled,
                 CommitmentState::kOverdue}) {
    EXPECT_EQ(ParseCommitmentState(CommitmentStateName(s)), s);
  }
}

TEST_F(CommitmentTest, PublicityTypeDecidesRecordByRecord) {
  EXPECT_TRUE(DisclosedToPublic(Made(), Ind()));
  Record limited = Made();
  limited.values.clear();
  limited.values.emplace_back("CN_GKLX", "特定范围内公开");
  EXPECT_FALSE(DisclosedToPublic(limited, Ind()));
  limited.values.clear();  // none: the indicator's disclosure (政务共享) holds
  EXPECT_FALSE(DisclosedToPublic(limited, Ind()));
}

TEST_F(CommitmentTest, OnlyTheAcceptingUnitSetsAValidFinding) {
  auto vault = PersonalDataVault::ForTesting("commitment-test");
  const Date today = *Date::Parse("2026-11-22");
  std::string bad;
  Fulfilment f{"部分履行", *Date::Parse("2026-06-05"), "郑州市城乡建设局", "", "未补齐材料", "", false};
  auto r = FulfilmentRow(Made(), Ind(), f, *vault, today, &bad);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(bad, "unit");
  f.unit = "郑州市市场监督管理局";
  // The right name with another unit's code: refused, naming the code.
  f.unit_code = "11410100MB1848127N";
  EXPECT_EQ(FulfilmentRow(Made(), Ind(), f, *vault, today, &bad).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(bad, "unit_code");
  f.unit_code = "11410100MB1848126Q";
  f.unfulfilled.clear();
  EXPECT_EQ(FulfilmentRow(Made(), Ind(), f, *vault, today, &bad).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(bad, "unfulfilled");
  f.unfulfilled = "未补齐材料";
  f.found = *Date::Parse("2026-02-01");
  EXPECT_FALSE(FulfilmentRow(Made(), Ind(), f, *vault, today, &bad).ok());
  EXPECT_EQ(bad, "date");
  f.found = *Date::Parse("2026-06-05");
  f.status = "没履行";
  EXPECT_FALSE(FulfilmentRow(Made(), Ind(), f, *vault, today, &bad).ok());
  EXPECT_EQ(bad, "status");
  f.status = "部分履行";
  Record revoked = Made();
  revoked.status = RecordStatus::kRevoked;
  EXPECT_EQ(FulfilmentRow(revoked, Ind(), f, *vault, today, &bad).status().code(),
            StatusCode::kFailedPrecondition);

  auto row = FulfilmentRow(Made(), Ind(), f, *vault, today, &bad);
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ(Get(*row, "CN_CNBM"), "41010020260301000007");
  EXPECT_EQ(Get(*row, "CN_LXZT"), "部分履行");
  EXPECT_EQ(Get(*row, "CN_LXZTRDRQ"), "2026-06-05");
  EXPECT_EQ(Get(*row, "CN_LXZTRDDW"), "郑州市市场监督管理局");
  EXPECT_EQ(Get(*row, "CN_WLXNR"), "未补齐材料");
  EXPECT_EQ(Get(*row, "CN_GKLX"), "可向社会公开");
}

// A breach finding stands (it ends by repair or an objection, not by a second finding); a
// fulfilled commitment can still be found breached (found false), not fulfilled twice.
TEST_F(CommitmentTest, AFindingOfBreachIsNotUndoneByAnotherFinding) {
  auto vault = PersonalDataVault::ForTesting("commitment-test");
  const Date today = *Date::Parse("2026-11-22");
  std::string bad;
  Fulfilment fulfilled{"全部履行", *Date::Parse("2026-06-05"), "郑州市市场监督管理局", "", "", "", false};
  for (const char* before : {"部分履行", "全部未履行"}) {
    const Record breached = Made({{"CN_LXZT", before}, {"CN_LXZTRDRQ", "2026-06-01"}});
    auto r = FulfilmentRow(breached, Ind(), fulfilled, *vault, today, &bad);
    EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition) << before;
    EXPECT_NE(r.status().message().find("信用修复"), std::string::npos) << r.status().ToString();
  }
  const Record done = Made({{"CN_LXZT", "全部履行"}, {"CN_LXZTRDRQ", "2026-06-01"}});
  EXPECT_EQ(FulfilmentRow(done, Ind(), fulfilled, *vault, today, &bad).status().code(),
            StatusCode::kFailedPrecondition);
  Fulfilment found_false{"部分履行", *Date::Parse("2026-07-01"), "郑州市市场监督管理局", "",
                         "承诺内容与事实不符", "", true};
  EXPECT_TRUE(FulfilmentRow(done, Ind(), found_false, *vault, today, &bad).ok()) << bad;
}

TEST_F(CommitmentTest, APersonsNumberIsUnsealedForReingestion) {
  auto vault = PersonalDataVault::ForTesting("commitment-test");
  Record r = Made({{"CN_ZJLX", "身份证"}, {"CN_ZJHM", "4101**********0011"}});
  r.personal.push_back({"CN_ZJHM", "hash", vault->Encrypt("410105199001010011")});
  std::string bad;
  Fulfilment f{"全部履行", *Date::Parse("2026-06-05"), "", "11410100MB1848126Q", "", "", false};
  auto row = FulfilmentRow(r, Ind(), f, *vault, *Date::Parse("2026-11-22"), &bad);
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ(Get(*row, "CN_ZJHM"), "410105199001010011");
  EXPECT_EQ(Get(*row, "CN_WLXNR"), "");
  EXPECT_EQ(Get(*row, "CN_XJCN"), "否");
}

}  // namespace
}  // namespace xinyong::rules
