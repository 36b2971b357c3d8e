// The Store conformance suite: every backend must pass every test here. Add a backend by adding
// a factory to kBackends below.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "storage/rocksdb/rocksdb_store.h"
#include "storage/store.h"

namespace xinyong::storage {
namespace {

struct Backend {
  const char* name;
  std::function<std::unique_ptr<Store>(const std::string& dir)> open;
};

const Backend kBackends[] = {
    {"rocksdb",
     [](const std::string& dir) -> std::unique_ptr<Store> {
       auto r = RocksDbStore::Open(dir);
       EXPECT_TRUE(r.ok()) << r.status().ToString();
       return r.ok() ? std::move(r).value() : nullptr;
     }},
};

class StoreConformanceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("xinyong-conf-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    store_ = GetParam().open(dir_.string());
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    store_ = GetParam().open(dir_.string());
    ASSERT_NE(store_, nullptr);
  }

  // A batch with one new company and `n` penalty records.
  WriteSet CompanyBatch(const std::string& uscc, const std::string& name, int n) {
    WriteSet ws;
    ws.batch.id = store_->NextId(IdSpace::kBatch);
    ws.batch.file = "admin_penalty.csv";
    ws.batch.indicator = "admin_penalty";
    Subject s;
    s.id = store_->NextId(IdSpace::kSubject);
    s.type = SubjectType::kLegalPerson;
    s.name = name;
    s.uscc = uscc;
    s.identifiers = {{IdentifierKind::kUscc, uscc}, {IdentifierKind::kOrgCode, uscc.substr(8, 9)}};
    s.first_batch = ws.batch.id;
    ws.subjects.push_back(s);
    for (int i = 0; i < n; ++i) {
      RecordWrite w;
      w.record.subject_id = s.id;
      w.record.record_id = store_->NextId(IdSpace::kRecord);
      w.record.indicator = "admin_penalty";
      w.record.decision_date = Date::FromDays(20000 + i);
      w.record.batch_id = ws.batch.id;
      w.record.document_number = "郑市监罚〔2025〕" + std::to_string(i) + "号";
      w.record.values = {{"CF_WSH", w.record.document_number}};
      w.record.content_hash = 1000 + static_cast<uint64_t>(i);
      w.natural_key = w.record.document_number;
      ws.records.push_back(w);
    }
    ws.batch.rows = ws.batch.accepted = static_cast<uint64_t>(n);
    return ws;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreConformanceTest, UnknownIdentifierResolvesToNothing) {
  auto r = store_->FindSubject(IdentifierKind::kUscc, "91110000600037341L");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  auto s = store_->GetSubject(12345);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->has_value());
}

TEST_P(StoreConformanceTest, CommittedBatchIsReadableAfterReopen) {
  WriteSet ws = CompanyBatch("91110000600037341L", "郑州宇通客车股份有限公司", 3);
  ws.batch.rejected = 1;
  ws.batch.rows = 4;
  ws.batch.rejections.push_back({2, "CF_XDR_SHXYM", "invalid_uscc", "bad check character"});
  ASSERT_TRUE(store_->Commit(ws).ok());
  Reopen();

  auto id = store_->FindSubject(IdentifierKind::kOrgCode, "600037341");
  ASSERT_TRUE(id.ok() && id->has_value());
  auto subject = store_->GetSubject(**id);
  ASSERT_TRUE(subject.ok() && subject->has_value());
  EXPECT_EQ((*subject)->name, "郑州宇通客车股份有限公司");

  std::vector<Record> records;
  ASSERT_TRUE(store_->ListRecords(**id, "", &records).ok());
  ASSERT_EQ(records.size(), 3u);
  EXPECT_GT(records[0].decision_date, records[1].decision_date) << "newest first";

  auto batch = store_->GetBatch(ws.batch.id);
  ASSERT_TRUE(batch.ok() && batch->has_value());
  EXPECT_EQ((*batch)->rows, 4u);
  ASSERT_EQ((*batch)->rejections.size(), 1u);
  EXPECT_EQ((*batch)->rejections[0].field, "CF_XDR_SHXYM");

  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->subjects, 1u);
  EXPECT_EQ(stats->records, 3u);
  EXPECT_EQ(stats->batches, 1u);
  EXPECT_EQ(stats->records_by_indicator.at("admin_penalty"), 3u);
}

TEST_P(StoreConformanceTest, IdsAreNeverReusedAcrossReopen) {
  WriteSet ws = CompanyBatch("91110000600037341L", "甲公司", 1);
  ASSERT_TRUE(store_->Commit(ws).ok());
  uint64_t last_subject = ws.subjects[0].id;
  uint64_t last_record = ws.records[0].record.record_id;
  Reopen();
  EXPECT_GT(store_->NextId(IdSpace::kSubject), last_subject);
  EXPECT_GT(store_->NextId(IdSpace::kRecord), last_record);
}

TEST_P(StoreConformanceTest, CorrectionAddsVersionAndKeepsTheOldOne) {
  WriteSet ws = CompanyBatch("91110000600037341L", "甲公司", 1);
  ASSERT_TRUE(store_->Commit(ws).ok());
  const Record& first = ws.records[0].record;

  WriteSet fix;
  fix.batch.id = store_->NextId(IdSpace::kBatch);
  RecordWrite w = ws.records[0];
  w.record.version = 2;
  w.record.batch_id = fix.batch.id;
  w.record.values = {{"CF_WSH", first.document_number}, {"CF_NR_FK", "2"}};
  w.record.content_hash = 999;
  fix.records.push_back(w);
  ASSERT_TRUE(store_->Commit(fix).ok());

  auto hit = store_->FindNaturalKey(first.subject_id, "admin_penalty", ws.records[0].natural_key);
  ASSERT_TRUE(hit.ok() && hit->has_value());
  EXPECT_EQ((*hit)->version, 2u);
  EXPECT_EQ((*hit)->content_hash, 999u);

  std::vector<Record> current;
  ASSERT_TRUE(store_->ListRecords(first.subject_id, "admin_penalty", &current).ok());
  ASSERT_EQ(current.size(), 1u);
  EXPECT_EQ(current[0].version, 2u);
  EXPECT_EQ(current[0].Get("CF_NR_FK"), "2");

  // Headers: the same current versions in the same order, values only after Complete().
  std::vector<Record> all;
  ASSERT_TRUE(store_->ListRecords(first.subject_id, "", &all).ok());
  std::vector<RecordHeader> headers;
  ASSERT_TRUE(store_->ListRecordHeaders(first.subject_id, &headers).ok());
  ASSERT_EQ(headers.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(headers[i].record.record_id, all[i].record_id);
    EXPECT_EQ(headers[i].record.version, all[i].version);
    EXPECT_EQ(headers[i].record.decision_date, all[i].decision_date);
    EXPECT_EQ(headers[i].record.document_number, all[i].document_number);
    EXPECT_TRUE(headers[i].record.values.empty());
    ASSERT_TRUE(headers[i].Complete().ok());
    EXPECT_EQ(headers[i].record.values, all[i].values);
  }

  std::vector<Record> versions;
  ASSERT_TRUE(store_->ListRecordVersions(first.subject_id, first.record_id, &versions).ok());
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].status, RecordStatus::kSuperseded);
  EXPECT_EQ(versions[1].status, RecordStatus::kActive);

  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->records, 1u);
  EXPECT_EQ(stats->record_versions, 2u);
}

TEST_P(StoreConformanceTest, RecordsOfOneSubjectDoNotLeakIntoAnother) {
  ASSERT_TRUE(store_->Commit(CompanyBatch("91110000600037341L", "甲公司", 2)).ok());
  ASSERT_TRUE(store_->Commit(CompanyBatch("91310115MA1K3BTP2B", "乙公司", 5)).ok());
  auto a = store_->FindSubject(IdentifierKind::kUscc, "91110000600037341L");
  auto b = store_->FindSubject(IdentifierKind::kUscc, "91310115MA1K3BTP2B");
  ASSERT_TRUE(a.ok() && b.ok() && a->has_value() && b->has_value());
  std::vector<Record> ra, rb;
  ASSERT_TRUE(store_->ListRecords(**a, "", &ra).ok());
  ASSERT_TRUE(store_->ListRecords(**b, "", &rb).ok());
  EXPECT_EQ(ra.size(), 2u);
  EXPECT_EQ(rb.size(), 5u);
  std::vector<Record> none;
  ASSERT_TRUE(store_->ListRecords(**a, "admin_licence", &none).ok());
  EXPECT_TRUE(none.empty());
}

TEST_P(StoreConformanceTest, NamePrefixFindsCurrentAndFormerNames) {
  WriteSet ws = CompanyBatch("91110000600037341L", "郑州宇通客车股份有限公司", 0);
  ws.subjects[0].former_names = {"郑州客车厂"};
  ASSERT_TRUE(store_->Commit(ws).ok());
  std::vector<uint64_t> ids;
  ASSERT_TRUE(store_->FindSubjectsByNamePrefix("郑州宇通", 10, &ids).ok());
  EXPECT_EQ(ids.size(), 1u);
  ids.clear();
  ASSERT_TRUE(store_->FindSubjectsByNamePrefix("郑州客车", 10, &ids).ok());
  EXPECT_EQ(ids.size(), 1u);
  ids.clear();
  ASSERT_TRUE(store_->FindSubjectsByNamePrefix("洛阳", 10, &ids).ok());
  EXPECT_TRUE(ids.empty());
}

TEST_P(StoreConformanceTest, FindsCodesByPrefixInCodeOrder) {
  const IdentifierKind kUsccOnly[] = {IdentifierKind::kUscc};
  const IdentifierKind kRegOnly[] = {IdentifierKind::kRegNumber};
  ASSERT_TRUE(store_->Commit(CompanyBatch("91410100MA44DWJQ4H", "甲公司", 0)).ok());
  ASSERT_TRUE(store_->Commit(CompanyBatch("91110000600037341L", "乙公司", 0)).ok());
  std::vector<std::pair<std::string, uint64_t>> hits;
  ASSERT_TRUE(store_->FindCodesByPrefix(kUsccOnly, "91", 10, &hits).ok());
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].first, "91110000600037341L");
  EXPECT_EQ(hits[1].first, "91410100MA44DWJQ4H");
  auto yi = store_->FindSubject(IdentifierKind::kUscc, "91110000600037341L");
  ASSERT_TRUE(yi.ok() && yi->has_value());
  EXPECT_EQ(hits[0].second, **yi);
  hits.clear();
  ASSERT_TRUE(store_->FindCodesByPrefix(kUsccOnly, "9141", 10, &hits).ok());
  ASSERT_EQ(hits.size(), 1u);
  hits.clear();
  ASSERT_TRUE(store_->FindCodesByPrefix(kUsccOnly, "91", 1, &hits).ok());
  EXPECT_EQ(hits.size(), 1u);  // the limit holds
  hits.clear();
  // Kinds do not mix: the organization code inside a USCC is its own entry, when indexed.
  ASSERT_TRUE(store_->FindCodesByPrefix(kRegOnly, "91", 10, &hits).ok());
  EXPECT_TRUE(hits.empty());
  // Several kinds: kind by kind, in the order asked.
  const IdentifierKind both[] = {IdentifierKind::kOrgCode, IdentifierKind::kUscc};
  ASSERT_TRUE(store_->FindCodesByPrefix(both, "6", 10, &hits).ok());
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].first, "600037341");
}

TEST_P(StoreConformanceTest, ScansEverySubjectInIdOrder) {
  ASSERT_TRUE(store_->Commit(CompanyBatch("91410100MA44DWJQ4H", "甲公司", 0)).ok());
  WriteSet ws = CompanyBatch("91110000600037341L", "乙公司", 0);
  ws.subjects[0].former_names = {"乙厂"};
  ASSERT_TRUE(store_->Commit(ws).ok());
  std::vector<Subject> seen;
  ASSERT_TRUE(store_->ScanSubjects([&](const Subject& s) {
    seen.push_back(s);
    return Status::Ok();
  }).ok());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_LT(seen[0].id, seen[1].id);
  EXPECT_EQ(seen[0].name, "甲公司");
  EXPECT_EQ(seen[1].former_names, std::vector<std::string>{"乙厂"});
  int calls = 0;
  Status st = store_->ScanSubjects([&](const Subject&) {
    ++calls;
    return Status::Internal("stop");
  });
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_EQ(calls, 1);
}

TEST_P(StoreConformanceTest, LogsChecksAndTheirFeedbackOnce) {
  CheckLog a;
  a.id = store_->NextId(IdSpace::kCheck);
  a.unix_ms = 1763769600000;
  a.department = "410100-czj";
  a.requester = "127.0.0.1";
  a.scenario = "government_procurement";
  a.purpose = "采购项目资格审查";
  a.subject_id = 7;
  a.subject_code = "91110000600037341L";
  a.result = "refused";
  a.measures = {"CJ-QL-001", "CJ-QL-002"};
  CheckLog b = a;
  b.id = store_->NextId(IdSpace::kCheck);
  b.result = "pass";
  b.measures.clear();
  ASSERT_TRUE(store_->LogChecks(std::vector<CheckLog>{a, b}).ok());
  auto got = store_->GetCheck(a.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->purpose, a.purpose);
  EXPECT_EQ((*got)->measures, a.measures);
  EXPECT_TRUE((*got)->feedback_action.empty());
  EXPECT_FALSE(store_->GetCheck(9999)->has_value());

  ASSERT_TRUE(store_->SetCheckFeedback(a.id, "not_applied", "项目已终止", 1763773200000).ok());
  EXPECT_EQ(store_->SetCheckFeedback(a.id, "applied", "", 0).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->SetCheckFeedback(9999, "applied", "", 0).code(), StatusCode::kNotFound);

  Reopen();  // durable, and the id space continues after the logged ids
  EXPECT_GT(store_->NextId(IdSpace::kCheck), b.id);
  std::vector<CheckLog> all;
  ASSERT_TRUE(store_->ScanChecks([&](const CheckLog& c) {
    all.push_back(c);
    return Status::Ok();
  }).ok());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, a.id);
  EXPECT_EQ(all[0].feedback_action, "not_applied");
  EXPECT_EQ(all[0].feedback_reason, "项目已终止");
  EXPECT_EQ(all[1].result, "pass");
}

TEST_P(StoreConformanceTest, ScansAnIndicatorNewestFirst) {
  ASSERT_TRUE(store_->Commit(CompanyBatch("91110000600037341L", "甲公司", 3)).ok());
  ASSERT_TRUE(store_->Commit(CompanyBatch("91310115MA1K3BTP2B", "乙公司", 2)).ok());
  std::vector<std::pair<uint64_t, Date>> seen;
  ASSERT_TRUE(store_->ScanIndicator("admin_penalty", [&](uint64_t, uint64_t record, Date d) -> Result<bool> {
    seen.emplace_back(record, d);
    return true;
  }).ok());
  ASSERT_EQ(seen.size(), 5u);
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i - 1].second, seen[i].second);
  // The callback can stop the scan, or fail it.
  int calls = 0;
  ASSERT_TRUE(store_->ScanIndicator("admin_penalty", [&](uint64_t, uint64_t, Date) -> Result<bool> {
    return ++calls < 2;
  }).ok());
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(store_->ScanIndicator("admin_penalty", [&](uint64_t, uint64_t, Date) -> Result<bool> {
    return Status::Internal("stop");
  }).code(), StatusCode::kInternal);
  // Another indicator, or a prefix of this one's name, sees nothing.
  calls = 0;
  for (std::string_view other : {"admin_licence", "admin_pen"}) {
    ASSERT_TRUE(store_->ScanIndicator(other, [&](uint64_t, uint64_t, Date) -> Result<bool> {
      ++calls;
      return true;
    }).ok());
  }
  EXPECT_EQ(calls, 0);
}

TEST_P(StoreConformanceTest, SavesInspectionDrawsNewestFirst) {
  uint64_t a = store_->NextId(IdSpace::kInspection);
  uint64_t b = store_->NextId(IdSpace::kInspection);
  ASSERT_TRUE(store_->SaveInspection(a, "{\"seed\":1}").ok());
  ASSERT_TRUE(store_->SaveInspection(b, "{\"seed\":2}").ok());
  EXPECT_EQ(*store_->GetInspection(a).value(), "{\"seed\":1}");
  EXPECT_FALSE(store_->GetInspection(999).value().has_value());
  Reopen();
  EXPECT_GT(store_->NextId(IdSpace::kInspection), b);
  std::vector<uint64_t> ids;
  ASSERT_TRUE(store_->ListInspections([&](uint64_t id, std::string_view) {
    ids.push_back(id);
    return true;
  }).ok());
  EXPECT_EQ(ids, (std::vector<uint64_t>{b, a}));
}

TEST_P(StoreConformanceTest, ListsBatchesNewestFirst) {
  ASSERT_TRUE(store_->Commit(CompanyBatch("91110000600037341L", "甲公司", 1)).ok());
  ASSERT_TRUE(store_->Commit(CompanyBatch("91310115MA1K3BTP2B", "乙公司", 1)).ok());
  std::vector<BatchSummary> batches;
  ASSERT_TRUE(store_->ListBatches(10, &batches).ok());
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_GT(batches[0].id, batches[1].id);
}

TEST_P(StoreConformanceTest, LargeBatchWithInBatchCorrectionKeepsTheLastVersion) {
  // Big enough for a backend's bulk path (RocksDB: SST ingestion).
  WriteSet ws = CompanyBatch("91110000600037341L", "甲公司", 5000);
  RecordWrite fix = ws.records[10];
  fix.record.version = 2;
  fix.record.content_hash = 7;
  fix.record.values.push_back({"CF_NR_FK", "3"});
  ws.records.push_back(fix);
  ASSERT_TRUE(store_->Commit(ws).ok());
  // A small batch after the bulk one, then a bulk one again, to mix both paths.
  ASSERT_TRUE(store_->Commit(CompanyBatch("91310115MA1K3BTP2B", "乙公司", 3)).ok());
  ASSERT_TRUE(store_->Commit(CompanyBatch("9144030071526726XG", "丙公司", 2500)).ok());
  Reopen();
  uint64_t id = ws.subjects[0].id;
  std::vector<Record> records;
  ASSERT_TRUE(store_->ListRecords(id, "", &records).ok());
  EXPECT_EQ(records.size(), 5000u);
  auto hit = store_->FindNaturalKey(id, "admin_penalty", fix.natural_key);
  ASSERT_TRUE(hit.ok() && hit->has_value());
  EXPECT_EQ((*hit)->version, 2u);
  EXPECT_EQ((*hit)->content_hash, 7u);
  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->records, 7503u);
  EXPECT_EQ(stats->record_versions, 7504u);
  EXPECT_EQ(stats->subjects, 3u);
  auto found = store_->FindSubject(IdentifierKind::kUscc, "9144030071526726XG");
  ASSERT_TRUE(found.ok() && found->has_value());
}

INSTANTIATE_TEST_SUITE_P(AllBackends, StoreConformanceTest, ::testing::ValuesIn(kBackends),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace xinyong::storage
