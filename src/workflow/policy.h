// Policy: the data of data/rights/rights.toml — the working days each step of an objection or a
// credit repair may take, the records the platform does not repair, longer minimum publicity
// periods than an indicator's severity gives (FACTS §4), and the fields of each indicator that
// name the body that made the finding (谁认定、谁修复). All periods live in the file, none in code.
// Immutable once loaded; thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "core/status.h"
#include "model/record.h"
#include "workflow/workflow.h"

namespace xinyong::workflow {

// A longer minimum publicity period for some records of an indicator: those whose deciding body
// is one of `departments`, or where one of `fields` contains one of `keywords`.
struct MinimumRule {
  std::string indicator;
  int months = 0;
  std::vector<std::string> departments;          // deciding bodies, by exact name
  std::vector<std::string> department_keywords;  // … or by a part of the name (any level)
  std::vector<std::string> fields;
  std::vector<std::string> keywords;
  std::string reason;
};

// Voluntary declarations (自主申报): who accepts the truthfulness commitment a declaration comes
// with, and what it says.
struct Declaration {
  std::string division = "410100";  // of the declaration numbers (承诺编码 format)
  std::string accepting_unit = "郑州市发展和改革委员会";
  std::string accepting_unit_code;
  // The commitment's 承诺内容 and 违诺责任.
  std::string commitment =
      "本主体承诺所申报的信用信息合法、真实、准确、完整，如有虚假，愿意承担相应法律责任，并接受失信惩戒。";
  std::string liability = "申报信息虚假的，撤销申报信息，记入违背信用承诺信息，依法依规实施失信惩戒。";
  // The 违诺责任 of a 主动型 commitment a subject makes online without stating its own.
  std::string commitment_liability = "未履行承诺的，记入违背信用承诺信息，依法依规实施失信惩戒。";
};

class Policy {
 public:
  // Reads the file and checks it against the catalog (indicators and fields it names exist,
  // every period a positive number). InvalidArgument "<file>:<line>: …" for the first problem;
  // Unavailable when the file cannot be read.
  static Result<std::unique_ptr<Policy>> LoadFile(const std::string& path,
                                                  const catalog::Catalog& catalog);
  // The shipped periods (5, 5, 2, 12; 3, 7, +10) and nothing else: for tests.
  Policy() = default;

  // Working days of the deadline of a state running under `clock`; `extended` adds the complex
  // case's extension to kDecide. 0 for Clock::kNone.
  int Workdays(Clock clock, bool extended) const;
  int objection_total_workdays() const { return total_; }

  // Why the platform does not repair records of `indicator`; "" when it does.
  std::string_view NotRepairable(std::string_view indicator) const;
  // The minimum publicity period (months) of a record: the longest rule that applies to it,
  // else the indicator's own. *why names the rule ("" for the indicator's own).
  int MinimumMonths(const Record& r, const catalog::Indicator& ind,
                    const std::vector<std::string>& deciding_body, std::string* why) const;
  // The fields of `indicator` naming the body that made the finding; empty when none is listed.
  const std::vector<std::string>& DecidingBodyFields(std::string_view indicator) const;
  const std::string& legal_basis() const { return legal_basis_; }
  const Declaration& declaration() const { return declaration_; }

  // For tests.
  void AddMinimum(MinimumRule rule) { minimums_.push_back(std::move(rule)); }
  void SetDecidingBody(std::string indicator, std::vector<std::string> fields) {
    deciding_body_[std::move(indicator)] = std::move(fields);
  }
  void SetNotRepairable(std::string indicator, std::string reason) {
    not_repairable_[std::move(indicator)] = std::move(reason);
  }

 private:
  int forward_ = 5, verify_ = 5, notify_ = 2, total_ = 12;
  int accept_ = 3, decide_ = 7, extra_ = 10;
  std::string legal_basis_;
  Declaration declaration_;
  std::map<std::string, std::string, std::less<>> not_repairable_;
  std::vector<MinimumRule> minimums_;
  std::map<std::string, std::vector<std::string>, std::less<>> deciding_body_;
};

}  // namespace xinyong::workflow
