// API tokens: bearer secrets that give a request a role (Principal). A token is 256 random bits
// written "xy_" + base64url (46 characters), shown once when it is created; the store keeps only
// its SHA-256, with the role, the scope, when it was created, when it expires and when it was
// revoked. Authenticating a request is one hash and, after the first use, one lookup in an
// in-memory cache; every change made through the TokenStore (a new token, a revocation) clears
// that cache, so it takes effect on the next request. Only one process writes a store (RocksDB
// locks it), so a running server sees every change: the changes go through its API.
//
// Thread-safety: TokenStore is thread-safe; the Store and the Catalog must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "catalog/catalog.h"
#include "core/status.h"
#include "security/principal.h"
#include "storage/store.h"

namespace xinyong::security {

inline constexpr std::string_view kTokenPrefix = "xy_";
inline constexpr size_t kTokenLength = 46;  // "xy_" + 43 base64url characters (32 bytes)
inline constexpr int kDefaultExpiryDays = 365;
inline constexpr int kMaxExpiryDays = 3650;

// What a new token is for. Only the members of its role may be set (a department for a
// department role, indicators for a source department, a subject for a subject, an institution
// for a financial institution).
struct TokenSpec {
  Role role = Role::kPublic;
  Principal::Scope scope;         // subject tokens: subject_id and subject_code, resolved already
  int expires_days = kDefaultExpiryDays;
  std::string created_by;         // who made it: a Principal's Describe(), or "command line"
};

// A stored token, without its secret.
struct TokenInfo {
  uint64_t id = 0;
  Role role = Role::kPublic;
  Principal::Scope scope;
  int64_t created_ms = 0;  // Unix time, milliseconds
  int64_t expires_ms = 0;
  int64_t revoked_ms = 0;  // 0: not revoked
  std::string created_by, revoked_by;
  std::string secret_hash;  // SHA-256 of the secret, 32 bytes

  bool revoked() const { return revoked_ms != 0; }
  bool expired(int64_t now_ms) const { return now_ms >= expires_ms; }
  // "active", "expired" or "revoked" as of now.
  std::string_view State(int64_t now_ms) const;
  Principal ToPrincipal() const { return Principal(role, id, scope); }
};

struct NewToken {
  TokenInfo info;
  std::string secret;  // the only copy: shown once, never stored
};

// The outcome of presenting a token: a principal, or the reason it was refused (for the 401).
struct Authentication {
  std::optional<Principal> principal;
  std::string refusal;
};

// The value stored for a token (format byte 1 first) and its inverse; false when corrupt.
std::string EncodeToken(const TokenInfo& t);
bool DecodeToken(uint64_t id, std::string_view in, TokenInfo* out);

// The SHA-256 of a token's text, as stored.
std::string HashSecret(std::string_view secret);

// "2026-11-22T14:05:09Z" for a Unix time in milliseconds.
std::string FormatUnixMs(int64_t ms);

// The indicators a principal may submit: a source department's own list, or when that is empty
// every catalog indicator its department is a source of (the catalog's order); nothing for other
// roles but the operator, who may submit any (an empty list and `*any` true).
std::vector<std::string> SubmittableIndicators(const Principal& p, const catalog::Catalog& catalog,
                                               bool* any);

class TokenStore {
 public:
  TokenStore(storage::Store& store, const catalog::Catalog& catalog)
      : store_(store), catalog_(catalog) {}
  TokenStore(const TokenStore&) = delete;
  TokenStore& operator=(const TokenStore&) = delete;

  // Creates and stores a token, returning it with its secret. InvalidArgument (naming the
  // option) when the spec does not fit its role: a public token, a department missing or not a
  // source department of any indicator, an indicator not in the catalog or not the department's,
  // a member set that the role does not use, an expiry outside 1..3650 days.
  Result<NewToken> Create(const TokenSpec& spec, int64_t now_ms);
  // Every token, oldest first.
  Status List(std::vector<TokenInfo>* out) const;
  // Revokes a token from now on. NotFound for an unknown id; FailedPrecondition when it was
  // revoked already.
  Result<TokenInfo> Revoke(uint64_t id, int64_t now_ms, std::string_view by);

  // The principal of a token's text (the part after "Bearer "). A malformed, unknown, expired
  // or revoked token is refused with a reason; only a failing store is an error.
  Result<Authentication> Authenticate(std::string_view secret, int64_t now_ms) const;

 private:
  struct Cached {
    int64_t expires_ms = 0;
    int64_t revoked_ms = 0;
    Principal principal;
  };
  static constexpr size_t kMaxCached = 4096;

  Status Validate(const TokenSpec& spec) const;
  void Invalidate();

  storage::Store& store_;
  const catalog::Catalog& catalog_;
  std::mutex write_mu_;  // one Create or Revoke at a time (ids are the highest + 1)
  mutable std::shared_mutex cache_mu_;
  // SHA-256 → what the token grants; only tokens found in the store (no negative entries).
  mutable std::unordered_map<std::string, std::shared_ptr<const Cached>> cache_;  // GUARDED_BY(cache_mu_)
  // Counts changes; an entry read from the store during a change is not cached.
  uint64_t generation_ = 0;  // GUARDED_BY(cache_mu_)
};

}  // namespace xinyong::security
