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

struct RecordWrite {
  Record record;            // version 1 for a new record, N+1 for a correction
  std::string natural_key;  // indicator-specific key, already normalized
};

// Everything one batch changes.
struct WriteSet {
  std::vector<Subject> subjects;  // new subjects and updated ones (full value, identifiers indexed)
  // For updated subjects: names they no longer carry (removed from the name index).
  std::vector<std::pair<uint64_t, std::string>> dropped_names;
  std::vector<RecordWrite> records;
  BatchReport batch;  // written with its rejections and warnings
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

enum class IdSpace : uint8_t { kSubject = 0, kRecord = 1, kBatch = 2, kCheck = 3, kInspection = 4 };

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
  // Every version of one record, oldest first.
  virtual Status ListRecordVersions(uint64_t subject_id, uint64_t record_id,
                                    std::vector<Record>* out) const = 0;

  // Bulk reads for computations over many subjects (the composite evaluation). The subject-id
  // space is cut into `parts` ranges of about equal size; part `part` (0-based) calls `fn` for
  // each of its subjects in id order, records as `selection` says, from one consistent snapshot.
  // The parts together visit every subject once, and may run on different threads at once.
  // Stops at (and returns) the first error `fn` returns; InvalidArgument when part >= parts.
  virtual Status ScanSubjectRecords(size_t part, size_t parts, const RecordSelection& selection,
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
  virtual Result<std::vector<uint64_t>> LogCheckRuns(std::span<const CheckRun* const> runs) = 0;
  virtual Result<std::optional<CheckLog>> GetCheck(uint64_t id) const = 0;
  virtual Status SetCheckFeedback(uint64_t id, std::string_view action, std::string_view reason,
                                  int64_t unix_ms) = 0;
  // Calls `fn` for every logged check in id order; stops at the first error it returns.
  virtual Status ScanChecks(const std::function<Status(const CheckLog&)>& fn) const = 0;

  // Random-inspection draws as published (a JSON document each), ids from NextId(kInspection).
  // Saved durably; may run concurrently with Commit.
  virtual Status SaveInspection(uint64_t id, std::string_view document) = 0;
  virtual Result<std::optional<std::string>> GetInspection(uint64_t id) const = 0;
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
  virtual Result<std::optional<CurrentGrade>> GetGrade(uint64_t subject_id) const = 0;
  // History entries of a subject, newest first, skipping the `offset` newest; at most `limit`.
  virtual Status ListGradeHistory(uint64_t subject_id, size_t offset, size_t limit,
                                  std::vector<SubjectGrade>* out) const = 0;
  // Every current grade in subject order, from subject `first_subject` on, until fn returns
  // false or an error.
  virtual Status ScanGrades(
      uint64_t first_subject,
      const std::function<Result<bool>(uint64_t subject_id, const CurrentGrade&)>& fn) const = 0;

  virtual Result<std::optional<BatchReport>> GetBatch(uint64_t id) const = 0;
  // Most recent first.
  virtual Status ListBatches(size_t limit, std::vector<BatchSummary>* out) const = 0;
  virtual Result<StoreStats> Stats() const = 0;
};

}  // namespace xinyong::storage
