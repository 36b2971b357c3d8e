// Ingester: the collection pipeline (数据归集). Reads a department's file (CSV in UTF-8 or
// GBK/GB18030, or JSON Lines), validates every row against its catalog indicator, resolves or
// creates the subject by its codes, drops duplicates by natural key, turns changed content into a
// new record version, flags 双公示 decisions received after 7 working days, and commits the result
// in atomic, durable batches of at most `batch_rows` rows. Every row ends up accepted, rejected
// (row, field, reason) or duplicate; rows == accepted + rejected + duplicates in every report.
//
// Thread-safety: one ingest runs at a time per Ingester (calls are serialized internally);
// the Store, Catalog, WorkCalendar and PersonalDataVault must outlive it.
#pragma once

#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "catalog/catalog.h"
#include "core/calendar.h"
#include "core/personal_data.h"
#include "core/status.h"
#include "model/batch.h"
#include "storage/store.h"

namespace xinyong::ingest {

struct IngestOptions {
  std::string indicator;  // "" = from the file name as `gen` writes it, else from the header
  std::string dept;       // submitting department code, recorded in each batch
  Date received_date;     // Date() = today
  // IngestRows only, optional: the day each row (numbered from 1) was first received by a
  // platform — the lower-level instance it came from (exchange) — so that its 7-working-day
  // timeliness is judged as there, not by when a delayed link delivered it, and its record keeps
  // that day as its `received_date`. Date() for a row: `received_date`. A date after
  // `received_date` counts as `received_date`.
  std::function<Date(uint64_t row)> first_received;
  size_t batch_rows = 50000;
  std::string format;     // "" = by file extension / content; "csv" or "jsonl"
  // When not empty, only files of these indicators are taken (a source department submits its
  // own): a file of any other indicator, named or detected, is refused with PermissionDenied
  // before any row is stored.
  std::vector<std::string> allowed_indicators;
  // A source department corrects only its own records: a row that would make a new version of
  // a record first stored from a batch of another department (or of none) is rejected with
  // `record_of_another_department`, and nothing of that record changes.
  bool own_records_only = false;
  // A finding of breach stands (FACTS §7): once a version of a record says its commitment was
  // broken (the field with role fulfilment_status holds 部分履行 or 全部未履行), a row that would
  // change that finding — another status, or none — is rejected with `breach_finding_stands`:
  // the finding made a negative record and its measures, which end through an objection or
  // credit repair, not by the department sending the commitment again. Off for the corrections
  // an upheld objection makes and for the exchange receiver (its source kept the rule).
  // (The `replaced_by_objection` rule below holds whatever this says, for the exchange receiver
  // too: an objection upheld at this level is this level's decision, unknown to the source.)
  bool findings_stand = true;
  // The rows are the corrections an upheld objection (异议) decided (workflow): their batches
  // are stored with format "objection", and findings of breach do not stand against them. A
  // later row that sends back content such a correction replaced (the department's next
  // export, say) is rejected with `replaced_by_objection`: the objection's outcome stands.
  bool objection = false;
  // Exchange between platform levels (src/exchange): the source instance's cursor after this
  // input, written with the input's last batch (Store WriteSet::exchange_cursor).
  std::optional<storage::ExchangeCursor> exchange_cursor;
  // The grading deferral (rules::Grader::Deferral::id) that regrades this input's subjects once
  // at its end; 0: the commit observer regrades after every batch. Passed on in CommittedBatch.
  uint64_t grading_deferral = 0;
  // The call returns once its last batch is handed to the background commit, not once that is
  // durable: FileReport::commit tells how it ended. The Ingester's next call waits for it
  // first. For a caller whose next input is already on its way (the exchange receiver answers
  // a pushed batch while it commits, and the pusher sends the next one meanwhile).
  bool leave_last_commit = false;
  // Kept until the commits of this input (and their commit observer) have ended, then let go on
  // the commit's thread: e.g. the push session's hold on its grading deferral, which must not
  // close before the observer has noted the batch's subjects.
  std::shared_ptr<void> hold_until_committed;
};

// Bounds of the Ingester's caches of committed identifiers and subjects (tests use tiny ones).
struct IngestCacheLimits {
  size_t ids = 4'000'000;
  size_t subjects = 500'000;
};

// What became of one file: the sum of its batches.
struct FileReport {
  std::string file;
  std::string indicator;
  std::string encoding;
  std::string format;
  std::vector<uint64_t> batches;
  uint64_t rows = 0, accepted = 0, rejected = 0, duplicates = 0, corrected = 0, late = 0;
  uint64_t new_subjects = 0, warnings = 0;
  // Records of a derived indicator made from accepted rows (commitment breaches), new or new
  // versions; not rows of the file, so not in rows/accepted.
  uint64_t derived = 0;
  double seconds = 0;
  // With IngestOptions::leave_last_commit: the outcome of the last batch's commit, which may
  // still be running (the counts above are of rows handed to it). Invalid otherwise.
  std::shared_future<Status> commit;
};

// What one committed batch changed, for the commit observer; valid during the call only.
struct CommittedBatch {
  uint64_t batch_id = 0;
  std::span<const Subject> subjects;  // subjects the batch created or changed
  // The subjects whose records the batch added or corrected, ascending, each once.
  std::span<const uint64_t> record_subjects;
  // The record versions the batch wrote (derived state that follows records, such as the
  // credit check's trigger index, applies them without reading the store).
  std::span<const storage::RecordWrite> records;
  uint64_t grading_deferral = 0;  // IngestOptions::grading_deferral of the input (0: none)
};

// A new status for a stored record that no department submits: a revocation after an upheld
// objection, a credit repair (src/workflow). Record `record_id` of subject `subject_id`, whose
// current version must still be `version` and in force, gets version + 1 with `status` and
// everything else kept — its content hash too, so that the same row submitted again stays a
// duplicate and does not bring the record back.
struct StatusChange {
  uint64_t subject_id = 0;
  uint64_t record_id = 0;
  uint32_t version = 0;
  RecordStatus status = RecordStatus::kRevoked;
  std::string note;  // why, one sentence: a warning of the batch report names the record and it
};

struct StatusChangeReport {
  uint64_t batch = 0;
  std::vector<Record> versions;  // the versions written, in the order of the changes
};

// The natural key of a stored record, as RowValidator built it from the row: the values of the
// indicator's natural-key fields, in order, joined by 0x1F (personal numbers are keyed by their
// mask, as stored).
std::string NaturalKeyOf(const catalog::Indicator& indicator, const Record& record);

// The first row a file's batches rejected (row, field, reason), read back from the store; nullopt
// when none was rejected. How a caller that ingests a row of its own making (a fulfilment
// finding, a correction, a declaration) says why it was refused.
Result<std::optional<RowIssue>> FirstRejection(const storage::Store& store, const FileReport& report);

class Ingester {
 public:
  Ingester(storage::Store& store, const catalog::Catalog& catalog, const WorkCalendar& calendar,
           const PersonalDataVault& vault, IngestCacheLimits limits = IngestCacheLimits());
  ~Ingester();

  // Fails (and stores nothing) when the file cannot be read, is empty or binary, has an
  // undecidable encoding, an unknown indicator, or a header missing required fields. Row-level
  // problems never fail the call: they are rejections in the report.
  Result<FileReport> IngestFile(const std::string& path, const IngestOptions& options);
  // The same for a request body; `name` stands for the file name in reports and errors.
  Result<FileReport> IngestBuffer(std::string data, const std::string& name,
                                  const IngestOptions& options);
  // The same for rows already split into cells, without text to read or parse (exchange between
  // platform levels receives them as JSON): `cells_of(i, &cells)` fills row i of `count` (cells
  // aligned with the fields of options.indicator, which must be set; empty = not given). A row
  // with a cell that is not valid UTF-8 is rejected. The batches record options.format as their
  // format ("rows" when empty) and UTF-8 as their encoding.
  using CellsOf = std::function<void(size_t row, std::vector<std::string_view>* cells)>;
  Result<FileReport> IngestRows(size_t count, const CellsOf& cells_of, const std::string& name,
                                const IngestOptions& options);

  // Writes `changes` as one batch named `name` (the file of its report) of department `dept`,
  // received on `received` (Date() = today): committed like an ingested batch, the natural keys
  // moved to the new versions, and passed to the commit observer, so that everything derived
  // from records (trigger index, grades, name index) follows at once. Serialized with ingests.
  // Nothing is written when any change fails: NotFound for an unknown record, FailedPrecondition
  // when its current version is not `version` or not active, InvalidArgument for a record of an
  // indicator the catalog does not have, a status other than revoked, repaired or expired, or
  // no changes at all.
  // `cursor`, when set, is committed with the batch (exchange between platform levels).
  Result<StatusChangeReport> ChangeStatus(
      std::span<const StatusChange> changes, const std::string& name, const std::string& dept,
      Date received, const std::optional<storage::ExchangeCursor>& cursor = std::nullopt);

  // Called right after the store committed a batch (one batch at a time, in commit order) with
  // what it changed — how derived state such as the name index and the grades follows. Set
  // before the first ingest.
  using CommitObserver = std::function<void(const CommittedBatch&)>;
  void SetCommitObserver(CommitObserver observer) { observer_ = std::move(observer); }

  // Waits for a commit a call left running (IngestOptions::leave_last_commit) and returns how
  // it ended (Ok when none was left). Every call waits for it first; so does the destructor.
  Status Flush();
  // Store::Erase between ingestion calls: after the commit a call left running, and with the
  // erased subjects and their identifiers dropped from this ingester's caches, which would
  // otherwise give the next row of an erased person its old subject id.
  Status Erase(std::span<const storage::RecordRef> records, std::span<const uint64_t> subjects);
  // Erases those of `subjects` that have no record left, checked under the same lock, so that
  // no ingestion can give one a record in between; returns the ids erased.
  Result<std::vector<uint64_t>> EraseSubjectsWithoutRecords(std::span<const uint64_t> subjects);

 private:
  class Run;
  Result<FileReport> Ingest(std::unique_ptr<class TextSource> source, const IngestOptions& options);

  // Remembers a committed identifier → subject mapping found in the store; skipped when the
  // cache is full. Never evicts: entries of a batch still being committed must stay.
  void RememberId(const std::string& key, uint64_t subject_id);
  // Makes room for `ids` identifiers and `subjects` subjects by clearing a cache that would
  // overflow. Only while no batch is in flight (everything cached is committed).
  void MakeRoom(size_t ids, size_t subjects);
  // Flush with mu_ held; every call begins with it. After a failed commit the caches are
  // dropped: they may hold subjects and identifiers that were never stored. A call goes on after
  // such a failure with the store as it is: the failure is the earlier call's, told to its caller
  // through FileReport::commit.
  Status WaitForLeftCommit();
  // Store::Erase with mu_ held, then the erased subjects and their identifiers out of the caches.
  Status EraseLocked(std::span<const storage::RecordRef> records,
                     std::span<const uint64_t> subjects);

  storage::Store& store_;
  const catalog::Catalog& catalog_;
  const WorkCalendar& calendar_;
  const PersonalDataVault& vault_;
  std::mutex mu_;  // one ingest at a time
  CommitObserver observer_;
  // Identifier (kind byte + code) → subject id, for identifiers already committed. Mappings
  // never change once committed, except by Erase, which drops them.
  IngestCacheLimits limits_;
  std::unordered_map<std::string, uint64_t> known_ids_;  // GUARDED_BY(mu_)
  // Subjects as last committed by this Ingester, the only writer of subjects.
  std::unordered_map<uint64_t, Subject> known_subjects_;  // GUARDED_BY(mu_)
  // The commit the last call left running (IngestOptions::leave_last_commit), if any.
  std::shared_future<Status> left_commit_;  // GUARDED_BY(mu_)
};

}  // namespace xinyong::ingest
