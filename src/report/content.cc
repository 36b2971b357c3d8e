#include "report/content.h"

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>

namespace xinyong::report {

namespace json = boost::json;

std::string_view ReportKindName(ReportKind k) {
  return k == ReportKind::kSpecial ? "special" : "public";
}
std::string_view ReportKindTitle(ReportKind k) {
  return k == ReportKind::kSpecial ? "专项信用报告" : "公共信用信息报告";
}
std::optional<ReportKind> ParseReportKind(std::string_view name) {
  if (name == "public") return ReportKind::kPublic;
  if (name == "special") return ReportKind::kSpecial;
  return std::nullopt;
}

std::string_view ReportViewName(ReportView v) { return v == ReportView::kFull ? "full" : "public"; }
std::string_view ReportViewLabel(ReportView v) {
  return v == ReportView::kFull ? "主体完整版（含非公开信息）" : "社会公开版";
}
std::optional<ReportView> ParseReportView(std::string_view name) {
  if (name == "public") return ReportView::kPublic;
  if (name == "full") return ReportView::kFull;
  return std::nullopt;
}

Date EarliestPeriodStart(Date to) {
  return Date::FromDays(to.AddMonths(-12 * kMaxSpecialYears).days() + 1);
}

Status ValidateRequest(const ReportRequest& r) {
  if (r.to < r.from) {
    return Status::InvalidArgument("from: the period starts (" + r.from.ToString() +
                                   ") after it ends (" + r.to.ToString() + ")");
  }
  if (r.kind == ReportKind::kPublic) {
    if (!r.domains.empty()) {
      return Status::InvalidArgument("domains: only a special report covers domains");
    }
    return Status::Ok();
  }
  if (r.domains.empty()) {
    return Status::InvalidArgument("domains: a special report needs at least one domain");
  }
  std::set<std::string> seen;
  for (const std::string& d : r.domains) {
    if (!seen.insert(d).second) {
      return Status::InvalidArgument("domains: '" + d.substr(0, 40) + "' is named twice");
    }
  }
  if (r.from < EarliestPeriodStart(r.to)) {
    return Status::InvalidArgument("to: a special report covers at most " +
                                   std::to_string(kMaxSpecialYears) + " years; " +
                                   r.from.ToString() + " to " + r.to.ToString() + " is longer");
  }
  return Status::Ok();
}

namespace {

json::array FieldsJson(const std::vector<ReportField>& fields) {
  json::array a;
  a.reserve(fields.size());
  for (const ReportField& f : fields)
    a.push_back(json::object{{"label", f.label}, {"value", f.value}});
  return a;
}

json::object ItemJson(const ReportItem& i) {
  return json::object{{"title", i.title},
                      {"indicator", i.indicator},
                      {"record_id", i.record_id},
                      {"version", i.version},
                      {"date", i.date},
                      {"document_number", i.document_number},
                      {"fields", FieldsJson(i.fields)}};
}

json::object SectionJson(const ReportSection& s) {
  json::array items;
  items.reserve(s.items.size());
  for (const ReportItem& i : s.items) items.push_back(ItemJson(i));
  return json::object{{"key", s.key},
                      {"title", s.title},
                      {"summary", s.summary},
                      {"facts", FieldsJson(s.facts)},
                      {"items", std::move(items)},
                      {"placeholder", s.placeholder}};
}

json::object SubjectJson(const ReportSubject& s) {
  json::array former(s.former_names.begin(), s.former_names.end());
  return json::object{{"code", s.code},
                      {"name", s.name},
                      {"type", s.type},
                      {"uscc", s.uscc},
                      {"id_masked", s.id_masked},
                      {"region", s.region},
                      {"status", s.status},
                      {"industry", s.industry},
                      {"former_names", std::move(former)},
                      {"natural_person", s.natural_person}};
}

void AppendCanonical(const json::value& v, std::string* out) {
  switch (v.kind()) {
    case json::kind::object: {
      const json::object& o = v.get_object();
      std::vector<const json::key_value_pair*> members;
      members.reserve(o.size());
      for (const auto& kv : o) members.push_back(&kv);
      std::sort(members.begin(), members.end(),
                [](const auto* a, const auto* b) { return a->key() < b->key(); });
      out->push_back('{');
      for (size_t i = 0; i < members.size(); ++i) {
        if (i) out->push_back(',');
        out->append(json::serialize(json::string(members[i]->key())));
        out->push_back(':');
        AppendCanonical(members[i]->value(), out);
      }
      out->push_back('}');
      return;
    }
    case json::kind::array: {
      const json::array& a = v.get_array();
      out->push_back('[');
      for (size_t i = 0; i < a.size(); ++i) {
        if (i) out->push_back(',');
        AppendCanonical(a[i], out);
      }
      out->push_back(']');
      return;
    }
    default:
      out->append(json::serialize(v));
  }
}

}  // namespace

json::object RequestJson(const ReportRequest& r) {
  return json::object{{"kind", ReportKindName(r.kind)},
                      {"view", ReportViewName(r.view)},
                      {"subject", r.subject_code},
                      {"domains", json::array(r.domains.begin(), r.domains.end())},
                      {"from", r.from.ToString()},
                      {"to", r.to.ToString()}};
}

Result<ReportRequest> RequestFromJson(const json::value& v) {
  if (!v.is_object()) return Status::InvalidArgument("request: not an object");
  const json::object& o = v.get_object();
  auto str = [&](std::string_view k) -> std::optional<std::string> {
    const json::value* m = o.if_contains(k);
    if (m == nullptr || !m->is_string()) return std::nullopt;
    return std::string(m->get_string());
  };
  ReportRequest r;
  auto kind = str("kind");
  auto view = str("view");
  auto subject = str("subject");
  auto from = str("from");
  auto to = str("to");
  if (!kind || !ParseReportKind(*kind))
    return Status::InvalidArgument("request.kind: missing or unknown");
  if (!view || !ParseReportView(*view))
    return Status::InvalidArgument("request.view: missing or unknown");
  if (!subject) return Status::InvalidArgument("request.subject: missing");
  r.kind = *ParseReportKind(*kind);
  r.view = *ParseReportView(*view);
  r.subject_code = *subject;
  auto f = from ? Date::Parse(*from) : Result<Date>(Status::InvalidArgument("missing"));
  auto t = to ? Date::Parse(*to) : Result<Date>(Status::InvalidArgument("missing"));
  if (!f.ok()) return Status::InvalidArgument("request.from: missing or not a date");
  if (!t.ok()) return Status::InvalidArgument("request.to: missing or not a date");
  r.from = *f;
  r.to = *t;
  if (const json::value* d = o.if_contains("domains"); d != nullptr && d->is_array()) {
    for (const json::value& e : d->get_array()) {
      if (!e.is_string()) return Status::InvalidArgument("request.domains: not a list of names");
      r.domains.emplace_back(e.get_string());
    }
  }
  return r;
}

json::object ContentJson(const ReportContent& c) {
  json::array sections;
  sections.reserve(c.sections.size());
  for (const ReportSection& s : c.sections) sections.push_back(SectionJson(s));
  return json::object{{"format", ReportContent::kFormat},
                      {"number", c.number},
                      {"title", ReportKindTitle(c.request.kind)},
                      {"request", RequestJson(c.request)},
                      {"subject", SubjectJson(c.subject)},
                      {"cutoff", c.cutoff.ToString()},
                      {"issued_unix_ms", c.issued_unix_ms},
                      {"issued_at", FormatBeijingTime(c.issued_unix_ms)},
                      {"issuer", c.issuer},
                      {"verify_url", c.verify_url},
                      {"sections", std::move(sections)}};
}

std::string Canonical(const json::value& v) {
  std::string out;
  AppendCanonical(v, &out);
  return out;
}

std::string CanonicalContent(const ReportContent& c) { return Canonical(ContentJson(c)); }

std::string Sha256Hex(std::string_view data) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return std::string(hex, 2 * crypto_hash_sha256_BYTES);
}

std::map<std::string, std::string> PartDigests(const json::object& content) {
  std::map<std::string, std::string> out;
  if (const json::value* s = content.if_contains("subject"))
    out["subject"] = Sha256Hex(Canonical(*s));
  if (const json::value* a = content.if_contains("sections"); a != nullptr && a->is_array()) {
    for (const json::value& s : a->get_array()) {
      if (!s.is_object()) continue;
      const json::value* key = s.get_object().if_contains("key");
      if (key == nullptr || !key->is_string()) continue;
      out[std::string(key->get_string())] = Sha256Hex(Canonical(s));
    }
  }
  return out;
}

namespace {

std::string StringMember(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::vector<ReportField> FieldsOf(const json::object& o, std::string_view key) {
  std::vector<ReportField> out;
  const json::value* a = o.if_contains(key);
  if (a == nullptr || !a->is_array()) return out;
  for (const json::value& f : a->get_array()) {
    if (!f.is_object()) continue;
    out.push_back({StringMember(f.get_object(), "label"), StringMember(f.get_object(), "value")});
  }
  return out;
}

}  // namespace

std::vector<SignedSection> SignedSections(const json::object& content) {
  std::vector<SignedSection> out;
  const json::value* a = content.if_contains("sections");
  if (a == nullptr || !a->is_array()) return out;
  for (const json::value& s : a->get_array()) {
    if (!s.is_object()) continue;
    const json::object& o = s.get_object();
    SignedSection& sec = out.emplace_back();
    sec.key = StringMember(o, "key");
    sec.title = StringMember(o, "title");
    sec.summary = StringMember(o, "summary");
    sec.facts = FieldsOf(o, "facts");
    if (const json::value* items = o.if_contains("items"); items && items->is_array()) {
      for (const json::value& i : items->get_array()) {
        if (!i.is_object()) continue;
        ReportItem& item = sec.items.emplace_back();
        item.title = StringMember(i.get_object(), "title");
        if (const json::value* id = i.get_object().if_contains("record_id");
            id != nullptr && id->is_number()) {
          boost::system::error_code ec;
          const uint64_t v = id->to_number<uint64_t>(ec);
          if (!ec) item.record_id = v;
        }
        item.date = StringMember(i.get_object(), "date");
        item.document_number = StringMember(i.get_object(), "document_number");
        item.fields = FieldsOf(i.get_object(), "fields");
      }
    }
  }
  return out;
}

std::string FormatBeijingTime(int64_t unix_ms) {
  const std::time_t t = static_cast<std::time_t>(unix_ms / 1000) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

}  // namespace xinyong::report
