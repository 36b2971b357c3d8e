#include "core/personal_data.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace xinyong {
namespace {

using ::testing::HasSubstr;

constexpr size_t kSealOverhead =
    crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES;

// ---------------------------------------------------------------------------------------------
// Sealing and hashing, with keys derived from a seed.

TEST(PersonalDataVaultTest, RoundTripsPlaintext) {
  auto vault = PersonalDataVault::ForTesting("seed");
  for (const std::string& plaintext :
       {std::string("11010519491231002X"), std::string(), std::string("a\0b", 3),
        std::string(10000, 'x'), std::string("张三 4101**********123X")}) {
    const std::string sealed = vault->Encrypt(plaintext);
    EXPECT_EQ(sealed.size(), plaintext.size() + kSealOverhead);
    auto opened = vault->Decrypt(sealed);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(*opened, plaintext);
  }
}

TEST(PersonalDataVaultTest, SealsSameInputDifferentlyEachTime) {
  auto vault = PersonalDataVault::ForTesting("seed");
  const std::string a = vault->Encrypt("11010519491231002X");
  const std::string b = vault->Encrypt("11010519491231002X");
  EXPECT_NE(a, b);  // random nonce
  EXPECT_EQ(a.find("11010519491231002X"), std::string::npos);
}

TEST(PersonalDataVaultTest, DetectsEveryAlteredByte) {
  auto vault = PersonalDataVault::ForTesting("seed");
  const std::string sealed = vault->Encrypt("11010519491231002X");
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string altered = sealed;
    altered[i] = static_cast<char>(altered[i] ^ 0x01);
    auto r = vault->Decrypt(altered);
    ASSERT_FALSE(r.ok()) << "byte " << i;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  }
}

TEST(PersonalDataVaultTest, DetectsTruncatedAndExtendedValues) {
  auto vault = PersonalDataVault::ForTesting("seed");
  const std::string sealed = vault->Encrypt("11010519491231002X");
  EXPECT_EQ(vault->Decrypt(sealed.substr(0, sealed.size() - 1)).status().code(),
            StatusCode::kDataLoss);
  EXPECT_EQ(vault->Decrypt(sealed + "x").status().code(), StatusCode::kDataLoss);
  auto too_short = vault->Decrypt(sealed.substr(0, kSealOverhead - 1));
  EXPECT_EQ(too_short.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(too_short.status().message(), HasSubstr("fewer than"));
  EXPECT_EQ(vault->Decrypt("").status().code(), StatusCode::kDataLoss);
}

TEST(PersonalDataVaultTest, RejectsValueSealedUnderAnotherKey) {
  auto mine = PersonalDataVault::ForTesting("mine");
  auto theirs = PersonalDataVault::ForTesting("theirs");
  auto r = mine->Decrypt(theirs->Encrypt("11010519491231002X"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
}

TEST(PersonalDataVaultTest, SameInputGivesSameHash) {
  auto vault = PersonalDataVault::ForTesting("seed");
  EXPECT_EQ(vault->LookupHash("11010519491231002X"), vault->LookupHash("11010519491231002X"));
  EXPECT_NE(vault->LookupHash("11010519491231002X"), vault->LookupHash("360426199101010071"));
  // A second vault from the same seed holds the same key.
  EXPECT_EQ(PersonalDataVault::ForTesting("seed")->LookupHash("11010519491231002X"),
            vault->LookupHash("11010519491231002X"));
}

TEST(PersonalDataVaultTest, DifferentKeyGivesDifferentHash) {
  auto a = PersonalDataVault::ForTesting("a");
  auto b = PersonalDataVault::ForTesting("b");
  EXPECT_NE(a->LookupHash("11010519491231002X"), b->LookupHash("11010519491231002X"));
}

TEST(PersonalDataVaultTest, HashIsKeyedNotPlainBlake2b) {
  // An unkeyed hash of an ID could be reversed by hashing all ~10^11 plausible IDs.
  ASSERT_GE(sodium_init(), 0);
  const std::string id = "11010519491231002X";
  PersonalDataVault::Hash plain;
  crypto_generichash(plain.data(), plain.size(), reinterpret_cast<const unsigned char*>(id.data()),
                     id.size(), nullptr, 0);
  EXPECT_NE(PersonalDataVault::ForTesting("seed")->LookupHash(id), plain);
}

// ---------------------------------------------------------------------------------------------
// Key files.

class PersonalDataKeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("xinyong_vault_" + std::to_string(::getpid()) + "_" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string PathOf(const std::string& name) const { return (dir_ / name).string(); }

  // As an operator restoring a key file would: its owner's alone.
  static void WriteFile(const std::string& path, const std::string& content) {
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << content;
    }
    std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write);
  }

  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
  }

  std::filesystem::path dir_;
};

TEST_F(PersonalDataKeyFileTest, CreatesKeyFileWithMode0600AndParentDirectories) {
  const std::string path = PathOf("keys/nested/vault.key");
  auto vault = PersonalDataVault::OpenOrCreate(path);
  ASSERT_TRUE(vault.ok()) << vault.status().ToString();

  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(PathOf("keys/nested").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);  // directories made for keys are private as well

  const std::string content = ReadFile(path);
  ASSERT_EQ(content.size(), 129u);
  EXPECT_EQ(content.back(), '\n');
  EXPECT_EQ(content.find_first_not_of("0123456789abcdef"), 128u);
  // No temporary file is left behind.
  size_t entries = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator(PathOf("keys/nested"))) {
    ++entries;
  }
  EXPECT_EQ(entries, 1u);
}

TEST_F(PersonalDataKeyFileTest, ReopenedKeyFileGivesSameHashAndOpensSealedValues) {
  const std::string path = PathOf("vault.key");
  auto first = PersonalDataVault::OpenOrCreate(path);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const auto hash = (*first)->LookupHash("11010519491231002X");
  const std::string sealed = (*first)->Encrypt("11010519491231002X");
  const std::string content = ReadFile(path);

  auto second = PersonalDataVault::OpenOrCreate(path);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ((*second)->LookupHash("11010519491231002X"), hash);
  auto opened = (*second)->Decrypt(sealed);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, "11010519491231002X");
  EXPECT_EQ(ReadFile(path), content);  // reopening never rewrites the key
}

TEST_F(PersonalDataKeyFileTest, SeparateKeyFilesGiveDifferentHashes) {
  auto a = PersonalDataVault::OpenOrCreate(PathOf("a.key"));
  auto b = PersonalDataVault::OpenOrCreate(PathOf("b.key"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE((*a)->LookupHash("11010519491231002X"), (*b)->LookupHash("11010519491231002X"));
}

TEST_F(PersonalDataKeyFileTest, OpenNeverCreatesAndTheFingerprintNamesTheKey) {
  auto missing = PersonalDataVault::Open(PathOf("none.key"));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(PathOf("none.key")));
  auto a = PersonalDataVault::OpenOrCreate(PathOf("a.key"));
  auto b = PersonalDataVault::OpenOrCreate(PathOf("b.key"));
  auto again = PersonalDataVault::Open(PathOf("a.key"));
  ASSERT_TRUE(a.ok() && b.ok() && again.ok());
  EXPECT_EQ((*a)->Fingerprint(), (*again)->Fingerprint());
  EXPECT_NE((*a)->Fingerprint(), (*b)->Fingerprint());
  // Not a lookup hash under the same key: the fingerprint reveals nothing a hash could match.
  EXPECT_NE((*a)->Fingerprint(), (*a)->LookupHash("xinyong.PersonalDataVault.fingerprint"));
}

// A key file others may read (restored from a backup with 0644) is refused, saying how to fix
// it, and opens once it is the owner's alone.
TEST_F(PersonalDataKeyFileTest, AKeyFileOthersMayReadIsRefused) {
  const std::string path = PathOf("loose.key");
  ASSERT_TRUE(PersonalDataVault::OpenOrCreate(path).ok());
  std::filesystem::permissions(path, std::filesystem::perms::group_read |
                                         std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  auto refused = PersonalDataVault::Open(path);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("has mode 0644"));
  EXPECT_THAT(refused.status().message(), HasSubstr("chmod 600"));
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write | std::filesystem::perms::group_read);
  EXPECT_TRUE(PersonalDataVault::Open(path).ok()) << "0640: a service group may read it";
  EXPECT_THAT(refused.status().message(), HasSubstr(path));
  std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                         std::filesystem::perms::owner_write);
  EXPECT_TRUE(PersonalDataVault::Open(path).ok());
}

TEST_F(PersonalDataKeyFileTest, AcceptsKeyFileWithWindowsLineEnding) {
  const std::string path = PathOf("crlf.key");
  WriteFile(path, std::string(128, 'a') + "\r\n");
  auto vault = PersonalDataVault::OpenOrCreate(path);
  EXPECT_TRUE(vault.ok()) << vault.status().ToString();
}

TEST_F(PersonalDataKeyFileTest, CorruptKeyFileGivesClearErrorAndIsLeftAlone) {
  const std::string path = PathOf("corrupt.key");
  WriteFile(path, "not a key\n");
  auto r = PersonalDataVault::OpenOrCreate(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr("key file '" + path + "'"));
  EXPECT_THAT(r.status().message(), HasSubstr("holds 9 characters instead of 128"));
  EXPECT_THAT(r.status().message(), HasSubstr("128 hexadecimal digits"));
  // A corrupt key must never be replaced by a fresh one: that would strand every sealed value.
  EXPECT_EQ(ReadFile(path), "not a key\n");
}

TEST_F(PersonalDataKeyFileTest, EmptyKeyFileGivesClearError) {
  const std::string path = PathOf("empty.key");
  WriteFile(path, "");
  auto r = PersonalDataVault::OpenOrCreate(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr("is empty"));
}

TEST_F(PersonalDataKeyFileTest, KeyFileWithNonHexCharacterGivesClearError) {
  const std::string path = PathOf("nonhex.key");
  WriteFile(path, std::string(100, '0') + "g" + std::string(27, '0'));
  auto r = PersonalDataVault::OpenOrCreate(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr("not a hexadecimal digit at offset 100"));
}

TEST_F(PersonalDataKeyFileTest, OversizedKeyFileGivesClearError) {
  const std::string path = PathOf("huge.key");
  WriteFile(path, std::string(100000, 'a'));
  auto r = PersonalDataVault::OpenOrCreate(path);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("larger than 4096 bytes"));
}

TEST_F(PersonalDataKeyFileTest, DirectoryInPlaceOfKeyFileIsRejected) {
  const std::string path = PathOf("dir.key");
  std::filesystem::create_directories(path);
  auto r = PersonalDataVault::OpenOrCreate(path);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("not a regular file"));
}

TEST_F(PersonalDataKeyFileTest, FileInPlaceOfParentDirectoryIsRejected) {
  WriteFile(PathOf("plain"), "x");
  auto r = PersonalDataVault::OpenOrCreate(PathOf("plain/vault.key"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("plain/vault.key"));
}

TEST_F(PersonalDataKeyFileTest, ConcurrentFirstOpensAgreeOnOneKey) {
  const std::string path = PathOf("shared/vault.key");
  constexpr int kThreads = 8;
  std::vector<PersonalDataVault::Hash> hashes(kThreads);
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto vault = PersonalDataVault::OpenOrCreate(path);
      if (!vault.ok()) {
        errors[t] = vault.status().ToString();
        return;
      }
      hashes[t] = (*vault)->LookupHash("11010519491231002X");
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(errors[t], "") << "thread " << t;
    EXPECT_EQ(hashes[t], hashes[0]) << "thread " << t;
  }
}

}  // namespace
}  // namespace xinyong
