// RocksDB-specific behaviour of RocksDbStore; what every backend must do is in
// tests/conformance.
#include "storage/rocksdb/rocksdb_store.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <unistd.h>

#include <filesystem>

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

}  // namespace
}  // namespace xinyong::storage
