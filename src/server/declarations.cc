#include "server/declarations.h"

#include <fmt/format.h>

#include <array>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "core/identifiers.h"
#include "core/utf8.h"
#include "ingest/field_validation.h"
#include "rules/commitment.h"
#include "server/access.h"
#include "server/json_views.h"
#include "server/redact.h"

namespace xinyong::server {

namespace json = boost::json;

namespace {

// The self_declaration fields, and the request member each comes from (for errors).
struct FieldName {
  std::string_view code, member;
};
constexpr std::array<FieldName, 9> kFields{{{"SB_SBLB", "kind"},
                                            {"SB_SBSX", "title"},
                                            {"SB_SBNR", "content"},
                                            {"SB_FZJG", "issuer"},
                                            {"SB_QDRQ", "obtained"},
                                            {"SB_YXQZ", "valid_until"},
                                            {"SB_ZMCL", "evidence"},
                                            {"SB_GKLX", "publicity"},
                                            {"SB_ZSXCN", "truthful"}}};
// The commitment fields a subject writes, and the CommitmentRequest member each comes from.
constexpr std::array<FieldName, 5> kCommitmentFields{{{"CN_CNSY", "reason"},
                                                      {"CN_CNNR", "content"},
                                                      {"CN_WNZR", "liability"},
                                                      {"CN_CNYXQ", "valid_until"},
                                                      {"CN_GKLX", "publicity"}}};
constexpr std::string_view kDeclDept = "信用主体自主申报";
constexpr std::string_view kPublic = "可向社会公开";
constexpr std::string_view kNotPublic = "不可公开";

std::string_view CategoryLabel(SubjectType t) {
  switch (t) {
    case SubjectType::kNaturalPerson: return "自然人";
    case SubjectType::kIndividualBusiness: return "个体工商户";
    default: return "法人及非法人组织";
  }
}

Result<const catalog::Indicator*> Indicator(const Platform& p, std::string_view code) {
  const catalog::Indicator* ind = p.catalog().Find(code);
  if (ind == nullptr) {
    return Status::FailedPrecondition("the catalog has no indicator " + std::string(code) +
                                      "; declarations need data/catalog/" + std::string(code) +
                                      ".toml");
  }
  return ind;
}

// The members that name the subject in a row: its USCC, or a person's certificate unsealed (the
// ingester hashes and seals it again, and resolves the same subject).
Status IdentityMembers(const Platform& p, const Subject& s, std::string_view uscc_field,
                       std::string_view id_type_field, std::string_view id_field, json::object* o) {
  if (!s.uscc.empty()) {
    (*o)[uscc_field] = s.uscc;
    return Status::Ok();
  }
  if (s.type == SubjectType::kNaturalPerson && !s.id_sealed.empty()) {
    XY_ASSIGN_OR_RETURN(std::string plain, p.vault().Decrypt(s.id_sealed));
    // Other certificates are sealed as "<type>:<number>".
    const size_t colon = plain.find(':');
    (*o)[id_type_field] = colon == std::string::npos ? "身份证" : plain.substr(0, colon);
    (*o)[id_field] = colon == std::string::npos ? plain : plain.substr(colon + 1);
    return Status::Ok();
  }
  return Status::FailedPrecondition(s.DisplayCode() +
                                    " has no unified social credit code or certificate on "
                                    "record to declare under");
}

// Ingests one row of `indicator` as a batch of `dept`; the first rejection's field and reason
// when the row is not accepted (a duplicate is not accepted either).
Status IngestOne(Platform& p, std::string_view indicator, const json::object& row,
                 std::string_view dept, const std::string& name, Date today,
                 std::string* rejected_field) {
  ingest::IngestOptions options;
  options.indicator = std::string(indicator);
  options.format = "jsonl";
  options.dept = std::string(dept);
  options.received_date = today;
  XY_ASSIGN_OR_RETURN(ingest::FileReport report,
                      p.ingester().IngestBuffer(json::serialize(row) + "\n", name, options));
  if (report.accepted + report.corrected == 1 && report.rejected == 0) return Status::Ok();
  std::string why = report.duplicates > 0 ? "the same row is stored already" : "the row was rejected";
  XY_ASSIGN_OR_RETURN(auto rejected, ingest::FirstRejection(p.store(), report));
  if (rejected) {
    why = rejected->message;
    *rejected_field = rejected->field;
  }
  return Status::InvalidArgument(why);
}

Result<std::optional<Record>> CurrentByNumber(Platform& p, const Subject& subject,
                                              std::string_view indicator, std::string_view number) {
  XY_ASSIGN_OR_RETURN(auto hit, p.store().FindNaturalKey(subject.id, indicator, number));
  if (!hit) return std::optional<Record>();
  std::vector<Record> versions;
  XY_RETURN_IF_ERROR(p.store().ListRecordVersions(subject.id, hit->record_id, &versions));
  if (versions.empty()) return Status::DataLoss(std::string(number) + " has no stored version");
  return std::optional<Record>(std::move(versions.back()));
}

// The number of a self-service declaration or commitment: division + date + a serial of the
// platform's own (the 承诺编码 format), from the range kept for self-service (900000-999999:
// departments number their commitments from 1), and never a code the subject's declarations or
// commitments already have.
Result<std::string> SelfServiceNumber(Platform& p, const Subject& subject, Date today) {
  const workflow::Declaration& policy = p.rights().policy().declaration();
  for (int attempt = 0; attempt < 16; ++attempt) {
    const uint64_t serial = 900000 + p.store().NextId(storage::IdSpace::kDeclaration) % 100000;
    std::string candidate = fmt::format("{}{:04d}{:02d}{:02d}{:06d}", policy.division,
                                        today.year(), today.month(), today.day(), serial);
    XY_ASSIGN_OR_RETURN(auto d, CurrentByNumber(p, subject, kDeclarationIndicator, candidate));
    XY_ASSIGN_OR_RETURN(auto c, CurrentByNumber(p, subject, rules::kCommitmentIndicator, candidate));
    if (!d && !c) return candidate;
  }
  return Status::Internal("no free self-service number today");
}

// Ingests the 主动型 commitment `number` of `subject`, made on `today` and accepted by the unit of
// [declaration] — the row a declaration's truthfulness commitment and a subject's own commitment
// share. `text` is stored as given (masked and defaulted by the caller); `file_name` names the
// batch. The field the ingester rejected, if any, in *rejected_field.
Status IngestSelfCommitment(Platform& p, const Subject& subject, const std::string& number,
                            const CommitmentRequest& text, Date today, const std::string& file_name,
                            std::string* rejected_field) {
  const workflow::Declaration& policy = p.rights().policy().declaration();
  json::object c;
  c["CN_CNBM"] = number;
  c["CN_CNRMC"] = subject.name;
  c["CN_CNRLB"] = CategoryLabel(subject.type);
  XY_RETURN_IF_ERROR(IdentityMembers(p, subject, "CN_CNRDM", "CN_ZJLX", "CN_ZJHM", &c));
  c["CN_CNLX"] = "主动型";
  const std::array<const std::string*, 5> values{&text.reason, &text.content, &text.liability,
                                                 &text.valid_until, &text.publicity};
  for (size_t i = 0; i < values.size(); ++i) {
    if (!values[i]->empty()) c[kCommitmentFields[i].code] = *values[i];
  }
  c["CN_CNZCRQ"] = today.ToString();
  c["CN_CNSLDW"] = policy.accepting_unit;
  if (!policy.accepting_unit_code.empty()) c["CN_CNSLDWDM"] = policy.accepting_unit_code;
  const std::string unit =
      policy.accepting_unit_code.empty() ? policy.accepting_unit : policy.accepting_unit_code;
  return IngestOne(p, rules::kCommitmentIndicator, c, unit, file_name, today, rejected_field);
}

Result<Declaration> Load(Platform& p, const Subject& subject, std::string_view number, Date today) {
  const std::string code = ident::NormalizeCodeInput(number);
  XY_ASSIGN_OR_RETURN(auto decl, CurrentByNumber(p, subject, kDeclarationIndicator, code));
  if (!decl) return NoSuchDeclaration(subject, code);
  Declaration d{std::move(*decl), std::nullopt};
  XY_ASSIGN_OR_RETURN(const catalog::Indicator* cind, Indicator(p, rules::kCommitmentIndicator));
  XY_ASSIGN_OR_RETURN(auto commitment, CurrentByNumber(p, subject, cind->code, code));
  if (commitment) {
    rules::CommitmentView v = rules::ViewCommitment(*commitment, *cind, today);
    d.commitment = CommitmentEntry{subject, std::move(*commitment), std::move(v)};
  }
  return d;
}

}  // namespace

Status NoSuchDeclaration(const Subject& subject, std::string_view number) {
  return Status::NotFound(subject.DisplayCode() + " has no declaration " +
                          std::string(number.substr(0, 40)));
}

Result<Declaration> Declare(Platform& p, const Subject& subject, const DeclarationRequest& rq,
                            Date today, std::string* bad_field) {
  bad_field->clear();
  XY_ASSIGN_OR_RETURN(const catalog::Indicator* dind, Indicator(p, kDeclarationIndicator));
  XY_RETURN_IF_ERROR(Indicator(p, rules::kCommitmentIndicator).status());
  const workflow::Declaration& policy = p.rights().policy().declaration();
  if (!rq.truthful) {
    *bad_field = "truthful";
    return Status::InvalidArgument(
        "a declaration needs the truthfulness commitment (truthful: true): " + policy.commitment);
  }
  // Free text is the subject's own typing: resident ID numbers in it are masked before anything
  // is stored, as in objections and repair applications.
  DeclarationRequest text = rq;
  for (std::string* t : {&text.title, &text.content, &text.issuer, &text.evidence}) {
    *t = RedactPersonalIds(*t);
  }
  // The dates: nothing obtained in the future, nothing published as valid that has run out.
  std::optional<Date> obtained, until;
  for (auto [member, label, value, out] :
       {std::tuple{"obtained", "取得日期", &text.obtained, &obtained},
        std::tuple{"valid_until", "有效期至", &text.valid_until, &until}}) {
    const std::string_view given = ingest::TrimCell(*value);
    if (given.empty()) continue;
    auto d = Date::Parse(given);
    if (!d.ok()) {
      *bad_field = member;
      return Status::InvalidArgument(std::string(member) + " (" + label + ") must be a date, YYYY-MM-DD");
    }
    *out = *d;
    *value = d->ToString();
  }
  if (obtained && *obtained > today) {
    *bad_field = "obtained";
    return Status::InvalidArgument("obtained (取得日期) " + obtained->ToString() +
                                   " is after today (" + today.ToString() + ")");
  }
  if (until && *until < today) {
    *bad_field = "valid_until";
    return Status::InvalidArgument("valid_until (有效期至) " + until->ToString() +
                                   " has passed: what is no longer valid is not declared");
  }
  // (So valid_until is never before obtained: obtained ≤ today ≤ valid_until.)
  std::string publicity = rq.publicity;
  if (publicity.empty()) {
    publicity = subject.type == SubjectType::kNaturalPerson ? kNotPublic : kPublic;
  }
  XY_ASSIGN_OR_RETURN(const std::string number, SelfServiceNumber(p, subject, today));

  json::object decl;
  decl["SB_SBBH"] = number;
  decl["SB_ZTMC"] = subject.name;
  decl["SB_ZTLB"] = CategoryLabel(subject.type);
  XY_RETURN_IF_ERROR(IdentityMembers(p, subject, "SB_TYSHXYDM", "SB_ZJLX", "SB_ZJHM", &decl));
  const std::array<const std::string*, 8> values{&text.kind,     &text.title,    &text.content,
                                                 &text.issuer,   &text.obtained, &text.valid_until,
                                                 &text.evidence, &publicity};
  for (size_t i = 0; i < values.size(); ++i) {
    if (!values[i]->empty()) decl[kFields[i].code] = *values[i];
  }
  decl["SB_SBRQ"] = today.ToString();
  decl["SB_ZSXCN"] = policy.commitment;
  std::string field;
  if (Status st = IngestOne(p, dind->code, decl, kDeclDept, "declaration-" + number + ".jsonl",
                            today, &field);
      !st.ok()) {
    for (const FieldName& f : kFields) {
      if (f.code == field) *bad_field = f.member;
    }
    return st;
  }

  CommitmentRequest truthfulness;
  truthfulness.reason = fmt::format("信用信息自主申报（申报编号{}：{}）", number, text.title);
  truthfulness.content = policy.commitment;
  truthfulness.liability = policy.liability;
  truthfulness.publicity = publicity;
  if (Status st = IngestSelfCommitment(p, subject, number, truthfulness, today,
                                       "declaration-commitment-" + number + ".jsonl", &field);
      !st.ok()) {
    // Never a declaration without its commitment: take the declaration back.
    XY_ASSIGN_OR_RETURN(auto stored, CurrentByNumber(p, subject, dind->code, number));
    if (stored) {
      const ingest::StatusChange undo{subject.id, stored->record_id, stored->version,
                                      RecordStatus::kRevoked,
                                      "its truthfulness commitment could not be recorded"};
      XY_RETURN_IF_ERROR(p.ingester()
                             .ChangeStatus({&undo, 1}, "declaration-" + number,
                                           std::string(kDeclDept), today)
                             .status());
    }
    return Status::Internal("the truthfulness commitment of declaration " + number +
                            " could not be recorded (" + st.message() +
                            "); the declaration was taken back");
  }
  return Load(p, subject, number, today);
}

Result<CommitmentEntry> MakeCommitment(Platform& p, const Subject& subject,
                                       const CommitmentRequest& rq, Date today,
                                       std::string* bad_field) {
  bad_field->clear();
  XY_ASSIGN_OR_RETURN(const catalog::Indicator* cind, Indicator(p, rules::kCommitmentIndicator));
  const workflow::Declaration& policy = p.rights().policy().declaration();
  // Free text is the subject's own typing: resident ID numbers in it are masked first.
  CommitmentRequest text;
  text.reason = RedactPersonalIds(ingest::TrimCell(rq.reason));
  text.content = RedactPersonalIds(ingest::TrimCell(rq.content));
  text.liability = RedactPersonalIds(ingest::TrimCell(rq.liability));
  if (text.liability.empty()) text.liability = policy.commitment_liability;
  if (text.reason.empty()) {
    *bad_field = "reason";
    return Status::InvalidArgument("reason (承诺事由) is required");
  }
  if (text.content.empty()) {
    *bad_field = "content";
    return Status::InvalidArgument("content (承诺内容) is required");
  }
  const std::string_view valid_until = ingest::TrimCell(rq.valid_until);
  if (!valid_until.empty()) {
    auto until = Date::Parse(valid_until);
    if (!until.ok()) {
      *bad_field = "valid_until";
      return Status::InvalidArgument("valid_until (承诺有效期) must be a date, YYYY-MM-DD");
    }
    if (*until < today) {
      *bad_field = "valid_until";
      return Status::InvalidArgument("valid_until (承诺有效期) " + until->ToString() +
                                     " is in the past");
    }
    text.valid_until = until->ToString();
  }
  text.publicity = std::string(ingest::TrimCell(rq.publicity));
  if (text.publicity.empty()) {
    text.publicity = subject.type == SubjectType::kNaturalPerson ? kNotPublic : kPublic;
  } else if (text.publicity != kPublic && text.publicity != kNotPublic) {
    *bad_field = "publicity";
    return Status::InvalidArgument("publicity must be 可向社会公开 or 不可公开");
  }

  XY_ASSIGN_OR_RETURN(const std::string number, SelfServiceNumber(p, subject, today));
  std::string field;
  if (Status st = IngestSelfCommitment(p, subject, number, text, today,
                                       "commitment-" + number + ".jsonl", &field);
      !st.ok()) {
    for (const FieldName& f : kCommitmentFields) {
      if (f.code == field) *bad_field = f.member;
    }
    return st;
  }
  XY_ASSIGN_OR_RETURN(auto stored, CurrentByNumber(p, subject, cind->code, number));
  if (!stored) return Status::DataLoss("commitment " + number + " was accepted but is not stored");
  rules::CommitmentView v = rules::ViewCommitment(*stored, *cind, today);
  return CommitmentEntry{subject, std::move(*stored), std::move(v)};
}

Result<Declaration> GetDeclaration(Platform& p, const Subject& subject, std::string_view number,
                                   Date today) {
  return Load(p, subject, number, today);
}

Status ListDeclarations(Platform& p, const Subject& subject, RecordView* view, bool all_statuses,
                        Date today, std::vector<Declaration>* out) {
  std::vector<Record> records;
  XY_RETURN_IF_ERROR(p.store().ListRecords(subject.id, kDeclarationIndicator, &records));
  for (const Record& r : records) {  // newest first
    if (r.status != RecordStatus::kActive) {
      if (!all_statuses) continue;
    } else if (view != nullptr) {
      XY_ASSIGN_OR_RETURN(bool sees, view->Sees(r, p.catalog().Find(r.indicator)));
      if (!sees) continue;
    }
    XY_ASSIGN_OR_RETURN(Declaration d, Load(p, subject, r.document_number, today));
    out->push_back(std::move(d));
  }
  return Status::Ok();
}

Result<Declaration> EndDeclaration(Platform& p, const Subject& subject, std::string_view number,
                                   std::string_view reason_text, bool by_operator,
                                   bool false_declaration, Date today) {
  const std::string reason = RedactPersonalIds(reason_text);
  if (reason.empty()) return Status::InvalidArgument("reason: a reason is required");
  XY_ASSIGN_OR_RETURN(Declaration d, Load(p, subject, number, today));
  const bool active = d.record.status == RecordStatus::kActive;
  // A subject's withdrawal does not take back the truthfulness of what it published: the
  // operator may still find a withdrawn declaration false. So may it one whose commitment was
  // found kept (全部履行): a commitment found kept may be found false later (rules::FulfilmentRow).
  const bool open_commitment =
      d.commitment && (d.commitment->view.state == rules::CommitmentState::kOpen ||
                       d.commitment->view.state == rules::CommitmentState::kOverdue ||
                       d.commitment->view.state == rules::CommitmentState::kFulfilled);
  if (false_declaration) {
    if (!by_operator) return Status::PermissionDenied("only the operator finds a declaration false");
    if (!d.commitment) {
      return Status::FailedPrecondition("declaration " + d.record.document_number +
                                        " has no truthfulness commitment on record to find broken");
    }
    if (!open_commitment) {
      return Status::FailedPrecondition(
          "the truthfulness commitment of declaration " + d.record.document_number +
          " was found already (" + std::string(rules::CommitmentStateLabel(d.commitment->view.state)) +
          ")");
    }
  } else if (!active) {
    return Status::FailedPrecondition("declaration " + d.record.document_number + " is " +
                                      std::string(RecordStatusName(d.record.status)) + " already");
  }
  // The finding first: if it fails, nothing has changed and the call can be repeated.
  if (false_declaration) {
    const workflow::Declaration& policy = p.rights().policy().declaration();
    rules::Fulfilment f;
    f.status = "全部未履行";
    f.found = today;
    // By the name the commitment states (rights.toml's name and code may both have changed
    // since it was accepted); the finding takes the code the commitment states.
    f.unit = d.commitment->view.accepting_unit.empty() ? policy.accepting_unit
                                                       : d.commitment->view.accepting_unit;
    f.unfulfilled = fmt::format("申报信息不实：{}", reason);
    f.liability = policy.liability;
    f.false_commitment = true;
    // The reason becomes the finding's text (未履行的承诺内容): it must fit there.
    XY_ASSIGN_OR_RETURN(const catalog::Indicator* cind, Indicator(p, rules::kCommitmentIndicator));
    const int field = cind->FieldIndex("CN_WLXNR");
    if (field >= 0) {
      const size_t max = cind->fields[static_cast<size_t>(field)].max_length;
      if (max > 0 && Utf8Length(f.unfulfilled) > max) {
        return Status::InvalidArgument(
            "reason: at most " + std::to_string(max - Utf8Length("申报信息不实：")) +
            " characters when the declaration is found false (it becomes the finding's 未履行的承诺内容)");
      }
    }
    std::string bad_field;
    XY_RETURN_IF_ERROR(RecordFulfilment(p, subject, d.record.document_number, f, today,
                                        &bad_field, /*for_declaration=*/true)
                           .status());
  }
  if (active) {
    const std::string note =
        fmt::format("{}：{}", by_operator ? "平台撤销" : "申报主体撤回", reason);
    const ingest::StatusChange change{subject.id, d.record.record_id, d.record.version,
                                      RecordStatus::kRevoked, note};
    XY_RETURN_IF_ERROR(p.ingester()
                           .ChangeStatus({&change, 1}, "declaration-" + d.record.document_number,
                                         by_operator ? "operator" : std::string(kDeclDept), today)
                           .status());
  }
  return Load(p, subject, d.record.document_number, today);
}

json::object DeclarationJson(Platform& p, const Declaration& d) {
  const Record& r = d.record;
  const catalog::Indicator* ind = p.catalog().Find(r.indicator);
  json::object o;
  o["number"] = r.document_number;
  for (const FieldName& f : kFields) {
    if (f.member == "truthful" || f.member == "publicity") continue;
    std::string_view v = r.Get(f.code);
    o[f.member] = v.empty() ? json::value(nullptr) : json::value(v);
  }
  o["declared"] = r.decision_date.ToString();
  o["status"] = RecordStatusName(r.status);
  o["self_declared"] = true;
  o["source_label"] = "自主申报";
  std::string_view publicity = r.Get("SB_GKLX");
  o["publicity"] = publicity.empty() ? json::value(nullptr) : json::value(publicity);
  o["truthfulness_commitment"] = r.Get("SB_ZSXCN");
  const catalog::Indicator* cind = p.catalog().Find(rules::kCommitmentIndicator);
  o["commitment"] =
      d.commitment ? json::value(CommitmentJson(*d.commitment, cind)) : json::value(nullptr);
  o["record"] = RecordJson(r, ind);
  return o;
}

}  // namespace xinyong::server
