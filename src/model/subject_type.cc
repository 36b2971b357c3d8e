#include "model/subject_type.h"

namespace xinyong {

std::string_view SubjectTypeName(SubjectType t) {
  switch (t) {
    case SubjectType::kLegalPerson: return "legal_person";
    case SubjectType::kIndividualBusiness: return "individual_business";
    case SubjectType::kOtherOrganization: return "other_organization";
    case SubjectType::kNaturalPerson: return "natural_person";
  }
  return "unknown";
}

std::string_view SubjectTypeLabel(SubjectType t) {
  switch (t) {
    case SubjectType::kLegalPerson: return "法人";
    case SubjectType::kIndividualBusiness: return "个体工商户";
    case SubjectType::kOtherOrganization: return "非法人组织";
    case SubjectType::kNaturalPerson: return "自然人";
  }
  return "未知";
}

std::optional<SubjectType> ParseSubjectType(std::string_view s) {
  for (auto t : {SubjectType::kLegalPerson, SubjectType::kIndividualBusiness,
                 SubjectType::kOtherOrganization, SubjectType::kNaturalPerson}) {
    if (s == SubjectTypeName(t) || s == SubjectTypeLabel(t)) return t;
  }
  if (s == "法人及非法人组织" || s == "法人和非法人组织" || s == "企业" || s == "法人组织") {
    return SubjectType::kLegalPerson;
  }
  if (s == "个体户" || s == "个体") return SubjectType::kIndividualBusiness;
  if (s == "个人") return SubjectType::kNaturalPerson;
  return std::nullopt;
}

}  // namespace xinyong
