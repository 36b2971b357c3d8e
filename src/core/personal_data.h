// PersonalDataVault: how resident ID numbers (and other personal certificate numbers) are kept.
// A number is never stored in plaintext: the store holds a keyed hash (BLAKE2b, 32 bytes) for
// lookup and an XChaCha20-Poly1305 ciphertext for authorized display; everything else shows a mask.
// The 64-byte master key lives in a key file outside the data directory, created (mode 0600) on
// first use; losing it makes the encrypted copies unreadable and the hashes unmatchable.
// Thread-safety: immutable after Open; safe to share between threads.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace xinyong {

// A key file open as `fd` must be a regular file only its owner may write and no one but its
// owner and group may read (mode 0600 or 0640 at most): FailedPrecondition naming `path` and
// saying how to fix it, else Ok. Key files are
// made so; one restored from a backup or copied with a looser mode is refused, not used.
Status RequireOwnerOnlyFile(int fd, const std::string& path, std::string_view what);

class PersonalDataVault {
 public:
  static constexpr size_t kHashSize = 32;
  using Hash = std::array<unsigned char, kHashSize>;

  // Opens the key file, creating it with a fresh random key when it does not exist.
  // Fails when the file exists but is not a valid key file, or cannot be created.
  static Result<std::unique_ptr<PersonalDataVault>> OpenOrCreate(const std::string& key_file);
  // Opens an existing key file; NotFound when there is none (nothing is created).
  static Result<std::unique_ptr<PersonalDataVault>> Open(const std::string& key_file);
  // A vault with a key derived from `seed` — for tests and benchmarks only.
  static std::unique_ptr<PersonalDataVault> ForTesting(std::string_view seed);

  // Keyed hash of the normalized number: equal numbers give equal hashes under one key.
  Hash LookupHash(std::string_view normalized) const;
  // nonce || ciphertext || tag, binary.
  std::string Encrypt(std::string_view plaintext) const;
  // Fails with DataLoss when the ciphertext was altered or made under another key.
  Result<std::string> Decrypt(std::string_view sealed) const;
  // Identifies the key without revealing it: BLAKE2b-256 of the whole key under a fixed domain
  // key. A store keeps the fingerprint of the key its personal values were sealed with, so that
  // opening it with another key file (a mistyped --key-file) is refused, not silently sealing
  // new values under a second key.
  Hash Fingerprint() const;

  ~PersonalDataVault();
  PersonalDataVault(const PersonalDataVault&) = delete;
  PersonalDataVault& operator=(const PersonalDataVault&) = delete;

 private:
  PersonalDataVault() = default;
  static Result<std::unique_ptr<PersonalDataVault>> Load(const std::string& key_file, bool create);
  std::array<unsigned char, 32> hash_key_{};
  std::array<unsigned char, 32> enc_key_{};
};

}  // namespace xinyong
