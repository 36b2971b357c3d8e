#include "core/personal_data.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace xinyong {

namespace {

// Key file format: the 64-byte master key as 128 hexadecimal digits, optionally followed by
// whitespace (a newline). Bytes 0-31 are the BLAKE2b lookup-hash key, bytes 32-63 the
// XChaCha20-Poly1305 key. Text rather than binary so an operator can see at a glance that a
// backup or a copied secret is whole, and an editor's trailing newline does no harm.
constexpr size_t kMasterKeySize = 64;
constexpr size_t kKeyHexSize = 2 * kMasterKeySize;
// Anything larger is not a key file; reading stops there instead of swallowing a wrong path.
constexpr size_t kMaxKeyFileSize = 4096;

static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == 32);
static_assert(crypto_generichash_BYTES_MIN <= PersonalDataVault::kHashSize &&
              PersonalDataVault::kHashSize <= crypto_generichash_BYTES_MAX);

// sodium_init() must run before any other libsodium call. A function-local static makes the
// first caller run it and every other thread wait for that, once per process.
bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

std::string ErrnoText(int err) { return std::generic_category().message(err); }

// A buffer of secret bytes that is wiped however the function holding it returns.
template <size_t N>
struct SecretBuffer {
  std::array<unsigned char, N> bytes{};
  ~SecretBuffer() { sodium_memzero(bytes.data(), bytes.size()); }
};

// Closes a file descriptor however the function holding it returns.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Status ErrnoStatus(int err, const std::string& what) {
  const std::string message = what + ": " + ErrnoText(err);
  if (err == EACCES || err == EPERM) return Status::PermissionDenied(message);
  return Status::FailedPrecondition(message);
}

// Creates the missing directories above `file`, owner-only (0700): they exist to hold keys.
// Directories that already exist keep their mode.
Status CreateParentDirectories(const std::string& file) {
  const std::filesystem::path parent = std::filesystem::path(file).parent_path();
  std::filesystem::path partial;
  for (const std::filesystem::path& part : parent) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) == 0 || errno == EEXIST) continue;
    const int err = errno;
    struct stat st;
    if (::stat(partial.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) continue;
    return ErrnoStatus(err, "cannot create directory '" + partial.string() + "' for key file");
  }
  return Status::Ok();
}

// Reads and decodes an existing key file into `key`.
Status ReadKeyFile(int fd, const std::string& path, SecretBuffer<kMasterKeySize>* key) {
  const auto corrupt = [&path](const std::string& reason) {
    return Status::DataLoss("key file '" + path + "' " + reason +
                            "; it must hold 128 hexadecimal digits (a 64-byte key). Restore it "
                            "from a backup: a new key cannot read data sealed under the old one");
  };
  SecretBuffer<kMaxKeyFileSize + 1> text;
  size_t size = 0;
  while (size < text.bytes.size()) {
    const ssize_t n = ::read(fd, text.bytes.data() + size, text.bytes.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      return ErrnoStatus(err, "cannot read key file '" + path + "'");
    }
    if (n == 0) break;
    size += static_cast<size_t>(n);
  }
  if (size > kMaxKeyFileSize) {
    return corrupt("is larger than " + std::to_string(kMaxKeyFileSize) + " bytes");
  }
  while (size > 0 && (text.bytes[size - 1] == '\n' || text.bytes[size - 1] == '\r' ||
                      text.bytes[size - 1] == ' ' || text.bytes[size - 1] == '\t')) {
    --size;
  }
  if (size == 0) return corrupt("is empty");
  if (size != kKeyHexSize) {
    return corrupt("holds " + std::to_string(size) + " characters instead of " +
                   std::to_string(kKeyHexSize));
  }
  for (size_t i = 0; i < size; ++i) {
    if (!std::isxdigit(text.bytes[i])) {
      return corrupt("has a character that is not a hexadecimal digit at offset " +
                     std::to_string(i));
    }
  }
  size_t decoded = 0;
  if (sodium_hex2bin(key->bytes.data(), key->bytes.size(),
                     reinterpret_cast<const char*>(text.bytes.data()), size, nullptr, &decoded,
                     nullptr) != 0 ||
      decoded != kMasterKeySize) {
    return corrupt("cannot be decoded");
  }
  return Status::Ok();
}

// Writes a fresh key to `path` without ever exposing a half-written file: the key goes to a
// private temporary file first, which is then hard-linked into place. link() fails when `path`
// exists, so two processes starting together cannot overwrite each other's key; the loser gets
// AlreadyExists and reads the winner's file.
Status CreateKeyFile(const std::string& path, const SecretBuffer<kMasterKeySize>& key) {
  XY_RETURN_IF_ERROR(CreateParentDirectories(path));
  SecretBuffer<kKeyHexSize + 2> hex;  // 128 digits, newline, and the NUL sodium_bin2hex writes
  sodium_bin2hex(reinterpret_cast<char*>(hex.bytes.data()), kKeyHexSize + 1, key.bytes.data(),
                 key.bytes.size());
  hex.bytes[kKeyHexSize] = '\n';

  char suffix[32];
  std::snprintf(suffix, sizeof suffix, ".tmp.%ld.%08x", static_cast<long>(::getpid()),
                randombytes_random());
  const std::string temp = path + suffix;
  {
    Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.fd < 0) {
      const int err = errno;
      return ErrnoStatus(err, "cannot create key file '" + path + "'");
    }
    // open() applies the umask, which can only remove bits; fchmod makes the mode exact.
    const size_t total = kKeyHexSize + 1;
    size_t written = 0;
    Status status;
    if (::fchmod(fd.fd, 0600) != 0) {
      const int err = errno;
      status = ErrnoStatus(err, "cannot set mode 0600 on key file '" + path + "'");
    }
    while (status.ok() && written < total) {
      const ssize_t n = ::write(fd.fd, hex.bytes.data() + written, total - written);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const int err = errno;
        status = ErrnoStatus(err, "cannot write key file '" + path + "'");
      }
      if (n > 0) written += static_cast<size_t>(n);
    }
    if (status.ok() && ::fsync(fd.fd) != 0) {
      const int err = errno;
      status = ErrnoStatus(err, "cannot sync key file '" + path + "'");
    }
    if (!status.ok()) {
      ::unlink(temp.c_str());
      return status;
    }
  }
  const int link_result = ::link(temp.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(temp.c_str());
  if (link_result != 0) {
    if (link_errno == EEXIST) return Status::AlreadyExists("key file '" + path + "' exists");
    return ErrnoStatus(link_errno, "cannot create key file '" + path + "'");
  }
  // Make the new directory entry durable too; a key lost in a crash strands every sealed value.
  const std::string dir = std::filesystem::path(path).parent_path().string();
  Fd dir_fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.fd >= 0) ::fsync(dir_fd.fd);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<PersonalDataVault>> PersonalDataVault::OpenOrCreate(
    const std::string& key_file) {
  return Load(key_file, /*create=*/true);
}

Result<std::unique_ptr<PersonalDataVault>> PersonalDataVault::Open(const std::string& key_file) {
  return Load(key_file, /*create=*/false);
}

Status RequireOwnerOnlyFile(int fd, const std::string& path, std::string_view what) {
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    return ErrnoStatus(err, "cannot inspect " + std::string(what) + " '" + path + "'");
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::FailedPrecondition(std::string(what) + " '" + path + "' is not a regular file");
  }
  // Group read is allowed (a key owned by root, read by the service's group: 0640); anything
  // more is not.
  if ((st.st_mode & 027) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::FailedPrecondition(std::string(what) + " '" + path + "' has mode " + mode +
                                      ": others may read it, or others than its owner change it; "
                                      "make it the owner's (chmod 600, or 640 for a service "
                                      "group) and check who had it");
  }
  return Status::Ok();
}

Result<std::unique_ptr<PersonalDataVault>> PersonalDataVault::Load(const std::string& key_file,
                                                                   bool create) {
  if (!SodiumReady()) return Status::Internal("libsodium could not be initialized");
  if (key_file.empty()) return Status::InvalidArgument("the key file path is empty");
  SecretBuffer<kMasterKeySize> key;
  // Two rounds at most: when another process creates the file between our failed open and our
  // link, the second round reads its key.
  for (int attempt = 0;; ++attempt) {
    Fd fd(::open(key_file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.fd >= 0) {
      XY_RETURN_IF_ERROR(RequireOwnerOnlyFile(fd.fd, key_file, "key file"));
      XY_RETURN_IF_ERROR(ReadKeyFile(fd.fd, key_file, &key));
      break;
    }
    if (const int err = errno; err != ENOENT) {
      return ErrnoStatus(err, "cannot open key file '" + key_file + "'");
    }
    if (!create) return Status::NotFound("key file '" + key_file + "' does not exist");
    randombytes_buf(key.bytes.data(), key.bytes.size());
    Status created = CreateKeyFile(key_file, key);
    if (created.ok()) break;
    if (created.code() != StatusCode::kAlreadyExists || attempt > 0) return created;
  }
  auto vault = std::unique_ptr<PersonalDataVault>(new PersonalDataVault());
  std::copy_n(key.bytes.begin(), 32, vault->hash_key_.begin());
  std::copy_n(key.bytes.begin() + 32, 32, vault->enc_key_.begin());
  return vault;
}

std::unique_ptr<PersonalDataVault> PersonalDataVault::ForTesting(std::string_view seed) {
  if (!SodiumReady()) {
    std::fputs("PersonalDataVault::ForTesting: libsodium could not be initialized\n", stderr);
    std::abort();
  }
  // The seed is hashed with a fixed BLAKE2b key so that test keys are unrelated to any other
  // use of the same seed string.
  static constexpr std::string_view kDomain = "xinyong.PersonalDataVault.testing";
  static_assert(kDomain.size() >= crypto_generichash_KEYBYTES_MIN &&
                kDomain.size() <= crypto_generichash_KEYBYTES_MAX);
  SecretBuffer<kMasterKeySize> key;
  crypto_generichash(key.bytes.data(), key.bytes.size(),
                     reinterpret_cast<const unsigned char*>(seed.data()), seed.size(),
                     reinterpret_cast<const unsigned char*>(kDomain.data()), kDomain.size());
  auto vault = std::unique_ptr<PersonalDataVault>(new PersonalDataVault());
  std::copy_n(key.bytes.begin(), 32, vault->hash_key_.begin());
  std::copy_n(key.bytes.begin() + 32, 32, vault->enc_key_.begin());
  return vault;
}

PersonalDataVault::Hash PersonalDataVault::LookupHash(std::string_view normalized) const {
  Hash hash;
  crypto_generichash(hash.data(), hash.size(),
                     reinterpret_cast<const unsigned char*>(normalized.data()), normalized.size(),
                     hash_key_.data(), hash_key_.size());
  return hash;
}

std::string PersonalDataVault::Encrypt(std::string_view plaintext) const {
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::string sealed(kNonce + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  auto* out = reinterpret_cast<unsigned char*>(sealed.data());
  // XChaCha20's 192-bit nonce makes random nonces safe: no counter to persist or coordinate.
  randombytes_buf(out, kNonce);
  unsigned long long sealed_size = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      out + kNonce, &sealed_size, reinterpret_cast<const unsigned char*>(plaintext.data()),
      plaintext.size(), nullptr, 0, nullptr, out, enc_key_.data());
  sealed.resize(kNonce + sealed_size);
  return sealed;
}

Result<std::string> PersonalDataVault::Decrypt(std::string_view sealed) const {
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  constexpr size_t kOverhead = kNonce + crypto_aead_xchacha20poly1305_ietf_ABYTES;
  if (sealed.size() < kOverhead) {
    return Status::DataLoss("sealed value has " + std::to_string(sealed.size()) +
                            " bytes, fewer than the " + std::to_string(kOverhead) +
                            " of its nonce and tag");
  }
  const auto* in = reinterpret_cast<const unsigned char*>(sealed.data());
  std::string plaintext(sealed.size() - kOverhead, '\0');
  unsigned long long plaintext_size = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plaintext.data()), &plaintext_size, nullptr, in + kNonce,
          sealed.size() - kNonce, nullptr, 0, in, enc_key_.data()) != 0) {
    return Status::DataLoss(
        "sealed value failed authentication: it was altered or sealed under another key");
  }
  plaintext.resize(plaintext_size);
  return plaintext;
}

PersonalDataVault::Hash PersonalDataVault::Fingerprint() const {
  static constexpr std::string_view kDomain = "xinyong.PersonalDataVault.fingerprint";
  static_assert(kDomain.size() >= crypto_generichash_KEYBYTES_MIN &&
                kDomain.size() <= crypto_generichash_KEYBYTES_MAX);
  SecretBuffer<kMasterKeySize> key;
  std::copy(hash_key_.begin(), hash_key_.end(), key.bytes.begin());
  std::copy(enc_key_.begin(), enc_key_.end(), key.bytes.begin() + 32);
  Hash fingerprint;
  crypto_generichash(fingerprint.data(), fingerprint.size(), key.bytes.data(), key.bytes.size(),
                     reinterpret_cast<const unsigned char*>(kDomain.data()), kDomain.size());
  return fingerprint;
}

PersonalDataVault::~PersonalDataVault() {
  sodium_memzero(hash_key_.data(), hash_key_.size());
  sodium_memzero(enc_key_.data(), enc_key_.size());
}

}  // namespace xinyong
