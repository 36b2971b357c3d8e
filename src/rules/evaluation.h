// Composite evaluation (公共信用综合评价): a scoring model from a data file — a base score, rules
// that move it per record (each capped, within a window), and grade thresholds A–D — applied to a
// legal person's or organization's records. Every grade comes with its explanation: which rule
// moved the score, by how much, and through which records. Natural persons are not graded.
//
// data/evaluation/model.toml (see its README): name, legal_basis (required), base, min, max;
// [[rule]] label, indicator (must be in the catalog), points (per record), cap (the most the rule
// moves the score, same sign as points), window_days (records decided within it; 0 = any) or
// list = true (current list memberships only); [[grade]] grade, min, label — A, B, C, D with
// descending minimums, the last at most `min`. Loading fails naming file and line otherwise.
// Thread-safety: immutable after loading.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/date.h"
#include "core/status.h"
#include "model/record.h"
#include "model/subject.h"

namespace xinyong::rules {

struct ScoreRule {
  std::string label;
  std::string indicator;
  bool list = false;
  int window_days = 0;
  int points = 0;
  int cap = 0;
  int line = 0;
};

struct GradeBand {
  std::string grade;  // "A".."D"
  int min = 0;
  std::string label;
};

// How one rule moved one subject's score.
struct Contribution {
  const ScoreRule* rule = nullptr;
  std::vector<uint64_t> record_ids;  // the records it counted
  int points = 0;                    // after the cap
  bool capped = false;
};

struct Evaluation {
  int score = 0;
  std::string grade;        // "A".."D"
  std::string grade_label;  // 诚信, 良好, ...
  std::vector<Contribution> contributions;  // rules that moved the score, in model order
};

class EvaluationModel {
 public:
  static Result<std::unique_ptr<EvaluationModel>> LoadFile(const std::string& path,
                                                           const catalog::Catalog& catalog);

  const std::string& name() const { return name_; }
  const std::string& legal_basis() const { return legal_basis_; }
  int base() const { return base_; }
  const std::vector<ScoreRule>& rules() const { return rules_; }

  // nullopt for natural persons; otherwise the score, grade and explanation on `today`. Reads
  // of each record only its indicator, status and decision date, and for a list rule the
  // list_end field; record ids are listed in the order of `records`.
  std::optional<Evaluation> Evaluate(const Subject& subject, std::span<const Record> records,
                                     const catalog::Catalog& catalog, Date today) const;

 private:
  EvaluationModel() = default;
  std::string name_, legal_basis_;
  int base_ = 0, min_ = 0, max_ = 0;
  std::vector<ScoreRule> rules_;
  std::vector<GradeBand> grades_;
};

}  // namespace xinyong::rules
