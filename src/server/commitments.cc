#include "server/commitments.h"

#include "core/identifiers.h"
#include "server/access.h"
#include "server/declarations.h"
#include "server/redact.h"
#include "server/json_views.h"

namespace xinyong::server {

namespace json = boost::json;

namespace {

Result<bool> Passes(const CommitmentFilter& f, const Record& r, const catalog::Indicator& ind,
                    const rules::CommitmentView& v) {
  if (r.status != RecordStatus::kActive) return false;
  if (f.view != nullptr) {
    XY_ASSIGN_OR_RETURN(bool seen, f.view->Sees(r, &ind));
    if (!seen) return false;
  } else if (f.public_only && !PubliclyVisible(r, &ind)) {
    return false;
  }
  if (!f.type.empty() && v.type != f.type) return false;
  return !f.state || v.state == *f.state;
}

Result<const catalog::Indicator*> CommitmentIndicator(Platform& p) {
  const catalog::Indicator* ind = p.catalog().Find(rules::kCommitmentIndicator);
  if (ind == nullptr) {
    return Status::FailedPrecondition("the catalog has no indicator " +
                                      std::string(rules::kCommitmentIndicator));
  }
  return ind;
}

}  // namespace

Status SubjectCommitments(Platform& p, const Subject& subject, const CommitmentFilter& filter,
                          Date today, std::vector<CommitmentEntry>* out) {
  XY_ASSIGN_OR_RETURN(const catalog::Indicator* ind, CommitmentIndicator(p));
  std::vector<Record> records;
  XY_RETURN_IF_ERROR(p.store().ListRecords(subject.id, ind->code, &records));
  for (Record& r : records) {
    rules::CommitmentView v = rules::ViewCommitment(r, *ind, today);
    XY_ASSIGN_OR_RETURN(bool passes, Passes(filter, r, *ind, v));
    if (!passes) continue;
    out->push_back({subject, std::move(r), std::move(v)});
  }
  return Status::Ok();
}

Status ListCommitments(Platform& p, const CommitmentFilter& filter, Date today, size_t skip,
                       size_t take, std::vector<CommitmentEntry>* out, bool* more) {
  XY_ASSIGN_OR_RETURN(const catalog::Indicator* ind, CommitmentIndicator(p));
  *more = false;
  size_t passed = 0;
  std::vector<Record> versions;
  return p.store().ScanIndicator(
      ind->code, [&](uint64_t subject_id, uint64_t record_id, Date decided) -> Result<bool> {
        versions.clear();
        XY_RETURN_IF_ERROR(p.store().ListRecordVersions(subject_id, record_id, &versions));
        if (versions.empty()) return true;
        Record& current = versions.back();
        // An entry left behind by a correction that moved the date: the current one counts.
        if (current.decision_date != decided) return true;
        rules::CommitmentView v = rules::ViewCommitment(current, *ind, today);
        XY_ASSIGN_OR_RETURN(bool passes, Passes(filter, current, *ind, v));
        if (!passes) return true;
        if (passed++ < skip) return true;
        if (out->size() == take) {
          *more = true;
          return false;
        }
        XY_ASSIGN_OR_RETURN(auto subject, p.store().GetSubject(subject_id));
        if (!subject) return true;
        out->push_back({std::move(*subject), std::move(current), std::move(v)});
        return true;
      });
}

Result<FulfilmentDone> RecordFulfilment(Platform& p, const Subject& subject,
                                        std::string_view number, const rules::Fulfilment& f,
                                        Date today, std::string* bad_field,
                                        bool for_declaration) {
  bad_field->clear();
  XY_ASSIGN_OR_RETURN(const catalog::Indicator* ind, CommitmentIndicator(p));
  const std::string code = ident::NormalizeCodeInput(number);
  XY_ASSIGN_OR_RETURN(auto hit, p.store().FindNaturalKey(subject.id, ind->code, code));
  if (!hit) {
    return Status::NotFound(subject.DisplayCode() + " has no commitment " + code.substr(0, 40));
  }
  const bool breach = f.status != "全部履行" || f.false_commitment;
  if (breach && !for_declaration && p.catalog().Find(kDeclarationIndicator) != nullptr) {
    XY_ASSIGN_OR_RETURN(auto declaration,
                        p.store().FindNaturalKey(subject.id, kDeclarationIndicator, code));
    if (declaration) {
      *bad_field = "status";
      return Status::FailedPrecondition(
          "commitment " + code + " is the truthfulness commitment of declaration " + code +
          ": the operator finds it broken with the declaration, which is then revoked "
          "(POST /api/v1/subjects/" + subject.DisplayCode() + "/declarations/" + code +
          ":withdraw with false_declaration, or xinyong "
          "declaration revoke --false)");
    }
  }
  std::vector<Record> versions;
  XY_RETURN_IF_ERROR(p.store().ListRecordVersions(subject.id, hit->record_id, &versions));
  if (versions.empty()) return Status::DataLoss("commitment " + code + " has no stored version");
  XY_ASSIGN_OR_RETURN(rules::Row row,
                      rules::FulfilmentRow(versions.back(), *ind, f, p.vault(), today, bad_field));

  json::object o;
  // The batch's department: the finding unit's code as the row states it (the caller's, or the
  // commitment's own when the caller named the unit), else its name.
  std::string dept = f.unit_code.empty() ? f.unit : f.unit_code;
  for (const auto& [k, v] : row) {
    if (k == rules::kFindingUnitCodeField && !v.empty()) dept = v;
  }
  for (auto& [k, v] : row) o[k] = std::move(v);
  ingest::IngestOptions options;
  options.indicator = ind->code;
  options.format = "jsonl";
  options.dept = dept;
  options.received_date = today;
  XY_ASSIGN_OR_RETURN(ingest::FileReport report,
                      p.ingester().IngestBuffer(json::serialize(o) + "\n",
                                                "fulfilment-" + code + ".jsonl", options));
  if (report.rejected > 0) {
    XY_ASSIGN_OR_RETURN(auto rejected, ingest::FirstRejection(p.store(), report));
    return Status::InvalidArgument(rejected ? rejected->message : "the new version was rejected");
  }

  FulfilmentDone done;
  versions.clear();
  XY_RETURN_IF_ERROR(p.store().ListRecordVersions(subject.id, hit->record_id, &versions));
  done.commitment = {subject, versions.back(), rules::ViewCommitment(versions.back(), *ind, today)};
  done.report = std::move(report);
  if (const catalog::Indicator* breach = p.catalog().DerivedFrom(ind->code)) {
    XY_ASSIGN_OR_RETURN(auto b, p.store().FindNaturalKey(subject.id, breach->code, code));
    if (b) {
      std::vector<Record> bv;
      XY_RETURN_IF_ERROR(p.store().ListRecordVersions(subject.id, b->record_id, &bv));
      if (!bv.empty()) done.breach = std::move(bv.back());
    }
  }
  return done;
}

void MaskPersonForPublic(const Platform& p, CommitmentEntry* e) {
  if (e->subject.type != SubjectType::kNaturalPerson) return;
  e->record = PersonRecordForPublic(e->record, p.catalog().Find(e->record.indicator), e->subject.name);
  e->subject = PersonForPublic(e->subject);
}

json::object CommitmentJson(const CommitmentEntry& e, const catalog::Indicator* indicator) {
  const rules::CommitmentView& v = e.view;
  json::object o;
  o["code"] = v.code;
  o["type"] = v.type;
  o["made"] = v.made.ToString();
  o["deadline"] = v.deadline ? json::value(v.deadline->ToString()) : json::value(nullptr);
  o["state"] = rules::CommitmentStateName(v.state);
  o["state_label"] = rules::CommitmentStateLabel(v.state);
  o["status"] = v.status.empty() ? json::value(nullptr) : json::value(v.status);
  o["found"] = v.found ? json::value(v.found->ToString()) : json::value(nullptr);
  o["found_by"] = v.found_by.empty() ? json::value(nullptr) : json::value(v.found_by);
  o["accepting_unit"] = v.accepting_unit;
  o["publicity"] = v.publicity.empty() ? json::value(nullptr) : json::value(v.publicity);
  o["false_commitment"] = v.false_commitment;
  o["subject"] = json::object{{"code", e.subject.DisplayCode()},
                              {"name", e.subject.name},
                              {"type", SubjectTypeName(e.subject.type)}};
  o["record"] = RecordJson(e.record, indicator);
  return o;
}

}  // namespace xinyong::server
