#include "server/lists.h"

#include <algorithm>

#include "server/access.h"
#include "server/json_views.h"

namespace xinyong::server {

namespace json = boost::json;

std::string ListIndicatorOfType(std::string_view type) {
  if (type == "red") return "red_list";
  for (std::string_view code : rules::MeasureCatalog::ListIndicators()) {
    if (code == type) return std::string(code);
  }
  return "";
}

Status ListMembers(Platform& p, std::string_view indicator, Date today,
                   std::vector<ListEntry>* out) {
  const catalog::Indicator* ind = p.catalog().Find(indicator);
  if (ind == nullptr) return Status::NotFound("the catalog has no indicator " + std::string(indicator));
  std::vector<Record> versions;
  return p.store().ScanIndicator(
      indicator, [&](uint64_t subject_id, uint64_t record_id, Date decided) -> Result<bool> {
        versions.clear();
        XY_RETURN_IF_ERROR(p.store().ListRecordVersions(subject_id, record_id, &versions));
        if (versions.empty()) return true;
        Record& current = versions.back();
        // An entry left behind by a correction that moved the date: the current one counts.
        if (current.decision_date != decided) return true;
        std::optional<rules::Membership> m = rules::ActiveMembership(current, *ind, today);
        if (!m) return true;
        // A public listing: only what the public may see — the indicator's (or the record's
        // 公开类型) disclosure level, and not once its publicity ended by itself (FACTS §4).
        if (!ShownAt(current, ind, security::DisclosureSet::PublicOnly(), today)) return true;
        XY_ASSIGN_OR_RETURN(auto subject, p.store().GetSubject(subject_id));
        if (!subject) return true;
        out->push_back({std::move(*subject), std::move(current), *m});
        return true;
      });
}

json::object ListEntryJson(const ListEntry& e, const catalog::Indicator* indicator) {
  json::object o;
  o["subject"] = json::object{{"code", e.subject.DisplayCode()},
                              {"name", e.subject.name},
                              {"type", SubjectTypeName(e.subject.type)}};
  o["start"] = e.membership.start.ToString();
  if (e.membership.end) {
    o["end"] = e.membership.end->ToString();
  } else {
    o["end"] = nullptr;
  }
  o["record"] = RecordJson(e.record, indicator);
  return o;
}

}  // namespace xinyong::server
