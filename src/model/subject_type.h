// SubjectType: the kinds of credit subject (信用主体) the platform keeps records about.
// Persisted as one byte: never renumber.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace xinyong {

enum class SubjectType : uint8_t {
  kLegalPerson = 1,         // 法人 (enterprises, institutions, social organizations)
  kIndividualBusiness = 2,  // 个体工商户
  kOtherOrganization = 3,   // 非法人组织
  kNaturalPerson = 4,       // 自然人
};

// "legal_person", "individual_business", "other_organization", "natural_person".
std::string_view SubjectTypeName(SubjectType t);
// "法人", "个体工商户", "非法人组织", "自然人".
std::string_view SubjectTypeLabel(SubjectType t);
// Accepts the English name or a Chinese label (including the 双公示 category
// "法人及非法人组织", which maps to kLegalPerson).
std::optional<SubjectType> ParseSubjectType(std::string_view s);

}  // namespace xinyong
