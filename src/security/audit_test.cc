#include "security/audit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <thread>

#include <rocksdb/db.h>

#include "core/coding.h"
#include "storage/rocksdb/rocksdb_store.h"

namespace xinyong::security {
namespace {

namespace fs = std::filesystem;

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("xinyong-audit-" + std::to_string(rd()));
    Open();
    ASSERT_TRUE(open_status_.ok()) << open_status_.ToString();
  }
  void TearDown() override {
    log_.reset();
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void Open() {
    storage::RocksDbOptions o;
    o.sync = false;
    auto s = storage::RocksDbStore::Open(dir_.string(), o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    auto l = AuditLog::Open(*store_);
    open_status_ = l.status();
    if (l.ok()) log_ = std::move(l).value();
  }
  void Close() {
    log_.reset();
    store_.reset();
  }

  // n entries: reads about subjects 1..3 and writes, by two principals.
  void AppendSome(int n) {
    Principal::Scope scope;
    scope.department = "郑州市财政局";
    Principal dept(Role::kUsingDepartment, 4, scope);
    for (int i = 0; i < n; ++i) {
      AuditEntry e = AuditEntryFor(i % 2 ? dept : Principal(), i % 3 ? "read" : "write",
                                   "GET /api/v1/subjects/{code}/records");
      e.subject_id = static_cast<uint64_t>(1 + i % 3);
      e.purpose = "政府采购资格审查";
      e.outcome = "200";
      auto seq = log_->Append(e);
      ASSERT_TRUE(seq.ok()) << seq.status().ToString();
    }
  }

  AuditVerification Verify() {
    auto v = VerifyAudit(*store_);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : AuditVerification();
  }

  // Changes the raw database behind the store's back, as an intruder with file access would.
  void Tamper(const std::function<void(rocksdb::DB*, rocksdb::ColumnFamilyHandle* audit,
                                       rocksdb::ColumnFamilyHandle* meta)>& fn) {
    Close();
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir_.string(), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const auto& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> h;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir_.string(), cfs, &h, &raw).ok());
    rocksdb::ColumnFamilyHandle *audit = nullptr, *meta = nullptr;
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == "audit") audit = h[i];
      if (names[i] == "default") meta = h[i];
    }
    ASSERT_NE(audit, nullptr);
    fn(raw, audit, meta);
    for (auto* x : h) raw->DestroyColumnFamilyHandle(x).PermitUncheckedError();
    delete raw;
    Open();
  }
  static std::string Key(uint64_t seq) {
    std::string k(1, 'e');
    coding::PutFixed64BE(&k, seq);
    return k;
  }
  static std::string Get(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, uint64_t seq) {
    std::string v;
    EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), cf, Key(seq), &v).ok());
    return v;
  }

  fs::path dir_;
  std::unique_ptr<storage::RocksDbStore> store_;
  std::unique_ptr<AuditLog> log_;
  Status open_status_;
};

TEST_F(AuditTest, ConcurrentAppendsFormOneUnbrokenChainThatSurvivesAReopen) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back([&] { AppendSome(50); });
  for (auto& t : threads) t.join();
  AuditVerification v = Verify();
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.entries, 200u);
  EXPECT_EQ(v.head_seq, 200u);
  Close();
  Open();
  AppendSome(3);  // the chain continues from the stored head
  v = Verify();
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.entries, 203u);
  // The query log: a subject's entries, newest first, who and why.
  auto mine = SubjectAuditEntries(*store_, 2, 1000);
  ASSERT_TRUE(mine.ok());
  ASSERT_GT(mine->size(), 60u);
  for (size_t i = 1; i < mine->size(); ++i) EXPECT_GT((*mine)[i - 1].seq, (*mine)[i].seq);
  for (const AuditEntry& e : *mine) {
    EXPECT_EQ(e.subject_id, 2u);
    EXPECT_EQ(e.purpose, "政府采购资格审查");
  }
}

// `xinyong audit verify` runs beside a server that keeps appending: an append committing between
// the scan of the entries and the read of the head is not a removal. Asynchronous entries too,
// whose groups are written without a flush of their own, end up in the chain, flushed.
TEST_F(AuditTest, VerifyingWhileEntriesAreAppendedFindsTheLogIntact) {
  std::atomic<bool> done{false};
  std::thread appender([&] {
    for (int i = 0; i < 400; ++i) {
      AuditEntry e = AuditEntryFor(Principal(), "write", "POST /api/v1/checks");
      e.subject_id = 1;
      e.outcome = "201";
      if (i % 2) {
        log_->AppendAsync(e);
      } else {
        EXPECT_TRUE(log_->Append(e).ok());
      }
    }
    done = true;
  });
  int verified = 0;
  while (!done || verified == 0) {
    AuditVerification v = Verify();
    EXPECT_TRUE(v.intact) << "after " << verified << " verifications: " << v.problem;
    if (!v.intact) break;
    ++verified;
  }
  appender.join();
  log_.reset();  // writes what was handed in, flushed
  Close();
  Open();
  AuditVerification v = Verify();
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.entries, 400u);
  EXPECT_EQ(v.head_seq, 400u);
}

// A credit check's entry goes in the check log's own write (AppendWith): it joins the same chain
// as the entries the writer thread appends meanwhile, in one write with the check; a write that
// fails leaves neither, and the chain goes on from where it was.
TEST_F(AuditTest, EntriesWrittenWithTheCheckLogJoinTheChainOrNotAtAll) {
  CheckRun run;
  run.unix_ms = 1763769600000;
  run.department = "410100-czj";
  run.scenario = "government_procurement";
  run.purpose = "采购项目资格审查";
  run.entries.push_back({7, "91110000600037341L", "pass", {}});
  const CheckRun* runs[] = {&run};
  std::thread others([&] { AppendSome(60); });
  std::vector<uint64_t> checks, seqs;
  for (int i = 0; i < 60; ++i) {
    AuditEntry e[2] = {AuditEntryFor(Principal(), "write", "POST /api/v1/checks"),
                       AuditEntryFor(Principal(), "write", "POST /api/v1/checks")};
    e[0].subject_id = e[1].subject_id = 7;
    e[0].outcome = e[1].outcome = "201";
    Status st = log_->AppendWith(e, [&](const storage::AuditAppend& a) -> Status {
      EXPECT_EQ(a.entries.size(), 2u);
      auto first = store_->LogCheckRuns(runs, &a);
      if (!first.ok()) return first.status();
      checks.push_back((*first)[0]);
      return Status::Ok();
    });
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(e[1].seq, e[0].seq + 1);
    EXPECT_EQ(e[1].prev_hash, e[0].hash);
    seqs.push_back(e[1].seq);
    if (i % 10 == 0) {  // the write fails: nothing of it is kept
      log_->AppendAsync(e[0]);  // an entry the writer thread chains on its own
      AuditEntry lost = e[0];
      lost.unix_ms = 0;
      EXPECT_EQ(log_->AppendWith({&lost, 1}, [](const storage::AuditAppend&) {
                      return Status::Unavailable("disk full");
                    }).code(),
                StatusCode::kUnavailable);
    }
  }
  others.join();
  log_.reset();
  Close();
  Open();
  AuditVerification v = Verify();
  EXPECT_TRUE(v.intact) << v.problem;
  EXPECT_EQ(v.entries, 60u + 120u + 6u);
  EXPECT_EQ(v.head_seq, v.entries);
  for (size_t i = 0; i < checks.size(); ++i) {
    auto c = store_->GetCheck(checks[i]);
    ASSERT_TRUE(c.ok() && c->has_value());
    auto stored = store_->GetAudit(seqs[i]);
    ASSERT_TRUE(stored.ok() && stored->has_value());
    AuditEntry e;
    ASSERT_TRUE(DecodeAuditEntry(**stored, &e));
    EXPECT_EQ(e.target, "POST /api/v1/checks");
    EXPECT_EQ(e.subject_id, 7u);
  }
}

TEST_F(AuditTest, AnEmptyLogIsIntact) {
  AuditVerification v = Verify();
  EXPECT_TRUE(v.intact);
  EXPECT_EQ(v.entries, 0u);
}

TEST_F(AuditTest, DetectsAnAlteredEntry) {
  AppendSome(10);
  Tamper([](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* audit, rocksdb::ColumnFamilyHandle*) {
    std::string v = Get(db, audit, 4);
    const size_t at = v.find("政府采购资格审查");
    ASSERT_NE(at, std::string::npos);
    v.replace(at, 6, "行政许");  // the purpose now reads differently, same length
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), audit, Key(4), v).ok());
  });
  AuditVerification v = Verify();
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.bad_seq, 4u);
  EXPECT_NE(v.problem.find("altered"), std::string::npos) << v.problem;
}

TEST_F(AuditTest, DetectsAnAlteredEntryWhoseHashWasRecomputed) {
  AppendSome(10);
  Tamper([](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* audit, rocksdb::ColumnFamilyHandle*) {
    AuditEntry e;
    ASSERT_TRUE(DecodeAuditEntry(Get(db, audit, 6), &e));
    e.outcome = "403";
    e.hash = AuditHash(e);  // consistent by itself, but the next entry points at the old hash
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), audit, Key(6), EncodeAuditEntry(e)).ok());
  });
  AuditVerification v = Verify();
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.bad_seq, 7u);
  EXPECT_NE(v.problem.find("does not follow"), std::string::npos) << v.problem;
}

TEST_F(AuditTest, DetectsAnInsertedEntry) {
  AppendSome(10);
  Tamper([](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* audit, rocksdb::ColumnFamilyHandle*) {
    // A forged entry 5 that fits after entry 4, the later ones moved up one place each.
    for (uint64_t seq = 10; seq >= 5; --seq) {
      AuditEntry e;
      ASSERT_TRUE(DecodeAuditEntry(Get(db, audit, seq), &e));
      e.seq = seq + 1;
      e.hash = AuditHash(e);
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), audit, Key(seq + 1), EncodeAuditEntry(e)).ok());
    }
    AuditEntry four, forged;
    ASSERT_TRUE(DecodeAuditEntry(Get(db, audit, 4), &four));
    forged = four;
    forged.seq = 5;
    forged.actor = "operator token 1";
    forged.prev_hash = four.hash;
    forged.hash = AuditHash(forged);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), audit, Key(5), EncodeAuditEntry(forged)).ok());
  });
  AuditVerification v = Verify();
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.bad_seq, 6u);  // the moved entry no longer follows the forged one
  // Entry 11 lies past the recorded head (10): the log refuses to open for appending, which
  // would write its entry 11 over the moved one.
  EXPECT_EQ(open_status_.code(), StatusCode::kDataLoss) << open_status_.ToString();
  EXPECT_NE(open_status_.message().find("entry 11 past its recorded head"), std::string::npos)
      << open_status_.ToString();
}

// A head set back (a partial restore of the metadata, or an intruder hiding the last entries
// before overwriting them): the log refuses to append over the entries past it.
TEST_F(AuditTest, RefusesToAppendOverEntriesPastAnOlderHead) {
  AppendSome(10);
  Tamper([&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* audit, rocksdb::ColumnFamilyHandle* meta) {
    AuditEntry five;
    ASSERT_TRUE(DecodeAuditEntry(Get(db, audit, 5), &five));
    // The head's form: the sequence number and the hash (as AuditLog writes it).
    const std::string kHeadKey = "audit_head";  // docs/storage.md, the default column family
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), meta, kHeadKey, &value).ok());
    std::string older;
    coding::PutFixed64BE(&older, 5);
    older += five.hash;
    ASSERT_EQ(older.size(), value.size());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), meta, kHeadKey, older).ok());
  });
  EXPECT_EQ(open_status_.code(), StatusCode::kDataLoss) << open_status_.ToString();
  EXPECT_EQ(log_, nullptr);
  // The entries are all still there for verification to look at.
  auto stored = store_->GetAudit(10);
  ASSERT_TRUE(stored.ok() && stored->has_value());
}

TEST_F(AuditTest, DetectsARemovedEntryInTheMiddleAndAtTheEnd) {
  AppendSome(10);
  Tamper([](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* audit, rocksdb::ColumnFamilyHandle*) {
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), audit, Key(3)).ok());
  });
  AuditVerification v = Verify();
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.bad_seq, 4u);
  EXPECT_NE(v.problem.find("missing"), std::string::npos) << v.problem;

  TearDown();
  SetUp();
  AppendSome(10);
  Tamper([](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* audit, rocksdb::ColumnFamilyHandle*) {
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), audit, Key(10)).ok());
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), audit, Key(9)).ok());
  });
  v = Verify();
  EXPECT_FALSE(v.intact);
  EXPECT_EQ(v.entries, 8u);
  EXPECT_NE(v.problem.find("removed from the end"), std::string::npos) << v.problem;
}

}  // namespace
}  // namespace xinyong::security
