#include "security/access.h"

namespace xinyong::security {

DisclosureSet ReadableLevels(const Principal& p, uint64_t subject_id, bool consent_stands) {
  using catalog::Disclosure;
  switch (p.role()) {
    case Role::kOperator:
      return DisclosureSet::All();
    case Role::kSourceDepartment:
    case Role::kUsingDepartment:
      return DisclosureSet::PublicOnly().With(Disclosure::kGovShared);
    case Role::kFinancialInstitution:
      return consent_stands ? DisclosureSet::PublicOnly().With(Disclosure::kAuthorized)
                            : DisclosureSet::PublicOnly();
    case Role::kSubject:
      return subject_id != 0 && p.subject_id() == subject_id ? DisclosureSet::All()
                                                             : DisclosureSet::PublicOnly();
    case Role::kLowerPlatform:  // pushes records; reads what the public reads
    case Role::kPublic:
      break;
  }
  return DisclosureSet::PublicOnly();
}

}  // namespace xinyong::security
