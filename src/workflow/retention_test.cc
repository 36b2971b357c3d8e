#include "workflow/retention.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "core/calendar.h"
#include "core/personal_data.h"
#include "core/test_paths.h"
#include "storage/rocksdb/rocksdb_store.h"

namespace xinyong::workflow {
namespace {

namespace fs = std::filesystem;

constexpr char kPenaltyHeader[] =
    "CF_XDR_MC,CF_XDR_LB,CF_XDR_SHXYM,CF_XDR_ZJLX,CF_XDR_ZJHM,CF_WSH,CF_WFXW,CF_SY,CF_YJ,CF_CFLB,"
    "CF_NR,CF_NR_FK,CF_JDRQ,CF_CFJG,CF_CFJGDM,CF_SJLY,CF_SJLYDM,CF_CFCX\n";

std::string Penalty(std::string_view name, std::string_view category, std::string_view uscc,
                    std::string_view id, std::string_view doc, std::string_view date) {
  return std::string(name) + "," + std::string(category) + "," + std::string(uscc) + "," +
         (id.empty() ? "" : "身份证") + "," + std::string(id) + "," + std::string(doc) +
         ",虚假宣传,在网站发布虚假广告,《中华人民共和国广告法》第五十五条,罚款,罚款2万元,2," +
         std::string(date) +
         ",郑州市市场监督管理局,11410100MB0000001X,郑州市市场监督管理局,11410100MB0000001X,"
         "普通程序\n";
}

class RetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("xinyong-retention-" + std::to_string(rd()));
    auto cat = catalog::Catalog::LoadDirectory(test::SourceDir() + "/data/catalog");
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalog_ = std::move(cat).value();
    auto cal = WorkCalendar::LoadFile(test::SourceDir() + "/data/calendar/cn_workdays.toml");
    ASSERT_TRUE(cal.ok()) << cal.status().ToString();
    calendar_ = std::make_unique<WorkCalendar>(std::move(cal).value());
    vault_ = PersonalDataVault::ForTesting("retention-test");
    storage::RocksDbOptions o;
    o.sync = false;
    auto s = storage::RocksDbStore::Open((dir_ / "data").string(), o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    ingester_ = std::make_unique<ingest::Ingester>(*store_, *catalog_, *calendar_, *vault_);
    ingester_->SetCommitObserver([this](const ingest::CommittedBatch& b) {
      for (const auto& w : b.records) observed_.push_back(w.record);
    });
    auto a = security::AuditLog::Open(*store_);
    ASSERT_TRUE(a.ok());
    audit_ = std::move(a).value();
  }
  void TearDown() override {
    audit_.reset();
    ingester_.reset();
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void Ingest(const std::string& csv, const std::string& indicator) {
    ingest::IngestOptions o;
    o.indicator = indicator;
    o.received_date = *Date::Parse("2026-11-20");
    auto r = ingester_->IngestBuffer(csv, indicator + ".csv", o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->rejected, 0u) << (*store_->GetBatch(r->batches[0]))->rejections.at(0).message;
  }
  std::optional<uint64_t> Person(const std::string& id) {
    auto h = vault_->LookupHash(id);
    auto found = store_->FindSubject(
        IdentifierKind::kResidentIdHash,
        std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
    EXPECT_TRUE(found.ok());
    return found.ok() ? *found : std::nullopt;
  }
  std::vector<std::string> Documents(uint64_t subject) {
    std::vector<Record> records;
    EXPECT_TRUE(store_->ListRecords(subject, "", &records).ok());
    std::vector<std::string> out;
    for (const Record& r : records) out.push_back(r.document_number);
    std::sort(out.begin(), out.end());
    return out;
  }

  fs::path dir_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<WorkCalendar> calendar_;
  std::unique_ptr<PersonalDataVault> vault_;
  std::unique_ptr<storage::RocksDbStore> store_;
  std::unique_ptr<ingest::Ingester> ingester_;
  std::unique_ptr<security::AuditLog> audit_;
  std::vector<Record> observed_;
};

TEST_F(RetentionTest, ErasesPersonsNegativeRecordsFiveYearsAfterTheBehaviourEnded) {
  const std::string old_only = "11010519491231002X", mixed = "110105194912310038";
  Ingest(std::string(kPenaltyHeader) +
             Penalty("张三", "自然人", "", old_only, "郑市监罚〔2019〕1号", "2019-05-10") +
             Penalty("李四", "自然人", "", mixed, "郑市监罚〔2019〕2号", "2019-06-01") +
             Penalty("李四", "自然人", "", mixed, "郑市监罚〔2024〕3号", "2024-06-01") +
             Penalty("郑州宏达（集团）商贸有限公司", "法人及非法人组织", "91110000600037341L", "",
                     "郑市监罚〔2015〕4号", "2015-03-01"),
         "admin_penalty");
  // A list entry decided long ago whose membership ended less than five years ago stays.
  Ingest("YZSX_ZTMC,YZSX_ZTLB,YZSX_ZJLX,YZSX_ZJHM,YZSX_MDMC,YZSX_RDBM,YZSX_RDBMDM,YZSX_RDWSH,"
         "YZSX_LRYY,YZSX_FLYJ,YZSX_LRRQ,YZSX_YXQZ\n"
         "李四,自然人,身份证," + mixed + ",严重失信主体名单,郑州市市场监督管理局,11410100MB0000001X,"
         "郑市监严失〔2018〕1号,虚假宣传,《河南省社会信用条例》,2018-01-10,2023-01-10\n",
         "serious_dishonesty");
  const auto old_person = Person(old_only), mixed_person = Person(mixed);
  ASSERT_TRUE(old_person && mixed_person);
  auto company = store_->FindSubject(IdentifierKind::kUscc, "91110000600037341L");
  ASSERT_TRUE(company.ok() && company->has_value());
  const auto before = *store_->Stats();

  RetentionOptions o;
  o.today = *Date::Parse("2026-11-22");
  o.dry_run = true;
  auto dry = RunRetention(*store_, *catalog_, *ingester_, audit_.get(), o);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(dry->records_erased, 2u);
  EXPECT_EQ(store_->Stats()->records, before.records);  // a dry run erases nothing

  o.dry_run = false;
  observed_.clear();
  auto run = RunRetention(*store_, *catalog_, *ingester_, audit_.get(), o);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->records_erased, 2u);
  EXPECT_EQ(run->versions_expired, 2u);
  EXPECT_EQ(run->persons_erased, 1u);
  EXPECT_EQ(run->by_indicator.at("admin_penalty"), 2u);
  // Derived state was told: the records went out of force before they were erased.
  ASSERT_EQ(observed_.size(), 2u);
  for (const Record& r : observed_) EXPECT_EQ(r.status, RecordStatus::kExpired);

  // The person with nothing left is gone, key material and all; the other keeps what is recent.
  EXPECT_FALSE(Person(old_only).has_value());
  auto gone = store_->GetSubject(*old_person);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  EXPECT_EQ(Documents(*mixed_person),
            (std::vector<std::string>{"郑市监严失〔2018〕1号", "郑市监罚〔2024〕3号"}));
  EXPECT_EQ(Documents(**company), std::vector<std::string>{"郑市监罚〔2015〕4号"});
  const auto after = *store_->Stats();
  EXPECT_EQ(after.records, before.records - 2);
  EXPECT_EQ(after.subjects, before.subjects - 1);

  // Written down without personal data; the chain holds.
  auto entries = security::SubjectAuditEntries(*store_, *mixed_person, 10);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].action, "erase");
  EXPECT_NE((*entries)[0].outcome.find("admin_penalty, decided 2019-06-01"), std::string::npos);
  EXPECT_EQ((*entries)[0].outcome.find(mixed.substr(0, 17)), std::string::npos);
  auto v = security::VerifyAudit(*store_);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->intact) << v->problem;
  // The two records and "erasing 2 records", durable before anything is erased, then the run.
  EXPECT_EQ(v->entries, 4u);
  std::vector<std::string> outcomes;
  ASSERT_TRUE(store_->ScanAudit(1, [&](uint64_t, std::string_view value) {
    security::AuditEntry e;
    EXPECT_TRUE(security::DecodeAuditEntry(value, &e));
    outcomes.push_back(e.outcome);
    return true;
  }).ok());
  ASSERT_EQ(outcomes.size(), 4u);
  EXPECT_NE(outcomes[2].find("erasing 2 records"), std::string::npos) << outcomes[2];
  EXPECT_NE(outcomes[3].find("2 records and 1 persons erased"), std::string::npos) << outcomes[3];

  // Nothing more is due.
  auto again = RunRetention(*store_, *catalog_, *ingester_, audit_.get(), o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->records_erased, 0u);

  // The erased person is sanctioned again, through the ingester that knew them before (a
  // server's): a new subject, found by the number, holding the new record, and nothing of the old.
  Ingest(std::string(kPenaltyHeader) +
             Penalty("张三", "自然人", "", old_only, "郑市监罚〔2026〕9号", "2026-11-02"),
         "admin_penalty");
  const auto returned = Person(old_only);
  ASSERT_TRUE(returned.has_value());
  EXPECT_NE(*returned, *old_person);
  auto subject = store_->GetSubject(*returned);
  ASSERT_TRUE(subject.ok() && subject->has_value());
  EXPECT_EQ(Documents(*returned), std::vector<std::string>{"郑市监罚〔2026〕9号"});
  EXPECT_TRUE(Documents(*old_person).empty());
}

TEST_F(RetentionTest, APersonsBrokenCommitmentGoesWithItsBreachRecord) {
  const std::string id = "11010519491231002X";
  auto commitment = [&](const char* code, const char* made, const char* status,
                        const char* unfulfilled) {
    return std::string(code) + ",张三,自然人,身份证," + id + ",审批替代型,办理许可,按期补交材料," +
           made + "," + status + "," + unfulfilled + "," + made +
           ",郑州市市场监督管理局,郑州市市场监督管理局,可向社会公开\n";
  };
  Ingest("CN_CNBM,CN_CNRMC,CN_CNRLB,CN_ZJLX,CN_ZJHM,CN_CNLX,CN_CNSY,CN_CNNR,CN_CNZCRQ,CN_LXZT,"
         "CN_WLXNR,CN_LXZTRDRQ,CN_LXZTRDDW,CN_CNSLDW,CN_GKLX\n" +
             commitment("41010020200302000001", "2020-03-02", "全部未履行", "未补交材料") +
             commitment("41010020200302000002", "2020-03-02", "全部履行", "") +
             commitment("41010020240302000003", "2024-03-02", "部分履行", "部分材料未补交"),
         "credit_commitment");
  const auto person = Person(id);
  ASSERT_TRUE(person.has_value());
  auto count = [&](const char* indicator) {
    std::vector<Record> records;
    EXPECT_TRUE(store_->ListRecords(*person, indicator, &records).ok());
    return records.size();
  };
  ASSERT_EQ(count("credit_commitment"), 3u);
  ASSERT_EQ(count("commitment_breach"), 2u);

  RetentionOptions o;
  o.today = *Date::Parse("2026-11-22");
  auto run = RunRetention(*store_, *catalog_, *ingester_, audit_.get(), o);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  // Found broken in 2020: the breach and the commitment that says so are both gone; the
  // fulfilled one and the recent breach stay.
  EXPECT_EQ(run->records_erased, 2u);
  EXPECT_EQ(run->by_indicator.at("commitment_breach"), 1u);
  EXPECT_EQ(run->by_indicator.at("credit_commitment"), 1u);
  std::vector<Record> left;
  ASSERT_TRUE(store_->ListRecords(*person, "credit_commitment", &left).ok());
  std::vector<std::string> codes;
  for (const Record& r : left) codes.push_back(r.document_number);
  std::sort(codes.begin(), codes.end());
  EXPECT_EQ(codes, (std::vector<std::string>{"41010020200302000002", "41010020240302000003"}));
  EXPECT_EQ(count("commitment_breach"), 1u);
}

}  // namespace
}  // namespace xinyong::workflow

namespace xinyong::workflow {
namespace {

// A list entry's behaviour lasts while it is in force: an open-ended court-list entry is kept,
// whatever its age, until the court takes it off; then its five years run from that version.
TEST(RetentionEndTest, AnOpenEndedListEntryIsKeptWhileInForce) {
  auto cat = catalog::Catalog::LoadDirectory(test::SourceDir() + "/data/catalog");
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  const catalog::Indicator& court = *(*cat)->Find("court_dishonest_debtor");
  const catalog::Indicator& serious = *(*cat)->Find("serious_dishonesty");
  const catalog::Indicator& penalty = *(*cat)->Find("admin_penalty");
  Record r;
  r.decision_date = *Date::Parse("2020-06-01");
  r.received_date = *Date::Parse("2020-06-03");
  r.indicator = court.code;
  EXPECT_FALSE(RetentionEnd(r, court, true)) << "in force: kept";
  r.status = RecordStatus::kRevoked;
  r.received_date = *Date::Parse("2021-01-05");
  EXPECT_EQ(RetentionEnd(r, court, true), Date::Parse("2026-01-05").value());
  // A serious-dishonesty entry without an end ends with its publicity (36 months).
  r.status = RecordStatus::kActive;
  r.indicator = serious.code;
  EXPECT_EQ(RetentionEnd(r, serious, true), Date::Parse("2028-06-01").value());
  r.indicator = penalty.code;
  EXPECT_EQ(RetentionEnd(r, penalty, true), Date::Parse("2025-06-01").value());
  EXPECT_FALSE(RetentionEnd(r, penalty, false)) << "an organization's: kept";
}

}  // namespace
}  // namespace xinyong::workflow
