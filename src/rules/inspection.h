// Random inspection draws (双随机): which subjects in a scope are drawn, with grade-dependent
// ratios, reproducibly. A subject is drawn iff DrawUniform(seed, code) < min(1, base_ratio ×
// multiplier[grade]); DrawUniform depends on nothing but the seed and the subject's code, so
// anyone holding the published seed, ratios and subject list can re-run a draw and get the same
// list. Ungraded subjects (no grade) use multiplier 1.
// The inspecting department then records what it found at each drawn subject, in one of the
// fixed result categories of 抽查检查结果 (InspectionResults), published with the draw.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
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

// A result category of an inspection (抽查检查结果), as the market-regulation departments
// publish them on the national enterprise credit information publicity system: a fixed list,
// stored and exchanged by `name`; `label` is the published wording. `problem` marks the results
// that found something wrong: they need findings (what was found).
struct InspectionResult {
  std::string_view name;   // "no_problem"
  std::string_view label;  // "未发现问题"
  bool problem;
};
// no_problem 未发现问题, no_relevant_activity 未发现开展本次抽查涉及的经营活动, not_disclosed
// 未按规定公示应当公示的信息, false_disclosure 公示信息隐瞒真实情况、弄虚作假, unreachable
// 通过登记的住所（经营场所）无法联系, refused 不予配合情节严重, ordered_to_correct 发现问题已责令改正,
// case_filed 发现问题已立案查处, follow_up 发现问题待后续处理, deregistered 已注销或被吊销营业执照.
std::span<const InspectionResult> InspectionResults();
// The category with this name or label; nullptr for anything else.
const InspectionResult* FindInspectionResult(std::string_view name_or_label);

}  // namespace xinyong::rules
