// Indicator: one entry of the public credit information catalog (公共信用信息目录) — what may be
// collected, from whom, on which legal basis, who may see it and for how long. Nothing is
// ingested unless its indicator is in the catalog. Plain data; immutable once the Catalog loaded it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/subject_type.h"

namespace xinyong::catalog {

// How a field's value is checked and normalized at ingest. Persisted as one byte.
enum class FieldType : uint8_t {
  kString = 1,      // one line of text, max_length in characters
  kText = 2,        // free text, may contain newlines
  kDate = 3,        // normalized to YYYY-MM-DD
  kMoney = 4,       // decimal amount in 万元, normalized to a plain decimal string
  kInteger = 5,
  kEnum = 6,        // one of enum_values
  kUscc = 7,        // GB 32100 code, normalized
  kOrgCode = 8,     // GB 11714 organization code
  kRegNumber = 9,   // 15-digit business registration number
  kTaxNumber = 10,  // legacy tax registration number
  kIdNumber = 11,   // a certificate number of a person; a resident ID when its type says so.
                    // Personal data: hashed + encrypted, never stored in plaintext.
  kCode = 12,       // any other code (certificate numbers of institutions, department codes)
  // 承诺编码 of a credit commitment: 6-digit division + 8-digit date + 6-digit serial (FACTS §7).
  kCommitmentCode = 13,
  // 行业代码: a GB/T 4754-2017 section or division (core/industry.h), normalized to "C" or "C13".
  kIndustryCode = 14,
};

// What a field means to the ingestion pipeline beyond its type.
enum class FieldRole : uint8_t {
  kNone = 0,
  kSubjectName = 1,       // 行政相对人名称
  kSubjectCategory = 2,   // 行政相对人类别
  kSubjectUscc = 3,
  kSubjectRegNumber = 4,  // 工商注册号
  kSubjectOrgCode = 5,    // 组织机构代码
  kSubjectTaxNumber = 6,  // 税务登记号
  kSubjectInstCert = 7,   // 事业单位证书号
  kSubjectSocialOrgCert = 8,  // 社会组织登记证号
  kSubjectIdType = 9,     // 证件类型 of a natural-person subject
  kSubjectIdNumber = 10,  // 证件号码 of a natural-person subject
  kDecisionDate = 11,     // the date the publicity and 7-working-day clocks start from
  kDocumentNumber = 12,   // 决定书文号 / case number: the document with legal effect
  kProcedure = 13,        // 程序类型 (简易/普通): for the Henan simple-procedure rule
  kLegalRepIdNumber = 14, // 法定代表人证件号码 (personal data)
  // 上报日期: the date the department says it reported the decision, so that a historical
  // backfill is judged on timeliness by when it was really reported.
  kReportDate = 15,
  kSubjectStatus = 16,    // 登记状态 (存续, 注销, ...): registration's word on whether it is active
  kListEnd = 17,          // 有效期至 / 移出日期: a list membership ends on this date
  kFulfilmentStatus = 18, // 承诺履行状态: 全部履行 / 部分履行 / 全部未履行
  kFulfilmentDate = 19,   // 履行状态认定日期: when the fulfilment status was found
  // 公开类型 (可向社会公开 / 特定范围内公开 / 不可公开): decides, record by record, whether the public
  // sees it — the field's `public_values` make a record public whatever the indicator's
  // disclosure, any other value keeps it from the public; a record without one follows the
  // indicator.
  kPublicityType = 20,
  kDeadline = 21,         // 承诺有效期 / 履行期限: an unfulfilled commitment past it is overdue
  // 直接责任人员证件号码 (personal data): a person the decision holds responsible besides the legal
  // representative; measures that reach responsible persons (落实到人) follow it.
  kResponsiblePersonIdNumber = 22,
  // 行业代码 (GB/T 4754-2017): the subject's industry; the ingester keeps it on the subject, as
  // it does the registration status (random-inspection scopes select by it).
  kIndustry = 23,
  // 是否虚假承诺 (是 / 否): a commitment found false is broken, so its fulfilment status must be a
  // finding of breach (FACTS §7); the ingester rejects 是 with any other status.
  kFalseCommitment = 24,
};

enum class Disclosure : uint8_t {
  kPublic = 1,      // 社会公开
  kGovShared = 2,   // 政务共享
  kAuthorized = 3,  // 授权查询
};

enum class Nature : uint8_t { kPositive = 1, kNeutral = 2, kNegative = 3 };

// Whether a commitment's fulfilment status (role fulfilment_status) is a finding of breach:
// 部分履行 or 全部未履行 (FACTS §7).
inline bool IsBreachStatus(std::string_view status) {
  return status == "部分履行" || status == "全部未履行";
}

// Severity of negative information; kNone for positive and neutral indicators.
enum class Severity : uint8_t { kNone = 0, kMinor = 1, kGeneral = 2, kSerious = 3 };

struct Field {
  std::string code;                 // standard field code, e.g. "CF_XDR_MC"
  std::string label;                // Chinese label, e.g. "行政相对人名称"
  std::vector<std::string> aliases; // other header spellings departments use
  FieldType type = FieldType::kString;
  FieldRole role = FieldRole::kNone;
  bool required = false;
  uint32_t max_length = 0;          // in characters; 0 = the type's default
  std::vector<std::string> enum_values;
  // Role publicity_type only: the values that make a record public (社会公开).
  std::vector<std::string> public_values;
  // Derived indicators only: the source indicator's field this field's value is copied from.
  std::string from;
};

// A derived indicator's records are made by the ingester, in the same batch, from the records of
// its source indicator whose `when_field` holds one of `when_values` — e.g. a credit commitment
// found 部分履行 or 全部未履行 becomes a 违背信用承诺 record (FACTS §7). The derived record then
// lives like any other: validated against its own fields, versioned, published, counted.
struct Derivation {
  std::string source;      // the source indicator's code
  std::string when_field;  // a field code of the source
  std::vector<std::string> when_values;
};

// A rule that makes one record of a negative indicator serious (严重) for the record triggers of
// the measures list, whatever its indicator's severity: a 重大违法记录 in government procurement
// (《政府采购法实施条例》第十九条) is a penalty of a given kind or amount, not a kind of indicator.
// It matches when the record's `field` contains one of `contains_any` (string, text and enum
// fields) or holds an amount of at least `at_least` (money and integer fields, in the field's
// unit: 万元 for money). Publicity periods, repair and everything else still follow the
// indicator's severity.
struct SeriousWhen {
  std::string field;  // a field code of the indicator
  std::vector<std::string> contains_any;
  std::optional<double> at_least;
  std::string legal_basis;  // never empty
};

struct Indicator {
  std::string code;      // stable identifier, e.g. "admin_penalty"; also the gen file name
  std::string name;      // 信息名称, e.g. "行政处罚信息"
  std::string category;  // 信息类别, e.g. "行政管理信息"
  std::vector<std::string> source_departments;  // 提供单位
  std::vector<SubjectType> subject_types;
  std::vector<Field> fields;
  Disclosure disclosure = Disclosure::kPublic;
  Nature nature = Nature::kNeutral;
  Severity severity = Severity::kNone;
  int publicity_min_months = 0;  // 0: may be published at once (or, for minor, not at all)
  int publicity_max_months = 0;  // 0: no automatic end of publicity
  int retention_years = 0;       // 0: kept while the subject exists
  std::string legal_basis;       // 纳入依据; never empty
  std::vector<std::string> natural_key;  // field codes that identify one decision
  bool shuanggongshi = false;    // 双公示: must arrive within 7 working days of the decision
  // The law orders the subject's certificate number published unmasked with the record (court
  // lists of dishonest judgment debtors); everywhere else ID numbers are shown masked.
  bool publish_id_number = false;
  std::optional<Derivation> derived_from;
  std::vector<SeriousWhen> serious_when;  // negative indicators only
  std::string source_file;       // where it was loaded from, for error messages
  int source_line = 0;

  // Index into `fields` of the field with this code, Chinese label or alias, compared after
  // NormalizeFieldName; -1 if none.
  int FieldIndex(std::string_view code_or_label) const;
  // Index of the first field with this role; -1 if none.
  int FieldIndexByRole(FieldRole role) const;
};

// The category of what subjects provide about themselves (自愿提供的信息: voluntary declarations,
// 自主申报). No department vouches for such a record; views mark it self-declared.
inline constexpr std::string_view kSelfDeclaredCategory = "自愿提供的信息";
inline bool SelfDeclared(const Indicator& i) { return i.category == kSelfDeclaredCategory; }

std::string_view DisclosureName(Disclosure d);   // "public", "gov_shared", "authorized"
std::string_view DisclosureLabel(Disclosure d);  // "社会公开", "政务共享", "授权查询"
std::string_view NatureName(Nature n);           // "positive", "neutral", "negative"
std::string_view NatureLabel(Nature n);          // "正面", "中性", "负面"
std::string_view SeverityName(Severity s);       // "none", "minor", "general", "serious"
std::string_view SeverityLabel(Severity s);      // "无", "轻微", "一般", "严重"
std::string_view FieldTypeName(FieldType t);     // "string", "date", ...
std::string_view FieldRoleName(FieldRole r);     // "none", "subject_name", ..., "report_date"

// Inverses of the *Name functions: the English name as written in catalog files; nullopt for
// anything else (no Chinese labels, no case folding).
std::optional<Disclosure> ParseDisclosure(std::string_view name);
std::optional<Nature> ParseNature(std::string_view name);
std::optional<Severity> ParseSeverity(std::string_view name);
std::optional<FieldType> ParseFieldType(std::string_view name);
std::optional<FieldRole> ParseFieldRole(std::string_view name);

// The form in which header cells, field codes, labels and aliases are compared: any UTF-8 BOM and
// all white space (ASCII, U+00A0, U+3000) removed, ASCII letters upper-cased, full-width
// parentheses "（）" turned into "()". So " cf_wsh", "罚款金额 （万元）" and "罚款金额(万元)" each
// equal their catalog spelling.
std::string NormalizeFieldName(std::string_view s);

}  // namespace xinyong::catalog
