// Population: the credit subjects of the synthetic city — enterprises (with branches,
// partnerships, sole proprietorships and cooperatives), individual businesses (个体工商户),
// institutions and social organizations, and natural persons — each kept as one compact
// struct. Names, addresses, legal representatives and codes are rendered on demand from the
// struct and the seed, so a million subjects take about 40 MB.
// Codes are valid and unique by construction: organization codes come from a bijection of the
// subject's index, resident IDs from a bijection onto (birth date, sequence), and every check
// character is computed (ident::UsccCheckChar, OrgCodeCheckChar, ResidentIdCheckChar,
// RegistrationNumberCheckDigit).
// Thread-safety: immutable after Build; the Append* functions may run on several threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "gen/names.h"
#include "model/subject_type.h"

namespace xinyong::gen {

enum class SubjectKind : uint8_t {
  kCompany = 1,         // 有限公司, 股份有限公司, 集团
  kBranch = 2,          // 分公司
  kPartnership = 3,     // 合伙企业
  kSoleProprietor = 4,  // 个人独资企业
  kCooperative = 5,     // 农民专业合作社 (USCC type 93)
  kIndividual = 6,      // 个体工商户 (USCC type 92)
  kOrganization = 7,    // 事业单位 (12) or 社会组织 (51/52/53)
  kPerson = 8,          // 自然人
};

// Legacy identifiers an enterprise may carry instead of a USCC.
enum class Legacy : uint8_t { kNone = 0, kRegNumber = 1, kOrgCode = 2 };

struct Subject {
  char uscc[18];    // all '\0' when the subject has no USCC (legacy-only enterprises, persons)
  int32_t founded;  // days since 1970-01-01
  uint16_t brand;   // index into the brand space (BrandAt)
  uint16_t house;   // house number of the address
  SubjectKind kind;
  Legacy legacy;
  uint8_t district;  // index into Districts()
  uint8_t industry;  // Industries(), ShopTypes() or OrgPatterns() index, by kind
  uint8_t form;      // name variant
  uint8_t status;    // registration status: 0 存续, 1 在业, 2 迁出, 3 吊销, 4 注销
  uint8_t road;      // road index within the district
  uint8_t extra;     // free bits for small variations

  bool has_uscc() const { return uscc[0] != '\0'; }
  std::string_view uscc_view() const { return {uscc, 18}; }
};

class Population {
 public:
  // Builds `n` subjects: ~70% enterprises, ~15% individual businesses, ~5% institutions and
  // social organizations, ~10% natural persons; ~5% of enterprises carry legacy codes only.
  static Population Build(uint64_t n, uint64_t seed, Date as_of);

  size_t size() const { return subjects_.size(); }
  const Subject& operator[](size_t i) const { return subjects_[i]; }
  uint64_t seed() const { return seed_; }
  Date as_of() const { return as_of_; }
  // Indices of natural persons, and of everyone else, in subject order.
  const std::vector<uint32_t>& persons() const { return persons_; }
  const std::vector<uint32_t>& organizations() const { return organizations_; }

  SubjectType TypeOf(uint32_t i) const { return TypeOfKind(subjects_[i].kind); }
  static SubjectType TypeOfKind(SubjectKind k);
  // The sector a subject works in (Sector bits), for matching licences and penalties.
  uint16_t SectorOf(uint32_t i) const;
  // The GB/T 4754-2017 section and division the register gives subject i ("F52"); "" for
  // natural persons.
  std::string_view IndustryCodeOf(uint32_t i) const;
  // "法人及非法人组织", "个体工商户" or "自然人".
  std::string_view CategoryOf(uint32_t i) const;

  void AppendName(uint32_t i, std::string* out) const;
  // The 15-digit registration number or the 9-character organization code of a legacy subject.
  void AppendRegNumber(uint32_t i, std::string* out) const;
  void AppendOrgCode(uint32_t i, std::string* out) const;    // also for subjects with a USCC
  void AppendTaxNumber(uint32_t i, std::string* out) const;  // region + organization code
  // 事业单位证书号 / 社会组织登记证号; empty for other kinds.
  void AppendInstitutionCert(uint32_t i, std::string* out) const;
  void AppendSocialOrgCert(uint32_t i, std::string* out) const;
  void AppendAddress(uint32_t i, std::string* out) const;
  void AppendBrand(uint16_t b, std::string* out) const;
  static uint32_t BrandSpace();
  // 企业类型 as the register writes it.
  std::string_view RegistrationType(uint32_t i) const;

  // The person behind subject i: the natural person itself, or the legal representative
  // (经营者 of an individual business, 负责人 of a branch). Unique per subject index.
  void AppendPersonName(uint32_t i, std::string* out) const;
  void AppendPersonSurname(uint32_t i, std::string* out) const;
  void AppendPersonId(uint32_t i, std::string* out) const;
  // Whose person (the index to pass to AppendPerson*) is the legal representative of
  // organization i: about one in six organizations is led by a natural person of the
  // population (so that a check of that person finds the organization's records, 落实到人), the
  // others by their own person. Persons and an empty population: i itself.
  uint32_t RepresentativeOf(uint32_t i) const;
  // A natural person of the population held responsible (直接责任人员) in decisions against
  // organization i, other than its representative; i itself when there is none to pick.
  uint32_t ResponsiblePersonOf(uint32_t i) const;

 private:
  struct PersonKey {
    uint32_t birth_days;     // days since 1955-01-01
    uint16_t seq;            // 0..999
    uint8_t region;          // HenanIdRegions() index
    uint8_t surname;         // Surnames() index
    uint8_t given1, given2;  // 0xFF = none
  };
  PersonKey PersonOf(uint32_t i) const;
  void AppendCompanyName(const Subject& s, uint8_t form, std::string* out) const;
  void OrgCodeBody(uint32_t i, char out[8]) const;

  std::vector<Subject> subjects_;
  std::vector<uint32_t> persons_;
  std::vector<uint32_t> organizations_;
  uint64_t seed_ = 1;
  Date as_of_;
};

}  // namespace xinyong::gen
