#include "security/audit.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "core/coding.h"

namespace xinyong::security {

namespace {

constexpr uint8_t kFormat = 1;
constexpr size_t kHashSize = 32;

int64_t NowUnixMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Everything the hash covers: the entry but its own hash.
std::string EncodeBody(const AuditEntry& e) {
  std::string out;
  out.push_back(static_cast<char>(kFormat));
  coding::PutVarint(&out, e.seq);
  coding::PutSignedVarint(&out, e.unix_ms);
  out.push_back(static_cast<char>(e.role));
  coding::PutVarint(&out, e.token_id);
  coding::PutString(&out, e.actor);
  coding::PutString(&out, e.action);
  coding::PutString(&out, e.target);
  coding::PutVarint(&out, e.subject_id);
  coding::PutString(&out, e.purpose);
  coding::PutString(&out, e.outcome);
  coding::PutString(&out, e.prev_hash);
  return out;
}

// The head: seq(8) ‖ hash(32).
std::string EncodeHead(uint64_t seq, std::string_view hash) {
  std::string out;
  coding::PutFixed64BE(&out, seq);
  out.append(hash);
  return out;
}

bool DecodeHead(std::string_view in, uint64_t* seq, std::string* hash) {
  if (in.size() != 8 + kHashSize) return false;
  *seq = coding::DecodeFixed64BE(in.data());
  hash->assign(in.substr(8));
  return true;
}

}  // namespace

AuditEntry AuditEntryFor(const Principal& who, std::string_view action, std::string_view target) {
  AuditEntry e;
  e.role = who.role();
  e.token_id = who.token_id();
  e.actor = who.Describe();
  e.action = std::string(action);
  e.target = std::string(target);
  return e;
}

std::string AuditHash(const AuditEntry& e) {
  const std::string body = EncodeBody(e);
  unsigned char h[kHashSize];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(body.data()), body.size(),
                     nullptr, 0);
  return std::string(reinterpret_cast<const char*>(h), sizeof h);
}

std::string EncodeAuditEntry(const AuditEntry& e) {
  std::string out = EncodeBody(e);
  coding::PutString(&out, e.hash);
  return out;
}

bool DecodeAuditEntry(std::string_view in, AuditEntry* e) {
  if (in.empty() || static_cast<uint8_t>(in[0]) != kFormat) return false;
  in.remove_prefix(1);
  std::string_view actor, action, target, purpose, outcome, prev, hash;
  uint64_t token = 0;
  if (!coding::GetVarint(&in, &e->seq) || !coding::GetSignedVarint(&in, &e->unix_ms) ||
      in.empty()) {
    return false;
  }
  const auto role = static_cast<uint8_t>(in[0]);
  in.remove_prefix(1);
  if (role > static_cast<uint8_t>(kLastRole)) return false;
  e->role = static_cast<Role>(role);
  if (!coding::GetVarint(&in, &token) || !coding::GetString(&in, &actor) ||
      !coding::GetString(&in, &action) || !coding::GetString(&in, &target) ||
      !coding::GetVarint(&in, &e->subject_id) || !coding::GetString(&in, &purpose) ||
      !coding::GetString(&in, &outcome) || !coding::GetString(&in, &prev) ||
      !coding::GetString(&in, &hash) || !in.empty()) {
    return false;
  }
  e->token_id = token;
  e->actor = actor;
  e->action = action;
  e->target = target;
  e->purpose = purpose;
  e->outcome = outcome;
  e->prev_hash = prev;
  e->hash = hash;
  return true;
}

std::string HexOf(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

Result<std::unique_ptr<AuditLog>> AuditLog::Open(storage::Store& store) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialize");
  std::unique_ptr<AuditLog> log(new AuditLog(store));
  XY_ASSIGN_OR_RETURN(auto head, store.AuditHead());
  log->last_hash_.assign(kHashSize, '\0');
  if (head && !DecodeHead(*head, &log->last_seq_, &log->last_hash_)) {
    return Status::DataLoss("the audit log's head is corrupt; run `xinyong audit verify`");
  }
  // No entry may lie past the head: continuing the chain after an older or missing head (a
  // partial restore, tampering) would write new entries over existing ones. (Entries missing
  // before it are VerifyAudit's to report; appending destroys nothing there.)
  std::optional<uint64_t> past;
  XY_RETURN_IF_ERROR(store.ScanAudit(log->last_seq_ + 1, [&](uint64_t seq, std::string_view) {
    past = seq;
    return false;
  }));
  if (past) {
    return Status::DataLoss("the audit log holds entry " + std::to_string(*past) +
                            " past its recorded head (entry " + std::to_string(log->last_seq_) +
                            "): appending would overwrite history; run `xinyong audit verify`");
  }
  log->writer_ = std::thread([l = log.get()] { l->WriteLoop(); });
  return log;
}

AuditLog::~AuditLog() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_.notify_all();
  if (writer_.joinable()) writer_.join();
}

Result<uint64_t> AuditLog::Append(AuditEntry entry) {
  if (entry.unix_ms == 0) entry.unix_ms = NowUnixMs();
  Pending mine;
  mine.entry = std::move(entry);
  mine.waited = true;
  std::unique_lock lock(mu_);
  if (stopping_) return Status::Unavailable("the audit log is closing");
  queue_.push_back(&mine);
  work_.notify_one();
  done_.wait(lock, [&] { return mine.done; });
  if (!mine.status.ok()) return mine.status;
  return mine.entry.seq;
}

void AuditLog::AppendAsync(AuditEntry entry) {
  if (entry.unix_ms == 0) entry.unix_ms = NowUnixMs();
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      auto* p = new Pending;
      p->entry = std::move(entry);
      queue_.push_back(p);
      work_.notify_one();
      return;
    }
  }
  // Closing: the writer may have written its last group already. Written here, durably.
  AuditEntry* e = &entry;
  Status st = Extend(std::span(&e, 1), true, [&](const storage::AuditAppend& a) {
    return store_.AppendAudit(a.entries, a.head, true);
  });
  if (!st.ok()) spdlog::error("audit entry not written: {}", st.ToString());
}

namespace {

// Continues the chain after (*seq, *prev) with `e`: its number and hashes, and its stored form.
void Link(AuditEntry* e, uint64_t* seq, std::string* prev, std::vector<storage::AuditWrite>* out) {
  e->seq = ++*seq;
  e->prev_hash = *prev;
  e->hash = AuditHash(*e);
  *prev = e->hash;
  out->push_back({e->seq, e->subject_id, EncodeAuditEntry(*e)});
}

}  // namespace

Status AuditLog::Extend(std::span<AuditEntry* const> entries, bool durable,
                        const AppendFn& write) {
  std::vector<storage::AuditWrite> writes;
  writes.reserve(entries.size());
  std::lock_guard chain(chain_mu_);
  uint64_t seq = last_seq_;
  std::string prev = last_hash_;
  for (AuditEntry* e : entries) {
    if (e->unix_ms == 0) e->unix_ms = NowUnixMs();
    Link(e, &seq, &prev, &writes);
  }
  const std::string head = EncodeHead(seq, prev);
  Status st = write(storage::AuditAppend{writes, head});
  if (st.ok()) {
    last_seq_ = seq;
    last_hash_ = std::move(prev);
    unflushed_ = !durable;  // a durable write flushes everything written before it
  }
  return st;
}

Status AuditLog::AppendWith(std::span<AuditEntry> entries, const AppendFn& write) {
  std::vector<AuditEntry*> chained;
  chained.reserve(entries.size());
  for (AuditEntry& e : entries) chained.push_back(&e);
  return Extend(chained, /*durable=*/true, write);
}

void AuditLog::Flush() {
  std::lock_guard chain(chain_mu_);
  if (!unflushed_) return;  // an AppendWith flushed meanwhile
  Status st = store_.AppendAudit({}, EncodeHead(last_seq_, last_hash_), /*durable=*/true);
  if (st.ok()) {
    unflushed_ = false;
  } else {  // tried again kFlushDelay later, or by the next durable append
    spdlog::error("audit log not flushed: {}", st.ToString());
  }
}

void AuditLog::WriteLoop() {
  std::vector<Pending*> group;
  std::vector<AuditEntry*> entries;
  std::unique_lock lock(mu_);
  const auto work = [&] { return stopping_ || !queue_.empty(); };
  for (;;) {
    if (unflushed_ && !work_.wait_for(lock, kFlushDelay, work)) {
      lock.unlock();  // nothing more came: flush rather than wait for another durable write
      Flush();
      lock.lock();
      continue;
    }
    work_.wait(lock, work);
    if (queue_.empty()) {  // stopping, and everything handed in is written
      lock.unlock();
      Flush();
      return;
    }
    group.clear();
    group.swap(queue_);
    lock.unlock();
    entries.clear();
    bool waited = false;
    for (Pending* p : group) {
      waited = waited || p->waited;
      entries.push_back(&p->entry);
    }
    // A group nobody waits for (entries of checks that failed) is not flushed on its own: the
    // next durable write of the store flushes it, or Flush kFlushDelay later.
    Status st = Extend(entries, waited, [&](const storage::AuditAppend& a) {
      return store_.AppendAudit(a.entries, a.head, waited);
    });
    lock.lock();
    for (Pending* p : group) {
      if (p->waited) {
        p->status = st;
        p->done = true;
      } else {
        if (!st.ok()) spdlog::error("audit entry not written: {}", st.ToString());
        delete p;
      }
    }
    done_.notify_all();
  }
}

Result<AuditVerification> VerifyAudit(const storage::Store& store) {
  AuditVerification v;
  std::string prev(kHashSize, '\0');
  uint64_t expected = 1;
  auto fail = [&](uint64_t seq, std::string problem) {
    v.intact = false;
    v.bad_seq = seq;
    v.problem = std::move(problem);
  };
  uint64_t last = UINT64_MAX;  // the scan stops after this entry
  const auto check = [&](uint64_t seq, std::string_view bytes) {
    if (seq > last) return false;
    ++v.entries;
    AuditEntry e;
    if (!DecodeAuditEntry(bytes, &e)) {
      fail(seq, "entry " + std::to_string(seq) + " cannot be read (altered or corrupt)");
      return false;
    }
    if (seq != expected || e.seq != seq) {
      fail(seq, seq > expected ? "entries " + std::to_string(expected) + " to " +
                                     std::to_string(seq - 1) + " are missing (removed)"
                               : "entry " + std::to_string(seq) + " is out of sequence");
      return false;
    }
    if (e.prev_hash != prev) {
      fail(seq, "entry " + std::to_string(seq) +
                    " does not follow the entry before it (an entry was inserted, removed or "
                    "replaced)");
      return false;
    }
    if (AuditHash(e) != e.hash) {
      fail(seq, "entry " + std::to_string(seq) + " was altered (its hash does not match)");
      return false;
    }
    prev = e.hash;
    ++expected;
    return true;
  };
  XY_RETURN_IF_ERROR(store.ScanAudit(1, check));
  // Read after the scan: a head beyond the entries scanned is an append that committed (entries
  // and head in one write) after the scan passed its place — the log may be verified while the
  // server appends. Those entries are there now: the scan goes on up to the head, no further.
  XY_ASSIGN_OR_RETURN(auto head, store.AuditHead());
  if (head) {
    std::string head_hash;
    if (!DecodeHead(*head, &v.head_seq, &head_hash)) {
      if (v.intact) fail(0, "the recorded head of the log is corrupt");
      return v;
    }
    if (v.intact && v.head_seq >= expected) {
      last = v.head_seq;
      XY_RETURN_IF_ERROR(store.ScanAudit(expected, check));
    }
    v.head_hash_hex = HexOf(head_hash);
    if (v.intact && (v.head_seq != expected - 1 || head_hash != prev)) {
      fail(expected, v.head_seq >= expected
                         ? "entries " + std::to_string(expected) + " to " +
                               std::to_string(v.head_seq) + " are missing (removed from the end)"
                         : "the log does not end where its recorded head says");
    }
  } else if (v.intact && v.entries > 0) {
    fail(0, "the log has entries but no recorded head");
  }
  return v;
}

Result<std::vector<AuditEntry>> SubjectAuditEntries(const storage::Store& store,
                                                     uint64_t subject_id, size_t limit) {
  std::vector<uint64_t> seqs;
  XY_RETURN_IF_ERROR(store.ListAuditBySubject(subject_id, limit, &seqs));
  std::vector<AuditEntry> out;
  out.reserve(seqs.size());
  for (uint64_t seq : seqs) {
    XY_ASSIGN_OR_RETURN(auto bytes, store.GetAudit(seq));
    AuditEntry e;
    if (!bytes || !DecodeAuditEntry(*bytes, &e)) {
      return Status::DataLoss("audit entry " + std::to_string(seq) + " is missing or corrupt");
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace xinyong::security
