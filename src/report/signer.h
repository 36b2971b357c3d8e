// ReportSigner: the platform's Ed25519 key for credit reports (libsodium crypto_sign_*). Every
// issued report's canonical content is signed with it; the public key is published
// (GET /api/v1/reports/public-key) so that anyone can verify a report offline. The key lives in
// a key file outside the data directory, beside the personal-data key, created (mode 0600) on
// first use: the 32-byte seed as 64 hex digits. There is one key: the platform verifies stored
// reports (the verification endpoint, `xinyong report verify`) with its current key only, so a
// lost or replaced key makes every earlier report verify as tampered there (a downloaded file
// still verifies offline with the old published public key). Platform::Open therefore refuses
// to create a new key for a store that already holds issued reports; back the key file up.
// Thread-safety: immutable after construction; safe to share between threads.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace xinyong::report {

inline constexpr size_t kPublicKeySize = 32;
inline constexpr size_t kSignatureSize = 64;
using PublicKey = std::array<unsigned char, kPublicKeySize>;

class ReportSigner {
 public:
  // Opens the key file, creating it (and its directories, mode 0700) with a fresh key when it
  // does not exist. The new file appears whole or not at all: written and synced under a
  // temporary name, linked to its name (another process's key, made meanwhile, wins), and the
  // directory synced. FailedPrecondition / PermissionDenied when it cannot be read or created;
  // InvalidArgument when the file is not a report key file.
  static Result<std::unique_ptr<ReportSigner>> OpenOrCreate(const std::string& key_file);
  // Opens an existing key file only: NotFound when there is none.
  static Result<std::unique_ptr<ReportSigner>> Open(const std::string& key_file);
  // A signer with a key derived from `seed` — for tests and benchmarks only.
  static std::unique_ptr<ReportSigner> ForTesting(std::string_view seed);

  // The detached Ed25519 signature of `message` (64 bytes).
  std::string Sign(std::string_view message) const;
  const PublicKey& public_key() const { return public_key_; }
  // The public key in standard Base64, and its id: the first 16 hex digits of its SHA-256.
  std::string PublicKeyBase64() const;
  std::string KeyId() const;

  ~ReportSigner();
  ReportSigner(const ReportSigner&) = delete;
  ReportSigner& operator=(const ReportSigner&) = delete;

 private:
  ReportSigner() = default;
  void FromSeed(const unsigned char* seed);
  std::array<unsigned char, 64> secret_key_{};
  PublicKey public_key_{};
};

// Whether `signature` (64 bytes) is `key`'s signature of `message`.
bool VerifySignature(const PublicKey& key, std::string_view message, std::string_view signature);
std::string KeyIdOf(const PublicKey& key);
std::string ToBase64(std::string_view bytes);
// Standard Base64 (padding optional, whitespace ignored); false when malformed.
bool FromBase64(std::string_view text, std::string* out);
// A public key as published: the JSON of GET /api/v1/reports/public-key ({"public_key": Base64}),
// or the Base64 or hex text of the 32 bytes alone. InvalidArgument when it is none of these.
Result<PublicKey> ParsePublicKey(std::string_view text);

}  // namespace xinyong::report
