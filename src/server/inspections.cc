#include "server/inspections.h"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <unordered_map>

#include "core/identifiers.h"
#include "core/industry.h"
#include "core/utf8.h"
#include "ingest/encoding.h"
#include "rules/inspection.h"
#include "server/redact.h"

namespace xinyong::server {

namespace json = boost::json;

namespace {

constexpr size_t kMaxFindingsChars = 2000;
constexpr size_t kMaxDepartmentChars = 200;

int64_t NowUnixMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string Hex(const unsigned char* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[p[i] >> 4]);
    out.push_back(kDigits[p[i] & 15]);
  }
  return out;
}

// A code as an error message may show it: a resident ID number typed where a subject code
// belongs is masked, anything else cut to a readable length.
std::string Shown(std::string_view input) {
  const std::string code = ident::NormalizeCodeInput(input);
  if (code.size() == 18 || code.size() == 15) {
    if (ident::ParseResidentId(code, Date::Today()).ok()) return ident::MaskResidentId(code);
  }
  std::string out(input.substr(0, 64));
  out.resize(ingest::ValidUtf8Prefix(out));
  return out;
}

// The grade a draw uses for one organization: the stored one under the loaded model.
struct StoredGrade {
  uint64_t subject = 0;
  char grade = 0;     // 'A'..'D'
  int32_t as_of = 0;  // days
  int64_t unix_ms = 0;
};

void RedactString(json::value* v) {
  if (v != nullptr && v->is_string()) *v = json::string(RedactPersonalIds(v->as_string()));
}

void RedactPublishedTexts(json::object* doc) {
  RedactString(doc->if_contains("purpose"));
  json::value* drawn = doc->if_contains("drawn");
  if (drawn == nullptr || !drawn->is_array()) return;
  for (json::value& e : drawn->as_array()) {
    json::value* result = e.is_object() ? e.as_object().if_contains("result") : nullptr;
    if (result == nullptr || !result->is_object()) continue;
    RedactString(result->as_object().if_contains("findings"));
    json::value* history = result->as_object().if_contains("history");
    if (history == nullptr || !history->is_array()) continue;
    for (json::value& h : history->as_array()) {
      if (h.is_object()) RedactString(h.as_object().if_contains("findings"));
    }
  }
}

std::string_view StringAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

}  // namespace

Result<json::object> ParseInspectionDocument(uint64_t id, std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object() || !v.as_object().contains("drawn") ||
      !v.as_object().at("drawn").is_array()) {
    return Status::DataLoss("inspection draw " + std::to_string(id) + " is corrupt");
  }
  RedactPublishedTexts(&v.as_object());
  return std::move(v.as_object());
}

Result<json::object> DrawInspection(Platform& p, const DrawRequest& r, Date today) {
  if (!(r.base_ratio > 0 && r.base_ratio <= 1)) {
    return Status::InvalidArgument("base_ratio must be in (0, 1]");
  }
  if (r.purpose.empty() || r.department.empty()) {
    return Status::InvalidArgument("purpose and department are required");
  }
  std::string industry_scope;
  if (!r.industry.empty()) {
    auto code = industry::ParseIndustryCode(r.industry);
    if (!code.ok()) return Status::InvalidArgument("industry: " + code.status().message());
    industry_scope = std::move(code).value();
  }
  uint64_t seed = r.seed;
  while (seed == 0)
    seed = (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
  const rules::InspectionRatios& ratios = p.inspection_ratios();
  const std::string& model = p.evaluation().name();

  // The stored grades, in subject order (a grade under another model is not current: the
  // operator's next full recompute replaces it).
  XY_ASSIGN_OR_RETURN(std::optional<storage::GradingRun> run, p.store().LastGradingRun());
  std::vector<StoredGrade> grades;
  XY_RETURN_IF_ERROR(
      p.store().ScanGrades(0, [&](uint64_t id, const storage::CurrentGrade& c) -> Result<bool> {
        const SubjectGrade& g = c.grade;
        if (g.model == model && g.grade.size() == 1) {
          grades.push_back({id, g.grade[0], g.as_of.days(), g.unix_ms});
        }
        return true;
      }));

  uint64_t in_scope = 0;
  std::map<std::string, uint64_t> by_grade{{"A", 0}, {"B", 0}, {"C", 0}, {"D", 0}, {"none", 0}};
  int64_t newest = 0;
  std::vector<std::pair<std::string, char>> lines;  // (code, grade) of every subject in scope
  json::array drawn;
  std::vector<uint64_t> drawn_ids;
  size_t next = 0;
  XY_RETURN_IF_ERROR(p.store().ScanSubjects([&](const Subject& s) -> Status {
    if (s.type == SubjectType::kNaturalPerson) return Status::Ok();
    if (s.RegistrationEnded()) return Status::Ok();  // deregistered or revoked: none to inspect
    if (r.type && s.type != *r.type) return Status::Ok();
    if (!r.region.empty() && !s.region.starts_with(r.region)) return Status::Ok();
    if (!industry::InIndustryScope(s.industry, industry_scope)) return Status::Ok();
    ++in_scope;
    while (next < grades.size() && grades[next].subject < s.id) ++next;
    const StoredGrade* g =
        next < grades.size() && grades[next].subject == s.id ? &grades[next] : nullptr;
    const std::string grade = g != nullptr ? std::string(1, g->grade) : std::string();
    ++by_grade[g != nullptr ? grade : "none"];
    std::string code = s.DisplayCode();
    if (rules::Drawn(seed, code, grade, r.base_ratio, ratios)) {
      json::object d{{"code", code}, {"name", s.name}};
      d["industry"] = s.industry;
      d["grade"] = grade;
      if (g != nullptr) {
        // The grade is current as of its own day, or the last full recompute's when later.
        int32_t day = g->as_of;
        if (run && run->as_of.days() > day) day = run->as_of.days();
        d["grade_date"] = Date::FromDays(day).ToString();
      } else {
        d["grade_date"] = nullptr;
      }
      d["ratio"] = std::min(1.0, r.base_ratio * ratios.Multiplier(grade));
      drawn.push_back(std::move(d));
      drawn_ids.push_back(s.id);
    }
    if (g != nullptr) newest = std::max(newest, g->unix_ms);
    lines.emplace_back(std::move(code), g != nullptr ? g->grade : '\0');
    return Status::Ok();
  }));

  std::sort(lines.begin(), lines.end());
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 32);
  for (const auto& [code, grade] : lines) {
    std::string line = code + "\t";
    if (grade != '\0') line.push_back(grade);
    line.push_back('\n');
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(line.data()),
                              line.size());
  }
  unsigned char digest[32];
  crypto_generichash_final(&state, digest, sizeof digest);

  json::object multipliers;
  for (const auto& [g, m] : ratios.multipliers()) multipliers[g] = m;
  json::object scope{{"region", r.region}, {"industry", industry_scope}};
  scope["industry_name"] = industry_scope.empty()
                               ? json::value(nullptr)
                               : json::value(industry::IndustryName(industry_scope));
  scope["type"] = r.type ? json::value(SubjectTypeName(*r.type)) : json::value(nullptr);
  json::object counts;
  for (const auto& [g, n] : by_grade) counts[g] = n;
  json::object grade_source{{"source", "stored"}, {"model", model}};
  grade_source["last_full_run"] =
      run ? json::value(json::object{{"date", run->as_of.ToString()}, {"unix_ms", run->unix_ms}})
          : json::value(nullptr);
  grade_source["newest_unix_ms"] = newest;
  grade_source["by_grade"] = std::move(counts);

  const uint64_t id = p.store().NextId(storage::IdSpace::kInspection);
  json::object doc{
      {"id", id},
      {"date", today.ToString()},
      {"unix_ms", NowUnixMs()},
      {"department", r.department},
      {"purpose", RedactPersonalIds(r.purpose)},  // published: no ID number in it
      {"scope", std::move(scope)},
      {"base_ratio", r.base_ratio},
      {"seed", std::to_string(seed)},  // as text: JSON numbers lose 64-bit precision
      // "random": picked by the platform; "given": the operator's (a re-run of a published draw).
      {"seed_source", r.seed == 0 ? "random" : "given"},
      {"multipliers", std::move(multipliers)},
      {"legal_basis", ratios.legal_basis()},
      {"rule",
       "drawn iff DrawUniform(seed, code) < min(1, base_ratio × multiplier[grade]); grade: the "
       "subject's stored composite-evaluation grade at the draw (grades.model), none → "
       "multiplier 1; in scope: organizations of the scope whose registration has not ended "
       "(注销, 吊销, 撤销 are left out)"},
      {"grades", std::move(grade_source)},
      {"in_scope", in_scope},
      {"scope_digest", Hex(digest, sizeof digest)},
      {"drawn", std::move(drawn)}};
  XY_RETURN_IF_ERROR(p.store().SaveInspection(id, json::serialize(doc), drawn_ids));
  return doc;
}

json::object InspectionCounts(const json::object& doc) {
  uint64_t drawn = 0, recorded = 0, problems = 0;
  std::map<std::string, uint64_t, std::less<>> by_name;
  if (const json::value* d = doc.if_contains("drawn"); d != nullptr && d->is_array()) {
    for (const json::value& e : d->as_array()) {
      ++drawn;
      const json::value* r = e.is_object() ? e.as_object().if_contains("result") : nullptr;
      if (r == nullptr || !r->is_object()) continue;
      ++recorded;
      ++by_name[std::string(StringAt(r->as_object(), "result"))];
      if (const json::value* pr = r->as_object().if_contains("problem");
          pr != nullptr && pr->is_bool() && pr->as_bool()) {
        ++problems;
      }
    }
  }
  json::array by_result;
  for (const rules::InspectionResult& c : rules::InspectionResults()) {
    auto it = by_name.find(c.name);
    if (it == by_name.end()) continue;
    by_result.push_back(
        json::object{{"result", c.name}, {"label", c.label}, {"count", it->second}});
  }
  return json::object{{"drawn", drawn},
                      {"recorded", recorded},
                      {"pending", drawn - recorded},
                      {"with_problems", problems},
                      {"by_result", std::move(by_result)}};
}

Result<RecordedResults> RecordInspectionResults(Platform& p, const InspectionResultsRequest& r,
                                                Date today, int64_t unix_ms,
                                                std::string* bad_field) {
  auto invalid = [bad_field](std::string field, const std::string& message) {
    *bad_field = field;
    return Status::InvalidArgument(field + ": " + message);
  };
  if (r.department.empty()) return invalid("department", "the recording department is required");
  if (Utf8Length(r.department) > kMaxDepartmentChars) {
    return invalid("department", "at most " + std::to_string(kMaxDepartmentChars) + " characters");
  }
  if (r.items.empty()) return invalid("items", "at least one result is required");

  // One read-modify-write of the draw at a time: results posted concurrently are all kept.
  std::lock_guard lock(p.inspection_mutex());
  XY_ASSIGN_OR_RETURN(std::optional<std::string> text, p.store().GetInspection(r.draw));
  if (!text) return Status::NotFound("no inspection draw has the id " + std::to_string(r.draw));
  XY_ASSIGN_OR_RETURN(json::object doc, ParseInspectionDocument(r.draw, *text));
  text.reset();
  if (r.drawing_department_only && StringAt(doc, "department") != r.department) {
    return Status::PermissionDenied(
        "inspection " + std::to_string(r.draw) + " was drawn by " +
        std::string(StringAt(doc, "department")) +
        "; its results are recorded by that department or the operator, not by " + r.department);
  }
  auto drawn_on = Date::Parse(StringAt(doc, "date"));
  if (!drawn_on.ok())
    return Status::DataLoss("inspection draw " + std::to_string(r.draw) + " has no date");
  json::array& drawn = doc["drawn"].as_array();
  std::unordered_map<std::string, size_t> by_code;
  by_code.reserve(drawn.size());
  for (size_t i = 0; i < drawn.size(); ++i) {
    if (drawn[i].is_object())
      by_code.emplace(std::string(StringAt(drawn[i].as_object(), "code")), i);
  }

  // Every item is checked before anything is written.
  struct Valid {
    size_t entry;
    const rules::InspectionResult* result;
    Date checked;
  };
  std::vector<Valid> valid;
  valid.reserve(r.items.size());
  std::set<size_t> seen;
  for (size_t k = 0; k < r.items.size(); ++k) {
    const InspectionResultItem& item = r.items[k];
    const std::string at = "items[" + std::to_string(k) + "].";
    const std::string code = ident::NormalizeCodeInput(item.code);
    if (code.empty()) return invalid(at + "code", "the subject's code is required");
    auto hit = by_code.find(code);
    if (hit == by_code.end()) {
      // Another code of a drawn subject (a legacy code, the USCC it got since).
      if (auto s = p.FindSubjectByCode(item.code); s.ok()) {
        for (const std::string& other : s->PublicCodes()) {
          if (hit = by_code.find(other); hit != by_code.end()) break;
        }
      }
    }
    if (hit == by_code.end()) {
      return invalid(at + "code", Shown(item.code) + " was not drawn in inspection " +
                                      std::to_string(r.draw) + "; only drawn subjects get results");
    }
    if (!seen.insert(hit->second).second) {
      return invalid(at + "code", Shown(item.code) + " has a second result in this request");
    }
    const rules::InspectionResult* result = rules::FindInspectionResult(item.result);
    if (result == nullptr) {
      std::string choices;
      for (const rules::InspectionResult& c : rules::InspectionResults()) {
        choices +=
            (choices.empty() ? "" : ", ") + std::string(c.name) + " (" + std::string(c.label) + ")";
      }
      return invalid(at + "result",
                     "'" + Shown(item.result) + "' is not a result category; one of: " + choices);
    }
    auto checked = Date::Parse(item.checked);
    if (!checked.ok()) {
      return invalid(at + "checked", "'" + Shown(item.checked) +
                                         "' is not a date (the day of the inspection, YYYY-MM-DD)");
    }
    if (*checked < *drawn_on) {
      return invalid(at + "checked",
                     checked->ToString() + " is before the draw (" + drawn_on->ToString() + ")");
    }
    if (*checked > today) {
      return invalid(at + "checked",
                     checked->ToString() + " is in the future (today is " + today.ToString() + ")");
    }
    if (Utf8Length(item.findings) > kMaxFindingsChars) {
      return invalid(at + "findings",
                     "at most " + std::to_string(kMaxFindingsChars) + " characters");
    }
    if (result->problem && item.findings.empty()) {
      return invalid(at + "findings", "findings (what was found) are required for the result " +
                                          std::string(result->label));
    }
    valid.push_back({hit->second, result, *checked});
  }

  RecordedResults out;
  for (size_t k = 0; k < valid.size(); ++k) {
    const Valid& v = valid[k];
    json::object& entry = drawn[v.entry].as_object();
    json::object now{{"result", v.result->name},        {"label", v.result->label},
                     {"problem", v.result->problem},    {"checked", v.checked.ToString()},
                     {"findings", RedactPersonalIds(r.items[k].findings)},  // published
                     {"department", r.department},
                     {"recorded_unix_ms", unix_ms}};
    json::value* before = entry.if_contains("result");
    if (before != nullptr && before->is_object()) {
      json::object& old = before->as_object();
      bool same = true;
      for (const char* key : {"result", "checked", "findings", "department"}) {
        same = same && StringAt(old, key) == StringAt(now, key);
      }
      if (same) {
        ++out.unchanged;
        out.entries.push_back(entry);
        continue;
      }
      // A correction: the value it replaces goes to the history, oldest first.
      json::array history;
      if (json::value* h = old.if_contains("history"); h != nullptr && h->is_array()) {
        history = std::move(h->as_array());
      }
      old.erase("history");
      history.push_back(std::move(old));
      now["history"] = std::move(history);
      ++out.corrected;
    } else {
      ++out.recorded;
    }
    entry["result"] = std::move(now);
    out.entries.push_back(entry);
  }
  if (out.recorded + out.corrected > 0) {
    XY_RETURN_IF_ERROR(p.store().SaveInspection(r.draw, json::serialize(doc), {}));
  }
  out.counts = InspectionCounts(doc);
  return out;
}

Result<std::optional<json::object>> GetInspectionDocument(Platform& p, uint64_t id) {
  XY_ASSIGN_OR_RETURN(std::optional<std::string> text, p.store().GetInspection(id));
  if (!text) return std::optional<json::object>();
  XY_ASSIGN_OR_RETURN(json::object doc, ParseInspectionDocument(id, *text));
  doc["counts"] = InspectionCounts(doc);
  return std::optional<json::object>(std::move(doc));
}

Result<json::array> SubjectInspections(Platform& p, const Subject& subject, size_t limit) {
  std::vector<uint64_t> ids;
  XY_RETURN_IF_ERROR(p.store().ListSubjectInspections(subject.id, &ids));
  // The codes a draw may have published for the subject: the one it shows now, or one it had
  // then (a legacy code before its USCC).
  const std::vector<std::string> public_codes = subject.PublicCodes();
  const std::set<std::string, std::less<>> codes(public_codes.begin(), public_codes.end());
  json::array out;
  for (uint64_t id : ids) {
    if (out.size() >= limit) break;
    XY_ASSIGN_OR_RETURN(std::optional<std::string> text, p.store().GetInspection(id));
    if (!text) continue;
    XY_ASSIGN_OR_RETURN(json::object doc, ParseInspectionDocument(id, *text));
    for (const json::value& e : doc["drawn"].as_array()) {
      if (!e.is_object() || !codes.contains(StringAt(e.as_object(), "code"))) continue;
      const json::object& d = e.as_object();
      json::object o{{"id", id}};
      for (const char* k : {"date", "department", "purpose", "scope"}) {
        if (const json::value* v = doc.if_contains(k)) o[k] = *v;
      }
      o["code"] = d.at("code");
      for (const char* k : {"grade", "grade_date", "ratio"}) {
        const json::value* v = d.if_contains(k);
        o[k] = v != nullptr ? *v : json::value(nullptr);
      }
      const json::value* result = d.if_contains("result");
      o["result"] = result != nullptr ? *result : json::value(nullptr);
      out.push_back(std::move(o));
      break;
    }
  }
  return out;
}

}  // namespace xinyong::server
