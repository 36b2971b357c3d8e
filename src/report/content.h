// ReportContent: what a credit report (信用报告) says, as plain data — the subject, the period and
// data cut-off, and the report's sections with their items — built once from the store
// (builder.h) and rendered twice (HTML, PDF) from the same value. The content, not a rendering,
// is what is signed: its canonical JSON (sorted keys, no whitespace) is the signed message, so
// the PDF and the HTML of one report verify alike. Plain data; the functions are pure and
// thread-safe.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/status.h"

namespace xinyong::report {

// The two reports of the 2022 credit report standard this module makes (FACTS §10). Persisted
// (by name) in every issued report.
enum class ReportKind : uint8_t {
  kPublic = 1,   // 公共信用信息报告: the subject's public credit information over a period
  kSpecial = 2,  // 专项信用报告: per chosen domain, negative records in a period (≤ 5 years)
};
std::string_view ReportKindName(ReportKind k);   // "public", "special"
std::string_view ReportKindTitle(ReportKind k);  // "公共信用信息报告", "专项信用报告"
std::optional<ReportKind> ParseReportKind(std::string_view name);

// Whose view of the records a report shows: the public's (社会公开 records only), or the full
// record the subject itself (or the operator) reads, non-public items included.
enum class ReportView : uint8_t { kPublic = 1, kFull = 2 };
std::string_view ReportViewName(ReportView v);  // "public", "full"
std::string_view ReportViewLabel(ReportView v);  // "社会公开版", "主体完整版（含非公开信息）"
std::optional<ReportView> ParseReportView(std::string_view name);

// A special report covers at most this many years (FACTS §10).
inline constexpr int kMaxSpecialYears = 5;
// The earliest first day of a period of at most kMaxSpecialYears years that ends on `to`: the
// day after the same date that many years before (28 February when that year has no 29th), so
// 2020-02-29 for 2025-02-28. The default start of a report's period.
Date EarliestPeriodStart(Date to);

// The parameters a report is built from; kept in the report so that it can be built again.
struct ReportRequest {
  ReportKind kind = ReportKind::kPublic;
  ReportView view = ReportView::kPublic;
  std::string subject_code;          // the subject's display code (USCC, legacy code or P…)
  std::vector<std::string> domains;  // special reports: domain codes (domains.h), in given order
  Date from, to;                     // the period, both days included
};

// Checks the period and the domain list's shape: from ≤ to; a special report names at least one
// domain, each once, and spans at most kMaxSpecialYears years (from ≥ EarliestPeriodStart(to)). A public
// report has no domains. InvalidArgument naming the parameter ("from: …", "domains: …").
Status ValidateRequest(const ReportRequest& r);

struct ReportField {
  std::string label;  // Chinese label, e.g. "决定文书号"
  std::string value;
};

// One record as a report shows it.
struct ReportItem {
  std::string title;      // the indicator's name, e.g. "行政处罚信息"
  std::string indicator;  // its code
  uint64_t record_id = 0;
  uint32_t version = 0;
  std::string date;  // the decision date (YYYY-MM-DD), "" when the indicator has none
  std::string document_number;
  std::vector<ReportField> fields;  // non-empty values, catalog order; ID numbers masked
};

struct ReportSection {
  std::string key;                 // stable: "basic", "licences", ..., "domain:<code>"
  std::string title;               // Chinese, e.g. "行政处罚信息"
  std::string summary;             // one sentence: "共 2 条。", "无违法违规记录。"
  std::vector<ReportField> facts;  // key-value lines shown before the items
  std::vector<ReportItem> items;
  // An empty 自主申报信息 section (the subject has no declaration the view shows), kept as the
  // place declarations go; rendered with its summary only.
  bool placeholder = false;
};

struct ReportSubject {
  std::string code, name;
  std::string type;  // 主体类型 label, e.g. "法人"
  std::string uscc, id_masked, region, status, industry;
  std::vector<std::string> former_names;
  bool natural_person = false;
};

struct ReportContent {
  static constexpr int kFormat = 1;
  std::string number;  // XYBG-YYYYMMDD-NNNNNN-XXXXXXXX (issuer.h)
  ReportRequest request;
  ReportSubject subject;
  Date cutoff;  // 数据截止日期: the data held on this day
  int64_t issued_unix_ms = 0;
  std::string issuer;      // 出具机构
  std::string verify_url;  // where the report is verified (the QR code)
  std::vector<ReportSection> sections;
};

// The content as JSON (members documented in src/report/README.md).
boost::json::object ContentJson(const ReportContent& c);
// The request as JSON {"kind","view","subject","domains","from","to"} and back. RequestFromJson:
// InvalidArgument naming the member for a malformed one.
boost::json::object RequestJson(const ReportRequest& r);
Result<ReportRequest> RequestFromJson(const boost::json::value& v);

// Canonical JSON text of a value: object members sorted by key (bytewise), no whitespace,
// strings escaped as boost::json::serialize escapes them. Equal values give equal text.
std::string Canonical(const boost::json::value& v);
// Canonical(ContentJson(c)): the signed message.
std::string CanonicalContent(const ReportContent& c);
// SHA-256 of `data`, 64 lowercase hex digits.
std::string Sha256Hex(std::string_view data);

// The digest of each part of a content JSON that can change while the report stands: "subject"
// and every section by its key. What "changed since issue" compares (verification).
std::map<std::string, std::string> PartDigests(const boost::json::object& content);

// What a section of a content JSON says, read back from it (signed or stored content): what a
// verification shows, so that the reader compares the document with what was signed — the
// signature covers the content, not the pages a file renders. Members that are missing or of the
// wrong type read as empty.
struct SignedSection {
  std::string key, title, summary;
  std::vector<ReportField> facts;
  std::vector<ReportItem> items;  // title, record_id, date, document_number and fields only
};
std::vector<SignedSection> SignedSections(const boost::json::object& content);

// The time of `unix_ms` in China Standard Time (UTC+8), "YYYY-MM-DD HH:MM:SS".
std::string FormatBeijingTime(int64_t unix_ms);

}  // namespace xinyong::report
