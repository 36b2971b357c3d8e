// The lists (名单): red lists (诚信红名单) and serious-dishonesty lists (严重失信主体名单), and the
// other list indicators (court dishonest judgment debtors, abnormal operation) — their current
// members, newest first. A membership starts at its decision date and ends by itself at its
// list_end date (rules::ActiveMembership); revoked and repaired entries are not members, and an
// entry past its maximum publicity period (PublicityEnded) is no longer published.
#pragma once

#include <boost/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "rules/check.h"
#include "server/platform.h"

namespace xinyong::server {

struct ListEntry {
  Subject subject;
  Record record;
  rules::Membership membership;
};

// The list indicator a type names: "red" → red_list, "serious_dishonesty", or any list indicator
// code (MeasureCatalog::ListIndicators). "" when it names none.
std::string ListIndicatorOfType(std::string_view type);

// Current members of a list indicator on `today`, newest entry first: the entries the public may
// see (a list is a public listing; ShownAt at PublicOnly).
Status ListMembers(Platform& p, std::string_view indicator, Date today, std::vector<ListEntry>* out);

// {"subject": {code, name, type}, "start", "end" (null: open-ended), "record": the public record}
boost::json::object ListEntryJson(const ListEntry& e, const catalog::Indicator* indicator);

}  // namespace xinyong::server
