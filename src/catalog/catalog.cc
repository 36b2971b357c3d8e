#include "catalog/catalog.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <set>
#include <sstream>
#include <system_error>
#include <toml.hpp>
#include <unordered_map>

namespace xinyong::catalog {

namespace {

// The categories of the national base catalog (全国公共信用信息基础目录, FACTS §6). The set is
// closed on purpose: it is fixed by policy, not by operators, and speech or opinion belongs to
// none of them (DESIGN "Rule of law", 8), so an indicator about either cannot load.
constexpr std::array<std::string_view, 11> kCategories{
    "登记注册基本信息", "司法裁判及执行信息", "行政管理信息",   "职业资格",
    "经营异常名录",     "严重失信主体名单",   "合同履行",       "信用承诺及履行",
    "信用评价结果",     "诚信荣誉",           "自愿提供的信息",
};

constexpr int kMaxMonths = 1200;
constexpr int kMaxYears = 100;
constexpr int64_t kMaxFieldLength = 1'000'000;

// Where each part of one indicator was written, so that a rule checked after parsing can point at
// the offending line. For indicators built in code only `indicator` is known, and every lookup
// falls back to it.
struct SourceLines {
  int indicator = 1;                // line of `code`
  std::map<std::string, int> keys;  // top-level key -> line of its value
  std::vector<int> fields;          // line of each [[field]] header
  std::vector<std::map<std::string, int>> field_keys;
  std::map<std::string, int> derivation;  // keys of [derived_from]
  std::vector<int> serious_when;          // line of each [[serious_when]] header
  int SeriousWhen(size_t i) const { return i < serious_when.size() ? serious_when[i] : indicator; }

  int Key(const std::string& key) const {
    auto it = keys.find(key);
    return it == keys.end() ? indicator : it->second;
  }
  int Field(size_t i) const { return i < fields.size() ? fields[i] : indicator; }
  int FieldKey(size_t i, const std::string& key) const {
    if (i < field_keys.size()) {
      auto it = field_keys[i].find(key);
      if (it != field_keys[i].end()) return it->second;
    }
    return Field(i);
  }
};

Status Error(const std::string& file, int line, const std::string& message) {
  return Status::InvalidArgument(file + ":" + std::to_string(line) + ": " + message);
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

bool IsBlank(std::string_view s) { return NormalizeFieldName(s).empty(); }

bool IsIndicatorCode(std::string_view s) {
  if (s.empty() || s[0] < 'a' || s[0] > 'z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool IsFieldCode(std::string_view s) {
  if (s.empty() || s[0] < 'A' || s[0] > 'Z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// The type a field must have when it plays a role: an ID number typed as plain text would be
// stored in plaintext, a decision date that is not a date would break every clock.
std::optional<FieldType> TypeRequiredByRole(FieldRole role) {
  switch (role) {
    case FieldRole::kSubjectUscc:
      return FieldType::kUscc;
    case FieldRole::kIndustry:
      return FieldType::kIndustryCode;
    case FieldRole::kSubjectRegNumber:
      return FieldType::kRegNumber;
    case FieldRole::kSubjectOrgCode:
      return FieldType::kOrgCode;
    case FieldRole::kSubjectTaxNumber:
      return FieldType::kTaxNumber;
    case FieldRole::kSubjectIdNumber:
    case FieldRole::kLegalRepIdNumber:
    case FieldRole::kResponsiblePersonIdNumber:
      return FieldType::kIdNumber;
    case FieldRole::kDecisionDate:
    case FieldRole::kReportDate:
    case FieldRole::kListEnd:
    case FieldRole::kFulfilmentDate:
    case FieldRole::kDeadline:
      return FieldType::kDate;
    case FieldRole::kSubjectCategory:
    case FieldRole::kProcedure:
    case FieldRole::kFulfilmentStatus:
    case FieldRole::kPublicityType:
    case FieldRole::kFalseCommitment:
      return FieldType::kEnum;
    default:
      return std::nullopt;
  }
}

// ---- Reading TOML values -------------------------------------------------------------------

int LineOf(const toml::value& v) { return static_cast<int>(v.location().line()); }

// Reads typed keys out of one TOML table, recording the line of every key it sees.
class TableReader {
 public:
  TableReader(const std::string& file, const toml::table& table, int table_line, std::string what,
              std::map<std::string, int>* lines)
      : file_(file), table_(table), table_line_(table_line), what_(std::move(what)), lines_(lines) {
    for (const auto& [key, value] : table_) (*lines_)[key] = LineOf(value);
  }

  // Rejects keys outside `allowed`; a misspelt `required` must not silently make a field optional.
  Status CheckKeys(std::initializer_list<std::string_view> allowed) const {
    std::vector<std::pair<int, std::string>> unknown;
    for (const auto& [key, value] : table_) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        unknown.emplace_back(LineOf(value), key);
      }
    }
    if (unknown.empty()) return Status::Ok();
    const auto& [line, key] = *std::min_element(unknown.begin(), unknown.end());
    return Error(file_, line, "unknown key " + Quote(key) + " in " + what_);
  }

  const toml::value* Find(const std::string& key) const {
    auto it = table_.find(key);
    return it == table_.end() ? nullptr : &it->second;
  }

  Status String(const std::string& key, std::string* out) const {
    const toml::value* v = Find(key);
    if (v == nullptr) return Status::Ok();
    if (!v->is_string()) return TypeError(*v, key, "a string");
    *out = v->as_string().str;
    return Status::Ok();
  }

  Status RequiredString(const std::string& key, std::string* out) const {
    if (Find(key) == nullptr) {
      return Error(file_, table_line_, what_ + " has no " + Quote(key));
    }
    return String(key, out);
  }

  Status StringArray(const std::string& key, std::vector<std::string>* out) const {
    const toml::value* v = Find(key);
    if (v == nullptr) return Status::Ok();
    if (!v->is_array()) return TypeError(*v, key, "an array of strings");
    out->clear();
    for (const toml::value& e : v->as_array()) {
      if (!e.is_string()) return TypeError(e, key, "an array of strings");
      out->push_back(e.as_string().str);
    }
    return Status::Ok();
  }

  Status Int(const std::string& key, int64_t lo, int64_t hi, int64_t* out) const {
    const toml::value* v = Find(key);
    if (v == nullptr) return Status::Ok();
    if (!v->is_integer()) return TypeError(*v, key, "an integer");
    const int64_t n = v->as_integer();
    if (n < lo || n > hi) {
      return Error(file_, LineOf(*v),
                   Quote(key) + " of " + what_ + " must be between " + std::to_string(lo) +
                       " and " + std::to_string(hi) + ", not " + std::to_string(n));
    }
    *out = n;
    return Status::Ok();
  }

  // An integer or a float, at least 0.
  Status NonNegativeNumber(const std::string& key, std::optional<double>* out) const {
    const toml::value* v = Find(key);
    if (v == nullptr) return Status::Ok();
    double d = 0;
    if (v->is_integer()) {
      d = static_cast<double>(v->as_integer());
    } else if (v->is_floating()) {
      d = v->as_floating();
    } else {
      return TypeError(*v, key, "a number");
    }
    if (!(d >= 0) || d > 1e15) {
      return Error(file_, LineOf(*v), Quote(key) + " of " + what_ + " must be between 0 and 1e15");
    }
    *out = d;
    return Status::Ok();
  }

  Status Bool(const std::string& key, bool* out) const {
    const toml::value* v = Find(key);
    if (v == nullptr) return Status::Ok();
    if (!v->is_boolean()) return TypeError(*v, key, "true or false");
    *out = v->as_boolean();
    return Status::Ok();
  }

  // Reads an enum written as its English name through `parse`.
  template <typename E, typename ParseFn>
  Status Enum(const std::string& key, ParseFn parse, std::string_view choices, E* out,
              bool required) const {
    const toml::value* v = Find(key);
    if (v == nullptr) {
      if (!required) return Status::Ok();
      return Error(file_, table_line_,
                   what_ + " has no " + Quote(key) + " (one of " + std::string(choices) + ")");
    }
    if (!v->is_string()) return TypeError(*v, key, "a string");
    const std::string& name = v->as_string().str;
    std::optional<E> e = parse(name);
    if (!e) {
      return Error(file_, LineOf(*v),
                   "unknown " + key + " " + Quote(name) + " in " + what_ + " (expected one of " +
                       std::string(choices) + ")");
    }
    *out = *e;
    return Status::Ok();
  }

 private:
  Status TypeError(const toml::value& v, const std::string& key, std::string_view expected) const {
    return Error(file_, LineOf(v),
                 Quote(key) + " of " + what_ + " must be " + std::string(expected));
  }

  const std::string& file_;
  const toml::table& table_;
  int table_line_;
  std::string what_;
  std::map<std::string, int>* lines_;
};

constexpr std::string_view kDisclosureChoices = "public, gov_shared, authorized";
constexpr std::string_view kNatureChoices = "positive, neutral, negative";
constexpr std::string_view kSeverityChoices = "none, minor, general, serious";
constexpr std::string_view kFieldTypeChoices =
    "string, text, date, money, integer, enum, uscc, org_code, reg_number, tax_number, "
    "id_number, code, commitment_code, industry_code";
constexpr std::string_view kFieldRoleChoices =
    "subject_name, subject_category, subject_uscc, subject_reg_number, subject_org_code, "
    "subject_tax_number, subject_inst_cert, subject_social_org_cert, subject_id_type, "
    "subject_id_number, decision_date, document_number, procedure, legal_rep_id_number, "
    "report_date, subject_status, list_end, fulfilment_status, fulfilment_date, publicity_type, "
    "deadline, responsible_person_id_number, industry, false_commitment, none";
constexpr std::string_view kSubjectTypeChoices =
    "legal_person, individual_business, other_organization, natural_person";

std::optional<SubjectType> ParseSubjectTypeName(std::string_view name) {
  for (SubjectType t : {SubjectType::kLegalPerson, SubjectType::kIndividualBusiness,
                        SubjectType::kOtherOrganization, SubjectType::kNaturalPerson}) {
    if (name == SubjectTypeName(t)) return t;
  }
  return std::nullopt;
}

Status ParseField(const std::string& file, const toml::value& value, const std::string& owner,
                  Field* field, SourceLines* lines) {
  const int line = LineOf(value);
  lines->fields.push_back(line);
  lines->field_keys.emplace_back();
  if (!value.is_table()) {
    return Error(file, line, "each 'field' of indicator " + Quote(owner) + " must be a table");
  }
  const std::string what_prefix = "a field of indicator " + Quote(owner);
  // The field's own code names it in later messages, once known.
  std::string code;
  {
    const toml::table& t = value.as_table();
    auto it = t.find("code");
    if (it != t.end() && it->second.is_string()) code = it->second.as_string().str;
  }
  const std::string what =
      code.empty() ? what_prefix : "field " + Quote(code) + " of indicator " + Quote(owner);
  TableReader r(file, value.as_table(), line, what, &lines->field_keys.back());
  XY_RETURN_IF_ERROR(r.CheckKeys(
      {"code", "label", "aliases", "type", "role", "required", "max_length", "values",
       "public_values", "from"}));
  XY_RETURN_IF_ERROR(r.RequiredString("code", &field->code));
  XY_RETURN_IF_ERROR(r.RequiredString("label", &field->label));
  XY_RETURN_IF_ERROR(r.StringArray("aliases", &field->aliases));
  XY_RETURN_IF_ERROR(
      r.Enum<FieldType>("type", ParseFieldType, kFieldTypeChoices, &field->type, false));
  XY_RETURN_IF_ERROR(
      r.Enum<FieldRole>("role", ParseFieldRole, kFieldRoleChoices, &field->role, false));
  XY_RETURN_IF_ERROR(r.Bool("required", &field->required));
  int64_t max_length = 0;
  XY_RETURN_IF_ERROR(r.Int("max_length", 0, kMaxFieldLength, &max_length));
  field->max_length = static_cast<uint32_t>(max_length);
  XY_RETURN_IF_ERROR(r.StringArray("values", &field->enum_values));
  XY_RETURN_IF_ERROR(r.StringArray("public_values", &field->public_values));
  XY_RETURN_IF_ERROR(r.String("from", &field->from));
  return Status::Ok();
}

// [derived_from] indicator = "...", when_field = "...", when_values = [...]
Status ParseDerivation(const std::string& file, const toml::value& value, const std::string& what,
                       Derivation* d, SourceLines* lines) {
  const int line = LineOf(value);
  if (!value.is_table()) {
    return Error(file, line, "'derived_from' of " + what + " must be a table ([derived_from])");
  }
  TableReader r(file, value.as_table(), line, "[derived_from] of " + what, &lines->derivation);
  XY_RETURN_IF_ERROR(r.CheckKeys({"indicator", "when_field", "when_values"}));
  XY_RETURN_IF_ERROR(r.RequiredString("indicator", &d->source));
  XY_RETURN_IF_ERROR(r.RequiredString("when_field", &d->when_field));
  XY_RETURN_IF_ERROR(r.StringArray("when_values", &d->when_values));
  if (d->when_values.empty()) {
    return Error(file, line, "[derived_from] of " + what + " has no 'when_values'");
  }
  return Status::Ok();
}

// [[serious_when]] field = "...", contains_any = [...] or at_least = N, legal_basis = "..."
Status ParseSeriousWhen(const std::string& file, const toml::value& value, const std::string& what,
                        SeriousWhen* rule, SourceLines* lines) {
  const int line = LineOf(value);
  lines->serious_when.push_back(line);
  if (!value.is_table()) {
    return Error(file, line, "'serious_when' of " + what + " must be written [[serious_when]]");
  }
  std::map<std::string, int> keys;
  TableReader r(file, value.as_table(), line, "[[serious_when]] of " + what, &keys);
  XY_RETURN_IF_ERROR(r.CheckKeys({"field", "contains_any", "at_least", "legal_basis"}));
  XY_RETURN_IF_ERROR(r.RequiredString("field", &rule->field));
  XY_RETURN_IF_ERROR(r.StringArray("contains_any", &rule->contains_any));
  XY_RETURN_IF_ERROR(r.NonNegativeNumber("at_least", &rule->at_least));
  XY_RETURN_IF_ERROR(r.String("legal_basis", &rule->legal_basis));
  return Status::Ok();
}

Status ParseTable(const std::string& file, const toml::value& root, Indicator* ind,
                  SourceLines* lines) {
  const toml::table& t = root.as_table();
  if (auto it = t.find("code"); it != t.end()) lines->indicator = LineOf(it->second);
  {
    auto it = t.find("code");
    if (it != t.end() && it->second.is_string()) ind->code = it->second.as_string().str;
  }
  const std::string what = ind->code.empty() ? "the indicator" : "indicator " + Quote(ind->code);
  TableReader r(file, t, lines->indicator, what, &lines->keys);
  XY_RETURN_IF_ERROR(r.CheckKeys({"code", "name", "category", "source_departments", "subject_types",
                                  "disclosure", "nature", "severity", "publicity_min_months",
                                  "publicity_max_months", "retention_years", "legal_basis",
                                  "natural_key", "shuanggongshi", "publish_id_number",
                                  "derived_from", "serious_when", "field"}));
  XY_RETURN_IF_ERROR(r.RequiredString("code", &ind->code));
  XY_RETURN_IF_ERROR(r.String("name", &ind->name));
  XY_RETURN_IF_ERROR(r.String("category", &ind->category));
  XY_RETURN_IF_ERROR(r.StringArray("source_departments", &ind->source_departments));

  std::vector<std::string> subject_types;
  XY_RETURN_IF_ERROR(r.StringArray("subject_types", &subject_types));
  for (const std::string& name : subject_types) {
    std::optional<SubjectType> st = ParseSubjectTypeName(name);
    if (!st) {
      return Error(file, lines->Key("subject_types"),
                   "unknown subject type " + Quote(name) + " in " + what + " (expected one of " +
                       std::string(kSubjectTypeChoices) + ")");
    }
    ind->subject_types.push_back(*st);
  }

  XY_RETURN_IF_ERROR(r.Enum<Disclosure>("disclosure", ParseDisclosure, kDisclosureChoices,
                                        &ind->disclosure, true));
  XY_RETURN_IF_ERROR(r.Enum<Nature>("nature", ParseNature, kNatureChoices, &ind->nature, true));
  XY_RETURN_IF_ERROR(
      r.Enum<Severity>("severity", ParseSeverity, kSeverityChoices, &ind->severity, false));
  int64_t n = 0;
  XY_RETURN_IF_ERROR(r.Int("publicity_min_months", 0, kMaxMonths, &n));
  ind->publicity_min_months = static_cast<int>(n);
  n = 0;
  XY_RETURN_IF_ERROR(r.Int("publicity_max_months", 0, kMaxMonths, &n));
  ind->publicity_max_months = static_cast<int>(n);
  n = 0;
  XY_RETURN_IF_ERROR(r.Int("retention_years", 0, kMaxYears, &n));
  ind->retention_years = static_cast<int>(n);
  XY_RETURN_IF_ERROR(r.String("legal_basis", &ind->legal_basis));
  XY_RETURN_IF_ERROR(r.StringArray("natural_key", &ind->natural_key));
  XY_RETURN_IF_ERROR(r.Bool("shuanggongshi", &ind->shuanggongshi));
  XY_RETURN_IF_ERROR(r.Bool("publish_id_number", &ind->publish_id_number));
  if (const toml::value* d = r.Find("derived_from")) {
    ind->derived_from.emplace();
    XY_RETURN_IF_ERROR(ParseDerivation(file, *d, what, &*ind->derived_from, lines));
  }

  if (const toml::value* rules = r.Find("serious_when")) {
    if (!rules->is_array()) {
      return Error(file, LineOf(*rules),
                   "'serious_when' of " + what + " must be written [[serious_when]]");
    }
    for (const toml::value& rv : rules->as_array()) {
      SeriousWhen rule;
      XY_RETURN_IF_ERROR(ParseSeriousWhen(file, rv, what, &rule, lines));
      ind->serious_when.push_back(std::move(rule));
    }
  }

  if (const toml::value* fields = r.Find("field")) {
    if (!fields->is_array()) {
      return Error(file, LineOf(*fields), "'field' of " + what + " must be written [[field]]");
    }
    for (const toml::value& fv : fields->as_array()) {
      Field field;
      XY_RETURN_IF_ERROR(ParseField(file, fv, ind->code, &field, lines));
      ind->fields.push_back(std::move(field));
    }
  }
  return Status::Ok();
}

// ---- Rules ---------------------------------------------------------------------------------

Status ValidateField(const std::string& file, const Indicator& ind, size_t i,
                     const SourceLines& lines) {
  const Field& f = ind.fields[i];
  const std::string what = "field " + Quote(f.code) + " of indicator " + Quote(ind.code);
  if (!IsFieldCode(f.code)) {
    return Error(file, lines.FieldKey(i, "code"),
                 "field code " + Quote(f.code) + " of indicator " + Quote(ind.code) +
                     " must be upper-case letters, digits and '_', starting with a letter");
  }
  if (IsBlank(f.label)) {
    return Error(file, lines.FieldKey(i, "label"), what + " has an empty label");
  }
  for (const std::string& alias : f.aliases) {
    if (IsBlank(alias))
      return Error(file, lines.FieldKey(i, "aliases"), what + " has an empty alias");
  }
  if (f.type == FieldType::kEnum) {
    if (f.enum_values.empty()) {
      return Error(file, lines.FieldKey(i, "type"),
                   "enum " + what + " has no 'values'; an enum must list what it accepts");
    }
    std::set<std::string> seen;
    for (const std::string& v : f.enum_values) {
      if (IsBlank(v)) return Error(file, lines.FieldKey(i, "values"), what + " has an empty value");
      if (!seen.insert(v).second) {
        return Error(file, lines.FieldKey(i, "values"),
                     what + " lists value " + Quote(v) + " twice");
      }
    }
  } else if (!f.enum_values.empty()) {
    return Error(file, lines.FieldKey(i, "values"),
                 what + " has 'values' but is of type " + Quote(FieldTypeName(f.type)) +
                     "; only enum fields take values");
  }
  if (std::optional<FieldType> t = TypeRequiredByRole(f.role); t && *t != f.type) {
    return Error(file, lines.FieldKey(i, "type"),
                 what + " has role " + Quote(FieldRoleName(f.role)) + ", which needs type " +
                     Quote(FieldTypeName(*t)) + ", not " + Quote(FieldTypeName(f.type)));
  }
  if (f.role == FieldRole::kPublicityType) {
    if (f.public_values.empty()) {
      return Error(file, lines.Field(i),
                   what + " has role 'publicity_type' but no 'public_values' (the values that "
                          "make a record public)");
    }
    for (const std::string& v : f.public_values) {
      if (std::find(f.enum_values.begin(), f.enum_values.end(), v) == f.enum_values.end()) {
        return Error(file, lines.FieldKey(i, "public_values"),
                     what + " lists public value " + Quote(v) + ", which is not one of its values");
      }
    }
  } else if (!f.public_values.empty()) {
    return Error(file, lines.FieldKey(i, "public_values"),
                 what + " has 'public_values' but not role 'publicity_type'");
  }
  if (!f.from.empty() && !ind.derived_from) {
    return Error(file, lines.FieldKey(i, "from"),
                 what + " has 'from' but the indicator has no [derived_from]");
  }
  if (ind.derived_from && f.required && f.from.empty()) {
    return Error(file, lines.Field(i),
                 what + " is required but has no 'from'; a derived record takes every value from "
                        "its source");
  }
  return Status::Ok();
}

// Returns the field playing `role`, or nullptr; roles are unique (checked before this is used).
const Field* FieldWithRole(const Indicator& ind, FieldRole role) {
  int i = ind.FieldIndexByRole(role);
  return i < 0 ? nullptr : &ind.fields[static_cast<size_t>(i)];
}

Status RequireRole(const std::string& file, int line, const Indicator& ind, FieldRole role,
                   std::string_view why) {
  const Field* f = FieldWithRole(ind, role);
  if (f == nullptr || !f->required) {
    return Error(file, line,
                 "indicator " + Quote(ind.code) + " needs a required field with role " +
                     Quote(FieldRoleName(role)) + ": " + std::string(why));
  }
  return Status::Ok();
}

// A [[serious_when]] rule: a field of the indicator, one test that suits the field's type, a legal
// basis, and an indicator that is negative and not serious already.
Status ValidateSeriousWhen(const std::string& file, const Indicator& ind, size_t i,
                           const SourceLines& lines) {
  const SeriousWhen& rule = ind.serious_when[i];
  const int line = lines.SeriousWhen(i);
  const std::string what = "[[serious_when]] of indicator " + Quote(ind.code);
  if (ind.nature != Nature::kNegative || ind.severity == Severity::kSerious) {
    return Error(file, line,
                 what + " can only raise the records of a negative indicator that is not serious "
                        "already to serious");
  }
  if (IsBlank(rule.legal_basis)) {
    return Error(file, line, what + " has no legal_basis; no record may count as serious without one");
  }
  const Field* field = nullptr;
  for (const Field& f : ind.fields) {
    if (f.code == rule.field) field = &f;
  }
  if (field == nullptr) {
    return Error(file, line, what + " names field " + Quote(rule.field) + ", which is no field code");
  }
  const bool text = field->type == FieldType::kString || field->type == FieldType::kText ||
                    field->type == FieldType::kEnum;
  const bool amount = field->type == FieldType::kMoney || field->type == FieldType::kInteger;
  if (rule.contains_any.empty() == !rule.at_least.has_value()) {
    return Error(file, line, what + " needs exactly one of 'contains_any' and 'at_least'");
  }
  if (!rule.contains_any.empty() && !text) {
    return Error(file, line,
                 what + " has 'contains_any' but field " + Quote(field->code) + " is of type " +
                     Quote(FieldTypeName(field->type)) + "; only string, text and enum fields");
  }
  if (rule.at_least && !amount) {
    return Error(file, line,
                 what + " has 'at_least' but field " + Quote(field->code) + " is of type " +
                     Quote(FieldTypeName(field->type)) + "; only money and integer fields");
  }
  for (const std::string& v : rule.contains_any) {
    if (IsBlank(v)) return Error(file, line, what + " has an empty value in 'contains_any'");
  }
  return Status::Ok();
}

Status Validate(const Indicator& ind, const SourceLines& lines) {
  const std::string& file = ind.source_file;
  const std::string what = "indicator " + Quote(ind.code);
  if (!IsIndicatorCode(ind.code)) {
    return Error(file, lines.Key("code"),
                 "indicator code " + Quote(ind.code) +
                     " must be lower-case letters, digits and '_', starting with a letter");
  }
  if (IsBlank(ind.legal_basis)) {
    return Error(file, lines.Key("legal_basis"),
                 what + " has no legal_basis; nothing may be collected without one");
  }
  if (IsBlank(ind.name)) return Error(file, lines.Key("name"), what + " has no name");
  if (IsBlank(ind.category)) return Error(file, lines.Key("category"), what + " has no category");
  if (std::find(kCategories.begin(), kCategories.end(), ind.category) == kCategories.end()) {
    std::string list;
    for (std::string_view c : kCategories) list += (list.empty() ? "" : ", ") + std::string(c);
    return Error(file, lines.Key("category"),
                 what + " has category " + Quote(ind.category) +
                     ", which is not a category of the public credit catalog (" + list + ")");
  }
  if (ind.source_departments.empty()) {
    return Error(file, lines.Key("source_departments"), what + " names no source department");
  }
  for (const std::string& d : ind.source_departments) {
    if (IsBlank(d))
      return Error(file, lines.Key("source_departments"), what + " has an empty source department");
  }
  if (ind.subject_types.empty()) {
    return Error(file, lines.Key("subject_types"), what + " names no subject type");
  }
  for (size_t i = 0; i < ind.subject_types.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (ind.subject_types[i] == ind.subject_types[j]) {
        return Error(file, lines.Key("subject_types"),
                     what + " lists subject type " + Quote(SubjectTypeName(ind.subject_types[i])) +
                         " twice");
      }
    }
  }
  if (ind.nature == Nature::kNegative && ind.severity == Severity::kNone) {
    return Error(file, lines.Key("nature"),
                 "negative " + what + " has no severity (minor, general or serious)");
  }
  if (ind.nature != Nature::kNegative && ind.severity != Severity::kNone) {
    return Error(file, lines.Key("severity"),
                 what + " is " + std::string(NatureName(ind.nature)) + " but has severity " +
                     Quote(SeverityName(ind.severity)) + "; only negative information has one");
  }
  if (ind.publicity_min_months < 0 || ind.publicity_max_months < 0 || ind.retention_years < 0) {
    return Error(file, lines.indicator, what + " has a negative period");
  }
  if (ind.publicity_max_months > 0 && ind.publicity_min_months > ind.publicity_max_months) {
    return Error(file, lines.Key("publicity_min_months"),
                 what + " has publicity_min_months " + std::to_string(ind.publicity_min_months) +
                     " greater than publicity_max_months " +
                     std::to_string(ind.publicity_max_months));
  }
  if (ind.fields.empty()) return Error(file, lines.indicator, what + " has no [[field]]");

  std::map<std::string, size_t> codes;  // field code -> index
  std::map<std::string, size_t> names;  // normalized code, label or alias -> index
  std::map<FieldRole, size_t> roles;
  for (size_t i = 0; i < ind.fields.size(); ++i) {
    const Field& f = ind.fields[i];
    if (auto [it, fresh] = codes.emplace(f.code, i); !fresh) {
      return Error(file, lines.FieldKey(i, "code"),
                   what + " has two fields with code " + Quote(f.code) + " (first at line " +
                       std::to_string(lines.FieldKey(it->second, "code")) + ")");
    }
    XY_RETURN_IF_ERROR(ValidateField(file, ind, i, lines));
    std::vector<std::string> spellings{f.code, f.label};
    spellings.insert(spellings.end(), f.aliases.begin(), f.aliases.end());
    for (const std::string& s : spellings) {
      auto [it, fresh] = names.emplace(NormalizeFieldName(s), i);
      if (!fresh && it->second != i) {
        return Error(file, lines.Field(i),
                     "field " + Quote(f.code) + " of " + what + " is also called " + Quote(s) +
                         ", which already names field " + Quote(ind.fields[it->second].code) +
                         "; a header cell must name one field");
      }
    }
    if (f.role != FieldRole::kNone) {
      if (auto [it, fresh] = roles.emplace(f.role, i); !fresh) {
        return Error(file, lines.FieldKey(i, "role"),
                     "fields " + Quote(ind.fields[it->second].code) + " and " + Quote(f.code) +
                         " of " + what + " both have role " + Quote(FieldRoleName(f.role)));
      }
    }
  }
  if (FieldWithRole(ind, FieldRole::kSubjectName) == nullptr) {
    return Error(file, lines.indicator,
                 what + " has no field with role 'subject_name'; a record must name its subject");
  }

  if (ind.natural_key.empty()) {
    return Error(file, lines.Key("natural_key"),
                 what + " has no natural_key; duplicates could not be recognized");
  }
  std::set<std::string> key_seen;
  for (const std::string& k : ind.natural_key) {
    auto it = codes.find(k);
    if (it == codes.end()) {
      return Error(file, lines.Key("natural_key"),
                   "natural_key of " + what + " names " + Quote(k) + ", which is no field");
    }
    if (!key_seen.insert(k).second) {
      return Error(file, lines.Key("natural_key"),
                   "natural_key of " + what + " names " + Quote(k) + " twice");
    }
    if (!ind.fields[it->second].required) {
      return Error(file, lines.Key("natural_key"),
                   "natural_key of " + what + " names " + Quote(k) +
                       ", which is not required; every record needs its key");
    }
  }

  for (size_t i = 0; i < ind.serious_when.size(); ++i) {
    XY_RETURN_IF_ERROR(ValidateSeriousWhen(file, ind, i, lines));
  }

  if (ind.nature == Nature::kNegative) {
    XY_RETURN_IF_ERROR(RequireRole(file, lines.Key("nature"), ind, FieldRole::kDocumentNumber,
                                   "negative information needs a document with legal effect"));
    XY_RETURN_IF_ERROR(RequireRole(file, lines.Key("nature"), ind, FieldRole::kDecisionDate,
                                   "publicity periods run from the date of the decision"));
  }
  if (ind.shuanggongshi) {
    XY_RETURN_IF_ERROR(RequireRole(file, lines.Key("shuanggongshi"), ind, FieldRole::kDecisionDate,
                                   "双公示 must arrive within 7 working days of the decision"));
    XY_RETURN_IF_ERROR(RequireRole(file, lines.Key("shuanggongshi"), ind,
                                   FieldRole::kDocumentNumber,
                                   "a 双公示 decision is identified by its document number"));
  }
  const bool natural_persons = std::find(ind.subject_types.begin(), ind.subject_types.end(),
                                         SubjectType::kNaturalPerson) != ind.subject_types.end();
  if (natural_persons && FieldWithRole(ind, FieldRole::kSubjectIdNumber) == nullptr) {
    return Error(file, lines.Key("subject_types"),
                 what +
                     " covers natural persons but has no field with role "
                     "'subject_id_number' to identify them");
  }
  if (ind.publish_id_number) {
    if (ind.disclosure != Disclosure::kPublic || !natural_persons) {
      return Error(file, lines.Key("publish_id_number"),
                   what +
                       " sets publish_id_number but is not a public indicator about "
                       "natural persons");
    }
  }
  return Status::Ok();
}

Status ValidateBuilt(const Indicator& ind) {
  SourceLines lines;
  lines.indicator = ind.source_line > 0 ? ind.source_line : 1;
  return Validate(ind, lines);
}

// The rules between a derived indicator and its source (see Derivation), checked once every
// indicator is known.
Status ValidateDerivation(const Indicator& ind, const std::vector<Indicator>& all) {
  const Derivation& d = *ind.derived_from;
  const std::string& file = ind.source_file;
  const int line = ind.source_line > 0 ? ind.source_line : 1;
  const std::string what = "indicator " + Quote(ind.code);
  const Indicator* src = nullptr;
  for (const Indicator& i : all) {
    if (i.code == d.source) src = &i;
    if (&i != &ind && i.derived_from && i.derived_from->source == d.source) {
      return Error(file, line,
                   what + " and " + Quote(i.code) + " are both derived from " + Quote(d.source) +
                       "; an indicator has at most one derived indicator");
    }
  }
  if (src == nullptr || src == &ind) {
    return Error(file, line,
                 what + " is derived from " + Quote(d.source) + ", which is no other indicator");
  }
  if (src->derived_from) {
    return Error(file, line,
                 what + " is derived from " + Quote(d.source) + ", which is derived itself");
  }
  const int when = src->FieldIndex(d.when_field);
  if (when < 0 || src->fields[static_cast<size_t>(when)].code != d.when_field) {
    return Error(file, line,
                 "[derived_from] of " + what + " names when_field " + Quote(d.when_field) +
                     ", which is no field code of " + Quote(d.source));
  }
  const Field& wf = src->fields[static_cast<size_t>(when)];
  for (const std::string& v : d.when_values) {
    if (wf.type == FieldType::kEnum &&
        std::find(wf.enum_values.begin(), wf.enum_values.end(), v) == wf.enum_values.end()) {
      return Error(file, line,
                   "[derived_from] of " + what + " lists " + Quote(v) + ", which is not a value of " +
                       Quote(d.source) + "." + wf.code);
    }
  }
  for (SubjectType t : src->subject_types) {
    if (std::find(ind.subject_types.begin(), ind.subject_types.end(), t) ==
        ind.subject_types.end()) {
      return Error(file, line,
                   what + " does not cover subject type " + Quote(SubjectTypeName(t)) + " of " +
                       Quote(d.source) + "; every record of the source must be able to derive");
    }
  }
  for (const Field& f : ind.fields) {
    if (f.from.empty()) continue;
    const int si = src->FieldIndex(f.from);
    if (si < 0 || src->fields[static_cast<size_t>(si)].code != f.from) {
      return Error(file, line,
                   "field " + Quote(f.code) + " of " + what + " is from " + Quote(f.from) +
                       ", which is no field code of " + Quote(d.source));
    }
    const Field& sf = src->fields[static_cast<size_t>(si)];
    const bool text = (sf.type == FieldType::kString || sf.type == FieldType::kText) &&
                      (f.type == FieldType::kString || f.type == FieldType::kText);
    if (sf.type != f.type && !text) {
      return Error(file, line,
                   "field " + Quote(f.code) + " of " + what + " is of type " +
                       Quote(FieldTypeName(f.type)) + " but its source " + Quote(f.from) +
                       " is of type " + Quote(FieldTypeName(sf.type)));
    }
  }
  return Status::Ok();
}

// "[error] toml::parse_key_value_pair: missing value ..." (first line) -> "missing value ...".
std::string SyntaxSummary(const std::string& what) {
  std::string first = what.substr(0, what.find('\n'));
  if (first.starts_with("[error] ")) first.erase(0, 8);
  if (auto colon = first.find(": "); first.starts_with("toml::") && colon != std::string::npos) {
    first.erase(0, colon + 2);
  }
  return first;
}

}  // namespace

Result<Indicator> Catalog::ParseIndicator(std::string_view toml_text,
                                          const std::string& source_name) {
  Indicator ind;
  ind.source_file = source_name;
  SourceLines lines;
  try {
    std::istringstream in{std::string(toml_text)};
    const toml::value root = toml::parse(in, source_name);
    XY_RETURN_IF_ERROR(ParseTable(source_name, root, &ind, &lines));
  } catch (const toml::exception& e) {
    return Error(source_name, static_cast<int>(e.location().line()),
                 "not valid TOML: " + SyntaxSummary(e.what()));
  } catch (const std::exception& e) {
    return Error(source_name, 1, std::string("not valid TOML: ") + e.what());
  }
  ind.source_line = lines.indicator;
  XY_RETURN_IF_ERROR(Validate(ind, lines));
  return ind;
}

Result<std::unique_ptr<Catalog>> Catalog::LoadDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::NotFound("catalog directory '" + dir + "' does not exist");
  }
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".toml" && it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec)
    return Status::Unavailable("cannot list catalog directory '" + dir + "': " + ec.message());
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    return Status::InvalidArgument("catalog directory '" + dir +
                                   "' holds no *.toml file; an empty catalog admits nothing");
  }
  std::vector<Indicator> indicators;
  for (const fs::path& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in.good() && !in.eof()) {
      return Status::Unavailable("cannot read catalog file '" + path.string() + "'");
    }
    XY_ASSIGN_OR_RETURN(Indicator ind, ParseIndicator(text.str(), path.string()));
    indicators.push_back(std::move(ind));
  }
  return FromIndicators(std::move(indicators));
}

Result<std::unique_ptr<Catalog>> Catalog::FromIndicators(std::vector<Indicator> indicators) {
  std::unordered_map<std::string, size_t> seen;
  for (size_t i = 0; i < indicators.size(); ++i) {
    const Indicator& ind = indicators[i];
    XY_RETURN_IF_ERROR(ValidateBuilt(ind));
    if (auto [it, fresh] = seen.emplace(ind.code, i); !fresh) {
      const Indicator& first = indicators[it->second];
      return Error(ind.source_file, ind.source_line > 0 ? ind.source_line : 1,
                   "indicator code " + Quote(ind.code) + " is already defined at " +
                       first.source_file + ":" + std::to_string(first.source_line));
    }
  }
  for (const Indicator& ind : indicators) {
    if (ind.derived_from) XY_RETURN_IF_ERROR(ValidateDerivation(ind, indicators));
  }
  auto catalog = std::make_unique<Catalog>();
  catalog->indicators_ = std::move(indicators);
  return catalog;
}

const Indicator* Catalog::DerivedFrom(std::string_view source) const {
  for (const Indicator& ind : indicators_) {
    if (ind.derived_from && ind.derived_from->source == source) return &ind;
  }
  return nullptr;
}

const Indicator* Catalog::Find(std::string_view code) const {
  for (const Indicator& ind : indicators_) {
    if (ind.code == code) return &ind;
  }
  return nullptr;
}

const Indicator* Catalog::MatchHeader(const std::vector<std::string>& header) const {
  std::set<std::string> cells;
  for (const std::string& cell : header) {
    std::string n = NormalizeFieldName(cell);
    if (!n.empty()) cells.insert(std::move(n));
  }
  const Indicator* best = nullptr;
  size_t best_count = 0;
  bool tied = false;
  for (const Indicator& ind : indicators_) {
    size_t matched = 0;
    bool all_required = true;
    for (const Field& f : ind.fields) {
      bool present = cells.count(NormalizeFieldName(f.code)) > 0 ||
                     cells.count(NormalizeFieldName(f.label)) > 0;
      for (size_t a = 0; !present && a < f.aliases.size(); ++a) {
        present = cells.count(NormalizeFieldName(f.aliases[a])) > 0;
      }
      if (present) {
        ++matched;
      } else if (f.required) {
        all_required = false;
        break;
      }
    }
    if (!all_required || matched == 0) continue;
    if (matched > best_count) {
      best = &ind;
      best_count = matched;
      tied = false;
    } else if (matched == best_count) {
      tied = true;
    }
  }
  return tied ? nullptr : best;
}

}  // namespace xinyong::catalog
