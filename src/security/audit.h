// The audit log (审计日志) and the query log it serves (查询使用登记): every write and every read of
// non-public data appends an entry — who (the principal, described without personal data), when,
// what (the route or command), about which subject, for what declared purpose, with what outcome.
// Entries are hash-chained: each carries the hash of the one before, and its own hash is
// BLAKE2b-256(previous hash ‖ the entry's encoding), so an entry altered, inserted or removed
// anywhere breaks the chain at that point (VerifyAudit). The head — the last entry's sequence
// number and hash — is stored beside the log in the same write, so removing entries from the end
// is detected too; an operator who also records the head elsewhere (`xinyong audit verify`
// prints it) can detect a rewrite of the whole chain.
//
// AuditLog appends with group commit: one writer thread writes the entries handed in by
// concurrent callers together, in one durable write, in the order the chain gives them; Append
// returns when its entry is durable, AppendAsync at once. AppendWith puts entries in a write of
// the caller's (the credit-check log's), so that an entry and what it records are one write.
// Thread-safety: every method from any number of threads; the store must outlive the log.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/status.h"
#include "security/principal.h"
#include "storage/store.h"

namespace xinyong::security {

struct AuditEntry {
  uint64_t seq = 0;      // 1, 2, ... (set by Append)
  int64_t unix_ms = 0;   // set by Append when 0
  Role role = Role::kPublic;
  uint64_t token_id = 0;
  std::string actor;     // Principal::Describe(): role, token, organization; no personal data
  std::string action;    // "read" (of non-public data) or "write"
  std::string target;    // "POST /api/v1/batches", "GET /api/v1/subjects/{code}", "cli token create"
  uint64_t subject_id = 0;  // the subject concerned, 0 = none
  std::string purpose;   // the declared purpose (查询事由), "" when none was given
  std::string outcome;   // e.g. "201", "403", "batch 12"
  std::string prev_hash;  // 32 bytes; zeros for the first entry (set by Append)
  std::string hash;       // 32 bytes (set by Append)
};

// The entry with who from the principal.
AuditEntry AuditEntryFor(const Principal& who, std::string_view action, std::string_view target);

// The stored form: format byte, the fields, the previous hash, the hash.
std::string EncodeAuditEntry(const AuditEntry& e);
bool DecodeAuditEntry(std::string_view in, AuditEntry* e);
// BLAKE2b-256 over the previous hash and everything of the entry but its own hash.
std::string AuditHash(const AuditEntry& e);

class AuditLog {
 public:
  // Reads the head of the log in `store` (empty log: none) and starts the writer thread.
  // DataLoss when the head is corrupt.
  static Result<std::unique_ptr<AuditLog>> Open(storage::Store& store);
  // Writes what was handed in, then stops.
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends the entry and returns its sequence number once it is durable.
  Result<uint64_t> Append(AuditEntry entry);
  // The same without waiting (a request answered on a thread that must not block, such as a
  // credit check refused or not logged): the entry is written with the next group, within
  // milliseconds; a failure is logged. A group of such entries only is written without a flush
  // of its own: it is made durable by the store's next durable write (under load, the next
  // checks' log write, within a millisecond or two), or by the log's own flush when nothing else
  // comes within kFlushDelay. Until then a power cut may lose it.
  void AppendAsync(AuditEntry entry);
  // Appends `entries` in the caller's own write of the store, so that they and what they record
  // are one atomic write (a credit check and its entry: one write and one flush, not two). With
  // the chain held (no other append in between), `write` is called with their stored form and
  // the new head and must write them with its own data, atomically; the chain moves on when it
  // succeeds. `write` must be durable (it flushes what AppendAsync wrote before it too) and must
  // not append to this log itself (Append would wait for the chain `write` holds). Sets
  // each entry's seq, hashes and time (when 0); returns what `write` returned.
  using AppendFn = std::function<Status(const storage::AuditAppend&)>;
  Status AppendWith(std::span<AuditEntry> entries, const AppendFn& write);

 private:
  explicit AuditLog(storage::Store& store) : store_(store) {}
  struct Pending {
    AuditEntry entry;
    bool waited = false;  // a caller waits on `done` (else the writer owns and frees it)
    bool done = false;
    Status status;
  };
  void WriteLoop();
  // Continues the chain with `entries` (their seq, hashes and time when 0) in `write`, under
  // chain_mu_; on success the chain moves on, and `durable` says whether the write flushed.
  Status Extend(std::span<AuditEntry* const> entries, bool durable, const AppendFn& write);
  // Writes the head again, durably (what was written without a flush becomes durable).
  void Flush();
  static constexpr std::chrono::milliseconds kFlushDelay{10};

  storage::Store& store_;
  std::mutex mu_;
  std::condition_variable work_, done_;
  std::vector<Pending*> queue_;  // GUARDED_BY(mu_)
  bool stopping_ = false;        // GUARDED_BY(mu_)
  // The chain's end as written, and whether entries were written without a flush since the last
  // durable write: changed by one append at a time (the writer thread's, or AppendWith's).
  std::mutex chain_mu_;
  uint64_t last_seq_ = 0;        // GUARDED_BY(chain_mu_)
  std::string last_hash_;        // GUARDED_BY(chain_mu_)
  std::atomic<bool> unflushed_{false};
  std::thread writer_;
};

struct AuditVerification {
  uint64_t entries = 0;      // entries read
  bool intact = true;
  uint64_t bad_seq = 0;      // where the chain breaks (the first entry that does not fit)
  std::string problem;       // what is wrong there, for people
  uint64_t head_seq = 0;     // the recorded head
  std::string head_hash_hex;
};

// Walks the whole log: consecutive sequence numbers from 1, each entry's previous hash equal to
// the hash before it, each hash recomputed, the last entry equal to the recorded head.
Result<AuditVerification> VerifyAudit(const storage::Store& store);

// The entries about a subject, newest first, at most `limit`.
Result<std::vector<AuditEntry>> SubjectAuditEntries(const storage::Store& store,
                                                     uint64_t subject_id, size_t limit);

std::string HexOf(std::string_view bytes);

}  // namespace xinyong::security
