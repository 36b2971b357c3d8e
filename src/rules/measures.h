// Measures: the list of joint rewards and punishments (联合奖惩措施清单), in the shape of the
// national basic list of punishment measures (全国失信惩戒措施基础清单) and of the reward measures
// for the trustworthy (守信激励). Each measure says what it does, whom it reaches, the law it rests
// on, who applies it, whether it is mandatory, the business scenarios in which a credit check
// offers it, and the trigger that makes it apply to a subject. A credit check never invents a
// measure: it can only return measures of this list, each citing its legal basis.
//
// Loaded from data/measures/: scenarios.toml plus any other *.toml files of [[measure]] tables.
// Loading fails — naming the file and line — for a measure without a legal basis, an unknown kind,
// category, target, trigger type or scenario, a trigger naming an indicator the catalog lacks (or
// a list trigger on an indicator that is not a list), a repeated code, a grade outside A–D or a
// window that is not positive; data/measures/README.md lists every rule. Every such failure is
// InvalidArgument with a message starting "<file>:<line>: ".
// Thread-safety: MeasureCatalog is immutable after loading; safe to share between threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/indicator.h"
#include "core/status.h"

namespace xinyong::rules {

// Persisted (in check logs) as one byte: never renumber.
enum class MeasureKind : uint8_t {
  kPunishment = 1,  // 失信惩戒
  kReward = 2,      // 守信激励
};

// The three kinds of punishment of the national basic list (FACTS §6), and the one of rewards.
enum class MeasureCategory : uint8_t {
  kRightsRestriction = 1,  // 限制权利: restrictions of rights applied by public bodies
  kManagement = 2,         // 管理措施: closer supervision, more inspections, no 告知承诺
  kMarket = 3,  // 市场和行业措施: applied by markets, financial institutions, associations
  kIncentive = 4,  // 激励措施: every reward
};

// Whom a measure reaches (对象). The first two are the checked subject itself; the last two are
// the persons linked to an organization's list entry or record (落实到人), reached only where the
// measure's legal basis says so.
enum class Target : uint8_t {
  kEntity = 1,               // the subject when it is an organization or individual business
  kNaturalPerson = 2,        // the subject when it is a natural person
  kLegalRepresentative = 3,  // 法定代表人 of the organization
  kResponsiblePersons = 4,  // 主要负责人、直接责任人员 (and 实际控制人 where the basis names them)
};

enum class TriggerType : uint8_t {
  kList = 1,    // current membership of a list (serious dishonesty, court, red ...)
  kRecord = 2,  // records of an indicator, of a given severity, within a window
  kGrade = 3,   // the composite evaluation grade (公共信用综合评价) of the subject
  kCommitmentBreached = 4,  // a credit commitment found breached or false within a window
};

// What makes a measure apply to a subject. Only the fields of its type are set.
struct Trigger {
  TriggerType type = TriggerType::kList;
  // kList and kRecord: the catalog indicator; for kList one of ListIndicators(). For
  // kCommitmentBreached the loader sets kCommitmentIndicator.
  std::string indicator;
  // kRecord: the indicator's nature, checked against the catalog at load.
  catalog::Nature nature = catalog::Nature::kNeutral;
  // kRecord: severities that count, judged on each record's severity (RecordSeverity: the
  // indicator's, or serious by its [[serious_when]] rules — so a trigger listing `general` alone
  // leaves out the penalties those rules make serious); empty means any.
  std::vector<catalog::Severity> severities;
  // kRecord: records decided (decision_date) within this many days before the check count.
  // kCommitmentBreached: breaches found (履行状态认定日期) within this many days count.
  // Records whose publicity ended or that were repaired never count, whatever the window.
  int window_days = 0;
  // kRecord: at least this many matching records.
  int min_count = 1;
  // kGrade: the grades that trigger, each "A", "B", "C" or "D".
  std::vector<std::string> grades;
};

struct Measure {
  std::string code;  // unique, e.g. "CJ-QL-001" (see data/measures/README.md)
  MeasureKind kind = MeasureKind::kPunishment;
  MeasureCategory category = MeasureCategory::kRightsRestriction;
  std::string content;  // 措施: what the measure does, in Chinese
  std::vector<Target> targets;
  std::string legal_basis;             // 法规政策依据; never empty
  std::string implementing_body;       // 实施主体
  bool mandatory = false;              // 强制性 (true) or 推荐性 (false)
  std::vector<std::string> scenarios;  // scenario codes, each defined in scenarios.toml
  Trigger trigger;
  std::string source_file;  // where it was loaded from, for messages
  int source_line = 0;      // line of its [[measure]] header
};

// A business scenario in which a using department runs a credit check (政府采购, 招标投标 ...).
struct Scenario {
  std::string code;   // e.g. "government_procurement"
  std::string label;  // e.g. "政府采购"
  std::string description;
  std::string source_file;
  int source_line = 0;
};

// The indicator a kCommitmentBreached trigger reads.
inline constexpr std::string_view kCommitmentIndicator = "credit_commitment";

class MeasureCatalog {
 public:
  // Loads `dir`/scenarios.toml, then every other *.toml file of `dir` sorted by name, checking
  // every trigger against `catalog` (which need not outlive the result). NotFound if `dir` or its
  // scenarios.toml does not exist; InvalidArgument "<file>:<line>: ..." for any rule broken.
  static Result<std::unique_ptr<MeasureCatalog>> LoadDirectory(const std::string& dir,
                                                               const catalog::Catalog& catalog);

  // The indicators a `list` trigger may name: the catalog has no field that says an indicator
  // is a list with memberships that start and end, so the loader knows them by code.
  static std::span<const std::string_view> ListIndicators();
  static bool IsListIndicator(std::string_view indicator);

  MeasureCatalog(const MeasureCatalog&) = delete;
  MeasureCatalog& operator=(const MeasureCatalog&) = delete;

  // In file order (scenarios.toml).
  const std::vector<Scenario>& scenarios() const { return scenarios_; }
  // In load order: files by name, then position in the file.
  const std::vector<Measure>& measures() const { return measures_; }
  // nullptr if no measure or scenario has this code.
  const Measure* Find(std::string_view code) const;
  const Scenario* FindScenario(std::string_view code) const;
  // The measures offered in `scenario`, in load order; empty for an unknown scenario.
  const std::vector<const Measure*>& ForScenario(std::string_view scenario) const;

 private:
  MeasureCatalog() = default;

  std::vector<Scenario> scenarios_;
  std::vector<Measure> measures_;
  std::map<std::string, size_t, std::less<>> measure_index_;
  std::map<std::string, size_t, std::less<>> scenario_index_;
  std::vector<std::vector<const Measure*>> by_scenario_;  // parallel to scenarios_
};

// English names as written in files and APIs ("punishment", "rights_restriction", "entity",
// "list", ...) and Chinese labels for screens and reports ("失信惩戒", "限制权利", "单位", "名单",
// ...).
std::string_view MeasureKindName(MeasureKind k);
std::string_view MeasureKindLabel(MeasureKind k);
std::string_view MeasureCategoryName(MeasureCategory c);
std::string_view MeasureCategoryLabel(MeasureCategory c);
std::string_view TargetName(Target t);
std::string_view TargetLabel(Target t);
std::string_view TriggerTypeName(TriggerType t);
std::string_view TriggerTypeLabel(TriggerType t);

// Inverses of the *Name functions, for the English names written in measure files and APIs;
// nullopt for anything else.
std::optional<MeasureKind> ParseMeasureKind(std::string_view name);
std::optional<MeasureCategory> ParseMeasureCategory(std::string_view name);
std::optional<Target> ParseTarget(std::string_view name);
std::optional<TriggerType> ParseTriggerType(std::string_view name);

}  // namespace xinyong::rules
