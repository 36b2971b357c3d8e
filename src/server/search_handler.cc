// GET /api/v1/search: the interim name/code search. A subject code finds its subject (score 1.0);
// otherwise names are matched by prefix through the store's name index. Natural persons are never
// found by name: a person's name is personal data, not a public key. The n-gram search of
// src/search replaces the name part in a later issue; this file is the one to swap.
#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "core/identifiers.h"
#include "ingest/field_validation.h"
#include "server/handlers.h"
#include "server/redact.h"

namespace xinyong::server {

namespace json = boost::json;

namespace {

constexpr int64_t kDefaultLimit = 20;
constexpr int64_t kMaxLimit = 100;
constexpr size_t kMaxQueryBytes = 256;

struct Hit {
  Subject subject;
  double score = 0;
};

std::string ReplaceAll(std::string s, std::string_view from, std::string_view to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

// Registered names use full-width brackets "（）"; people type either kind.
std::vector<std::string> NameVariants(std::string_view q) {
  std::vector<std::string> out{std::string(q)};
  std::string full = ReplaceAll(ReplaceAll(std::string(q), "(", "（"), ")", "）");
  std::string half = ReplaceAll(ReplaceAll(std::string(q), "（", "("), "）", ")");
  if (full != out[0]) out.push_back(full);
  if (half != out[0] && half != full) out.push_back(half);
  return out;
}

// 1.0 for the exact name, 0.8 for a prefix less 0.02 per further character (at least 0.3); a
// former name scores 0.1 less than the current one would.
double NameScore(const Subject& s, const std::vector<std::string>& variants) {
  auto score = [&](std::string_view name) -> double {
    double best = 0;
    for (const auto& q : variants) {
      if (name == q) return 1.0;
      if (name.starts_with(q)) {
        double extra = static_cast<double>(Utf8Length(name) - Utf8Length(q));
        best = std::max(best, std::max(0.3, 0.8 - 0.02 * extra));
      }
    }
    return best;
  };
  double best = score(s.name);
  for (const auto& former : s.former_names) best = std::max(best, score(former) - 0.1);
  return std::round(best * 1000) / 1000;
}

}  // namespace

Response HandleSearch(Platform& p, const ApiCall& call) {
  const std::string* q_param = call.target.Query("q");
  std::string_view q = q_param ? ingest::TrimCell(*q_param) : std::string_view();
  if (q.empty()) return BadParameter("q", "q (the name or code to search for) must not be empty");
  if (q.size() > kMaxQueryBytes) {
    return BadParameter("q", "q must be at most " + std::to_string(kMaxQueryBytes) + " bytes");
  }
  int64_t limit = 0;
  Response error;
  if (!IntParam(call, "limit", kDefaultLimit, 1, kMaxLimit, &limit, &error)) return error;

  std::vector<Hit> hits;
  std::unordered_set<uint64_t> seen;
  // A code first. Failures (not a code, a resident ID) just mean no code hit.
  if (auto by_code = p.FindSubjectByCode(q); by_code.ok()) {
    seen.insert(by_code->id);
    hits.push_back({std::move(by_code).value(), 1.0});
  }

  // Then names. Natural persons are dropped after the lookup, so fetch more than asked for.
  const size_t fetch = static_cast<size_t>(limit) * 4 + 16;
  const std::vector<std::string> variants = NameVariants(q);
  std::vector<uint64_t> ids;
  for (const auto& v : variants) {
    Status st = p.store().FindSubjectsByNamePrefix(v, fetch, &ids);
    if (!st.ok()) return StatusResponse(st);
  }
  std::vector<Hit> by_name;
  for (uint64_t id : ids) {
    if (!seen.insert(id).second) continue;
    auto s = p.store().GetSubject(id);
    if (!s.ok()) return StatusResponse(s.status());
    if (!s->has_value() || (*s)->type == SubjectType::kNaturalPerson) continue;
    double score = NameScore(**s, variants);
    if (score <= 0) continue;
    by_name.push_back({std::move(**s), score});
  }
  std::stable_sort(by_name.begin(), by_name.end(), [](const Hit& a, const Hit& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.subject.name < b.subject.name;
  });
  for (auto& h : by_name) hits.push_back(std::move(h));
  if (hits.size() > static_cast<size_t>(limit)) hits.resize(static_cast<size_t>(limit));

  JsonArena arena;
  json::storage_ptr sp = arena.storage();
  json::array results(sp);
  for (const Hit& h : hits) {
    json::object r(sp);
    r["code"] = h.subject.DisplayCode();
    r["name"] = h.subject.name;
    r["type"] = SubjectTypeName(h.subject.type);
    r["score"] = h.score;
    results.push_back(std::move(r));
  }
  json::object o(sp);
  o["query"] = RedactPersonalIds(q);  // a resident ID typed into the box is not echoed
  o["results"] = std::move(results);
  return JsonResponse(200, o);
}

}  // namespace xinyong::server
