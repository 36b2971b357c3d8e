// The read policy: which disclosure levels (公开属性) of a subject's records a principal may
// read. Public (社会公开) records are for everyone; government-shared (政务共享) ones for the
// operator and government departments; authorized-query (授权查询) ones for the operator, and for a
// financial institution only while the subject's consent for it stands; a subject reads all of
// its own. Pure functions; thread-safe.
#pragma once

#include <cstdint>

#include "catalog/indicator.h"
#include "security/principal.h"

namespace xinyong::security {

class DisclosureSet {
 public:
  constexpr DisclosureSet() = default;
  static constexpr DisclosureSet PublicOnly() { return DisclosureSet().With(catalog::Disclosure::kPublic); }
  static constexpr DisclosureSet All() {
    return PublicOnly().With(catalog::Disclosure::kGovShared).With(catalog::Disclosure::kAuthorized);
  }
  constexpr DisclosureSet With(catalog::Disclosure d) const {
    DisclosureSet s = *this;
    s.bits_ |= Bit(d);
    return s;
  }
  constexpr bool Has(catalog::Disclosure d) const { return (bits_ & Bit(d)) != 0; }
  constexpr bool all() const { return bits_ == All().bits_; }
  constexpr bool public_only() const { return bits_ == PublicOnly().bits_; }
  constexpr bool operator==(const DisclosureSet&) const = default;

 private:
  static constexpr uint8_t Bit(catalog::Disclosure d) {
    return static_cast<uint8_t>(1u << static_cast<unsigned>(d));
  }
  uint8_t bits_ = 0;
};

// The levels `p` may read of subject `subject_id`'s records. `consent_stands` matters only for
// a financial institution: whether the subject's consent for its institution stands today.
DisclosureSet ReadableLevels(const Principal& p, uint64_t subject_id, bool consent_stands);

// Whether a financial institution's reading of this subject depends on consent (so the caller
// need look the consent up only then).
inline bool NeedsConsent(const Principal& p) { return p.role() == Role::kFinancialInstitution; }

}  // namespace xinyong::security
