// SlotCounters: a fixed number of counters indexed by id modulo their count. A writer bumps the
// counter of an id after changing what the id names; a reader that keeps answers derived from it
// reads the counter first and drops an answer made under an older value. Ids may share a
// counter (a bump then moves the others' too), so only values read for the same id compare.
// Thread-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace xinyong {

class SlotCounters {
 public:
  explicit SlotCounters(size_t slots) : slots_(slots), counters_(new std::atomic<uint64_t>[slots]{}) {}

  uint64_t Get(uint64_t id) const { return counters_[id % slots_].load(std::memory_order_acquire); }
  void Bump(uint64_t id) { counters_[id % slots_].fetch_add(1, std::memory_order_acq_rel); }

 private:
  const size_t slots_;
  std::unique_ptr<std::atomic<uint64_t>[]> counters_;
};

}  // namespace xinyong
