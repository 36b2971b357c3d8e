#include "storage/rocksdb/prefilled_wal.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace xinyong::storage {
namespace {

class PrefilledWalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() /
            ("xinyong-prefilled-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Contents(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  std::string dir_;
  PrefilledWalFileSystem fs_{rocksdb::FileSystem::Default(), 4096};
  rocksdb::IOOptions io_;
};

TEST_F(PrefilledWalTest, OnlyLogFilesAreWrittenIntoZeros) {
  EXPECT_TRUE(PrefilledWalFileSystem::IsWalFile("/data/000123.log"));
  EXPECT_TRUE(PrefilledWalFileSystem::IsWalFile("7.log"));
  EXPECT_FALSE(PrefilledWalFileSystem::IsWalFile("/data/LOG"));
  EXPECT_FALSE(PrefilledWalFileSystem::IsWalFile("/data/LOG.old.1795479722456382"));
  EXPECT_FALSE(PrefilledWalFileSystem::IsWalFile("/data/x1.log"));
  EXPECT_FALSE(PrefilledWalFileSystem::IsWalFile("/data/.log"));
  EXPECT_FALSE(PrefilledWalFileSystem::IsWalFile("/data/000123.sst"));
  EXPECT_FALSE(PrefilledWalFileSystem::IsWalFile("/data/000123.log/MANIFEST-000001"));

  // Any other file is the base file system's: as long as what was written.
  std::unique_ptr<rocksdb::FSWritableFile> f;
  const std::string other = dir_ + "/MANIFEST-000001";
  ASSERT_TRUE(fs_.NewWritableFile(other, rocksdb::FileOptions(), &f, nullptr).ok());
  ASSERT_TRUE(f->Append("abc", io_, nullptr).ok());
  ASSERT_TRUE(f->Close(io_, nullptr).ok());
  EXPECT_EQ(Contents(other), "abc");
}

TEST_F(PrefilledWalTest, ALogFileHasZerosAheadOfItsRecordsUntilItIsClosed) {
  const std::string log = dir_ + "/000042.log";
  std::unique_ptr<rocksdb::FSWritableFile> f;
  ASSERT_TRUE(fs_.NewWritableFile(log, rocksdb::FileOptions(), &f, nullptr).ok());
  std::string written = "record one";
  ASSERT_TRUE(f->Append(written, io_, nullptr).ok());
  ASSERT_TRUE(f->Sync(io_, nullptr).ok());
  EXPECT_EQ(f->GetFileSize(io_, nullptr), written.size());
  EXPECT_EQ(Contents(log), written + std::string(4096, '\0'));

  // Writes within the zeros leave the file's size alone.
  const std::string more(1000, 'm');
  ASSERT_TRUE(f->Append(more, io_, nullptr).ok());
  written += more;
  EXPECT_EQ(std::filesystem::file_size(log), 10 + 4096u);
  // A write past them extends the file, and zeros are laid after it again.
  const std::string big(10000, 'b');
  ASSERT_TRUE(f->Append(big, io_, nullptr).ok());
  written += big;
  EXPECT_EQ(f->GetFileSize(io_, nullptr), written.size());
  EXPECT_EQ(Contents(log), written + std::string(4096, '\0'));

  // Closed, it holds its records only.
  ASSERT_TRUE(f->Close(io_, nullptr).ok());
  EXPECT_EQ(Contents(log), written);
}

TEST_F(PrefilledWalTest, TruncateSetsTheRecordsEnd) {
  const std::string log = dir_ + "/000043.log";
  std::unique_ptr<rocksdb::FSWritableFile> f;
  ASSERT_TRUE(fs_.NewWritableFile(log, rocksdb::FileOptions(), &f, nullptr).ok());
  ASSERT_TRUE(f->Append("0123456789", io_, nullptr).ok());
  ASSERT_TRUE(f->Truncate(4, io_, nullptr).ok());
  EXPECT_EQ(f->GetFileSize(io_, nullptr), 4u);
  ASSERT_TRUE(f->Append("xy", io_, nullptr).ok());
  f.reset();  // closes
  EXPECT_EQ(Contents(log), "0123xy");
}

TEST_F(PrefilledWalTest, ALogFileThatCannotBeCreatedIsAnError) {
  std::unique_ptr<rocksdb::FSWritableFile> f;
  auto s = fs_.NewWritableFile(dir_ + "/missing/000001.log", rocksdb::FileOptions(), &f, nullptr);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_NE(s.ToString().find("missing/000001.log"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace xinyong::storage
