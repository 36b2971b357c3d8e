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

  // Reserves the next id in a space. Ids are never reused, even when the batch that reserved
  // them is never committed; the high-water marks are persisted by the next Commit.
  virtual uint64_t NextId(IdSpace space) = 0;
  // Applies a batch atomically and durably (fsync of the write-ahead log when options ask).
  virtual Status Commit(const WriteSet& ws) = 0;

  // The credit-check log. LogChecks stores checks whose ids came from NextId(kCheck), durably and
  // all or none; it may run concurrently with Commit. SetCheckFeedback records what the using
  // department did: NotFound for an unknown id, FailedPrecondition when feedback was already given.
  virtual Status LogChecks(std::span<const CheckLog> checks) = 0;
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

  virtual Result<std::optional<BatchReport>> GetBatch(uint64_t id) const = 0;
  // Most recent first.
  virtual Status ListBatches(size_t limit, std::vector<BatchSummary>* out) const = 0;
  virtual Result<StoreStats> Stats() const = 0;
};

}  // namespace xinyong::storage
