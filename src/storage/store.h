// Store: the one narrow interface between Xinyong and its storage engine. RocksDB (embedded,
// the default) implements it today; a PostgreSQL implementation must pass the same conformance
// suite (tests/conformance). All state a batch changes arrives in one WriteSet and is applied
// atomically and durably by Commit: after a crash a batch is wholly present or wholly absent.
//
// Thread-safety: readers may call const methods from any thread concurrently. Writes (NextId,
// Commit) must come from one writer at a time; the ingestion pipeline serializes them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "model/batch.h"
#include "model/check_log.h"
#include "model/grade.h"
#include "model/record.h"
#include "model/subject.h"

namespace xinyong::storage {

// Where a natural key (indicator + the fields that identify one decision) already points.
struct NaturalKeyHit {
  uint64_t record_id = 0;
  uint32_t version = 0;
  uint64_t content_hash = 0;
};

// One natural key to look up (FindNaturalKeys).
struct NaturalKeyQuery {
  uint64_t subject_id = 0;
  std::string_view indicator;
  std::string_view key;
};

struct RecordWrite {
  Record record;            // version 1 for a new record, N+1 for a correction
  std::string natural_key;  // indicator-specific key, already normalized
  // Persons the record names besides its subject (links are kept for every version written and
  // never removed: readers check the record's current version still names the person).
  std::vector<PersonLink> person_links;
};

// Exchange between platform levels (src/exchange): the last change-feed sequence number of a
// source instance that a receiving instance applied, kept in the same commit as what it applied.
struct ExchangeCursor {
  std::string source;  // the source instance's id
  uint64_t seq = 0;
};

// Everything one batch changes.
struct WriteSet {
  std::vector<Subject> subjects;  // new subjects and updated ones (full value, identifiers indexed)
  // For updated subjects: names they no longer carry (removed from the name index).
  std::vector<std::pair<uint64_t, std::string>> dropped_names;
  std::vector<RecordWrite> records;
  BatchReport batch;  // written with its rejections and warnings
  // A batch applied from another instance's change feed: the source's new cursor (ExchangeCursor).
  std::optional<ExchangeCursor> exchange_cursor;
  // The digest of the submitted file this batch is a part of, when not empty: remembered with
  // file_first_batch and file_rows_through for FindFileDigest.
  std::string file_digest;
  uint64_t file_first_batch = 0;   // the first batch of this delivery of the file
  uint64_t file_rows_through = 0;  // every row of the file up to this one has been committed
};

// What FindFileDigest knows of a file submitted before.
struct FileDigestHit {
  uint64_t first_batch = 0;   // of the latest delivery that committed a part of it
  uint64_t rows_through = 0;  // rows committed by any delivery, from the first on
};

// One entry of the change feed: every record version Commit writes gets the next number of one
// monotonic sequence (in the same atomic write), and every record Erase removes gets one with
// version 0 (a deletion event).
struct Change {
  uint64_t seq = 0;
  uint64_t subject_id = 0;
  uint64_t record_id = 0;
  uint32_t version = 0;  // 0: the record was erased with all its versions
  // ReadChanges with records: this version as stored (its own status, never "superseded"), or
  // nothing when it was erased since.
  std::optional<Record> record;
};

// A record's current version decoded up to its field values (Record::values and ::personal are
// empty), with the stored bytes to finish it: a profile counts every record of a subject and
// shows a few.
struct RecordHeader {
  Record record;
  std::string encoded;
  // Decodes the field values into `record`.
  Status Complete() {
    if (!DecodeRecordValue(encoded, &record)) {
      return Status::DataLoss("record " + std::to_string(record.record_id) + " is corrupt");
    }
    return Status::Ok();
  }
};

struct StoreStats {
  uint64_t subjects = 0;
  uint64_t records = 0;          // distinct records (current versions)
  uint64_t record_versions = 0;  // including superseded versions
  uint64_t batches = 0;
  std::map<std::string, uint64_t> records_by_indicator;
  uint64_t disk_bytes = 0;
};

// Which records a bulk read delivers and how far it decodes them. Reading only what a
// computation needs (a few indicators, headers only) is what makes a pass over every subject
// fast: most records are skipped by their indicator code without being decoded.
struct RecordSelection {
  std::vector<std::string> indicators;   // only records of these indicators; empty = all
  std::vector<std::string> with_values;  // field values decoded for these; the rest are headers
  bool skip_natural_persons = false;
};

// Called once per subject of a bulk read with the selected current versions of its records,
// ordered as ListRecords orders them. Both are valid during the call only.
using SubjectRecordsFn = std::function<Status(const Subject&, std::span<const Record>)>;

// One subject's grade as just computed. The store keeps it as the current grade unless the
// current grade says the same (SubjectGradeResult: only the day and time differ), and appends
// it to the subject's history when its score or grade differs (or there was no grade).
struct GradeWrite {
  uint64_t subject_id = 0;
  SubjectGrade grade;
};

// A full recompute that graded every organization: a current grade not rewritten since is
// still the grade as of this day.
struct GradingRun {
  Date as_of;
  int64_t unix_ms = 0;
};

// The current grade of a subject and how many entries its history has.
struct CurrentGrade {
  SubjectGrade grade;
  uint32_t history = 0;
};

enum class IdSpace : uint8_t {
  kSubject = 0,
  kRecord = 1,
  kBatch = 2,
  kCheck = 3,
  kInspection = 4,
  kApplication = 5,  // objections and credit-repair applications (src/workflow)
  kReport = 6,       // issued credit reports (src/report)
  kDeclaration = 7,  // voluntary declarations (自主申报): the serial of their numbers
};

// One step of an objection or credit-repair application (src/workflow): the application as it
// stands after the step and the step's history entry, both opaque here (the rights module
// encodes them).
struct ApplicationWrite {
  uint64_t id = 0;          // from NextId(IdSpace::kApplication)
  uint64_t subject_id = 0;  // the subject it concerns; the same at every step
  uint32_t seq = 0;         // the history entry's number: 1 for the filing, then consecutive
  std::string value;        // the application after the step
  std::string event;        // the step
};

// A position in the order of Store::ScanIndicator (decision date, then subject id, then record
// id, all descending): ScanIndicatorFrom starts at the entries at or after it in that order. The
// default ids stand above every entry of the date, so {date} alone starts at the newest entry
// decided on `decided` or earlier.
struct IndicatorPosition {
  Date decided;
  uint64_t subject_id = UINT64_MAX;
  uint64_t record_id = UINT64_MAX;
};

// A record, with all its versions (retention).
struct RecordRef {
  uint64_t subject_id = 0;
  uint64_t record_id = 0;
};

// One entry of the audit log as the store keeps it (the security module encodes `entry`).
struct AuditWrite {
  uint64_t seq = 0;         // consecutive from 1
  uint64_t subject_id = 0;  // the subject the entry is about; 0 = none
  std::string entry;
};

// Audit entries that continue the log, with the new head (Store::AppendAudit's arguments).
struct AuditAppend {
  std::span<const AuditWrite> entries;
  std::string_view head;
};

struct BatchSummary {
  uint64_t id = 0;
  std::string file, indicator, dept;
  uint64_t rows = 0, accepted = 0, rejected = 0, duplicates = 0, late = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // The subject an identifier resolves to; nullopt when none does.
  virtual Result<std::optional<uint64_t>> FindSubject(IdentifierKind kind,
                                                      std::string_view value) const = 0;
  virtual Result<std::optional<Subject>> GetSubject(uint64_t id) const = 0;
  // Bulk forms of FindSubject and GetSubject for a batch (credit checks of many subjects): the
  // keys are read in order, sharing the work of neighbours (for a batch of a good share of the
  // store, one forward pass instead of a lookup per key). `values` / `ids` must be in ascending
  // order (repeats allowed). FindSubjects sets (*out)[i] to the subject of values[i], 0 when none;
  // GetSubjects calls fn(i, subject) for each ids[i] in order, with nullptr when there is none,
  // and stops at (and returns) the first error fn returns.
  virtual Status FindSubjects(IdentifierKind kind, std::span<const std::string_view> values,
                              std::vector<uint64_t>* out) const = 0;
  virtual Status GetSubjects(std::span<const uint64_t> ids,
                             const std::function<Status(size_t i, const Subject* s)>& fn) const = 0;
  // Subjects whose current or former name starts with `prefix` (exact bytes), in name order.
  virtual Status FindSubjectsByNamePrefix(std::string_view prefix, size_t limit,
                                          std::vector<uint64_t>* out) const = 0;
  // Codes starting with `prefix`, kind by kind in the order given, each kind in code order, with
  // their subjects; at most `limit` in all.
  virtual Status FindCodesByPrefix(std::span<const IdentifierKind> kinds, std::string_view prefix,
                                   size_t limit,
                                   std::vector<std::pair<std::string, uint64_t>>* out) const = 0;
  // Calls `fn` for every subject in id order; stops at (and returns) the first error it returns.
  virtual Status ScanSubjects(const std::function<Status(const Subject&)>& fn) const = 0;

  virtual Result<std::optional<NaturalKeyHit>> FindNaturalKey(uint64_t subject_id,
                                                              std::string_view indicator,
                                                              std::string_view key) const = 0;
  // FindNaturalKey for many keys in one batched read, as of one moment: (*out)[i] answers
  // queries[i] (*out is resized to match).
  virtual Status FindNaturalKeys(std::span<const NaturalKeyQuery> queries,
                                 std::vector<std::optional<NaturalKeyHit>>* out) const = 0;
  // The current version of each record of a subject, all indicators when `indicator` is empty,
  // newest decision date first (ties: newest record first).
  virtual Status ListRecords(uint64_t subject_id, std::string_view indicator,
                             std::vector<Record>* out) const = 0;
  // The same records as ListRecords (all indicators, same order), as headers.
  virtual Status ListRecordHeaders(uint64_t subject_id, std::vector<RecordHeader>* out) const = 0;
  // Records of one indicator, newest decision date first (ties: higher subject, then record id):
  // fn(subject_id, record_id, decision_date) until it returns false or an error. An entry may
  // name a record whose current version has another date (a correction): readers check.
  virtual Status ScanIndicator(
      std::string_view indicator,
      const std::function<Result<bool>(uint64_t subject_id, uint64_t record_id, Date decided)>& fn)
      const = 0;
  // The same scan begun at `start` instead of the newest entry: entries decided before
  // start.decided, and those decided on it whose (subject id, record id) is at most start's.
  // What a listing bounded by date, or resumed after an entry, uses to read only what it lists.
  virtual Status ScanIndicatorFrom(
      std::string_view indicator, const IndicatorPosition& start,
      const std::function<Result<bool>(uint64_t subject_id, uint64_t record_id, Date decided)>& fn)
      const = 0;
  // Every version of one record, oldest first.
  virtual Status ListRecordVersions(uint64_t subject_id, uint64_t record_id,
                                    std::vector<Record>* out) const = 0;
  // The records that ever named the person with this keyed hash (PersonLink, written by Commit
  // from RecordWrite::person_links), in (subject, record) order, once per record and role.
  virtual Status ListPersonLinks(std::string_view person_hash,
                                 std::vector<PersonLink>* out) const = 0;

  // Bulk reads for computations over many subjects (the composite evaluation). The subject-id
  // space is cut into `parts` ranges of about equal size at `bound`, the highest subject id read
  // once for all the parts (HighestSubjectId): part p holds ids [1 + bound·p/parts,
  // 1 + bound·(p+1)/parts), the first one every id below, the last one every id above. Cut at
  // one bound, the parts visit every subject once however much is committed while they run
  // (each part reads its own snapshot); they may run on different threads at once. The whole
  // space by default.
  struct SubjectPart {
    size_t part = 0, parts = 1;
    uint64_t bound = 0;
  };
  virtual Result<uint64_t> HighestSubjectId() const = 0;
  // Calls `fn` for each subject of `part` in id order, records as `selection` says, from one
  // consistent snapshot. Stops at (and returns) the first error `fn` returns; InvalidArgument
  // when part >= parts.
  virtual Status ScanSubjectRecords(const SubjectPart& part, const RecordSelection& selection,
                                    const SubjectRecordsFn& fn) const = 0;
  // The same for the given subjects (any order, duplicates and unknown ids ignored), in id order.
  virtual Status ReadSubjectRecords(std::span<const uint64_t> subject_ids,
                                    const RecordSelection& selection,
                                    const SubjectRecordsFn& fn) const = 0;

  // Reserves the next id in a space. Ids are never reused, even when the batch that reserved
  // them is never committed; the high-water marks are persisted by the next Commit.
  virtual uint64_t NextId(IdSpace space) = 0;
  // Applies a batch atomically and durably (fsync of the write-ahead log when options ask).
  virtual Status Commit(const WriteSet& ws) = 0;

  // The credit-check log. LogCheckRuns stores the checks of each run (one request's) under
  // consecutive new ids of IdSpace::kCheck — the result holds each run's first id; its i-th entry
  // gets first + i — in one durable write: every run or none. InvalidArgument for an empty run.
  // It may run concurrently with Commit and with itself. SetCheckFeedback records what the using
  // department did: NotFound for an unknown id, FailedPrecondition when feedback was already given.
  // With `audit`, its entries and head are appended in the same write, as AppendAudit would
  // (the audit entries of the checks: one write and one flush for both logs).
  virtual Result<std::vector<uint64_t>> LogCheckRuns(std::span<const CheckRun* const> runs,
                                                     const AuditAppend* audit = nullptr) = 0;
  virtual Result<std::optional<CheckLog>> GetCheck(uint64_t id) const = 0;
  virtual Status SetCheckFeedback(uint64_t id, std::string_view action, std::string_view reason,
                                  int64_t unix_ms) = 0;
  // Calls `fn` for every logged check in id order; stops at the first error it returns.
  virtual Status ScanChecks(const std::function<Status(const CheckLog&)>& fn) const = 0;
  // The checks run on one subject (self-service: a subject sees who checked it, for what and
  // with which result): their ids, newest first, at most `limit`. The log's index by subject is
  // written with the checks by a small LogCheckRuns write (single checks) when the index has
  // caught up; otherwise (a batch of a million checks would pay a key per check) after it, by
  // IndexChecks (the server's check logger calls it when idle). A listing also reads the checks
  // logged since the index last caught up, so it is complete at once.
  virtual Status ListSubjectChecks(uint64_t subject_id, size_t limit,
                                   std::vector<uint64_t>* out) const = 0;
  // Indexes by subject at most `max_checks` of the checks logged since the last call, in one
  // durable write with the point reached; returns how many. FailedPrecondition on a read-only
  // store.
  virtual Result<uint64_t> IndexChecks(size_t max_checks) = 0;

  // Random-inspection draws as published (a JSON document each), ids from NextId(kInspection).
  // SaveInspection writes (or replaces) the document and, in the same durable write, indexes the
  // draw under each of `subjects` (the subjects drawn; a later save of the same draw passes the
  // same ones again, or none). May run concurrently with Commit; saves of one draw must come one
  // at a time (the caller's read-modify-write).
  virtual Status SaveInspection(uint64_t id, std::string_view document,
                                std::span<const uint64_t> subjects) = 0;
  virtual Result<std::optional<std::string>> GetInspection(uint64_t id) const = 0;
  // The draws a subject was drawn in, newest first.
  virtual Status ListSubjectInspections(uint64_t subject_id, std::vector<uint64_t>* out) const = 0;
  // Newest first; stops when fn returns false.
  virtual Status ListInspections(
      const std::function<bool(uint64_t id, std::string_view document)>& fn) const = 0;

  // Composite-evaluation grades: per subject the current grade and the history of its changes.
  // SaveGrades replaces the current grade of each subject written unless it says the same as the
  // new one (so a recompute that changes nothing writes nothing), and appends the new grade to
  // the subject's history when its score or grade changed (SubjectGrade::SameResult); all or
  // none. Returns how many history entries it appended. Writes may come from several threads at
  // once only for disjoint sets of subjects. FailedPrecondition on a read-only store.
  virtual Result<uint64_t> SaveGrades(std::span<const GradeWrite> writes) = 0;
  // The last full recompute, recorded when it finished (nullopt before the first).
  virtual Status SetGradingRun(const GradingRun& run) = 0;
  virtual Result<std::optional<GradingRun>> LastGradingRun() const = 0;
  // Regrades owed: a mark `token` → `from_seq` says the subjects of the change-feed entries
  // from from_seq on may still have to be regraded (a deferred regrade that has not finished:
  // rules::Grader::Deferral). Put durably before the batches it covers commit, deleted once
  // their regrade is saved; what a crash leaves is there when the store is opened again.
  virtual Status PutRegradeMark(uint64_t token, uint64_t from_seq) = 0;
  virtual Status DeleteRegradeMark(uint64_t token) = 0;
  virtual Status ListRegradeMarks(std::vector<std::pair<uint64_t, uint64_t>>* out) const = 0;
  virtual Result<std::optional<CurrentGrade>> GetGrade(uint64_t subject_id) const = 0;
  // History entries of a subject, newest first, skipping the `offset` newest; at most `limit`.
  virtual Status ListGradeHistory(uint64_t subject_id, size_t offset, size_t limit,
                                  std::vector<SubjectGrade>* out) const = 0;
  // Every current grade in subject order, from subject `first_subject` on, until fn returns
  // false or an error.
  virtual Status ScanGrades(
      uint64_t first_subject,
      const std::function<Result<bool>(uint64_t subject_id, const CurrentGrade&)>& fn) const = 0;

  // Access control (src/security): API tokens and subjects' consents to financial institutions,
  // each value opaque here (the security module encodes it, format byte first). Each Put is one
  // durable write; they may run concurrently with Commit. A token is kept under its id, with the
  // hash of its secret (never the secret) as a second key: PutToken writes both atomically (a
  // token's hash never changes), FindTokenByHash is how a request is authenticated, ScanTokens
  // goes in id order until fn returns false. Consents are kept per subject under an id unique
  // within the subject; ListConsents goes in id order until fn returns false. Writes on a
  // read-only store: FailedPrecondition.
  virtual Status PutToken(uint64_t id, std::string_view secret_hash, std::string_view value) = 0;
  virtual Result<std::optional<std::pair<uint64_t, std::string>>> FindTokenByHash(
      std::string_view secret_hash) const = 0;
  virtual Status ScanTokens(
      const std::function<bool(uint64_t id, std::string_view value)>& fn) const = 0;
  virtual Status PutConsent(uint64_t subject_id, uint64_t consent_id, std::string_view value) = 0;
  virtual Status ListConsents(
      uint64_t subject_id,
      const std::function<bool(uint64_t id, std::string_view value)>& fn) const = 0;

  // Retention: erases records with every version and every index entry that points at them
  // (natural key, by indicator, person links), and subjects with their identifiers (the keyed
  // hashes and public codes of persons) and names — a subject only when listed, after the caller
  // made sure nothing refers to it any more. One durable write; the statistics follow. Unknown
  // records and subjects are skipped. Irreversible: the caller records what it erased. Not
  // concurrently with Commit (it takes the same lock).
  virtual Status Erase(std::span<const RecordRef> records, std::span<const uint64_t> subjects) = 0;

  // The audit log (src/security/audit.h), append-only. AppendAudit writes entries that continue
  // the log (the caller numbers them) together with the new head (the last entry's sequence
  // number and hash, encoded by the caller) in one durable write, and indexes each entry under
  // its subject. It may run concurrently with Commit; appends come one at a time. ScanAudit goes
  // in sequence order from `from` until fn returns false. ListAuditBySubject gives the sequence
  // numbers of a subject's entries, newest first, at most `limit`. Nothing here ever changes or
  // removes an entry. With `durable` false the write is atomic but not flushed: it becomes
  // durable with the store's next durable write of anything (a crash before may lose it, whole).
  virtual Status AppendAudit(std::span<const AuditWrite> entries, std::string_view head,
                             bool durable = true) = 0;
  virtual Result<std::optional<std::string>> AuditHead() const = 0;
  virtual Status ScanAudit(
      uint64_t from, const std::function<bool(uint64_t seq, std::string_view entry)>& fn) const = 0;
  virtual Status ListAuditBySubject(uint64_t subject_id, size_t limit,
                                    std::vector<uint64_t>* out) const = 0;
  virtual Result<std::optional<std::string>> GetAudit(uint64_t seq) const = 0;

  // Objections (异议) and credit-repair applications (信用修复) of src/workflow, with the history
  // of their steps. SaveApplication writes the application's new value and appends its history
  // entry `seq` in one durable write, and indexes the application under its subject; it writes
  // nothing and returns FailedPrecondition unless `seq` is the next entry (1 for a new
  // application, else one more than the entries it has), so that of two concurrent steps taken
  // from the same state only the first is kept. It may run concurrently with Commit.
  // ListApplicationEvents gives the history oldest first; ScanApplications goes newest first
  // until fn returns false; ListSubjectApplications gives a subject's ids, newest first.
  // Nothing here removes an application or an entry. Writes on a read-only store:
  // FailedPrecondition.
  virtual Status SaveApplication(const ApplicationWrite& w) = 0;
  virtual Result<std::optional<std::string>> GetApplication(uint64_t id) const = 0;
  virtual Status ListApplicationEvents(uint64_t id, std::vector<std::string>* out) const = 0;
  virtual Status ScanApplications(
      const std::function<bool(uint64_t id, std::string_view value)>& fn) const = 0;
  virtual Status ListSubjectApplications(uint64_t subject_id, std::vector<uint64_t>* out) const = 0;

  // The change feed (exchange between platform levels): entries with seq >= `from`, in sequence
  // order, at most `limit`, each with its record version when `with_records`; LastChangeSeq is
  // the highest number handed out (0 before the first). ExchangeCursorOf: the cursor of source
  // instance `source` as the last Commit carrying one left it (0 when none).
  virtual Status ReadChanges(uint64_t from, size_t limit, bool with_records,
                             std::vector<Change>* out) const = 0;
  virtual Result<uint64_t> LastChangeSeq() const = 0;
  virtual Result<uint64_t> ExchangeCursorOf(std::string_view source) const = 0;

  // Issued credit reports (src/report): each report's value (opaque here: the report module
  // encodes its signed content, digest and signature) under its id from NextId(kReport), written
  // once, durably. SaveReport: AlreadyExists when the id has a report (an issued report never
  // changes), FailedPrecondition on a read-only store; it may run concurrently with Commit and
  // with itself for other ids. GetReport: nullopt for an id never saved. Report ids continue
  // at open after the highest one stored. ScanReports goes through every saved report in id
  // order (the order of issue), or newest first, until fn returns false.
  enum class ScanOrder { kOldestFirst, kNewestFirst };
  virtual Status SaveReport(uint64_t id, std::string_view value) = 0;
  virtual Result<std::optional<std::string>> GetReport(uint64_t id) const = 0;
  virtual Status ScanReports(
      ScanOrder order,
      const std::function<bool(uint64_t id, std::string_view value)>& fn) const = 0;

  virtual Result<std::optional<BatchReport>> GetBatch(uint64_t id) const = 0;
  // What the latest committed batch that carried this file digest wrote with it
  // (WriteSet::file_digest); nullopt when none did.
  virtual Result<std::optional<FileDigestHit>> FindFileDigest(std::string_view digest) const = 0;
  // Most recent first; only the batches submitted by `dept` unless it is empty.
  virtual Status ListBatches(size_t limit, std::string_view dept,
                             std::vector<BatchSummary>* out) const = 0;
  virtual Result<StoreStats> Stats() const = 0;

  // The fingerprint of the personal-data key this store's personal values are sealed and hashed
  // with (PersonalDataVault::Fingerprint), recorded at the first writable open that had a key;
  // nullopt in a store that has none recorded yet. Set durably; FailedPrecondition on a
  // read-only store, AlreadyExists when another fingerprint is recorded (a store's key never
  // changes in place).
  virtual Result<std::optional<std::string>> KeyFingerprint() const = 0;
  virtual Status SetKeyFingerprint(std::string_view fingerprint) = 0;

  // A number that grows after every write that may change what a read of this subject's data
  // returns: its subject row, identifiers and names, its records and their indexes, its grades,
  // its objection and repair applications, its consents. The logs (audit, credit checks and
  // their feedback, inspection draws, reports, tokens) leave it. Whoever keeps answers derived
  // from a subject's data (the server's profile cache) reads it before reading the data and drops
  // answers made under an older number. Subjects may share a number (a write to one then moves
  // the other's too), so only numbers of the same subject compare. Starts again when the store
  // is opened.
  virtual uint64_t DataGeneration(uint64_t subject_id) const = 0;
};

}  // namespace xinyong::storage
