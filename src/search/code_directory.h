// CodeDirectory: the codes subjects are checked and looked up by — every USCC and every natural
// person's public code — in memory, as a 64-bit hash of (kind, code) → subject id, so that
// resolving the code of a credit check or a profile is a hash lookup instead of a read of the
// store's identifier index. Legacy codes (organization code, registration and tax numbers,
// certificates) and personal certificate hashes are not kept: the store resolves those.
//
// An answer is a hint, never the truth: the caller reads the subject it names and keeps it only
// if that subject holds the identifier (Holds below); anything else — no entry, an erased
// subject, a hash shared by two codes — is resolved by the store as before. The store never gives
// a committed identifier to another subject, and a USCC is the first kind it tries for a code, so
// a directory that lags the store can make a lookup slower, never different.
//
// Derived state, like the name index: Build() reads every subject (Store::ScanSubjects), and
// Apply() is called with the subjects of each committed batch. Erased subjects' entries stay
// until the next build (the hint then fails its check).
//
// Memory: 16 bytes a code and a control byte in boost::unordered_flat_map, at most 87.5% full:
// about 20-40 bytes a code (docs/benchmarks.md has the figure for a million subjects).
//
// Thread-safety: Find() from any number of threads; Apply() from one writer at a time.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string_view>

#include <boost/unordered/unordered_flat_map.hpp>

#include "core/status.h"
#include "model/subject.h"

namespace xinyong::storage {
class Store;
}

namespace xinyong::search {

struct CodeDirectoryStats {
  size_t codes = 0;
  double build_seconds = 0;
};

class CodeDirectory {
 public:
  static Result<std::unique_ptr<CodeDirectory>> Build(const storage::Store& store);

  // The subject that held the code of this kind when last seen; 0 when none. `value` as stored
  // (normalized; a person's code without its "P").
  uint64_t Find(IdentifierKind kind, std::string_view value) const;

  // Adds the codes of subjects a batch created or changed. Applying a subject twice is harmless.
  void Apply(std::span<const Subject> subjects);

  CodeDirectoryStats Stats() const;

  // Whether the kind is one the directory keeps (USCC, a person's code).
  static bool Kept(IdentifierKind kind);

 private:
  CodeDirectory() = default;
  void Add(const Subject& s);

  static constexpr size_t kShards = 64;  // chosen by a key's low bits
  static_assert((kShards & (kShards - 1)) == 0);
  struct Shard {
    mutable std::shared_mutex mu;
    boost::unordered_flat_map<uint64_t, uint64_t> ids;  // GUARDED_BY(mu): hash → subject
  };
  std::array<Shard, kShards> shards_;
  double build_seconds_ = 0;
};

// Whether `s` holds the identifier (kind, value): the check a CodeDirectory hint must pass.
bool Holds(const Subject& s, IdentifierKind kind, std::string_view value);

}  // namespace xinyong::search
