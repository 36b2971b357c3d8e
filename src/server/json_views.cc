#include "server/json_views.h"

namespace xinyong::server {

namespace json = boost::json;

bool IsPublic(const catalog::Indicator* indicator) {
  return indicator != nullptr && indicator->disclosure == catalog::Disclosure::kPublic;
}

bool PubliclyVisible(const Record& r, const catalog::Indicator* indicator) {
  return IsPublic(indicator) && r.status == RecordStatus::kActive;
}

json::object SubjectJson(const Subject& s, json::storage_ptr sp) {
  json::object o(sp);
  o["code"] = s.DisplayCode();
  o["name"] = s.name;
  o["type"] = SubjectTypeName(s.type);
  o["type_label"] = SubjectTypeLabel(s.type);
  if (!s.uscc.empty()) o["uscc"] = s.uscc;
  json::array former(sp);
  for (const auto& n : s.former_names) former.emplace_back(n);
  o["former_names"] = std::move(former);
  json::object ids(sp);
  for (const auto& i : s.identifiers) {
    if (i.kind == IdentifierKind::kResidentIdHash || i.kind == IdentifierKind::kOtherIdHash) continue;
    ids[IdentifierKindName(i.kind)] = i.value;
  }
  o["identifiers"] = std::move(ids);
  if (!s.region.empty()) o["region"] = s.region;
  if (!s.id_masked.empty()) o["id_number_masked"] = s.id_masked;
  if (!s.status.empty()) o["status"] = s.status;
  o["first_seen"] = s.first_seen.ToString();
  return o;
}

json::object RecordJson(const Record& r, const catalog::Indicator* indicator,
                        json::storage_ptr sp) {
  json::object o(sp);
  o["id"] = r.record_id;
  o["version"] = r.version;
  o["indicator"] = r.indicator;
  if (indicator) {
    o["indicator_name"] = indicator->name;
    o["category"] = indicator->category;
    o["disclosure"] = catalog::DisclosureName(indicator->disclosure);
  }
  o["status"] = RecordStatusName(r.status);
  if (r.decision_date != Date()) o["decision_date"] = r.decision_date.ToString();
  o["received_date"] = r.received_date.ToString();
  if (!r.document_number.empty()) o["document_number"] = r.document_number;
  if (r.late) o["late"] = true;
  o["batch"] = r.batch_id;
  json::object fields(sp);
  fields.reserve(r.values.size());
  for (const auto [k, v] : r.values) fields[k] = v;
  o["fields"] = std::move(fields);
  return o;
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
