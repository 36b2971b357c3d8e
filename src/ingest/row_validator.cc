#include "ingest/row_validator.h"

#include <algorithm>

#include "core/identifiers.h"
#include "core/utf8.h"
#include "ingest/field_validation.h"

namespace xinyong::ingest {

using catalog::Field;
using catalog::FieldRole;
using catalog::FieldType;

namespace {

// A resident identity card (居民身份证): not any type whose name holds 身份证 — a permanent
// residence card of a foreigner (外国人永久居留身份证) has numbers of its own.
bool IsResidentIdType(std::string_view type) {
  return type.empty() || type == "身份证" || type == "居民身份证" || type == "公民身份号码" ||
         type == "1" || type == "111";
}

// "AB******12": keeps two characters at each end of a non-resident certificate number, one
// '*' for each character between (characters, not bytes: a number may hold non-ASCII ones).
std::string MaskOther(std::string_view s) {
  const size_t n = Utf8Length(s);
  if (n <= 4) return std::string(n, '*');
  size_t head = 0, tail = s.size();
  for (int kept = 0; kept < 2; ++kept) {
    head += std::max<size_t>(1, Utf8SequenceLength(s, head));
    do --tail; while (tail > head && (static_cast<unsigned char>(s[tail]) & 0xC0) == 0x80);
  }
  return std::string(s.substr(0, head)) + std::string(n - 4, '*') + std::string(s.substr(tail));
}

}  // namespace

RowValidator::RowValidator(const catalog::Indicator& indicator, Date received_date,
                           const WorkCalendar& calendar, const PersonalDataVault& vault)
    : ind_(indicator), received_(received_date), calendar_(calendar), vault_(vault) {
  for (size_t i = 0; i < ind_.fields.size(); ++i) {
    const Field& f = ind_.fields[i];
    if (f.type == FieldType::kIdNumber) {
      // The certificate type that goes with a number: CF_XDR_ZJHM ↔ CF_XDR_ZJLX.
      std::string type_code = f.code;
      if (auto p = type_code.rfind("ZJHM"); p != std::string::npos) type_code.replace(p, 4, "ZJLX");
      id_type_of_[i] = ind_.FieldIndex(type_code);
    }
  }
  role_name_ = ind_.FieldIndexByRole(FieldRole::kSubjectName);
  role_status_ = ind_.FieldIndexByRole(FieldRole::kSubjectStatus);
  role_industry_ = ind_.FieldIndexByRole(FieldRole::kIndustry);
  role_category_ = ind_.FieldIndexByRole(FieldRole::kSubjectCategory);
  role_decision_ = ind_.FieldIndexByRole(FieldRole::kDecisionDate);
  role_document_ = ind_.FieldIndexByRole(FieldRole::kDocumentNumber);
  role_procedure_ = ind_.FieldIndexByRole(FieldRole::kProcedure);
  role_report_ = ind_.FieldIndexByRole(FieldRole::kReportDate);
  role_person_id_ = ind_.FieldIndexByRole(FieldRole::kSubjectIdNumber);
  role_fulfilment_ = ind_.FieldIndexByRole(FieldRole::kFulfilmentStatus);
  role_false_ = ind_.FieldIndexByRole(FieldRole::kFalseCommitment);
  for (const auto& code : ind_.natural_key) natural_key_.push_back(ind_.FieldIndex(code));
}

const std::string& RowValidator::FieldCode(int index) const {
  static const std::string kNone;
  return index >= 0 ? ind_.fields[static_cast<size_t>(index)].code : kNone;
}

bool RowValidator::Reject(PreparedRow* out, const std::string& field, std::string code,
                          std::string message) {
  out->rejected = true;
  out->issue = {static_cast<uint32_t>(out->row), field, std::move(code), std::move(message)};
  return false;
}

bool RowValidator::Personal(size_t i, std::string_view cell,
                            const std::vector<std::string_view>& cells, PersonalValue* pv,
                            std::string* mask, IdentifierKind* kind, PreparedRow* out) {
  const Field& f = ind_.fields[i];
  std::string_view type;
  if (auto t = id_type_of_.find(i); t != id_type_of_.end() && t->second >= 0) {
    type = TrimCell(cells[static_cast<size_t>(t->second)]);
  }
  std::string normalized;
  if (IsResidentIdType(type)) {
    auto r = ident::ParseResidentId(cell, received_);
    if (!r.ok()) {
      // ParseResidentId never puts the number in plaintext into its message.
      return Reject(out, f.code, "invalid_resident_id",
                    f.code + " (" + f.label + "): " + r.status().message());
    }
    normalized = r->id18;
    *mask = ident::MaskResidentId(normalized);
    *kind = IdentifierKind::kResidentIdHash;
  } else {
    std::string code = ident::NormalizeCodeInput(cell);
    if (code.size() > 64) {
      return Reject(out, f.code, "invalid_id_number", f.code + " (" + f.label + ") is too long");
    }
    if (code.find_first_not_of('0') == std::string::npos) {
      // "-", "—" or "000": nothing that tells one person from another, who would all become one.
      return Reject(out, f.code, "invalid_id_number",
                    f.code + " (" + f.label + ") holds no certificate number");
    }
    normalized = std::string(type) + ":" + code;
    *mask = MaskOther(code);
    *kind = IdentifierKind::kOtherIdHash;
  }
  auto h = vault_.LookupHash(normalized);
  pv->field = f.code;
  pv->hash.assign(reinterpret_cast<const char*>(h.data()), h.size());
  pv->sealed = vault_.Encrypt(normalized);
  return true;
}

void RowValidator::Prepare(uint64_t row, const std::vector<std::string_view>& cells,
                           PreparedRow* out, Date first_received) {
  *out = PreparedRow();
  out->row = row;
  const size_t n = ind_.fields.size();
  norm_.resize(n);
  for (auto& v : norm_) v.clear();
  int person_index = -1;
  IdentifierKind person_kind = IdentifierKind::kResidentIdHash;
  for (size_t i = 0; i < n; ++i) {
    const Field& f = ind_.fields[i];
    std::string_view cell = TrimCell(cells[i]);
    if (cell.empty()) {
      if (f.required) {
        Reject(out, f.code, "missing_field", f.code + " (" + f.label + ") is required but empty");
        return;
      }
      continue;
    }
    if (f.type == FieldType::kIdNumber) {
      PersonalValue pv;
      std::string mask;
      IdentifierKind kind;
      if (!Personal(i, cell, cells, &pv, &mask, &kind, out)) return;
      if (static_cast<int>(i) == role_person_id_) {
        out->person_mask = mask;
        out->person_sealed = pv.sealed;
        person_kind = kind;
        person_index = static_cast<int>(out->personal.size());
      }
      norm_[i] = std::move(mask);
      out->personal.push_back(std::move(pv));
      continue;
    }
    FieldProblem problem;
    if (!NormalizeField(f, cell, received_, &norm_[i], &problem)) {
      Reject(out, f.code, std::move(problem.code), std::move(problem.message));
      return;
    }
  }
  if (role_name_ < 0 || norm_[static_cast<size_t>(role_name_)].empty()) {
    Reject(out, FieldCode(role_name_), "missing_field", "the subject's name is required");
    return;
  }
  out->name = norm_[static_cast<size_t>(role_name_)];
  if (role_status_ >= 0) out->status = norm_[static_cast<size_t>(role_status_)];
  if (role_industry_ >= 0) out->industry = norm_[static_cast<size_t>(role_industry_)];

  // The subject: its kind and the codes that identify it, the USCC first.
  std::optional<SubjectType> category;
  if (role_category_ >= 0 && !norm_[static_cast<size_t>(role_category_)].empty()) {
    category = ParseSubjectType(norm_[static_cast<size_t>(role_category_)]);
  }
  for (size_t i = 0; i < n; ++i) {
    if (norm_[i].empty()) continue;
    switch (ind_.fields[i].role) {
      case FieldRole::kSubjectUscc:
        out->uscc = norm_[i];
        out->ids.insert(out->ids.begin(), {{IdentifierKind::kUscc, out->uscc},
                                           {IdentifierKind::kOrgCode, out->uscc.substr(8, 9)}});
        out->region = out->uscc.substr(2, 6);
        break;
      case FieldRole::kSubjectOrgCode: out->ids.push_back({IdentifierKind::kOrgCode, norm_[i]}); break;
      case FieldRole::kSubjectRegNumber: out->ids.push_back({IdentifierKind::kRegNumber, norm_[i]}); break;
      case FieldRole::kSubjectTaxNumber: out->ids.push_back({IdentifierKind::kTaxNumber, norm_[i]}); break;
      case FieldRole::kSubjectInstCert: out->ids.push_back({IdentifierKind::kInstCert, norm_[i]}); break;
      case FieldRole::kSubjectSocialOrgCert:
        out->ids.push_back({IdentifierKind::kSocialOrgCert, norm_[i]});
        break;
      default: break;
    }
  }
  // The organization code inside the USCC may also be given on its own: identify once.
  for (size_t i = 2; i < out->ids.size(); ++i) {
    if (!out->uscc.empty() && out->ids[i] == out->ids[1]) {
      out->ids.erase(out->ids.begin() + static_cast<std::ptrdiff_t>(i--));
    }
  }
  out->type_from_row = category.has_value();
  bool natural = category == SubjectType::kNaturalPerson || (out->ids.empty() && person_index >= 0);
  out->type = category.value_or(SubjectType::kLegalPerson);
  if (natural) {
    if (person_index < 0) {
      Reject(out, FieldCode(role_person_id_), "missing_field",
             "a natural person needs a certificate number (证件号码)");
      return;
    }
    out->type = SubjectType::kNaturalPerson;
    const std::string& hash = out->personal[static_cast<size_t>(person_index)].hash;
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string code;
    for (size_t i = 0; i < 10; ++i) {
      code.push_back(kHex[static_cast<unsigned char>(hash[i]) >> 4]);
      code.push_back(kHex[static_cast<unsigned char>(hash[i]) & 15]);
    }
    // Resolved by the hash only; the person code is for display and public lookups.
    out->ids = {{person_kind, hash}, {IdentifierKind::kPersonCode, std::move(code)}};
    out->region.clear();
  } else if (out->ids.empty()) {
    Reject(out, "", "missing_code",
           "no subject code: give the unified social credit code or a legacy registration code");
    return;
  } else if (!category && !out->uscc.empty()) {
    out->type = (out->uscc[0] == '9' && out->uscc[1] == '2') ? SubjectType::kIndividualBusiness
                                                             : SubjectType::kLegalPerson;
  }
  if (!natural) {
    out->person_mask.clear();
    out->person_sealed.clear();
  }

  // Henan rule: simple-procedure penalties on natural persons are not collected.
  if (natural && role_procedure_ >= 0 &&
      norm_[static_cast<size_t>(role_procedure_)].find("简易") != std::string::npos) {
    Reject(out, FieldCode(role_procedure_), "henan_simple_procedure",
           "penalties on natural persons under the simple procedure (简易程序) are not collected "
           "and may not be used for punishment (Henan rule)");
    return;
  }

  // A commitment found false is broken (FACTS §7): its fulfilment status must be a finding of
  // breach, which makes its negative record. 全部履行, or no finding, would keep a false
  // commitment without one.
  if (role_false_ >= 0 && norm_[static_cast<size_t>(role_false_)] == "是") {
    const std::string_view status =
        role_fulfilment_ >= 0 ? std::string_view(norm_[static_cast<size_t>(role_fulfilment_)])
                              : std::string_view();
    if (!catalog::IsBreachStatus(status)) {
      Reject(out, FieldCode(role_false_), "false_commitment_not_breached",
             "a commitment found false (虚假承诺) is broken: its " +
                 (role_fulfilment_ >= 0 ? FieldCode(role_fulfilment_) : std::string("status")) +
                 " must be 部分履行 or 全部未履行, not " +
                 (status.empty() ? std::string("empty") : std::string(status)));
      return;
    }
  }

  if (first_received != Date() && first_received < received_) out->first_received = first_received;
  const Date received = out->first_received != Date() ? out->first_received : received_;
  if (role_decision_ >= 0 && !norm_[static_cast<size_t>(role_decision_)].empty()) {
    out->decision_date = *Date::Parse(norm_[static_cast<size_t>(role_decision_)]);
    if (out->decision_date > received) {
      Reject(out, FieldCode(role_decision_), "decision_in_future",
             "the decision date " + out->decision_date.ToString() +
                 " is after the date of receipt " + received.ToString());
      return;
    }
  }
  if (role_document_ >= 0) out->document_number = norm_[static_cast<size_t>(role_document_)];
  if (ind_.nature == catalog::Nature::kNegative && role_document_ >= 0 &&
      out->document_number.empty()) {
    Reject(out, FieldCode(role_document_), "missing_document",
           "negative information needs a document with legal effect (决定书文号 or case number)");
    return;
  }

  // Timeliness of 双公示 decisions: received within 7 working days of the decision.
  if (ind_.shuanggongshi && role_decision_ >= 0 &&
      !norm_[static_cast<size_t>(role_decision_)].empty()) {
    Date decision = out->decision_date;
    Date reported = received;
    if (role_report_ >= 0 && !norm_[static_cast<size_t>(role_report_)].empty()) {
      reported = *Date::Parse(norm_[static_cast<size_t>(role_report_)]);
      if (reported > received || reported < decision) {
        Reject(out, FieldCode(role_report_), "invalid_report_date",
               "the report date " + reported.ToString() +
                   " must lie between the decision date and the date of receipt");
        return;
      }
    }
    const int64_t days = reported.days() - decision.days();
    if (auto due = calendar_.AddWorkdays(decision, 7); due.ok()) {
      out->late = reported > *due;
    } else if (days <= 7) {
      // Outside the calendar, but certain: 7 working days take at least 7 days ...
      out->late = false;
    } else if (days > 31) {
      // ... and no run of holidays and weekends in China makes them take more than a month.
      out->late = true;
    } else {
      // Not decidable without the year's calendar: neither late nor on time (data governance
      // leaves such rows out of the timeliness rate).
      out->warnings.push_back(
          {static_cast<uint32_t>(row), "", "calendar_missing", due.status().message()});
    }
  }

  for (int fi : natural_key_) {
    const std::string& v = fi >= 0 ? norm_[static_cast<size_t>(fi)] : std::string();
    if (v.empty()) {
      Reject(out, FieldCode(fi), "missing_field",
             "a field of the natural key is empty, so the decision cannot be identified");
      return;
    }
    if (!out->natural_key.empty()) out->natural_key.push_back('\x1f');
    out->natural_key += v;
  }

  uint64_t hash = 0xcbf29ce484222325ULL;
  out->values.reserve(n, 512);
  for (size_t i = 0; i < n; ++i) {
    if (norm_[i].empty()) continue;
    hash = Fnv1a64(ind_.fields[i].code, hash);
    hash = Fnv1a64(norm_[i], hash);
    out->values.emplace_back(ind_.fields[i].code, norm_[i]);
  }
  for (const auto& p : out->personal) hash = Fnv1a64(p.hash, Fnv1a64(p.field, hash));
  out->content_hash = hash;
}

}  // namespace xinyong::ingest
