// Random inspection draws (双随机): which subjects in a scope are drawn, with grade-dependent
// ratios, reproducibly. A subject is drawn iff DrawUniform(seed, code) < min(1, base_ratio ×
// multiplier[grade]); DrawUniform depends on nothing but the seed and the subject's code, so
// anyone holding the published seed, ratios and subject list can re-run a draw and get the same
// list. Ungraded subjects (no grade) use multiplier 1.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace xinyong::rules {

class InspectionRatios {
 public:
  // data/inspection/ratios.toml: legal_basis, [multiplier] A, B, C, D (> 0). Errors name file
  // and line.
  static Result<std::unique_ptr<InspectionRatios>> LoadFile(const std::string& path);
  double Multiplier(std::string_view grade) const;
  const std::string& legal_basis() const { return legal_basis_; }
  const std::map<std::string, double>& multipliers() const { return multiplier_; }

 private:
  std::string legal_basis_;
  std::map<std::string, double> multiplier_;
};

// A number in [0, 1) determined by the seed and the code alone (SplitMix64 over the code's
// bytes, 8 at a time, little-endian, the last chunk zero-padded, starting from the seed).
double DrawUniform(uint64_t seed, std::string_view code);

// Whether a subject of `grade` is drawn at `base_ratio`.
bool Drawn(uint64_t seed, std::string_view code, std::string_view grade, double base_ratio,
           const InspectionRatios& ratios);

}  // namespace xinyong::rules
