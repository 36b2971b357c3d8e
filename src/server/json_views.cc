#include "server/json_views.h"

#include "core/industry.h"
#include "rules/record_fields.h"

namespace xinyong::server {

namespace json = boost::json;

bool PubliclyVisible(const Record& r, const catalog::Indicator* indicator) {
  return indicator != nullptr && r.status == RecordStatus::kActive &&
         rules::DisclosedToPublic(r, *indicator);
}

bool PublicityEnded(const Record& r, const catalog::Indicator* indicator, Date today) {
  return indicator != nullptr && indicator->publicity_max_months > 0 &&
         r.decision_date != Date() &&
         r.decision_date.AddMonths(indicator->publicity_max_months) <= today;
}

bool VisibilityNeedsValues(const catalog::Indicator* indicator) {
  return indicator != nullptr &&
         indicator->FieldIndexByRole(catalog::FieldRole::kPublicityType) >= 0;
}

namespace {

// A date as Date::ToString writes it (YYYY-MM-DD), without the allocation and the printf: a
// profile writes a dozen of them.
class DateText {
 public:
  explicit DateText(Date date) {
    int y = 0;
    unsigned m = 0, d = 0;
    CivilFromDays(date.days(), &y, &m, &d);
    if (y < 0 || y > 9999) {
      fallback_ = date.ToString();
      return;
    }
    const unsigned uy = static_cast<unsigned>(y);
    const unsigned digits[8] = {uy / 1000, uy / 100, uy / 10, uy, m / 10, m, d / 10, d};
    static constexpr int kPos[8] = {0, 1, 2, 3, 5, 6, 8, 9};
    for (int i = 0; i < 8; ++i) buf_[kPos[i]] = static_cast<char>('0' + digits[i] % 10);
    buf_[4] = buf_[7] = '-';
  }
  std::string_view view() const {
    return fallback_.empty() ? std::string_view(buf_, sizeof buf_) : fallback_;
  }

 private:
  char buf_[10] = {};
  std::string fallback_;
};

}  // namespace

void WriteSubject(JsonWriter& w, const Subject& s) {
  w.BeginObject();
  w.Member("code", s.DisplayCode());
  w.Member("name", s.name);
  w.Member("type", SubjectTypeName(s.type));
  w.Member("type_label", SubjectTypeLabel(s.type));
  if (!s.uscc.empty()) w.Member("uscc", s.uscc);
  w.Key("former_names");
  w.BeginArray();
  for (const auto& n : s.former_names) w.String(n);
  w.EndArray();
  w.Key("identifiers");
  w.BeginObject();
  // One member per kind, the latest code of a kind, as a JSON object can hold one.
  for (size_t i = 0; i < s.identifiers.size(); ++i) {
    const Identifier& id = s.identifiers[i];
    if (id.kind == IdentifierKind::kResidentIdHash || id.kind == IdentifierKind::kOtherIdHash) {
      continue;
    }
    bool later = false;
    for (size_t j = i + 1; j < s.identifiers.size() && !later; ++j) {
      later = s.identifiers[j].kind == id.kind;
    }
    if (!later) w.Member(IdentifierKindName(id.kind), id.value);
  }
  w.EndObject();
  if (!s.region.empty()) w.Member("region", s.region);
  if (!s.industry.empty()) {  // GB/T 4754-2017, from the registration record
    w.Member("industry", s.industry);
    w.Member("industry_name", industry::IndustryName(s.industry));
  }
  if (!s.id_masked.empty()) w.Member("id_number_masked", s.id_masked);
  // Always present, so that clients need not test for it: null until a registration says.
  w.Key("status");
  if (s.status.empty()) {
    w.Null();
  } else {
    w.String(s.status);
  }
  w.Member("first_seen", DateText(s.first_seen).view());
  w.EndObject();
}

void WriteRecord(JsonWriter& w, const Record& r, const catalog::Indicator* indicator,
                 bool under_objection) {
  w.BeginObject();
  w.Member("id", r.record_id);
  w.Member("version", r.version);
  w.Member("indicator", r.indicator);
  if (indicator) {
    w.Member("indicator_name", indicator->name);
    w.Member("category", indicator->category);
    w.Member("disclosure", catalog::DisclosureName(indicator->disclosure));
    // What the subject declared itself (自主申报): no department vouches for it.
    if (catalog::SelfDeclared(*indicator)) {
      w.Member("self_declared", true);
      w.Member("source_label", "自主申报");
    }
  }
  w.Member("status", RecordStatusName(r.status));
  if (under_objection) {
    w.Member("under_objection", true);
    w.Member("objection_label", "异议处理中");
  }
  if (r.decision_date != Date()) w.Member("decision_date", DateText(r.decision_date).view());
  w.Member("received_date", DateText(r.received_date).view());
  if (!r.document_number.empty()) w.Member("document_number", r.document_number);
  if (r.late) w.Member("late", true);
  w.Member("batch", r.batch_id);
  w.Key("fields");
  w.BeginObject();
  for (const auto [k, v] : r.values) w.Member(k, v);
  w.EndObject();
  w.EndObject();
}

namespace {

json::object ParseObject(const std::string& text, json::storage_ptr sp) {
  json::value v = json::parse(text, std::move(sp));
  return std::move(v.as_object());
}

}  // namespace

json::object SubjectJson(const Subject& s, json::storage_ptr sp) {
  std::string text;
  JsonWriter w(&text);
  WriteSubject(w, s);
  return ParseObject(text, std::move(sp));
}

json::object RecordJson(const Record& r, const catalog::Indicator* indicator,
                        json::storage_ptr sp, bool under_objection) {
  std::string text;
  JsonWriter w(&text);
  WriteRecord(w, r, indicator, under_objection);
  return ParseObject(text, std::move(sp));
}

json::object IndicatorJson(const catalog::Indicator& i, json::storage_ptr sp) {
  json::object o(sp);
  o["code"] = i.code;
  o["name"] = i.name;
  o["category"] = i.category;
  json::array depts(sp);
  for (const auto& d : i.source_departments) depts.emplace_back(d);
  o["source_departments"] = std::move(depts);
  json::array types(sp);
  for (auto t : i.subject_types) types.emplace_back(SubjectTypeName(t));
  o["subject_types"] = std::move(types);
  o["disclosure"] = catalog::DisclosureName(i.disclosure);
  o["disclosure_label"] = catalog::DisclosureLabel(i.disclosure);
  o["nature"] = catalog::NatureName(i.nature);
  o["severity"] = catalog::SeverityName(i.severity);
  o["publicity_min_months"] = i.publicity_min_months;
  o["publicity_max_months"] = i.publicity_max_months;
  o["retention_years"] = i.retention_years;
  o["legal_basis"] = i.legal_basis;
  o["shuanggongshi"] = i.shuanggongshi;
  json::array nk(sp);
  for (const auto& k : i.natural_key) nk.emplace_back(k);
  o["natural_key"] = std::move(nk);
  if (!i.serious_when.empty()) {
    json::array rules(sp);
    for (const catalog::SeriousWhen& w : i.serious_when) {
      json::object ro(sp);
      ro["field"] = w.field;
      if (!w.contains_any.empty()) {
        json::array any(sp);
        for (const auto& v : w.contains_any) any.emplace_back(v);
        ro["contains_any"] = std::move(any);
      }
      if (w.at_least) ro["at_least"] = *w.at_least;
      ro["legal_basis"] = w.legal_basis;
      rules.push_back(std::move(ro));
    }
    o["serious_when"] = std::move(rules);
  }
  json::array fields(sp);
  for (const auto& f : i.fields) {
    json::object fo(sp);
    fo["code"] = f.code;
    fo["label"] = f.label;
    fo["type"] = catalog::FieldTypeName(f.type);
    fo["required"] = f.required;
    if (f.max_length) fo["max_length"] = f.max_length;
    if (!f.enum_values.empty()) {
      json::array vals(sp);
      for (const auto& v : f.enum_values) vals.emplace_back(v);
      fo["values"] = std::move(vals);
    }
    fields.push_back(std::move(fo));
  }
  o["fields"] = std::move(fields);
  return o;
}

json::object RowIssueJson(const RowIssue& i) {
  return {{"row", i.row}, {"field", i.field}, {"code", i.code}, {"message", i.message}};
}

json::object BatchReportJson(const BatchReport& b, bool with_issues) {
  json::object o;
  o["batch"] = b.id;
  o["file"] = b.file;
  o["part"] = b.part;
  o["indicator"] = b.indicator;
  o["dept"] = b.dept;
  o["encoding"] = b.encoding;
  o["format"] = b.format;
  o["received_date"] = b.received_date.ToString();
  o["first_row"] = b.first_row;
  o["rows"] = b.rows;
  o["accepted"] = b.accepted;
  o["rejected"] = b.rejected;
  o["duplicates"] = b.duplicates;
  o["corrected"] = b.corrected;
  o["late"] = b.late;
  o["new_subjects"] = b.new_subjects;
  o["seconds"] = b.seconds;
  if (with_issues) {
    json::array rej, warn;
    for (const auto& i : b.rejections) rej.push_back(RowIssueJson(i));
    for (const auto& i : b.warnings) warn.push_back(RowIssueJson(i));
    o["rejections"] = std::move(rej);
    o["warnings"] = std::move(warn);
  }
  return o;
}

json::object FileReportJson(const ingest::FileReport& f) {
  json::object o;
  o["file"] = f.file;
  o["indicator"] = f.indicator;
  o["encoding"] = f.encoding;
  o["format"] = f.format;
  o["batch"] = f.batches.empty() ? 0 : f.batches.front();
  json::array batches;
  for (auto b : f.batches) batches.emplace_back(b);
  o["batches"] = std::move(batches);
  o["rows"] = f.rows;
  o["accepted"] = f.accepted;
  o["rejected"] = f.rejected;
  o["duplicates"] = f.duplicates;
  o["corrected"] = f.corrected;
  o["late"] = f.late;
  o["derived"] = f.derived;
  o["new_subjects"] = f.new_subjects;
  o["warnings"] = f.warnings;
  o["seconds"] = f.seconds;
  json::array where;
  for (auto b : f.batches) where.emplace_back("/api/v1/batches/" + std::to_string(b));
  o["rejection_report"] = std::move(where);
  return o;
}

json::object StatsJson(const storage::StoreStats& s) {
  json::object o;
  o["subjects"] = s.subjects;
  o["records"] = s.records;
  o["record_versions"] = s.record_versions;
  o["batches"] = s.batches;
  json::object per;
  for (const auto& [k, v] : s.records_by_indicator) per[k] = v;
  o["records_by_indicator"] = std::move(per);
  o["store_bytes"] = s.disk_bytes;
  return o;
}

}  // namespace xinyong::server
