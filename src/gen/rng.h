// Rng: the generator's pseudo-random source — SplitMix64 (Steele, Lea and Flood, "Fast
// splittable pseudorandom number generators", 2014), written from the published algorithm.
// Everything the generator draws goes through it, so a seed gives byte-identical output on every
// platform and library version (std:: distributions differ between implementations).
// Thread-safety: a plain value; one instance per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace xinyong::gen {

// The SplitMix64 output function: a strong 64-bit mixer, also used to derive sub-seeds.
constexpr uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// A seed for a sub-stream named by `a` and `b` (e.g. the seed and a row number).
constexpr uint64_t SubSeed(uint64_t a, uint64_t b) {
  return Mix64(a + 0x9E3779B97F4A7C15ULL * (b + 1) + Mix64(b ^ 0x6A09E667F3BCC909ULL));
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    state_ += 0x9E3779B97F4A7C15ULL;
    return Mix64(state_);
  }
  // Uniform in [0, n) (Lemire's multiply-shift on the upper 32 bits; n < 2^32).
  uint32_t Below(uint64_t n) {
    return static_cast<uint32_t>(((Next() >> 32) * (n & 0xFFFFFFFFULL)) >> 32);
  }
  // Uniform in [lo, hi], inclusive.
  int Range(int lo, int hi) {
    return lo + static_cast<int>(Below(static_cast<uint64_t>(hi - lo + 1)));
  }
  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }
  template <typename T>
  const T& Pick(std::span<const T> items) {
    return items[Below(items.size())];
  }
  // Index drawn with the given integer weights (sum > 0).
  size_t Weighted(std::span<const uint16_t> weights, uint32_t total) {
    uint32_t x = Below(total);
    for (size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.size() - 1;
  }

 private:
  uint64_t state_;
};

}  // namespace xinyong::gen
