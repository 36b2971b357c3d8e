#include "server/reports.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include <boost/asio/ip/address.hpp>

#include "report/render.h"
#include "server/access.h"
#include "server/grades.h"
#include "server/redact.h"

namespace xinyong::server {

namespace json = boost::json;

Status MayRequestReport(const security::Principal& who, const Subject& subject,
                        const report::ReportRequest& request) {
  if (who.role() == security::Role::kOperator) return Status::Ok();
  const bool own = who.role() == security::Role::kSubject && who.subject_id() == subject.id;
  if (own) return Status::Ok();
  if (subject.type == SubjectType::kNaturalPerson) {
    return Status::PermissionDenied(
        "a natural person's credit report is for the person itself "
        "or the operator");
  }
  if (request.kind == report::ReportKind::kSpecial) {
    return Status::PermissionDenied(
        "a special credit report is for the subject itself or the "
        "operator");
  }
  if (request.view == report::ReportView::kFull) {
    return Status::PermissionDenied(
        "a report with non-public information is for the subject "
        "itself or the operator");
  }
  return Status::Ok();
}

Result<report::ReportContent> BuildReportContent(Platform& p, const Subject& subject,
                                                 const report::ReportRequest& request, Date today) {
  const security::DisclosureSet levels = request.view == report::ReportView::kFull
                                             ? security::DisclosureSet::All()
                                             : security::DisclosureSet::PublicOnly();
  report::BuildContext ctx;
  ctx.today = today;
  ctx.issuer = p.options().report_issuer;
  ctx.shown = [levels, today](const Record& r, const catalog::Indicator* ind) {
    return ShownAt(r, ind, levels, today);
  };
  ctx.in_force = [today](const Record& r, const catalog::Indicator* ind) {
    return ShownAt(r, ind, security::DisclosureSet::All(), today);
  };
  ctx.redact = [](std::string_view s) { return RedactPersonalIds(s); };
  ctx.under_objection = p.rights().UnderObjection(subject.id);
  if (request.view == report::ReportView::kFull && subject.type != SubjectType::kNaturalPerson) {
    XY_ASSIGN_OR_RETURN(GradeView g, SubjectCurrentGrade(p, subject, today));
    report::GradeFacts f;
    f.grade = g.grade.grade;
    f.label = g.grade.grade + "（" + g.grade.grade_label + "）";
    f.score = g.grade.score;
    // A grade computed for the asking (none stored yet, or one of another model) has no date of
    // its own: the day of asking would make every later verification find it "changed".
    if (g.stored) f.since = g.grade.as_of;
    f.model = g.grade.model;
    ctx.grade = std::move(f);
  }
  return report::BuildReport(p.store(), p.catalog(), p.report_domains(), subject, request, ctx);
}

Result<report::IssuedReport> IssueReport(Platform& p, const Subject& subject,
                                         const report::ReportRequest& request, Date today,
                                         int64_t now_ms, std::string_view base_url,
                                         bool to_public) {
  if (p.options().read_only) {
    return Status::FailedPrecondition("reports cannot be issued from a read-only store");
  }
  XY_ASSIGN_OR_RETURN(report::ReportContent c, BuildReportContent(p, subject, request, today));
  XY_ASSIGN_OR_RETURN(const report::ReportSigner* signer, p.report_signer());
  return report::IssueReport(p.store(), *signer, std::move(c), now_ms,
                             base_url.empty() ? p.options().public_base_url : base_url, to_public);
}

namespace {

// The Beijing date of a moment (reports state their issue date in Beijing time).
Date BeijingDay(int64_t unix_ms) {
  return Date::FromDays(static_cast<int32_t>((unix_ms / 1000 + 8 * 3600) / 86400));
}

bool SameRequest(const report::ReportRequest& a, const report::ReportRequest& b) {
  return a.kind == b.kind && a.view == b.view && a.subject_code == b.subject_code &&
         a.from == b.from && a.to == b.to && a.domains == b.domains;
}

}  // namespace

Result<IssuedToday> FindIssuedToday(Platform& p, const Subject& subject,
                                    const report::ReportRequest& request, Date today,
                                    int64_t now_ms, std::string_view base_url) {
  report::ReportRequest wanted = request;
  wanted.subject_code = subject.DisplayCode();
  const Date day = BeijingDay(now_ms);
  // Ids follow the order of issue, give or take reports issued at the same moment: the scan
  // ends at one issued a minute before the day began.
  const int64_t day_start_ms = (int64_t{day.days()} * 86400 - 8 * 3600) * 1000;
  IssuedToday out;
  std::optional<report::IssueFacts> found;
  XY_RETURN_IF_ERROR(p.store().ScanReports(
      storage::Store::ScanOrder::kNewestFirst, [&](uint64_t id, std::string_view value) {
        auto facts = report::ReadIssueFacts(id, value);
        if (!facts.ok()) return true;  // a corrupt value is not a duplicate; verification says so
        if (facts->issued_unix_ms < day_start_ms - 60'000) return false;
        if (BeijingDay(facts->issued_unix_ms) != day ||
            facts->request.subject_code != wanted.subject_code) {
          return true;
        }
        if (facts->to_public) ++out.count;
        if (!found && SameRequest(facts->request, wanted)) found = std::move(facts).value();
        return true;
      }));
  if (!found) return out;
  XY_ASSIGN_OR_RETURN(std::optional<report::StoredReport> stored,
                      report::LoadReport(p.store(), found->number));
  if (!stored) return out;
  // The content built now, stamped as the stored report was: the same report only when it says
  // the same thing (otherwise the subject's information changed and a new report is due).
  XY_ASSIGN_OR_RETURN(report::ReportContent c, BuildReportContent(p, subject, request, today));
  c.number = found->number;
  c.issued_unix_ms = found->issued_unix_ms;
  c.verify_url = report::VerifyUrl(base_url.empty() ? p.options().public_base_url : base_url,
                                   c.number);
  const report::SignedReport& sr = stored->signed_report;
  XY_ASSIGN_OR_RETURN(const report::ReportSigner* signer, p.report_signer());
  if (report::CanonicalContent(c) != sr.canonical ||
      report::Sha256Hex(sr.canonical) != stored->digest ||
      !report::VerifySignature(signer->public_key(), sr.canonical, sr.signature)) {
    return out;
  }
  out.same.emplace();
  out.same->content = std::move(c);
  out.same->signed_report = std::move(stored->signed_report);
  out.same->digest = std::move(stored->digest);
  return out;
}

Result<ReportFile> RenderReport(const report::IssuedReport& r, std::string_view format) {
  if (format == "html") {
    return ReportFile{"text/html; charset=utf-8", "html",
                      report::RenderHtml(r.content, r.signed_report)};
  }
  if (format == "pdf") {
    XY_ASSIGN_OR_RETURN(std::string pdf, report::RenderPdf(r.content, r.signed_report));
    return ReportFile{"application/pdf", "pdf", std::move(pdf)};
  }
  return Status::InvalidArgument("format: '" + std::string(format.substr(0, 20)) +
                                 "' is not a report format; give pdf or html");
}

namespace {

// In a natural person's signed sections: the person's name masked wherever it stands, in free
// text too, and the facts giving the person's code left out.
void RedactPerson(std::string_view name, std::string_view code,
                  std::vector<report::SignedSection>* sections) {
  auto mask = [&](std::string& s) { s = MaskPersonName(s, name); };
  for (report::SignedSection& s : *sections) {
    std::erase_if(s.facts, [&](const report::ReportField& f) { return !code.empty() && f.value == code; });
    mask(s.title);
    mask(s.summary);
    for (report::ReportField& f : s.facts) mask(f.value);
    for (report::ReportItem& i : s.items) {
      mask(i.title);
      mask(i.document_number);
      for (report::ReportField& f : i.fields) mask(f.value);
    }
  }
}

// A natural person's records erased since the report was issued (retention: FACTS §10) are not
// served again by verification, to anyone: their items are left out (the section's summary,
// signed, still says how many it listed). The person erased altogether: every item.
Status LeaveOutErased(const storage::Store& store, const Result<Subject>& subject,
                      std::vector<report::SignedSection>* sections, bool* left_out) {
  std::vector<Record> versions;
  for (report::SignedSection& s : *sections) {
    for (auto it = s.items.begin(); it != s.items.end();) {
      bool held = false;
      if (subject.ok() && it->record_id != 0) {
        versions.clear();
        XY_RETURN_IF_ERROR(store.ListRecordVersions(subject->id, it->record_id, &versions));
        held = !versions.empty();
      }
      if (held) {
        ++it;
      } else {
        it = s.items.erase(it);
        *left_out = true;
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::optional<ReportVerification>> VerifyIssuedReport(Platform& p, std::string_view number,
                                                             Date today,
                                                             const security::Principal* who) {
  XY_ASSIGN_OR_RETURN(std::optional<report::StoredReport> stored,
                      report::LoadReport(p.store(), number));
  if (!stored) return std::optional<ReportVerification>();
  const report::SignedReport& sr = stored->signed_report;
  ReportVerification v;
  v.number = std::string(number);
  XY_ASSIGN_OR_RETURN(const report::ReportSigner* signer, p.report_signer());
  const report::OfflineCheck check = report::CheckSignature(sr, signer->public_key());
  v.signature_valid = check.signature_valid;
  v.key_matches = check.key_matches;
  if (!v.key_matches) {
    spdlog::error("report {} was signed with the report key {}, not this platform's {}: the "
                  "report key file was replaced; restore it from its backup",
                  ForLog(number, 40), ForLog(sr.key_id, 40), signer->KeyId());
  }
  v.digest = check.digest;
  v.digest_matches = check.digest == stored->digest;
  v.key_id = sr.key_id;
  v.issued_at = check.issued_at;
  v.title = check.kind_title;
  v.subject_code = check.subject_code;
  const json::value* cutoff = sr.content.if_contains("cutoff");
  if (cutoff != nullptr && cutoff->is_string()) v.cutoff = std::string(cutoff->get_string());
  const json::value* req = sr.content.if_contains("request");
  XY_ASSIGN_OR_RETURN(v.request, req ? report::RequestFromJson(*req)
                                     : Result<report::ReportRequest>(Status::DataLoss(
                                           "stored report " + v.number + " has no request")));
  bool person = false;
  if (const json::value* s = sr.content.if_contains("subject"); s && s->is_object()) {
    const json::value* np = s->get_object().if_contains("natural_person");
    person = np != nullptr && np->is_bool() && np->get_bool();
  }
  v.subject_name = person ? MaskName(check.subject_name) : check.subject_name;

  auto subject = p.FindSubjectByCode(v.request.subject_code);
  if (!subject.ok() && subject.status().code() != StatusCode::kNotFound) return subject.status();
  // What the report said when issued: the signature covers this content, not the pages of a
  // file, so whoever verifies is shown it to compare with the document in hand — record by
  // record, field by field. Whoever holds the number (40 random bits in it) holds the report:
  // this discloses nothing the report does not.
  v.sections = report::SignedSections(sr.content);
  if (person) XY_RETURN_IF_ERROR(LeaveOutErased(p.store(), subject, &v.sections, &v.erased_left_out));
  // How much the caller may learn beyond that: the operator (null = the local CLI) and the
  // report's own subject everything; anyone else holding the number of a public-view report of
  // an organization whether it changed, not where; of a full-view or a natural person's report
  // not even that (what changed there would disclose non-public records as they stand now).
  const bool own = who == nullptr || who->role() == security::Role::kOperator ||
                   (who->role() == security::Role::kSubject && subject.ok() &&
                    who->subject_id() == subject->id);
  if (own) {
    v.detail = VerificationDetail::kFull;
  } else if (person || v.request.view == report::ReportView::kFull) {
    v.detail = VerificationDetail::kAuthenticity;
    if (person) {
      // A person is named as the page's masked header does, and not by the code that finds
      // them: enough to match the document in hand, no more to whoever has only the number.
      RedactPerson(check.subject_name, v.subject_code, &v.sections);
      v.subject_code.clear();
    }
    return std::optional<ReportVerification>(std::move(v));
  } else {
    v.detail = VerificationDetail::kChanged;
  }

  // Built again now with the same parameters; every part compared.
  if (!subject.ok()) {
    v.changed = true;
    v.changed_parts.emplace_back("subject", "信用主体");
    return std::optional<ReportVerification>(std::move(v));
  }
  auto rebuilt = BuildReportContent(p, *subject, v.request, today);
  if (!rebuilt.ok()) {
    if (rebuilt.status().code() != StatusCode::kInvalidArgument) return rebuilt.status();
    // Its parameters cannot be built any more (a domain of the special report renamed or
    // withdrawn since): the report stays as authentic as its signature says; what it showed
    // cannot be compared with anything now.
    v.changed = true;
    v.changed_parts.emplace_back("request", "报告参数（已无法按原参数重新生成）");
    return std::optional<ReportVerification>(std::move(v));
  }
  const json::object now_json = report::ContentJson(*rebuilt);
  const auto before = report::PartDigests(sr.content);
  const auto after = report::PartDigests(now_json);
  auto title_of = [&](const json::object& content, const std::string& key) -> std::string {
    if (key == "subject") return "信用主体";
    const json::value* a = content.if_contains("sections");
    if (a == nullptr || !a->is_array()) return key;
    for (const json::value& s : a->get_array()) {
      if (!s.is_object()) continue;
      const json::object& o = s.get_object();
      const json::value* k = o.if_contains("key");
      const json::value* t = o.if_contains("title");
      if (k && k->is_string() && k->get_string() == key && t && t->is_string()) {
        return std::string(t->get_string());
      }
    }
    return key;
  };
  for (const auto& [key, digest] : before) {
    auto it = after.find(key);
    if (it == after.end() || it->second != digest) {
      v.changed_parts.emplace_back(key, title_of(sr.content, key));
    }
  }
  for (const auto& [key, digest] : after) {
    if (!before.contains(key)) v.changed_parts.emplace_back(key, title_of(now_json, key));
  }
  v.changed = !v.changed_parts.empty();
  return std::optional<ReportVerification>(std::move(v));
}

namespace {

json::array FieldsJson(const std::vector<report::ReportField>& fields) {
  json::array out;
  for (const report::ReportField& f : fields) {
    out.push_back(json::object{{"label", f.label}, {"value", f.value}});
  }
  return out;
}

}  // namespace

json::array SectionSummariesJson(const std::vector<report::SignedSection>& sections) {
  json::array out;
  for (const report::SignedSection& s : sections) {
    json::array items;
    for (const report::ReportItem& i : s.items) {
      items.push_back(json::object{{"title", i.title},
                                   {"date", i.date},
                                   {"document_number", i.document_number},
                                   {"fields", FieldsJson(i.fields)}});
    }
    out.push_back(json::object{{"title", s.title},
                               {"summary", s.summary},
                               {"facts", FieldsJson(s.facts)},
                               {"items", std::move(items)}});
  }
  return out;
}

json::object VerificationJson(const ReportVerification& v, Date today) {
  json::object subject{{"name", v.subject_name}};
  if (!v.subject_code.empty()) subject["code"] = v.subject_code;
  std::string_view message;
  if (!v.authentic() && !v.key_matches) {
    message = "暂无法验证：该报告的签名密钥与平台当前密钥不一致，请联系平台运营方。";
  } else if (!v.authentic()) {
    message = "报告验证失败：签名或摘要不符，报告可能被篡改。";
  } else if (v.detail == VerificationDetail::kAuthenticity) {
    message = "报告真实有效，请与下列出具时所载内容核对。是否发生变化仅向信用主体本人或平台运营方提供。";
  } else if (v.changed) {
    message = "报告真实有效，但出具后相关信用信息已发生变化。";
  } else {
    message = "报告真实有效，出具后相关信用信息未发生变化。";
  }
  json::object o{{"number", v.number},
                 {"authentic", v.authentic()},
                 {"signature_valid", v.signature_valid},
                 {"digest_matches", v.digest_matches},
                 {"algorithm", "Ed25519"},
                 {"key_id", v.key_id},
                 {"digest", v.digest},
                 {"title", v.title},
                 {"kind", report::ReportKindName(v.request.kind)},
                 {"view", report::ReportViewName(v.request.view)},
                 {"issued_at", v.issued_at},
                 {"cutoff", v.cutoff},
                 {"period", json::object{{"from", v.request.from.ToString()},
                                         {"to", v.request.to.ToString()}}},
                 {"domains", json::array(v.request.domains.begin(), v.request.domains.end())},
                 {"subject", std::move(subject)},
                 {"sections", SectionSummariesJson(v.sections)},
                 {"checked_on", today.ToString()},
                 {"message", message}};
  if (v.erased_left_out) {
    o["erased_left_out"] = true;
    o["note"] = "报告所列部分自然人信息已按规定期限删除，不再提供核对。";
  }
  // Whether it changed: not of a full-view or a natural person's report for others. Which
  // sections changed: for the operator and the subject itself only.
  if (v.detail != VerificationDetail::kAuthenticity) o["changed"] = v.changed;
  if (v.detail == VerificationDetail::kFull) {
    json::array parts;
    for (const auto& [key, title] : v.changed_parts) {
      parts.push_back(json::object{{"key", key}, {"title", title}});
    }
    o["changed_sections"] = std::move(parts);
  }
  return o;
}

std::string CanonicalAddress(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  // "[v6]:port", "[v6]", "v4:port", "v4", "v6".
  if (text.starts_with('[')) {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return "";
    text = text.substr(1, close - 1);
  } else if (const size_t colon = text.find(':');
             colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    text = text.substr(0, colon);  // one colon: an IPv4 address and a port
  }
  boost::system::error_code ec;
  boost::asio::ip::address a = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) return "";
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    a = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
  }
  return a.to_string();
}

std::string ClientAddress(const Request& request, std::span<const std::string> trusted_proxies) {
  auto trusted = [&](const std::string& address) {
    for (const std::string& t : trusted_proxies) {
      if (CanonicalAddress(t) == address) return true;
    }
    return false;
  };
  // The peer as the server writes it: address, colon, port.
  std::string_view peer = request.peer;
  if (const size_t colon = peer.rfind(':'); colon != std::string_view::npos) {
    peer = peer.substr(0, colon);
  }
  std::string address = CanonicalAddress(peer);
  if (address.empty()) address = std::string(peer);
  std::string_view chain = request.forwarded_for;
  while (trusted(address) && !chain.empty()) {
    const size_t comma = chain.rfind(',');
    const std::string hop =
        CanonicalAddress(comma == std::string_view::npos ? chain : chain.substr(comma + 1));
    chain = comma == std::string_view::npos ? std::string_view() : chain.substr(0, comma);
    if (hop.empty()) break;  // not an address: the proxy's own word stands
    address = hop;
  }
  return address;
}

std::string ClientBucket(const std::string& address) {
  boost::system::error_code ec;
  const boost::asio::ip::address a = boost::asio::ip::make_address(address, ec);
  if (ec || !a.is_v6()) return address;
  // An IPv6 client holds a /64 and may take any address in it.
  boost::asio::ip::address_v6::bytes_type b = a.to_v6().to_bytes();
  std::fill(b.begin() + 8, b.end(), 0);
  return boost::asio::ip::address_v6(b).to_string() + "/64";
}

bool ClientQuota::TryCount(const std::string& client, int64_t period, size_t limit) {
  if (limit == 0) return true;
  std::lock_guard lock(mu_);
  if (period != period_) {
    counts_.clear();
    period_ = period;
  }
  size_t& n = counts_[client];
  if (n >= limit) return false;
  ++n;
  return true;
}

void ClientQuota::Uncount(const std::string& client, int64_t period) {
  std::lock_guard lock(mu_);
  if (period != period_) return;
  auto it = counts_.find(client);
  if (it != counts_.end() && it->second > 0) --it->second;
}

Result<json::object> ReportPublicKeyJson(const Platform& p) {
  XY_ASSIGN_OR_RETURN(const report::ReportSigner* signer, p.report_signer());
  return json::object{{"algorithm", "Ed25519"},
                      {"public_key", signer->PublicKeyBase64()},
                      {"encoding", "base64"},
                      {"key_id", signer->KeyId()}};
}

}  // namespace xinyong::server
