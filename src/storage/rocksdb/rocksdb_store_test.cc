// RocksDB-specific behaviour of RocksDbStore; what every backend must do is in
// tests/conformance.
#include "storage/rocksdb/rocksdb_store.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "storage/rocksdb/keys.h"
#include "storage/rocksdb/prefilled_wal.h"

namespace xinyong::storage {
namespace {

class RocksDbStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() /
            ("xinyong-rocksdb-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

// A store as the version before the grades column family wrote it.
void CreateStoreWithoutGrades(const std::string& dir) {
  rocksdb::DBOptions o;
  o.create_if_missing = true;
  o.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const char* name : {"default", "subjects", "ids", "names", "records", "natural_keys",
                           "by_indicator", "batches", "batch_issues", "checks", "inspections"}) {
    cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(o, dir, cfs, &handles, &db).ok());
  for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  delete db;
}

// A read-only open of a path that holds no store (a typing error) fails and creates nothing.
TEST_F(RocksDbStoreTest, ReadOnlyOpenOfAMissingStoreCreatesNothing) {
  RocksDbOptions ro;
  ro.read_only = true;  // create_if_missing left at its default
  const std::string missing = dir_ + "/no-such-store";
  EXPECT_FALSE(RocksDbStore::Open(missing, ro).ok());
  EXPECT_FALSE(std::filesystem::exists(missing));
}

TEST_F(RocksDbStoreTest, ReadOnlyOpenOfAStoreWithoutGradesReadsThemAsEmpty) {
  CreateStoreWithoutGrades(dir_);
  RocksDbOptions ro;
  ro.read_only = true;
  ro.create_if_missing = false;
  {
    auto store = RocksDbStore::Open(dir_, ro);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_FALSE((*store)->GetGrade(1).value().has_value());
    std::vector<SubjectGrade> history;
    EXPECT_TRUE((*store)->ListGradeHistory(1, 0, 10, &history).ok());
    EXPECT_TRUE(history.empty());
    int seen = 0;
    EXPECT_TRUE((*store)
                    ->ScanGrades(0,
                                 [&](uint64_t, const CurrentGrade&) -> Result<bool> {
                                   ++seen;
                                   return true;
                                 })
                    .ok());
    EXPECT_EQ(seen, 0);
    std::vector<GradeWrite> w(1);
    w[0].subject_id = 1;
    EXPECT_EQ((*store)->SaveGrades(w).status().code(), StatusCode::kFailedPrecondition);
  }
  {
    // A writable open adds the column family.
    auto store = RocksDbStore::Open(dir_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    std::vector<GradeWrite> w(1);
    w[0].subject_id = 1;
    w[0].grade.grade = "B";
    w[0].grade.score = 800;
    EXPECT_EQ((*store)->SaveGrades(w).value(), 1u);
  }
  auto store = RocksDbStore::Open(dir_, ro);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto g = (*store)->GetGrade(1).value();
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->grade.score, 800);
  std::vector<GradeWrite> w(1);
  EXPECT_EQ((*store)->SaveGrades(w).status().code(), StatusCode::kFailedPrecondition)
      << "a read-only store refuses grades even when the column family exists";
  EXPECT_EQ((*store)->SetGradingRun(GradingRun()).code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE((*store)->LastGradingRun().value().has_value());
}


CheckRun RunOf(std::initializer_list<uint64_t> subjects) {
  CheckRun run;
  run.unix_ms = 1763769600000;
  run.department = "dept";
  run.requester = "cli";
  run.scenario = "bidding";
  run.purpose = "投标资格审查";
  for (uint64_t s : subjects) run.entries.push_back({s, "C", "pass", {}});
  return run;
}

std::vector<uint64_t> Checks(Store& store, uint64_t subject, size_t limit) {
  std::vector<uint64_t> ids;
  EXPECT_TRUE(store.ListSubjectChecks(subject, limit, &ids).ok());
  return ids;
}

std::vector<uint64_t> AuditOf(Store& store, uint64_t subject, size_t limit) {
  std::vector<uint64_t> seqs;
  EXPECT_TRUE(store.ListAuditBySubject(subject, limit, &seqs).ok());
  return seqs;
}

// Rewrites a store's subject_logs keys in the layout of the version before that column family
// (checks in check_subjects as subject(8) ‖ id(8), audit entries in audit as 's' ‖ subject(8) ‖
// seq(8)) and drops it: the store such a version leaves behind.
void DowngradeSubjectLogs(const std::string& dir) {
  rocksdb::DBOptions o;
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(o, dir, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const auto& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> h;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(o, dir, cfs, &h, &db).ok());
  auto cf = [&](std::string_view name) {
    return h[std::find(names.begin(), names.end(), name) - names.begin()];
  };
  rocksdb::WriteBatch wb;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf("subject_logs")));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t subject = 0, seq = 0;
    char kind = 0;
    ASSERT_TRUE(keys::DecodeSubjectLogKey(it->key().ToStringView(), &subject, &kind, &seq));
    if (kind == keys::kSubjectLogCheck) {
      ASSERT_TRUE(wb.Put(cf("check_subjects"), keys::SubjectKey(subject) + keys::SubjectKey(seq), "").ok());
    } else {
      ASSERT_TRUE(wb.Put(cf("audit"), "s" + keys::SubjectKey(subject) + keys::SubjectKey(seq), "").ok());
    }
  }
  ASSERT_TRUE(it->status().ok());
  it.reset();
  ASSERT_TRUE(db->Write(rocksdb::WriteOptions(), &wb).ok());
  ASSERT_TRUE(db->DropColumnFamily(cf("subject_logs")).ok());
  for (auto* x : h) ASSERT_TRUE(db->DestroyColumnFamilyHandle(x).ok());
  delete db;
}

// Checks and audit entries indexed by an older version (check_subjects, the audit column
// family's 's' keys) are listed after the newer ones of subject_logs: newest first, each once,
// by a read-only open that has no subject_logs as well as by a writable one.
TEST_F(RocksDbStoreTest, ListsASubjectsLogAcrossTheLegacyIndexAndSubjectLogs) {
  std::vector<uint64_t> old_checks;
  {
    auto store = RocksDbStore::Open(dir_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    const CheckRun run = RunOf({7, 8, 7});
    const CheckRun* runs[] = {&run};
    const AuditWrite entries[] = {{1, 7, "e1"}, {2, 8, "e2"}, {3, 7, "e3"}};
    const AuditAppend audit{entries, "head 3"};
    auto first = (*store)->LogCheckRuns(runs, &audit);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    old_checks = {(*first)[0] + 2, (*first)[0]};
  }
  DowngradeSubjectLogs(dir_);
  RocksDbOptions ro;
  ro.read_only = true;
  ro.create_if_missing = false;
  {
    auto store = RocksDbStore::Open(dir_, ro);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_EQ(Checks(**store, 7, 10), old_checks);
    EXPECT_EQ(AuditOf(**store, 7, 10), (std::vector<uint64_t>{3, 1}));
    const CheckRun run = RunOf({7});
    const CheckRun* runs[] = {&run};
    EXPECT_EQ((*store)->LogCheckRuns(runs).status().code(), StatusCode::kFailedPrecondition);
  }
  auto store = RocksDbStore::Open(dir_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const CheckRun run = RunOf({7, 7});
  const CheckRun* runs[] = {&run};
  const AuditWrite entries[] = {{4, 7, "e4"}};
  const AuditAppend audit{entries, "head 4"};
  auto first = (*store)->LogCheckRuns(runs, &audit);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  std::vector<uint64_t> all = {(*first)[0] + 1, (*first)[0]};
  all.insert(all.end(), old_checks.begin(), old_checks.end());
  EXPECT_EQ(Checks(**store, 7, 10), all);
  EXPECT_EQ(Checks(**store, 7, 3), std::vector<uint64_t>(all.begin(), all.begin() + 3));
  EXPECT_EQ(Checks(**store, 7, 1), std::vector<uint64_t>{all[0]});
  EXPECT_EQ(Checks(**store, 8, 10), std::vector<uint64_t>{old_checks.back() + 1});
  EXPECT_EQ(AuditOf(**store, 7, 10), (std::vector<uint64_t>{4, 3, 1}));
  EXPECT_EQ(AuditOf(**store, 7, 2), (std::vector<uint64_t>{4, 3}));
  EXPECT_EQ(AuditOf(**store, 8, 10), std::vector<uint64_t>{2});
}

// A read-only open of a store with every column family refuses the check log's writes, an
// inspection draw and a commit with FailedPrecondition — not RocksDB's NotSupported, nor Ok when
// there is nothing to index — and leaves what is stored as it was. (The other writes had their
// read-only guards already.)
TEST_F(RocksDbStoreTest, ReadOnlyOpenRefusesCheckLogInspectionAndCommitWrites) {
  uint64_t first_check = 0;
  {
    auto store = RocksDbStore::Open(dir_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    const CheckRun run = RunOf({7});
    const CheckRun* runs[] = {&run};
    auto first = (*store)->LogCheckRuns(runs);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    first_check = (*first)[0];
  }
  RocksDbOptions ro;
  ro.read_only = true;
  ro.create_if_missing = false;
  auto store = RocksDbStore::Open(dir_, ro);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const CheckRun run = RunOf({7});
  const CheckRun* runs[] = {&run};
  const AuditWrite entries[] = {{1, 7, "e1"}};
  const AuditAppend audit{entries, "head 1"};
  EXPECT_EQ((*store)->LogCheckRuns(runs).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*store)->LogCheckRuns(runs, &audit).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*store)->IndexChecks(100).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*store)->SetCheckFeedback(first_check, "applied", "", 1).code(),
            StatusCode::kFailedPrecondition);
  const uint64_t drawn[] = {7};
  EXPECT_EQ((*store)->SaveInspection(1, "{}", drawn).code(), StatusCode::kFailedPrecondition);
  WriteSet ws;
  ws.batch.id = 1;
  EXPECT_EQ((*store)->Commit(ws).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Checks(**store, 7, 10), std::vector<uint64_t>{first_check});
  auto check = (*store)->GetCheck(first_check);
  ASSERT_TRUE(check.ok() && check->has_value());
  EXPECT_TRUE((*check)->feedback_action.empty());
}

// subject_logs keeps its memtable as per-subject skip lists in hash buckets: with far more
// subjects than buckets, subjects share buckets, and a listing still gives exactly the
// subject's own entries, newest first, whether they are in memtables, in tables or both.
TEST_F(RocksDbStoreTest, ListsEachSubjectsOwnLogWhenSubjectsShareHashBuckets) {
  RocksDbOptions o;
  o.write_buffer_bytes = 64 << 10;  // 1,024 buckets, and flushes along the way
  auto store = RocksDbStore::Open(dir_, o);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  constexpr uint64_t kSubjects = 5000;
  std::map<uint64_t, std::vector<uint64_t>> expected;  // oldest first
  uint64_t seq = 0;
  for (int round = 0; round < 3; ++round) {
    for (uint64_t s = 1; s <= kSubjects; s += 100) {
      CheckRun run;
      run.unix_ms = 1763769600000;
      run.scenario = "bidding";
      std::vector<AuditWrite> entries;
      for (uint64_t t = s; t < s + 100; ++t) {
        const uint64_t subject = (t * 7919 + round) % kSubjects + 1;
        run.entries.push_back({subject, "C", "pass", {}});
        entries.push_back({++seq, subject, "e"});
      }
      const CheckRun* runs[] = {&run};
      const AuditAppend audit{entries, "head"};
      auto first = (*store)->LogCheckRuns(runs, &audit);
      ASSERT_TRUE(first.ok()) << first.status().ToString();
      for (size_t i = 0; i < run.entries.size(); ++i) {
        expected[run.entries[i].subject_id].push_back((*first)[0] + i);
      }
    }
    if (round == 1) {
      ASSERT_TRUE((*store)->CompactAll().ok());
    }
  }
  for (uint64_t subject = 1; subject <= kSubjects; ++subject) {
    std::vector<uint64_t> want(expected[subject].rbegin(), expected[subject].rend());
    ASSERT_EQ(Checks(**store, subject, 100), want) << "subject " << subject;
    // Audit entries were numbered in the same order as the checks: check id = seq here.
    ASSERT_EQ(AuditOf(**store, subject, 100), want) << "subject " << subject;
  }
  EXPECT_TRUE(Checks(**store, kSubjects + 1, 100).empty());
}

// The state a crash leaves: the files of a store that is still open, copied as they are (every
// write synced, so the copy is what the disk holds) — its write-ahead log file written into zeros
// laid ahead of the writes (prefilled_wal.h). The copy opens, with every check logged, and takes
// more.
TEST_F(RocksDbStoreTest, ACrashImageWithAPrefilledLogOpensWithEverySyncedWrite) {
  const std::string image = dir_ + "-image";
  std::filesystem::remove_all(image);
  uint64_t last = 0;
  auto store = RocksDbStore::Open(dir_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  for (uint64_t i = 0; i < 300; ++i) {
    const CheckRun run = RunOf({i % 17 + 1, i % 5 + 1});
    const CheckRun* runs[] = {&run};
    auto first = (*store)->LogCheckRuns(runs);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    last = (*first)[0] + 1;
  }
  std::filesystem::copy(dir_, image);
  // The live log ends in zeros, past its records.
  std::filesystem::path log;
  for (const auto& e : std::filesystem::directory_iterator(image)) {
    if (e.path().extension() == ".log" && (log.empty() || e.path() > log)) log = e.path();
  }
  ASSERT_FALSE(log.empty());
  ASSERT_GT(std::filesystem::file_size(log), PrefilledWalFileSystem::kDefaultStep);
  {
    std::ifstream in(log, std::ios::binary);
    in.seekg(-4096, std::ios::end);
    std::string tail(4096, 'x');
    in.read(tail.data(), 4096);
    EXPECT_EQ(tail, std::string(4096, '\0'));
  }
  {
    // A read-only open next to the writer reads the same log, zeros and all.
    RocksDbOptions ro;
    ro.read_only = true;
    ro.create_if_missing = false;
    auto reader = RocksDbStore::Open(dir_, ro);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    auto c = (*reader)->GetCheck(last).value();
    ASSERT_TRUE(c.has_value());
    EXPECT_FALSE((*reader)->GetCheck(last + 1).value().has_value());
  }
  store->reset();

  auto copy = RocksDbStore::Open(image);
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  size_t n = 0;
  ASSERT_TRUE((*copy)->ScanChecks([&](const CheckLog&) {
                       ++n;
                       return Status::Ok();
                     })
                  .ok());
  EXPECT_EQ(n, 600u);
  auto c = (*copy)->GetCheck(last).value();
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->subject_id, 299 % 5 + 1u);
  const CheckRun run = RunOf({3});
  const CheckRun* runs[] = {&run};
  auto next = (*copy)->LogCheckRuns(runs);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ((*next)[0], last + 1);
  copy->reset();
  std::filesystem::remove_all(image);
}

}  // namespace
}  // namespace xinyong::storage
