#include "rules/record_fields.h"

#include <algorithm>

namespace xinyong::rules {

std::string_view ValueByRole(const Record& r, const catalog::Indicator& ind,
                             catalog::FieldRole role) {
  const int i = ind.FieldIndexByRole(role);
  return i < 0 ? std::string_view() : r.Get(ind.fields[static_cast<size_t>(i)].code);
}

std::optional<Date> DateByRole(const Record& r, const catalog::Indicator& ind,
                               catalog::FieldRole role) {
  const std::string_view v = ValueByRole(r, ind, role);
  if (v.empty()) return std::nullopt;
  auto d = Date::Parse(v);
  if (!d.ok()) return std::nullopt;
  return *d;
}

bool DisclosedToPublic(const Record& r, const catalog::Indicator& ind) {
  const int i = ind.FieldIndexByRole(catalog::FieldRole::kPublicityType);
  if (i >= 0) {
    const catalog::Field& f = ind.fields[static_cast<size_t>(i)];
    const std::string_view v = r.Get(f.code);
    if (!v.empty()) {
      return std::find(f.public_values.begin(), f.public_values.end(), v) !=
             f.public_values.end();
    }
  }
  return ind.disclosure == catalog::Disclosure::kPublic;
}

}  // namespace xinyong::rules
