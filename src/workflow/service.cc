#include "workflow/service.h"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>

#include "core/identifiers.h"
#include "core/utf8.h"
#include "rules/commitment.h"
#include "rules/record_fields.h"

namespace xinyong::workflow {

namespace json = boost::json;

namespace {

// Limits of what a caller writes into an application.
constexpr size_t kMaxText = 4000;       // bytes of a reason, answer or reply
constexpr size_t kMaxDocuments = 20;    // evidence or document references per step
constexpr size_t kMaxDocument = 500;    // bytes of one reference
constexpr size_t kMaxCorrections = 50;

// credit_commitment fields without a role of their own (FACTS §7); the others are found by role.
constexpr std::string_view kCommitmentType = "CN_CNLX";
constexpr std::string_view kCommitmentReason = "CN_CNSY";
constexpr std::string_view kCommitmentContent = "CN_CNNR";
constexpr std::string_view kCommitmentLiability = "CN_WNZR";
constexpr std::string_view kCommitmentUnit = "CN_CNSLDW";
constexpr std::string_view kRepairCommitment = "信用修复型";

int64_t NowUnixMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string Trimmed(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

// What an applicant, the centre or a department writes (reasons, answers, references to
// documents), as kept: trimmed, and every resident ID number in it masked.
std::string FreeText(std::string_view s) { return ident::MaskResidentIdsIn(Trimmed(s)); }
std::vector<std::string> FreeTexts(const std::vector<std::string>& v) {
  std::vector<std::string> out;
  out.reserve(v.size());
  for (const std::string& s : v) out.push_back(FreeText(s));
  return out;
}

Status CheckText(std::string_view field, const std::string& text, bool required) {
  if (required && Trimmed(text).empty()) {
    return Status::InvalidArgument(std::string(field) + ": required, and may not be blank");
  }
  if (text.size() > kMaxText) {
    return Status::InvalidArgument(std::string(field) + ": at most " + std::to_string(kMaxText) +
                                   " bytes");
  }
  // An application is kept as JSON: text that is not UTF-8 (a GBK terminal) would make it
  // unreadable, and the store with it.
  if (!IsValidUtf8(text)) {
    return Status::InvalidArgument(std::string(field) + ": not UTF-8 text");
  }
  return Status::Ok();
}

Status CheckDocuments(std::string_view field, const std::vector<std::string>& docs) {
  if (docs.size() > kMaxDocuments) {
    return Status::InvalidArgument(std::string(field) + ": at most " +
                                   std::to_string(kMaxDocuments) + " references");
  }
  for (const std::string& d : docs) {
    if (Trimmed(d).empty() || d.size() > kMaxDocument) {
      return Status::InvalidArgument(std::string(field) + ": each reference must be 1 to " +
                                     std::to_string(kMaxDocument) + " bytes");
    }
    if (!IsValidUtf8(d)) return Status::InvalidArgument(std::string(field) + ": not UTF-8 text");
  }
  return Status::Ok();
}

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string Join(const std::vector<std::string>& v, std::string_view sep = ", ") {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::string Name(const Application& a) {
  return std::string(KindName(a.kind)) + " " + std::to_string(a.id);
}

std::string RecordName(const Record& r) {
  return "record " + std::to_string(r.record_id) + " (" + r.indicator +
         (r.document_number.empty() ? "" : " " + r.document_number) + ")";
}

// The role a field plays that names the subject: such a field cannot be corrected (the record
// would belong to another subject).
bool NamesSubject(catalog::FieldRole role) {
  using catalog::FieldRole;
  switch (role) {
    case FieldRole::kSubjectUscc:
    case FieldRole::kSubjectRegNumber:
    case FieldRole::kSubjectOrgCode:
    case FieldRole::kSubjectTaxNumber:
    case FieldRole::kSubjectInstCert:
    case FieldRole::kSubjectSocialOrgCert:
    case FieldRole::kSubjectIdType:
    case FieldRole::kSubjectIdNumber:
    case FieldRole::kSubjectCategory:
      return true;
    default:
      return false;
  }
}

std::string_view CategoryOf(SubjectType t) {
  switch (t) {
    case SubjectType::kNaturalPerson: return "自然人";
    case SubjectType::kIndividualBusiness: return "个体工商户";
    default: return "法人及非法人组织";
  }
}

std::string FieldOfRole(const catalog::Indicator& ind, catalog::FieldRole role) {
  const int i = ind.FieldIndexByRole(role);
  return i < 0 ? std::string() : ind.fields[static_cast<size_t>(i)].code;
}

// A record's row as it was submitted: every value, personal numbers unsealed so that ingestion
// hashes and seals them again.
Result<json::object> RowOf(const Record& r, const catalog::Indicator& ind,
                           const PersonalDataVault& vault) {
  json::object row;
  for (const catalog::Field& f : ind.fields) {
    std::string value(r.Get(f.code));
    if (f.type == catalog::FieldType::kIdNumber) {
      value.clear();
      for (const PersonalValue& pv : r.personal) {
        if (pv.field != f.code) continue;
        XY_ASSIGN_OR_RETURN(std::string plain, vault.Decrypt(pv.sealed));
        value = CertificateNumber(plain);
      }
    }
    if (!value.empty()) row[f.code] = value;
  }
  return row;
}

}  // namespace

Result<std::unique_ptr<Service>> Service::Open(storage::Store& store,
                                               const catalog::Catalog& catalog,
                                               const WorkCalendar& calendar,
                                               const PersonalDataVault& vault,
                                               ingest::Ingester& ingester, const Policy& policy) {
  std::unique_ptr<Service> s(new Service(store, catalog, calendar, vault, ingester, policy));
  bool corrupt = false;
  uint64_t bad = 0;
  XY_RETURN_IF_ERROR(store.ScanApplications([&](uint64_t id, std::string_view value) {
    Application a;
    if (!DecodeApplication(value, &a)) {
      corrupt = true;
      bad = id;
      return false;
    }
    s->Track(a);
    return true;
  }));
  if (corrupt) return Status::DataLoss("application " + std::to_string(bad) + " is corrupt");
  return s;
}

bool Service::MaySee(const Caller& caller, const Application& a) {
  switch (caller.role) {
    case Caller::Role::kOperator: return true;
    case Caller::Role::kSubject: return caller.subject_id == a.subject_id;
    case Caller::Role::kDepartment:
      if (caller.department.empty()) return false;
      return a.kind == Kind::kObjection ? caller.department == a.department
                                        : Contains(a.departments, caller.department);
    case Caller::Role::kOther: return false;
  }
  return false;
}

Result<Record> Service::Current(uint64_t subject_id, uint64_t record_id) const {
  std::vector<Record> versions;
  XY_RETURN_IF_ERROR(store_.ListRecordVersions(subject_id, record_id, &versions));
  if (versions.empty()) {
    return Status::NotFound("the subject has no record " + std::to_string(record_id));
  }
  return std::move(versions.back());
}

std::vector<std::string> Service::DepartmentsOf(const Record& r,
                                                const catalog::Indicator& ind) const {
  std::vector<std::string> out;
  for (const std::string& f : policy_.DecidingBodyFields(ind.code)) {
    std::string v = Trimmed(r.Get(f));
    if (!v.empty() && !Contains(out, v)) out.push_back(std::move(v));
  }
  if (out.empty()) {
    auto batch = store_.GetBatch(r.batch_id);
    if (batch.ok() && *batch && !(*batch)->dept.empty()) out.push_back((*batch)->dept);
  }
  if (out.empty()) out = ind.source_departments;
  return out;
}

void Service::SetDeadline(Application* a, Clock clock) {
  a->due.reset();
  a->due_clock = clock;
  if (clock == Clock::kNone) return;
  auto due = calendar_.AddWorkdays(a->state_since, policy_.Workdays(clock, a->extended));
  if (due.ok()) {
    a->due = *due;
    FillMissingDeadlines(a);  // the note of an earlier gap goes once nothing is missing
  } else {
    a->deadline_note = "no deadline for the " + std::string(ClockName(clock)) +
                       " step: " + due.status().message();
  }
}

void Service::FillMissingDeadlines(Application* a) const {
  if (a->deadline_note.empty()) return;
  bool missing = false;
  if (a->open() && !a->due && a->due_clock != Clock::kNone) {
    auto due = calendar_.AddWorkdays(a->state_since, policy_.Workdays(a->due_clock, a->extended));
    if (due.ok()) a->due = *due;
    missing |= !due.ok();
  }
  if (a->kind == Kind::kObjection && !a->overall_due) {
    auto overall = calendar_.AddWorkdays(a->filed, policy_.objection_total_workdays());
    if (overall.ok()) a->overall_due = *overall;
    missing |= !overall.ok();
  }
  if (!missing) a->deadline_note.clear();
}

Status Service::Save(Application* a, Event e, int64_t unix_ms) {
  e.seq = a->events + 1;
  e.unix_ms = unix_ms;
  a->events = e.seq;
  Status s = store_.SaveApplication(
      {a->id, a->subject_id, e.seq, EncodeApplication(*a), EncodeEvent(e)});
  if (!s.ok()) a->events -= 1;
  return s;
}

Result<Application> Service::Load(uint64_t id) const {
  XY_ASSIGN_OR_RETURN(auto value, store_.GetApplication(id));
  if (!value) return Status::NotFound("no objection or repair application has the id " + std::to_string(id));
  Application a;
  if (!DecodeApplication(*value, &a)) {
    return Status::DataLoss("application " + std::to_string(id) + " is corrupt");
  }
  FillMissingDeadlines(&a);
  return a;
}

void Service::Track(const Application& a) {
  std::unique_lock lock(open_mu_);
  auto& open = a.kind == Kind::kObjection ? open_objections_ : open_repairs_;
  const auto key = std::make_pair(a.subject_id, a.record_id);
  bool changed = false;  // the set of (subject, record) keys, which UnderObjection reads
  if (a.open()) {
    changed = open.insert_or_assign(key, a.id).second;
  } else if (auto it = open.find(key); it != open.end() && it->second == a.id) {
    open.erase(it);
    changed = true;
  }
  if (changed && a.kind == Kind::kObjection) {
    open_versions_.Bump(a.subject_id);
  }
  if (a.kind == Kind::kRepair) {
    for (auto it = relied_commitments_.lower_bound({a.subject_id, std::string()});
         it != relied_commitments_.end() && it->first.first == a.subject_id;) {
      it = it->second == a.id ? relied_commitments_.erase(it) : std::next(it);
    }
    // The first application to rely on a commitment keeps it (applications saved before this
    // rule may share one: the older wins when they are loaded in id order).
    if (!a.commitment_code.empty() && (a.open() || a.state == State::kRepaired)) {
      relied_commitments_.try_emplace({a.subject_id, a.commitment_code}, a.id);
    }
  }
}

std::vector<uint64_t> Service::UnderObjection(uint64_t subject_id) const {
  std::vector<uint64_t> out;
  std::shared_lock lock(open_mu_);
  for (auto it = open_objections_.lower_bound({subject_id, 0});
       it != open_objections_.end() && it->first.first == subject_id; ++it) {
    out.push_back(it->first.second);
  }
  return out;
}

Status Service::CheckActor(const Caller& caller, const Transition& t,
                           const Application& a) const {
  const std::string what = std::string(ActionName(t.action)) + " " + Name(a);
  switch (t.actor) {
    case Actor::kApplicant:
      if (caller.role == Caller::Role::kOperator) return Status::Ok();
      if (caller.role == Caller::Role::kSubject && caller.subject_id == a.subject_id) {
        return Status::Ok();
      }
      return Status::PermissionDenied("only the applicant (the subject " + a.subject_code +
                                      ", or the operator on its behalf) may " + what);
    case Actor::kOperator:
      if (caller.role == Caller::Role::kOperator) return Status::Ok();
      return Status::PermissionDenied("only the operator (市信用中心) may " + what);
    case Actor::kDepartment: {
      const bool acting = caller.role == Caller::Role::kDepartment ||
                          (caller.role == Caller::Role::kOperator && !caller.department.empty());
      const std::vector<std::string> allowed =
          a.kind == Kind::kObjection ? std::vector<std::string>{a.department} : a.departments;
      if (acting && Contains(allowed, caller.department)) return Status::Ok();
      std::string msg = "only " + Join(allowed, " or ") +
                        (a.kind == Kind::kObjection ? " (the source department it was forwarded to)"
                                                    : " (the body that made the finding)") +
                        " may " + what;
      if (caller.role == Caller::Role::kOperator && caller.department.empty()) {
        msg += "; the operator records a department's written answer by naming the department";
      } else if (acting) {
        msg += ", not " + caller.department;
      }
      return Status::PermissionDenied(msg);
    }
  }
  return Status::Internal("unknown actor");
}

Result<std::optional<Record>> Service::DerivedRecord(const Record& source,
                                                     const catalog::Indicator& ind) const {
  const catalog::Indicator* derived = catalog_.DerivedFrom(ind.code);
  if (derived == nullptr) return std::optional<Record>();
  std::string key;
  for (size_t i = 0; i < derived->natural_key.size(); ++i) {
    const int fi = derived->FieldIndex(derived->natural_key[i]);
    if (fi < 0) return std::optional<Record>();
    const std::string& from = derived->fields[static_cast<size_t>(fi)].from;
    if (i > 0) key.push_back('\x1f');
    key += source.Get(from);
  }
  XY_ASSIGN_OR_RETURN(auto hit, store_.FindNaturalKey(source.subject_id, derived->code, key));
  if (!hit) return std::optional<Record>();
  XY_ASSIGN_OR_RETURN(Record r, Current(source.subject_id, hit->record_id));
  return std::optional<Record>(std::move(r));
}

Result<std::optional<Record>> Service::SourceRecord(const Record& derived,
                                                    const catalog::Indicator& ind) const {
  if (!ind.derived_from) return std::optional<Record>();
  const catalog::Indicator* source = catalog_.Find(ind.derived_from->source);
  if (source == nullptr) return std::optional<Record>();
  std::string key;
  for (size_t i = 0; i < source->natural_key.size(); ++i) {
    const catalog::Field* copy = nullptr;
    for (const catalog::Field& f : ind.fields) {
      if (f.from == source->natural_key[i]) copy = &f;
    }
    if (copy == nullptr) return std::optional<Record>();
    if (i > 0) key.push_back('\x1f');
    key += derived.Get(copy->code);
  }
  XY_ASSIGN_OR_RETURN(auto hit, store_.FindNaturalKey(derived.subject_id, source->code, key));
  if (!hit) return std::optional<Record>();
  XY_ASSIGN_OR_RETURN(Record r, Current(derived.subject_id, hit->record_id));
  return std::optional<Record>(std::move(r));
}

std::vector<Condition> Service::Conditions(const Record& r, const catalog::Indicator& ind,
                                           const std::string& declaration,
                                           const std::vector<std::string>& evidence, Date today,
                                           uint64_t application,
                                           std::string* commitment_code) const {
  std::vector<Condition> out;
  auto add = [&](const char* code, const char* label, bool met, std::string detail) {
    out.push_back({code, label, met, std::move(detail)});
  };
  add("in_force", "记录有效", r.status == RecordStatus::kActive,
      r.status == RecordStatus::kActive
          ? RecordName(r) + " is in force"
          : RecordName(r) + " is " + std::string(RecordStatusName(r.status)) +
                ": there is nothing to repair");
  const bool negative = ind.nature == catalog::Nature::kNegative;
  add("negative", "失信信息", negative,
      negative ? ind.name + " is negative information of severity " +
                     std::string(catalog::SeverityLabel(ind.severity))
               : ind.name + " is not negative information: only negative records are repaired");
  const std::string_view not_repairable = policy_.NotRepairable(ind.code);
  add("repairable", "适用信用修复", not_repairable.empty(),
      not_repairable.empty() ? ind.name + " may be repaired" : std::string(not_repairable));

  // Publicity ends by itself at the maximum period (or a list entry at its own end).
  std::optional<Date> ends;
  if (ind.publicity_max_months > 0 && r.decision_date != Date()) {
    ends = r.decision_date.AddMonths(ind.publicity_max_months);
  }
  if (auto list_end = rules::DateByRole(r, ind, catalog::FieldRole::kListEnd)) {
    if (!ends || *list_end < *ends) ends = list_end;
  }
  if (ends && *ends <= today) {
    add("publicity_not_ended", "公示期未届满", false,
        "publicity ended by itself on " + ends->ToString() + ": there is nothing to repair");
  } else {
    add("publicity_not_ended", "公示期未届满", true,
        ends ? "publicity would end by itself on " + ends->ToString()
             : "publicity has no end of its own; it ends by repair or by its deciding body");
  }

  std::vector<std::string> body;
  for (const std::string& f : policy_.DecidingBodyFields(ind.code)) {
    if (!r.Get(f).empty()) body.emplace_back(r.Get(f));
  }
  std::string why;
  const int months = policy_.MinimumMonths(r, ind, body, &why);
  const Date from = r.decision_date.AddMonths(months);
  const std::string rule =
      "the minimum publicity of " + std::to_string(months) + " months from " +
      r.decision_date.ToString() +
      (why.empty() ? " (severity " + std::string(catalog::SeverityLabel(ind.severity)) + ")"
                   : " (" + why + ")");
  add("minimum_period", "最短公示期已满", from <= today,
      from <= today ? rule + " ended on " + from.ToString()
                    : rule + " ends on " + from.ToString() + "; apply after that day");

  const bool declared = !Trimmed(declaration).empty() && !evidence.empty();
  add("obligations_performed", "已纠正失信行为并履行义务", declared,
      declared ? "declared corrected, with " + std::to_string(evidence.size()) +
                     " document(s) as evidence"
               : "needs a declaration that the conduct was corrected and every obligation "
                 "performed, with at least one document as evidence");

  // The commitment the application relies on already stays its own while it still counts: a
  // step that checks the conditions again does not trade it for a newer one another repair
  // may need.
  const std::string previous = std::move(*commitment_code);
  commitment_code->clear();
  const catalog::Indicator* cind = catalog_.Find(rules::kCommitmentIndicator);
  std::vector<Record> commitments;
  if (cind != nullptr && store_.ListRecords(r.subject_id, cind->code, &commitments).ok()) {
    for (const Record& c : commitments) {  // newest first
      if (c.status != RecordStatus::kActive || c.Get(kCommitmentType) != kRepairCommitment) continue;
      if (c.decision_date < r.decision_date) continue;
      // One commitment per repair: one another repair relies on is that repair's.
      {
        std::shared_lock lock(open_mu_);
        auto it = relied_commitments_.find({r.subject_id, c.document_number});
        if (it != relied_commitments_.end() && it->second != application) continue;
      }
      // One found breached (or false) is no commitment to rely on: it is a new breach. Nor is
      // one whose term (承诺有效期) has run out: a repair rests on a commitment in force.
      const rules::CommitmentView v = rules::ViewCommitment(c, *cind, today);
      if (v.state == rules::CommitmentState::kPartiallyFulfilled ||
          v.state == rules::CommitmentState::kUnfulfilled || v.false_commitment ||
          (v.deadline && *v.deadline < today)) {
        continue;
      }
      if (commitment_code->empty()) *commitment_code = c.document_number;
      if (c.document_number == previous) {
        *commitment_code = previous;
        break;
      }
    }
  }
  add("repair_commitment", "已作出信用修复承诺", !commitment_code->empty(),
      !commitment_code->empty()
          ? "信用修复型 commitment " + *commitment_code
          : "no 信用修复型 commitment of the subject made on or after " +
                r.decision_date.ToString() +
                " that no other repair relies on; make one (credit_commitment, 承诺类型 信用修复型) "
                "or include it in the application");
  return out;
}

Result<std::vector<Condition>> Service::RepairConditions(uint64_t subject_id, uint64_t record_id,
                                                         const std::string& declaration,
                                                         const std::vector<std::string>& evidence,
                                                         Date today) const {
  XY_ASSIGN_OR_RETURN(Record r, Current(subject_id, record_id));
  const catalog::Indicator* ind = catalog_.Find(r.indicator);
  if (ind == nullptr) {
    return Status::FailedPrecondition(RecordName(r) + " is of an indicator the catalog no longer has");
  }
  std::string code;
  return Conditions(r, *ind, declaration, evidence, today, 0, &code);
}

Result<Application> Service::Filing(const Transition& t, const Caller& caller,
                                     const Subject& subject, const Record& r,
                                     const catalog::Indicator& ind, const std::string& reason,
                                     const std::vector<std::string>& evidence, Date today) const {
  Application a;
  a.kind = t.kind;
  a.subject_id = subject.id;
  a.subject_code = subject.DisplayCode();
  a.subject_name = subject.name;
  XY_RETURN_IF_ERROR(CheckActor(caller, t, a));
  a.state = t.to;
  a.record_id = r.record_id;
  a.record_version = r.version;
  a.indicator = ind.code;
  a.indicator_name = ind.name;
  a.document_number = r.document_number;
  a.decision_date = r.decision_date;
  a.filed = a.state_since = today;
  a.on_behalf = caller.role == Caller::Role::kOperator;
  a.reason = FreeText(reason);
  a.evidence = FreeTexts(evidence);
  a.departments = DepartmentsOf(r, ind);
  return a;
}

Result<Application> Service::FileObjection(const Caller& caller, const ObjectionRequest& request,
                                           Date today) {
  XY_RETURN_IF_ERROR(CheckText("reason", request.reason, true));
  XY_RETURN_IF_ERROR(CheckDocuments("evidence", request.evidence));
  std::lock_guard lock(step_mu_);
  XY_ASSIGN_OR_RETURN(Record r, Current(request.subject_id, request.record_id));
  const catalog::Indicator* ind = catalog_.Find(r.indicator);
  if (ind == nullptr) {
    return Status::FailedPrecondition(RecordName(r) + " is of an indicator the catalog no longer has");
  }
  if (r.status != RecordStatus::kActive) {
    return Status::FailedPrecondition(RecordName(r) + " is " +
                                      std::string(RecordStatusName(r.status)) +
                                      "; an objection is to a record in force");
  }
  {
    std::shared_lock open(open_mu_);
    if (auto it = open_objections_.find({r.subject_id, r.record_id}); it != open_objections_.end()) {
      return Status::AlreadyExists("objection " + std::to_string(it->second) + " to " +
                                   RecordName(r) + " is still open");
    }
  }
  XY_ASSIGN_OR_RETURN(auto subject, store_.GetSubject(r.subject_id));
  if (!subject) return Status::DataLoss("subject " + std::to_string(r.subject_id) + " is missing");

  const Transition* t = FindTransition(Kind::kObjection, Action::kFile, State::kNone);
  XY_ASSIGN_OR_RETURN(Application a, Filing(*t, caller, *subject, r, *ind, request.reason,
                                            request.evidence, today));
  a.id = store_.NextId(storage::IdSpace::kApplication);
  SetDeadline(&a, t->clock);
  auto overall = calendar_.AddWorkdays(today, policy_.objection_total_workdays());
  if (overall.ok()) {
    a.overall_due = *overall;
  } else {
    a.deadline_note = "no overall deadline: " + overall.status().message();
  }
  Event e;
  e.action = t->action;
  e.from = t->from;
  e.to = t->to;
  e.day = today;
  e.role = caller.role_name;
  e.actor = caller.describe;
  e.reason = a.reason;
  e.documents = a.evidence;
  XY_RETURN_IF_ERROR(Save(&a, std::move(e), NowUnixMs()));
  Track(a);
  return a;
}

Result<std::string> Service::IngestCommitment(const Subject& subject, const Application& a,
                                              const NewCommitment& c, Date today) {
  XY_RETURN_IF_ERROR(CheckText("commitment.content", c.content, true));
  XY_RETURN_IF_ERROR(CheckText("commitment.liability", c.liability, false));
  const catalog::Indicator* ind = catalog_.Find(rules::kCommitmentIndicator);
  if (ind == nullptr) {
    return Status::FailedPrecondition("the catalog has no indicator " +
                                      std::string(rules::kCommitmentIndicator));
  }
  // A repair commitment is a new record: a code that already names one of the subject's
  // commitments would make this a new version of it (another type, another accepting unit).
  auto taken = [&](const std::string& code) -> Result<bool> {
    XY_ASSIGN_OR_RETURN(auto hit, store_.FindNaturalKey(subject.id, ind->code, code));
    return hit.has_value();
  };
  std::string code = Trimmed(c.code);
  if (!code.empty()) {
    // As the ingester will store it (full-width digits, spaces and dashes normalized away).
    auto parsed = ident::ParseCommitmentCode(code, today);
    if (!parsed.ok()) {
      return Status::InvalidArgument("commitment.code: " + parsed.status().message());
    }
    code = parsed->code;
    XY_ASSIGN_OR_RETURN(const bool exists, taken(code));
    if (exists) {
      return Status::InvalidArgument("commitment.code: " + code.substr(0, 40) +
                                     " already names a commitment of this subject; a repair "
                                     "commitment needs a code of its own");
    }
  } else {
    // 承诺编码: division + date + serial (FACTS §7); the serial from the application's id, the
    // next free one when a department's commitment of the day has it.
    const bool region = subject.region.size() == 6 &&
                        subject.region.find_first_not_of("0123456789") == std::string::npos;
    const std::string prefix = (region ? subject.region : "410100") +
                               today.ToString().substr(0, 4) + today.ToString().substr(5, 2) +
                               today.ToString().substr(8, 2);
    // Serials run 000001-999999 (000000 is no serial).
    for (uint64_t n = a.id % 999999 + 1, tries = 0;; n = n % 999999 + 1, ++tries) {
      if (tries == 999999) {
        return Status::ResourceExhausted("no free commitment code for " + prefix);
      }
      const std::string serial = std::to_string(n);
      code = prefix + std::string(6 - serial.size(), '0') + serial;
      XY_ASSIGN_OR_RETURN(const bool exists, taken(code));
      if (!exists) break;
    }
  }
  json::object row;
  auto set = [&](const std::string& field, std::string_view value) {
    if (!field.empty() && !value.empty()) row[field] = value;
  };
  using catalog::FieldRole;
  set(FieldOfRole(*ind, FieldRole::kDocumentNumber), code);
  set(FieldOfRole(*ind, FieldRole::kSubjectName), subject.name);
  set(FieldOfRole(*ind, FieldRole::kSubjectCategory), CategoryOf(subject.type));
  set(FieldOfRole(*ind, FieldRole::kSubjectUscc), subject.uscc);
  if (subject.type == SubjectType::kNaturalPerson && !subject.id_sealed.empty()) {
    XY_ASSIGN_OR_RETURN(std::string plain, vault_.Decrypt(subject.id_sealed));
    const size_t colon = plain.find(':');
    set(FieldOfRole(*ind, FieldRole::kSubjectIdType),
        colon == std::string::npos ? std::string("身份证") : plain.substr(0, colon));
    set(FieldOfRole(*ind, FieldRole::kSubjectIdNumber),
        colon == std::string::npos ? plain : plain.substr(colon + 1));
  }
  set(std::string(kCommitmentType), kRepairCommitment);
  set(std::string(kCommitmentReason),
      "申请修复" + a.indicator_name + (a.document_number.empty() ? "" : "（" + a.document_number + "）"));
  set(std::string(kCommitmentContent), Trimmed(c.content));
  set(std::string(kCommitmentLiability), Trimmed(c.liability));
  set(FieldOfRole(*ind, FieldRole::kDecisionDate), today.ToString());
  set(std::string(kCommitmentUnit), a.department.empty() ? "市信用中心" : a.department);
  const int pi = ind->FieldIndexByRole(FieldRole::kPublicityType);
  if (pi >= 0 && !ind->fields[static_cast<size_t>(pi)].public_values.empty()) {
    set(ind->fields[static_cast<size_t>(pi)].code, ind->fields[static_cast<size_t>(pi)].public_values.front());
  }
  ingest::IngestOptions options;
  options.indicator = ind->code;
  options.format = "jsonl";
  options.dept = a.department;
  options.received_date = today;
  XY_ASSIGN_OR_RETURN(ingest::FileReport report,
                      ingester_.IngestBuffer(json::serialize(row) + "\n",
                                             "repair-" + std::to_string(a.id) + "-commitment.jsonl",
                                             options));
  if (report.rejected > 0) {
    XY_ASSIGN_OR_RETURN(auto rejected, ingest::FirstRejection(store_, report));
    return Status::InvalidArgument(
        "commitment: " + (rejected ? rejected->field + ": " + rejected->message : "rejected"));
  }
  return code;
}

Result<Application> Service::ApplyRepair(const Caller& caller, const RepairRequest& request,
                                         Date today) {
  XY_RETURN_IF_ERROR(CheckText("declaration", request.declaration, false));
  XY_RETURN_IF_ERROR(CheckDocuments("evidence", request.evidence));
  std::lock_guard lock(step_mu_);
  XY_ASSIGN_OR_RETURN(Record r, Current(request.subject_id, request.record_id));
  const catalog::Indicator* ind = catalog_.Find(r.indicator);
  if (ind == nullptr) {
    return Status::FailedPrecondition(RecordName(r) + " is of an indicator the catalog no longer has");
  }
  {
    std::shared_lock open(open_mu_);
    if (auto it = open_repairs_.find({r.subject_id, r.record_id}); it != open_repairs_.end()) {
      return Status::AlreadyExists("repair application " + std::to_string(it->second) + " for " +
                                   RecordName(r) + " is still open");
    }
  }
  XY_ASSIGN_OR_RETURN(auto subject, store_.GetSubject(r.subject_id));
  if (!subject) return Status::DataLoss("subject " + std::to_string(r.subject_id) + " is missing");
  const Transition* t = FindTransition(Kind::kRepair, Action::kApply, State::kNone);
  XY_ASSIGN_OR_RETURN(Application a, Filing(*t, caller, *subject, r, *ind, request.declaration,
                                            request.evidence, today));
  std::string unused;
  // Nothing to repair: refused before anything is stored.
  for (const Condition& c :
       Conditions(r, *ind, request.declaration, request.evidence, today, 0, &unused)) {
    if (!c.met && (c.code == "in_force" || c.code == "negative" || c.code == "repairable" ||
                   c.code == "publicity_not_ended")) {
      return Status::FailedPrecondition(RecordName(r) + ": " + c.detail);
    }
  }
  a.id = store_.NextId(storage::IdSpace::kApplication);
  a.department = a.departments.empty() ? std::string() : a.departments.front();
  Event e;
  if (request.commitment) {
    XY_ASSIGN_OR_RETURN(std::string code, IngestCommitment(*subject, a, *request.commitment, today));
    e.effects.push_back("信用修复型 commitment " + code + " recorded");
  }
  a.conditions = Conditions(r, *ind, a.reason, a.evidence, today, a.id, &a.commitment_code);
  SetDeadline(&a, t->clock);
  e.action = t->action;
  e.from = t->from;
  e.to = t->to;
  e.day = today;
  e.role = caller.role_name;
  e.actor = caller.describe;
  e.reason = a.reason;
  e.documents = a.evidence;
  XY_RETURN_IF_ERROR(Save(&a, std::move(e), NowUnixMs()));
  Track(a);
  return a;
}

Status Service::ChangeStatus(Application* a, RecordStatus status, const std::string& dept,
                             Date today, std::vector<std::string>* effects) {
  XY_ASSIGN_OR_RETURN(Record r, Current(a->subject_id, a->record_id));
  if (r.status != RecordStatus::kActive) {
    return Status::FailedPrecondition(RecordName(r) + " is " +
                                      std::string(RecordStatusName(r.status)) + " already");
  }
  const catalog::Indicator* ind = catalog_.Find(r.indicator);
  if (ind == nullptr) {
    return Status::FailedPrecondition(RecordName(r) + " is of an indicator the catalog no longer has");
  }
  const std::string why = a->kind == Kind::kObjection
                              ? "objection " + std::to_string(a->id) + " upheld"
                              : "credit repair " + std::to_string(a->id);
  std::vector<ingest::StatusChange> changes{{r.subject_id, r.record_id, r.version, status, why}};
  // What was derived from the record follows it (a breach made from a commitment).
  XY_ASSIGN_OR_RETURN(auto derived, DerivedRecord(r, *ind));
  if (derived && derived->status == RecordStatus::kActive) {
    changes.push_back({derived->subject_id, derived->record_id, derived->version, status,
                       why + ", as its source " + RecordName(r)});
  }
  // A derived record is a finding written on its source (a breach is the fulfilment status of its
  // commitment, which is what the commitment_breached measures read): the source follows it, so
  // that the measures lift with it.
  XY_ASSIGN_OR_RETURN(auto source, SourceRecord(r, *ind));
  if (source && source->status == RecordStatus::kActive) {
    changes.push_back({source->subject_id, source->record_id, source->version, status,
                       why + ", as the record " + RecordName(r) + " was derived from it"});
  }
  XY_ASSIGN_OR_RETURN(ingest::StatusChangeReport report,
                      ingester_.ChangeStatus(changes, Name(*a), dept, today));
  a->batches.push_back(report.batch);
  for (const Record& v : report.versions) {
    effects->push_back(RecordName(v) + " " + std::string(RecordStatusName(status)) +
                       ": version " + std::to_string(v.version) + " (batch " +
                       std::to_string(report.batch) + ")");
  }
  return Status::Ok();
}

Status Service::Correct(Application* a, const Corrections& corrections, const std::string& dept,
                        Date today, std::vector<std::string>* effects) {
  if (corrections.empty()) {
    return Status::InvalidArgument("corrections: an upheld_correct answer names the corrected fields");
  }
  if (corrections.size() > kMaxCorrections) {
    return Status::InvalidArgument("corrections: at most " + std::to_string(kMaxCorrections));
  }
  XY_ASSIGN_OR_RETURN(Record r, Current(a->subject_id, a->record_id));
  if (r.status != RecordStatus::kActive) {
    return Status::FailedPrecondition(RecordName(r) + " is " +
                                      std::string(RecordStatusName(r.status)) + " already");
  }
  const catalog::Indicator* ind = catalog_.Find(r.indicator);
  if (ind == nullptr) {
    return Status::FailedPrecondition(RecordName(r) + " is of an indicator the catalog no longer has");
  }
  if (ind->derived_from) {
    return Status::InvalidArgument("corrections: " + ind->code + " records are derived from " +
                                   ind->derived_from->source +
                                   "; correct that record, or revoke this one (upheld_revoke)");
  }
  XY_ASSIGN_OR_RETURN(json::object row, RowOf(r, *ind, vault_));
  std::vector<std::string> seen, changed;
  for (const auto& [code, value] : corrections) {
    const int fi = ind->FieldIndex(code);
    if (fi < 0 || ind->fields[static_cast<size_t>(fi)].code != code) {
      return Status::InvalidArgument("corrections: " + ind->code + " has no field " +
                                     code.substr(0, 60));
    }
    const catalog::Field& f = ind->fields[static_cast<size_t>(fi)];
    if (Contains(seen, code)) return Status::InvalidArgument("corrections: " + code + " twice");
    seen.push_back(code);
    if (Contains(ind->natural_key, code)) {
      return Status::InvalidArgument(
          "corrections: " + code + " identifies the decision (natural key); revoke the record "
          "(upheld_revoke) and let the department submit the right one");
    }
    if (NamesSubject(f.role) || f.type == catalog::FieldType::kIdNumber) {
      return Status::InvalidArgument(
          "corrections: " + code + " names the subject or a person; revoke the record "
          "(upheld_revoke) and let the department submit the right one");
    }
    if (value.size() > kMaxText) {
      return Status::InvalidArgument("corrections: " + code + " is longer than " +
                                     std::to_string(kMaxText) + " bytes");
    }
    if (value.empty()) {
      row.erase(code);
    } else {
      row[code] = value;
    }
    changed.push_back(code);
  }
  // The correction keeps the date the decision was first reported, so that it is not late.
  const std::string report = FieldOfRole(*ind, catalog::FieldRole::kReportDate);
  if (!report.empty() && !row.contains(report)) row[report] = r.received_date.ToString();

  ingest::IngestOptions options;
  options.indicator = ind->code;
  options.format = "jsonl";
  options.dept = dept;
  options.received_date = today;
  options.objection = true;  // its outcome stands against re-sends; it may change a finding
  XY_ASSIGN_OR_RETURN(ingest::FileReport result,
                      ingester_.IngestBuffer(json::serialize(row) + "\n",
                                             Name(*a) + "-correction.jsonl", options));
  if (result.rejected > 0) {
    XY_ASSIGN_OR_RETURN(auto rejected, ingest::FirstRejection(store_, result));
    return Status::InvalidArgument(
        "corrections: " + (rejected ? rejected->field + ": " + rejected->message
                                    : std::string("the corrected record was rejected")));
  }
  if (result.duplicates > 0 || result.accepted == 0) {
    return Status::InvalidArgument("corrections: they change nothing; the record already says so");
  }
  for (uint64_t b : result.batches) a->batches.push_back(b);
  XY_ASSIGN_OR_RETURN(Record now, Current(r.subject_id, r.record_id));
  if (now.version <= r.version) {
    return Status::Internal("the correction of " + RecordName(r) + " did not make a new version");
  }
  effects->push_back(RecordName(now) + " corrected (" + Join(changed) + "): version " +
                     std::to_string(now.version) + " (batch " +
                     std::to_string(result.batches.empty() ? 0 : result.batches.back()) + ")");
  // A derived record whose condition the corrected source no longer meets is revoked with it.
  const catalog::Indicator* derived = catalog_.DerivedFrom(ind->code);
  if (derived != nullptr) {
    const auto& when = derived->derived_from->when_values;
    if (!Contains(when, now.Get(derived->derived_from->when_field))) {
      XY_ASSIGN_OR_RETURN(auto d, DerivedRecord(now, *ind));
      if (d && d->status == RecordStatus::kActive) {
        std::vector<ingest::StatusChange> changes{
            {d->subject_id, d->record_id, d->version, RecordStatus::kRevoked,
             "its source " + RecordName(now) + " was corrected (" + Name(*a) + ")"}};
        XY_ASSIGN_OR_RETURN(ingest::StatusChangeReport rep,
                            ingester_.ChangeStatus(changes, Name(*a), dept, today));
        a->batches.push_back(rep.batch);
        effects->push_back(RecordName(*d) + " revoked: its source no longer says " +
                           Join(when, " or ") + " (batch " + std::to_string(rep.batch) + ")");
      }
    }
  }
  return Status::Ok();
}

Result<Application> Service::Step(const Caller& caller, uint64_t id, const StepRequest& request,
                                  Date today) {
  XY_RETURN_IF_ERROR(CheckText("reason", request.reason, false));
  XY_RETURN_IF_ERROR(CheckDocuments("documents", request.documents));
  std::lock_guard lock(step_mu_);
  XY_ASSIGN_OR_RETURN(Application a, Load(id));
  if (!MaySee(caller, a)) {
    return Status::NotFound("no objection or repair application has the id " + std::to_string(id));
  }
  std::optional<State> to;
  if (request.action == Action::kVerify) {
    if (request.outcome != "upheld_correct" && request.outcome != "upheld_revoke" &&
        request.outcome != "rejected") {
      return Status::InvalidArgument("outcome: the department's answer is upheld_correct, "
                                     "upheld_revoke or rejected");
    }
  } else if (request.action == Action::kDecide) {
    if (request.outcome == "repaired") {
      to = State::kRepaired;
    } else if (request.outcome == "denied") {
      to = State::kDenied;
    } else {
      return Status::InvalidArgument("outcome: a decision is repaired or denied");
    }
  }
  const Transition* t = FindTransition(a.kind, request.action, a.state, to);
  if (t == nullptr) {
    std::vector<std::string> allowed;
    for (const Transition& x : Transitions()) {
      if (x.kind == a.kind && x.from == a.state && !Contains(allowed, std::string(ActionName(x.action)))) {
        allowed.emplace_back(ActionName(x.action));
      }
    }
    return Status::FailedPrecondition(
        Name(a) + " is " + std::string(StateName(a.state)) + "; " +
        std::string(ActionName(request.action)) + " is not a step from there" +
        (allowed.empty() ? std::string(" (it is closed)") : " (possible: " + Join(allowed) + ")"));
  }
  XY_RETURN_IF_ERROR(CheckActor(caller, *t, a));

  Event e;
  e.action = t->action;
  e.from = a.state;
  e.to = t->to;
  e.day = today;
  e.role = caller.role_name;
  e.actor = caller.describe;
  e.reason = FreeText(request.reason);
  e.documents = FreeTexts(request.documents);
  if (t->actor == Actor::kDepartment) e.department = caller.department;
  auto need_reason = [&](const char* what) {
    return e.reason.empty() ? Status::InvalidArgument(std::string("reason: ") + what) : Status::Ok();
  };

  switch (t->action) {
    case Action::kForward: {
      std::string dept = Trimmed(request.department);
      if (dept.empty() && !a.departments.empty()) dept = a.departments.front();
      if (dept.empty()) return Status::InvalidArgument("department: name the source department");
      if (!a.departments.empty() && !Contains(a.departments, dept)) {
        return Status::InvalidArgument("department: " + dept.substr(0, 100) +
                                       " did not make or submit the record; forward to one of: " +
                                       Join(a.departments));
      }
      a.department = dept;
      e.department = dept;
      break;
    }
    case Action::kVerify: {
      XY_RETURN_IF_ERROR(need_reason("the department's written answer, with its reasons"));
      // The answer acts on the record as it stands: said so when it changed since filing (a
      // correction, or a status change). A record gone meanwhile (erased by retention) can
      // still be answered rejected; the steps that change it say it is gone.
      if (auto now = Current(a.subject_id, a.record_id);
          now.ok() && now->version != a.record_version) {
        e.effects.push_back(RecordName(*now) + " changed after the objection was filed: filed "
                            "against version " + std::to_string(a.record_version) +
                            ", answered on version " + std::to_string(now->version));
      }
      // Checked before anything changes: a revocation sent with corrections was probably meant
      // as a correction, and is not carried out.
      if (request.outcome != "upheld_correct" && !request.corrections.empty()) {
        return Status::InvalidArgument("corrections: only an upheld_correct answer has them");
      }
      if (request.outcome == "upheld_revoke") {
        XY_RETURN_IF_ERROR(ChangeStatus(&a, RecordStatus::kRevoked, a.department, today, &e.effects));
      } else if (request.outcome == "upheld_correct") {
        XY_RETURN_IF_ERROR(Correct(&a, request.corrections, a.department, today, &e.effects));
        // Kept in the application as the record keeps them: ID numbers masked (the record's
        // own copy went through field validation, which masks them in text).
        Corrections kept;
        for (const auto& [code, value] : request.corrections) {
          kept.emplace_back(code, FreeText(value));
        }
        a.corrections = kept;
        e.corrections = std::move(kept);
      }
      a.outcome = request.outcome;
      a.answer = e.reason;
      e.outcome = request.outcome;
      break;
    }
    case Action::kAnswer:
      XY_RETURN_IF_ERROR(need_reason("the written answer to the applicant, with its reasons"));
      a.reply = e.reason;
      break;
    case Action::kRefuse:
      XY_RETURN_IF_ERROR(need_reason("why the application is not accepted"));
      a.answer = e.reason;
      break;
    case Action::kExtend:
      if (a.extended) {
        return Status::FailedPrecondition(Name(a) + " was extended already; it may be extended once");
      }
      XY_RETURN_IF_ERROR(need_reason("why the case is complex"));
      // An extension is decided within the time it extends, not after it ran out.
      if (a.due && today > *a.due) {
        return Status::FailedPrecondition(Name(a) + " was due on " + a.due->ToString() +
                                          "; an extension is decided before the deadline");
      }
      a.extended = true;
      break;
    case Action::kAccept:
    case Action::kDecide: {
      if (t->to == State::kDenied) {
        XY_RETURN_IF_ERROR(need_reason("why the repair is denied"));
      } else {
        XY_ASSIGN_OR_RETURN(Record r, Current(a.subject_id, a.record_id));
        const catalog::Indicator* ind = catalog_.Find(r.indicator);
        if (ind == nullptr) {
          return Status::FailedPrecondition(RecordName(r) + " is of an indicator the catalog no longer has");
        }
        a.conditions = Conditions(r, *ind, a.reason, a.evidence, today, a.id, &a.commitment_code);
        std::vector<std::string> unmet;
        for (const Condition& c : a.conditions) {
          if (!c.met) unmet.push_back(c.label + " (" + c.code + "): " + c.detail);
        }
        if (!unmet.empty()) {
          return Status::FailedPrecondition(Name(a) + " does not meet every condition of repair: " +
                                            Join(unmet, "; "));
        }
        if (t->to == State::kRepaired) {
          XY_RETURN_IF_ERROR(ChangeStatus(&a, RecordStatus::kRepaired, caller.department, today,
                                          &e.effects));
        }
      }
      if (t->action == Action::kDecide) {
        a.outcome = request.outcome;
        a.answer = e.reason;
        e.outcome = request.outcome;
      }
      break;
    }
    case Action::kWithdraw:
    case Action::kFile:
    case Action::kApply:
      break;
  }
  a.state = t->to;
  if (t->action != Action::kExtend) a.state_since = today;
  SetDeadline(&a, t->clock);
  XY_RETURN_IF_ERROR(Save(&a, std::move(e), NowUnixMs()));
  Track(a);
  return a;
}

Result<Application> Service::Get(const Caller& caller, uint64_t id,
                                 std::vector<Event>* history) const {
  XY_ASSIGN_OR_RETURN(Application a, Load(id));
  if (!MaySee(caller, a)) {
    return Status::NotFound("no objection or repair application has the id " + std::to_string(id));
  }
  if (history != nullptr) {
    std::vector<std::string> raw;
    XY_RETURN_IF_ERROR(store_.ListApplicationEvents(id, &raw));
    for (const std::string& v : raw) {
      Event e;
      if (!DecodeEvent(v, &e)) {
        return Status::DataLoss("the history of application " + std::to_string(id) + " is corrupt");
      }
      history->push_back(std::move(e));
    }
  }
  return a;
}

Status Service::List(const Caller& caller, const ListFilter& filter, Date today,
                     std::vector<Application>* out) const {
  if (caller.role == Caller::Role::kOther) return Status::Ok();
  auto consider = [&](std::string_view value) -> Status {
    Application a;
    if (!DecodeApplication(value, &a)) return Status::DataLoss("an application is corrupt");
    if (!MaySee(caller, a)) return Status::Ok();
    FillMissingDeadlines(&a);
    if (filter.kind && a.kind != *filter.kind) return Status::Ok();
    if (filter.state && a.state != *filter.state) return Status::Ok();
    if (filter.open_only && !a.open()) return Status::Ok();
    if (filter.overdue_only && !OverdueOn(a, today).any()) return Status::Ok();
    out->push_back(std::move(a));
    return Status::Ok();
  };
  if (caller.role == Caller::Role::kSubject) {
    std::vector<uint64_t> ids;
    XY_RETURN_IF_ERROR(store_.ListSubjectApplications(caller.subject_id, &ids));
    for (uint64_t id : ids) {
      XY_ASSIGN_OR_RETURN(auto value, store_.GetApplication(id));
      if (value) XY_RETURN_IF_ERROR(consider(*value));
    }
    return Status::Ok();
  }
  Status st;
  XY_RETURN_IF_ERROR(store_.ScanApplications([&](uint64_t, std::string_view value) {
    st = consider(value);
    return st.ok();
  }));
  return st;
}

}  // namespace xinyong::workflow
