#include "server/response_cache.h"

#include <functional>

namespace xinyong::server {

ResponseCache::ResponseCache(size_t capacity_bytes) : shard_capacity_(capacity_bytes / kShards) {}

ResponseCache::Shard& ResponseCache::ShardFor(std::string_view key) {
  return shards_[std::hash<std::string_view>{}(key) % kShards];
}

void ResponseCache::Erase(Shard& s, std::list<Entry>::iterator it) {
  s.bytes -= it->charge();
  s.index.erase(it->key);
  s.lru.erase(it);
}

bool ResponseCache::Get(std::string_view key, const Stamp& stamp, std::string* body) {
  Shard& s = ShardFor(key);
  {
    std::lock_guard lock(s.mu);
    if (auto found = s.index.find(key); found != s.index.end()) {
      auto it = found->second;
      if (it->stamp == stamp) {
        s.lru.splice(s.lru.begin(), s.lru, it);
        body->assign(it->body);
        hits_.fetch_add(1, std::memory_order_relaxed);
        return true;
      }
      // Computed from data that has changed since: never served again. (One computed after
      // the caller's stamp was taken stays, for callers who come later.)
      if (!AtLeastAsNew(it->stamp, stamp)) Erase(s, it);
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

void ResponseCache::Put(std::string_view key, const Stamp& stamp, std::string_view body) {
  if (key.size() + body.size() + kEntryOverhead > shard_capacity_) return;
  Shard& s = ShardFor(key);
  std::lock_guard lock(s.mu);
  if (auto found = s.index.find(key); found != s.index.end()) {
    if (found->second->stamp != stamp && AtLeastAsNew(found->second->stamp, stamp)) return;
    Erase(s, found->second);
  }
  s.lru.push_front(Entry{std::string(key), stamp, std::string(body)});
  s.index.emplace(s.lru.front().key, s.lru.begin());
  s.bytes += s.lru.front().charge();
  while (s.bytes > shard_capacity_) Erase(s, std::prev(s.lru.end()));
}

void ResponseCache::Clear() {
  for (Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    s.index.clear();
    s.lru.clear();
    s.bytes = 0;
  }
}

ResponseCache::Stats ResponseCache::stats() const {
  Stats out;
  out.hits = hits_.load(std::memory_order_relaxed);
  out.misses = misses_.load(std::memory_order_relaxed);
  out.capacity = shard_capacity_ * kShards;
  for (const Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    out.entries += s.lru.size();
    out.bytes += s.bytes;
  }
  return out;
}

}  // namespace xinyong::server
