#include "catalog/indicator.h"

#include <array>
#include <utility>

namespace xinyong::catalog {

namespace {

// Each table lists every enumerator once, in declaration order; the *Name and Parse* functions
// are both read from it so that the two directions cannot drift apart.
constexpr std::array<std::pair<Disclosure, std::string_view>, 3> kDisclosureNames{{
    {Disclosure::kPublic, "public"},
    {Disclosure::kGovShared, "gov_shared"},
    {Disclosure::kAuthorized, "authorized"},
}};

constexpr std::array<std::pair<Nature, std::string_view>, 3> kNatureNames{{
    {Nature::kPositive, "positive"},
    {Nature::kNeutral, "neutral"},
    {Nature::kNegative, "negative"},
}};

constexpr std::array<std::pair<Severity, std::string_view>, 4> kSeverityNames{{
    {Severity::kNone, "none"},
    {Severity::kMinor, "minor"},
    {Severity::kGeneral, "general"},
    {Severity::kSerious, "serious"},
}};

constexpr std::array<std::pair<FieldType, std::string_view>, 14> kFieldTypeNames{{
    {FieldType::kString, "string"},
    {FieldType::kText, "text"},
    {FieldType::kDate, "date"},
    {FieldType::kMoney, "money"},
    {FieldType::kInteger, "integer"},
    {FieldType::kEnum, "enum"},
    {FieldType::kUscc, "uscc"},
    {FieldType::kOrgCode, "org_code"},
    {FieldType::kRegNumber, "reg_number"},
    {FieldType::kTaxNumber, "tax_number"},
    {FieldType::kIdNumber, "id_number"},
    {FieldType::kCode, "code"},
    {FieldType::kCommitmentCode, "commitment_code"},
    {FieldType::kIndustryCode, "industry_code"},
}};

constexpr std::array<std::pair<FieldRole, std::string_view>, 25> kFieldRoleNames{{
    {FieldRole::kNone, "none"},
    {FieldRole::kSubjectName, "subject_name"},
    {FieldRole::kSubjectCategory, "subject_category"},
    {FieldRole::kSubjectUscc, "subject_uscc"},
    {FieldRole::kSubjectRegNumber, "subject_reg_number"},
    {FieldRole::kSubjectOrgCode, "subject_org_code"},
    {FieldRole::kSubjectTaxNumber, "subject_tax_number"},
    {FieldRole::kSubjectInstCert, "subject_inst_cert"},
    {FieldRole::kSubjectSocialOrgCert, "subject_social_org_cert"},
    {FieldRole::kSubjectIdType, "subject_id_type"},
    {FieldRole::kSubjectIdNumber, "subject_id_number"},
    {FieldRole::kDecisionDate, "decision_date"},
    {FieldRole::kDocumentNumber, "document_number"},
    {FieldRole::kProcedure, "procedure"},
    {FieldRole::kLegalRepIdNumber, "legal_rep_id_number"},
    {FieldRole::kReportDate, "report_date"},
    {FieldRole::kSubjectStatus, "subject_status"},
    {FieldRole::kListEnd, "list_end"},
    {FieldRole::kFulfilmentStatus, "fulfilment_status"},
    {FieldRole::kFulfilmentDate, "fulfilment_date"},
    {FieldRole::kPublicityType, "publicity_type"},
    {FieldRole::kDeadline, "deadline"},
    {FieldRole::kResponsiblePersonIdNumber, "responsible_person_id_number"},
    {FieldRole::kIndustry, "industry"},
    {FieldRole::kFalseCommitment, "false_commitment"},
}};

template <typename E, size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return "unknown";
}

template <typename E, size_t N>
std::optional<E> ValueOf(const std::array<std::pair<E, std::string_view>, N>& table,
                         std::string_view name) {
  for (const auto& [e, n] : table) {
    if (n == name) return e;
  }
  return std::nullopt;
}

// Length of the white space or BOM sequence starting at s[i], 0 if there is none.
size_t SkippableAt(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') return 1;
  std::string_view rest = s.substr(i);
  if (rest.starts_with("\xC2\xA0")) return 2;      // U+00A0 no-break space
  if (rest.starts_with("\xE3\x80\x80")) return 3;  // U+3000 ideographic space
  if (rest.starts_with("\xEF\xBB\xBF")) return 3;  // U+FEFF byte order mark
  return 0;
}

}  // namespace

std::string_view DisclosureName(Disclosure d) { return NameOf(kDisclosureNames, d); }

std::string_view DisclosureLabel(Disclosure d) {
  switch (d) {
    case Disclosure::kPublic:
      return "社会公开";
    case Disclosure::kGovShared:
      return "政务共享";
    case Disclosure::kAuthorized:
      return "授权查询";
  }
  return "未知";
}

std::string_view NatureName(Nature n) { return NameOf(kNatureNames, n); }

std::string_view NatureLabel(Nature n) {
  switch (n) {
    case Nature::kPositive:
      return "正面";
    case Nature::kNeutral:
      return "中性";
    case Nature::kNegative:
      return "负面";
  }
  return "未知";
}

std::string_view SeverityName(Severity s) { return NameOf(kSeverityNames, s); }

std::string_view SeverityLabel(Severity s) {
  switch (s) {
    case Severity::kNone:
      return "无";
    case Severity::kMinor:
      return "轻微";
    case Severity::kGeneral:
      return "一般";
    case Severity::kSerious:
      return "严重";
  }
  return "未知";
}

std::string_view FieldTypeName(FieldType t) { return NameOf(kFieldTypeNames, t); }
std::string_view FieldRoleName(FieldRole r) { return NameOf(kFieldRoleNames, r); }

std::optional<Disclosure> ParseDisclosure(std::string_view name) {
  return ValueOf(kDisclosureNames, name);
}
std::optional<Nature> ParseNature(std::string_view name) { return ValueOf(kNatureNames, name); }
std::optional<Severity> ParseSeverity(std::string_view name) {
  return ValueOf(kSeverityNames, name);
}
std::optional<FieldType> ParseFieldType(std::string_view name) {
  return ValueOf(kFieldTypeNames, name);
}
std::optional<FieldRole> ParseFieldRole(std::string_view name) {
  return ValueOf(kFieldRoleNames, name);
}

std::string NormalizeFieldName(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (size_t skip = SkippableAt(s, i); skip > 0) {
      i += skip;
      continue;
    }
    std::string_view rest = s.substr(i);
    if (rest.starts_with("\xEF\xBC\x88")) {  // （
      out.push_back('(');
      i += 3;
      continue;
    }
    if (rest.starts_with("\xEF\xBC\x89")) {  // ）
      out.push_back(')');
      i += 3;
      continue;
    }
    char c = s[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    out.push_back(c);
    ++i;
  }
  return out;
}

int Indicator::FieldIndex(std::string_view code_or_label) const {
  const std::string wanted = NormalizeFieldName(code_or_label);
  if (wanted.empty()) return -1;
  for (size_t i = 0; i < fields.size(); ++i) {
    const Field& f = fields[i];
    if (NormalizeFieldName(f.code) == wanted || NormalizeFieldName(f.label) == wanted) {
      return static_cast<int>(i);
    }
    for (const std::string& alias : f.aliases) {
      if (NormalizeFieldName(alias) == wanted) return static_cast<int>(i);
    }
  }
  return -1;
}

int Indicator::FieldIndexByRole(FieldRole role) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].role == role) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace xinyong::catalog
