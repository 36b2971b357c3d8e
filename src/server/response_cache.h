// ResponseCache: answers the server computed before, kept in memory under a byte budget and
// served again only while what they were computed from is unchanged.
//
// Every entry carries the Stamp it was computed under: the data generation of the subject it
// shows (Store::DataGeneration, which grows after every write that may change the subject's
// data), the subject's objection version (workflow::Service::OpenVersion: which of its records are
// under objection) and the day (what is shown depends on the date: publicity periods, list
// memberships). A lookup under another stamp is a miss. The caller takes the stamp *before* it
// reads what the answer is made of, so an answer computed while a write lands is stamped with
// the older generation and never served after the write. Generations only grow, so an entry
// newer than a caller's stamp (same day, no counter lower) is kept through that caller's miss
// and not replaced by its answer; any other entry found under another stamp is dropped.
//
// Least-recently used entries go first once the budget is spent; the budget counts keys and
// bodies plus a fixed overhead per entry. Sharded by key, one mutex per shard.
//
// Thread-safety: every method from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace xinyong::server {

class ResponseCache {
 public:
  struct Stamp {
    uint64_t data = 0;    // Store::DataGeneration(subject)
    uint64_t rights = 0;  // workflow::Service::OpenVersion(subject)
    int32_t day = 0;      // Date::days() of the day the answer is for
    bool operator==(const Stamp&) const = default;
  };

  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;  // absent, or present with another stamp
    uint64_t entries = 0;
    uint64_t bytes = 0;  // charged against the capacity
    uint64_t capacity = 0;
  };

  // Bytes charged for an entry besides its key and body (list node, map slot, string headers).
  static constexpr size_t kEntryOverhead = 256;

  explicit ResponseCache(size_t capacity_bytes);
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  // The body stored for `key` under `stamp` into *body: true. False when there is none or the
  // one there has another stamp (dropped unless it is newer than `stamp`).
  bool Get(std::string_view key, const Stamp& stamp, std::string* body);
  // Stores the body for `key`, replacing an entry unless that one is newer. An entry larger than
  // a shard's share of the capacity is not kept.
  void Put(std::string_view key, const Stamp& stamp, std::string_view body);
  void Clear();
  Stats stats() const;

 private:
  static constexpr size_t kShards = 16;
  struct Entry {
    std::string key;
    Stamp stamp;
    std::string body;
    size_t charge() const { return key.size() + body.size() + kEntryOverhead; }
  };
  struct Shard {
    mutable std::mutex mu;
    std::list<Entry> lru;  // most recently used first
    std::unordered_map<std::string_view, std::list<Entry>::iterator> index;  // keys point into lru
    size_t bytes = 0;
  };
  // `a` was computed after `b` (or under the same stamp): same day, no counter behind.
  static bool AtLeastAsNew(const Stamp& a, const Stamp& b) {
    return a.day == b.day && a.data >= b.data && a.rights >= b.rights;
  }
  Shard& ShardFor(std::string_view key);
  static void Erase(Shard& s, std::list<Entry>::iterator it);

  const size_t shard_capacity_;
  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace xinyong::server
