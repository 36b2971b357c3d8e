#include "model/record.h"

#include <algorithm>

#include "core/coding.h"
#include "model/batch.h"
#include "model/subject.h"

namespace xinyong {

using coding::GetSignedVarint;
using coding::GetString;
using coding::GetVarint;
using coding::PutSignedVarint;
using coding::PutString;
using coding::PutVarint;

namespace {
// Leading byte of every encoded value, so a format change can be detected and migrated.
constexpr char kRecordFormat = 1;
constexpr char kSubjectFormat = 1;
constexpr char kBatchFormat = 1;

bool GetU64(std::string_view* in, uint64_t* v) { return GetVarint(in, v); }
bool GetStr(std::string_view* in, std::string* s) {
  std::string_view v;
  if (!GetString(in, &v)) return false;
  s->assign(v);
  return true;
}
}  // namespace

std::string_view RecordStatusName(RecordStatus s) {
  switch (s) {
    case RecordStatus::kActive: return "active";
    case RecordStatus::kSuperseded: return "superseded";
    case RecordStatus::kRevoked: return "revoked";
    case RecordStatus::kRepaired: return "repaired";
    case RecordStatus::kExpired: return "expired";
  }
  return "unknown";
}

std::string_view PersonRoleName(PersonRole r) {
  switch (r) {
    case PersonRole::kSelf: return "self";
    case PersonRole::kLegalRepresentative: return "legal_representative";
    case PersonRole::kResponsiblePerson: return "responsible_person";
  }
  return "unknown";
}

std::string_view PersonRoleLabel(PersonRole r) {
  switch (r) {
    case PersonRole::kSelf: return "本人";
    case PersonRole::kLegalRepresentative: return "法定代表人";
    case PersonRole::kResponsiblePerson: return "直接责任人员";
  }
  return "未知";
}

std::string_view IdentifierKindName(IdentifierKind k) {
  switch (k) {
    case IdentifierKind::kUscc: return "uscc";
    case IdentifierKind::kOrgCode: return "org_code";
    case IdentifierKind::kRegNumber: return "reg_number";
    case IdentifierKind::kTaxNumber: return "tax_number";
    case IdentifierKind::kInstCert: return "inst_cert";
    case IdentifierKind::kSocialOrgCert: return "social_org_cert";
    case IdentifierKind::kResidentIdHash: return "resident_id_hash";
    case IdentifierKind::kOtherIdHash: return "other_id_hash";
    case IdentifierKind::kPersonCode: return "person_code";
  }
  return "unknown";
}

std::string Subject::DisplayCode() const {
  if (!uscc.empty()) return uscc;
  for (const auto& i : identifiers) {
    if (i.kind == IdentifierKind::kPersonCode) return "P" + i.value;
  }
  for (const auto& i : identifiers) {
    if (i.kind != IdentifierKind::kResidentIdHash && i.kind != IdentifierKind::kOtherIdHash) {
      return i.value;
    }
  }
  return "";
}

std::vector<std::string> Subject::PublicCodes() const {
  std::vector<std::string> codes;
  if (!uscc.empty()) codes.push_back(uscc);
  for (const auto& i : identifiers) {
    if (i.kind == IdentifierKind::kResidentIdHash || i.kind == IdentifierKind::kOtherIdHash) continue;
    std::string code = i.kind == IdentifierKind::kPersonCode ? "P" + i.value : i.value;
    if (std::find(codes.begin(), codes.end(), code) == codes.end()) codes.push_back(std::move(code));
  }
  return codes;
}

bool RegistrationEnded(std::string_view status) {
  return status.find("注销") != std::string_view::npos ||
         status.find("吊销") != std::string_view::npos ||
         status.find("撤销") != std::string_view::npos;
}

bool Subject::RegistrationEnded() const { return xinyong::RegistrationEnded(status); }

std::string_view Record::Get(std::string_view field_code) const { return values.Get(field_code); }

std::string EncodeRecordValue(const Record& r) {
  std::string out;
  out.reserve(64 + r.values.size() * 24);
  out.push_back(kRecordFormat);
  PutString(&out, r.indicator);
  out.push_back(static_cast<char>(r.status));
  PutSignedVarint(&out, r.decision_date.days());
  PutSignedVarint(&out, r.received_date.days());
  out.push_back(r.late ? 1 : 0);
  PutVarint(&out, r.batch_id);
  PutVarint(&out, r.content_hash);
  PutString(&out, r.document_number);
  PutVarint(&out, r.values.size());
  for (const auto [k, v] : r.values) {
    PutString(&out, k);
    PutString(&out, v);
  }
  PutVarint(&out, r.personal.size());
  for (const auto& p : r.personal) {
    PutString(&out, p.field);
    PutString(&out, p.hash);
    PutString(&out, p.sealed);
  }
  return out;
}

namespace {

// The header of an encoded record; `in` is left at the field values.
bool DecodeHeader(std::string_view* in_out, Record* r) {
  std::string_view in = *in_out;
  if (in.empty() || in[0] != kRecordFormat) return false;
  in.remove_prefix(1);
  if (!GetStr(&in, &r->indicator) || in.empty()) return false;
  r->status = static_cast<RecordStatus>(in[0]);
  in.remove_prefix(1);
  int64_t dd = 0, rd = 0;
  if (!GetSignedVarint(&in, &dd) || !GetSignedVarint(&in, &rd) || in.empty()) return false;
  r->decision_date = Date::FromDays(static_cast<int32_t>(dd));
  r->received_date = Date::FromDays(static_cast<int32_t>(rd));
  r->late = in[0] != 0;
  in.remove_prefix(1);
  if (!GetU64(&in, &r->batch_id) || !GetU64(&in, &r->content_hash) ||
      !GetStr(&in, &r->document_number)) {
    return false;
  }
  *in_out = in;
  return true;
}

}  // namespace

bool DecodeRecordHeader(std::string_view in, Record* r) { return DecodeHeader(&in, r); }

bool PeekRecordIndicator(std::string_view in, std::string_view* indicator) {
  if (in.empty() || in[0] != kRecordFormat) return false;
  in.remove_prefix(1);
  return GetString(&in, indicator);
}

bool DecodeRecordValue(std::string_view in, Record* r) {
  if (!DecodeHeader(&in, r)) return false;
  uint64_t n = 0;
  if (!GetVarint(&in, &n) || n > in.size()) return false;
  r->values.clear();
  r->values.reserve(n, in.size());
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view k, v;
    if (!GetString(&in, &k) || !GetString(&in, &v)) return false;
    r->values.emplace_back(k, v);
  }
  if (!GetVarint(&in, &n) || n > in.size()) return false;
  r->personal.resize(n);
  for (auto& p : r->personal) {
    if (!GetStr(&in, &p.field) || !GetStr(&in, &p.hash) || !GetStr(&in, &p.sealed)) return false;
  }
  return in.empty();
}

std::string EncodeSubject(const Subject& s) {
  std::string out;
  out.push_back(kSubjectFormat);
  out.push_back(static_cast<char>(s.type));
  PutString(&out, s.name);
  PutVarint(&out, s.former_names.size());
  for (const auto& n : s.former_names) PutString(&out, n);
  PutString(&out, s.uscc);
  PutVarint(&out, s.identifiers.size());
  for (const auto& i : s.identifiers) {
    out.push_back(static_cast<char>(i.kind));
    PutString(&out, i.value);
  }
  PutString(&out, s.region);
  PutString(&out, s.id_masked);
  PutString(&out, s.id_sealed);
  PutString(&out, s.status);
  PutSignedVarint(&out, s.first_seen.days());
  PutVarint(&out, s.first_batch);
  // Added later, after the fields every stored subject has: a subject written before it simply
  // ends here (and decodes with no industry); one without an industry is written as before.
  if (!s.industry.empty()) PutString(&out, s.industry);
  return out;
}

bool DecodeSubject(std::string_view in, Subject* s) {
  if (in.size() < 2 || in[0] != kSubjectFormat) return false;
  s->type = static_cast<SubjectType>(in[1]);
  in.remove_prefix(2);
  uint64_t n = 0;
  if (!GetStr(&in, &s->name) || !GetVarint(&in, &n) || n > in.size()) return false;
  s->former_names.resize(n);
  for (auto& f : s->former_names) {
    if (!GetStr(&in, &f)) return false;
  }
  if (!GetStr(&in, &s->uscc) || !GetVarint(&in, &n) || n > in.size()) return false;
  s->identifiers.resize(n);
  for (auto& i : s->identifiers) {
    if (in.empty()) return false;
    i.kind = static_cast<IdentifierKind>(in[0]);
    in.remove_prefix(1);
    if (!GetStr(&in, &i.value)) return false;
  }
  int64_t first_seen = 0;
  if (!GetStr(&in, &s->region) || !GetStr(&in, &s->id_masked) || !GetStr(&in, &s->id_sealed) ||
      !GetStr(&in, &s->status) || !GetSignedVarint(&in, &first_seen) ||
      !GetU64(&in, &s->first_batch)) {
    return false;
  }
  s->first_seen = Date::FromDays(static_cast<int32_t>(first_seen));
  s->industry.clear();
  if (!in.empty() && !GetStr(&in, &s->industry)) return false;
  return in.empty();
}

std::string EncodeBatchReport(const BatchReport& b) {
  std::string out;
  out.push_back(kBatchFormat);
  PutString(&out, b.file);
  PutVarint(&out, b.part);
  PutString(&out, b.indicator);
  PutString(&out, b.dept);
  PutString(&out, b.encoding);
  PutString(&out, b.format);
  PutSignedVarint(&out, b.received_date.days());
  PutSignedVarint(&out, b.started_unix_ms);
  PutVarint(&out, static_cast<uint64_t>(b.seconds * 1e6));
  for (uint64_t v : {b.first_row, b.rows, b.accepted, b.rejected, b.duplicates, b.corrected,
                     b.late, b.new_subjects, static_cast<uint64_t>(b.rejections.size()),
                     static_cast<uint64_t>(b.warnings.size())}) {
    PutVarint(&out, v);
  }
  return out;
}

bool DecodeBatchReport(std::string_view in, BatchReport* b) {
  if (in.empty() || in[0] != kBatchFormat) return false;
  in.remove_prefix(1);
  uint64_t part = 0, micros = 0, n_rej = 0, n_warn = 0;
  int64_t received = 0;
  if (!GetStr(&in, &b->file) || !GetVarint(&in, &part) || !GetStr(&in, &b->indicator) ||
      !GetStr(&in, &b->dept) || !GetStr(&in, &b->encoding) || !GetStr(&in, &b->format) ||
      !GetSignedVarint(&in, &received) || !GetSignedVarint(&in, &b->started_unix_ms) ||
      !GetVarint(&in, &micros)) {
    return false;
  }
  b->part = static_cast<uint32_t>(part);
  b->received_date = Date::FromDays(static_cast<int32_t>(received));
  b->seconds = static_cast<double>(micros) / 1e6;
  for (uint64_t* v : {&b->first_row, &b->rows, &b->accepted, &b->rejected, &b->duplicates,
                      &b->corrected, &b->late, &b->new_subjects, &n_rej, &n_warn}) {
    if (!GetVarint(&in, v)) return false;
  }
  // Issue lists are stored under their own keys; the counts let a reader size them.
  b->rejections.reserve(n_rej);
  b->warnings.reserve(n_warn);
  return in.empty();
}

std::string EncodeRowIssue(const RowIssue& i) {
  std::string out;
  PutVarint(&out, i.row);
  PutString(&out, i.field);
  PutString(&out, i.code);
  PutString(&out, i.message);
  return out;
}

bool DecodeRowIssue(std::string_view in, RowIssue* i) {
  uint64_t row = 0;
  if (!GetVarint(&in, &row) || !GetStr(&in, &i->field) || !GetStr(&in, &i->code) ||
      !GetStr(&in, &i->message)) {
    return false;
  }
  i->row = static_cast<uint32_t>(row);
  return in.empty();
}

}  // namespace xinyong
