// ResponseCache: answers the server computed before, kept in memory under a byte budget and
// served again only while what they were computed from is unchanged.
//
// Every entry carries the Stamp it was computed under: the subject it shows, that subject's data
// generation (Store::DataGeneration, which grows after every write that may change the subject's
// data), the rights service's version (workflow::Service::OpenVersion: which records are under
// objection) and the day (what is shown depends on the date: publicity periods, list
// memberships). A lookup with another stamp is a miss and drops the entry. The caller takes the
// stamp *before* it reads what the answer is made of, so an answer computed while a write lands
// is stamped with the older generation and never served after the write.
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
    uint64_t subject = 0;  // the subject the key (a code) resolved to
    uint64_t data = 0;     // Store::DataGeneration(subject)
    uint64_t rights = 0;   // workflow::Service::OpenVersion()
    int32_t day = 0;       // Date::days() of the day the answer is for
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

  // The body stored for `key` under `stamp` into *body: true. False when there is none, or the
  // one there was stored under another stamp (it is dropped).
  bool Get(std::string_view key, const Stamp& stamp, std::string* body);
  // Stores (or replaces) the body for `key`. An entry larger than a shard's share of the
  // capacity is not kept.
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
  Shard& ShardFor(std::string_view key);
  static void Erase(Shard& s, std::list<Entry>::iterator it);

  const size_t shard_capacity_;
  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace xinyong::server
