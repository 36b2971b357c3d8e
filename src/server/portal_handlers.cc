// Handlers of the portal's public read endpoints: the 双公示 publicity listing of licence and
// penalty decisions (publicity.h) and the loaded list of reward and punishment measures
// (rules/measures.h), for the portal and the console's measure browser. Public to every role;
// what they show is public data only.
#include "ingest/field_validation.h"
#include "rules/measures.h"
#include "server/handlers.h"
#include "server/publicity.h"

namespace xinyong::server {

namespace json = boost::json;

namespace {

constexpr int64_t kDefaultPageSize = 20;
constexpr int64_t kMaxPageSize = 100;
constexpr int64_t kMaxPage = 100'000;
constexpr size_t kMaxDeptBytes = 600;  // 200 characters, the fields' max_length

json::value TextOrNull(std::string_view s) {
  return s.empty() ? json::value(nullptr) : json::value(json::string(s));
}

json::object TriggerJson(const rules::Trigger& t) {
  json::object o;
  o["type"] = rules::TriggerTypeName(t.type);
  o["label"] = rules::TriggerTypeLabel(t.type);
  switch (t.type) {
    case rules::TriggerType::kList:
      o["indicator"] = t.indicator;
      break;
    case rules::TriggerType::kRecord: {
      o["indicator"] = t.indicator;
      o["nature"] = catalog::NatureName(t.nature);
      json::array severities;
      for (catalog::Severity s : t.severities) severities.emplace_back(catalog::SeverityName(s));
      o["severities"] = std::move(severities);
      o["window_days"] = t.window_days;
      o["min_count"] = t.min_count;
      break;
    }
    case rules::TriggerType::kGrade: {
      json::array grades;
      for (const std::string& g : t.grades) grades.emplace_back(g);
      o["grades"] = std::move(grades);
      break;
    }
    case rules::TriggerType::kCommitmentBreached:
      o["indicator"] = t.indicator;
      o["window_days"] = t.window_days;
      break;
  }
  return o;
}

json::object MeasureJson(const rules::Measure& m) {
  json::array targets;
  for (rules::Target t : m.targets) targets.emplace_back(rules::TargetName(t));
  json::array scenarios;
  for (const std::string& s : m.scenarios) scenarios.emplace_back(s);
  json::object o;
  o["code"] = m.code;
  o["kind"] = rules::MeasureKindName(m.kind);
  o["kind_label"] = rules::MeasureKindLabel(m.kind);
  o["category"] = rules::MeasureCategoryName(m.category);
  o["category_label"] = rules::MeasureCategoryLabel(m.category);
  o["content"] = m.content;
  // A measure may reach several (对象); `target` is the first, `targets` all of them.
  o["target"] =
      m.targets.empty() ? json::value(nullptr) : json::value(rules::TargetName(m.targets.front()));
  o["targets"] = std::move(targets);
  o["legal_basis"] = m.legal_basis;
  o["implementing_body"] = m.implementing_body;
  o["mandatory"] = m.mandatory;
  o["scenarios"] = std::move(scenarios);
  o["trigger"] = TriggerJson(m.trigger);
  return o;
}

}  // namespace

Response HandlePublicity(Platform& p, const ApiCall& call) {
  const std::string* kind_name = call.target.Query("kind");
  if (kind_name == nullptr || kind_name->empty()) {
    return BadParameter("kind", "kind (licence or penalty) is required");
  }
  const PublicityKind* kind = FindPublicityKind(*kind_name);
  if (kind == nullptr) return BadParameter("kind", "kind must be licence or penalty");
  PublicityQuery q;
  q.kind = kind;
  int64_t page = 0, page_size = 0;
  Response error;
  if (!IntParam(call, "page", 1, 1, kMaxPage, &page, &error) ||
      !IntParam(call, "page_size", kDefaultPageSize, 1, kMaxPageSize, &page_size, &error) ||
      !DateParam(call, "from", &q.from, &error) || !DateParam(call, "to", &q.to, &error)) {
    return error;
  }
  if (q.from && q.to && *q.from > *q.to) {
    return BadParameter("from",
                        "from (" + q.from->ToString() + ") is after to (" + q.to->ToString() + ")");
  }
  if (const std::string* d = call.target.Query("dept"); d != nullptr) {
    if (d->size() > kMaxDeptBytes) {
      return BadParameter("dept",
                          "dept must be at most " + std::to_string(kMaxDeptBytes) + " bytes");
    }
    q.dept = std::string(ingest::TrimCell(*d));
  }
  if (const std::string* a = call.target.Query("after"); a != nullptr && !a->empty()) {
    auto cursor = ParseCursor(*a);
    if (!cursor.ok()) return BadParameter("after", cursor.status().message());
    q.after = *cursor;
  }
  q.skip = static_cast<uint64_t>(page - 1) * static_cast<uint64_t>(page_size);
  q.take = static_cast<size_t>(page_size);

  PublicityPage result;
  if (Status st = ListPublicity(p, q, Date::Today(), &result); !st.ok()) return StatusResponse(st);

  const catalog::Indicator* ind = p.catalog().Find(kind->indicator);
  json::array departments;
  for (const std::string& d : ind->source_departments) departments.emplace_back(d);
  json::array items;
  for (const PublicityItem& item : result.items) items.push_back(PublicityItemJson(item, *kind));
  json::object o;
  o["kind"] = kind->name;
  o["indicator"] = kind->indicator;
  o["name"] = ind->name;
  o["from"] = q.from ? json::value(q.from->ToString()) : json::value(nullptr);
  o["to"] = q.to ? json::value(q.to->ToString()) : json::value(nullptr);
  o["dept"] = TextOrNull(q.dept);
  o["page"] = page;
  o["page_size"] = page_size;
  o["has_more"] = result.more;
  o["next"] = result.next ? json::value(EncodeCursor(*result.next)) : json::value(nullptr);
  o["departments"] = std::move(departments);
  o["items"] = std::move(items);
  return JsonResponse(200, o);
}

Response HandleMeasures(Platform& p, const ApiCall& call) {
  const rules::MeasureCatalog& catalog = p.measures();
  const rules::Scenario* scenario = nullptr;
  if (const std::string* s = call.target.Query("scenario"); s != nullptr && !s->empty()) {
    scenario = catalog.FindScenario(*s);
    if (scenario == nullptr) {
      // Echoed only when short (a scenario code is ASCII; a cut could split a character).
      const std::string named = s->size() <= 64 ? "scenario '" + *s + "'" : "the scenario given";
      return BadParameter("scenario", named +
                                          " is not a scenario of the measures list; "
                                          "the answer's scenarios name them");
    }
  }
  std::optional<rules::MeasureKind> kind;
  if (const std::string* k = call.target.Query("kind"); k != nullptr && !k->empty()) {
    kind = rules::ParseMeasureKind(*k);
    if (!kind) return BadParameter("kind", "kind must be reward or punishment");
  }
  json::array scenarios;
  for (const rules::Scenario& s : catalog.scenarios()) {
    scenarios.push_back(json::object{
        {"code", s.code}, {"name", s.label}, {"description", TextOrNull(s.description)}});
  }
  json::array measures;
  auto add = [&](const rules::Measure& m) {
    if (!kind || m.kind == *kind) measures.push_back(MeasureJson(m));
  };
  if (scenario != nullptr) {
    for (const rules::Measure* m : catalog.ForScenario(scenario->code)) add(*m);
  } else {
    for (const rules::Measure& m : catalog.measures()) add(m);
  }
  json::object o;
  o["scenario"] = scenario ? json::value(scenario->code) : json::value(nullptr);
  o["kind"] = kind ? json::value(rules::MeasureKindName(*kind)) : json::value(nullptr);
  o["scenarios"] = std::move(scenarios);
  o["measures"] = std::move(measures);
  return JsonResponse(200, o);
}

}  // namespace xinyong::server
