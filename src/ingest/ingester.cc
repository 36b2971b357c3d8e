#include "ingest/ingester.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <unordered_map>

#include "core/coding.h"
#include "core/identifiers.h"
#include "ingest/csv_reader.h"
#include "ingest/field_validation.h"
#include "ingest/jsonl_reader.h"
#include "ingest/text_source.h"

namespace xinyong::ingest {

using catalog::Field;
using catalog::FieldRole;
using catalog::FieldType;
using catalog::Indicator;

namespace {

int64_t NowUnixMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Names compare equal when they differ only in bracket width or spacing: departments mix
// "（" and "(" freely, and that is no reason to flag a conflict.
std::string NameForComparison(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (size_t i = 0; i < name.size();) {
    std::string_view rest = name.substr(i);
    if (rest.starts_with("（")) { out += '('; i += 3; continue; }
    if (rest.starts_with("）")) { out += ')'; i += 3; continue; }
    if (rest.starts_with("\xE3\x80\x80")) { i += 3; continue; }
    if (name[i] == ' ') { ++i; continue; }
    out += name[i++];
  }
  return out;
}

std::string IdKey(IdentifierKind kind, std::string_view value) {
  std::string k(1, static_cast<char>(kind));
  k.append(value);
  return k;
}

bool IsResidentIdType(std::string_view type) {
  return type.empty() || type.find("身份证") != std::string_view::npos || type == "1" ||
         type == "111";
}

// "AB******12": keeps two characters at each end of a non-resident certificate number.
std::string MaskOther(std::string_view s) {
  if (s.size() <= 4) return std::string(s.size(), '*');
  return std::string(s.substr(0, 2)) + std::string(s.size() - 4, '*') +
         std::string(s.substr(s.size() - 2));
}

struct Pending {
  uint64_t record_id = 0;
  uint32_t version = 0;
  uint64_t content_hash = 0;
};

}  // namespace

// One ingest of one file: the header mapping, the current batch being built, and the totals.
class Ingester::Run {
 public:
  Run(Ingester& in, const Indicator& indicator, const IngestOptions& options, std::string file,
      std::string encoding, std::string format)
      : in_(in), ind_(indicator), opt_(options) {
    report_.file = std::move(file);
    report_.indicator = indicator.code;
    report_.encoding = std::move(encoding);
    report_.format = std::move(format);
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
    role_category_ = ind_.FieldIndexByRole(FieldRole::kSubjectCategory);
    role_decision_ = ind_.FieldIndexByRole(FieldRole::kDecisionDate);
    role_document_ = ind_.FieldIndexByRole(FieldRole::kDocumentNumber);
    role_procedure_ = ind_.FieldIndexByRole(FieldRole::kProcedure);
    role_report_ = ind_.FieldIndexByRole(static_cast<FieldRole>(15));  // kReportDate
    role_person_id_ = ind_.FieldIndexByRole(FieldRole::kSubjectIdNumber);
    for (const auto& code : ind_.natural_key) natural_key_.push_back(ind_.FieldIndex(code));
    StartBatch();
  }

  // Adds a file-level warning (row 0) to the first batch.
  void Warn(std::string field, std::string code, std::string message) {
    ws_.batch.warnings.push_back({0, std::move(field), std::move(code), std::move(message)});
  }

  // Rejects a row that could not even be split into cells.
  Status RejectRow(uint64_t row, std::string code, std::string message) {
    ++ws_.batch.rows;
    Reject(row, "", std::move(code), std::move(message));
    return MaybeCommit();
  }

  // Processes one row whose cells are aligned with the indicator's fields ("" = absent).
  Status AddRow(uint64_t row, const std::vector<std::string_view>& cells) {
    ++ws_.batch.rows;
    ProcessRow(row, cells);
    return MaybeCommit();
  }

  Result<FileReport> Finish() {
    XY_RETURN_IF_ERROR(CommitBatch());
    report_.seconds = static_cast<double>(NowUnixMs() - started_ms_) / 1000.0;
    return report_;
  }

 private:
  void StartBatch() {
    ws_ = storage::WriteSet();
    ws_.batch.id = in_.store_.NextId(storage::IdSpace::kBatch);
    ws_.batch.file = report_.file;
    ws_.batch.part = static_cast<uint32_t>(report_.batches.size() + 1);
    ws_.batch.indicator = ind_.code;
    ws_.batch.dept = opt_.dept;
    ws_.batch.encoding = report_.encoding;
    ws_.batch.format = report_.format;
    ws_.batch.received_date = opt_.received_date;
    ws_.batch.started_unix_ms = NowUnixMs();
    ws_.batch.first_row = next_first_row_;
    subjects_.clear();
    write_.clear();
    subject_index_.clear();
    id_index_.clear();
    pending_keys_.clear();
  }

  Status MaybeCommit() {
    if (ws_.batch.rows < opt_.batch_rows) return Status::Ok();
    XY_RETURN_IF_ERROR(CommitBatch());
    StartBatch();
    return Status::Ok();
  }

  Status CommitBatch() {
    BatchReport& b = ws_.batch;
    b.seconds = static_cast<double>(NowUnixMs() - b.started_unix_ms) / 1000.0;
    next_first_row_ = b.first_row + b.rows;
    // Only subjects this batch created or changed are written.
    for (size_t i = 0; i < subjects_.size(); ++i) {
      if (write_[i]) ws_.subjects.push_back(subjects_[i]);
    }
    XY_RETURN_IF_ERROR(in_.store_.Commit(ws_));
    for (const auto& [key, id] : id_index_) in_.RememberId(key, id);
    for (auto& s : subjects_) in_.RememberSubject(std::move(s));
    report_.batches.push_back(b.id);
    report_.rows += b.rows;
    report_.accepted += b.accepted;
    report_.rejected += b.rejected;
    report_.duplicates += b.duplicates;
    report_.corrected += b.corrected;
    report_.late += b.late;
    report_.new_subjects += b.new_subjects;
    report_.warnings += b.warnings.size();
    return Status::Ok();
  }

  void Reject(uint64_t row, std::string field, std::string code, std::string message) {
    ++ws_.batch.rejected;
    ws_.batch.rejections.push_back({static_cast<uint32_t>(row), std::move(field), std::move(code),
                                    std::move(message)});
  }

  // A personal certificate number: validated, hashed, sealed and masked. False = rejected.
  bool Personal(uint64_t row, size_t i, std::string_view cell,
                const std::vector<std::string_view>& cells, PersonalValue* pv, std::string* mask,
                IdentifierKind* kind) {
    const Field& f = ind_.fields[i];
    std::string_view type;
    if (auto t = id_type_of_.find(i); t != id_type_of_.end() && t->second >= 0) {
      type = TrimCell(cells[static_cast<size_t>(t->second)]);
    }
    std::string normalized;
    if (IsResidentIdType(type)) {
      auto r = ident::ParseResidentId(cell, opt_.received_date);
      if (!r.ok()) {
        Reject(row, f.code, "invalid_resident_id", f.code + " (" + f.label + "): " + r.status().message());
        return false;
      }
      normalized = r->id18;
      *mask = ident::MaskResidentId(normalized);
      *kind = IdentifierKind::kResidentIdHash;
    } else {
      normalized = std::string(type) + ":" + ident::NormalizeCodeInput(cell);
      if (normalized.size() > 80) {
        Reject(row, f.code, "invalid_id_number", f.code + " (" + f.label + ") is too long");
        return false;
      }
      *mask = MaskOther(ident::NormalizeCodeInput(cell));
      *kind = IdentifierKind::kOtherIdHash;
    }
    auto h = in_.vault_.LookupHash(normalized);
    pv->field = f.code;
    pv->hash.assign(reinterpret_cast<const char*>(h.data()), h.size());
    pv->sealed = in_.vault_.Encrypt(normalized);
    return true;
  }

  // Returns the index in subjects_ of the row's subject (found, or created), or -1 if the
  // row was rejected.
  long ResolveSubject(uint64_t row, const std::vector<std::string>& norm, const PersonalValue* person,
                      const std::string& person_mask, IdentifierKind person_kind) {
    const std::string& name = norm[static_cast<size_t>(role_name_)];
    std::optional<SubjectType> category;
    if (role_category_ >= 0 && !norm[static_cast<size_t>(role_category_)].empty()) {
      category = ParseSubjectType(norm[static_cast<size_t>(role_category_)]);
    }
    std::vector<Identifier> ids;
    std::string uscc;
    std::string region;
    for (size_t i = 0; i < ind_.fields.size(); ++i) {
      if (norm[i].empty()) continue;
      switch (ind_.fields[i].role) {
        case FieldRole::kSubjectUscc:
          uscc = norm[i];
          ids.push_back({IdentifierKind::kUscc, uscc});
          ids.push_back({IdentifierKind::kOrgCode, uscc.substr(8, 9)});
          region = uscc.substr(2, 6);
          break;
        case FieldRole::kSubjectOrgCode: ids.push_back({IdentifierKind::kOrgCode, norm[i]}); break;
        case FieldRole::kSubjectRegNumber: ids.push_back({IdentifierKind::kRegNumber, norm[i]}); break;
        case FieldRole::kSubjectTaxNumber: ids.push_back({IdentifierKind::kTaxNumber, norm[i]}); break;
        case FieldRole::kSubjectInstCert: ids.push_back({IdentifierKind::kInstCert, norm[i]}); break;
        case FieldRole::kSubjectSocialOrgCert:
          ids.push_back({IdentifierKind::kSocialOrgCert, norm[i]});
          break;
        default: break;
      }
    }
    bool natural = category == SubjectType::kNaturalPerson || (ids.empty() && person != nullptr);
    SubjectType type = category.value_or(SubjectType::kLegalPerson);
    if (natural) {
      if (person == nullptr) {
        Reject(row, role_person_id_ >= 0 ? ind_.fields[static_cast<size_t>(role_person_id_)].code : "",
               "missing_field", "a natural person needs a certificate number (证件号码)");
        return -1;
      }
      type = SubjectType::kNaturalPerson;
      ids = {{person_kind, person->hash}};
    } else if (ids.empty()) {
      Reject(row, "", "missing_code",
             "no subject code: give the unified social credit code or a legacy registration code");
      return -1;
    } else if (!category && !uscc.empty()) {
      type = (uscc[0] == '9' && uscc[1] == '2') ? SubjectType::kIndividualBusiness
                                                : SubjectType::kLegalPerson;
    }

    // Resolve: the batch's own new subjects first, then the store; the USCC decides.
    std::optional<uint64_t> found;
    for (const Identifier& id : ids) {
      std::optional<uint64_t> hit;
      std::string key = IdKey(id.kind, id.value);
      if (auto p = id_index_.find(key); p != id_index_.end()) {
        hit = p->second;
      } else if (auto q = in_.known_ids_.find(key); q != in_.known_ids_.end()) {
        hit = q->second;
      } else {
        auto r = in_.store_.FindSubject(id.kind, id.value);
        if (!r.ok()) {
          status_ = r.status();
          return -1;
        }
        hit = *r;
        if (hit) in_.RememberId(key, *hit);
      }
      if (!hit) continue;
      if (!found) {
        found = hit;
      } else if (*found != *hit) {
        ws_.batch.warnings.push_back({static_cast<uint32_t>(row), "", "identifier_conflict",
                                      std::string(IdentifierKindName(id.kind)) +
                                          " belongs to another subject; the first code given decides"});
      }
    }

    if (!found) {
      Subject s;
      s.id = in_.store_.NextId(storage::IdSpace::kSubject);
      s.type = type;
      s.name = name;
      s.uscc = uscc;
      s.identifiers = ids;
      s.region = region;
      if (natural) {
        s.id_masked = person_mask;
        s.id_sealed = person->sealed;
        s.region.clear();
      }
      s.first_seen = opt_.received_date;
      s.first_batch = ws_.batch.id;
      ++ws_.batch.new_subjects;
      for (const Identifier& id : ids) id_index_[IdKey(id.kind, id.value)] = s.id;
      subject_index_[s.id] = subjects_.size();
      subjects_.push_back(std::move(s));
      write_.push_back(true);
      return static_cast<long>(subjects_.size() - 1);
    }

    size_t idx;
    if (auto p = subject_index_.find(*found); p != subject_index_.end()) {
      idx = p->second;
    } else {
      if (auto c = in_.known_subjects_.find(*found); c != in_.known_subjects_.end()) {
        subjects_.push_back(c->second);
      } else {
        auto r = in_.store_.GetSubject(*found);
        if (!r.ok() || !r->has_value()) {
          status_ = r.ok() ? Status::DataLoss("identifier points to a missing subject") : r.status();
          return -1;
        }
        subjects_.push_back(std::move(**r));
      }
      subject_index_[*found] = subjects_.size() - 1;
      write_.push_back(false);
      idx = subjects_.size() - 1;
    }
    Subject& s = subjects_[idx];
    // New codes for a known subject (a legacy code first seen now, or its new USCC).
    for (const Identifier& id : ids) {
      if (std::find(s.identifiers.begin(), s.identifiers.end(), id) == s.identifiers.end()) {
        auto owner = id_index_.find(IdKey(id.kind, id.value));
        if (owner != id_index_.end() && owner->second != s.id) continue;
        auto stored = in_.store_.FindSubject(id.kind, id.value);
        if (stored.ok() && stored->has_value() && **stored != s.id) continue;
        s.identifiers.push_back(id);
        id_index_[IdKey(id.kind, id.value)] = s.id;
        if (id.kind == IdentifierKind::kUscc && s.uscc.empty()) s.uscc = id.value;
        write_[idx] = true;
      }
    }
    if (!natural && NameForComparison(s.name) != NameForComparison(name)) {
      if (ind_.code == "reg_basic") {
        // Registration is the authority on names: a different name is a rename.
        ws_.batch.warnings.push_back({static_cast<uint32_t>(row), ind_.fields[static_cast<size_t>(role_name_)].code,
                                      "renamed", "subject renamed from '" + s.name + "' to '" + name + "'"});
        s.former_names.push_back(s.name);
        s.name = name;
        write_[idx] = true;
      } else {
        bool former = std::find(s.former_names.begin(), s.former_names.end(), name) != s.former_names.end();
        ws_.batch.warnings.push_back(
            {static_cast<uint32_t>(row), ind_.fields[static_cast<size_t>(role_name_)].code,
             former ? "former_name" : "name_conflict",
             "the name '" + name + "' differs from the stored name '" + s.name + "' for code " +
                 s.DisplayCode() + (former ? " (it is a former name)" : "")});
      }
    }
    return static_cast<long>(idx);
  }

  void ProcessRow(uint64_t row, const std::vector<std::string_view>& cells) {
    const size_t n = ind_.fields.size();
    // Reused between rows: the strings keep their capacity.
    std::vector<std::string>& norm = norm_;
    norm.resize(n);
    for (auto& v : norm) v.clear();
    std::vector<PersonalValue> personal;
    std::string person_mask;
    IdentifierKind person_kind = IdentifierKind::kResidentIdHash;
    std::vector<std::pair<size_t, std::string>> masks;
    int person_index = -1;
    for (size_t i = 0; i < n; ++i) {
      const Field& f = ind_.fields[i];
      std::string_view cell = TrimCell(cells[i]);
      if (cell.empty()) {
        if (f.required) {
          Reject(row, f.code, "missing_field", f.code + " (" + f.label + ") is required but empty");
          return;
        }
        continue;
      }
      if (f.type == FieldType::kIdNumber) {
        PersonalValue pv;
        std::string mask;
        IdentifierKind kind;
        if (!Personal(row, i, cell, cells, &pv, &mask, &kind)) return;
        if (static_cast<int>(i) == role_person_id_) {
          person_mask = mask;
          person_kind = kind;
          person_index = static_cast<int>(personal.size());
        }
        norm[i] = mask;
        personal.push_back(std::move(pv));
        continue;
      }
      FieldProblem problem;
      if (!NormalizeField(f, cell, opt_.received_date, &norm[i], &problem)) {
        Reject(row, f.code, std::move(problem.code), std::move(problem.message));
        return;
      }
    }
    if (role_name_ < 0 || norm[static_cast<size_t>(role_name_)].empty()) {
      Reject(row, role_name_ >= 0 ? ind_.fields[static_cast<size_t>(role_name_)].code : "",
             "missing_field", "the subject's name is required");
      return;
    }

    Date decision;
    if (role_decision_ >= 0 && !norm[static_cast<size_t>(role_decision_)].empty()) {
      decision = *Date::Parse(norm[static_cast<size_t>(role_decision_)]);
      if (decision > opt_.received_date) {
        Reject(row, ind_.fields[static_cast<size_t>(role_decision_)].code, "decision_in_future",
               "the decision date " + decision.ToString() + " is after the date of receipt " +
                   opt_.received_date.ToString());
        return;
      }
    }
    std::string document;
    if (role_document_ >= 0) document = norm[static_cast<size_t>(role_document_)];
    if (ind_.nature == catalog::Nature::kNegative && role_document_ >= 0 && document.empty()) {
      Reject(row, ind_.fields[static_cast<size_t>(role_document_)].code, "missing_document",
             "negative information needs a document with legal effect (决定书文号 or case number)");
      return;
    }

    const PersonalValue* person = person_index >= 0 ? &personal[static_cast<size_t>(person_index)] : nullptr;
    long sidx = ResolveSubject(row, norm, person, person_mask, person_kind);
    if (sidx < 0) return;
    const Subject& subject = subjects_[static_cast<size_t>(sidx)];

    // Henan rule: simple-procedure penalties on natural persons are not collected.
    if (role_procedure_ >= 0 && subject.type == SubjectType::kNaturalPerson &&
        norm[static_cast<size_t>(role_procedure_)].find("简易") != std::string::npos) {
      Reject(row, ind_.fields[static_cast<size_t>(role_procedure_)].code, "henan_simple_procedure",
             "penalties on natural persons under the simple procedure (简易程序) are not collected "
             "and may not be used for punishment (Henan rule)");
      DropIfNew(static_cast<size_t>(sidx));
      return;
    }

    // Timeliness of 双公示 decisions: received within 7 working days of the decision.
    bool late = false;
    if (ind_.shuanggongshi && role_decision_ >= 0 && !norm[static_cast<size_t>(role_decision_)].empty()) {
      Date reported = opt_.received_date;
      if (role_report_ >= 0 && !norm[static_cast<size_t>(role_report_)].empty()) {
        reported = *Date::Parse(norm[static_cast<size_t>(role_report_)]);
        const std::string& code = ind_.fields[static_cast<size_t>(role_report_)].code;
        if (reported > opt_.received_date || reported < decision) {
          Reject(row, code, "invalid_report_date",
                 "the report date " + reported.ToString() +
                     " must lie between the decision date and the date of receipt");
          DropIfNew(static_cast<size_t>(sidx));
          return;
        }
      }
      if (decision.year() < in_.calendar_.first_year()) {
        late = reported.year() > decision.year() || reported.days() - decision.days() > 14;
      } else {
        auto due = in_.calendar_.AddWorkdays(decision, 7);
        if (due.ok()) {
          late = reported > *due;
        } else {
          ws_.batch.warnings.push_back({static_cast<uint32_t>(row), "", "calendar_missing",
                                        due.status().message()});
        }
      }
    }

    // Natural key and content hash.
    std::string nk;
    for (int fi : natural_key_) {
      const std::string& v = fi >= 0 ? norm[static_cast<size_t>(fi)] : std::string();
      if (v.empty()) {
        Reject(row, fi >= 0 ? ind_.fields[static_cast<size_t>(fi)].code : "", "missing_field",
               "a field of the natural key is empty, so the decision cannot be identified");
        DropIfNew(static_cast<size_t>(sidx));
        return;
      }
      if (!nk.empty()) nk.push_back('\x1f');
      nk += v;
    }
    uint64_t hash = 0xcbf29ce484222325ULL;
    Record r;
    r.values.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      if (norm[i].empty()) continue;
      hash = Fnv1a64(ind_.fields[i].code, hash);
      hash = Fnv1a64(norm[i], Fnv1a64("=", hash));
      r.values.emplace_back(ind_.fields[i].code, std::move(norm[i]));
    }
    for (const auto& p : personal) hash = Fnv1a64(p.hash, Fnv1a64(p.field, hash));

    std::string pending_key;
    coding::PutFixed64BE(&pending_key, subject.id);
    pending_key += nk;
    std::optional<Pending> prior;
    if (auto p = pending_keys_.find(pending_key); p != pending_keys_.end()) {
      prior = p->second;
    } else if (subject.first_batch != ws_.batch.id) {
      auto hit = in_.store_.FindNaturalKey(subject.id, ind_.code, nk);
      if (!hit.ok()) {
        status_ = hit.status();
        return;
      }
      if (*hit) prior = Pending{(*hit)->record_id, (*hit)->version, (*hit)->content_hash};
    }
    if (prior && prior->content_hash == hash) {
      ++ws_.batch.duplicates;
      return;
    }
    r.subject_id = subject.id;
    r.record_id = prior ? prior->record_id : in_.store_.NextId(storage::IdSpace::kRecord);
    r.version = prior ? prior->version + 1 : 1;
    r.indicator = ind_.code;
    r.decision_date = decision;
    r.received_date = opt_.received_date;
    r.late = late;
    r.batch_id = ws_.batch.id;
    r.content_hash = hash;
    r.document_number = std::move(document);
    r.personal = std::move(personal);
    pending_keys_[pending_key] = Pending{r.record_id, r.version, hash};
    ++ws_.batch.accepted;
    if (prior) ++ws_.batch.corrected;
    if (late) ++ws_.batch.late;
    ws_.records.push_back({std::move(r), std::move(nk)});
  }

  // A subject created for a row that was then rejected is not kept.
  void DropIfNew(size_t idx) {
    const Subject& s = subjects_[idx];
    if (s.first_batch != ws_.batch.id || idx + 1 != subjects_.size()) return;
    for (const Identifier& id : s.identifiers) id_index_.erase(IdKey(id.kind, id.value));
    subject_index_.erase(s.id);
    --ws_.batch.new_subjects;
    subjects_.pop_back();
    write_.pop_back();
  }

 public:
  const Status& status() const { return status_; }

 private:
  Ingester& in_;
  const Indicator& ind_;
  IngestOptions opt_;
  FileReport report_;
  storage::WriteSet ws_;
  uint64_t next_first_row_ = 1;
  int64_t started_ms_ = NowUnixMs();
  Status status_;  // a storage failure stops the file

  std::vector<std::string> norm_;  // scratch for ProcessRow
  std::unordered_map<size_t, int> id_type_of_;
  int role_name_, role_category_, role_decision_, role_document_, role_procedure_, role_report_,
      role_person_id_;
  std::vector<int> natural_key_;

  // Subjects this batch has touched; write_[i] says whether subjects_[i] must be written.
  std::vector<Subject> subjects_;
  std::vector<bool> write_;
  std::unordered_map<uint64_t, size_t> subject_index_;  // subject id → subjects_ index
  std::unordered_map<std::string, uint64_t> id_index_;  // this batch's identifiers
  std::unordered_map<std::string, Pending> pending_keys_;
};

Ingester::Ingester(storage::Store& store, const catalog::Catalog& catalog,
                   const WorkCalendar& calendar, const PersonalDataVault& vault)
    : store_(store), catalog_(catalog), calendar_(calendar), vault_(vault) {}
Ingester::~Ingester() = default;

void Ingester::RememberId(const std::string& key, uint64_t subject_id) {
  if (known_ids_.size() >= kMaxKnownIds) known_ids_.clear();
  known_ids_.emplace(key, subject_id);
}

void Ingester::RememberSubject(Subject subject) {
  if (known_subjects_.size() >= kMaxKnownSubjects) known_subjects_.clear();
  uint64_t id = subject.id;
  known_subjects_.insert_or_assign(id, std::move(subject));
}

Result<FileReport> Ingester::IngestFile(const std::string& path, const IngestOptions& options) {
  XY_ASSIGN_OR_RETURN(auto source, TextSource::OpenFile(path));
  return Ingest(std::move(source), options);
}

Result<FileReport> Ingester::IngestBuffer(std::string data, const std::string& name,
                                          const IngestOptions& options) {
  XY_ASSIGN_OR_RETURN(auto source, TextSource::FromBuffer(std::move(data), name));
  return Ingest(std::move(source), options);
}

namespace {

// "admin_penalty.csv", "admin_penalty.part-0003.csv" → "admin_penalty".
std::string IndicatorFromFileName(const std::string& path) {
  std::string base = std::filesystem::path(path).filename().string();
  return base.substr(0, base.find('.'));
}

bool LooksLikeJsonl(const std::string& name, const IngestOptions& o) {
  if (!o.format.empty()) return o.format == "jsonl" || o.format == "ndjson";
  return name.ends_with(".jsonl") || name.ends_with(".ndjson") || name.ends_with(".json");
}

}  // namespace

Result<FileReport> Ingester::Ingest(std::unique_ptr<TextSource> source,
                                    const IngestOptions& options_in) {
  std::lock_guard lock(mu_);
  IngestOptions options = options_in;
  if (options.received_date == Date()) options.received_date = Date::Today();
  if (options.batch_rows == 0) options.batch_rows = 50000;
  const std::string name = source->name();
  const std::string encoding(EncodingName(source->encoding()));

  const Indicator* ind = nullptr;
  if (!options.indicator.empty()) {
    ind = catalog_.Find(options.indicator);
    if (!ind) {
      return Status::InvalidArgument("unknown indicator '" + options.indicator +
                                     "'; see `xinyong catalog` for the indicators that may be collected");
    }
  } else {
    ind = catalog_.Find(IndicatorFromFileName(name));
  }

  if (LooksLikeJsonl(name, options)) {
    JsonlReader reader(std::move(source));
    JsonRow row;
    std::vector<JsonRow> buffered;
    if (!ind) {
      // Decide from the keys of the first well-formed object.
      while (true) {
        XY_ASSIGN_OR_RETURN(bool more, reader.ReadRow(&row));
        if (!more) break;
        buffered.push_back(row);
        if (row.error_code.empty()) {
          std::vector<std::string> keys;
          for (auto& [k, v] : row.fields) keys.push_back(k);
          ind = catalog_.MatchHeader(keys);
          break;
        }
      }
      if (!ind) {
        return Status::InvalidArgument(name + ": cannot tell which indicator the file holds; name it "
                                              "with --indicator or use the catalog's field codes as keys");
      }
    }
    Run run(*this, *ind, options, name, encoding, "jsonl");
    std::unordered_map<std::string, int> key_index;
    std::unordered_map<std::string, bool> warned;
    std::vector<std::string_view> cells(ind->fields.size());
    auto handle = [&](const JsonRow& r) -> Status {
      if (!r.error_code.empty()) return run.RejectRow(r.number, r.error_code, r.error);
      std::fill(cells.begin(), cells.end(), std::string_view());
      for (const auto& [k, v] : r.fields) {
        auto it = key_index.find(k);
        if (it == key_index.end()) it = key_index.emplace(k, ind->FieldIndex(TrimCell(k))).first;
        if (it->second < 0) {
          if (!warned[k]) {
            warned[k] = true;
            run.Warn(k, "unknown_column",
                     "key '" + k + "' is not in the catalog entry for " + ind->code + "; not collected");
          }
          continue;
        }
        cells[static_cast<size_t>(it->second)] = v;
      }
      return run.AddRow(r.number, cells);
    };
    for (const auto& r : buffered) {
      XY_RETURN_IF_ERROR(handle(r));
      XY_RETURN_IF_ERROR(run.status());
    }
    while (true) {
      XY_ASSIGN_OR_RETURN(bool more, reader.ReadRow(&row));
      if (!more) break;
      XY_RETURN_IF_ERROR(handle(row));
      XY_RETURN_IF_ERROR(run.status());
    }
    return run.Finish();
  }

  CsvReader reader(std::move(source));
  CsvRow header;
  XY_ASSIGN_OR_RETURN(bool have_header, reader.ReadRow(&header));
  if (!have_header) return Status::InvalidArgument(name + ": the file has no header row");
  if (!header.error_code.empty()) return Status::InvalidArgument(name + ": header: " + header.error);
  std::vector<std::string> header_cells;
  for (auto c : header.cells) header_cells.emplace_back(TrimCell(c));
  if (!ind) ind = catalog_.MatchHeader(header_cells);
  if (!ind) {
    return Status::InvalidArgument(
        name + ": the header matches no catalog indicator; name it with --indicator, or use the "
               "standard field codes or Chinese labels as column names");
  }
  // Map columns to fields; a required field missing from the header refuses the whole file.
  std::vector<int> column_field(header_cells.size(), -1);
  std::vector<bool> seen(ind->fields.size(), false);
  std::vector<std::string> unknown;
  for (size_t c = 0; c < header_cells.size(); ++c) {
    int f = ind->FieldIndex(header_cells[c]);
    if (f < 0) {
      if (!header_cells[c].empty()) unknown.push_back(header_cells[c]);
      continue;
    }
    if (seen[static_cast<size_t>(f)]) {
      return Status::InvalidArgument(name + ": column " + std::to_string(c + 1) + " ('" +
                                     header_cells[c] + "') repeats field " +
                                     ind->fields[static_cast<size_t>(f)].code);
    }
    seen[static_cast<size_t>(f)] = true;
    column_field[c] = f;
  }
  for (size_t f = 0; f < ind->fields.size(); ++f) {
    if (ind->fields[f].required && !seen[f]) {
      return Status::InvalidArgument(name + ": the header has no column for required field " +
                                     ind->fields[f].code + " (" + ind->fields[f].label +
                                     ") of indicator " + ind->code);
    }
  }
  Run run(*this, *ind, options, name, encoding, "csv");
  for (const auto& u : unknown) {
    run.Warn(u, "unknown_column",
             "column '" + u + "' is not in the catalog entry for " + ind->code + "; not collected");
  }
  std::vector<std::string_view> cells(ind->fields.size());
  CsvRow row;
  while (true) {
    XY_ASSIGN_OR_RETURN(bool more, reader.ReadRow(&row));
    if (!more) break;
    if (!row.error_code.empty()) {
      XY_RETURN_IF_ERROR(run.RejectRow(row.number, row.error_code, row.error));
      continue;
    }
    if (row.cells.size() != header_cells.size()) {
      XY_RETURN_IF_ERROR(run.RejectRow(
          row.number, "wrong_column_count",
          "row has " + std::to_string(row.cells.size()) + " cells; the header has " +
              std::to_string(header_cells.size()) + " (line " + std::to_string(row.line) + ")"));
      continue;
    }
    std::fill(cells.begin(), cells.end(), std::string_view());
    for (size_t c = 0; c < row.cells.size(); ++c) {
      if (column_field[c] >= 0) cells[static_cast<size_t>(column_field[c])] = row.cells[c];
    }
    XY_RETURN_IF_ERROR(run.AddRow(row.number, cells));
    XY_RETURN_IF_ERROR(run.status());
  }
  return run.Finish();
}

}  // namespace xinyong::ingest
