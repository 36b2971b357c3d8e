// The Store conformance suite: every backend must pass every test here. Add a backend by adding
// a factory to kBackends below.
#include <gtest/gtest.h>

#include <algorithm>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>

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
    // A parameterized test's name ends in "/0": one directory, not an empty parent left behind.
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');
    dir_ = std::filesystem::temp_directory_path() /
           ("xinyong-conf-" + std::to_string(::getpid()) + "-" + name);
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

TEST_P(StoreConformanceTest, FindsManyNaturalKeysAsOneByOneLookupsDo) {
  // A small batch (RocksDB: the memtable) and one big enough for a backend's bulk path (RocksDB:
  // SST ingestion), then a correction of one record of each.
  WriteSet small = CompanyBatch("91110000600037341L", "甲公司", 3);
  ASSERT_TRUE(store_->Commit(small).ok());
  WriteSet bulk = CompanyBatch("91310115MA1K3BTP2B", "乙公司", 2500);
  ASSERT_TRUE(store_->Commit(bulk).ok());
  WriteSet fix;
  fix.batch.id = store_->NextId(IdSpace::kBatch);
  for (const RecordWrite* w : {&small.records[1], &bulk.records[2000]}) {
    RecordWrite v = *w;
    v.record.version = 2;
    v.record.batch_id = fix.batch.id;
    v.record.content_hash = 777;
    fix.records.push_back(v);
  }
  ASSERT_TRUE(store_->Commit(fix).ok());

  std::vector<NaturalKeyQuery> queries;
  for (const WriteSet* ws : {&small, &bulk}) {
    for (const RecordWrite& w : ws->records) {
      queries.push_back({w.record.subject_id, "admin_penalty", w.natural_key});
    }
  }
  const uint64_t a = small.subjects[0].id;
  queries.push_back({a, "admin_penalty", "no such decision"});
  queries.push_back({a, "admin_licence", small.records[0].natural_key});  // another indicator
  queries.push_back({a, "admin_penalty", bulk.records[2000].natural_key});  // b's, not a's
  std::vector<std::optional<NaturalKeyHit>> hits;
  ASSERT_TRUE(store_->FindNaturalKeys(queries, &hits).ok());
  ASSERT_EQ(hits.size(), queries.size());
  size_t found = 0;
  for (size_t i = 0; i < queries.size(); ++i) {
    auto one = store_->FindNaturalKey(queries[i].subject_id, queries[i].indicator, queries[i].key);
    ASSERT_TRUE(one.ok());
    ASSERT_EQ(hits[i].has_value(), one->has_value()) << i;
    if (!hits[i]) continue;
    ++found;
    EXPECT_EQ(hits[i]->record_id, (*one)->record_id);
    EXPECT_EQ(hits[i]->version, (*one)->version);
    EXPECT_EQ(hits[i]->content_hash, (*one)->content_hash);
  }
  EXPECT_EQ(found, 2503u);
  EXPECT_EQ(hits[1]->version, 2u);
  EXPECT_EQ(hits[1]->content_hash, 777u);
  EXPECT_EQ(hits[3 + 2000]->version, 2u);
  EXPECT_FALSE(hits[queries.size() - 1] || hits[queries.size() - 2] || hits[queries.size() - 3]);
  // An empty set of queries answers nothing.
  ASSERT_TRUE(store_->FindNaturalKeys({}, &hits).ok());
  EXPECT_TRUE(hits.empty());
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

TEST_P(StoreConformanceTest, FindsAndReadsSubjectsInBulkInKeyOrder) {
  ASSERT_TRUE(store_->Commit(CompanyBatch("91110000600037341L", "甲公司", 1)).ok());
  ASSERT_TRUE(store_->Commit(CompanyBatch("91310115MA1K3BTP2B", "乙公司", 1)).ok());
  const uint64_t a = **store_->FindSubject(IdentifierKind::kUscc, "91110000600037341L");
  const uint64_t b = **store_->FindSubject(IdentifierKind::kUscc, "91310115MA1K3BTP2B");
  const std::vector<std::string_view> values = {"91110000600037341L", "91110000600037341L",
                                                "91200000000000000X", "91310115MA1K3BTP2B",
                                                "99999999999999999Z"};
  std::vector<uint64_t> found;
  ASSERT_TRUE(store_->FindSubjects(IdentifierKind::kUscc, values, &found).ok());
  EXPECT_EQ(found, (std::vector<uint64_t>{a, a, 0, b, 0}));
  ASSERT_TRUE(store_->FindSubjects(IdentifierKind::kOrgCode, values, &found).ok());
  EXPECT_EQ(found, (std::vector<uint64_t>(5, 0)));  // another kind's index

  const std::vector<uint64_t> ids = {0, a, a, b, b + 100};
  std::vector<std::string> names;
  ASSERT_TRUE(store_->GetSubjects(ids, [&](size_t i, const Subject* s) {
    names.push_back(s == nullptr ? "-" : std::to_string(i) + s->name);
    if (s != nullptr) {
      EXPECT_EQ(s->id, ids[i]);
    }
    return Status::Ok();
  }).ok());
  EXPECT_EQ(names, (std::vector<std::string>{"-", "1甲公司", "2甲公司", "3乙公司", "-"}));
  int calls = 0;
  EXPECT_EQ(store_->GetSubjects(ids, [&](size_t, const Subject*) {
    return ++calls == 2 ? Status::Internal("stop") : Status::Ok();
  }).code(), StatusCode::kInternal);
  EXPECT_EQ(calls, 2);
  // Out of order: refused, not answered wrongly.
  const std::vector<std::string_view> unsorted = {values[3], values[0]};
  EXPECT_EQ(store_->FindSubjects(IdentifierKind::kUscc, unsorted, &found).code(),
            StatusCode::kInvalidArgument);
  const std::vector<uint64_t> backwards = {b, a};
  EXPECT_EQ(store_->GetSubjects(backwards, [](size_t, const Subject*) { return Status::Ok(); })
                .code(),
            StatusCode::kInvalidArgument);

  // The same a few among many (the store may read them another way than all of them).
  std::vector<std::string> many;
  for (int i = 0; i < 60; ++i) {
    char uscc[19];
    std::snprintf(uscc, sizeof uscc, "9141000000%07dX", i);
    many.emplace_back(uscc);
    ASSERT_TRUE(store_->Commit(CompanyBatch(many.back(), "丙" + std::to_string(i), 0)).ok());
  }
  ASSERT_TRUE(store_->FindSubjects(IdentifierKind::kUscc, values, &found).ok());
  EXPECT_EQ(found, (std::vector<uint64_t>{a, a, 0, b, 0}));
  names.clear();
  ASSERT_TRUE(store_->GetSubjects(ids, [&](size_t i, const Subject* s) {
    names.push_back(s == nullptr ? "-" : std::to_string(i) + s->name);
    return Status::Ok();
  }).ok());
  EXPECT_EQ(names, (std::vector<std::string>{"-", "1甲公司", "2甲公司", "3乙公司", "-"}));
  std::vector<std::string_view> all(many.begin(), many.end());
  ASSERT_TRUE(store_->FindSubjects(IdentifierKind::kUscc, all, &found).ok());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(found[i], **store_->FindSubject(IdentifierKind::kUscc, all[i])) << all[i];
  }
}

TEST_P(StoreConformanceTest, LogsChecksAndTheirFeedbackOnce) {
  CheckRun run;
  run.unix_ms = 1763769600000;
  run.department = "410100-czj";
  run.requester = "127.0.0.1";
  run.scenario = "government_procurement";
  run.purpose = "采购项目资格审查";
  run.entries.push_back({7, "91110000600037341L", "refused", {"CJ-QL-001", "CJ-QL-002"}});
  run.entries.push_back({8, "91310115MA1K3BTP2B", "pass", {}});
  const CheckRun* runs[] = {&run};
  auto firsts = store_->LogCheckRuns(runs);
  ASSERT_TRUE(firsts.ok()) << firsts.status().ToString();
  ASSERT_EQ(firsts->size(), 1u);
  const uint64_t a = (*firsts)[0], b = a + 1;
  auto got = store_->GetCheck(a);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->id, a);
  EXPECT_EQ((*got)->purpose, "采购项目资格审查");
  EXPECT_EQ((*got)->subject_id, 7u);
  EXPECT_EQ((*got)->subject_code, "91110000600037341L");
  EXPECT_EQ((*got)->measures, (std::vector<std::string>{"CJ-QL-001", "CJ-QL-002"}));
  EXPECT_TRUE((*got)->feedback_action.empty());
  got = store_->GetCheck(b);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->result, "pass");
  EXPECT_EQ((*got)->department, "410100-czj");
  EXPECT_FALSE(store_->GetCheck(b + 1)->has_value());
  EXPECT_FALSE(store_->GetCheck(9999)->has_value());
  const CheckRun empty;
  const CheckRun* none[] = {&run, &empty};  // all or none: not even the first is logged
  EXPECT_EQ(store_->LogCheckRuns(none).status().code(), StatusCode::kInvalidArgument);
  // Audit entries written with the checks land with them, or not at all.
  const AuditWrite entries[] = {{1, 7, "entry 1"}, {2, 0, "entry 2"}};
  const AuditAppend audit{entries, "head 2"};
  EXPECT_EQ(store_->LogCheckRuns(none, &audit).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(store_->AuditHead()->has_value());
  auto with_audit = store_->LogCheckRuns(runs, &audit);
  ASSERT_TRUE(with_audit.ok()) << with_audit.status().ToString();
  EXPECT_TRUE(store_->GetCheck((*with_audit)[0] + 1)->has_value());
  EXPECT_EQ(store_->AuditHead()->value_or(""), "head 2");
  EXPECT_EQ(store_->GetAudit(2)->value_or(""), "entry 2");
  std::vector<uint64_t> about7;
  ASSERT_TRUE(store_->ListAuditBySubject(7, 10, &about7).ok());
  EXPECT_EQ(about7, std::vector<uint64_t>{1});

  ASSERT_TRUE(store_->SetCheckFeedback(b, "not_applied", "项目已终止", 1763773200000).ok());
  EXPECT_EQ(store_->SetCheckFeedback(b, "applied", "", 0).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->SetCheckFeedback(9999, "applied", "", 0).code(), StatusCode::kNotFound);
  EXPECT_EQ((*store_->GetCheck(b))->feedback_action, "not_applied");
  EXPECT_TRUE((*store_->GetCheck(a))->feedback_action.empty());

  Reopen();  // durable, and the id space continues after the logged ids
  EXPECT_GT(store_->NextId(IdSpace::kCheck), b);
  std::vector<CheckLog> all;
  ASSERT_TRUE(store_->ScanChecks([&](const CheckLog& c) {
    all.push_back(c);
    return Status::Ok();
  }).ok());
  ASSERT_EQ(all.size(), 4u);  // and the two logged with audit entries
  EXPECT_EQ(all[0].id, a);
  EXPECT_TRUE(all[0].feedback_action.empty());
  EXPECT_EQ(all[1].id, b);
  EXPECT_EQ(all[1].feedback_action, "not_applied");
  EXPECT_EQ(all[1].feedback_reason, "项目已终止");
  EXPECT_EQ(all[1].result, "pass");
}

// The checks run on a subject (self-service), whether the log's index by subject has caught up
// or not, across stretches of a run, newest first, none twice, at most `limit`.
TEST_P(StoreConformanceTest, ListsTheChecksOfASubjectBeforeAndAfterTheyAreIndexed) {
  auto run_of = [](size_t n, uint64_t every_third) {
    CheckRun run;
    run.unix_ms = 1763769600000;
    run.department = "dept";
    run.requester = "cli";
    run.scenario = "bidding";
    run.purpose = "投标资格审查";
    for (size_t i = 0; i < n; ++i) {
      run.entries.push_back({i % 3 == 0 ? every_third : 1000 + i, "C" + std::to_string(i), "pass", {}});
    }
    return run;
  };
  const CheckRun big = run_of(2500, 7);  // crosses stretches: 834 checks of subject 7
  const CheckRun* runs[] = {&big};
  auto first = store_->LogCheckRuns(runs);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto list = [&](uint64_t subject, size_t limit) {
    std::vector<uint64_t> ids;
    EXPECT_TRUE(store_->ListSubjectChecks(subject, limit, &ids).ok());
    return ids;
  };
  std::vector<uint64_t> expected;  // newest first
  for (size_t i = 2500; i-- > 0;) {
    if (i % 3 == 0) expected.push_back((*first)[0] + i);
  }
  EXPECT_EQ(list(7, 10000), expected);  // nothing indexed yet
  EXPECT_EQ(list(7, 5), std::vector<uint64_t>(expected.begin(), expected.begin() + 5));
  EXPECT_EQ(list(1001, 10), std::vector<uint64_t>{(*first)[0] + 1});
  EXPECT_TRUE(list(42, 10).empty());

  // Indexed part of the way (inside a stretch), then the rest.
  auto n = store_->IndexChecks(1500);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 1500u);
  EXPECT_EQ(list(7, 10000), expected);
  const CheckRun more = run_of(4, 7);  // checks 0 and 3 of subject 7, newer still
  const CheckRun* runs2[] = {&more};
  auto second = store_->LogCheckRuns(runs2);
  ASSERT_TRUE(second.ok());
  expected.insert(expected.begin(), {(*second)[0] + 3, (*second)[0]});
  EXPECT_EQ(list(7, 10000), expected);
  EXPECT_EQ(*store_->IndexChecks(100000), 1004u);
  EXPECT_EQ(*store_->IndexChecks(100000), 0u);
  EXPECT_EQ(list(7, 10000), expected);
  EXPECT_EQ(list(7, 3), std::vector<uint64_t>(expected.begin(), expected.begin() + 3));
  Reopen();
  EXPECT_EQ(list(7, 10000), expected);
  // Once the index has caught up, a few checks are indexed in their own write: nothing is left
  // for IndexChecks.
  const CheckRun few = run_of(2, 7);  // check 0 of subject 7
  const CheckRun* runs3[] = {&few};
  auto third = store_->LogCheckRuns(runs3);
  ASSERT_TRUE(third.ok());
  expected.insert(expected.begin(), (*third)[0]);
  EXPECT_EQ(*store_->IndexChecks(100000), 0u);
  EXPECT_EQ(list(7, 10000), expected);
  EXPECT_EQ(list(1001, 10), (std::vector<uint64_t>{(*third)[0] + 1, (*second)[0] + 1,
                                                   (*first)[0] + 1}));
  Reopen();
  EXPECT_EQ(list(7, 10000), expected);
}

TEST_P(StoreConformanceTest, LogsALargeRunOfChecksAllOrNoneAndFindsEachCheck) {
  // Larger than any one stored stretch of a run, so that lookups cross stretches.
  constexpr size_t kChecks = 2500;
  std::vector<std::string> codes;
  for (size_t i = 0; i < kChecks; ++i) codes.push_back("C" + std::to_string(i));
  CheckRun run;
  run.unix_ms = 1763769600000;
  run.department = "dept";
  run.requester = "cli";
  run.scenario = "supervision";
  run.purpose = "年度抽查";
  for (size_t i = 0; i < kChecks; ++i) {
    CheckRun::Entry e{100 + i, codes[i], i % 7 == 0 ? "restricted" : "pass", {}};
    if (i % 7 == 0) e.measures = {"CJ-GL-008"};
    run.entries.push_back(std::move(e));
  }
  // Logged together with another run: each gets its own consecutive ids.
  CheckRun other = run;
  other.entries.resize(3);
  const CheckRun* runs[] = {&other, &run};
  auto firsts = store_->LogCheckRuns(runs);
  ASSERT_TRUE(firsts.ok()) << firsts.status().ToString();
  ASSERT_EQ(firsts->size(), 2u);
  const uint64_t* first = &(*firsts)[1];
  EXPECT_EQ((*store_->GetCheck((*firsts)[0] + 2))->subject_code, codes[2]);
  // Feedback on the first check of a stretch, and on one inside a stretch.
  ASSERT_TRUE(store_->SetCheckFeedback(*first + 1024, "applied", "", 1).ok());
  ASSERT_TRUE(store_->SetCheckFeedback(*first + 1500, "applied", "", 2).ok());
  for (size_t i : {size_t{0}, size_t{1023}, size_t{1024}, size_t{1025}, size_t{1499},
                   size_t{1500}, size_t{1501}, kChecks - 1}) {
    auto got = store_->GetCheck(*first + i);
    ASSERT_TRUE(got.ok() && got->has_value()) << i;
    EXPECT_EQ((*got)->id, *first + i);
    EXPECT_EQ((*got)->subject_id, 100 + i);
    EXPECT_EQ((*got)->subject_code, codes[i]);
    EXPECT_EQ((*got)->measures.size(), i % 7 == 0 ? 1u : 0u);
    EXPECT_EQ((*got)->feedback_action, i == 1024 || i == 1500 ? "applied" : "") << i;
  }
  EXPECT_FALSE(store_->GetCheck(*first + kChecks)->has_value());
  Reopen();
  EXPECT_EQ(store_->NextId(IdSpace::kCheck), *first + kChecks);
  size_t seen = 0, with_feedback = 0;
  ASSERT_TRUE(store_->ScanChecks([&](const CheckLog& c) {
    if (c.id < *first) return Status::Ok();  // the other run
    EXPECT_EQ(c.id, *first + seen);
    EXPECT_EQ(c.purpose, "年度抽查");
    with_feedback += c.feedback_action.empty() ? 0 : 1;
    ++seen;
    return Status::Ok();
  }).ok());
  EXPECT_EQ(seen, kChecks);
  EXPECT_EQ(with_feedback, 2u);
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

TEST_P(StoreConformanceTest, ScansAnIndicatorFromAPosition) {
  ASSERT_TRUE(store_->Commit(CompanyBatch("91110000600037341L", "甲公司", 3)).ok());
  ASSERT_TRUE(store_->Commit(CompanyBatch("91310115MA1K3BTP2B", "乙公司", 2)).ok());
  struct Entry {
    uint64_t subject, record;
    Date decided;
    bool operator==(const Entry&) const = default;
  };
  auto scan = [&](std::optional<IndicatorPosition> start, std::string_view indicator = "admin_penalty") {
    std::vector<Entry> out;
    auto fn = [&](uint64_t s, uint64_t r, Date d) -> Result<bool> {
      out.push_back({s, r, d});
      return true;
    };
    EXPECT_TRUE((start ? store_->ScanIndicatorFrom(indicator, *start, fn)
                       : store_->ScanIndicator(indicator, fn))
                    .ok());
    return out;
  };
  const std::vector<Entry> all = scan(std::nullopt);
  ASSERT_EQ(all.size(), 5u);
  // From each entry's exact position: that entry and everything after it.
  for (size_t i = 0; i < all.size(); ++i) {
    const std::vector<Entry> tail(all.begin() + static_cast<std::ptrdiff_t>(i), all.end());
    EXPECT_EQ(scan(IndicatorPosition{all[i].decided, all[i].subject, all[i].record}), tail) << i;
  }
  // A date alone: every entry decided on it or earlier.
  const Date middle = Date::FromDays(20001);
  std::vector<Entry> upto;
  for (const Entry& e : all) {
    if (e.decided <= middle) upto.push_back(e);
  }
  EXPECT_EQ(upto.size(), 4u);
  EXPECT_EQ(scan(IndicatorPosition{middle}), upto);
  EXPECT_EQ(scan(IndicatorPosition{Date::FromDays(30000)}), all);
  EXPECT_TRUE(scan(IndicatorPosition{Date::FromDays(19999)}).empty());
  // Another indicator, or a prefix of this one's name, sees nothing from any position.
  EXPECT_TRUE(scan(IndicatorPosition{Date::FromDays(30000)}, "admin_pen").empty());
  EXPECT_TRUE(scan(IndicatorPosition{Date::FromDays(30000)}, "admin_licence").empty());
}

TEST_P(StoreConformanceTest, FindsTheRecordsThatNamedAPersonOnEitherCommitPath) {
  const std::string ann(32, 'A'), bob(32, 'B'), nobody(32, 'N');
  auto link = [](std::string hash, const Record& r, PersonRole role) {
    return PersonLink{std::move(hash), r.subject_id, r.record_id, role};
  };
  WriteSet small = CompanyBatch("91110000600037341L", "甲公司", 2);
  small.records[1].person_links = {link(ann, small.records[1].record, PersonRole::kLegalRepresentative),
                                   link(bob, small.records[1].record, PersonRole::kResponsiblePerson)};
  ASSERT_TRUE(store_->Commit(small).ok());
  // Big enough for a backend's bulk path (RocksDB: SST ingestion).
  WriteSet bulk = CompanyBatch("91310115MA1K3BTP2B", "乙公司", 2500);
  bulk.records[7].person_links = {link(ann, bulk.records[7].record, PersonRole::kResponsiblePerson)};
  ASSERT_TRUE(store_->Commit(bulk).ok());
  // A later version naming the same person again adds nothing new.
  RecordWrite again = small.records[1];
  again.record.version = 2;
  again.record.content_hash = 99;
  WriteSet later;
  later.batch.id = store_->NextId(IdSpace::kBatch);
  later.records.push_back(again);
  ASSERT_TRUE(store_->Commit(later).ok());
  Reopen();

  std::vector<PersonLink> got;
  ASSERT_TRUE(store_->ListPersonLinks(ann, &got).ok());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].subject_id, small.subjects[0].id);
  EXPECT_EQ(got[0].record_id, small.records[1].record.record_id);
  EXPECT_EQ(got[0].role, PersonRole::kLegalRepresentative);
  EXPECT_EQ(got[1].subject_id, bulk.subjects[0].id);
  EXPECT_EQ(got[1].record_id, bulk.records[7].record.record_id);
  EXPECT_EQ(got[1].role, PersonRole::kResponsiblePerson);
  got.clear();
  ASSERT_TRUE(store_->ListPersonLinks(bob, &got).ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].role, PersonRole::kResponsiblePerson);
  got.clear();
  ASSERT_TRUE(store_->ListPersonLinks(nobody, &got).ok());
  EXPECT_TRUE(got.empty());
  EXPECT_FALSE(store_->ListPersonLinks("short", &got).ok());
}

TEST_P(StoreConformanceTest, ErasesRecordsWithEveryVersionAndIndexEntryAndSubjectsWithTheirCodes) {
  WriteSet ws = CompanyBatch("91110000600037341L", "甲公司", 3);
  const uint64_t subject = ws.subjects[0].id;
  const std::string person(32, 'P');
  ws.records[1].person_links = {{person, subject, ws.records[1].record.record_id,
                                 PersonRole::kLegalRepresentative}};
  ws.records[1].record.personal = {{"CF_FR_ZJHM", person, "sealed"}};
  ASSERT_TRUE(store_->Commit(ws).ok());
  RecordWrite fix = ws.records[1];  // a second version of the record to erase
  fix.record.version = 2;
  fix.record.content_hash = 77;
  fix.record.decision_date = Date::FromDays(30000);
  WriteSet later;
  later.batch.id = store_->NextId(IdSpace::kBatch);
  later.records.push_back(fix);
  ASSERT_TRUE(store_->Commit(later).ok());
  WriteSet other = CompanyBatch("91310115MA1K3BTP2B", "乙公司", 2);
  ASSERT_TRUE(store_->Commit(other).ok());
  // A code of 乙公司 given to another subject since: erasing 乙公司 leaves that entry alone.
  const std::string taken = "410100000012345";
  other.subjects[0].identifiers.push_back({IdentifierKind::kRegNumber, taken});
  ASSERT_TRUE(store_->Commit([&] {
    WriteSet w;
    w.batch.id = store_->NextId(IdSpace::kBatch);
    w.subjects.push_back(other.subjects[0]);
    return w;
  }()).ok());
  WriteSet third = CompanyBatch("91440300MA5DQ4GL0N", "丙公司", 0);
  third.subjects[0].identifiers.push_back({IdentifierKind::kRegNumber, taken});
  ASSERT_TRUE(store_->Commit(third).ok());
  ASSERT_EQ(*store_->FindSubject(IdentifierKind::kRegNumber, taken), third.subjects[0].id);
  auto before = store_->Stats();
  ASSERT_TRUE(before.ok());

  const RecordRef gone{subject, ws.records[1].record.record_id};
  const uint64_t subjects[] = {other.subjects[0].id};
  const RecordRef others[] = {gone, {other.subjects[0].id, other.records[0].record.record_id},
                              {other.subjects[0].id, other.records[1].record.record_id}};
  ASSERT_TRUE(store_->Erase(others, subjects).ok());
  Reopen();

  std::vector<Record> versions;
  ASSERT_TRUE(store_->ListRecordVersions(gone.subject_id, gone.record_id, &versions).ok());
  EXPECT_TRUE(versions.empty());
  std::vector<Record> left;
  ASSERT_TRUE(store_->ListRecords(subject, "", &left).ok());
  EXPECT_EQ(left.size(), 2u);
  auto hit = store_->FindNaturalKey(subject, "admin_penalty", ws.records[1].natural_key);
  ASSERT_TRUE(hit.ok());
  EXPECT_FALSE(hit->has_value());
  hit = store_->FindNaturalKey(subject, "admin_penalty", ws.records[0].natural_key);
  ASSERT_TRUE(hit.ok());
  EXPECT_TRUE(hit->has_value());
  std::vector<PersonLink> links;
  ASSERT_TRUE(store_->ListPersonLinks(person, &links).ok());
  EXPECT_TRUE(links.empty());
  std::vector<uint64_t> listed;
  ASSERT_TRUE(store_->ScanIndicator("admin_penalty", [&](uint64_t s, uint64_t r, Date) -> Result<bool> {
    listed.push_back(r);
    EXPECT_NE(r, gone.record_id);
    return true;
  }).ok());
  EXPECT_EQ(listed.size(), 2u);
  // The erased subject is gone with its codes and names; the other stays.
  auto found = store_->FindSubject(IdentifierKind::kUscc, "91310115MA1K3BTP2B");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  auto s = store_->GetSubject(other.subjects[0].id);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->has_value());
  std::vector<uint64_t> named;
  ASSERT_TRUE(store_->FindSubjectsByNamePrefix("乙", 10, &named).ok());
  EXPECT_TRUE(named.empty());
  found = store_->FindSubject(IdentifierKind::kUscc, "91110000600037341L");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ(*store_->FindSubject(IdentifierKind::kRegNumber, taken), third.subjects[0].id);
  auto after = store_->Stats();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->subjects, before->subjects - 1);
  EXPECT_EQ(after->records, before->records - 3);
  EXPECT_EQ(after->record_versions, before->record_versions - 4);
  EXPECT_EQ(after->records_by_indicator.at("admin_penalty"), before->records_by_indicator.at("admin_penalty") - 3);
}

TEST_P(StoreConformanceTest, SavesInspectionDrawsNewestFirst) {
  uint64_t a = store_->NextId(IdSpace::kInspection);
  uint64_t b = store_->NextId(IdSpace::kInspection);
  const uint64_t drawn_a[] = {7, 9}, drawn_b[] = {9};
  ASSERT_TRUE(store_->SaveInspection(a, "{\"seed\":1}", drawn_a).ok());
  ASSERT_TRUE(store_->SaveInspection(b, "{\"seed\":2}", drawn_b).ok());
  // A later save of the same draw (its results) replaces the document, keeps the index.
  ASSERT_TRUE(store_->SaveInspection(a, "{\"seed\":1,\"results\":1}", {}).ok());
  EXPECT_EQ(*store_->GetInspection(a).value(), "{\"seed\":1,\"results\":1}");
  EXPECT_FALSE(store_->GetInspection(999).value().has_value());
  Reopen();
  EXPECT_GT(store_->NextId(IdSpace::kInspection), b);
  std::vector<uint64_t> ids;
  ASSERT_TRUE(store_->ListInspections([&](uint64_t id, std::string_view) {
    ids.push_back(id);
    return true;
  }).ok());
  EXPECT_EQ(ids, (std::vector<uint64_t>{b, a}));
  // Each subject's draws, newest first; a subject never drawn has none.
  std::vector<uint64_t> of;
  ASSERT_TRUE(store_->ListSubjectInspections(9, &of).ok());
  EXPECT_EQ(of, (std::vector<uint64_t>{b, a}));
  of.clear();
  ASSERT_TRUE(store_->ListSubjectInspections(7, &of).ok());
  EXPECT_EQ(of, (std::vector<uint64_t>{a}));
  of.clear();
  ASSERT_TRUE(store_->ListSubjectInspections(8, &of).ok());
  EXPECT_TRUE(of.empty());
}

TEST_P(StoreConformanceTest, KeepsIssuedReportsOnceAndContinuesTheirIds) {
  const uint64_t a = store_->NextId(IdSpace::kReport);
  const uint64_t b = store_->NextId(IdSpace::kReport);
  EXPECT_NE(a, b);
  ASSERT_TRUE(store_->SaveReport(a, std::string("\x01{\"n\":1}")).ok());
  ASSERT_TRUE(store_->SaveReport(b, "report b").ok());
  // An issued report never changes.
  EXPECT_EQ(store_->SaveReport(a, "other").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*store_->GetReport(a).value(), std::string("\x01{\"n\":1}"));
  EXPECT_FALSE(store_->GetReport(b + 100).value().has_value());
  // Saved without a Commit: the ids still continue after the highest one kept.
  Reopen();
  EXPECT_GT(store_->NextId(IdSpace::kReport), b);
  EXPECT_EQ(*store_->GetReport(b).value(), "report b");
}

TEST_P(StoreConformanceTest, ScansIssuedReportsInIdOrderUntilTold) {
  std::vector<std::pair<uint64_t, std::string>> seen;
  auto scan = [&] {
    seen.clear();
    return store_->ScanReports(Store::ScanOrder::kOldestFirst, [&](uint64_t id, std::string_view value) {
      seen.emplace_back(id, std::string(value));
      return true;
    });
  };
  ASSERT_TRUE(scan().ok());
  EXPECT_TRUE(seen.empty());
  const uint64_t a = store_->NextId(IdSpace::kReport);
  const uint64_t b = store_->NextId(IdSpace::kReport);
  const uint64_t c = store_->NextId(IdSpace::kReport);
  // Saved out of order; an id taken but never saved is not a report.
  ASSERT_TRUE(store_->SaveReport(c, "report c").ok());
  ASSERT_TRUE(store_->SaveReport(a, std::string("\x01report a", 9)).ok());
  ASSERT_TRUE(scan().ok());
  EXPECT_EQ(seen, (std::vector<std::pair<uint64_t, std::string>>{
                      {a, std::string("\x01report a", 9)}, {c, "report c"}}));
  Reopen();
  ASSERT_TRUE(scan().ok());
  EXPECT_EQ(seen.size(), 2u);
  // Newest first, and stops when fn says so.
  std::vector<uint64_t> newest;
  ASSERT_TRUE(store_->ScanReports(Store::ScanOrder::kNewestFirst, [&](uint64_t id, std::string_view) {
    newest.push_back(id);
    return true;
  }).ok());
  EXPECT_EQ(newest, (std::vector<uint64_t>{c, a}));
  size_t calls = 0;
  std::vector<uint64_t> first;
  for (auto order : {Store::ScanOrder::kOldestFirst, Store::ScanOrder::kNewestFirst}) {
    ASSERT_TRUE(store_->ScanReports(order, [&](uint64_t id, std::string_view) {
      ++calls;
      first.push_back(id);
      return false;
    }).ok());
  }
  EXPECT_EQ(calls, 2u);
  EXPECT_EQ(first, (std::vector<uint64_t>{a, c}));
  EXPECT_FALSE(store_->GetReport(b).value().has_value());
}

TEST_P(StoreConformanceTest, ListsBatchesNewestFirst) {
  ASSERT_TRUE(store_->Commit(CompanyBatch("91110000600037341L", "甲公司", 1)).ok());
  ASSERT_TRUE(store_->Commit(CompanyBatch("91310115MA1K3BTP2B", "乙公司", 1)).ok());
  std::vector<BatchSummary> batches;
  ASSERT_TRUE(store_->ListBatches(10, "", &batches).ok());
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_GT(batches[0].id, batches[1].id);
}

TEST_P(StoreConformanceTest, ListsOnlyOneDepartmentsBatchesWhenAsked) {
  WriteSet a = CompanyBatch("91110000600037341L", "甲公司", 1);
  a.batch.dept = "郑州市市场监督管理局";
  WriteSet b = CompanyBatch("91310115MA1K3BTP2B", "乙公司", 1);
  b.batch.dept = "郑州市生态环境局";
  WriteSet c = CompanyBatch("9144030071526726XG", "丙公司", 1);
  c.batch.dept = "郑州市市场监督管理局";
  for (const WriteSet* ws : {&a, &b, &c}) ASSERT_TRUE(store_->Commit(*ws).ok());
  std::vector<BatchSummary> batches;
  ASSERT_TRUE(store_->ListBatches(10, "郑州市市场监督管理局", &batches).ok());
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].id, c.batch.id);
  EXPECT_EQ(batches[1].id, a.batch.id);
  batches.clear();
  ASSERT_TRUE(store_->ListBatches(1, "郑州市市场监督管理局", &batches).ok());
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].id, c.batch.id);
}

TEST_P(StoreConformanceTest, KeepsTokensByIdAndFindsThemByTheHashOfTheirSecret) {
  const std::string hash_a(32, 'a'), hash_b(32, 'b');
  ASSERT_TRUE(store_->PutToken(2, hash_b, "token two").ok());
  ASSERT_TRUE(store_->PutToken(1, hash_a, "token one").ok());
  auto found = store_->FindTokenByHash(hash_a);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->first, 1u);
  EXPECT_EQ((*found)->second, "token one");
  EXPECT_FALSE(store_->FindTokenByHash(std::string(32, 'c')).value().has_value());
  // Replaced under the same id (a revocation), found by the same hash.
  ASSERT_TRUE(store_->PutToken(1, hash_a, "token one, revoked").ok());
  Reopen();
  EXPECT_EQ(store_->FindTokenByHash(hash_a).value()->second, "token one, revoked");
  std::vector<std::pair<uint64_t, std::string>> all;
  ASSERT_TRUE(store_->ScanTokens([&](uint64_t id, std::string_view v) {
    all.emplace_back(id, std::string(v));
    return true;
  }).ok());
  EXPECT_EQ(all, (std::vector<std::pair<uint64_t, std::string>>{{1, "token one, revoked"},
                                                                {2, "token two"}}));
}

TEST_P(StoreConformanceTest, KeepsConsentsPerSubjectInIdOrder) {
  ASSERT_TRUE(store_->PutConsent(7, 2, "seven-two").ok());
  ASSERT_TRUE(store_->PutConsent(7, 1, "seven-one").ok());
  ASSERT_TRUE(store_->PutConsent(8, 1, "eight-one").ok());
  ASSERT_TRUE(store_->PutConsent(6, 1, "six-one").ok());
  Reopen();
  std::vector<std::pair<uint64_t, std::string>> seven;
  ASSERT_TRUE(store_->ListConsents(7, [&](uint64_t id, std::string_view v) {
    seven.emplace_back(id, std::string(v));
    return true;
  }).ok());
  EXPECT_EQ(seven, (std::vector<std::pair<uint64_t, std::string>>{{1, "seven-one"},
                                                                  {2, "seven-two"}}));
  size_t none = 0;
  ASSERT_TRUE(store_->ListConsents(9, [&](uint64_t, std::string_view) {
    ++none;
    return true;
  }).ok());
  EXPECT_EQ(none, 0u);
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

// A grade with one reason; `score` decides the grade as the sample model would.
GradeWrite Graded(uint64_t subject, int score, const std::string& as_of,
                  std::vector<uint64_t> record_ids = {}) {
  GradeWrite w;
  w.subject_id = subject;
  w.grade.as_of = *Date::Parse(as_of);
  w.grade.unix_ms = 1795000000000;
  w.grade.score = score;
  w.grade.grade = score >= 850 ? "A" : score >= 700 ? "B" : score >= 550 ? "C" : "D";
  w.grade.model = "model";
  if (!record_ids.empty()) {
    w.grade.reasons.push_back({"行政处罚（近三年）", "admin_penalty",
                               -30 * static_cast<int>(record_ids.size()), false, record_ids});
  }
  return w;
}

TEST_P(StoreConformanceTest, GradeHistoryGrowsOnlyWhenScoreOrGradeChanges) {
  std::vector<GradeWrite> w = {Graded(7, 800, "2026-01-01")};
  EXPECT_EQ(store_->SaveGrades(w).value(), 1u) << "the first grade is history";
  w = {Graded(7, 800, "2026-02-01")};  // the same result a month later
  EXPECT_EQ(store_->SaveGrades(w).value(), 0u);
  EXPECT_EQ(store_->GetGrade(7).value()->grade.as_of, *Date::Parse("2026-01-01"))
      << "a grade that says the same is not rewritten";
  w = {Graded(7, 770, "2026-03-01", {41})};  // a penalty: same grade, another score
  EXPECT_EQ(store_->SaveGrades(w).value(), 1u);
  w = {Graded(7, 770, "2026-03-15", {41})};
  w[0].grade.reasons[0].record_ids = {39};  // the same score for another record
  EXPECT_EQ(store_->SaveGrades(w).value(), 0u) << "no history without a new score or grade";
  EXPECT_EQ(store_->GetGrade(7).value()->grade.reasons[0].record_ids, std::vector<uint64_t>{39})
      << "but the current grade explains it anew";
  w = {Graded(7, 640, "2026-04-01", {41, 42, 43, 44, 45})};
  EXPECT_EQ(store_->SaveGrades(w).value(), 1u);

  auto current = store_->GetGrade(7).value();
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ(current->history, 3u);
  EXPECT_EQ(current->grade.as_of, *Date::Parse("2026-04-01"));
  EXPECT_EQ(current->grade.grade, "C");
  ASSERT_EQ(current->grade.reasons.size(), 1u);
  EXPECT_EQ(current->grade.reasons[0].record_ids, (std::vector<uint64_t>{41, 42, 43, 44, 45}));

  std::vector<SubjectGrade> history;
  ASSERT_TRUE(store_->ListGradeHistory(7, 0, 10, &history).ok());
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].score, 640) << "newest first";
  EXPECT_EQ(history[1].score, 770);
  EXPECT_EQ(history[2].score, 800);
  EXPECT_EQ(history[2].as_of, *Date::Parse("2026-01-01")) << "kept as first computed";
  history.clear();
  ASSERT_TRUE(store_->ListGradeHistory(7, 1, 1, &history).ok());
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].score, 770);
  history.clear();
  ASSERT_TRUE(store_->ListGradeHistory(7, 3, 10, &history).ok());
  EXPECT_TRUE(history.empty());
  EXPECT_FALSE(store_->GetGrade(8).value().has_value());

  Reopen();
  current = store_->GetGrade(7).value();
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ(current->grade.score, 640);
  EXPECT_EQ(current->history, 3u);
}

// Readers that keep answers made from a subject's data (the server's profile cache) rely on its
// data generation growing with every write that may change that data, before the writer
// returns; the logs written on every credit check must leave it, or they would empty those
// caches.
TEST_P(StoreConformanceTest, ASubjectsDataGenerationGrowsWithEveryWriteOfItsDataAndOnlyThen) {
  WriteSet ws = CompanyBatch("91110000600037341L", "甲公司", 2);
  const uint64_t subject = ws.subjects[0].id;
  uint64_t last = store_->DataGeneration(subject);
  auto grew = [&](std::string_view what) {
    const uint64_t now = store_->DataGeneration(subject);
    EXPECT_GT(now, last) << what;
    last = now;
  };
  auto same = [&](std::string_view what) {
    EXPECT_EQ(store_->DataGeneration(subject), last) << what;
  };

  ASSERT_TRUE(store_->Commit(ws).ok());
  grew("its first batch");
  WriteSet more = CompanyBatch("91310115MA1K3BTP2B", "乙公司", 5000);
  for (RecordWrite& w : more.records) w.record.subject_id = subject;  // on the bulk path
  more.subjects.clear();
  ASSERT_TRUE(store_->Commit(more).ok());
  grew("a batch of its records on the bulk path");
  WriteSet renamed;
  renamed.batch.id = store_->NextId(IdSpace::kBatch);
  renamed.subjects.push_back(ws.subjects[0]);
  renamed.subjects[0].name = "甲控股公司";
  ASSERT_TRUE(store_->Commit(renamed).ok());
  grew("a new name");
  const std::vector<GradeWrite> grades = {Graded(subject, 800, "2026-01-01")};
  ASSERT_TRUE(store_->SaveGrades(grades).ok());
  grew("a grade");
  ASSERT_TRUE(store_->SaveApplication({store_->NextId(IdSpace::kApplication), subject, 1, "filed",
                                       "event 1"})
                  .ok());
  grew("an objection");
  ASSERT_TRUE(store_->PutConsent(subject, 1, "consent").ok());
  grew("a consent");
  const RecordRef erased[] = {{subject, ws.records[0].record.record_id}};
  ASSERT_TRUE(store_->Erase(erased, {}).ok());
  grew("an erasure");
  WriteSet dropped;
  dropped.batch.id = store_->NextId(IdSpace::kBatch);
  dropped.dropped_names.emplace_back(subject, "甲公司");
  ASSERT_TRUE(store_->Commit(dropped).ok());
  grew("a name dropped");

  const AuditWrite entry{.seq = 1, .subject_id = subject, .entry = "looked"};
  ASSERT_TRUE(store_->AppendAudit(std::span(&entry, 1), "head").ok());
  same("the audit log");
  CheckRun run;
  run.department = "410100-fgw";
  run.scenario = "government_procurement";
  run.entries.push_back({.subject_id = subject, .subject_code = "91110000600037341L",
                         .result = "pass", .measures = {}});
  const CheckRun* runs[] = {&run};
  ASSERT_TRUE(store_->LogCheckRuns(runs).ok());
  same("the check log");
  ASSERT_TRUE(store_->PutToken(1, std::string(32, 'a'), "token").ok());
  same("a token");
  const uint64_t drawn[] = {subject};
  ASSERT_TRUE(store_->SaveInspection(store_->NextId(IdSpace::kInspection), "draw", drawn).ok());
  same("an inspection draw");
  ASSERT_TRUE(store_->SaveReport(store_->NextId(IdSpace::kReport), "report").ok());
  same("a report");
  ASSERT_TRUE(store_->Commit(CompanyBatch("91410100MA44L1XH8F", "丙公司", 3)).ok());
  same("another subject's batch");
  const uint64_t subjects[] = {subject};
  ASSERT_TRUE(store_->Erase({}, subjects).ok());
  grew("the subject erased");
}

TEST_P(StoreConformanceTest, ScansCurrentGradesInSubjectOrder) {
  std::vector<GradeWrite> w = {Graded(30, 900, "2026-01-01"), Graded(10, 800, "2026-01-01"),
                               Graded(20, 500, "2026-01-01", {1, 2})};
  EXPECT_EQ(store_->SaveGrades(w).value(), 3u);
  w = {Graded(20, 560, "2026-02-01", {1}), Graded(10, 800, "2026-02-01")};
  EXPECT_EQ(store_->SaveGrades(w).value(), 1u);
  std::vector<std::pair<uint64_t, int>> seen;
  auto collect = [&](uint64_t id, const CurrentGrade& g) -> Result<bool> {
    seen.emplace_back(id, g.grade.score);
    return true;
  };
  ASSERT_TRUE(store_->ScanGrades(0, collect).ok());
  EXPECT_EQ(seen, (std::vector<std::pair<uint64_t, int>>{{10, 800}, {20, 560}, {30, 900}}));
  seen.clear();
  ASSERT_TRUE(store_->ScanGrades(11, collect).ok());
  EXPECT_EQ(seen, (std::vector<std::pair<uint64_t, int>>{{20, 560}, {30, 900}}));
  seen.clear();
  ASSERT_TRUE(store_->ScanGrades(0, [&](uint64_t id, const CurrentGrade& g) -> Result<bool> {
    seen.emplace_back(id, g.grade.score);
    return false;
  }).ok());
  EXPECT_EQ(seen.size(), 1u);
}

TEST_P(StoreConformanceTest, ManyGradesAtOnceTakeTheBulkPathAlike) {
  std::vector<GradeWrite> w;
  for (uint64_t s = 1; s <= 3000; ++s) w.push_back(Graded(s, 800, "2026-01-01"));
  EXPECT_EQ(store_->SaveGrades(w).value(), 3000u);
  for (uint64_t s = 1; s <= 3000; ++s) {
    const bool penalized = s % 3 == 0;
    w[s - 1] = Graded(s, penalized ? 770 : 800, "2026-02-01",
                      penalized ? std::vector<uint64_t>{s} : std::vector<uint64_t>{});
  }
  EXPECT_EQ(store_->SaveGrades(w).value(), 1000u);
  Reopen();
  size_t n = 0, changed = 0;
  ASSERT_TRUE(store_->ScanGrades(0, [&](uint64_t id, const CurrentGrade& g) -> Result<bool> {
    ++n;
    EXPECT_EQ(g.grade.as_of, *Date::Parse(id % 3 == 0 ? "2026-02-01" : "2026-01-01"));
    EXPECT_EQ(g.history, id % 3 == 0 ? 2u : 1u);
    changed += g.history == 2;
    return true;
  }).ok());
  EXPECT_EQ(n, 3000u);
  EXPECT_EQ(changed, 1000u);
}

TEST_P(StoreConformanceTest, RemembersTheLastGradingRun) {
  EXPECT_FALSE(store_->LastGradingRun().value().has_value());
  ASSERT_TRUE(store_->SetGradingRun({*Date::Parse("2026-05-01"), 1777600000000}).ok());
  ASSERT_TRUE(store_->SetGradingRun({*Date::Parse("2026-05-02"), 1777680000000}).ok());
  Reopen();
  auto run = store_->LastGradingRun().value();
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->as_of, *Date::Parse("2026-05-02"));
  EXPECT_EQ(run->unix_ms, 1777680000000);
}

TEST_P(StoreConformanceTest, RefusesToGradeASubjectTwiceInOneWrite) {
  std::vector<GradeWrite> w = {Graded(5, 800, "2026-01-01"), Graded(5, 700, "2026-01-01")};
  EXPECT_EQ(store_->SaveGrades(w).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(store_->GetGrade(5).value().has_value()) << "all or none";
}

// A batch of `records` (indicator, decision day) for a new subject of `type`.
WriteSet MixedBatch(Store& store, SubjectType type, const std::string& code,
                    const std::vector<std::pair<std::string, int>>& records) {
  WriteSet ws;
  ws.batch.id = store.NextId(IdSpace::kBatch);
  Subject s;
  s.id = store.NextId(IdSpace::kSubject);
  s.type = type;
  s.name = "主体" + code;
  s.identifiers = {{IdentifierKind::kOrgCode, code}};
  s.first_batch = ws.batch.id;
  ws.subjects.push_back(s);
  for (const auto& [indicator, day] : records) {
    RecordWrite w;
    w.record.subject_id = s.id;
    w.record.record_id = store.NextId(IdSpace::kRecord);
    w.record.indicator = indicator;
    w.record.decision_date = Date::FromDays(20000 + day);
    w.record.batch_id = ws.batch.id;
    w.record.document_number = code + "-" + std::to_string(w.record.record_id);
    w.record.values = {{"LIST_END", "2030-01-01"}};
    w.natural_key = w.record.document_number;
    ws.records.push_back(w);
  }
  ws.batch.rows = ws.batch.accepted = records.size();
  return ws;
}

TEST_P(StoreConformanceTest, BulkReadsDeliverTheSelectedCurrentRecordsOfEverySubjectOnce) {
  std::vector<uint64_t> subjects;
  uint64_t corrected = 0;
  for (int i = 0; i < 40; ++i) {
    const SubjectType type = i % 4 == 3 ? SubjectType::kNaturalPerson : SubjectType::kLegalPerson;
    WriteSet ws = MixedBatch(*store_, type, "S" + std::to_string(i),
                             {{"admin_penalty", i}, {"reg_basic", 0}, {"serious_dishonesty", 5},
                              {"admin_penalty", i + 1}});
    subjects.push_back(ws.subjects[0].id);
    ASSERT_TRUE(store_->Commit(ws).ok());
    if (i == 6) {  // a correction: version 2 of the first penalty, revoked
      WriteSet fix;
      fix.batch.id = store_->NextId(IdSpace::kBatch);
      RecordWrite w = ws.records[0];
      corrected = w.record.record_id;
      w.record.version = 2;
      w.record.status = RecordStatus::kRevoked;
      fix.records.push_back(w);
      ASSERT_TRUE(store_->Commit(fix).ok());
    }
  }
  RecordSelection sel;
  sel.indicators = {"admin_penalty", "serious_dishonesty"};
  sel.with_values = {"serious_dishonesty"};
  sel.skip_natural_persons = true;
  std::map<uint64_t, int> visits;
  auto check = [&](const Subject& s, std::span<const Record> records) -> Status {
    ++visits[s.id];
    EXPECT_NE(s.type, SubjectType::kNaturalPerson);
    EXPECT_EQ(records.size(), 3u) << "no reg_basic, one version per record";
    for (size_t i = 0; i < records.size(); ++i) {
      const Record& r = records[i];
      EXPECT_EQ(r.subject_id, s.id);
      EXPECT_NE(r.indicator, "reg_basic");
      EXPECT_EQ(r.values.empty(), r.indicator == "admin_penalty") << "values of list records only";
      if (r.indicator == "serious_dishonesty") {
        EXPECT_EQ(r.Get("LIST_END"), "2030-01-01");
      }
      if (i > 0) {
        EXPECT_TRUE(records[i - 1].decision_date > r.decision_date ||
                    (records[i - 1].decision_date == r.decision_date &&
                     records[i - 1].record_id > r.record_id))
            << "ordered as ListRecords";
      }
    }
    for (const Record& r : records) {
      if (r.record_id != corrected) continue;
      EXPECT_EQ(r.version, 2u) << "the current version";
      EXPECT_EQ(r.status, RecordStatus::kRevoked);
    }
    return Status::Ok();
  };
  const uint64_t bound = *store_->HighestSubjectId();
  for (size_t parts : {1u, 3u, 7u}) {
    visits.clear();
    for (size_t part = 0; part < parts; ++part) {
      ASSERT_TRUE(store_->ScanSubjectRecords({part, parts, bound}, sel, check).ok());
    }
    EXPECT_EQ(visits.size(), 30u) << parts << " parts";
    for (const auto& [id, n] : visits) EXPECT_EQ(n, 1) << "subject " << id;
  }
  EXPECT_EQ(store_->ScanSubjectRecords({3, 3, bound}, sel, check).code(),
            StatusCode::kInvalidArgument);
  // Subjects committed while the parts run (ingestion beside a regrade) shift no range: every
  // subject there before is visited once, a new one at most once.
  visits.clear();
  for (size_t part = 0; part < 4; ++part) {
    ASSERT_TRUE(store_->ScanSubjectRecords({part, 4, bound}, sel, check).ok());
    for (int k = 0; k < 15; ++k) {
      ASSERT_TRUE(store_->Commit(MixedBatch(*store_, SubjectType::kLegalPerson,
                                            "N" + std::to_string(part) + "-" + std::to_string(k),
                                            {{"admin_penalty", k}, {"serious_dishonesty", 5},
                                             {"admin_penalty", k + 1}})).ok());
    }
  }
  for (uint64_t id : subjects) {
    const int type_skipped = (*store_->GetSubject(id))->type == SubjectType::kNaturalPerson;
    EXPECT_EQ(visits.contains(id) ? visits.at(id) : 0, 1 - type_skipped) << "subject " << id;
  }
  for (const auto& [id, n] : visits) EXPECT_EQ(n, 1) << "subject " << id;

  visits.clear();
  std::vector<uint64_t> some = {subjects[9], subjects[6], 99999,
                                subjects[6], subjects[3], subjects[0]};
  std::vector<uint64_t> order;
  auto record_order = [&](const Subject& s, std::span<const Record> r) {
    order.push_back(s.id);
    return check(s, r);
  };
  ASSERT_TRUE(store_->ReadSubjectRecords(some, sel, record_order).ok());
  EXPECT_EQ(order, (std::vector<uint64_t>{subjects[0], subjects[6], subjects[9]}))
      << "id order, unknown ids and natural persons skipped, each once";

  // Every subject at once, and every other subject of a stretch (half its id range): sets a
  // store may read in one forward pass. Each selected organization once, no other subject.
  visits.clear();
  ASSERT_TRUE(store_->ReadSubjectRecords(subjects, sel, check).ok());
  EXPECT_EQ(visits.size(), 30u);
  for (const auto& [id, n] : visits) EXPECT_EQ(n, 1) << "subject " << id;
  visits.clear();
  std::vector<uint64_t> stretch;
  for (size_t i = 10; i < 30; i += 2) stretch.push_back(subjects[i]);  // all organizations
  ASSERT_TRUE(store_->ReadSubjectRecords(stretch, sel, check).ok());
  EXPECT_EQ(visits.size(), stretch.size());
  for (uint64_t id : stretch) EXPECT_EQ(visits[id], 1) << "subject " << id;

  // Everything, when nothing is selected: the same records ListRecords gives.
  std::vector<Record> all;
  ASSERT_TRUE(store_->ListRecords(subjects[3], "", &all).ok());
  size_t delivered = 0;
  ASSERT_TRUE(store_->ReadSubjectRecords(std::vector<uint64_t>{subjects[3]}, RecordSelection(),
                                         [&](const Subject&, std::span<const Record> r) {
                                           delivered = r.size();
                                           for (size_t i = 0; i < r.size(); ++i) {
                                             EXPECT_EQ(r[i].record_id, all[i].record_id);
                                           }
                                           return Status::Ok();
                                         }).ok());
  EXPECT_EQ(delivered, 4u);
  EXPECT_EQ(all.size(), 4u);
}

TEST_P(StoreConformanceTest, StopsABulkReadAtTheFirstError) {
  for (int i = 0; i < 3; ++i) {
    WriteSet ws = MixedBatch(*store_, SubjectType::kLegalPerson, "E" + std::to_string(i),
                             {{"admin_penalty", 1}});
    ASSERT_TRUE(store_->Commit(ws).ok());
  }
  int calls = 0;
  Status st = store_->ScanSubjectRecords(Store::SubjectPart(), RecordSelection(),
                                         [&](const Subject&, std::span<const Record>) {
                                           ++calls;
                                           return Status::Unavailable("stop");
                                         });
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_EQ(calls, 1);
}

TEST_P(StoreConformanceTest, KeepsApplicationsWithTheirWholeHistory) {
  const uint64_t a = store_->NextId(IdSpace::kApplication);
  const uint64_t b = store_->NextId(IdSpace::kApplication);
  auto step = [&](uint64_t id, uint64_t subject, uint32_t seq, std::string value) {
    return store_->SaveApplication({id, subject, seq, value, "event " + std::to_string(seq)});
  };
  ASSERT_TRUE(step(a, 7, 1, "a filed").ok());
  ASSERT_TRUE(step(b, 9, 1, "b filed").ok());
  ASSERT_TRUE(step(a, 7, 2, "a forwarded").ok());
  // Two steps from the same state: the second one (same entry number) is refused, and so is a
  // gap; neither writes anything.
  EXPECT_EQ(step(a, 7, 2, "a forwarded again").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(step(a, 7, 4, "a skipped").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(step(999, 7, 2, "never filed").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(*store_->GetApplication(a).value(), "a forwarded");
  EXPECT_FALSE(store_->GetApplication(999).value().has_value());

  Reopen();
  // Ids continue after the stored ones, though no Commit persisted the counters.
  EXPECT_GT(store_->NextId(IdSpace::kApplication), b);
  std::vector<std::string> history;
  ASSERT_TRUE(store_->ListApplicationEvents(a, &history).ok());
  EXPECT_EQ(history, (std::vector<std::string>{"event 1", "event 2"}));
  std::vector<std::pair<uint64_t, std::string>> all;
  ASSERT_TRUE(store_->ScanApplications([&](uint64_t id, std::string_view v) {
    all.emplace_back(id, std::string(v));
    return true;
  }).ok());
  EXPECT_EQ(all, (std::vector<std::pair<uint64_t, std::string>>{{b, "b filed"},
                                                                {a, "a forwarded"}}));
  std::vector<uint64_t> of;
  ASSERT_TRUE(store_->ListSubjectApplications(7, &of).ok());
  EXPECT_EQ(of, (std::vector<uint64_t>{a}));
  of.clear();
  ASSERT_TRUE(store_->ListSubjectApplications(8, &of).ok());
  EXPECT_TRUE(of.empty());
}

TEST_P(StoreConformanceTest, KeepsRegradeMarksUntilTheyAreDeleted) {
  std::vector<std::pair<uint64_t, uint64_t>> marks;
  ASSERT_TRUE(store_->ListRegradeMarks(&marks).ok());
  EXPECT_TRUE(marks.empty());
  ASSERT_TRUE(store_->PutRegradeMark(0xFFFF'0000'0000'0001, 17).ok());
  ASSERT_TRUE(store_->PutRegradeMark(3, 1).ok());
  ASSERT_TRUE(store_->PutRegradeMark(3, 5).ok());  // the same token again: the latest seq
  ASSERT_TRUE(store_->ListRegradeMarks(&marks).ok());
  std::sort(marks.begin(), marks.end());
  EXPECT_EQ(marks, (std::vector<std::pair<uint64_t, uint64_t>>{{3, 5}, {0xFFFF'0000'0000'0001, 17}}));
  ASSERT_TRUE(store_->DeleteRegradeMark(3).ok());
  ASSERT_TRUE(store_->DeleteRegradeMark(42).ok());  // none such: nothing to do
  ASSERT_TRUE(store_->ListRegradeMarks(&marks).ok());
  EXPECT_EQ(marks, (std::vector<std::pair<uint64_t, uint64_t>>{{0xFFFF'0000'0000'0001, 17}}));
}

TEST_P(StoreConformanceTest, RecordsOneKeyFingerprintForGood) {
  auto none = store_->KeyFingerprint();
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value());
  const std::string fp(32, '\x7f'), other(32, '\x01');
  ASSERT_TRUE(store_->SetKeyFingerprint(fp).ok());
  EXPECT_TRUE(store_->SetKeyFingerprint(fp).ok());  // the same again: nothing to do
  EXPECT_EQ(store_->SetKeyFingerprint(other).code(), StatusCode::kAlreadyExists);
  Reopen();
  auto kept = store_->KeyFingerprint();
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ(**kept, fp);
  EXPECT_EQ(store_->SetKeyFingerprint(other).code(), StatusCode::kAlreadyExists);
}

TEST_P(StoreConformanceTest, RemembersTheDigestOfASubmittedFileWithItsBatch) {
  const std::string a(32, 'a'), b(32, '\xb0'), unknown(32, 'c');
  auto none = store_->FindFileDigest(a);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  WriteSet small = CompanyBatch("91110000600037341L", "甲公司", 3);
  small.file_digest = a;
  small.file_first_batch = small.batch.id;
  small.file_rows_through = 3;
  ASSERT_TRUE(store_->Commit(small).ok());
  WriteSet bulk = CompanyBatch("91310115MA1K3BTP2B", "乙公司", 2500);  // the SST path
  bulk.file_digest = b;
  bulk.file_first_batch = 7;
  bulk.file_rows_through = 2500;
  ASSERT_TRUE(store_->Commit(bulk).ok());
  const auto hit = [this](const std::string& digest) {
    auto h = store_->FindFileDigest(digest);
    EXPECT_TRUE(h.ok() && h->has_value());
    return h.ok() && h->has_value() ? std::pair{(*h)->first_batch, (*h)->rows_through}
                                    : std::pair<uint64_t, uint64_t>{};
  };
  EXPECT_EQ(hit(a), (std::pair<uint64_t, uint64_t>{small.batch.id, 3}));
  EXPECT_EQ(hit(b), (std::pair<uint64_t, uint64_t>{7, 2500}));
  EXPECT_FALSE(store_->FindFileDigest(unknown)->has_value());
  // The same file once more: what the latest batch that carried it wrote.
  WriteSet again = CompanyBatch("91110000600037341L", "甲公司", 3);
  again.file_digest = a;
  again.file_first_batch = again.batch.id;
  again.file_rows_through = 5;
  ASSERT_TRUE(store_->Commit(again).ok());
  EXPECT_EQ(hit(a), (std::pair<uint64_t, uint64_t>{again.batch.id, 5}));
}

TEST_P(StoreConformanceTest, ChangeFeedNumbersEveryVersionAndErasureAndKeepsExchangeCursors) {
  auto last = store_->LastChangeSeq();
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, 0u);
  WriteSet ws = CompanyBatch("91110000600037341L", "甲公司", 3);
  ASSERT_TRUE(store_->Commit(ws).ok());
  RecordWrite fix = ws.records[1];
  fix.record.version = 2;
  fix.record.content_hash = 77;
  WriteSet later;
  later.batch.id = store_->NextId(IdSpace::kBatch);
  later.records.push_back(fix);
  later.exchange_cursor = ExchangeCursor{"county-1", 41};
  ASSERT_TRUE(store_->Commit(later).ok());
  // A bulk batch (the SST path) is numbered the same way.
  WriteSet bulk = CompanyBatch("91310115MA1K3BTP2B", "乙公司", 2500);
  ASSERT_TRUE(store_->Commit(bulk).ok());

  std::vector<Change> changes;
  ASSERT_TRUE(store_->ReadChanges(1, 10, true, &changes).ok());
  ASSERT_EQ(changes.size(), 10u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(changes[i].seq, i + 1);
    EXPECT_EQ(changes[i].record_id, ws.records[i].record.record_id);
    EXPECT_EQ(changes[i].subject_id, ws.subjects[0].id);
    EXPECT_EQ(changes[i].version, 1u);
    ASSERT_TRUE(changes[i].record.has_value());
    EXPECT_EQ(changes[i].record->document_number, ws.records[i].record.document_number);
  }
  // A superseded version reads with the status it was written with.
  ASSERT_TRUE(changes[1].record.has_value());
  EXPECT_EQ(changes[1].record->status, RecordStatus::kActive);
  EXPECT_EQ(changes[1].record->content_hash, ws.records[1].record.content_hash);
  EXPECT_EQ(changes[3].seq, 4u);
  EXPECT_EQ(changes[3].record_id, fix.record.record_id);
  EXPECT_EQ(changes[3].version, 2u);
  EXPECT_EQ(changes[4].record_id, bulk.records[0].record.record_id);
  EXPECT_EQ(*store_->LastChangeSeq(), 4u + 2500u);
  EXPECT_EQ(*store_->ExchangeCursorOf("county-1"), 41u);
  EXPECT_EQ(*store_->ExchangeCursorOf("county-2"), 0u);

  // An erasure is a deletion event (version 0) after everything before it.
  const RecordRef gone{ws.subjects[0].id, ws.records[0].record.record_id};
  ASSERT_TRUE(store_->Erase(std::span(&gone, 1), {}).ok());
  Reopen();
  EXPECT_EQ(*store_->LastChangeSeq(), 4u + 2500u + 1u);
  changes.clear();
  ASSERT_TRUE(store_->ReadChanges(2504, 100, true, &changes).ok());
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_FALSE(changes[1].record.has_value());
  EXPECT_EQ(changes[1].seq, 2505u);
  EXPECT_EQ(changes[1].record_id, gone.record_id);
  EXPECT_EQ(changes[1].version, 0u);
  EXPECT_EQ(*store_->ExchangeCursorOf("county-1"), 41u);
  // The sequence continues after a reopen; a later cursor replaces the earlier one.
  WriteSet again = CompanyBatch("91440300MA5DC4QX6K", "丙公司", 1);
  again.exchange_cursor = ExchangeCursor{"county-1", 90};
  ASSERT_TRUE(store_->Commit(again).ok());
  changes.clear();
  ASSERT_TRUE(store_->ReadChanges(2506, 100, false, &changes).ok());
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].record_id, again.records[0].record.record_id);
  EXPECT_EQ(*store_->ExchangeCursorOf("county-1"), 90u);
}

INSTANTIATE_TEST_SUITE_P(AllBackends, StoreConformanceTest, ::testing::ValuesIn(kBackends),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace xinyong::storage
