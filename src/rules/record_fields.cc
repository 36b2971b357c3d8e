#include "rules/record_fields.h"

#include <algorithm>
#include <charconv>

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

bool SeriousWhenMatches(const catalog::SeriousWhen& rule, std::string_view value) {
  if (value.empty()) return false;
  if (rule.at_least) {
    // Stored amounts are canonical decimals ("200", "1234.5"): no sign, no separators.
    double amount = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), amount);
    return ec == std::errc() && end == value.data() + value.size() && amount >= *rule.at_least;
  }
  return std::any_of(rule.contains_any.begin(), rule.contains_any.end(),
                     [&](const std::string& s) { return value.find(s) != std::string_view::npos; });
}

catalog::Severity RecordSeverity(const Record& r, const catalog::Indicator& ind) {
  for (const catalog::SeriousWhen& rule : ind.serious_when) {
    if (SeriousWhenMatches(rule, r.Get(rule.field))) return catalog::Severity::kSerious;
  }
  return ind.severity;
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
