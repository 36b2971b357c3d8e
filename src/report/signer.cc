#include "report/signer.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <filesystem>
#include <system_error>

#include "core/personal_data.h"
#include "report/content.h"

namespace xinyong::report {

namespace {

static_assert(crypto_sign_PUBLICKEYBYTES == kPublicKeySize);
static_assert(crypto_sign_BYTES == kSignatureSize);
constexpr size_t kSeedHex = 2 * crypto_sign_SEEDBYTES;

bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

Status ErrnoStatus(int err, const std::string& what) {
  const std::string message = what + ": " + std::generic_category().message(err);
  if (err == EACCES || err == EPERM) return Status::PermissionDenied(message);
  return Status::FailedPrecondition(message);
}

Status MakeKeyDirectories(const std::string& file) {
  std::filesystem::path partial;
  for (const auto& part : std::filesystem::path(file).parent_path()) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) == 0 || errno == EEXIST) continue;
    return ErrnoStatus(errno,
                       "cannot create directory '" + partial.string() + "' for the report key");
  }
  return Status::Ok();
}

struct Seed {
  unsigned char bytes[crypto_sign_SEEDBYTES];
  ~Seed() { sodium_memzero(bytes, sizeof bytes); }
};

}  // namespace

ReportSigner::~ReportSigner() { sodium_memzero(secret_key_.data(), secret_key_.size()); }

void ReportSigner::FromSeed(const unsigned char* seed) {
  crypto_sign_seed_keypair(public_key_.data(), secret_key_.data(), seed);
}

Result<std::unique_ptr<ReportSigner>> ReportSigner::OpenOrCreate(const std::string& key_file) {
  auto opened = Open(key_file);
  if (opened.ok() || opened.status().code() != StatusCode::kNotFound) return opened;
  XY_RETURN_IF_ERROR(MakeKeyDirectories(key_file));
  Seed seed;
  randombytes_buf(seed.bytes, sizeof seed.bytes);
  char hex[kSeedHex + 1];
  sodium_bin2hex(hex, sizeof hex, seed.bytes, sizeof seed.bytes);
  std::string text(hex, kSeedHex);
  sodium_memzero(hex, sizeof hex);
  text.push_back('\n');
  // Whole or not at all: a crash between creating the file and syncing its bytes must not leave
  // an empty key file, which every later start would refuse.
  std::string tmp = key_file + ".new-XXXXXX";
  int w = ::mkstemp(tmp.data());
  if (w < 0) return ErrnoStatus(errno, "cannot create report key file '" + key_file + "'");
  const bool ok = ::fchmod(w, 0600) == 0 &&
                  ::write(w, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(w) == 0;
  int err = errno;
  sodium_memzero(text.data(), text.size());
  ::close(w);
  if (!ok) {
    ::unlink(tmp.c_str());
    return ErrnoStatus(err, "cannot write report key file '" + key_file + "'");
  }
  const bool linked = ::link(tmp.c_str(), key_file.c_str()) == 0;
  err = errno;
  ::unlink(tmp.c_str());
  if (!linked && err == EEXIST) return Open(key_file);  // another process made it meanwhile
  if (!linked) return ErrnoStatus(err, "cannot create report key file '" + key_file + "'");
  const std::string dir = std::filesystem::path(key_file).parent_path().string();
  if (int d = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); d >= 0) {
    const bool synced = ::fsync(d) == 0;
    err = errno;
    ::close(d);
    if (!synced) return ErrnoStatus(err, "cannot sync the directory of '" + key_file + "'");
  }
  std::unique_ptr<ReportSigner> s(new ReportSigner());
  s->FromSeed(seed.bytes);
  return s;
}

Result<std::unique_ptr<ReportSigner>> ReportSigner::Open(const std::string& key_file) {
  if (!SodiumReady()) return Status::Internal("libsodium failed to initialize");
  std::unique_ptr<ReportSigner> s(new ReportSigner());
  Seed seed;
  int fd = ::open(key_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    return Status::NotFound("report key file '" + key_file + "' does not exist");
  }
  if (fd < 0) return ErrnoStatus(errno, "cannot open report key file '" + key_file + "'");
  if (Status st = RequireOwnerOnlyFile(fd, key_file, "report key file"); !st.ok()) {
    ::close(fd);
    return st;
  }
  char buf[kSeedHex + 8];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  size_t len = n > 0 ? static_cast<size_t>(n) : 0;
  while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' ')) --len;
  size_t bin_len = 0;
  const bool ok =
      len == kSeedHex &&
      sodium_hex2bin(seed.bytes, sizeof seed.bytes, buf, len, nullptr, &bin_len, nullptr) == 0 &&
      bin_len == sizeof seed.bytes;
  sodium_memzero(buf, sizeof buf);
  if (!ok) {
    return Status::InvalidArgument("'" + key_file +
                                   "' is not a report key file (64 hex digits expected)");
  }
  s->FromSeed(seed.bytes);
  return s;
}

std::unique_ptr<ReportSigner> ReportSigner::ForTesting(std::string_view seed_text) {
  SodiumReady();
  std::unique_ptr<ReportSigner> s(new ReportSigner());
  Seed seed;
  crypto_generichash(seed.bytes, sizeof seed.bytes,
                     reinterpret_cast<const unsigned char*>(seed_text.data()), seed_text.size(),
                     nullptr, 0);
  s->FromSeed(seed.bytes);
  return s;
}

std::string ReportSigner::Sign(std::string_view message) const {
  std::string sig(kSignatureSize, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       secret_key_.data());
  return sig;
}

std::string ReportSigner::PublicKeyBase64() const {
  return ToBase64(
      std::string_view(reinterpret_cast<const char*>(public_key_.data()), public_key_.size()));
}

std::string ReportSigner::KeyId() const { return KeyIdOf(public_key_); }

bool VerifySignature(const PublicKey& key, std::string_view message, std::string_view signature) {
  if (!SodiumReady() || signature.size() != kSignatureSize) return false;
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), key.data()) == 0;
}

std::string KeyIdOf(const PublicKey& key) {
  return Sha256Hex(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()))
      .substr(0, 16);
}

std::string ToBase64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

bool FromBase64(std::string_view text, std::string* out) {
  SodiumReady();
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t' && c != '=') clean.push_back(c);
  }
  out->assign(clean.size() * 3 / 4 + 3, '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out->data()), out->size(), clean.data(),
                        clean.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0) {
    return false;
  }
  out->resize(len);
  return true;
}

Result<PublicKey> ParsePublicKey(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n')) text.remove_prefix(1);
  std::string candidate(text);
  if (!text.empty() && text.front() == '{') {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(text, ec);
    const boost::json::value* k =
        !ec && v.is_object() ? v.get_object().if_contains("public_key") : nullptr;
    if (k == nullptr || !k->is_string()) {
      return Status::InvalidArgument("the public key JSON has no \"public_key\" string");
    }
    candidate = std::string(k->get_string());
  }
  PublicKey key{};
  std::string bytes;
  size_t bin_len = 0;
  if (candidate.size() == 2 * kPublicKeySize &&
      sodium_hex2bin(key.data(), key.size(), candidate.data(), candidate.size(), nullptr, &bin_len,
                     nullptr) == 0 &&
      bin_len == kPublicKeySize) {
    return key;
  }
  if (FromBase64(candidate, &bytes) && bytes.size() == kPublicKeySize) {
    std::copy(bytes.begin(), bytes.end(), key.begin());
    return key;
  }
  return Status::InvalidArgument("not an Ed25519 public key (32 bytes as Base64 or hex expected)");
}

}  // namespace xinyong::report
