#include "storage/rocksdb/prefilled_wal.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

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
  static constexpr uint64_t kStep = 32768;  // one log block, the smallest step
  PrefilledWalFileSystem fs_{rocksdb::FileSystem::Default(), 1000};  // rounded up to kStep
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
  EXPECT_EQ(Contents(log), written + std::string(kStep, '\0'));

  // Writes within the zeros leave the file's size alone.
  const std::string more(1000, 'm');
  ASSERT_TRUE(f->Append(more, io_, nullptr).ok());
  written += more;
  EXPECT_EQ(std::filesystem::file_size(log), 10 + kStep);
  // A write past them extends the file, and zeros are laid after it again.
  const std::string big(40000, 'b');
  ASSERT_TRUE(f->Append(big, io_, nullptr).ok());
  written += big;
  EXPECT_EQ(f->GetFileSize(io_, nullptr), written.size());
  EXPECT_EQ(Contents(log), written + std::string(kStep, '\0'));

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

// A record fragment in RocksDB's log format: checksum (not checked by the guard), length, type.
std::string Fragment(int type, size_t length, char fill) {
  std::string r = "\x11\x22\x33\x44";
  r.push_back(static_cast<char>(length & 0xff));
  r.push_back(static_cast<char>(length >> 8));
  r.push_back(static_cast<char>(type));
  r.append(length, fill);
  return r;
}

// Everything a log file reads as, in reads of `chunk` bytes.
std::string ReadAll(rocksdb::FileSystem& fs, const std::string& path, size_t chunk) {
  std::unique_ptr<rocksdb::FSSequentialFile> f;
  EXPECT_TRUE(fs.NewSequentialFile(path, rocksdb::FileOptions(), &f, nullptr).ok());
  std::string out, scratch(chunk, '\0');
  while (true) {
    rocksdb::Slice got;
    EXPECT_TRUE(f->Read(chunk, rocksdb::IOOptions(), &got, scratch.data(), nullptr).ok());
    if (got.empty()) return out;
    out.append(got.data(), got.size());
  }
}

// A log file ends at its first unwritten record header, even with records after it (a file
// written meanwhile, or pages a power cut kept): never a log with a gap. Padding at a block's end
// is not a header, and a format the guard does not know is read as it is.
TEST_F(PrefilledWalTest, ALogIsReadUpToItsFirstUnwrittenRecordHeader) {
  constexpr size_t kBlock = 32768;
  auto block = [&](std::string s) {
    s.resize(kBlock, '\0');
    return s;
  };
  const std::string written = Fragment(1, 100, 'a') + Fragment(2, 200, 'b');
  const std::string gapped = block(written) + block(Fragment(1, 50, 'c'));
  // The first block's last 3 bytes are padding; the next starts with a record.
  const std::string padded =
      block(Fragment(1, kBlock - 7 - 3, 'd')) + Fragment(1, 10, 'e') + std::string(5000, '\0');
  const std::string unknown = Fragment(5, 20, 'f') + std::string(100, '\0') + Fragment(1, 5, 'g');
  for (size_t chunk : {kBlock, size_t{1000}, size_t{3}}) {
    SCOPED_TRACE("reads of " + std::to_string(chunk));
    for (const auto& [name, contents, expected] :
         {std::tuple<std::string, std::string, std::string>{"000001.log", gapped, written},
          {"000002.log", padded, padded.substr(0, kBlock + 17)},
          {"000003.log", unknown, unknown},
          {"000004.log", written, written}}) {
      const std::string path = dir_ + "/" + name;
      std::ofstream(path, std::ios::binary) << contents;
      // Reads that cut a header in two may have returned its first bytes (up to 6 zeros) before
      // the guard saw it whole: RocksDB takes a truncated header at the end of a file for the end.
      // (It reads whole blocks, in which headers never are cut.)
      const std::string got = ReadAll(fs_, path, chunk);
      EXPECT_EQ(got.substr(0, expected.size()), expected) << name;
      EXPECT_LE(got.size() - std::min(got.size(), expected.size()), chunk == kBlock ? 0u : 6u)
          << name;
      EXPECT_EQ(got.find_first_not_of('\0', expected.size()), std::string::npos) << name;
    }
    // Any other file reads as it is.
    std::ofstream(dir_ + "/MANIFEST-000005", std::ios::binary) << gapped;
    EXPECT_EQ(ReadAll(fs_, dir_ + "/MANIFEST-000005", chunk), gapped);
  }
}

}  // namespace
}  // namespace xinyong::storage
