#include "rules/measures.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <initializer_list>
#include <set>
#include <system_error>
#include <toml.hpp>
#include <utility>

#include "model/subject_type.h"
#include "rules/toml_file.h"

namespace xinyong::rules {

namespace {

// ---- Names -----------------------------------------------------------------------------------

// One row per enumerator: English name (files, APIs) and Chinese label (screens, reports).
template <typename E>
struct NameRow {
  E value;
  std::string_view name;
  std::string_view label;
};

constexpr std::array<NameRow<MeasureKind>, 2> kKinds{{
    {MeasureKind::kPunishment, "punishment", "失信惩戒"},
    {MeasureKind::kReward, "reward", "守信激励"},
}};

constexpr std::array<NameRow<MeasureCategory>, 4> kCategories{{
    {MeasureCategory::kRightsRestriction, "rights_restriction", "限制权利"},
    {MeasureCategory::kManagement, "management", "管理措施"},
    {MeasureCategory::kMarket, "market", "市场和行业措施"},
    {MeasureCategory::kIncentive, "incentive", "激励措施"},
}};

constexpr std::array<NameRow<Target>, 4> kTargets{{
    {Target::kEntity, "entity", "单位"},
    {Target::kNaturalPerson, "natural_person", "自然人"},
    {Target::kLegalRepresentative, "legal_representative", "法定代表人"},
    {Target::kResponsiblePersons, "responsible_persons", "主要负责人及直接责任人员"},
}};

constexpr std::array<NameRow<TriggerType>, 4> kTriggerTypes{{
    {TriggerType::kList, "list", "名单"},
    {TriggerType::kRecord, "record", "信用记录"},
    {TriggerType::kGrade, "grade", "信用等级"},
    {TriggerType::kCommitmentBreached, "commitment_breached", "违背信用承诺"},
}};

template <typename E, size_t N>
const NameRow<E>* RowOf(const std::array<NameRow<E>, N>& rows, E value) {
  for (const auto& row : rows) {
    if (row.value == value) return &row;
  }
  return nullptr;
}

template <typename E, size_t N>
std::optional<E> ValueNamed(const std::array<NameRow<E>, N>& rows, std::string_view name) {
  for (const auto& row : rows) {
    if (row.name == name) return row.value;
  }
  return std::nullopt;
}

template <typename E, size_t N>
std::string NameList(const std::array<NameRow<E>, N>& rows) {
  std::string out;
  for (const auto& row : rows) out += (out.empty() ? "" : ", ") + std::string(row.name);
  return out;
}

// The list indicators of the catalog (see ListIndicators in the header): memberships decided by
// a body, with a start and an end, as opposed to records counted within a window.
constexpr std::array<std::string_view, 4> kListIndicators{
    "serious_dishonesty",      // 严重失信主体名单
    "court_dishonest_debtor",  // 失信被执行人名单
    "abnormal_operation",      // 经营异常名录
    "red_list",                // 诚信红名单
};

constexpr std::array<std::string_view, 4> kGrades{"A", "B", "C", "D"};

constexpr int64_t kMaxWindowDays = 36500;
constexpr int64_t kMaxMinCount = 1000;
constexpr std::string_view kScenarioFile = "scenarios.toml";

// ---- Errors and small checks -----------------------------------------------------------------

Status Error(const std::string& file, int line, const std::string& message) {
  return FileError(file, line, message);
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// True if `s` holds nothing but white space (ASCII, U+00A0, U+3000).
bool IsBlank(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      i += 1;
    } else if (s.substr(i, 2) == "\xC2\xA0") {
      i += 2;
    } else if (s.substr(i, 3) == "\xE3\x80\x80") {
      i += 3;
    } else {
      return false;
    }
  }
  return true;
}

bool IsScenarioCode(std::string_view s) {
  if (s.empty() || s[0] < 'a' || s[0] > 'z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Measure codes: upper-case letters, digits and '-', starting with a letter, at most 32 long.
bool IsMeasureCode(std::string_view s) {
  if (s.empty() || s.size() > 32 || s[0] < 'A' || s[0] > 'Z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
}

int LineOf(const toml::value& v) { return static_cast<int>(v.location().line()); }

// ---- Reading one TOML table ------------------------------------------------------------------

// Typed access to the keys of one table, each error naming the file, the line and `what` (e.g.
// "measure 'CJ-QL-001'"). A missing key is reported on the table's own line.
class Table {
 public:
  Table(const std::string& file, const toml::value& value, std::string what)
      : file_(file), value_(value), what_(std::move(what)) {}

  int line() const { return LineOf(value_); }
  const std::string& what() const { return what_; }
  Status Fail(int line, const std::string& message) const { return Error(file_, line, message); }

  const toml::value* Get(std::string_view key) const {
    const toml::table& t = value_.as_table();
    auto it = t.find(std::string(key));
    return it == t.end() ? nullptr : &it->second;
  }

  // Rejects any key outside `allowed`, so that a misspelt key cannot silently drop a rule.
  // `context` follows "unknown key 'k' in <what>", e.g. " (a 'list' trigger takes ...)".
  Status OnlyKeys(std::initializer_list<std::string_view> allowed,
                  const std::string& context = "") const {
    std::vector<std::pair<int, std::string>> unknown;
    for (const auto& [key, v] : value_.as_table()) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        unknown.emplace_back(LineOf(v), key);
      }
    }
    if (unknown.empty()) return Status::Ok();
    const auto& [line, key] = *std::min_element(unknown.begin(), unknown.end());
    return Fail(line, "unknown key " + Quote(key) + " in " + what_ + context);
  }

  // A string that, when `required`, must be present and not blank.
  Status String(std::string_view key, bool required, std::string* out,
                const std::string& why = "") const {
    const toml::value* v = Get(key);
    if (v == nullptr) {
      if (!required) return Status::Ok();
      return Fail(line(), what_ + " has no " + Quote(key) + why);
    }
    if (!v->is_string()) return WrongType(*v, key, "a string");
    *out = v->as_string().str;
    if (required && IsBlank(*out)) {
      return Fail(LineOf(*v), what_ + " has an empty " + Quote(key) + why);
    }
    return Status::Ok();
  }

  // A non-empty array of non-blank strings without repeats; each element with its own line.
  Status Strings(std::string_view key, std::vector<std::pair<std::string, int>>* out) const {
    const toml::value* v = Get(key);
    if (v == nullptr) return Fail(line(), what_ + " has no " + Quote(key));
    if (!v->is_array()) return WrongType(*v, key, "an array of strings");
    if (v->as_array().empty()) return Fail(LineOf(*v), what_ + " has an empty " + Quote(key));
    std::set<std::string> seen;
    for (const toml::value& e : v->as_array()) {
      if (!e.is_string()) return WrongType(e, key, "an array of strings");
      const std::string& s = e.as_string().str;
      if (IsBlank(s)) return Fail(LineOf(e), what_ + " has an empty entry in " + Quote(key));
      if (!seen.insert(s).second) {
        return Fail(LineOf(e), what_ + " lists " + Quote(s) + " twice in " + Quote(key));
      }
      out->emplace_back(s, LineOf(e));
    }
    return Status::Ok();
  }

  Status Bool(std::string_view key, bool* out) const {
    const toml::value* v = Get(key);
    if (v == nullptr) return Fail(line(), what_ + " has no " + Quote(key) + " (true or false)");
    if (!v->is_boolean()) return WrongType(*v, key, "true or false");
    *out = v->as_boolean();
    return Status::Ok();
  }

  // An integer in [lo, hi]; absent leaves *out unchanged unless `required`.
  Status Int(std::string_view key, bool required, int64_t lo, int64_t hi, int64_t* out) const {
    const toml::value* v = Get(key);
    if (v == nullptr) {
      if (!required) return Status::Ok();
      return Fail(line(), what_ + " has no " + Quote(key));
    }
    if (!v->is_integer()) return WrongType(*v, key, "an integer");
    const int64_t n = v->as_integer();
    if (n < lo || n > hi) {
      return Fail(LineOf(*v), Quote(key) + " of " + what_ + " must be between " +
                                  std::to_string(lo) + " and " + std::to_string(hi) + ", not " +
                                  std::to_string(n));
    }
    *out = n;
    return Status::Ok();
  }

  // An enum written as its English name.
  template <typename E, size_t N>
  Status Enum(std::string_view key, const std::array<NameRow<E>, N>& rows, E* out) const {
    std::string name;
    XY_RETURN_IF_ERROR(String(key, true, &name, " (one of " + NameList(rows) + ")"));
    std::optional<E> e = ValueNamed(rows, name);
    if (!e) {
      return Fail(LineOf(*Get(key)), "unknown " + std::string(key) + " " + Quote(name) + " in " +
                                         what_ + " (expected one of " + NameList(rows) + ")");
    }
    *out = *e;
    return Status::Ok();
  }

  Status WrongType(const toml::value& v, std::string_view key, std::string_view expected) const {
    return Fail(LineOf(v), Quote(key) + " of " + what_ + " must be " + std::string(expected));
  }

 private:
  const std::string& file_;
  const toml::value& value_;
  std::string what_;
};

// The array of tables `key` ([[key]]) of a file's root, or an empty list if absent. Any other
// top-level key is an error; `hint` tells where it belongs.
Status TablesOf(const std::string& file, const toml::value& root, const std::string& key,
                const std::string& hint, const std::vector<toml::value>** out) {
  static const std::vector<toml::value> kNone;
  *out = &kNone;
  Table top(file, root, "the file");
  XY_RETURN_IF_ERROR(top.OnlyKeys({key}, hint));
  const toml::value* v = top.Get(key);
  if (v == nullptr) return Status::Ok();
  if (!v->is_array())
    return Error(file, LineOf(*v), Quote(key) + " must be written [[" + key + "]]");
  for (const toml::value& e : v->as_array()) {
    if (!e.is_table()) {
      return Error(file, LineOf(e), "each " + Quote(key) + " must be a table [[" + key + "]]");
    }
  }
  *out = &v->as_array();
  return Status::Ok();
}

// ---- Scenarios -------------------------------------------------------------------------------

Status ParseScenarios(const std::string& file, const toml::value& root,
                      std::vector<Scenario>* scenarios) {
  const std::vector<toml::value>* tables = nullptr;
  XY_RETURN_IF_ERROR(TablesOf(file, root, "scenario",
                              " (scenarios.toml holds only [[scenario]] tables; measures go in "
                              "the other files)",
                              &tables));
  std::map<std::string, int, std::less<>> seen;
  for (const toml::value& value : *tables) {
    Scenario s;
    s.source_file = file;
    s.source_line = LineOf(value);
    Table t(file, value, "a scenario");
    XY_RETURN_IF_ERROR(t.OnlyKeys({"code", "label", "description"}));
    XY_RETURN_IF_ERROR(t.String("code", true, &s.code));
    if (!IsScenarioCode(s.code)) {
      return t.Fail(LineOf(*t.Get("code")),
                    "scenario code " + Quote(s.code) +
                        " must be lower-case letters, digits and '_', starting with a letter");
    }
    Table named(file, value, "scenario " + Quote(s.code));
    XY_RETURN_IF_ERROR(named.String("label", true, &s.label));
    XY_RETURN_IF_ERROR(named.String("description", false, &s.description));
    if (auto [it, fresh] = seen.emplace(s.code, s.source_line); !fresh) {
      return named.Fail(LineOf(*t.Get("code")), "scenario code " + Quote(s.code) +
                                                    " is already defined at " + file + ":" +
                                                    std::to_string(it->second));
    }
    scenarios->push_back(std::move(s));
  }
  if (scenarios->empty()) {
    return Error(file, 1, "no [[scenario]] is defined; every measure needs a scenario");
  }
  return Status::Ok();
}

// ---- Measures --------------------------------------------------------------------------------

// The checks that need both the trigger and the catalog, reported at `line`.
class MeasureChecker {
 public:
  MeasureChecker(const Table& t, const catalog::Catalog& catalog) : t_(t), catalog_(catalog) {}

  // The catalog indicator `code` of a trigger, or an error naming the trigger's line.
  Status Indicator(const std::string& code, int line, const catalog::Indicator** out) const {
    *out = catalog_.Find(code);
    if (*out == nullptr) {
      return t_.Fail(line, "the trigger of " + t_.what() + " names indicator " + Quote(code) +
                               ", which the catalog does not have");
    }
    return Status::Ok();
  }

  // A punishment follows negative information, a reward positive information.
  Status NatureFitsKind(const Measure& m, const catalog::Indicator& ind, int line) const {
    const catalog::Nature wanted = m.kind == MeasureKind::kPunishment ? catalog::Nature::kNegative
                                                                      : catalog::Nature::kPositive;
    if (ind.nature == wanted) return Status::Ok();
    return t_.Fail(line, t_.what() + " is a " + std::string(MeasureKindName(m.kind)) +
                             " but its trigger indicator " + Quote(ind.code) + " is " +
                             std::string(catalog::NatureName(ind.nature)) + "; a " +
                             std::string(MeasureKindName(m.kind)) + " needs " +
                             std::string(catalog::NatureName(wanted)) + " information");
  }

  // Each target must be someone the trigger can reach: natural persons only through an
  // indicator about natural persons; organizations and their people only through one about
  // organizations.
  Status TargetsFitSubjects(const Measure& m, const std::vector<SubjectType>& types,
                            const std::string& source, int line) const {
    const bool persons =
        std::find(types.begin(), types.end(), SubjectType::kNaturalPerson) != types.end();
    const bool organizations = std::any_of(
        types.begin(), types.end(), [](SubjectType s) { return s != SubjectType::kNaturalPerson; });
    for (Target target : m.targets) {
      const bool fits = target == Target::kNaturalPerson ? persons : organizations;
      if (!fits) {
        return t_.Fail(line,
                       t_.what() + " targets " + Quote(TargetName(target)) + " but " + source +
                           " covers no " +
                           (target == Target::kNaturalPerson ? "natural person" : "organization") +
                           "; the measure could never apply");
      }
    }
    return Status::Ok();
  }

 private:
  const Table& t_;
  const catalog::Catalog& catalog_;
};

Status ParseTrigger(const std::string& file, const toml::value& value, const Table& owner,
                    const catalog::Catalog& catalog, Measure* m) {
  if (!value.is_table()) {
    return owner.Fail(LineOf(value),
                      "the trigger of " + owner.what() + " must be a table ([measure.trigger])");
  }
  Trigger& tr = m->trigger;
  Table t(file, value, "the trigger of " + owner.what());
  XY_RETURN_IF_ERROR(t.Enum("type", kTriggerTypes, &tr.type));
  const int type_line = LineOf(*t.Get("type"));
  const std::string type_context = " (a " + Quote(TriggerTypeName(tr.type)) + " trigger takes ";
  MeasureChecker check(owner, catalog);

  switch (tr.type) {
    case TriggerType::kList: {
      XY_RETURN_IF_ERROR(t.OnlyKeys({"type", "indicator"}, type_context + "only 'indicator')"));
      XY_RETURN_IF_ERROR(t.String("indicator", true, &tr.indicator));
      const int line = LineOf(*t.Get("indicator"));
      const catalog::Indicator* ind = nullptr;
      XY_RETURN_IF_ERROR(check.Indicator(tr.indicator, line, &ind));
      if (std::find(kListIndicators.begin(), kListIndicators.end(), tr.indicator) ==
          kListIndicators.end()) {
        std::string lists;
        for (std::string_view l : kListIndicators)
          lists += (lists.empty() ? "" : ", ") + std::string(l);
        return t.Fail(line, "the trigger of " + owner.what() + " is a 'list' trigger on " +
                                Quote(tr.indicator) + ", which is not a list (lists: " + lists +
                                "); use a 'record' trigger");
      }
      XY_RETURN_IF_ERROR(check.NatureFitsKind(*m, *ind, line));
      XY_RETURN_IF_ERROR(
          check.TargetsFitSubjects(*m, ind->subject_types, "list " + Quote(ind->code), line));
      break;
    }
    case TriggerType::kRecord: {
      XY_RETURN_IF_ERROR(t.OnlyKeys(
          {"type", "indicator", "nature", "severity", "window_days", "min_count"},
          type_context + "'indicator', 'nature', 'severity', 'window_days', 'min_count')"));
      XY_RETURN_IF_ERROR(t.String("indicator", true, &tr.indicator));
      const int line = LineOf(*t.Get("indicator"));
      const catalog::Indicator* ind = nullptr;
      XY_RETURN_IF_ERROR(check.Indicator(tr.indicator, line, &ind));
      tr.nature = ind->nature;
      if (const toml::value* v = t.Get("nature")) {
        if (!v->is_string()) return t.WrongType(*v, "nature", "a string");
        std::optional<catalog::Nature> n = catalog::ParseNature(v->as_string().str);
        if (!n) {
          return t.Fail(LineOf(*v), "unknown nature " + Quote(v->as_string().str) + " in " +
                                        t.what() +
                                        " (expected one of positive, neutral, negative)");
        }
        if (*n != ind->nature) {
          return t.Fail(LineOf(*v), t.what() + " asks for " + std::string(catalog::NatureName(*n)) +
                                        " records of " + Quote(ind->code) + ", which is " +
                                        std::string(catalog::NatureName(ind->nature)));
        }
      }
      XY_RETURN_IF_ERROR(check.NatureFitsKind(*m, *ind, line));
      if (const toml::value* v = t.Get("severity")) {
        if (ind->nature != catalog::Nature::kNegative) {
          return t.Fail(LineOf(*v), t.what() + " filters on severity but " + Quote(ind->code) +
                                        " is not negative information");
        }
        std::vector<std::pair<std::string, int>> names;
        XY_RETURN_IF_ERROR(t.Strings("severity", &names));
        for (const auto& [name, name_line] : names) {
          std::optional<catalog::Severity> s = catalog::ParseSeverity(name);
          if (!s || *s == catalog::Severity::kNone) {
            return t.Fail(name_line, "unknown severity " + Quote(name) + " in " + t.what() +
                                         " (expected one of minor, general, serious)");
          }
          tr.severities.push_back(*s);
        }
        // A trigger no record can match would silently never fire.
        auto listed = [&](catalog::Severity s) {
          return std::find(tr.severities.begin(), tr.severities.end(), s) != tr.severities.end();
        };
        if (!tr.severities.empty() && !listed(ind->severity) &&
            !(listed(catalog::Severity::kSerious) && !ind->serious_when.empty())) {
          return t.Fail(LineOf(*v),
                        t.what() + " counts no record of " + Quote(ind->code) + ": its records are " +
                            std::string(catalog::SeverityName(ind->severity)) +
                            (ind->serious_when.empty() ? "" : " or, by its [[serious_when]], serious"));
        }
      }
      int64_t n = 0;
      XY_RETURN_IF_ERROR(t.Int("window_days", true, 1, kMaxWindowDays, &n));
      tr.window_days = static_cast<int>(n);
      n = 1;
      XY_RETURN_IF_ERROR(t.Int("min_count", false, 1, kMaxMinCount, &n));
      tr.min_count = static_cast<int>(n);
      XY_RETURN_IF_ERROR(
          check.TargetsFitSubjects(*m, ind->subject_types, "indicator " + Quote(ind->code), line));
      break;
    }
    case TriggerType::kGrade: {
      XY_RETURN_IF_ERROR(t.OnlyKeys({"type", "grades"}, type_context + "only 'grades')"));
      std::vector<std::pair<std::string, int>> grades;
      XY_RETURN_IF_ERROR(t.Strings("grades", &grades));
      for (const auto& [g, g_line] : grades) {
        if (std::find(kGrades.begin(), kGrades.end(), g) == kGrades.end()) {
          return t.Fail(g_line,
                        "grade " + Quote(g) + " in " + t.what() + " is not one of A, B, C, D");
        }
        tr.grades.push_back(g);
      }
      // The composite evaluation grades organizations, never natural persons.
      XY_RETURN_IF_ERROR(
          check.TargetsFitSubjects(*m,
                                   {SubjectType::kLegalPerson, SubjectType::kIndividualBusiness,
                                    SubjectType::kOtherOrganization},
                                   "the composite evaluation", LineOf(*t.Get("grades"))));
      break;
    }
    case TriggerType::kCommitmentBreached: {
      XY_RETURN_IF_ERROR(t.OnlyKeys({"type", "window_days"}, type_context + "only 'window_days')"));
      if (m->kind != MeasureKind::kPunishment) {
        return t.Fail(type_line, owner.what() +
                                     " is a reward; a breached commitment can only "
                                     "trigger a punishment");
      }
      const catalog::Indicator* ind = catalog.Find(kCommitmentIndicator);
      if (ind == nullptr) {
        return t.Fail(type_line, "the trigger of " + owner.what() +
                                     " reads commitments, but the catalog has no indicator " +
                                     Quote(kCommitmentIndicator));
      }
      tr.indicator = std::string(kCommitmentIndicator);
      int64_t n = 0;
      XY_RETURN_IF_ERROR(t.Int("window_days", true, 1, kMaxWindowDays, &n));
      tr.window_days = static_cast<int>(n);
      XY_RETURN_IF_ERROR(check.TargetsFitSubjects(*m, ind->subject_types,
                                                  "indicator " + Quote(ind->code), type_line));
      break;
    }
  }
  return Status::Ok();
}

Status ParseMeasure(const std::string& file, const toml::value& value,
                    const std::map<std::string, size_t, std::less<>>& scenario_index,
                    const catalog::Catalog& catalog, Measure* m) {
  m->source_file = file;
  m->source_line = LineOf(value);
  {
    Table anonymous(file, value, "a measure");
    XY_RETURN_IF_ERROR(anonymous.String("code", true, &m->code));
    if (!IsMeasureCode(m->code)) {
      return anonymous.Fail(LineOf(*anonymous.Get("code")),
                            "measure code " + Quote(m->code) +
                                " must be upper-case letters, digits and '-', starting with a "
                                "letter, at most 32 characters");
    }
  }
  Table t(file, value, "measure " + Quote(m->code));
  XY_RETURN_IF_ERROR(t.OnlyKeys({"code", "kind", "category", "content", "targets", "legal_basis",
                                 "implementing_body", "mandatory", "scenarios", "trigger"}));
  // The legal basis first: it is the rule the platform exists to enforce.
  XY_RETURN_IF_ERROR(t.String("legal_basis", true, &m->legal_basis,
                              "; a measure without a legal basis may not be applied"));
  XY_RETURN_IF_ERROR(t.Enum("kind", kKinds, &m->kind));
  XY_RETURN_IF_ERROR(t.Enum("category", kCategories, &m->category));
  const bool reward_category = m->category == MeasureCategory::kIncentive;
  if (reward_category != (m->kind == MeasureKind::kReward)) {
    return t.Fail(LineOf(*t.Get("category")),
                  t.what() + " is a " + std::string(MeasureKindName(m->kind)) + " with category " +
                      Quote(MeasureCategoryName(m->category)) +
                      (m->kind == MeasureKind::kReward
                           ? "; a reward's category is 'incentive'"
                           : "; a punishment's category is rights_restriction, management or "
                             "market"));
  }
  XY_RETURN_IF_ERROR(t.String("content", true, &m->content));
  XY_RETURN_IF_ERROR(t.String("implementing_body", true, &m->implementing_body));
  XY_RETURN_IF_ERROR(t.Bool("mandatory", &m->mandatory));

  std::vector<std::pair<std::string, int>> names;
  XY_RETURN_IF_ERROR(t.Strings("targets", &names));
  for (const auto& [name, line] : names) {
    std::optional<Target> target = ValueNamed(kTargets, name);
    if (!target) {
      return t.Fail(line, "unknown target " + Quote(name) + " in " + t.what() +
                              " (expected one of " + NameList(kTargets) + ")");
    }
    m->targets.push_back(*target);
  }

  names.clear();
  XY_RETURN_IF_ERROR(t.Strings("scenarios", &names));
  for (const auto& [name, line] : names) {
    if (scenario_index.find(name) == scenario_index.end()) {
      return t.Fail(line, "unknown scenario " + Quote(name) + " in " + t.what() +
                              " (scenarios are defined in " + std::string(kScenarioFile) + ")");
    }
    m->scenarios.push_back(name);
  }

  const toml::value* trigger = t.Get("trigger");
  if (trigger == nullptr) {
    return t.Fail(t.line(), t.what() +
                                " has no trigger ([measure.trigger]); nothing would make "
                                "it apply");
  }
  return ParseTrigger(file, *trigger, t, catalog, m);
}

}  // namespace

// ---- MeasureCatalog --------------------------------------------------------------------------

Result<std::unique_ptr<MeasureCatalog>> MeasureCatalog::LoadDirectory(
    const std::string& dir, const catalog::Catalog& catalog) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::NotFound("measures directory '" + dir + "' does not exist");
  }
  const fs::path scenario_path = fs::path(dir) / kScenarioFile;
  if (!fs::is_regular_file(scenario_path, ec)) {
    return Status::NotFound("measures directory '" + dir + "' has no " +
                            std::string(kScenarioFile) + "; measures need their scenarios");
  }
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() == ".toml" && p.filename() != kScenarioFile && it->is_regular_file(ec)) {
      files.push_back(p);
    }
  }
  if (ec) {
    return Status::Unavailable("cannot list measures directory '" + dir + "': " + ec.message());
  }
  std::sort(files.begin(), files.end());

  std::unique_ptr<MeasureCatalog> out(new MeasureCatalog());
  {
    toml::value root;
    XY_RETURN_IF_ERROR(ParseTomlFile(scenario_path.string(), "measures file", &root));
    XY_RETURN_IF_ERROR(ParseScenarios(scenario_path.string(), root, &out->scenarios_));
  }
  for (size_t i = 0; i < out->scenarios_.size(); ++i) {
    out->scenario_index_.emplace(out->scenarios_[i].code, i);
  }

  for (const fs::path& path : files) {
    const std::string file = path.string();
    toml::value root;
    XY_RETURN_IF_ERROR(ParseTomlFile(path.string(), "measures file", &root));
    const std::vector<toml::value>* tables = nullptr;
    XY_RETURN_IF_ERROR(TablesOf(file, root, "measure",
                                " (a measures file holds only [[measure]] tables; scenarios go "
                                "in scenarios.toml)",
                                &tables));
    for (const toml::value& value : *tables) {
      Measure m;
      XY_RETURN_IF_ERROR(ParseMeasure(file, value, out->scenario_index_, catalog, &m));
      auto [it, fresh] = out->measure_index_.emplace(m.code, out->measures_.size());
      if (!fresh) {
        const Measure& first = out->measures_[it->second];
        Table t(file, value, "measure " + Quote(m.code));
        return t.Fail(LineOf(*t.Get("code")), "measure code " + Quote(m.code) +
                                                  " is already defined at " + first.source_file +
                                                  ":" + std::to_string(first.source_line));
      }
      out->measures_.push_back(std::move(m));
    }
  }
  if (out->measures_.empty()) {
    return Status::InvalidArgument("measures directory '" + dir +
                                   "' defines no [[measure]]; a credit check would offer nothing");
  }

  // Built only now: measures_ no longer moves.
  out->by_scenario_.resize(out->scenarios_.size());
  for (const Measure& m : out->measures_) {
    for (const std::string& s : m.scenarios) {
      out->by_scenario_[out->scenario_index_.find(s)->second].push_back(&m);
    }
  }
  return out;
}

std::span<const std::string_view> MeasureCatalog::ListIndicators() { return kListIndicators; }

const Measure* MeasureCatalog::Find(std::string_view code) const {
  auto it = measure_index_.find(code);
  return it == measure_index_.end() ? nullptr : &measures_[it->second];
}

bool MeasureCatalog::IsListIndicator(std::string_view indicator) {
  for (std::string_view l : ListIndicators()) {
    if (l == indicator) return true;
  }
  return false;
}

const Scenario* MeasureCatalog::FindScenario(std::string_view code) const {
  auto it = scenario_index_.find(code);
  return it == scenario_index_.end() ? nullptr : &scenarios_[it->second];
}

const std::vector<const Measure*>& MeasureCatalog::ForScenario(std::string_view scenario) const {
  static const std::vector<const Measure*> kNone;
  auto it = scenario_index_.find(scenario);
  return it == scenario_index_.end() ? kNone : by_scenario_[it->second];
}

// ---- Names -----------------------------------------------------------------------------------

namespace {
template <typename E, size_t N>
std::string_view NameOf(const std::array<NameRow<E>, N>& rows, E value) {
  const NameRow<E>* row = RowOf(rows, value);
  return row == nullptr ? "unknown" : row->name;
}
template <typename E, size_t N>
std::string_view LabelOf(const std::array<NameRow<E>, N>& rows, E value) {
  const NameRow<E>* row = RowOf(rows, value);
  return row == nullptr ? "未知" : row->label;
}
}  // namespace

std::string_view MeasureKindName(MeasureKind k) { return NameOf(kKinds, k); }
std::string_view MeasureKindLabel(MeasureKind k) { return LabelOf(kKinds, k); }
std::string_view MeasureCategoryName(MeasureCategory c) { return NameOf(kCategories, c); }
std::string_view MeasureCategoryLabel(MeasureCategory c) { return LabelOf(kCategories, c); }
std::string_view TargetName(Target t) { return NameOf(kTargets, t); }
std::string_view TargetLabel(Target t) { return LabelOf(kTargets, t); }
std::string_view TriggerTypeName(TriggerType t) { return NameOf(kTriggerTypes, t); }
std::string_view TriggerTypeLabel(TriggerType t) { return LabelOf(kTriggerTypes, t); }

std::optional<MeasureKind> ParseMeasureKind(std::string_view name) {
  return ValueNamed(kKinds, name);
}
std::optional<MeasureCategory> ParseMeasureCategory(std::string_view name) {
  return ValueNamed(kCategories, name);
}
std::optional<Target> ParseTarget(std::string_view name) { return ValueNamed(kTargets, name); }
std::optional<TriggerType> ParseTriggerType(std::string_view name) {
  return ValueNamed(kTriggerTypes, name);
}

}  // namespace xinyong::rules
