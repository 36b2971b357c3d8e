// Handlers of the read endpoints: health, catalog, a subject's profile and its records.
#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>

#include "core/coding.h"
#include "rules/check.h"
#include "server/access.h"
#include "server/handlers.h"
#include "server/json_views.h"
#include "server/redact.h"
#include "server/router.h"

namespace xinyong::server {

namespace json = boost::json;

namespace {

constexpr size_t kLatestRecords = 5;
constexpr int64_t kDefaultPageSize = 20;
constexpr int64_t kMaxPageSize = 100;
constexpr int64_t kMaxPage = 1'000'000;
// A profile is ~5 KiB; one allocation up front instead of a few doublings.
constexpr size_t kBodyReserve = 8192;

}  // namespace

Response Forbidden(const ApiCall& call, std::string_view message) {
  return ErrorResponse(403, "permission_denied", message,
                       json::object{{"role", security::RoleName(call.principal.role())}});
}

bool ActingDepartment(const ApiCall& call, std::string_view name, const std::string& given,
                      std::string* out, Response* error) {
  const security::Role role = call.principal.role();
  if (role != security::Role::kSourceDepartment && role != security::Role::kUsingDepartment) {
    *out = given;
    return true;
  }
  const std::string& own = call.principal.department();
  if (!given.empty() && given != own) {
    *error = Forbidden(call, "a " + std::string(security::RoleName(role)) + " token acts for " +
                                 own + " only, not for the " + std::string(name) + " '" +
                                 given.substr(0, 100) + "'");
    return false;
  }
  *out = own;
  return true;
}

bool OwnSubjectOnly(const ApiCall& call, uint64_t subject_id, Response* error) {
  if (call.principal.role() != security::Role::kSubject ||
      call.principal.subject_id() == subject_id) {
    return true;
  }
  *error = Forbidden(call, "a subject token reaches its own subject (" +
                               call.principal.subject_code() + ") only");
  return false;
}

Response BadField(std::string_view field, std::string_view message) {
  return StatusResponse(Status::InvalidArgument(std::string(message)), json::object{{"field", field}});
}

bool ParseBody(const ApiCall& call, json::object* out, Response* error) {
  boost::system::error_code ec;
  json::value v = json::parse(call.request.body, ec);
  if (ec || !v.is_object()) {
    *error = BadField("", "the request body must be a JSON object");
    return false;
  }
  *out = std::move(v.as_object());
  return true;
}

bool StringField(const json::object& o, std::string_view name, std::string* out, Response* error,
                 size_t max_bytes) {
  out->clear();
  const json::value* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) return true;
  if (!v->is_string() || v->as_string().size() > max_bytes) {
    *error = BadField(name, std::string(name) + " must be a string of at most " +
                                std::to_string(max_bytes) + " bytes");
    return false;
  }
  *out = std::string(v->as_string());
  return true;
}

bool ResolveSubject(Platform& p, const ApiCall& call, Subject* out, Response* error) {
  auto subject = p.FindSubjectByCode(call.params.at(0));
  if (!subject.ok()) {
    json::value details = nullptr;
    if (subject.status().code() == StatusCode::kInvalidArgument) {
      details = json::object{{"parameter", "code"}};
    }
    *error = StatusResponse(subject.status(), std::move(details));
    return false;
  }
  *out = std::move(subject).value();
  return true;
}

bool DateParam(const ApiCall& call, std::string_view name, std::optional<Date>* out,
               Response* error) {
  const std::string* v = call.target.Query(name);
  if (v == nullptr || v->empty()) return true;
  auto digits = [&](size_t pos, size_t n, int* value) {
    *value = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      char c = (*v)[i];
      if (c < '0' || c > '9') return false;
      *value = *value * 10 + (c - '0');
    }
    return true;
  };
  int y = 0, m = 0, d = 0;
  if (v->size() == 10 && (*v)[4] == '-' && (*v)[7] == '-' && digits(0, 4, &y) && digits(5, 2, &m) &&
      digits(8, 2, &d)) {
    auto date = Date::FromYmd(y, m, d);
    if (date.ok()) {
      *out = *date;
      return true;
    }
  }
  *error = BadParameter(name, std::string(name) + " must be a date written YYYY-MM-DD");
  return false;
}

bool ViewLevels(Platform& p, const ApiCall& call, uint64_t subject_id,
                security::DisclosureSet* out, Response* error) {
  *out = security::DisclosureSet::PublicOnly();
  if (call.principal.is_public()) return true;
  RecordView view(p, call.principal, Date::Today());
  auto levels = view.Levels(subject_id);
  if (!levels.ok()) {
    *error = StatusResponse(levels.status());
    return false;
  }
  *out = *levels;
  return true;
}

namespace {

bool Contains(const std::vector<uint64_t>& ids, uint64_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// "view": the caller's role, "disclosure": the levels it reads of this subject.
void WriteView(JsonWriter& w, const security::Principal& who, security::DisclosureSet levels) {
  w.Member("view", security::RoleName(who.role()));
  w.Key("disclosure");
  w.BeginArray();
  for (auto d : {catalog::Disclosure::kPublic, catalog::Disclosure::kGovShared,
                 catalog::Disclosure::kAuthorized}) {
    if (levels.Has(d)) w.String(catalog::DisclosureName(d));
  }
  w.EndArray();
}

}  // namespace

Response BadParameter(std::string_view name, std::string_view message) {
  return StatusResponse(Status::InvalidArgument(std::string(message)),
                        json::object{{"parameter", name}});
}

bool IntParam(const ApiCall& call, std::string_view name, int64_t def, int64_t min, int64_t max,
              int64_t* out, Response* error) {
  const std::string* v = call.target.Query(name);
  if (v == nullptr) {
    *out = def;
    return true;
  }
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (v->empty() || ec != std::errc() || end != v->data() + v->size() || n < min || n > max) {
    *error = BadParameter(name, std::string(name) + " must be an integer from " +
                                    std::to_string(min) + " to " + std::to_string(max));
    return false;
  }
  *out = n;
  return true;
}


Response HandleHealth(Platform& p, const ApiCall&) {
  auto stats = p.store().Stats();
  if (!stats.ok()) return StatusResponse(stats.status());
  json::object o;
  o["status"] = "ok";
  o["records"] = stats->records;
  o["subjects"] = stats->subjects;
  o["version"] = kApiVersion;
  // What operators must act on before it breaks something (still "ok": the server answers).
  o["calendar_until"] = p.calendar().covered_until().ToString();
  json::array warnings;
  if (std::string w = p.calendar().CoverageWarning(Date::Today()); !w.empty()) {
    warnings.push_back(json::string(w));
  }
  o["warnings"] = std::move(warnings);
  if (const ResponseCache* cache = p.profile_cache()) {
    const ResponseCache::Stats c = cache->stats();
    o["profile_cache"] = {{"entries", c.entries}, {"bytes", c.bytes},
                          {"capacity_bytes", c.capacity}, {"hits", c.hits},
                          {"misses", c.misses}};
  }
  return JsonResponse(200, o);
}

Response HandleCatalog(Platform& p, const ApiCall&) {
  JsonArena arena;
  json::storage_ptr sp = arena.storage();
  json::array indicators(sp);
  for (const auto& i : p.catalog().indicators()) indicators.push_back(IndicatorJson(i, sp));
  json::object o(sp);
  o["indicators"] = std::move(indicators);
  return JsonResponse(200, o);
}

namespace {

// A subject's profile as of `today`: the subject, its visible records counted by indicator, its
// current list memberships and the latest records.
Response SubjectProfile(Platform& p, const ApiCall& call, const Subject& subject, Date today) {
  Response error;
  security::DisclosureSet levels;
  if (!ViewLevels(p, call, subject.id, &levels, &error)) return error;
  const bool public_view = levels.public_only();
  // Every record is counted from its header; only the latest few are decoded whole.
  std::vector<storage::RecordHeader> records;
  Status st = p.store().ListRecordHeaders(subject.id, &records);
  if (!st.ok()) return StatusResponse(st);

  std::map<std::string_view, uint64_t> counts;
  std::vector<std::pair<const Record*, rules::Membership>> lists;  // current list memberships
  const auto list_indicators = rules::MeasureCatalog::ListIndicators();
  const Record* latest[kLatestRecords];
  const catalog::Indicator* latest_indicators[kLatestRecords];
  size_t n_latest = 0;
  uint64_t total = 0, public_total = 0;
  for (storage::RecordHeader& h : records) {  // newest first
    const Record& r = h.record;
    const catalog::Indicator* ind = p.catalog().Find(r.indicator);
    bool complete = false;
    if (r.status == RecordStatus::kActive && VisibilityNeedsValues(ind)) {
      st = h.Complete();
      if (!st.ok()) return StatusResponse(st);
      complete = true;
    }
    if (!ShownAt(r, ind, levels, today)) continue;
    ++counts[r.indicator];
    ++total;
    if (public_view || (PubliclyVisible(r, ind) && !PublicityEnded(r, ind, today))) ++public_total;
    const bool is_list = std::find(list_indicators.begin(), list_indicators.end(), r.indicator) !=
                         list_indicators.end();
    if (!complete && (n_latest < kLatestRecords || is_list)) {
      st = h.Complete();
      if (!st.ok()) return StatusResponse(st);
    }
    if (is_list) {
      if (auto m = rules::ActiveMembership(r, *ind, today)) lists.emplace_back(&r, *m);
    }
    if (n_latest < kLatestRecords) {
      latest[n_latest] = &r;
      latest_indicators[n_latest++] = ind;
    }
  }

  Response res;
  res.body.reserve(kBodyReserve);
  JsonWriter w(&res.body);
  w.BeginObject();
  // The public sees a natural person's name masked, as in the 双公示 listing (the operator, the
  // person, departments and a consented institution see it whole).
  const bool mask_person = public_view && subject.type == SubjectType::kNaturalPerson;
  w.Key("subject");
  WriteSubject(w, mask_person ? PersonForPublic(subject) : subject);
  WriteView(w, call.principal, levels);
  w.Key("category_counts");
  w.BeginObject();
  for (const auto& [indicator, n] : counts) w.Member(indicator, n);
  w.EndObject();
  w.Member("public_records", public_total);
  w.Member("visible_records", total);
  w.Key("lists");
  w.BeginArray();
  for (const auto& [r, m] : lists) {
    const catalog::Indicator* ind = p.catalog().Find(r->indicator);
    w.BeginObject();
    w.Member("indicator", r->indicator);
    w.Member("name", ind->name);
    w.Member("document_number", r->document_number);
    w.Member("start", m.start.ToString());
    if (m.end) {
      w.Member("end", m.end->ToString());
    } else {
      w.Key("end");
      w.Null();
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("latest_records");
  w.BeginArray();
  // Records under an open objection stay published, marked 异议处理中.
  const std::vector<uint64_t> objected = p.rights().UnderObjection(subject.id);
  for (size_t i = 0; i < n_latest; ++i) {
    const bool objection = Contains(objected, latest[i]->record_id);
    if (mask_person) {
      WriteRecord(w, PersonRecordForPublic(*latest[i], latest_indicators[i], subject.name),
                  latest_indicators[i], objection);
    } else {
      WriteRecord(w, *latest[i], latest_indicators[i], objection);
    }
  }
  w.EndArray();
  w.EndObject();
  return res;
}

}  // namespace

// The public view of a profile (no token) is the same for every caller, whichever of the
// subject's codes it asked by, so it is kept (Platform::profile_cache, by subject) and served
// again until what it was made from changes. The code is resolved first, and the subject's stamp
// read before anything of the subject is: an answer made while a write lands carries the older
// stamp.
Response HandleSubject(Platform& p, const ApiCall& call) {
  const Date today = Date::Today();
  ResponseCache* cache = call.principal.is_public() ? p.profile_cache() : nullptr;
  auto uncached = [&] {
    Subject subject;
    Response error;
    if (!ResolveSubject(p, call, &subject, &error)) return error;
    return SubjectProfile(p, call, subject, today);
  };
  if (cache == nullptr) return uncached();
  auto id = p.FindSubjectIdByCode(call.params.at(0));
  if (!id.ok()) return uncached();  // its error, as without a cache
  const ResponseCache::Stamp stamp{.data = p.store().DataGeneration(*id),
                                   .rights = p.rights().OpenVersion(*id),
                                   .day = today.days()};
  std::string key;
  coding::PutFixed64BE(&key, *id);
  Response res;
  if (cache->Get(key, stamp, &res.body)) return res;
  auto subject = p.store().GetSubject(*id);
  if (!subject.ok() || !subject->has_value()) return uncached();  // erased meanwhile: its error
  res = SubjectProfile(p, call, **subject, today);
  if (res.status == 200) cache->Put(key, stamp, res.body);
  return res;
}

Response HandleSubjectRecords(Platform& p, const ApiCall& call) {
  int64_t page = 0, page_size = 0;
  Response error;
  if (!IntParam(call, "page", 1, 1, kMaxPage, &page, &error)) return error;
  if (!IntParam(call, "page_size", kDefaultPageSize, 1, kMaxPageSize, &page_size, &error)) {
    return error;
  }
  // `category` is an indicator code ("admin_penalty") or a category name ("行政管理信息").
  std::string indicator_filter;
  std::set<std::string_view> category_indicators;
  if (const std::string* category = call.target.Query("category");
      category != nullptr && !category->empty()) {
    if (p.catalog().Find(*category) != nullptr) {
      indicator_filter = *category;
    } else {
      for (const auto& i : p.catalog().indicators()) {
        if (i.category == *category) category_indicators.insert(i.code);
      }
      if (category_indicators.empty()) {
        return BadParameter("category", "category '" + category->substr(0, 100) +
                                            "' is neither an indicator code nor a category "
                                            "name of the catalog");
      }
    }
  }
  std::optional<catalog::Nature> nature;
  if (const std::string* n = call.target.Query("nature"); n != nullptr && !n->empty()) {
    nature = catalog::ParseNature(*n);
    if (!nature) {
      return BadParameter("nature", "nature must be positive, neutral or negative");
    }
  }
  std::optional<Date> from, to;
  if (!DateParam(call, "from", &from, &error) || !DateParam(call, "to", &to, &error)) {
    return error;
  }
  if (from && to && *from > *to) {
    return BadParameter("from",
                        "from (" + from->ToString() + ") is after to (" + to->ToString() + ")");
  }

  // status=all: records in every status (revoked, repaired, expired too) — the history the
  // subject and the operator keep (FACTS §4); the default shows records in force.
  bool all_statuses = false;
  if (const std::string* st = call.target.Query("status"); st != nullptr && !st->empty()) {
    if (*st != "all" && *st != "active") {
      return BadParameter("status", "status must be active (the default) or all");
    }
    all_statuses = *st == "all";
  }

  Subject subject;
  if (!ResolveSubject(p, call, &subject, &error)) return error;
  security::DisclosureSet levels;
  if (!ViewLevels(p, call, subject.id, &levels, &error)) return error;
  if (all_statuses && !levels.all()) {
    return Forbidden(call, "status=all (revoked, repaired and expired records too) is for the "
                           "operator and the subject itself");
  }
  const Date today = Date::Today();
  const std::vector<uint64_t> objected = p.rights().UnderObjection(subject.id);
  std::vector<Record> records;
  Status st = p.store().ListRecords(subject.id, indicator_filter, &records);
  if (!st.ok()) return StatusResponse(st);

  const uint64_t first = static_cast<uint64_t>(page - 1) * static_cast<uint64_t>(page_size);
  const uint64_t last = first + static_cast<uint64_t>(page_size);
  uint64_t total = 0;
  Response res;
  res.body.reserve(kBodyReserve);
  JsonWriter w(&res.body);
  w.BeginObject();
  const bool mask_person = levels.public_only() && subject.type == SubjectType::kNaturalPerson;
  w.Key("subject");
  w.BeginObject();
  w.Member("code", subject.DisplayCode());
  w.Member("name", mask_person ? MaskName(subject.name) : subject.name);
  w.EndObject();
  WriteView(w, call.principal, levels);
  w.Key("records");
  w.BeginArray();
  for (const Record& r : records) {  // newest first
    if (!category_indicators.empty() && !category_indicators.contains(r.indicator)) continue;
    const catalog::Indicator* ind = p.catalog().Find(r.indicator);
    if (all_statuses ? ind == nullptr : !ShownAt(r, ind, levels, today)) continue;
    if (nature && ind->nature != *nature) continue;
    // A record without a decision date is in no date range.
    if ((from || to) && r.decision_date == Date()) continue;
    if ((from && r.decision_date < *from) || (to && r.decision_date > *to)) continue;
    if (total >= first && total < last) {
      if (mask_person) {
        WriteRecord(w, PersonRecordForPublic(r, ind, subject.name), ind, Contains(objected, r.record_id));
      } else {
        WriteRecord(w, r, ind, Contains(objected, r.record_id));
      }
    }
    ++total;
  }
  w.EndArray();
  w.Member("page", page);
  w.Member("page_size", page_size);
  w.Member("total", total);
  w.EndObject();
  return res;
}

bool PersonSeenAsPublic(Platform& p, const ApiCall& call, const Subject& subject, bool* out,
                        Response* error) {
  *out = false;
  if (subject.type != SubjectType::kNaturalPerson) return true;
  security::DisclosureSet levels;
  if (!ViewLevels(p, call, subject.id, &levels, error)) return false;
  *out = levels.public_only();
  return true;
}

json::object SubjectHeaderJson(const Subject& subject, bool mask) {
  return json::object{{"code", subject.DisplayCode()},
                      {"name", mask ? MaskName(subject.name) : subject.name}};
}

bool SubjectHeader(Platform& p, const ApiCall& call, const Subject& subject, json::object* out,
                   Response* error) {
  bool mask = false;
  if (!PersonSeenAsPublic(p, call, subject, &mask, error)) return false;
  *out = SubjectHeaderJson(subject, mask);
  return true;
}

}  // namespace xinyong::server
