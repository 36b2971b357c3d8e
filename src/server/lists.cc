#include "server/lists.h"

#include <algorithm>
#include <functional>

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

namespace {

// The membership of a record's current version in a public listing;
// nullopt when it is none.
std::optional<rules::Membership> PublicMembership(const Record& current,
                                                  const catalog::Indicator& ind, Date today) {
  std::optional<rules::Membership> m = rules::ActiveMembership(current, ind, today);
  // A public listing: only what the public may see — the indicator's (or the record's
  // 公开类型) disclosure level, and not once its publicity ended by itself (FACTS §4).
  if (m && !ShownAt(current, &ind, security::DisclosureSet::PublicOnly(), today)) return std::nullopt;
  return m;
}

// Calls fn(subject id, current version, membership) for each member, newest entry first.
Status ScanMembers(
    Platform& p, const catalog::Indicator& ind, Date today,
    const std::function<Status(uint64_t, Record&, const rules::Membership&)>& fn) {
  std::vector<Record> versions;
  return p.store().ScanIndicator(
      ind.code, [&](uint64_t subject_id, uint64_t record_id, Date decided) -> Result<bool> {
        versions.clear();
        XY_RETURN_IF_ERROR(p.store().ListRecordVersions(subject_id, record_id, &versions));
        if (versions.empty()) return true;
        Record& current = versions.back();
        // An entry left behind by a correction that moved the date: the current one counts.
        if (current.decision_date != decided) return true;
        std::optional<rules::Membership> m = PublicMembership(current, ind, today);
        if (m) XY_RETURN_IF_ERROR(fn(subject_id, current, *m));
        return true;
      });
}

Result<const catalog::Indicator*> Find(Platform& p, std::string_view indicator) {
  const catalog::Indicator* ind = p.catalog().Find(indicator);
  if (ind == nullptr) return Status::NotFound("the catalog has no indicator " + std::string(indicator));
  return ind;
}

bool UnderObjection(Platform& p, uint64_t subject_id, uint64_t record_id) {
  const std::vector<uint64_t> open = p.rights().UnderObjection(subject_id);
  return std::find(open.begin(), open.end(), record_id) != open.end();
}

}  // namespace

Status ListMembers(Platform& p, std::string_view indicator, Date today,
                   std::vector<ListEntry>* out) {
  XY_ASSIGN_OR_RETURN(const catalog::Indicator* ind, Find(p, indicator));
  return ScanMembers(p, *ind, today,
                     [&](uint64_t subject_id, Record& current, const rules::Membership& m) {
                       XY_ASSIGN_OR_RETURN(auto subject, p.store().GetSubject(subject_id));
                       if (!subject) return Status::Ok();
                       const bool objected = UnderObjection(p, subject_id, current.record_id);
                       out->push_back({std::move(*subject), std::move(current), m, objected});
                       return Status::Ok();
                     });
}

Result<std::shared_ptr<const ListCache::Members>> ListCache::Get(Platform& p,
                                                                 std::string_view indicator,
                                                                 Date today) {
  XY_ASSIGN_OR_RETURN(const catalog::Indicator* ind, Find(p, indicator));
  Slot* slot = nullptr;
  {
    std::lock_guard lock(mu_);
    auto it = slots_.find(indicator);
    if (it == slots_.end()) it = slots_.emplace(std::string(indicator), std::make_unique<Slot>()).first;
    slot = it->second.get();
  }
  std::lock_guard lock(slot->mu);
  // Read before the scan: a write that lands during it moves the number past this one, and the
  // next request computes the list again.
  XY_ASSIGN_OR_RETURN(const uint64_t seq, p.store().LastChangeSeq());
  if (slot->members && slot->seq == seq && slot->day == today) return slot->members;
  auto members = std::make_shared<Members>();
  XY_RETURN_IF_ERROR(ScanMembers(p, *ind, today,
                                 [&](uint64_t subject_id, Record& current, const rules::Membership&) {
                                   members->push_back({subject_id, current.record_id});
                                   return Status::Ok();
                                 }));
  slot->seq = seq;
  slot->day = today;
  slot->members = std::move(members);
  return slot->members;
}

Result<std::optional<ListEntry>> CurrentEntry(Platform& p, const catalog::Indicator& ind,
                                              const ListCache::Member& m, Date today) {
  std::vector<Record> versions;
  XY_RETURN_IF_ERROR(p.store().ListRecordVersions(m.subject_id, m.record_id, &versions));
  if (versions.empty()) return std::optional<ListEntry>();
  std::optional<rules::Membership> membership = PublicMembership(versions.back(), ind, today);
  if (!membership) return std::optional<ListEntry>();
  XY_ASSIGN_OR_RETURN(auto subject, p.store().GetSubject(m.subject_id));
  if (!subject) return std::optional<ListEntry>();
  const bool objected = UnderObjection(p, m.subject_id, m.record_id);
  return std::optional<ListEntry>(
      ListEntry{std::move(*subject), std::move(versions.back()), *membership, objected});
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
  o["record"] = RecordJson(e.record, indicator, {}, e.under_objection);
  return o;
}

}  // namespace xinyong::server
