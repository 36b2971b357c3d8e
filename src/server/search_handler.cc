// GET /api/v1/search: ranked name, pinyin and code search through the platform's name index
// (src/search). Natural persons are never found by name; a resident ID number finds its person
// for a viewer that may look up personal identifiers (search::Viewer), which no caller of the API
// is: a lookup by ID number is refused for every role (Platform::FindSubjectIdByNormalizedCode),
// so every caller searches as the public, and a person is reached by its P-code.
#include "ingest/field_validation.h"
#include "server/handlers.h"
#include "server/redact.h"

namespace xinyong::server {

namespace json = boost::json;

namespace {

constexpr int64_t kDefaultLimit = 20;
constexpr int64_t kMaxLimit = 100;
constexpr int64_t kMaxPage = 1000000;
constexpr size_t kMaxQueryBytes = 256;

}  // namespace

Response HandleSearch(Platform& p, const ApiCall& call) {
  const std::string* q_param = call.target.Query("q");
  std::string_view q = q_param ? ingest::TrimCell(*q_param) : std::string_view();
  if (q.empty()) return BadParameter("q", "q (the name or code to search for) must not be empty");
  if (q.size() > kMaxQueryBytes) {
    return BadParameter("q", "q must be at most " + std::to_string(kMaxQueryBytes) + " bytes");
  }
  int64_t limit = 0, page = 0;
  Response error;
  if (!IntParam(call, "limit", kDefaultLimit, 1, kMaxLimit, &limit, &error)) return error;
  if (!IntParam(call, "page", 1, 1, kMaxPage, &page, &error)) return error;
  search::SearchOptions options;
  options.limit = static_cast<size_t>(limit);
  options.offset = static_cast<size_t>(page - 1) * options.limit;
  if (options.offset + options.limit > search::kMaxResultDepth) {
    return BadParameter("page", "only the first " + std::to_string(search::kMaxResultDepth) +
                                    " results can be paged through (page × limit); narrow the "
                                    "query or choose a type");
  }
  if (const std::string* type = call.target.Query("type"); type != nullptr && !type->empty()) {
    auto t = ParseSubjectType(*type);
    if (!t || *t == SubjectType::kNaturalPerson) {
      return BadParameter("type", "type must be legal_person, individual_business or "
                                  "other_organization");
    }
    options.type = *t;
  }

  auto index = p.names();
  if (!index.ok()) return StatusResponse(index.status());
  auto found = (*index)->Search(q, options);
  if (!found.ok()) {
    if (found.status().code() == StatusCode::kInvalidArgument) {
      return BadParameter("q", found.status().message());
    }
    return StatusResponse(found.status());
  }

  JsonArena arena;
  json::storage_ptr sp = arena.storage();
  json::array results(sp);
  for (const search::Hit& h : found->hits) {
    json::object r(sp);
    r["code"] = h.code;
    r["name"] = h.name;
    r["type"] = SubjectTypeName(h.type);
    r["status"] = h.status;
    r["score"] = h.score;
    r["match"] = search::MatchKindName(h.match);
    r["match_class"] = search::MatchClassName(h.match_class);
    if (!h.matched_name.empty()) r["matched_name"] = h.matched_name;
    results.push_back(std::move(r));
  }
  json::object o(sp);
  o["query"] = RedactPersonalIds(q);  // a resident ID typed into the box is not echoed
  o["normalized"] = RedactPersonalIds(found->normalized_query);
  o["total"] = found->total;
  o["total_exact"] = found->total_exact;  // false: a common fragment, counted to a few thousand
  o["page"] = page;
  o["limit"] = limit;
  o["results"] = std::move(results);
  return JsonResponse(200, o);
}

}  // namespace xinyong::server
