// Handlers of the read endpoints: health, catalog, a subject's profile and its records.
#include <charconv>
#include <map>
#include <set>

#include "server/handlers.h"
#include "server/json_views.h"
#include "server/router.h"

namespace xinyong::server {

namespace json = boost::json;

namespace {

constexpr size_t kLatestRecords = 5;
constexpr int64_t kDefaultPageSize = 20;
constexpr int64_t kMaxPageSize = 100;
constexpr int64_t kMaxPage = 1'000'000;

// The subject named by the {code} path parameter, or the error response.
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

Response HandleSubject(Platform& p, const ApiCall& call) {
  Subject subject;
  Response error;
  if (!ResolveSubject(p, call, &subject, &error)) return error;
  std::vector<Record> records;
  Status st = p.store().ListRecords(subject.id, "", &records);
  if (!st.ok()) return StatusResponse(st);

  JsonArena arena;
  json::storage_ptr sp = arena.storage();
  std::map<std::string_view, uint64_t> counts;
  json::array latest(sp);
  uint64_t total = 0;
  for (const Record& r : records) {  // newest first
    const catalog::Indicator* ind = p.catalog().Find(r.indicator);
    if (!PubliclyVisible(r, ind)) continue;
    ++counts[r.indicator];
    ++total;
    if (latest.size() < kLatestRecords) latest.push_back(RecordJson(r, ind, sp));
  }
  json::object category_counts(sp);
  for (const auto& [indicator, n] : counts) category_counts[indicator] = n;

  json::object o(sp);
  o["subject"] = SubjectJson(subject, sp);
  o["category_counts"] = std::move(category_counts);
  o["public_records"] = total;
  o["latest_records"] = std::move(latest);
  return JsonResponse(200, o);
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

  Subject subject;
  if (!ResolveSubject(p, call, &subject, &error)) return error;
  std::vector<Record> records;
  Status st = p.store().ListRecords(subject.id, indicator_filter, &records);
  if (!st.ok()) return StatusResponse(st);

  const uint64_t first = static_cast<uint64_t>(page - 1) * static_cast<uint64_t>(page_size);
  const uint64_t last = first + static_cast<uint64_t>(page_size);
  uint64_t total = 0;
  JsonArena arena;
  json::storage_ptr sp = arena.storage();
  json::array out(sp);
  for (const Record& r : records) {  // newest first
    if (!category_indicators.empty() && !category_indicators.contains(r.indicator)) continue;
    const catalog::Indicator* ind = p.catalog().Find(r.indicator);
    if (!PubliclyVisible(r, ind)) continue;
    if (total >= first && total < last) out.push_back(RecordJson(r, ind, sp));
    ++total;
  }

  json::object o(sp);
  json::object subject_ref(sp);
  subject_ref["code"] = subject.DisplayCode();
  subject_ref["name"] = subject.name;
  o["subject"] = std::move(subject_ref);
  o["records"] = std::move(out);
  o["page"] = page;
  o["page_size"] = page_size;
  o["total"] = total;
  return JsonResponse(200, o);
}

}  // namespace xinyong::server
