#include "server/response_cache.h"

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace xinyong::server {
namespace {

using Stamp = ResponseCache::Stamp;

TEST(ResponseCacheTest, AnswersOnlyUnderTheStampItWasStoredWith) {
  ResponseCache cache(1 << 20);
  const Stamp stamp{.data = 7, .rights = 3, .day = 20000};
  std::string body;
  EXPECT_FALSE(cache.Get("A", stamp, &body));
  cache.Put("A", stamp, "profile of A");
  ASSERT_TRUE(cache.Get("A", stamp, &body));
  EXPECT_EQ(body, "profile of A");
  EXPECT_FALSE(cache.Get("B", stamp, &body));

  // Any part of the stamp that moved on makes it a miss, and the stale entry is gone for good.
  for (Stamp later : {Stamp{8, 3, 20000}, Stamp{7, 4, 20000}, Stamp{7, 3, 20001},
                      Stamp{7, 3, 19999}}) {
    cache.Put("A", stamp, "profile of A");
    EXPECT_FALSE(cache.Get("A", later, &body));
    EXPECT_FALSE(cache.Get("A", stamp, &body)) << "a stale entry must be dropped, not kept";
  }
  ResponseCache::Stats s = cache.stats();
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 10u);
  EXPECT_EQ(s.entries, 0u);
  EXPECT_EQ(s.bytes, 0u);

  cache.Put("A", stamp, "old");
  cache.Put("A", stamp, "new");  // the same stamp: replaces
  ASSERT_TRUE(cache.Get("A", stamp, &body));
  EXPECT_EQ(body, "new");
  EXPECT_EQ(cache.stats().entries, 1u);
  EXPECT_EQ(cache.stats().bytes, 1 + 3 + ResponseCache::kEntryOverhead);
  cache.Clear();
  EXPECT_FALSE(cache.Get("A", stamp, &body));
  EXPECT_EQ(cache.stats().bytes, 0u);
}

// A request that took its stamp before a write and finishes after a later request neither
// replaces nor drops the newer answer.
TEST(ResponseCacheTest, ASlowRequestWithAnOlderStampLeavesTheNewerEntry) {
  ResponseCache cache(1 << 20);
  const Stamp older{.data = 7, .rights = 3, .day = 20000};
  const Stamp newer{.data = 8, .rights = 3, .day = 20000};
  std::string body;
  cache.Put("A", newer, "after the write");
  EXPECT_FALSE(cache.Get("A", older, &body));
  cache.Put("A", older, "before the write");
  ASSERT_TRUE(cache.Get("A", newer, &body));
  EXPECT_EQ(body, "after the write");
  // Neither newer in both counters: the one put last stays.
  const Stamp other{.data = 9, .rights = 2, .day = 20000};
  cache.Put("A", other, "another");
  ASSERT_TRUE(cache.Get("A", other, &body));
  EXPECT_EQ(body, "another");
}

TEST(ResponseCacheTest, StaysWithinItsBudgetDroppingTheLeastRecentlyUsed) {
  const size_t entry = 1000 + 4 + ResponseCache::kEntryOverhead;  // key "k000", 1000-byte body
  ResponseCache cache(16 * 10 * entry);  // ten entries per shard
  const Stamp stamp{.data = 1};
  const std::string body(1000, 'x');
  auto key = [](int i) {
    char k[8];
    std::snprintf(k, sizeof k, "k%03d", i);
    return std::string(k);
  };
  std::string out;
  for (int i = 0; i < 400; ++i) {
    cache.Put(key(i), stamp, body);
    ASSERT_TRUE(cache.Get(key(0), stamp, &out)) << "the entry used after every put stays, at " << i;
    ASSERT_LE(cache.stats().bytes, cache.stats().capacity);
  }
  ResponseCache::Stats s = cache.stats();
  EXPECT_LE(s.entries, 160u);
  EXPECT_GE(s.entries, 100u);  // keys spread over the shards: most of the budget is used
  EXPECT_EQ(s.bytes, s.entries * entry);
  EXPECT_FALSE(cache.Get(key(1), stamp, &out)) << "an early entry never used again is gone";
  EXPECT_TRUE(cache.Get(key(399), stamp, &out));

  // An entry bigger than a shard's share is not kept at all (nor does it evict anything).
  const uint64_t before = cache.stats().entries;
  cache.Put("huge", stamp, std::string(11 * entry, 'y'));
  EXPECT_FALSE(cache.Get("huge", stamp, &out));
  EXPECT_EQ(cache.stats().entries, before);
}

TEST(ResponseCacheTest, ConcurrentReadersAndWritersSeeWholeBodies) {
  ResponseCache cache(64 << 10);  // small: evictions all the time
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      std::string out;
      for (int i = 0; i < 20000; ++i) {
        const std::string key = "k" + std::to_string((i * 7 + t) % 300);
        const Stamp stamp{.data = static_cast<uint64_t>(i / 1000)};
        if (cache.Get(key, stamp, &out)) {
          // A body is always the one stored for its key: the key repeated.
          ASSERT_EQ(out, std::string(100, key.back()) + key);
        } else {
          cache.Put(key, stamp, std::string(100, key.back()) + key);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(cache.stats().bytes, cache.stats().capacity);
}

}  // namespace
}  // namespace xinyong::server
