#include "ingest/ingester.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <unistd.h>

#include "core/identifiers.h"
#include "core/test_paths.h"
#include "ingest/csv_reader.h"
#include "ingest/encoding.h"
#include "ingest/jsonl_reader.h"
#include "storage/rocksdb/rocksdb_store.h"

namespace xinyong::ingest {
namespace {

namespace fs = std::filesystem;

using test::SourceDir;

constexpr const char* kHeader =
    "CF_XDR_MC,CF_XDR_LB,CF_XDR_SHXYM,CF_XDR_ZJLX,CF_XDR_ZJHM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,CF_CFLB,"
    "CF_NR,CF_NR_FK,CF_JDRQ,CF_CFJG,CF_CFJGDM,CF_SJLY,CF_SJLYDM,CF_CFCX\n";

// One admin_penalty row; `fine` and `date` vary the content.
std::string Penalty(const std::string& name, const std::string& uscc, const std::string& doc,
                    const std::string& date = "2025/03/03", const std::string& fine = "1.5",
                    const std::string& category = "法人及非法人组织", const std::string& id = "",
                    const std::string& procedure = "普通程序") {
  return name + "," + category + "," + uscc + "," + (id.empty() ? "" : "身份证") + "," + id + "," +
         doc + ",虚假宣传,\"经查，当事人发布\"\"最佳\"\"等用语\",《广告法》第五十五条,罚款,罚款人民币" +
         fine + "万元," + fine + "," + date +
         ",郑州市市场监督管理局,11410100MB1848126Q,郑州市市场监督管理局,11410100MB1848126Q," +
         procedure + "\n";
}

constexpr const char* kRegistrationHeader =
    "DJ_QYMC,DJ_TYSHXYDM,DJ_FDDBR,DJ_FR_ZJLX,DJ_FR_ZJHM,DJ_QYLX,DJ_ZCZB,DJ_CLRQ,DJ_DJJG,DJ_ZS,"
    "DJ_JYFW,DJ_DJZT,DJ_HZRQ\n";

// One reg_basic row of the company 91110000600037341L under `name`, in `status`.
std::string Registration(const std::string& name, const std::string& status) {
  return name + ",91110000600037341L,张三,,,有限责任公司,100,2020-01-02,郑州市市场监督管理局," +
         "郑州市金水区,软件开发," + status + ",2025-03-03\n";
}

class IngesterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("xinyong-ingest-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto cat = catalog::Catalog::LoadDirectory(SourceDir() + "/data/catalog");
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalog_ = std::move(cat).value();
    auto cal = WorkCalendar::LoadFile(SourceDir() + "/data/calendar/cn_workdays.toml");
    ASSERT_TRUE(cal.ok()) << cal.status().ToString();
    calendar_ = std::make_unique<WorkCalendar>(std::move(cal).value());
    vault_ = PersonalDataVault::ForTesting("ingester-test");
    OpenStore();
    options_.received_date = *Date::Parse("2025-03-12");
  }
  void TearDown() override {
    ingester_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  void OpenStore() {
    ingester_.reset();
    store_.reset();
    auto s = storage::RocksDbStore::Open((dir_ / "data").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    ingester_ = std::make_unique<Ingester>(*store_, *catalog_, *calendar_, *vault_);
  }
  Result<FileReport> Ingest(const std::string& text, const std::string& name = "admin_penalty.csv") {
    return ingester_->IngestBuffer(text, name, options_);
  }
  storage::StoreStats Stats() { return *store_->Stats(); }
  BatchReport Batch(uint64_t id) { return **store_->GetBatch(id); }
  // Three rows, the second over the reader's limit: two accepted, that one rejected.
  void ExpectTheSecondOfThreeRowsTooLarge(const FileReport& r) {
    EXPECT_EQ(r.rows, 3u);
    EXPECT_EQ(r.accepted, 2u);
    EXPECT_EQ(r.rejected, 1u);
    EXPECT_EQ(r.rows, r.accepted + r.rejected + r.duplicates);
    auto b = Batch(r.batches.at(0));
    ASSERT_EQ(b.rejections.size(), 1u);
    EXPECT_EQ(b.rejections[0].code, "row_too_large");
    EXPECT_EQ(b.rejections[0].row, 2u);
  }

  fs::path dir_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<WorkCalendar> calendar_;
  std::unique_ptr<PersonalDataVault> vault_;
  std::unique_ptr<storage::RocksDbStore> store_;
  std::unique_ptr<Ingester> ingester_;
  IngestOptions options_;
};

void ExpectCountsAddUp(const FileReport& r) {
  EXPECT_EQ(r.rows, r.accepted + r.rejected + r.duplicates);
}

TEST_F(IngesterTest, AcceptsValidRowsAndRejectsBadOnesWithRowFieldAndReason) {
  std::string csv = std::string(kHeader) +
                    Penalty("郑州宇通客车股份有限公司", "91110000600037341L", "郑市监罚〔2025〕1号") +
                    Penalty("坏码公司", "91110000600037341N", "郑市监罚〔2025〕2号") +
                    Penalty("缺文号公司", "914112810713741814", "") +
                    Penalty("坏日期公司", "914112810713741814", "郑市监罚〔2025〕3号", "2025-02-30");
  auto r = Ingest(csv);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->indicator, "admin_penalty");
  EXPECT_EQ(r->rows, 4u);
  EXPECT_EQ(r->accepted, 1u);
  EXPECT_EQ(r->rejected, 3u);
  ExpectCountsAddUp(*r);
  BatchReport b = Batch(r->batches[0]);
  ASSERT_EQ(b.rejections.size(), 3u);
  EXPECT_EQ(b.rejections[0].row, 2u);
  EXPECT_EQ(b.rejections[0].field, "CF_XDR_SHXYM");
  EXPECT_EQ(b.rejections[0].code, "invalid_uscc");
  EXPECT_EQ(b.rejections[1].field, "CF_WSH");
  EXPECT_EQ(b.rejections[1].code, "missing_field");
  EXPECT_EQ(b.rejections[2].code, "invalid_date");
  EXPECT_EQ(Stats().records, 1u);
  EXPECT_EQ(Stats().subjects, 1u) << "subjects of rejected rows are not created";
}

// One credit_commitment row as JSON Lines; `status` and `found` are its fulfilment status and the
// date it was found ("" = not given).
std::string Commitment(const std::string& code, const std::string& status,
                       const std::string& found, const std::string& publicity = "可向社会公开") {
  std::string row = R"({"CN_CNBM":")" + code +
                    R"(","CN_CNRMC":"甲公司","CN_CNRLB":"法人及非法人组织","CN_CNRDM":"91110000600037341L",)"
                    R"("CN_CNLX":"审批替代型","CN_CNSY":"申请食品经营许可","CN_CNNR":"三个月内补齐材料",)"
                    R"("CN_CNZCRQ":"2025-01-06","CN_CNYXQ":"2025-04-06","CN_CNSLDW":"郑州市市场监督管理局",)"
                    R"("CN_GKLX":")" + publicity + "\"";
  if (!status.empty()) row += R"(,"CN_LXZT":")" + status + "\"";
  if (!found.empty()) row += R"(,"CN_LXZTRDRQ":")" + found + "\"";
  return row + "}\n";
}

TEST_F(IngesterTest, ABrokenCommitmentBecomesANegativeRecordInTheSameBatch) {
  const std::string jsonl = Commitment("41010020250106000001", "全部履行", "2025-03-01") +
                            Commitment("41010020250106000002", "部分履行", "2025-03-02") +
                            Commitment("41010020250106000003", "", "") +
                            Commitment("41010020250106000004", "全部未履行", "") +
                            Commitment("41010020250106000000", "", "");
  auto r = Ingest(jsonl, "credit_commitment.jsonl");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 5u);
  EXPECT_EQ(r->accepted, 3u);
  EXPECT_EQ(r->rejected, 2u);
  EXPECT_EQ(r->derived, 1u);
  ExpectCountsAddUp(*r);
  BatchReport b = Batch(r->batches[0]);
  ASSERT_EQ(b.rejections.size(), 2u);
  // A breach without the date it was found cannot become a record: the row is refused whole.
  EXPECT_EQ(b.rejections[0].row, 4u);
  EXPECT_EQ(b.rejections[0].field, "CN_LXZTRDRQ");
  EXPECT_NE(b.rejections[0].message.find("全部未履行, so it becomes a record of 违背信用承诺信息"),
            std::string::npos)
      << b.rejections[0].message;
  EXPECT_EQ(b.rejections[1].code, "invalid_commitment_code");
  bool noted = false;
  for (const RowIssue& w : b.warnings) noted |= w.row == 2 && w.code == "derived";
  EXPECT_TRUE(noted);

  auto subject = store_->FindSubject(IdentifierKind::kUscc, "91110000600037341L");
  ASSERT_TRUE(subject.ok() && subject->has_value());
  std::vector<Record> breaches;
  ASSERT_TRUE(store_->ListRecords(**subject, "commitment_breach", &breaches).ok());
  ASSERT_EQ(breaches.size(), 1u);
  EXPECT_EQ(breaches[0].document_number, "41010020250106000002");
  EXPECT_EQ(breaches[0].decision_date, *Date::Parse("2025-03-02"));
  EXPECT_EQ(breaches[0].Get("WN_LXZT"), "部分履行");
  EXPECT_EQ(breaches[0].Get("WN_GKLX"), "可向社会公开");
  EXPECT_EQ(breaches[0].batch_id, r->batches[0]);

  // The same file again: duplicates, and no second breach.
  auto again = Ingest(jsonl, "credit_commitment.jsonl");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->duplicates, 3u);
  EXPECT_EQ(again->derived, 0u);
  // The accepting unit later finds the open commitment broken: a new version and a breach.
  auto found = Ingest(Commitment("41010020250106000003", "全部未履行", "2025-03-10"),
                      "credit_commitment.jsonl");
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->rejected, 0u) << Batch(found->batches[0]).rejections[0].message;
  EXPECT_EQ(found->corrected, 1u);
  EXPECT_EQ(found->derived, 1u);
  breaches.clear();
  ASSERT_TRUE(store_->ListRecords(**subject, "commitment_breach", &breaches).ok());
  EXPECT_EQ(breaches.size(), 2u);
}

TEST_F(IngesterTest, AFindingOfBreachStandsWhenTheCommitmentIsSentAgain) {
  const std::string code = "41010020250106000002";
  auto first = Ingest(Commitment(code, "部分履行", "2025-03-02"), "credit_commitment.jsonl");
  ASSERT_TRUE(first.ok() && first->accepted == 1u && first->derived == 1u);
  auto subject = store_->FindSubject(IdentifierKind::kUscc, "91110000600037341L");
  ASSERT_TRUE(subject.ok() && subject->has_value());
  auto current = [&] {
    std::vector<Record> v;
    EXPECT_TRUE(store_->ListRecords(**subject, "credit_commitment", &v).ok());
    for (Record& r : v) {
      if (r.document_number == code) return std::move(r);
    }
    return Record();
  };
  // The department's next export, without the finding or with another: refused, nothing changes.
  for (const auto& [status, found] : std::vector<std::pair<std::string, std::string>>{
           {"", ""}, {"全部履行", "2025-03-10"}, {"全部未履行", "2025-03-10"},
           {"部分履行", "2025-03-01"}}) {  // the same status found on another day: measures and
                                          // publicity run from that date
    auto again = Ingest(Commitment(code, status, found), "credit_commitment.jsonl");
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(again->rejected, 1u) << status;
    ExpectCountsAddUp(*again);
    const BatchReport b = Batch(again->batches[0]);
    ASSERT_EQ(b.rejections.size(), 1u);
    EXPECT_EQ(b.rejections[0].code, "breach_finding_stands");
    EXPECT_EQ(b.rejections[0].field, "CN_LXZT");
    EXPECT_NE(b.rejections[0].message.find("was found 部分履行（2025-03-02）"), std::string::npos)
        << b.rejections[0].message;
    EXPECT_EQ(current().version, 1u);
    EXPECT_EQ(current().Get("CN_LXZT"), "部分履行");
  }
  // A correction that keeps the finding is taken.
  std::string keeps = Commitment(code, "部分履行", "2025-03-02");
  keeps.replace(keeps.find("三个月内补齐材料"), std::string("三个月内补齐材料").size(), "两个月内补齐材料");
  auto kept = Ingest(keeps, "credit_commitment.jsonl");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->corrected, 1u);
  EXPECT_EQ(current().version, 2u);
  // Within one file the rule holds too: the second row may not undo the first's finding.
  auto both = Ingest(Commitment("41010020250106000007", "全部未履行", "2025-03-05") +
                         Commitment("41010020250106000007", "全部履行", "2025-03-06"),
                     "credit_commitment.jsonl");
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->accepted, 1u);
  EXPECT_EQ(both->rejected, 1u);
  // An upheld objection's correction (findings_stand off) may change it.
  IngestOptions objection = options_;
  objection.objection = true;
  auto upheld = ingester_->IngestBuffer(Commitment(code, "全部履行", "2025-03-10"),
                                        "credit_commitment.jsonl", objection);
  ASSERT_TRUE(upheld.ok());
  EXPECT_EQ(upheld->corrected, 1u);
  EXPECT_EQ(current().Get("CN_LXZT"), "全部履行");
  // A commitment revoked whole (an objection upheld against it) holds no finding: the
  // department may send it with what the objection established (kept revoked).
  auto subject7 = [&] {
    std::vector<Record> v;
    EXPECT_TRUE(store_->ListRecords(**subject, "credit_commitment", &v).ok());
    for (Record& r : v) {
      if (r.document_number == "41010020250106000007") return std::move(r);
    }
    return Record();
  };
  const Record seven = subject7();
  StatusChange revoke{seven.subject_id, seven.record_id, seven.version, RecordStatus::kRevoked,
                      "objection"};
  ASSERT_TRUE(ingester_->ChangeStatus(std::span(&revoke, 1), "objection", "", Date()).ok());
  auto after = Ingest(Commitment("41010020250106000007", "全部履行", "2025-03-06") +
                          Commitment("41010020250106000008", "", ""),
                      "credit_commitment.jsonl");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->rejected, 0u);
  EXPECT_EQ(subject7().Get("CN_LXZT"), "全部履行");
  EXPECT_EQ(subject7().status, RecordStatus::kRevoked);
}

TEST_F(IngesterTest, AnUpheldObjectionsCorrectionStandsAgainstResends) {
  const std::string csv = std::string(kHeader) + Penalty("甲公司", "91110000600037341L", "文1号");
  ASSERT_TRUE(Ingest(csv).ok());
  // The objection's correction: another fine.
  IngestOptions objection = options_;
  objection.objection = true;
  auto corrected = ingester_->IngestBuffer(
      std::string(kHeader) + Penalty("甲公司", "91110000600037341L", "文1号", "2025/03/03", "0.5"),
      "objection-correction.csv", objection);
  ASSERT_TRUE(corrected.ok() && corrected->corrected == 1u);
  EXPECT_EQ(Batch(corrected->batches[0]).format, "objection");
  // The department's next export still has the old fine (another file): refused.
  auto old = Ingest(csv + Penalty("甲公司", "91110000600037341L", "文2号"));
  ASSERT_TRUE(old.ok());
  ASSERT_EQ(old->rejected, 1u);
  EXPECT_EQ(Batch(old->batches[0]).rejections[0].code, "replaced_by_objection");
  auto id = store_->FindSubject(IdentifierKind::kUscc, "91110000600037341L");
  ASSERT_TRUE(id.ok() && id->has_value());
  std::vector<Record> records;
  ASSERT_TRUE(store_->ListRecords(**id, "admin_penalty", &records).ok());
  for (const Record& r : records) {
    if (r.document_number == "文1号") {
      EXPECT_EQ(r.Get("CF_NR_FK"), "0.5");
    }
  }
  // Field by field: the old fine back, with another decision date, is refused too, naming
  // the field the objection corrected.
  auto mixed = Ingest(std::string(kHeader) +
                      Penalty("甲公司", "91110000600037341L", "文1号", "2025/03/04", "1.5"));
  ASSERT_TRUE(mixed.ok());
  ASSERT_EQ(mixed->rejected, 1u);
  const auto mixed_rejection = Batch(mixed->batches[0]).rejections[0];
  EXPECT_EQ(mixed_rejection.code, "replaced_by_objection");
  EXPECT_TRUE(mixed_rejection.field == "CF_NR_FK" || mixed_rejection.field == "CF_NR")
      << mixed_rejection.field;
  EXPECT_NE(mixed_rejection.message.find("that correction replaced"), std::string::npos);
  // A correction the objection did not see (another fine again) is the department's to make.
  auto later = Ingest(std::string(kHeader) +
                      Penalty("甲公司", "91110000600037341L", "文1号", "2025/03/03", "0.8"));
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->corrected, 1u);
}

TEST_F(IngesterTest, ANewFindingAfterAnUpheldObjectionIsInForce) {
  const std::string code = "41010020250106000002";
  ASSERT_TRUE(Ingest(Commitment(code, "部分履行", "2025-03-02"), "credit_commitment.jsonl").ok());
  auto subject = store_->FindSubject(IdentifierKind::kUscc, "91110000600037341L");
  ASSERT_TRUE(subject.ok() && subject->has_value());
  auto breach = [&] {
    std::vector<Record> v;
    EXPECT_TRUE(store_->ListRecords(**subject, "commitment_breach", &v).ok());
    return v.empty() ? Record() : v[0];
  };
  ASSERT_EQ(breach().status, RecordStatus::kActive);
  // An objection is upheld: the commitment is corrected to 全部履行 and the breach revoked.
  IngestOptions objection = options_;
  objection.objection = true;
  auto corrected = ingester_->IngestBuffer(Commitment(code, "全部履行", "2025-03-05"),
                                           "credit_commitment.jsonl", objection);
  ASSERT_TRUE(corrected.ok() && corrected->corrected == 1u);
  const Record b = breach();
  StatusChange revoke{b.subject_id, b.record_id, b.version, RecordStatus::kRevoked, "objection"};
  ASSERT_TRUE(ingester_->ChangeStatus(std::span(&revoke, 1), "objection", "", Date()).ok());
  ASSERT_EQ(breach().status, RecordStatus::kRevoked);
  // The department's next export still carries the finding the objection withdrew: refused,
  // whether the row is the one the objection replaced or says more.
  std::string reworded = Commitment(code, "部分履行", "2025-03-02");
  reworded.replace(reworded.find("三个月内补齐材料"), std::string("三个月内补齐材料").size(),
                   "三个月内补齐全部材料");
  auto old = Ingest(Commitment(code, "部分履行", "2025-03-02") + reworded +
                        Commitment("41010020250106000009", "", ""),  // another file
                    "credit_commitment.jsonl");
  ASSERT_TRUE(old.ok());
  ASSERT_EQ(old->rejected, 2u);
  EXPECT_EQ(Batch(old->batches[0]).rejections[0].code, "replaced_by_objection");
  // The reworded row puts back the status the objection's correction replaced: refused for
  // that field.
  EXPECT_EQ(Batch(old->batches[0]).rejections[1].code, "replaced_by_objection");
  EXPECT_EQ(Batch(old->batches[0]).rejections[1].field, "CN_LXZT");
  EXPECT_EQ(breach().status, RecordStatus::kRevoked);
  // Later the accepting unit finds the commitment broken after all: a new negative fact, in force.
  auto found = Ingest(Commitment(code, "全部未履行", "2025-03-10"), "credit_commitment.jsonl");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->rejected, 0u);
  EXPECT_EQ(found->derived, 1u);
  EXPECT_EQ(breach().status, RecordStatus::kActive);
  EXPECT_EQ(breach().Get("WN_LXZT"), "全部未履行");
  bool noted = false;
  for (const RowIssue& w : Batch(found->batches[0]).warnings) noted |= w.code == "new_finding";
  EXPECT_TRUE(noted);
  // The same row again changes nothing; the breach stays as it is.
  auto again = Ingest(Commitment(code, "全部未履行", "2025-03-10"), "credit_commitment.jsonl");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->duplicates, 1u);
  EXPECT_EQ(breach().status, RecordStatus::kActive);
}

TEST_F(IngesterTest, AFalseCommitmentMustBeFoundBroken) {
  auto with_false = [](std::string row) { return row.insert(row.rfind('}'), R"(,"CN_XJCN":"是")"); };
  auto r = Ingest(with_false(Commitment("41010020250106000001", "全部履行", "2025-03-01")) +
                      with_false(Commitment("41010020250106000002", "", "")) +
                      with_false(Commitment("41010020250106000003", "全部未履行", "2025-03-01")),
                  "credit_commitment.jsonl");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 1u);
  EXPECT_EQ(r->rejected, 2u);
  EXPECT_EQ(r->derived, 1u);  // the third: a false commitment is a broken one
  const BatchReport b = Batch(r->batches[0]);
  ASSERT_EQ(b.rejections.size(), 2u);
  for (const RowIssue& i : b.rejections) {
    EXPECT_EQ(i.code, "false_commitment_not_breached");
    EXPECT_EQ(i.field, "CN_XJCN");
  }
  EXPECT_NE(b.rejections[0].message.find("not 全部履行"), std::string::npos);
  EXPECT_NE(b.rejections[1].message.find("not empty"), std::string::npos);
}

TEST_F(IngesterTest, IngestingTheSameFileTwiceChangesNothing) {
  std::string csv = std::string(kHeader) +
                    Penalty("甲公司", "91110000600037341L", "郑市监罚〔2025〕1号") +
                    Penalty("甲公司", "91110000600037341L", "郑市监罚〔2025〕2号") +
                    Penalty("乙公司", "914112810713741814", "郑市监罚〔2025〕3号");
  auto first = Ingest(csv);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->accepted, 3u);
  auto before = Stats();
  auto second = Ingest(csv);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->accepted, 0u);
  EXPECT_EQ(second->duplicates, 3u);
  ExpectCountsAddUp(*second);
  auto after = Stats();
  EXPECT_EQ(after.records, before.records);
  EXPECT_EQ(after.record_versions, before.record_versions);
  EXPECT_EQ(after.subjects, before.subjects);
}

TEST_F(IngesterTest, AFileThatCorrectsARecordWithinItselfChangesNothingTheSecondTime) {
  // 1号 is corrected twice within the file (1.5 → 2.0 → 1.5); small batches put the versions
  // into different parts of it.
  const std::string csv =
      std::string(kHeader) + Penalty("甲公司", "91110000600037341L", "郑市监罚〔2025〕1号") +
      Penalty("乙公司", "914112810713741814", "郑市监罚〔2025〕3号") +
      Penalty("甲公司", "91110000600037341L", "郑市监罚〔2025〕1号", "2025/03/03", "2.0") +
      Penalty("甲公司", "91110000600037341L", "郑市监罚〔2025〕1号", "2025/03/03", "1.5");
  options_.batch_rows = 2;
  auto first = Ingest(csv);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->accepted, 4u);
  EXPECT_EQ(first->corrected, 2u);
  const auto before = Stats();
  EXPECT_EQ(before.record_versions, 4u);

  auto second = Ingest(csv);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->accepted, 0u);
  EXPECT_EQ(second->duplicates, 4u);
  ExpectCountsAddUp(*second);
  const BatchReport b = Batch(second->batches.front());
  ASSERT_FALSE(b.warnings.empty());
  EXPECT_EQ(b.warnings.front().code, "redelivered");
  EXPECT_NE(b.warnings.front().message.find("batch " + std::to_string(first->batches.front())),
            std::string::npos);
  EXPECT_EQ(Stats().record_versions, before.record_versions);

  // A different file that restores the content of version 2 is a correction, not a re-delivery.
  options_.batch_rows = 50000;
  auto restore = Ingest(std::string(kHeader) + Penalty("甲公司", "91110000600037341L",
                                                       "郑市监罚〔2025〕1号", "2025/03/03", "2.0"));
  ASSERT_TRUE(restore.ok()) << restore.status().ToString();
  EXPECT_EQ(restore->accepted, 1u);
  EXPECT_EQ(restore->corrected, 1u);
  EXPECT_EQ(Stats().record_versions, before.record_versions + 1);
  EXPECT_TRUE(Batch(restore->batches.front()).warnings.empty());
}

TEST_F(IngesterTest, ARegistrationFileThatRenamesWithinItselfChangesNothingTheSecondTime) {
  const std::string csv = std::string(kRegistrationHeader) + Registration("甲公司", "存续") +
                          Registration("乙公司", "存续");
  auto first = Ingest(csv, "reg_basic.csv");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->accepted, 2u);  // the registration, then its correction (the new name)
  auto id = *store_->FindSubject(IdentifierKind::kUscc, "91110000600037341L");
  ASSERT_TRUE(id.has_value());
  const Subject before = **store_->GetSubject(*id);
  EXPECT_EQ(before.name, "乙公司");
  EXPECT_EQ(before.former_names, std::vector<std::string>{"甲公司"});

  auto second = Ingest(csv, "reg_basic.csv");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->accepted, 0u);
  EXPECT_EQ(second->duplicates, 2u);
  const Subject after = **store_->GetSubject(*id);
  EXPECT_EQ(after.name, "乙公司");
  EXPECT_EQ(after.former_names, std::vector<std::string>{"甲公司"}) << "not renamed back and forth";

  // A new file with the former name is a rename back.
  auto back = Ingest(std::string(kRegistrationHeader) + Registration("甲公司", "存续"),
                     "reg_basic.csv");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ((**store_->GetSubject(*id)).name, "甲公司");
}

// An older registration file delivered again after a newer one: its rows are duplicates of
// stored versions, and the subject keeps the status the newer file gave it.
TEST_F(IngesterTest, AnOlderRegistrationFileDeliveredAgainLeavesTheSubjectsStatus) {
  const std::string older = std::string(kRegistrationHeader) + Registration("甲公司", "存续");
  ASSERT_TRUE(Ingest(older, "reg_basic.csv").ok());
  auto newer = Ingest(std::string(kRegistrationHeader) + Registration("甲公司", "注销"),
                      "reg_basic.csv");
  ASSERT_TRUE(newer.ok()) << newer.status().ToString();
  EXPECT_EQ(newer->corrected, 1u);
  auto id = *store_->FindSubject(IdentifierKind::kUscc, "91110000600037341L");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ((**store_->GetSubject(*id)).status, "注销");

  auto again = Ingest(older, "reg_basic.csv");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->duplicates, 1u);
  EXPECT_EQ((**store_->GetSubject(*id)).status, "注销") << "not turned back by a duplicate";
}

TEST_F(IngesterTest, DuplicateWithinOneFileIsCountedOnce) {
  std::string row = Penalty("甲公司", "91110000600037341L", "郑市监罚〔2025〕1号");
  auto r = Ingest(std::string(kHeader) + row + row);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 1u);
  EXPECT_EQ(r->duplicates, 1u);
}

TEST_F(IngesterTest, ChangedContentUnderTheSameDocumentIsANewVersion) {
  ASSERT_TRUE(Ingest(std::string(kHeader) +
                     Penalty("甲公司", "91110000600037341L", "郑市监罚〔2025〕1号", "2025-03-03", "1.5"))
                  .ok());
  auto r = Ingest(std::string(kHeader) +
                  Penalty("甲公司", "91110000600037341L", "郑市监罚〔2025〕1号", "2025-03-03", "2.0"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 1u);
  EXPECT_EQ(r->corrected, 1u);
  auto id = *store_->FindSubject(IdentifierKind::kUscc, "91110000600037341L");
  std::vector<Record> records;
  ASSERT_TRUE(store_->ListRecords(*id, "", &records).ok());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].version, 2u);
  EXPECT_EQ(records[0].Get("CF_NR_FK"), "2");
  std::vector<Record> versions;
  ASSERT_TRUE(store_->ListRecordVersions(*id, records[0].record_id, &versions).ok());
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].Get("CF_NR_FK"), "1.5");
}

TEST_F(IngesterTest, CountsDecisionsReceivedAfterSevenWorkingDaysAsLate) {
  // 2025-03-03 is a Monday: the 7th working day after it is Wednesday 2025-03-12.
  options_.received_date = *Date::Parse("2025-03-12");
  auto on_time = Ingest(std::string(kHeader) + Penalty("甲公司", "91110000600037341L", "文1号", "2025-03-03"));
  ASSERT_TRUE(on_time.ok());
  EXPECT_EQ(on_time->late, 0u);
  options_.received_date = *Date::Parse("2025-03-13");
  auto late = Ingest(std::string(kHeader) + Penalty("甲公司", "91110000600037341L", "文2号", "2025-03-03"));
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->late, 1u);
  EXPECT_EQ(late->accepted, 1u) << "a late decision is still collected";

  // Corrections weeks later: timeliness is the decision's, judged when it first arrived. The
  // on-time one is not late now; the late one is not counted late a second time, and each new
  // version keeps its record's verdict.
  options_.received_date = *Date::Parse("2025-04-30");
  auto corrected = Ingest(std::string(kHeader) +
                          Penalty("甲公司", "91110000600037341L", "文1号", "2025-03-03", "2") +
                          Penalty("甲公司", "91110000600037341L", "文2号", "2025-03-03", "2"));
  ASSERT_TRUE(corrected.ok());
  EXPECT_EQ(corrected->corrected, 2u);
  EXPECT_EQ(corrected->late, 0u);
  auto id = store_->FindSubject(IdentifierKind::kUscc, "91110000600037341L");
  ASSERT_TRUE(id.ok() && id->has_value());
  std::vector<Record> records;
  ASSERT_TRUE(store_->ListRecords(**id, "admin_penalty", &records).ok());
  ASSERT_EQ(records.size(), 2u);
  for (const Record& r : records) {
    EXPECT_EQ(r.version, 2u);
    EXPECT_EQ(r.late, r.document_number == "文2号") << r.document_number;
  }
}

TEST_F(IngesterTest, GoldenWeekDoesNotCountAsWorkingDays) {
  // Decision on 2025-09-30; 1-8 October are holidays and Saturday 11 October is worked, so the
  // 7th working day is Thursday 16 October.
  options_.received_date = *Date::Parse("2025-10-16");
  auto r = Ingest(std::string(kHeader) + Penalty("甲公司", "91110000600037341L", "文3号", "2025-09-30"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->late, 0u);
  options_.received_date = *Date::Parse("2025-10-17");
  auto late = Ingest(std::string(kHeader) + Penalty("甲公司", "91110000600037341L", "文3b号", "2025-09-30"));
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->late, 1u);
}

TEST_F(IngesterTest, OutsideTheCalendarOnlyWhatIsCertainIsJudged) {
  // The calendar ends with 2026: the 7th working day after 2026-12-28 cannot be placed.
  auto ingest = [&](const char* received, const char* doc) {
    options_.received_date = *Date::Parse(received);
    auto r = Ingest(std::string(kHeader) +
                    Penalty("甲公司", "91110000600037341L", doc, "2026-12-28"));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : FileReport();
  };
  auto warned = [&](const FileReport& r) {
    for (const RowIssue& w : Batch(r.batches.at(0)).warnings) {
      if (w.code == "calendar_missing") return true;
    }
    return false;
  };
  // Within 7 days: on time whatever the holidays.
  FileReport soon = ingest("2027-01-04", "文7号");
  EXPECT_EQ(soon.accepted, 1u);
  EXPECT_EQ(soon.late, 0u);
  EXPECT_FALSE(warned(soon));
  // More than a month: late whatever the holidays.
  FileReport months = ingest("2027-02-15", "文8号");
  EXPECT_EQ(months.late, 1u);
  EXPECT_FALSE(warned(months));
  // In between: undecided, and said so.
  FileReport between = ingest("2027-01-12", "文9号");
  EXPECT_EQ(between.accepted, 1u);
  EXPECT_EQ(between.late, 0u);
  EXPECT_TRUE(warned(between));
  // Sent again: a duplicate, which is no new undecided decision.
  FileReport again = ingest("2027-01-13", "文9号");
  EXPECT_EQ(again.duplicates, 1u);
  EXPECT_FALSE(warned(again));
  // Corrected: judged with its decision, not again.
  options_.received_date = *Date::Parse("2027-01-14");
  auto corrected = Ingest(std::string(kHeader) +
                          Penalty("甲公司", "91110000600037341L", "文9号", "2026-12-28", "3"));
  ASSERT_TRUE(corrected.ok());
  EXPECT_EQ(corrected->corrected, 1u);
  EXPECT_FALSE(warned(*corrected));
}

TEST_F(IngesterTest, RejectsDecisionsDatedAfterReceipt) {
  auto r = Ingest(std::string(kHeader) + Penalty("甲公司", "91110000600037341L", "文4号", "2025-03-20"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rejected, 1u);
  EXPECT_EQ(Batch(r->batches[0]).rejections[0].code, "decision_in_future");
}

TEST_F(IngesterTest, RejectsSimpleProcedurePenaltiesOnNaturalPersonsUnderHenanRule) {
  auto r = Ingest(std::string(kHeader) +
                  Penalty("张三", "", "郑公交罚〔2025〕9号", "2025-03-03", "0.02", "自然人",
                          "11010519491231002X", "简易程序") +
                  Penalty("张三", "", "郑公交罚〔2025〕10号", "2025-03-03", "0.5", "自然人",
                          "11010519491231002X", "普通程序"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rejected, 1u);
  EXPECT_EQ(r->accepted, 1u);
  auto b = Batch(r->batches[0]);
  EXPECT_EQ(b.rejections[0].code, "henan_simple_procedure");
  EXPECT_NE(b.rejections[0].message.find("Henan"), std::string::npos);
}

// A foreigner's permanent residence card (外国人永久居留身份证) has numbers of its own, not a
// resident ID's; a certificate number that is only a dash names nobody and is rejected.
TEST_F(IngesterTest, OtherCertificatesAreTheirOwnAndADashIsNoNumber) {
  auto as = [](std::string row, const std::string& type) {
    return row.replace(row.find(",身份证,"), 11, "," + type + ",");
  };
  auto r = Ingest(std::string(kHeader) +
                  as(Penalty("约翰", "", "郑公交罚〔2025〕21号", "2025-03-03", "0.5", "自然人",
                             "USA110079010101"),
                     "外国人永久居留身份证") +
                  as(Penalty("某甲", "", "郑公交罚〔2025〕22号", "2025-03-03", "0.5", "自然人", "-"),
                     "护照号") +
                  as(Penalty("某乙", "", "郑公交罚〔2025〕23号", "2025-03-03", "0.5", "自然人", "—"),
                     "护照号"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 1u);
  EXPECT_EQ(r->rejected, 2u);
  auto b = Batch(r->batches[0]);
  ASSERT_EQ(b.rejections.size(), 2u);
  for (const auto& rej : b.rejections) {
    EXPECT_EQ(rej.code, "invalid_id_number") << rej.message;
    EXPECT_EQ(rej.field, "CF_XDR_ZJHM");
  }
}

// A certificate number with characters beyond ASCII is masked by characters, not bytes: the
// mask is valid UTF-8, two characters kept at each end.
TEST_F(IngesterTest, AnotherCertificatesMaskKeepsWholeCharacters) {
  std::string row = Penalty("约翰", "", "郑公交罚〔2025〕24号", "2025-03-03", "0.5", "自然人",
                            "证号12345");
  row.replace(row.find(",身份证,"), 11, ",护照号,");
  auto r = Ingest(std::string(kHeader) + row);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->accepted, 1u);
  std::vector<Record> records;
  ASSERT_TRUE(store_->ListRecords(1, "admin_penalty", &records).ok());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].Get("CF_XDR_ZJHM"), "证号***45");
}

TEST_F(IngesterTest, NaturalPersonIdIsNeverStoredInPlaintext) {
  const std::string id = "11010519491231002X";
  auto r = Ingest(std::string(kHeader) +
                  Penalty("张三", "", "郑公交罚〔2025〕11号", "2025-03-03", "0.5", "自然人", id) +
                  Penalty("李四", "", "郑公交罚〔2025〕12号", "2025-03-03", "0.5", "自然人",
                          "110105491231002"));  // the same person's legacy 15-digit form
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 2u);
  EXPECT_EQ(Stats().subjects, 1u) << "15- and 18-digit forms are one person";
  auto hash = vault_->LookupHash(id);
  auto found = store_->FindSubject(IdentifierKind::kResidentIdHash,
                                   std::string(reinterpret_cast<const char*>(hash.data()), hash.size()));
  ASSERT_TRUE(found.ok() && found->has_value());
  auto subject = **store_->GetSubject(**found);
  EXPECT_EQ(subject.id_masked, "1101**********002X");
  EXPECT_EQ(*vault_->Decrypt(subject.id_sealed), id);
  ASSERT_TRUE(store_->CompactAll().ok());
  for (const auto& e : fs::recursive_directory_iterator(dir_ / "data")) {
    if (!e.is_regular_file()) continue;
    std::ifstream f(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    EXPECT_EQ(ss.str().find("11010519491231002"), std::string::npos) << e.path();
    EXPECT_EQ(ss.str().find("110105491231002"), std::string::npos) << e.path();
  }
}

// A department puts a person's number where a USCC, a date or an amount belongs: the row is
// rejected, and the rejection — stored in the batch report, shown by the API and the CLI —
// shows the number masked. A huge cell is shown cut, not whole.
TEST_F(IngesterTest, RejectionsNeverShowAResidentIdAndShowLongCellsCut) {
  const std::string id = "11010519491231002X", legacy = "110105491231002";
  const std::string huge_date(10u << 20, '9');
  auto r = Ingest(std::string(kHeader) +
                  Penalty("甲", id, "郑罚〔2025〕1号") +
                  Penalty("乙", legacy, "郑罚〔2025〕2号") +
                  Penalty("丙", "91110000600037341L", "郑罚〔2025〕3号", "身份证" + id) +
                  Penalty("丁", "91110000600037341L", "郑罚〔2025〕4号", "2025-03-03", id) +
                  Penalty("戊", "91110000600037341L", "郑罚〔2025〕5号", huge_date) +
                  Penalty("己", "91110000600037341L", "郑罚〔2025〕6号", "2025-03-03",
                          "１１０１０５１９４９１２３１００２Ｘ") +  // full-width
                  Penalty("庚", "91110000600037341L", "郑罚〔2025〕7号", "110105 19491231 002X") +
                  Penalty("辛", "91110000600037341L", "郑罚〔2025〕8号", "2025-03-03",
                          "110105-1949-1231-002X"));  // typed in groups
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rejected, 8u);
  auto b = Batch(r->batches[0]);
  ASSERT_EQ(b.rejections.size(), 8u);
  const std::vector<std::string> codes = {"invalid_uscc",  "invalid_uscc",  "invalid_date",
                                          "invalid_money", "invalid_date",  "invalid_money",
                                          "invalid_date",  "invalid_money"};
  for (size_t i = 0; i < b.rejections.size(); ++i) {
    const std::string& m = b.rejections[i].message;
    EXPECT_EQ(b.rejections[i].code, codes[i]) << m;
    EXPECT_EQ(m.find("11010519491231002"), std::string::npos) << m;
    EXPECT_EQ(m.find("110105491231002"), std::string::npos) << m;
    EXPECT_EQ(m.find("491231"), std::string::npos) << "no part of the birth date either: " << m;
    EXPECT_EQ(m.find("1231"), std::string::npos) << m;
    EXPECT_EQ(m.find("４９１２３１"), std::string::npos) << m;
    EXPECT_LT(m.size(), 300u) << b.rejections[i].code;
  }
  EXPECT_NE(b.rejections[0].message.find("1101**********002X"), std::string::npos)
      << b.rejections[0].message;
  EXPECT_NE(b.rejections[4].message.find("…"), std::string::npos) << "cut, and says so";
}

// A person's number in a code field that is not a USCC (事业单位证书号, 社会组织登记证号) would
// become the subject's published code: the row is rejected, the number shown masked.
TEST_F(IngesterTest, RejectsAResidentIdInAnInstitutionsCodeField) {
  auto row = [](const std::string& doc, const std::string& code) {
    return "某某卫生院,法人及非法人组织," + code + "," + doc +
           ",虚假宣传,经查属实,《广告法》第五十五条,罚款,罚款人民币1万元,1,2025-03-03,"
           "郑州市市场监督管理局,11410100MB1848126Q,郑州市市场监督管理局,11410100MB1848126Q,"
           "普通程序\n";
  };
  auto r = Ingest(
      "CF_XDR_MC,CF_XDR_LB,CF_XDR_SYDW,CF_WSH,CF_WFXW,CF_SY,CF_YJ,CF_CFLB,CF_NR,CF_NR_FK,"
      "CF_JDRQ,CF_CFJG,CF_CFJGDM,CF_SJLY,CF_SJLYDM,CF_CFCX\n" +
      row("郑罚〔2025〕31号", "11010519491231002X") + row("郑罚〔2025〕32号", "110105491231002") +
      row("郑罚〔2025〕33号", "事证第11010519491231002X号") +
      row("郑罚〔2025〕34号", "141000000123"));  // a real certificate number
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 1u);
  EXPECT_EQ(r->rejected, 3u);
  for (const auto& rej : Batch(r->batches[0]).rejections) {
    EXPECT_EQ(rej.code, "invalid_code");
    EXPECT_EQ(rej.field, "CF_XDR_SYDW");
    EXPECT_NE(rej.message.find("has the form of a resident ID number"), std::string::npos) << rej.message;
    EXPECT_EQ(rej.message.find("491231"), std::string::npos) << rej.message;
  }
  EXPECT_EQ(Stats().subjects, 1u);
}

TEST_F(IngesterTest, ReadsGbkWithChineseHeaders) {
  std::string header =
      "行政相对人名称,行政相对人类别,统一社会信用代码,行政处罚决定书文号,违法行为类型,违法事实,"
      "处罚依据,处罚类别,处罚内容,处罚决定日期,处罚机关,处罚机关统一社会信用代码,数据来源单位,"
      "数据来源单位统一社会信用代码\n";
  std::string row =
      "郑州市金水区老王烩面馆,个体工商户,92410105MA40ABCD1X,金市监罚〔2025〕7号,食品安全,"
      "未按规定公示许可证,《食品安全法》,警告,警告,2025-03-05,金水区市场监督管理局,"
      "11410105MB1848126Q,金水区市场监督管理局,11410105MB1848126Q\n";
  auto header_fields = catalog_->Find("admin_penalty");
  ASSERT_NE(header_fields, nullptr);
  auto gbk = Utf8ToGb18030(header + row);
  ASSERT_TRUE(gbk.ok());
  auto r = ingester_->IngestBuffer(*gbk, "upload.csv", options_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->encoding, "gb18030");
  EXPECT_EQ(r->indicator, "admin_penalty") << "indicator recognized from the Chinese header";
  EXPECT_EQ(r->rows, 1u);
  ExpectCountsAddUp(*r);
}

TEST_F(IngesterTest, ReadsJsonLines) {
  std::string jsonl =
      R"({"CF_XDR_MC":"甲公司","CF_XDR_LB":"法人及非法人组织","CF_XDR_SHXYM":"91110000600037341L","CF_WSH":"文5号","CF_WFXW":"x","CF_SY":"y","CF_YJ":"z","CF_CFLB":"罚款","CF_NR":"罚款","CF_NR_FK":1.5,"CF_JDRQ":"2025-03-03","CF_CFJG":"局","CF_CFJGDM":"11410100MB1848126Q","CF_SJLY":"局","CF_SJLYDM":"11410100MB1848126Q"})"
      "\nnot json\n[1,2]\n";
  auto r = ingester_->IngestBuffer(jsonl, "admin_penalty.jsonl", options_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 3u);
  EXPECT_EQ(r->accepted, 1u);
  EXPECT_EQ(r->rejected, 2u);
  auto b = Batch(r->batches[0]);
  EXPECT_EQ(b.rejections[0].code, "invalid_json");
}

// A JSON line as other programs write them: decimals as doubles (Python writes 100000.0), a field
// given twice (by code and by label) is not guessed at, and keys are shown masked.
TEST_F(IngesterTest, JsonLinesTakeDoublesRefuseRepeatedFieldsAndMaskKeys) {
  const auto line = [](const std::string& doc, const std::string& fine, const std::string& extra) {
    return R"({"CF_XDR_MC":"甲公司","CF_XDR_LB":"法人及非法人组织","CF_XDR_SHXYM":"91110000600037341L","CF_WSH":")" +
           doc + R"(","CF_WFXW":"x","CF_SY":"y","CF_YJ":"z","CF_CFLB":"罚款","CF_NR":"罚款","CF_NR_FK":)" +
           fine +
           R"(,"CF_JDRQ":"2025-03-03","CF_CFJG":"局","CF_CFJGDM":"11410100MB1848126Q","CF_SJLY":"局","CF_SJLYDM":"11410100MB1848126Q")" +
           extra + "}\n";
  };
  const std::string jsonl = line("文1号", "100000.0", "") + line("文2号", "0.0001", "") +
                            line("文3号", "1.5", R"(,"行政相对人名称":"乙公司")") +
                            line("文4号", "1.5", R"(,"11010519491231002X":{"x":1})") +
                            line("文5号", "2.5", R"(,"11010519491231002X":"1")") +
                            line("文6号", "12345678901234567.5", "");
  auto r = ingester_->IngestBuffer(jsonl, "admin_penalty.jsonl", options_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 6u);
  EXPECT_EQ(r->accepted, 3u);
  ExpectCountsAddUp(*r);
  const BatchReport b = Batch(r->batches.at(0));
  ASSERT_EQ(b.rejections.size(), 3u);
  EXPECT_EQ(b.rejections[0].row, 3u);
  EXPECT_EQ(b.rejections[0].code, "repeated_field");
  EXPECT_NE(b.rejections[0].message.find("CF_XDR_MC"), std::string::npos) << b.rejections[0].message;
  EXPECT_EQ(b.rejections[1].row, 4u);
  EXPECT_EQ(b.rejections[1].code, "invalid_json");
  // Beyond 2^53 a double loses digits: refused, not stored rounded.
  EXPECT_EQ(b.rejections[2].row, 6u);
  EXPECT_NE(b.rejections[2].message.find("too large to be read exactly"), std::string::npos)
      << b.rejections[2].message;
  bool warned = false;
  for (const RowIssue& i : b.rejections) {
    EXPECT_EQ(i.message.find("11010519491231002X"), std::string::npos) << i.message;
  }
  for (const RowIssue& w : b.warnings) {
    EXPECT_EQ(w.message.find("11010519491231002X"), std::string::npos) << w.message;
    EXPECT_EQ(w.field.find("11010519491231002X"), std::string::npos) << w.field;
    warned = warned || w.code == "unknown_column";
  }
  EXPECT_TRUE(warned);
  std::vector<Record> records;
  auto id = store_->FindSubject(IdentifierKind::kUscc, "91110000600037341L");
  ASSERT_TRUE(id.ok() && id->has_value());
  ASSERT_TRUE(store_->ListRecords(**id, "admin_penalty", &records).ok());
  std::set<std::string> fines;
  for (const Record& rec : records) fines.insert(std::string(rec.Get("CF_NR_FK")));
  EXPECT_TRUE(fines.contains("100000")) << *fines.begin();
  EXPECT_TRUE(fines.contains("0.0001")) << *fines.begin();
}

// Byte order marks of either encoding are no part of the first header name, and rows of
// separators or spaces only (a spreadsheet's empty rows) are blank lines, not rows.
TEST_F(IngesterTest, ByteOrderMarksAndRowsOfSeparatorsAreNotContent) {
  std::string quoted = kHeader;
  quoted = "\"CF_XDR_MC\"" + quoted.substr(quoted.find(','));
  const std::string rows = Penalty("甲公司", "91110000600037341L", "郑市监罚〔2025〕1号");
  auto gb = Utf8ToGb18030(quoted + rows);
  ASSERT_TRUE(gb.ok());
  auto r = Ingest("\x84\x31\x95\x33" + *gb);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->encoding, "gb18030");
  EXPECT_EQ(r->accepted, 1u);
  // A UTF-8 mark before GBK text (a bad conversion): the mark goes, the text is read as GBK.
  auto gbk_name = Utf8ToGb18030(quoted + Penalty("乙公司", "91310115MA1K3BTP2B", "郑市监罚〔2025〕2号"));
  ASSERT_TRUE(gbk_name.ok());
  r = Ingest("\xEF\xBB\xBF" + *gbk_name);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 1u);
  std::string cr_only = std::string(kHeader) + Penalty("丁公司", "91110000600037341L", "郑市监罚〔2025〕4号");
  std::replace(cr_only.begin(), cr_only.end(), '\n', '\r');
  r = Ingest(cr_only);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("CR alone"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("admin_penalty.csv"), std::string::npos) << r.status().ToString();
  r = Ingest(std::string(kHeader) + Penalty("丙公司", "9144030071526726XG", "郑市监罚〔2025〕3号") +
             ",,,,,,,,,,,,,,,,,\r\n,,,\n  \n\" \",\t\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 1u);
  EXPECT_EQ(r->accepted, 1u);
  EXPECT_EQ(r->rejected, 0u);
}

// A line over the limit (a single-line export, a runaway field) is rejected without being held
// in memory, and the lines after it are read.
TEST_F(IngesterTest, AJsonLineOverTheLimitIsRejectedAndReadingGoesOn) {
  const auto line = [](int n) {
    return R"({"CF_XDR_MC":"甲公司","CF_XDR_LB":"法人及非法人组织","CF_XDR_SHXYM":"91110000600037341L","CF_WSH":"文)" +
           std::to_string(n) +
           R"(号","CF_WFXW":"x","CF_SY":"y","CF_YJ":"z","CF_CFLB":"罚款","CF_NR":"罚款","CF_NR_FK":1.5,"CF_JDRQ":"2025-03-03","CF_CFJG":"局","CF_CFJGDM":"11410100MB1848126Q","CF_SJLY":"局","CF_SJLYDM":"11410100MB1848126Q"})"
           "\n";
  };
  std::string jsonl = line(1) + R"({"CF_WFXW":")";
  jsonl.append(JsonlReader::kMaxLineBytes + 1000, 'x');
  jsonl += "\"}\n" + line(2);
  auto r = ingester_->IngestBuffer(jsonl, "admin_penalty.jsonl", options_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectTheSecondOfThreeRowsTooLarge(*r);
  // Read from a file, in chunks: the long line is dropped as it comes, then the same report
  // (the two good lines now duplicates).
  fs::create_directories(dir_);
  const fs::path file = dir_ / "admin_penalty.jsonl";
  std::ofstream(file, std::ios::binary) << jsonl;
  auto f = ingester_->IngestFile(file.string(), options_);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->rows, 3u);
  EXPECT_EQ(f->duplicates, 2u);
  EXPECT_EQ(f->rejected, 1u);
  EXPECT_EQ(Batch(f->batches[0]).rejections.at(0).code, "row_too_large");
}

// An exception while rows are read (memory exhausted, a caller's cells_of) fails the call with
// an error instead of ending the process, and stores nothing of the call.
TEST_F(IngesterTest, AnExceptionWhileReadingRowsFailsTheCallNotTheProcess) {
  ASSERT_TRUE(Ingest(std::string(kHeader) + Penalty("甲公司", "91110000600037341L", "郑罚〔2025〕1号")).ok());
  const auto before = Stats();
  ingest::IngestOptions o = options_;
  o.indicator = "admin_penalty";
  auto r = ingester_->IngestRows(
      3, [](size_t, std::vector<std::string_view>*) { throw std::runtime_error("cells lost"); },
      "exchange:test", o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cells lost"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(Stats().record_versions, before.record_versions);
  EXPECT_EQ(Stats().batches, before.batches);
  // The ingester goes on working.
  EXPECT_TRUE(Ingest(std::string(kHeader) + Penalty("乙公司", "91110000600037341L", "郑罚〔2025〕2号")).ok());
}

// An exception from the commit observer (what updates names, codes and grades) stops the
// process, as a kill at that moment would, after the batch committed: nothing would bring the
// derived state back later, and a restart rebuilds it.
TEST_F(IngesterTest, AnExceptionFromTheCommitObserverStopsTheProcessAfterTheCommit) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");  // the ingester runs threads
  ingester_->SetCommitObserver(
      [](const CommittedBatch&) { throw std::runtime_error("index unavailable"); });
  EXPECT_DEATH(
      Ingest(std::string(kHeader) + Penalty("甲公司", "91110000600037341L", "郑罚〔2025〕1号"))
          .IgnoreError(),
      "was committed, but updating what follows from it failed \\(index unavailable\\)");
  // The child ran SetUp under its own pid and died before its TearDown: remove what it left (and
  // what children of earlier runs left).
  const std::string suffix =
      std::string("-") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::temp_directory_path(), ec)) {
    const std::string n = e.path().filename().string();
    if (!n.starts_with("xinyong-ingest-") || !n.ends_with(suffix)) continue;
    const pid_t pid = static_cast<pid_t>(std::atol(n.c_str() + std::strlen("xinyong-ingest-")));
    if (pid > 0 && pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH) {
      fs::remove_all(e.path(), ec);
    }
  }
}

TEST_F(IngesterTest, AJsonLinesFileIngestedAgainSaysSoBeforeItsOtherWarnings) {
  const std::string jsonl =
      R"({"CF_XDR_MC":"甲公司","CF_XDR_LB":"法人及非法人组织","CF_XDR_SHXYM":"91110000600037341L","CF_WSH":"文5号","CF_WFXW":"x","CF_SY":"y","CF_YJ":"z","CF_CFLB":"罚款","CF_NR":"罚款","CF_NR_FK":1.5,"CF_JDRQ":"2025-03-03","CF_CFJG":"局","CF_CFJGDM":"11410100MB1848126Q","CF_SJLY":"局","CF_SJLYDM":"11410100MB1848126Q","BEIZHU":"?"})"
      "\n";
  ASSERT_TRUE(ingester_->IngestBuffer(jsonl, "admin_penalty.jsonl", options_).ok());
  auto again = ingester_->IngestBuffer(jsonl, "admin_penalty.jsonl", options_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->duplicates, 1u);
  const BatchReport b = Batch(again->batches.front());
  ASSERT_EQ(b.warnings.size(), 2u);
  EXPECT_EQ(b.warnings[0].code, "redelivered");
  EXPECT_EQ(b.warnings[1].code, "unknown_column");
}

TEST_F(IngesterTest, RowsAlreadySplitIntoCellsGoThroughTheSamePipeline) {
  // Penalty("甲公司", "91110000600037341L", "文1号") as cells in kHeader's order.
  const std::vector<std::string> good = {
      "甲公司", "法人及非法人组织", "91110000600037341L", "", "", "文1号", "虚假宣传",
      "经查，当事人发布\"最佳\"等用语", "《广告法》第五十五条", "罚款", "罚款人民币1.5万元", "1.5",
      "2025/03/03", "郑州市市场监督管理局", "11410100MB1848126Q", "郑州市市场监督管理局",
      "11410100MB1848126Q", "普通程序"};
  std::vector<std::vector<std::string>> rows = {good, good, good, good};
  rows[1][2] = "91110000600037341N";  // check digit wrong
  rows[3][5] = "文2号";
  rows[3][6] = "\xFF\xFE";  // not UTF-8
  std::vector<std::string> codes;
  std::string header = kHeader;
  header.pop_back();
  for (size_t b = 0, e; b <= header.size(); b = e + 1) {
    e = std::min(header.find(',', b), header.size());
    codes.push_back(header.substr(b, e - b));
  }
  const catalog::Indicator& ind = *catalog_->Find("admin_penalty");
  IngestOptions options = options_;
  options.indicator = "admin_penalty";
  options.format = "exchange";
  auto r = ingester_->IngestRows(
      rows.size(),
      [&](size_t i, std::vector<std::string_view>* cells) {
        for (size_t c = 0; c < codes.size(); ++c) {
          (*cells)[static_cast<size_t>(ind.FieldIndex(codes[c]))] = rows[i][c];
        }
      },
      "exchange:test:1-4", options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 4u);
  EXPECT_EQ(r->accepted, 1u);
  EXPECT_EQ(r->rejected, 2u);
  EXPECT_EQ(r->duplicates, 1u);
  ExpectCountsAddUp(*r);
  BatchReport b = Batch(r->batches[0]);
  EXPECT_EQ(b.file, "exchange:test:1-4");
  EXPECT_EQ(b.format, "exchange");
  EXPECT_EQ(b.encoding, "utf-8");
  ASSERT_EQ(b.rejections.size(), 2u);
  EXPECT_EQ(b.rejections[0].row, 2u);
  EXPECT_EQ(b.rejections[0].code, "invalid_uscc");
  EXPECT_EQ(b.rejections[1].row, 4u);
  EXPECT_EQ(b.rejections[1].code, "invalid_encoding");
  EXPECT_EQ(b.rejections[1].field, "CF_WFXW");
  // The same row as a file is a duplicate: both ways give the same normalized values and hash.
  auto file = Ingest(std::string(kHeader) + Penalty("甲公司", "91110000600037341L", "文1号"));
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->duplicates, 1u);
  EXPECT_EQ(Stats().records, 1u);
  // Without an indicator there is nothing to align the cells with.
  options.indicator.clear();
  EXPECT_FALSE(ingester_->IngestRows(1, [](size_t, std::vector<std::string_view>*) {}, "x", options).ok());
}

TEST_F(IngesterTest, FlagsANameThatDiffersFromTheStoredOne) {
  ASSERT_TRUE(Ingest(std::string(kHeader) + Penalty("甲公司", "91110000600037341L", "文6号")).ok());
  auto r = Ingest(std::string(kHeader) + Penalty("丙公司", "91110000600037341L", "文7号"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->accepted, 1u);
  auto b = Batch(r->batches[0]);
  ASSERT_EQ(b.warnings.size(), 1u);
  EXPECT_EQ(b.warnings[0].code, "name_conflict");
  // Bracket width is not a conflict.
  ASSERT_TRUE(Ingest(std::string(kHeader) + Penalty("郑州某（集团）公司", "914112810713741814", "文8号")).ok());
  auto same = Ingest(std::string(kHeader) + Penalty("郑州某(集团)公司", "914112810713741814", "文9号"));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(Batch(same->batches[0]).warnings.size(), 0u);
}

TEST_F(IngesterTest, RegistrationSetsStatusAndNamesAndTellsTheCommitObserver) {
  std::vector<Subject> observed;
  std::vector<uint64_t> with_records;
  ingester_->SetCommitObserver([&](const CommittedBatch& b) {
    observed.insert(observed.end(), b.subjects.begin(), b.subjects.end());
    with_records.insert(with_records.end(), b.record_subjects.begin(), b.record_subjects.end());
    EXPECT_EQ(b.records.size(), b.record_subjects.size());  // one record per subject here
  });
  const std::string header = kRegistrationHeader;
  const auto& row = Registration;
  auto r = Ingest(header + row("甲公司", "存续"), "reg_basic.csv");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->accepted, 1u) << Batch(r->batches[0]).rejections.at(0).message;
  ASSERT_EQ(observed.size(), 1u);
  EXPECT_EQ(observed[0].status, "存续");
  observed.clear();
  ASSERT_TRUE(Ingest(header + row("乙公司", "注销"), "reg_basic.csv").ok());
  ASSERT_EQ(observed.size(), 1u);
  EXPECT_EQ(observed[0].name, "乙公司");
  EXPECT_EQ(observed[0].former_names, std::vector<std::string>{"甲公司"});
  EXPECT_EQ(observed[0].status, "注销");
  auto stored = store_->GetSubject(observed[0].id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->status, "注销");
  // A penalty does not touch the registration status, and an unchanged subject is not re-sent;
  // the subject whose records changed is.
  observed.clear();
  with_records.clear();
  ASSERT_TRUE(Ingest(std::string(kHeader) + Penalty("乙公司", "91110000600037341L", "文1号")).ok());
  EXPECT_TRUE(observed.empty());
  EXPECT_EQ(with_records, std::vector<uint64_t>{(*stored)->id});
}

TEST_F(IngesterTest, RegistrationSetsTheIndustryAndRejectsOneThatIsNotInGbt4754) {
  const std::string header = "企业名称,统一社会信用代码,行业代码,登记状态\n";
  auto r = Ingest(header + "甲公司,91110000600037341L,c13,存续\n" +
                      "乙公司,91310115MA1K3BTP2B,C05,存续\n" +  // 05 is agriculture's
                      "丙公司,9144030071526726XG,,存续\n",
                  "reg_basic.csv");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 2u);
  ASSERT_EQ(r->rejected, 1u);
  const RowIssue bad = Batch(r->batches[0]).rejections.at(0);
  EXPECT_EQ(bad.field, "DJ_HYDM");
  EXPECT_EQ(bad.code, "invalid_industry");
  EXPECT_NE(bad.message.find("belongs to section A"), std::string::npos) << bad.message;
  auto subject = [&](std::string_view uscc) {
    auto id = store_->FindSubject(IdentifierKind::kUscc, uscc);
    EXPECT_TRUE(id.ok() && id->has_value()) << uscc;
    return **store_->GetSubject(**id);
  };
  EXPECT_EQ(subject("91110000600037341L").industry, "C13");
  EXPECT_EQ(subject("9144030071526726XG").industry, "");  // none given
  // A later registration with another industry changes it; one without leaves it; a penalty
  // never touches it.
  ASSERT_TRUE(Ingest(header + "甲公司,91110000600037341L,5191,存续\n", "reg_basic.csv").ok());
  EXPECT_EQ(subject("91110000600037341L").industry, "F51");
  ASSERT_TRUE(Ingest(header + "甲公司,91110000600037341L,,存续\n", "reg_basic.csv").ok());
  ASSERT_TRUE(Ingest(std::string(kHeader) + Penalty("甲公司", "91110000600037341L", "文9号")).ok());
  EXPECT_EQ(subject("91110000600037341L").industry, "F51");
  // It survives a reopen (stored with the subject).
  OpenStore();
  EXPECT_EQ(subject("91110000600037341L").industry, "F51");
}

// 落实到人: list entries link the persons they name to the entry; registration links nobody.
TEST_F(IngesterTest, ListEntriesLinkTheirLegalRepresentativeAndResponsiblePerson) {
  const std::string rep = "11010519491231002X", responsible = "110105194912310038";
  auto r = Ingest(
      "DJ_QYMC,DJ_TYSHXYDM,DJ_FDDBR,DJ_FR_ZJHM\n甲公司,91110000600037341L,张三," + rep + "\n",
      "reg_basic.csv");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->accepted, 1u);
  auto links = [&](const std::string& id) {
    auto h = vault_->LookupHash(id);
    std::vector<PersonLink> out;
    EXPECT_TRUE(store_->ListPersonLinks(
        std::string_view(reinterpret_cast<const char*>(h.data()), h.size()), &out).ok());
    return out;
  };
  EXPECT_TRUE(links(rep).empty());
  r = Ingest(
      "YZSX_ZTMC,YZSX_ZTLB,YZSX_TYSHXYDM,YZSX_FDDBR,YZSX_FR_ZJHM,YZSX_ZRR,YZSX_ZRR_ZJHM,YZSX_MDMC,"
      "YZSX_RDBM,YZSX_RDBMDM,YZSX_RDWSH,YZSX_LRYY,YZSX_FLYJ,YZSX_LRRQ,YZSX_YXQZ\n"
      "甲公司,法人及非法人组织,91110000600037341L,张三," + rep + ",李四," + responsible +
          ",环境违法严重失信名单,郑州市生态环境局,11410100MB1EM1ACX8,郑环严失认〔2024〕1号,"
          "逃避监管排放水污染物,《中华人民共和国环境保护法》第五十四条,2024-09-11,2099-09-11\n",
      "serious_dishonesty.csv");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->accepted, 1u) << Batch(r->batches[0]).rejections.at(0).message;
  std::vector<PersonLink> l = links(rep);
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].role, PersonRole::kLegalRepresentative);
  std::vector<Record> entry;
  ASSERT_TRUE(store_->ListRecords(l[0].subject_id, "serious_dishonesty", &entry).ok());
  ASSERT_EQ(entry.size(), 1u);
  EXPECT_EQ(l[0].record_id, entry[0].record_id);
  l = links(responsible);
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].role, PersonRole::kResponsiblePerson);
  EXPECT_EQ(l[0].record_id, entry[0].record_id);
}

TEST_F(IngesterTest, SplitsLargeFilesIntoAtomicBatches) {
  std::string csv = kHeader;
  for (int i = 0; i < 5; ++i) {
    csv += Penalty("甲公司", "91110000600037341L", "文号" + std::to_string(i));
  }
  options_.batch_rows = 2;
  auto r = Ingest(csv);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->batches.size(), 3u);
  EXPECT_EQ(r->accepted, 5u);
  EXPECT_EQ(Batch(r->batches[2]).first_row, 5u);
  EXPECT_EQ(Stats().subjects, 1u);
}

// Regression: with more subjects than the caches hold, a cache cleared while a batch was still
// being committed made the next batch miss that batch's subjects ("an identifier points to a
// missing subject") or create them a second time. Seen ingesting 1,000,000 subjects.
TEST_F(IngesterTest, TinyCachesNeverLoseSubjectsOfTheBatchInFlight) {
  IngestCacheLimits tiny;
  tiny.ids = 5;
  tiny.subjects = 3;
  ingester_ = std::make_unique<Ingester>(*store_, *catalog_, *calendar_, *vault_, tiny);
  const std::string codes[] = {"91110000600037341L", "914112810713741814", "91310115MA1K3BTP2B",
                               "9144030071526726XG", "92340602MA2PBMEM24"};
  std::string csv = kHeader;
  for (int i = 0; i < 60; ++i) {
    csv += Penalty("公司" + std::to_string(i % 5), codes[i % 5], "文号T" + std::to_string(i));
  }
  options_.batch_rows = 4;  // every subject appears again in the following batches
  auto r = Ingest(csv);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 60u);
  EXPECT_EQ(r->new_subjects, 5u);
  EXPECT_EQ(Stats().subjects, 5u);
  auto again = Ingest(csv);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->duplicates, 60u);
}

// Natural keys are read from the store ahead of the rows (a stretch of 256 at a time), while
// earlier batches of the same file are still being committed: a correction of a decision two or
// more batches back must still find it, never make a second record.
TEST_F(IngesterTest, CorrectionsOfDecisionsInEarlierBatchesOfTheFileAreNewVersions) {
  const std::string codes[] = {"91110000600037341L", "914112810713741814", "91310115MA1K3BTP2B",
                               "9144030071526726XG", "92340602MA2PBMEM24"};
  std::string first = kHeader;
  for (int i = 0; i < 50; ++i) {
    first += Penalty("公司" + std::to_string(i % 5), codes[i % 5], "文号A" + std::to_string(i));
  }
  ASSERT_TRUE(Ingest(first).ok());  // the subjects exist, so their keys are read ahead
  std::string csv = kHeader;
  for (int i = 0; i < 300; ++i) {
    csv += Penalty("公司" + std::to_string(i % 5), codes[i % 5], "文号B" + std::to_string(i));
    // Every decision corrected 20 rows (several batches) later; the first file's too.
    if (i >= 20) {
      csv += Penalty("公司" + std::to_string((i - 20) % 5), codes[(i - 20) % 5],
                     "文号B" + std::to_string(i - 20), "2025/03/03", "9");
    }
    if (i < 50) csv += Penalty("公司" + std::to_string(i % 5), codes[i % 5], "文号A" + std::to_string(i), "2025/03/03", "8");
  }
  options_.batch_rows = 7;
  auto r = Ingest(csv);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 300u + 280u + 50u);
  EXPECT_EQ(r->corrected, 280u + 50u);
  EXPECT_EQ(r->accepted, r->rows);
  EXPECT_EQ(Stats().records, 50u + 300u);
  EXPECT_EQ(Stats().subjects, 5u);
}

TEST_F(IngesterTest, TheUsccDecidesWhenAnOrganizationCodeIsShared) {
  // Same organization code 600037341, another registration region: another subject.
  std::string other = "91410105600037341";
  other.push_back(ident::UsccCheckChar(other));
  ASSERT_TRUE(Ingest(std::string(kHeader) + Penalty("甲公司", "91110000600037341L", "文号U1")).ok());
  auto r = Ingest(std::string(kHeader) + Penalty("乙公司", other, "文号U2"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->new_subjects, 1u);
  EXPECT_EQ(Stats().subjects, 2u);
  auto b = Batch(r->batches[0]);
  ASSERT_EQ(b.warnings.size(), 1u);
  EXPECT_EQ(b.warnings[0].code, "identifier_conflict");
  auto first = store_->FindSubject(IdentifierKind::kUscc, "91110000600037341L");
  auto second = store_->FindSubject(IdentifierKind::kUscc, other);
  ASSERT_TRUE(first.ok() && second.ok() && first->has_value() && second->has_value());
  EXPECT_NE(**first, **second);
  auto org = store_->FindSubject(IdentifierKind::kOrgCode, "600037341");
  EXPECT_EQ(**org, **first) << "the organization code still names the first subject";
  // The same row sent again is a duplicate; its conflict was counted when it was stored, and a
  // row rejected for another reason does not warn of one either (重错码率 counts rows stored).
  auto again = Ingest(std::string(kHeader) + Penalty("乙公司", other, "文号U2"));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->duplicates, 1u);
  for (const RowIssue& w : Batch(again->batches[0]).warnings) {
    EXPECT_NE(w.code, "identifier_conflict");  // "redelivered" only: the same file again
  }
  IngestOptions foreign = options_;
  foreign.dept = "郑州市生态环境局";
  foreign.own_records_only = true;
  auto refused = ingester_->IngestBuffer(
      std::string(kHeader) + Penalty("乙公司", other, "文号U2", "2025/03/03", "9"),
      "admin_penalty.csv", foreign);
  ASSERT_TRUE(refused.ok()) << refused.status().ToString();
  ASSERT_EQ(refused->rejected, 1u);
  const BatchReport rb = Batch(refused->batches[0]);
  EXPECT_EQ(rb.rejections[0].code, "record_of_another_department");
  EXPECT_TRUE(rb.warnings.empty());
}

TEST_F(IngesterTest, MalformedFilesGetClearErrorsAndLeaveTheStoreAsItWas) {
  ASSERT_TRUE(Ingest(std::string(kHeader) + Penalty("甲公司", "91110000600037341L", "文10号")).ok());
  auto before = Stats();
  EXPECT_FALSE(Ingest("", "admin_penalty.csv").ok());
  EXPECT_FALSE(Ingest(std::string("\x89PNG\r\n\x1a\n\0\0\0", 11), "x.csv").ok());
  EXPECT_FALSE(Ingest("\x80\xFF\xFF\x80\xFF,\xFE\xFF\n", "admin_penalty.csv").ok());
  auto unknown = Ingest("foo,bar\n1,2\n", "upload.csv");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("upload.csv"), std::string::npos);
  auto missing = Ingest("CF_XDR_MC,CF_WSH\n甲,1\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("required field"), std::string::npos);
  auto after = Stats();
  EXPECT_EQ(after.records, before.records);
  EXPECT_EQ(after.subjects, before.subjects);
  EXPECT_EQ(after.batches, before.batches);
}

TEST_F(IngesterTest, BadRowsAreRejectedOneByOne) {
  std::string csv = std::string(kHeader) + "only,three,cells\n" +
                    Penalty("甲公司", "91110000600037341L", "文11号") + "甲公司,\"unterminated\n";
  auto r = Ingest(csv);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 3u);
  EXPECT_EQ(r->accepted, 1u);
  EXPECT_EQ(r->rejected, 2u);
  auto b = Batch(r->batches[0]);
  EXPECT_EQ(b.rejections[0].code, "wrong_column_count");
  EXPECT_EQ(b.rejections[1].code, "unterminated_quote");
}

// A CSV row over the reader's limit (a runaway quoted field) is one rejection; the rows after
// it are ingested, and the counts add up.
TEST_F(IngesterTest, ACsvRowOverTheLimitIsRejectedAndReadingGoesOn) {
  std::string runaway = Penalty("甲公司", "91110000600037341L", "文13号");
  runaway.replace(runaway.find("虚假宣传"), std::string("虚假宣传").size(),
                  "\"" + std::string(CsvReader::kMaxRowBytes + 1000, 'x') + "\"");
  std::string csv = std::string(kHeader) + Penalty("甲公司", "91110000600037341L", "文14号") +
                    runaway + Penalty("甲公司", "91110000600037341L", "文15号");
  runaway.clear();
  runaway.shrink_to_fit();
  fs::create_directories(dir_);
  const fs::path file = dir_ / "admin_penalty.csv";
  std::ofstream(file, std::ios::binary) << csv;
  csv.clear();
  csv.shrink_to_fit();
  auto r = ingester_->IngestFile(file.string(), options_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectTheSecondOfThreeRowsTooLarge(*r);
  EXPECT_EQ(Stats().records, 2u);
}

// A file name in GBK (an archive unzipped from Windows) or a department typed in another
// encoding is stored as UTF-8, U+FFFD for what is not: batch reports are JSON and spreadsheets.
TEST_F(IngesterTest, ABatchRecordsItsFileNameAndDepartmentAsUtf8) {
  fs::create_directories(dir_);
  const fs::path file = dir_ / "\xD6\xD0\xCE\xC4.csv";  // "中文" in GBK
  std::ofstream(file, std::ios::binary) << kHeader << Penalty("甲公司", "91110000600037341L", "文16号");
  options_.indicator = "admin_penalty";
  options_.dept = "\xCA\xD0";  // "市" in GBK
  auto r = ingester_->IngestFile(file.string(), options_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto b = Batch(r->batches.at(0));
  EXPECT_TRUE(b.file.ends_with("/\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD.csv")) << b.file;
  EXPECT_EQ(b.dept, "\xEF\xBF\xBD\xEF\xBF\xBD");
}

// A source department corrects only its own records: another department's row with the same
// document number and other content is rejected, the record untouched; its own correction and
// the operator's (no restriction) are versions.
TEST_F(IngesterTest, ADepartmentCorrectsOnlyItsOwnRecords) {
  options_.dept = "郑州市市场监督管理局";
  ASSERT_TRUE(Ingest(std::string(kHeader) + Penalty("甲公司", "91110000600037341L", "文17号")).ok());
  const auto changed = std::string(kHeader) +
                       Penalty("甲公司", "91110000600037341L", "文17号", "2025/03/03", "0.0001");
  options_.own_records_only = true;
  options_.dept = "郑州市生态环境局";
  auto other = Ingest(changed);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ(other->rejected, 1u);
  EXPECT_EQ(other->corrected, 0u);
  ExpectCountsAddUp(*other);
  auto b = Batch(other->batches[0]);
  ASSERT_EQ(b.rejections.size(), 1u);
  EXPECT_EQ(b.rejections[0].code, "record_of_another_department");
  EXPECT_NE(b.rejections[0].message.find("郑州市市场监督管理局"), std::string::npos) << b.rejections[0].message;
  EXPECT_EQ(Stats().record_versions, 1u);
  // The same content again is a duplicate, whoever sends it.
  auto same = Ingest(std::string(kHeader) + Penalty("甲公司", "91110000600037341L", "文17号"));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->duplicates, 1u);
  options_.dept = "郑州市市场监督管理局";
  auto own = Ingest(changed);
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->corrected, 1u);
  EXPECT_EQ(Stats().record_versions, 2u);
}

// A rejected row changes nothing of its subject: another department's registration row under a
// new name neither renames the company nor leaves a former name behind.
TEST_F(IngesterTest, ARowOfAnotherDepartmentLeavesItsSubjectAsStored) {
  options_.dept = "郑州市市场监督管理局";
  ASSERT_TRUE(Ingest(std::string(kRegistrationHeader) + Registration("甲公司", "存续"),
                     "reg_basic.csv").ok());
  options_.own_records_only = true;
  options_.dept = "郑州市生态环境局";
  auto other = Ingest(std::string(kRegistrationHeader) + Registration("乙公司", "存续"),
                      "reg_basic.csv");
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ(other->rejected, 1u);
  auto b = Batch(other->batches[0]);
  ASSERT_EQ(b.rejections.size(), 1u);
  EXPECT_EQ(b.rejections[0].code, "record_of_another_department");
  for (const auto& w : b.warnings) EXPECT_NE(w.code, "renamed") << w.message;
  auto id = *store_->FindSubject(IdentifierKind::kUscc, "91110000600037341L");
  ASSERT_TRUE(id.has_value());
  const Subject s = **store_->GetSubject(*id);
  EXPECT_EQ(s.name, "甲公司");
  EXPECT_TRUE(s.former_names.empty());
  // The department that registered it renames it.
  options_.dept = "郑州市市场监督管理局";
  ASSERT_TRUE(Ingest(std::string(kRegistrationHeader) + Registration("乙公司", "存续"),
                     "reg_basic.csv").ok());
  EXPECT_EQ((**store_->GetSubject(*id)).name, "乙公司");
}

// A record repaired (or revoked) here stays so when its decision is sent again with a change:
// the correction is a new version, still out of force, with a warning.
TEST_F(IngesterTest, ACorrectionOfARepairedRecordStaysRepaired) {
  ASSERT_TRUE(Ingest(std::string(kHeader) + Penalty("甲公司", "91110000600037341L", "文18号")).ok());
  auto subject = store_->FindSubject(IdentifierKind::kUscc, "91110000600037341L");
  ASSERT_TRUE(subject.ok() && subject->has_value());
  std::vector<Record> records;
  ASSERT_TRUE(store_->ListRecords(**subject, "admin_penalty", &records).ok());
  ASSERT_EQ(records.size(), 1u);
  StatusChange repair{**subject, records[0].record_id, records[0].version, RecordStatus::kRepaired,
                      "credit repair"};
  ASSERT_TRUE(ingester_->ChangeStatus(std::span(&repair, 1), "repair", "", Date()).ok());
  // Corrected twice in one file: the second correction follows the first, still repaired.
  auto again = Ingest(std::string(kHeader) +
                      Penalty("甲公司", "91110000600037341L", "文18号", "2025/03/03", "1.6") +
                      Penalty("甲公司", "91110000600037341L", "文18号", "2025/03/03", "1.7"));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->corrected, 2u);
  std::vector<Record> versions;
  ASSERT_TRUE(store_->ListRecordVersions(**subject, records[0].record_id, &versions).ok());
  ASSERT_EQ(versions.size(), 4u);
  EXPECT_EQ(versions[2].status, RecordStatus::kSuperseded);
  EXPECT_EQ(versions.back().status, RecordStatus::kRepaired);
  EXPECT_EQ(versions.back().Get("CF_NR_FK"), "1.7");
  auto b = Batch(again->batches[0]);
  ASSERT_FALSE(b.warnings.empty());
  EXPECT_EQ(b.warnings.back().code, "status_kept");
}

TEST_F(IngesterTest, HugeFieldIsRejectedNotCrashing) {
  std::string big(10 << 20, 'x');
  std::string row = Penalty("甲公司", "91110000600037341L", "文12号");
  row.replace(row.find("虚假宣传"), std::string("虚假宣传").size(), "\"" + big + "\"");
  auto r = Ingest(std::string(kHeader) + row);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rejected, 1u);
  EXPECT_EQ(Batch(r->batches[0]).rejections[0].code, "too_long");
}

}  // namespace
}  // namespace xinyong::ingest
