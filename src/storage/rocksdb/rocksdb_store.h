// RocksDbStore: the embedded Store backend. One RocksDB database with a column family per table;
// every key of the big tables starts with the subject id (8 bytes, big-endian), so a subject's
// data is contiguous and the tables can later be distributed by subject. The key layout is
// documented in docs/storage.md.
// Thread-safety: as Store. Owns the RocksDB handles.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/slot_counters.h"
#include "storage/store.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Cache;
class Snapshot;
class WriteBatch;
class MemTableRepFactory;
class Env;
}  // namespace rocksdb

namespace xinyong::storage {

namespace keys {
struct CommitOp;
}

struct RocksDbOptions {
  bool create_if_missing = true;
  bool sync = true;                       // fsync the WAL at every Commit (durable batches)
  size_t block_cache_bytes = 256u << 20;  // shared LRU block cache
  size_t write_buffer_bytes = 64u << 20;  // per column family memtable
  bool read_only = false;
};

// A bucket per this many bytes of write buffer (at least 1,024 buckets).
inline constexpr size_t kSubjectLogBytesPerBucket = 256;
// Levels of each bucket's skip list. RocksDB's default, 4, serves a few hundred entries; a subject
// checked tens of thousands of times in one memtable's life needs more, or each of its inserts
// walks ~1/64 of its entries (docs/benchmarks.md, "a subject checked again and again").
inline constexpr int32_t kSubjectLogSkipListHeight = 12;

// The memtable of the subject_logs column family for a write buffer of `write_buffer_bytes`: a
// hash of skip lists, a bucket per `bytes_per_bucket` (at least 1,024), each `height` levels
// high, one per subject's hash bucket. Public for bench/subject_log_memtable_bench.cc, which
// measures other shapes beside the store's.
std::shared_ptr<rocksdb::MemTableRepFactory> SubjectLogMemtableFactory(
    size_t write_buffer_bytes, size_t bytes_per_bucket = kSubjectLogBytesPerBucket,
    int32_t height = kSubjectLogSkipListHeight);

class RocksDbStore final : public Store {
 public:
  static Result<std::unique_ptr<RocksDbStore>> Open(const std::string& path,
                                                    const RocksDbOptions& options = {});
  ~RocksDbStore() override;

  Result<std::optional<uint64_t>> FindSubject(IdentifierKind kind,
                                              std::string_view value) const override;
  Result<std::optional<Subject>> GetSubject(uint64_t id) const override;
  Status FindSubjects(IdentifierKind kind, std::span<const std::string_view> values,
                      std::vector<uint64_t>* out) const override;
  Status GetSubjects(std::span<const uint64_t> ids,
                     const std::function<Status(size_t i, const Subject* s)>& fn) const override;
  Status FindCodesByPrefix(std::span<const IdentifierKind> kinds, std::string_view prefix,
                           size_t limit,
                           std::vector<std::pair<std::string, uint64_t>>* out) const override;
  Status ScanSubjects(const std::function<Status(const Subject&)>& fn) const override;
  Status FindSubjectsByNamePrefix(std::string_view prefix, size_t limit,
                                  std::vector<uint64_t>* out) const override;
  Result<std::optional<NaturalKeyHit>> FindNaturalKey(uint64_t subject_id,
                                                      std::string_view indicator,
                                                      std::string_view key) const override;
  Status FindNaturalKeys(std::span<const NaturalKeyQuery> queries,
                         std::vector<std::optional<NaturalKeyHit>>* out) const override;
  Status ListRecords(uint64_t subject_id, std::string_view indicator,
                     std::vector<Record>* out) const override;
  Status ListRecordHeaders(uint64_t subject_id, std::vector<RecordHeader>* out) const override;
  Status ScanIndicator(
      std::string_view indicator,
      const std::function<Result<bool>(uint64_t subject_id, uint64_t record_id, Date decided)>& fn)
      const override;
  Status ScanIndicatorFrom(
      std::string_view indicator, const IndicatorPosition& start,
      const std::function<Result<bool>(uint64_t subject_id, uint64_t record_id, Date decided)>& fn)
      const override;
  Status ListRecordVersions(uint64_t subject_id, uint64_t record_id,
                            std::vector<Record>* out) const override;
  Status ListPersonLinks(std::string_view person_hash,
                         std::vector<PersonLink>* out) const override;
  Result<uint64_t> HighestSubjectId() const override;
  Status ScanSubjectRecords(const SubjectPart& part, const RecordSelection& selection,
                            const SubjectRecordsFn& fn) const override;
  Status ReadSubjectRecords(std::span<const uint64_t> subject_ids,
                            const RecordSelection& selection,
                            const SubjectRecordsFn& fn) const override;
  Result<uint64_t> SaveGrades(std::span<const GradeWrite> writes) override;
  Result<std::optional<std::string>> KeyFingerprint() const override;
  Status SetKeyFingerprint(std::string_view fingerprint) override;
  Status SetGradingRun(const GradingRun& run) override;
  Result<std::optional<GradingRun>> LastGradingRun() const override;
  Status PutRegradeMark(uint64_t token, uint64_t from_seq) override;
  Status DeleteRegradeMark(uint64_t token) override;
  Status ListRegradeMarks(std::vector<std::pair<uint64_t, uint64_t>>* out) const override;
  Result<std::optional<CurrentGrade>> GetGrade(uint64_t subject_id) const override;
  Status ListGradeHistory(uint64_t subject_id, size_t offset, size_t limit,
                          std::vector<SubjectGrade>* out) const override;
  Status ScanGrades(
      uint64_t first_subject,
      const std::function<Result<bool>(uint64_t subject_id, const CurrentGrade&)>& fn)
      const override;
  uint64_t NextId(IdSpace space) override;
  Status Commit(const WriteSet& ws) override;
  Result<std::vector<uint64_t>> LogCheckRuns(std::span<const CheckRun* const> runs,
                                             const AuditAppend* audit = nullptr) override;
  Result<std::optional<CheckLog>> GetCheck(uint64_t id) const override;
  Status SetCheckFeedback(uint64_t id, std::string_view action, std::string_view reason,
                          int64_t unix_ms) override;
  Status ScanChecks(const std::function<Status(const CheckLog&)>& fn) const override;
  Status ListSubjectChecks(uint64_t subject_id, size_t limit,
                           std::vector<uint64_t>* out) const override;
  Result<uint64_t> IndexChecks(size_t max_checks) override;
  Status SaveInspection(uint64_t id, std::string_view document,
                        std::span<const uint64_t> subjects) override;
  Result<std::optional<std::string>> GetInspection(uint64_t id) const override;
  Status ListSubjectInspections(uint64_t subject_id, std::vector<uint64_t>* out) const override;
  Status ListInspections(
      const std::function<bool(uint64_t id, std::string_view document)>& fn) const override;
  Status PutToken(uint64_t id, std::string_view secret_hash, std::string_view value) override;
  Result<std::optional<std::pair<uint64_t, std::string>>> FindTokenByHash(
      std::string_view secret_hash) const override;
  Status ScanTokens(
      const std::function<bool(uint64_t id, std::string_view value)>& fn) const override;
  Status PutConsent(uint64_t subject_id, uint64_t consent_id, std::string_view value) override;
  Status ListConsents(
      uint64_t subject_id,
      const std::function<bool(uint64_t id, std::string_view value)>& fn) const override;
  Status Erase(std::span<const RecordRef> records, std::span<const uint64_t> subjects) override;
  Status AppendAudit(std::span<const AuditWrite> entries, std::string_view head,
                     bool durable = true) override;
  Result<std::optional<std::string>> AuditHead() const override;
  Status ScanAudit(uint64_t from,
                   const std::function<bool(uint64_t seq, std::string_view entry)>& fn) const override;
  Status ListAuditBySubject(uint64_t subject_id, size_t limit,
                            std::vector<uint64_t>* out) const override;
  Result<std::optional<std::string>> GetAudit(uint64_t seq) const override;
  Status SaveApplication(const ApplicationWrite& w) override;
  Result<std::optional<std::string>> GetApplication(uint64_t id) const override;
  Status ListApplicationEvents(uint64_t id, std::vector<std::string>* out) const override;
  Status ScanApplications(
      const std::function<bool(uint64_t id, std::string_view value)>& fn) const override;
  Status ListSubjectApplications(uint64_t subject_id, std::vector<uint64_t>* out) const override;
  Status ReadChanges(uint64_t from, size_t limit, bool with_records,
                     std::vector<Change>* out) const override;
  Result<uint64_t> LastChangeSeq() const override;
  Result<uint64_t> ExchangeCursorOf(std::string_view source) const override;
  Status SaveReport(uint64_t id, std::string_view value) override;
  Result<std::optional<std::string>> GetReport(uint64_t id) const override;
  Status ScanReports(
      ScanOrder order,
      const std::function<bool(uint64_t id, std::string_view value)>& fn) const override;
  Result<std::optional<BatchReport>> GetBatch(uint64_t id) const override;
  Result<std::optional<FileDigestHit>> FindFileDigest(std::string_view digest) const override;
  Status ListBatches(size_t limit, std::string_view dept,
                     std::vector<BatchSummary>* out) const override;
  Result<StoreStats> Stats() const override;
  uint64_t DataGeneration(uint64_t subject_id) const override {
    return generations_.Get(subject_id);
  }

  // Flushes memtables and compacts, then waits for the background compactions that leaves
  // behind; for benchmarks and `xinyong compact`.
  Status CompactAll();
  // Waits until no compaction is running or pending (RocksDB compacts bottommost files again
  // after a bulk load, for instance), so that what is measured next has the cores to itself.
  Status WaitForCompactions();

 private:
  struct Handles;
  RocksDbStore() = default;
  Status LoadCounters();
  // ScanIndicator from the entry at or before `last` (a by_indicator key of `indicator`).
  Status ScanIndicatorKeys(
      std::string_view indicator, const std::string& last,
      const std::function<Result<bool>(uint64_t subject_id, uint64_t record_id, Date decided)>& fn)
      const;
  // Whether a bulk read of `keys` subjects or identifiers is better done as one pass.
  bool DenseRead(size_t keys) const;
  // The id after the last logged check (0 when none).
  Result<uint64_t> CheckLogEnd() const;
  // The index mark (kCheckIndexMark) as stored (in `snapshot`, when given), 0 when none.
  Result<uint64_t> ReadCheckIndexMark(const rocksdb::Snapshot* snapshot) const;
  // The same read once and then kept (at least 1); under check_index_mu_.
  Result<uint64_t> CheckIndexMark();
  // A subject's entries of one kind (keys::kSubjectLog*) in subject_logs, newest first, then
  // (older) those in `legacy_cf` under `legacy_prefix` ‖ seq(8), until `out` holds `limit`.
  Status ListSubjectLog(uint64_t subject_id, char kind, size_t legacy_cf,
                        const std::string& legacy_prefix, const rocksdb::Snapshot* snapshot,
                        size_t limit, std::vector<uint64_t>* out) const;
  // The puts of an audit append: the entries, their index by subject, the head.
  void PutAudit(rocksdb::WriteBatch* wb, const AuditAppend& audit) const;
  // Calls fn for each logged check with an id of at least `from`, in id order, until it returns
  // false (feedback not merged).
  Status ForEachCheckFrom(uint64_t from, const rocksdb::Snapshot* snapshot,
                          const std::function<bool(const CheckLog&)>& fn) const;
  Status CommitByIngestion(std::vector<keys::CommitOp>* ops);
  std::string EncodeCounters() const;

  // Batches with at least this many records are committed by SST ingestion, not the memtable.
  static constexpr size_t kBulkCommitRecords = 2000;

  // The file system under the database (storage/rocksdb/prefilled_wal.h); outlives db_.
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<rocksdb::DB> db_;
  std::unique_ptr<Handles> cf_;
  RocksDbOptions options_;
  std::string path_;

  std::mutex mu_;  // guards the counters below against concurrent writers
  std::atomic<uint64_t> next_id_[8] = {1, 1, 1, 1, 1, 1, 1, 1};  // by IdSpace
  // The change feed's next sequence number (taken under mu_, recovered at open from its last key).
  std::atomic<uint64_t> next_change_{1};
  // DataGeneration: one counter per slot of subject ids (ids are sequential, so neighbours
  // never share one), bumped after every write of a subject's data, whether or not it succeeded
  // (a failed write changes nothing, and a needless bump only costs a cache miss).
  SlotCounters generations_{1 << 16};
  void Changed(uint64_t subject_id) { generations_.Bump(subject_id); }
  // Declared first in every method that writes subject data, with what bumps the written
  // subjects' generations: it runs when the method returns, on every path, so after its write.
  template <class F>
  struct OnReturn {
    explicit OnReturn(F f) : bump(std::move(f)) {}  // a constructor: clang 14 (fuzz) deduces F
    OnReturn(const OnReturn&) = delete;
    OnReturn& operator=(const OnReturn&) = delete;
    ~OnReturn() { bump(); }
    F bump;
  };
  std::mutex checks_mu_;  // serializes check feedback (read-modify-write); not held with mu_
  std::mutex check_index_mu_;  // one IndexChecks or LogCheckRuns at a time
  // The first check not yet indexed by subject (kCheckIndexMark) as last read or written; 0:
  // not read yet. GUARDED_BY(check_index_mu_)
  uint64_t check_index_mark_ = 0;
  std::mutex applications_mu_;  // serializes SaveApplication (its check of the next entry)
  // Committed statistics, updated under mu_ by Commit.
  mutable std::mutex stats_mu_;
  StoreStats stats_;  // GUARDED_BY(stats_mu_); disk_bytes computed on demand
};

}  // namespace xinyong::storage
