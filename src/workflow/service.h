// Service: objections (异议) and credit repair (信用修复) run under their workflows
// (workflow.h) and deadlines (policy.h) — filing, each step, the queues, and the effects on the
// records. An upheld objection corrects the record (a new version, ingested like any row) or
// revokes it; a repair gives it the status repaired; either way records derived from it (a
// breach derived from a commitment) follow, and everything is committed through the Ingester, so
// that its commit observer brings the trigger index of credit checks, the grades and the lists
// up to date at once. While an objection is open its record stays published, marked as under
// objection (UnderObjection).
//
// Every application and every step is stored with its history (Store::SaveApplication) and is
// never removed. The calendar decides the deadlines; a step taken in a year the calendar does not
// cover is not refused but gets no deadline, with a note saying why.
//
// Thread-safety: all methods may be called from any thread; steps are serialized internally.
// The store, catalog, calendar, vault, ingester and policy must outlive the service.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "catalog/catalog.h"
#include "core/calendar.h"
#include "core/personal_data.h"
#include "core/slot_counters.h"
#include "core/status.h"
#include "ingest/ingester.h"
#include "workflow/application.h"
#include "workflow/policy.h"
#include "storage/store.h"

namespace xinyong::workflow {

// Who asks. The server makes one from the request's principal, the CLI from its options.
struct Caller {
  enum class Role : uint8_t {
    kOther = 0,       // anyone else: may neither read nor act
    kOperator = 1,    // the platform operator (市信用中心)
    kSubject = 2,     // a subject, for itself
    kDepartment = 3,  // a source department
  };
  Role role = Role::kOther;
  uint64_t subject_id = 0;  // kSubject
  // kDepartment: its department. kOperator: the department it records a step for (a written
  // answer that came on paper), or "".
  std::string department;
  std::string role_name;  // for the history: "operator", "subject", "source_department"
  std::string describe;   // for the history, without personal data: "operator token 1"
};

struct ObjectionRequest {
  uint64_t subject_id = 0;
  uint64_t record_id = 0;
  std::string reason;
  std::vector<std::string> evidence;
};

// A credit-repair commitment (信用修复型承诺) made as part of an application: ingested as a
// credit_commitment record of the subject through the ordinary pipeline.
struct NewCommitment {
  std::string content;    // 承诺内容 (required)
  std::string liability;  // 违诺责任
  std::string code;       // 承诺编码; "" = made up from the subject's region, the day and the id
};

struct RepairRequest {
  uint64_t subject_id = 0;
  uint64_t record_id = 0;
  std::string declaration;             // how the conduct was corrected, obligations performed
  std::vector<std::string> evidence;   // references to the documents proving it
  std::optional<NewCommitment> commitment;
};

struct StepRequest {
  Action action = Action::kForward;
  std::string reason;  // forward: a note; verify: the answer; answer: the written reply;
                       // refuse, extend, decide, withdraw: the reasons
  std::vector<std::string> documents;
  std::string department;  // forward: to whom ("" = the first of the record's departments)
  std::string outcome;     // verify: upheld_correct, upheld_revoke, rejected; decide: repaired, denied
  Corrections corrections; // verify upheld_correct: field code → corrected value
};

struct ListFilter {
  std::optional<Kind> kind;
  std::optional<State> state;
  bool overdue_only = false;
  bool open_only = false;
};

class Service {
 public:
  // Reads the applications to know which records are under objection.
  static Result<std::unique_ptr<Service>> Open(storage::Store& store,
                                               const catalog::Catalog& catalog,
                                               const WorkCalendar& calendar,
                                               const PersonalDataVault& vault,
                                               ingest::Ingester& ingester, const Policy& policy);

  // Files an objection against a record in force of the subject: the applicant is the subject
  // itself or the operator on its behalf. InvalidArgument for a missing reason; NotFound for an
  // unknown record; FailedPrecondition when it is not in force; AlreadyExists while another
  // objection to it is open; PermissionDenied for anyone else.
  Result<Application> FileObjection(const Caller& caller, const ObjectionRequest& request,
                                    Date today);
  // Applies for the repair of a negative record in force, its conditions checked and kept with
  // it. Refused (FailedPrecondition) when there is nothing to repair — the record is not in
  // force, not negative, of an indicator the platform does not repair, or its publicity has
  // already ended by itself; AlreadyExists while another application for it is open; the other
  // conditions (minimum period, obligations performed, commitment) are checked again at
  // acceptance and decision. A commitment in the request is ingested first (its rejection is
  // InvalidArgument).
  Result<Application> ApplyRepair(const Caller& caller, const RepairRequest& request, Date today);
  // Takes a step of the workflow: FailedPrecondition when the table has no such transition from
  // the application's state (or the step's own conditions fail: unmet repair conditions, an
  // extension twice), PermissionDenied when the caller is not the one the transition names,
  // InvalidArgument for a missing reason or a bad outcome or correction, NotFound for an unknown
  // application (or one the caller may not see).
  Result<Application> Step(const Caller& caller, uint64_t id, const StepRequest& request,
                           Date today);

  // An application the caller may see (NotFound otherwise), with its history, oldest first.
  Result<Application> Get(const Caller& caller, uint64_t id, std::vector<Event>* history) const;
  // The applications the caller may see that pass the filter as of `today`, newest first.
  Status List(const Caller& caller, const ListFilter& filter, Date today,
              std::vector<Application>* out) const;
  // The records of a subject under an open objection (异议处理中), ascending.
  std::vector<uint64_t> UnderObjection(uint64_t subject_id) const;
  // Grows after every change of UnderObjection(subject_id)'s answer (an objection to one of the
  // subject's records opened or closed), after the change: whoever keeps answers made from it
  // reads it first (server::ResponseCache). Subjects may share a number, so only numbers of the
  // same subject compare.
  uint64_t OpenVersion(uint64_t subject_id) const { return open_versions_.Get(subject_id); }
  // The conditions of repairing a record as of `today`, as ApplyRepair would check them.
  Result<std::vector<Condition>> RepairConditions(uint64_t subject_id, uint64_t record_id,
                                                  const std::string& declaration,
                                                  const std::vector<std::string>& evidence,
                                                  Date today) const;
  // The departments that may answer for a record (Application::departments).
  std::vector<std::string> DepartmentsOf(const Record& r, const catalog::Indicator& ind) const;
  // Whether the caller may read the application.
  static bool MaySee(const Caller& caller, const Application& a);

  const Policy& policy() const { return policy_; }

 private:
  Service(storage::Store& store, const catalog::Catalog& catalog, const WorkCalendar& calendar,
          const PersonalDataVault& vault, ingest::Ingester& ingester, const Policy& policy)
      : store_(store), catalog_(catalog), calendar_(calendar), vault_(vault), ingester_(ingester),
        policy_(policy) {}

  // The current version of a record (values decoded); NotFound when there is none.
  Result<Record> Current(uint64_t subject_id, uint64_t record_id) const;
  // Sets the deadline of `a`'s current state (due, due_clock), counted from state_since.
  void SetDeadline(Application* a, Clock clock);
  // Fills in the deadlines a calendar gap left out when they were set (the operator has since
  // added the year); the note goes once none is missing. Saved with the application's next step.
  void FillMissingDeadlines(Application* a) const;
  Status Save(Application* a, Event e, int64_t unix_ms);
  Result<Application> Load(uint64_t id) const;
  Status CheckActor(const Caller& caller, const Transition& t, const Application& a) const;
  // What filing transition `t` records, for either kind, once the caller may take it (CheckActor);
  // the id is the caller's to assign after its own checks.
  Result<Application> Filing(const Transition& t, const Caller& caller, const Subject& subject,
                             const Record& r, const catalog::Indicator& ind,
                             const std::string& reason, const std::vector<std::string>& evidence,
                             Date today) const;
  // `application`: the repair application they are for (0 for none yet); a commitment another
  // repair of the subject relies on does not count for it.
  std::vector<Condition> Conditions(const Record& r, const catalog::Indicator& ind,
                                    const std::string& declaration,
                                    const std::vector<std::string>& evidence, Date today,
                                    uint64_t application, std::string* commitment_code) const;
  // Effects of an upheld objection or a repair: new versions of the record and of the records
  // derived from it, with `status`. Appends one sentence per record to *effects.
  Status ChangeStatus(Application* a, RecordStatus status, const std::string& dept, Date today,
                      std::vector<std::string>* effects);
  Status Correct(Application* a, const Corrections& corrections, const std::string& dept,
                 Date today, std::vector<std::string>* effects);
  // The current version of the record `derived` was derived from (a breach's commitment), if any.
  Result<std::optional<Record>> SourceRecord(const Record& derived,
                                             const catalog::Indicator& ind) const;
  // The current version of the record derived from `source`, if any.
  Result<std::optional<Record>> DerivedRecord(const Record& source,
                                              const catalog::Indicator& ind) const;
  Result<std::string> IngestCommitment(const Subject& subject, const Application& a,
                                       const NewCommitment& c, Date today);
  void Track(const Application& a);

  storage::Store& store_;
  const catalog::Catalog& catalog_;
  const WorkCalendar& calendar_;
  const PersonalDataVault& vault_;
  ingest::Ingester& ingester_;
  const Policy& policy_;
  std::mutex step_mu_;  // one filing or step at a time (read, effects, save)
  // Open applications by (subject, record), per kind: under objection, and "one open
  // application of a kind per record".
  mutable std::shared_mutex open_mu_;
  std::map<std::pair<uint64_t, uint64_t>, uint64_t> open_objections_;  // GUARDED_BY(open_mu_)
  std::map<std::pair<uint64_t, uint64_t>, uint64_t> open_repairs_;     // GUARDED_BY(open_mu_)
  // The 信用修复型 commitments repairs rely on, (subject, commitment code) → the repair: one
  // commitment per repair, while the repair is open or once it repaired its record.
  std::map<std::pair<uint64_t, std::string>, uint64_t> relied_commitments_;  // GUARDED_BY(open_mu_)
  SlotCounters open_versions_{1 << 12};
};

}  // namespace xinyong::workflow
