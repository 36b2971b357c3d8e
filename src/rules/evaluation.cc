#include "rules/evaluation.h"

#include <algorithm>

#include "rules/check.h"
#include "rules/toml_file.h"

namespace xinyong::rules {

namespace {

// Scores, points, caps and windows stay within this, so that no sum of them overflows.
constexpr int64_t kMaxMagnitude = 1'000'000;

// A member of a table, or an error naming the file, line and key.
Status Int(const std::string& file, const toml::value& t, const char* key, bool required, int* out) {
  if (!t.contains(key)) {
    return required ? FileError(file, t, std::string("missing `") + key + "`") : Status::Ok();
  }
  const toml::value& v = t.at(key);
  if (!v.is_integer()) return FileError(file, v, std::string("`") + key + "` must be an integer");
  if (v.as_integer() < -kMaxMagnitude || v.as_integer() > kMaxMagnitude) {
    return FileError(file, v, std::string("`") + key + "` must lie between -1000000 and 1000000");
  }
  *out = static_cast<int>(v.as_integer());
  return Status::Ok();
}

Status Str(const std::string& file, const toml::value& t, const char* key, bool required,
           std::string* out) {
  if (!t.contains(key)) {
    return required ? FileError(file, t, std::string("missing `") + key + "`") : Status::Ok();
  }
  const toml::value& v = t.at(key);
  if (!v.is_string() || (required && v.as_string().str.empty())) {
    return FileError(file, v, std::string("`") + key + "` must be a non-empty string");
  }
  *out = v.as_string().str;
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<EvaluationModel>> EvaluationModel::LoadFile(const std::string& file,
                                                                   const catalog::Catalog& catalog) {
  toml::value root;
  XY_RETURN_IF_ERROR(ParseTomlFile(file, "evaluation model", &root));
  std::unique_ptr<EvaluationModel> m(new EvaluationModel());
  XY_RETURN_IF_ERROR(Str(file, root, "name", true, &m->name_));
  XY_RETURN_IF_ERROR(Str(file, root, "legal_basis", true, &m->legal_basis_));
  XY_RETURN_IF_ERROR(Int(file, root, "base", true, &m->base_));
  XY_RETURN_IF_ERROR(Int(file, root, "min", true, &m->min_));
  XY_RETURN_IF_ERROR(Int(file, root, "max", true, &m->max_));
  if (!(m->min_ <= m->base_ && m->base_ <= m->max_)) {
    return FileError(file, root, "base must lie between min and max");
  }
  if (!root.contains("rule") || !root.at("rule").is_array()) return FileError(file, root, "no [[rule]]");
  for (const toml::value& t : root.at("rule").as_array()) {
    ScoreRule r;
    r.line = static_cast<int>(t.location().line());
    XY_RETURN_IF_ERROR(Str(file, t, "label", true, &r.label));
    XY_RETURN_IF_ERROR(Str(file, t, "indicator", true, &r.indicator));
    if (catalog.Find(r.indicator) == nullptr) {
      return FileError(file, t, "the catalog has no indicator `" + r.indicator + "`");
    }
    if (t.contains("list")) {
      if (!t.at("list").is_boolean()) return FileError(file, t.at("list"), "`list` must be true or false");
      r.list = t.at("list").as_boolean();
    }
    XY_RETURN_IF_ERROR(Int(file, t, "points", true, &r.points));
    XY_RETURN_IF_ERROR(Int(file, t, "cap", true, &r.cap));
    XY_RETURN_IF_ERROR(Int(file, t, "window_days", false, &r.window_days));
    if (r.points == 0 || (r.points > 0) != (r.cap > 0) || std::abs(r.cap) < std::abs(r.points)) {
      return FileError(file, t, "points must be non-zero and cap of the same sign, at least as large");
    }
    if (r.window_days < 0 || (r.list && r.window_days != 0)) {
      return FileError(file, t, "window_days must be positive, and absent for a list rule");
    }
    m->rules_.push_back(std::move(r));
  }
  if (!root.contains("grade") || !root.at("grade").is_array()) return FileError(file, root, "no [[grade]]");
  static const char* kGrades[] = {"A", "B", "C", "D"};
  size_t i = 0;
  for (const toml::value& t : root.at("grade").as_array()) {
    GradeBand g;
    XY_RETURN_IF_ERROR(Str(file, t, "grade", true, &g.grade));
    XY_RETURN_IF_ERROR(Int(file, t, "min", true, &g.min));
    XY_RETURN_IF_ERROR(Str(file, t, "label", true, &g.label));
    if (i >= 4 || g.grade != kGrades[i]) return FileError(file, t, "grades must be A, B, C, D in this order");
    if (!m->grades_.empty() && g.min >= m->grades_.back().min) {
      return FileError(file, t, "grade minimums must descend");
    }
    m->grades_.push_back(std::move(g));
    ++i;
  }
  if (m->grades_.size() != 4 || m->grades_.back().min > m->min_) {
    return FileError(file, root, "four grades A–D, the last starting at or below `min`");
  }
  if (m->grades_.front().min > m->max_) {
    return FileError(file, root, "grade A starts above `max`: no score could reach it");
  }
  if (m->rules_.size() > 1000) return FileError(file, root, "at most 1000 [[rule]]s");
  return m;
}

std::optional<Evaluation> EvaluationModel::Evaluate(const Subject& subject,
                                                    std::span<const Record> records,
                                                    const catalog::Catalog& catalog,
                                                    Date today) const {
  if (subject.type == SubjectType::kNaturalPerson) return std::nullopt;
  Evaluation e;
  int64_t score = base_;  // at most 1000 rules of caps within ±1,000,000: no overflow
  for (const ScoreRule& rule : rules_) {
    const catalog::Indicator* ind = catalog.Find(rule.indicator);
    Contribution c;
    c.rule = &rule;
    for (const Record& r : records) {
      if (r.indicator != rule.indicator || r.status != RecordStatus::kActive) continue;
      if (rule.list) {
        if (!ActiveMembership(r, *ind, today)) continue;
      } else {
        if (r.decision_date > today) continue;
        if (rule.window_days > 0 && r.decision_date.days() < today.days() - rule.window_days) continue;
        if (ind->publicity_max_months > 0 &&
            r.decision_date.AddMonths(ind->publicity_max_months) <= today) {
          continue;  // publicity over: no longer used
        }
      }
      c.record_ids.push_back(r.record_id);
    }
    if (c.record_ids.empty()) continue;
    long total = static_cast<long>(rule.points) * static_cast<long>(c.record_ids.size());
    if (std::abs(total) > std::abs(rule.cap)) {
      total = rule.cap;
      c.capped = true;
    }
    c.points = static_cast<int>(total);
    score += c.points;
    e.contributions.push_back(std::move(c));
  }
  e.score = static_cast<int>(std::clamp<int64_t>(score, min_, max_));
  for (const GradeBand& g : grades_) {
    if (e.score >= g.min) {
      e.grade = g.grade;
      e.grade_label = g.label;
      break;
    }
  }
  return e;
}

}  // namespace xinyong::rules
