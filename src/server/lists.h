// The lists (名单): red lists (诚信红名单) and serious-dishonesty lists (严重失信主体名单), and the
// other list indicators (court dishonest judgment debtors, abnormal operation) — their current
// members, newest first. A membership starts at its decision date and ends by itself at its
// list_end date (rules::ActiveMembership); revoked and repaired entries are not members, and an
// entry past its maximum publicity period (PublicityEnded) is no longer published.
#pragma once

#include <boost/json.hpp>

#include <map>
#include <memory>
#include <mutex>
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
  bool under_objection = false;  // an objection to the record is open: published, marked so
};

// The list indicator a type names: "red" → red_list, "serious_dishonesty", or any list indicator
// code (MeasureCatalog::ListIndicators). "" when it names none.
std::string ListIndicatorOfType(std::string_view type);

// Current members of a list indicator on `today`, newest entry first: the entries the public may
// see (a list is a public listing; ShownAt at PublicOnly).
Status ListMembers(Platform& p, std::string_view indicator, Date today, std::vector<ListEntry>* out);

// The members of each list, kept between requests (Platform::lists()): a list is computed again
// only when the store's records changed — Store::LastChangeSeq, which every record version
// written and every erasure moves, and only once the write is visible — or the day did. Requests
// for a list being computed wait for that computation instead of repeating it: a page of a list
// reads its own entries, not every entry the list ever had.
class ListCache {
 public:
  struct Member {
    uint64_t subject_id = 0;
    uint64_t record_id = 0;
  };
  using Members = std::vector<Member>;  // newest entry first, as ListMembers
  Result<std::shared_ptr<const Members>> Get(Platform& p, std::string_view indicator, Date today);

 private:
  struct Slot {
    std::mutex mu;  // held while the list is computed
    uint64_t seq = 0;
    Date day;
    std::shared_ptr<const Members> members;
  };
  std::mutex mu_;  // guards slots_ (not the slots)
  std::map<std::string, std::unique_ptr<Slot>, std::less<>> slots_;
};

// A member's entry as it stands: nullopt when it is no longer one (changed since the list was
// computed) or its subject is gone.
Result<std::optional<ListEntry>> CurrentEntry(Platform& p, const catalog::Indicator& ind,
                                              const ListCache::Member& m, Date today);

// {"subject": {code, name, type}, "start", "end" (null: open-ended), "record": the public record,
// marked 异议处理中 while an objection to it is open (FACTS §5)}
boost::json::object ListEntryJson(const ListEntry& e, const catalog::Indicator* indicator);

}  // namespace xinyong::server
