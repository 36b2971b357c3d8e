#include "rules/inspection.h"

#include <algorithm>
#include <cmath>

#include "rules/toml_file.h"

namespace xinyong::rules {

namespace {

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

Result<std::unique_ptr<InspectionRatios>> InspectionRatios::LoadFile(const std::string& path) {
  toml::value root;
  XY_RETURN_IF_ERROR(ParseTomlFile(path, "inspection ratios", &root));
  auto at = [&](const toml::value& v, const std::string& msg) { return FileError(path, v, msg); };
  auto r = std::make_unique<InspectionRatios>();
  if (!root.contains("legal_basis") || !root.at("legal_basis").is_string() ||
      root.at("legal_basis").as_string().str.empty()) {
    return at(root, "missing `legal_basis`");
  }
  r->legal_basis_ = root.at("legal_basis").as_string().str;
  if (!root.contains("multiplier") || !root.at("multiplier").is_table()) {
    return at(root, "missing [multiplier]");
  }
  const toml::value& m = root.at("multiplier");
  double previous = 0;  // graded supervision: a better grade is never inspected more often
  const char* previous_grade = nullptr;
  for (const char* g : {"A", "B", "C", "D"}) {
    if (!m.contains(g)) return at(m, std::string("missing multiplier for grade ") + g);
    const toml::value& v = m.at(g);
    double x = v.is_floating() ? v.as_floating() : v.is_integer() ? static_cast<double>(v.as_integer()) : -1;
    if (!(x > 0) || !std::isfinite(x)) {
      return at(v, std::string("the multiplier of grade ") + g + " must be a finite number > 0");
    }
    if (x < previous) {
      return at(v, std::string("the multiplier of grade ") + g + " (" + std::to_string(x) +
                       ") is below grade " + previous_grade + "'s (" + std::to_string(previous) +
                       "): a worse grade must be inspected at least as often as a better one");
    }
    previous = x;
    previous_grade = g;
    r->multiplier_[g] = x;
  }
  return r;
}

double InspectionRatios::Multiplier(std::string_view grade) const {
  auto it = multiplier_.find(std::string(grade));
  return it == multiplier_.end() ? 1.0 : it->second;
}

double DrawUniform(uint64_t seed, std::string_view code) {
  uint64_t h = Mix(seed);
  for (size_t i = 0; i < code.size(); i += 8) {
    uint64_t chunk = 0;
    for (size_t j = 0; j < 8 && i + j < code.size(); ++j) {
      chunk |= static_cast<uint64_t>(static_cast<unsigned char>(code[i + j])) << (8 * j);
    }
    h = Mix(h ^ chunk);
  }
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

namespace {

constexpr InspectionResult kResults[] = {
    {"no_problem", "未发现问题", false},
    {"no_relevant_activity", "未发现开展本次抽查涉及的经营活动", false},
    {"not_disclosed", "未按规定公示应当公示的信息", true},
    {"false_disclosure", "公示信息隐瞒真实情况、弄虚作假", true},
    {"unreachable", "通过登记的住所（经营场所）无法联系", true},
    {"refused", "不予配合情节严重", true},
    {"ordered_to_correct", "发现问题已责令改正", true},
    {"case_filed", "发现问题已立案查处", true},
    {"follow_up", "发现问题待后续处理", true},
    {"deregistered", "已注销或被吊销营业执照", false},
};

}  // namespace

std::span<const InspectionResult> InspectionResults() { return kResults; }

const InspectionResult* FindInspectionResult(std::string_view name_or_label) {
  for (const InspectionResult& r : kResults) {
    if (r.name == name_or_label || r.label == name_or_label) return &r;
  }
  return nullptr;
}

bool Drawn(uint64_t seed, std::string_view code, std::string_view grade, double base_ratio,
           const InspectionRatios& ratios) {
  double ratio = std::min(1.0, base_ratio * ratios.Multiplier(grade));
  return DrawUniform(seed, code) < ratio;
}

}  // namespace xinyong::rules
