#include "storage/rocksdb/rocksdb_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <filesystem>
#include <limits>
#include <thread>
#include <unistd.h>

#include "core/coding.h"
#include "storage/rocksdb/keys.h"
#include "storage/rocksdb/prefilled_wal.h"

namespace xinyong::storage {

namespace {

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  std::string msg = std::string(what) + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsCorruption()) return Status::DataLoss(msg);
  if (s.IsIOError() || s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) {
    return Status::Unavailable(msg);
  }
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  return Status::Internal(msg);
}

constexpr const char* kCfNames[] = {"default",      "subjects", "ids",     "names",
                                    "records",      "natural_keys", "by_indicator",
                                    "batches",      "batch_issues", "checks",
                                    "inspections",  "grades",       "person_links",
                                    "access",       "inspection_subjects", "audit",
                                    "rights",       "changes",      "check_subjects",
                                    "reports",      "subject_logs"};
enum Cf : size_t {
  kMeta = 0, kSubjects, kIds, kNames, kRecords, kNaturalKeys, kByIndicator, kBatches,
  kBatchIssues, kChecks, kInspections, kGrades, kPersonLinks, kAccess, kInspectionSubjects,
  kAudit, kRights, kChanges, kCheckSubjects, kReports, kSubjectLogs, kCfCount
};

constexpr std::string_view kCountersKey = "counters";
constexpr std::string_view kStatsKey = "stats";
constexpr std::string_view kAuditHeadKey = "audit_head";
// meta: "exchange_cursor/" ‖ source id → seq(8): what a receiving instance applied of a source.
constexpr std::string_view kExchangeCursorPrefix = "exchange_cursor/";
// meta: "file_digest/" ‖ digest → first batch(8) ‖ rows through(8) of the latest batch that
// committed a part of a submitted file with this digest (WriteSet::file_digest; a re-delivered
// file is recognized by it). Written before the rows were recorded: batch id(8) alone, for a
// file committed whole.
constexpr std::string_view kFileDigestPrefix = "file_digest/";
// meta: "regrade/" ‖ token(8) → from_seq(8): a regrade owed (Store::PutRegradeMark).
constexpr std::string_view kRegradePrefix = "regrade/";

std::string RegradeMarkKey(uint64_t token) {
  std::string k(kRegradePrefix);
  coding::PutFixed64BE(&k, token);
  return k;
}

// changes: seq(8) → subject(8) ‖ record(8) ‖ version(4) (version 0: erased).
std::string ChangeValue(uint64_t subject, uint64_t record, uint32_t version) {
  std::string v;
  coding::PutFixed64BE(&v, subject);
  coding::PutFixed64BE(&v, record);
  coding::PutFixed32BE(&v, version);
  return v;
}

std::string EncodeStats(const StoreStats& s) {
  std::string out;
  coding::PutVarint(&out, s.subjects);
  coding::PutVarint(&out, s.records);
  coding::PutVarint(&out, s.record_versions);
  coding::PutVarint(&out, s.batches);
  coding::PutVarint(&out, s.records_by_indicator.size());
  for (const auto& [k, v] : s.records_by_indicator) {
    coding::PutString(&out, k);
    coding::PutVarint(&out, v);
  }
  return out;
}

bool DecodeStats(std::string_view in, StoreStats* s) {
  uint64_t n = 0;
  if (!coding::GetVarint(&in, &s->subjects) || !coding::GetVarint(&in, &s->records) ||
      !coding::GetVarint(&in, &s->record_versions) || !coding::GetVarint(&in, &s->batches) ||
      !coding::GetVarint(&in, &n)) {
    return false;
  }
  for (uint64_t i = 0; i < n; ++i) {
    std::string_view k;
    uint64_t v = 0;
    if (!coding::GetString(&in, &k) || !coding::GetVarint(&in, &v)) return false;
    s->records_by_indicator[std::string(k)] = v;
  }
  return in.empty();
}

}  // namespace

std::shared_ptr<rocksdb::MemTableRepFactory> SubjectLogMemtableFactory(size_t write_buffer_bytes,
                                                                      size_t bytes_per_bucket,
                                                                      int32_t height) {
  const size_t buckets = std::max<size_t>(write_buffer_bytes / bytes_per_bucket, 1024);
  // Branching factor 4, RocksDB's default.
  return std::shared_ptr<rocksdb::MemTableRepFactory>(
      rocksdb::NewHashSkipListRepFactory(buckets, height, 4));
}

namespace {
// A pass over a large share of a table (a scan, a dense read): the blocks it reads go through
// without entering the block cache (those already there are used). Filled in, a pass would evict
// the blocks that point reads (single checks, profiles) keep there, and on a cache not yet full
// take every block's memory fresh from the system (a page fault per 4 KiB: a sixth of a batch's
// evaluation, measured).
rocksdb::ReadOptions ScanReadOptions() {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  return ro;
}
}  // namespace

struct RocksDbStore::Handles {
  std::vector<rocksdb::ColumnFamilyHandle*> h;
  rocksdb::ColumnFamilyHandle* operator[](size_t i) const { return h[i]; }
};

Result<std::unique_ptr<RocksDbStore>> RocksDbStore::Open(const std::string& path,
                                                         const RocksDbOptions& options) {
  std::unique_ptr<RocksDbStore> store(new RocksDbStore());
  store->options_ = options;
  store->path_ = path;
  if (options.create_if_missing && !options.read_only) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return Status::Unavailable("cannot create data directory " + path + ": " + ec.message());
  }

  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
  // Index and filter blocks live with their table readers, outside the block cache: every
  // ingest-time lookup consults the filters of every level-0 file, and evicting and re-reading
  // them from a busy cache costs more than the memory they take (~10 bits per key).
  table.cache_index_and_filter_blocks = false;
  table.block_size = 16 * 1024;
  table.format_version = 5;

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  db_options.max_open_files = 512;
  db_options.keep_log_file_num = 3;
  // Write-ahead log files are not recycled (recycle_log_file_num): RocksDB 7.8 turns recycling off
  // under point-in-time recovery (the default, kept: after a crash the store is the prefix of its
  // writes up to the first damaged record, never a store with a hole). Instead a log file is
  // written into zeros laid a step ahead (prefilled_wal.h), so that a synced write's flush writes
  // its data, not also the file's size — every credit check waits for one.
  store->env_ = rocksdb::NewCompositeEnv(
      std::make_shared<PrefilledWalFileSystem>(rocksdb::FileSystem::Default()));
  db_options.env = store->env_.get();
  // All memtables together stay under this, charged to the block cache, so memory is bounded.
  db_options.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(options.write_buffer_bytes * 3, cache);
  // subject_logs keeps its memtable in a hash table of per-subject skip lists, which does not
  // take concurrent inserts; group commit still shares one WAL write and fsync among writers.
  db_options.allow_concurrent_memtable_write = false;

  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (size_t i = 0; i < kCfCount; ++i) {
    rocksdb::ColumnFamilyOptions cf;
    cf.write_buffer_size = options.write_buffer_bytes;
    cf.max_write_buffer_number = 3;
    // LZ4 at every level: reads decompress a block per lookup, and LZ4 decompresses several
    // times faster than ZSTD; only the rarely read batch reports get ZSTD at the bottom.
    cf.compression = rocksdb::kLZ4Compression;
    cf.bottommost_compression = (i == kBatches || i == kBatchIssues || i == kChecks ||
                                 i == kInspections || i == kAudit || i == kReports)
                                    ? rocksdb::kZSTD
                                    : rocksdb::kLZ4Compression;
    // Bulk batches arrive as level-0 files spanning every subject. Static level sizes keep each
    // L0→L1 compaction bounded by L1's size (512 MiB) instead of merging into one huge bottom
    // level, and more L0 files are tolerated before writes slow down. Each L0→L1 compaction
    // rewrites all of L1, so waiting for 8 files rather than 4 halves how often a bulk load
    // rewrites it (docs/benchmarks.md: 14 → 7.5 s of compaction CPU in a 1.7 M-row load, the same
    // cost for a full compaction afterwards); a lookup may probe up to 4 more level-0 filters.
    cf.level_compaction_dynamic_level_bytes = false;
    cf.max_bytes_for_level_base = 512u << 20;
    cf.target_file_size_base = 64u << 20;
    cf.level0_file_num_compaction_trigger = 8;
    cf.level0_slowdown_writes_trigger = 40;
    cf.level0_stop_writes_trigger = 64;
    rocksdb::BlockBasedTableOptions t = table;
    if (i == kSubjects || i == kIds || i == kNaturalKeys || i == kGrades) {
      // Read by point lookups (a code, a subject, a natural key, a grade): a hash index in each
      // data block finds the key without a binary search over the block's restart points — that
      // search, over blocks not in the CPU cache, was most of a credit check's code lookup.
      t.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
    }
    if (i == kRecords) {
      // A point read (the change feed's record versions) or a seek (a subject's records) ends
      // in a linear walk over the keys after a restart point, decoding each: every 4th key a
      // restart point instead of every 16th (RocksDB's default) shortens that walk for ~0.3% more
      // bytes, the values being hundreds of bytes (docs/benchmarks.md).
      t.block_restart_interval = 4;
    }
    if (i == kRecords || i == kNaturalKeys) {
      // Every read of these tables is scoped to one subject: an 8-byte prefix bloom filter lets
      // a subject lookup skip files that hold none of its keys.
      cf.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(8));
      t.whole_key_filtering = i == kNaturalKeys;
    } else if (i == kPersonLinks) {
      // Looked up by person (a 32-byte hash), most of whom are linked to nothing: the prefix
      // bloom filter answers those without reading a block.
      cf.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(32));
      t.whole_key_filtering = false;
    } else if (i == kSubjectLogs) {
      // Every check and most audit entries add a key here at a random subject: in one 64 MiB
      // skip list each insert walks ~20 levels of cache misses, in a hash of per-subject skip
      // lists a handful (docs/benchmarks.md, "a hash memtable for the by-subject keys"). Reads are by
      // subject prefix and forward only, as this memtable requires.
      cf.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(8));
      cf.memtable_factory = SubjectLogMemtableFactory(options.write_buffer_bytes);
      t.whole_key_filtering = false;
    }
    cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    cfs.emplace_back(kCfNames[i], cf);
  }

  rocksdb::DB* raw = nullptr;
  store->cf_ = std::make_unique<Handles>();
  rocksdb::Status s;
  if (options.read_only) {
    // A store written by an older version may lack a column family added since (checks,
    // inspections, grades, access, inspection_subjects): a read-only open cannot create it, so it
    // reads as empty.
    std::vector<std::string> existing;
    if (rocksdb::DB::ListColumnFamilies(db_options, path, &existing).ok()) {
      std::vector<rocksdb::ColumnFamilyDescriptor> present;
      for (auto& d : cfs) {
        if (std::find(existing.begin(), existing.end(), d.name) != existing.end()) present.push_back(d);
      }
      if (present.size() != cfs.size()) {
        std::vector<rocksdb::ColumnFamilyHandle*> handles;
        s = rocksdb::DB::OpenForReadOnly(db_options, path, present, &handles, &raw);
        if (!s.ok()) return FromRocks(s, "cannot open store at " + path);
        store->cf_->h.assign(kCfCount, nullptr);
        for (size_t i = 0, j = 0; i < cfs.size(); ++i) {
          if (j < present.size() && present[j].name == cfs[i].name) store->cf_->h[i] = handles[j++];
        }
        store->db_.reset(raw);
        XY_RETURN_IF_ERROR(store->LoadCounters());
        return store;
      }
    }
    s = rocksdb::DB::OpenForReadOnly(db_options, path, cfs, &store->cf_->h, &raw);
  } else {
    s = rocksdb::DB::Open(db_options, path, cfs, &store->cf_->h, &raw);
  }
  if (!s.ok()) return FromRocks(s, "cannot open store at " + path);
  store->db_.reset(raw);
  if (!options.read_only) {
    // SST files of a bulk commit that a crash interrupted before ingestion: never part of the
    // database, so they go.
    std::error_code ec;
    std::filesystem::remove_all(path + "/ingest", ec);
  }
  XY_RETURN_IF_ERROR(store->LoadCounters());
  return store;
}

RocksDbStore::~RocksDbStore() {
  if (db_) {
    for (auto* h : cf_->h) {
      if (h != nullptr) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    }
    db_->Close().PermitUncheckedError();
  }
}

Status RocksDbStore::LoadCounters() {
  std::string v;
  auto s = db_->Get(rocksdb::ReadOptions(), (*cf_)[kMeta], kCountersKey, &v);
  if (s.ok()) {
    std::string_view in = v;
    // Older stores have fewer id spaces: the missing ones start at 1.
    for (size_t i = 0; i < std::size(next_id_) && !in.empty(); ++i) {
      uint64_t x = 0;
      if (!coding::GetVarint(&in, &x)) return Status::DataLoss("store counters are corrupt");
      next_id_[i].store(x);
    }
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading counters");
  }
  // Logs written without the commit lock: their id spaces continue after their highest key.
  if ((*cf_)[kChecks] != nullptr) {
    XY_ASSIGN_OR_RETURN(uint64_t next, CheckLogEnd());
    auto& c = next_id_[static_cast<size_t>(IdSpace::kCheck)];
    if (c.load() < next) c.store(next);
  }
  for (auto [cf, space] : {std::pair{kInspections, IdSpace::kInspection},
                           std::pair{kReports, IdSpace::kReport}}) {
    if ((*cf_)[cf] == nullptr) continue;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), (*cf_)[cf]));
    it->SeekToLast();
    if (it->Valid() && it->key().size() == 8) {
      uint64_t next = coding::DecodeFixed64BE(it->key().data()) + 1;
      auto& c = next_id_[static_cast<size_t>(space)];
      if (c.load() < next) c.store(next);
    }
    XY_RETURN_IF_ERROR(FromRocks(it->status(), "reading the id space of a log"));
  }
  // Applications are saved without the commit lock too: their ids continue after the highest
  // one stored ('a' ‖ id(8) keys, the first of the rights column family).
  if ((*cf_)[kRights] != nullptr) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), (*cf_)[kRights]));
    it->SeekForPrev(std::string(1, 'a') + std::string(8, '\xff'));
    if (it->Valid() && it->key().size() == 9 && it->key()[0] == 'a') {
      uint64_t next = coding::DecodeFixed64BE(it->key().data() + 1) + 1;
      auto& c = next_id_[static_cast<size_t>(IdSpace::kApplication)];
      if (c.load() < next) c.store(next);
    }
    XY_RETURN_IF_ERROR(FromRocks(it->status(), "reading the id space of the applications"));
  }
  // The change feed continues after its last entry.
  if ((*cf_)[kChanges] != nullptr) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), (*cf_)[kChanges]));
    it->SeekToLast();
    if (it->Valid() && it->key().size() == 8) {
      next_change_.store(coding::DecodeFixed64BE(it->key().data()) + 1);
    }
    XY_RETURN_IF_ERROR(FromRocks(it->status(), "reading the end of the change feed"));
  }
  s = db_->Get(rocksdb::ReadOptions(), (*cf_)[kMeta], kStatsKey, &v);
  if (s.ok()) {
    std::lock_guard lock(stats_mu_);
    if (!DecodeStats(v, &stats_)) return Status::DataLoss("store statistics are corrupt");
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading statistics");
  }
  return Status::Ok();
}

uint64_t RocksDbStore::NextId(IdSpace space) {
  return next_id_[static_cast<size_t>(space)].fetch_add(1);
}

Result<std::optional<uint64_t>> RocksDbStore::FindSubject(IdentifierKind kind,
                                                          std::string_view value) const {
  rocksdb::PinnableSlice v;
  auto s = db_->Get(rocksdb::ReadOptions(), (*cf_)[kIds], keys::Identifier(kind, value), &v);
  if (s.IsNotFound()) return std::optional<uint64_t>();
  if (!s.ok()) return FromRocks(s, "looking up identifier");
  if (v.size() != 8) return Status::DataLoss("identifier index entry has a bad size");
  return std::optional<uint64_t>(coding::DecodeFixed64BE(v.data()));
}

Result<std::optional<Subject>> RocksDbStore::GetSubject(uint64_t id) const {
  rocksdb::PinnableSlice v;
  auto s = db_->Get(rocksdb::ReadOptions(), (*cf_)[kSubjects], keys::SubjectKey(id), &v);
  if (s.IsNotFound()) return std::optional<Subject>();
  if (!s.ok()) return FromRocks(s, "reading subject");
  Subject subject;
  if (!DecodeSubject(v.ToStringView(), &subject)) {
    return Status::DataLoss("subject " + std::to_string(id) + " is corrupt");
  }
  subject.id = id;
  return std::optional<Subject>(std::move(subject));
}

Status RocksDbStore::FindSubjectsByNamePrefix(std::string_view prefix, size_t limit,
                                              std::vector<uint64_t>* out) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), (*cf_)[kNames]));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid() && out->size() < limit;
       it->Next()) {
    auto k = it->key().ToStringView();
    if (!k.starts_with(prefix) || k.size() < 9) break;
    uint64_t id = coding::DecodeFixed64BE(k.data() + k.size() - 8);
    if (std::find(out->begin(), out->end(), id) == out->end()) out->push_back(id);
  }
  return FromRocks(it->status(), "scanning names");
}

// audit: 'e' seq(8) → entry; 's' subject(8) seq(8) → "" (a subject's entries, as written before
// they moved to subject_logs; still read).
namespace {
std::string AuditKey(uint64_t seq) {
  std::string k(1, 'e');
  coding::PutFixed64BE(&k, seq);
  return k;
}
std::string AuditSubjectKey(uint64_t subject, uint64_t seq) {
  std::string k(1, 's');
  coding::PutFixed64BE(&k, subject);
  coding::PutFixed64BE(&k, seq);
  return k;
}
}  // namespace

Status RocksDbStore::Erase(std::span<const RecordRef> records, std::span<const uint64_t> subjects) {
  OnReturn changed{[&] {
    for (const RecordRef& r : records) Changed(r.subject_id);
    for (uint64_t id : subjects) Changed(id);
  }};
  if (options_.read_only) return Status::FailedPrecondition("the store is read-only");
  std::lock_guard lock(mu_);
  rocksdb::WriteBatch wb;
  StoreStats next;
  {
    std::lock_guard slock(stats_mu_);
    next = stats_;
  }
  uint64_t change_seq = next_change_.load();  // deletion events continue the change feed
  // The natural-key entries of a subject that point at erased records: one prefix scan each.
  std::map<uint64_t, std::set<uint64_t>> by_subject;
  for (const RecordRef& ref : records) by_subject[ref.subject_id].insert(ref.record_id);
  std::vector<Record> versions;
  for (const auto& [subject, ids] : by_subject) {
    for (uint64_t record : ids) {
      versions.clear();
      XY_RETURN_IF_ERROR(ListRecordVersions(subject, record, &versions));
      if (versions.empty()) continue;
      for (const Record& v : versions) {
        wb.Delete((*cf_)[kRecords], keys::RecordKey(subject, record, v.version));
        wb.Delete((*cf_)[kByIndicator], keys::ByIndicator(v.indicator, v.decision_date, subject, record));
        for (const PersonalValue& pv : v.personal) {
          if (pv.hash.size() != 32) continue;
          for (PersonRole role : {PersonRole::kLegalRepresentative, PersonRole::kResponsiblePerson}) {
            wb.Delete((*cf_)[kPersonLinks],
                      keys::PersonLinkKey(pv.hash, subject, record, static_cast<uint8_t>(role)));
          }
        }
      }
      if ((*cf_)[kChanges] != nullptr) {
        wb.Put((*cf_)[kChanges], keys::SubjectKey(change_seq++), ChangeValue(subject, record, 0));
      }
      next.records -= std::min<uint64_t>(next.records, 1);
      next.record_versions -= std::min<uint64_t>(next.record_versions, versions.size());
      if (auto it = next.records_by_indicator.find(versions.back().indicator);
          it != next.records_by_indicator.end() && it->second > 0) {
        --it->second;
      }
    }
    rocksdb::ReadOptions ro;
    ro.prefix_same_as_start = true;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, (*cf_)[kNaturalKeys]));
    const std::string prefix = keys::SubjectKey(subject);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      uint64_t record = 0;
      uint32_t version = 0;
      uint64_t hash = 0;
      if (keys::DecodeNaturalKeyValue(it->value().ToStringView(), &record, &version, &hash) &&
          ids.count(record)) {
        wb.Delete((*cf_)[kNaturalKeys], it->key());
      }
    }
    XY_RETURN_IF_ERROR(FromRocks(it->status(), "scanning natural keys"));
  }
  for (uint64_t id : subjects) {
    XY_ASSIGN_OR_RETURN(auto s, GetSubject(id));
    if (!s) continue;
    for (const Identifier& i : s->identifiers) {
      // Only the entries that still name this subject (a code may have been given to another).
      XY_ASSIGN_OR_RETURN(auto owner, FindSubject(i.kind, i.value));
      if (owner == id) wb.Delete((*cf_)[kIds], keys::Identifier(i.kind, i.value));
    }
    wb.Delete((*cf_)[kNames], keys::Name(s->name, id));
    for (const auto& former : s->former_names) wb.Delete((*cf_)[kNames], keys::Name(former, id));
    wb.Delete((*cf_)[kSubjects], keys::SubjectKey(id));
    next.subjects -= std::min<uint64_t>(next.subjects, 1);
  }
  wb.Put((*cf_)[kMeta], kStatsKey, EncodeStats(next));
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  XY_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &wb), "erasing records"));
  next_change_.store(change_seq);
  std::lock_guard slock(stats_mu_);
  stats_ = std::move(next);
  return Status::Ok();
}

void RocksDbStore::PutAudit(rocksdb::WriteBatch* wb, const AuditAppend& audit) const {
  for (const AuditWrite& e : audit.entries) {
    wb->Put((*cf_)[kAudit], AuditKey(e.seq), e.entry);
    if (e.subject_id != 0) {
      wb->Put((*cf_)[kSubjectLogs], keys::SubjectLogKey(e.subject_id, keys::kSubjectLogAudit, e.seq),
              "");
    }
  }
  wb->Put((*cf_)[kMeta], kAuditHeadKey, rocksdb::Slice(audit.head.data(), audit.head.size()));
}

Status RocksDbStore::AppendAudit(std::span<const AuditWrite> entries, std::string_view head,
                                 bool durable) {
  if (options_.read_only || (*cf_)[kAudit] == nullptr || (*cf_)[kSubjectLogs] == nullptr) {
    return Status::FailedPrecondition("the store is read-only");
  }
  rocksdb::WriteBatch wb;
  PutAudit(&wb, AuditAppend{entries, head});
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync && durable;  // else synced with the write-ahead log's next sync
  return FromRocks(db_->Write(wo, &wb), "appending to the audit log");
}

Result<std::optional<std::string>> RocksDbStore::AuditHead() const {
  std::string v;
  auto s = db_->Get(rocksdb::ReadOptions(), (*cf_)[kMeta], kAuditHeadKey, &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "reading the audit head");
  return std::optional<std::string>(std::move(v));
}

Status RocksDbStore::ScanAudit(
    uint64_t from, const std::function<bool(uint64_t seq, std::string_view entry)>& fn) const {
  if ((*cf_)[kAudit] == nullptr) return Status::Ok();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), (*cf_)[kAudit]));
  for (it->Seek(AuditKey(from)); it->Valid(); it->Next()) {
    auto k = it->key().ToStringView();
    if (k.empty() || k[0] != 'e') break;
    if (k.size() != 9) return Status::DataLoss("an audit key is corrupt");
    if (!fn(coding::DecodeFixed64BE(k.data() + 1), it->value().ToStringView())) break;
  }
  return FromRocks(it->status(), "scanning the audit log");
}

Status RocksDbStore::ListAuditBySubject(uint64_t subject_id, size_t limit,
                                        std::vector<uint64_t>* out) const {
  if ((*cf_)[kAudit] == nullptr || limit == 0) return Status::Ok();
  return ListSubjectLog(subject_id, keys::kSubjectLogAudit, kAudit,
                        AuditSubjectKey(subject_id, 0).substr(0, 9), nullptr, limit, out);
}

Status RocksDbStore::ListSubjectLog(uint64_t subject_id, char kind, size_t legacy_cf,
                                    const std::string& legacy_prefix,
                                    const rocksdb::Snapshot* snapshot, size_t limit,
                                    std::vector<uint64_t>* out) const {
  const std::string what = kind == keys::kSubjectLogAudit ? "listing a subject's audit entries"
                                                          : "listing a subject's checks";
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  if ((*cf_)[kSubjectLogs] != nullptr && out->size() < limit) {
    ro.prefix_same_as_start = true;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, (*cf_)[kSubjectLogs]));
    const std::string prefix = keys::SubjectLogPrefix(subject_id, kind);
    for (it->Seek(prefix); it->Valid() && out->size() < limit; it->Next()) {
      const auto k = it->key().ToStringView();
      if (!k.starts_with(prefix)) break;
      uint64_t subject = 0, seq = 0;
      char k_kind = 0;
      if (!keys::DecodeSubjectLogKey(k, &subject, &k_kind, &seq)) {
        return Status::DataLoss("a subject_logs key is corrupt");
      }
      out->push_back(seq);
    }
    XY_RETURN_IF_ERROR(FromRocks(it->status(), what));
    ro.prefix_same_as_start = false;
  }
  // The keys an older version wrote: all older than those above, which replaced them.
  if ((*cf_)[legacy_cf] == nullptr || out->size() >= limit) return Status::Ok();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, (*cf_)[legacy_cf]));
  for (it->SeekForPrev(legacy_prefix + std::string(8, '\xff')); it->Valid() && out->size() < limit;
       it->Prev()) {
    const auto k = it->key().ToStringView();
    if (!k.starts_with(legacy_prefix)) break;
    if (k.size() != legacy_prefix.size() + 8) return Status::DataLoss("an index key is corrupt: " + what);
    out->push_back(coding::DecodeFixed64BE(k.data() + legacy_prefix.size()));
  }
  return FromRocks(it->status(), what);
}

Result<std::optional<std::string>> RocksDbStore::GetAudit(uint64_t seq) const {
  if ((*cf_)[kAudit] == nullptr) return std::optional<std::string>();
  std::string v;
  auto s = db_->Get(rocksdb::ReadOptions(), (*cf_)[kAudit], AuditKey(seq), &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "reading an audit entry");
  return std::optional<std::string>(std::move(v));
}

// rights: 'a' ‖ id(8) → entries(4) ‖ application; 'e' ‖ id(8) ‖ seq(4) → history entry;
// 's' ‖ subject(8) ‖ id(8) → "" (a subject's applications).
namespace {
std::string ApplicationKey(uint64_t id) {
  std::string k(1, 'a');
  coding::PutFixed64BE(&k, id);
  return k;
}
std::string ApplicationEventKey(uint64_t id, uint32_t seq) {
  std::string k(1, 'e');
  coding::PutFixed64BE(&k, id);
  coding::PutFixed32BE(&k, seq);
  return k;
}
std::string ApplicationSubjectKey(uint64_t subject, uint64_t id) {
  std::string k(1, 's');
  coding::PutFixed64BE(&k, subject);
  coding::PutFixed64BE(&k, id);
  return k;
}
}  // namespace

Status RocksDbStore::SaveApplication(const ApplicationWrite& w) {
  OnReturn changed{[&] { Changed(w.subject_id); }};
  if (options_.read_only || (*cf_)[kRights] == nullptr) {
    return Status::FailedPrecondition("the store is read-only");
  }
  const std::string what = "saving application " + std::to_string(w.id);
  std::lock_guard lock(applications_mu_);  // the check of the next entry and the write together
  std::string current;
  auto s = db_->Get(rocksdb::ReadOptions(), (*cf_)[kRights], ApplicationKey(w.id), &current);
  uint32_t entries = 0;
  if (s.ok()) {
    if (current.size() < 4) return Status::DataLoss("application " + std::to_string(w.id) + " is corrupt");
    entries = coding::DecodeFixed32BE(current.data());
  } else if (!s.IsNotFound()) {
    return FromRocks(s, what);
  }
  if (w.seq != entries + 1) {
    return Status::FailedPrecondition(
        "application " + std::to_string(w.id) + " has " + std::to_string(entries) +
        " history entries, so the next is " + std::to_string(entries + 1) + ", not " +
        std::to_string(w.seq) + " (another step was taken meanwhile)");
  }
  std::string value;
  coding::PutFixed32BE(&value, w.seq);
  value.append(w.value);
  rocksdb::WriteBatch wb;
  wb.Put((*cf_)[kRights], ApplicationKey(w.id), value);
  wb.Put((*cf_)[kRights], ApplicationEventKey(w.id, w.seq), w.event);
  if (w.seq == 1) wb.Put((*cf_)[kRights], ApplicationSubjectKey(w.subject_id, w.id), "");
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Write(wo, &wb), what);
}

Result<std::optional<std::string>> RocksDbStore::GetApplication(uint64_t id) const {
  if ((*cf_)[kRights] == nullptr) return std::optional<std::string>();
  std::string v;
  auto s = db_->Get(rocksdb::ReadOptions(), (*cf_)[kRights], ApplicationKey(id), &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "reading application " + std::to_string(id));
  if (v.size() < 4) return Status::DataLoss("application " + std::to_string(id) + " is corrupt");
  return std::optional<std::string>(v.substr(4));
}

Status RocksDbStore::ListApplicationEvents(uint64_t id, std::vector<std::string>* out) const {
  if ((*cf_)[kRights] == nullptr) return Status::Ok();
  const std::string prefix = ApplicationEventKey(id, 0).substr(0, 9);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), (*cf_)[kRights]));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->key().size() != 13) return Status::DataLoss("an application history key is corrupt");
    out->push_back(it->value().ToString());
  }
  return FromRocks(it->status(), "reading the history of application " + std::to_string(id));
}

Status RocksDbStore::ScanApplications(
    const std::function<bool(uint64_t id, std::string_view value)>& fn) const {
  if ((*cf_)[kRights] == nullptr) return Status::Ok();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), (*cf_)[kRights]));
  for (it->SeekForPrev(std::string(1, 'a') + std::string(8, '\xff')); it->Valid(); it->Prev()) {
    auto k = it->key().ToStringView();
    if (k.empty() || k[0] != 'a') break;
    auto v = it->value().ToStringView();
    if (k.size() != 9 || v.size() < 4) return Status::DataLoss("an application is corrupt");
    if (!fn(coding::DecodeFixed64BE(k.data() + 1), v.substr(4))) break;
  }
  return FromRocks(it->status(), "scanning applications");
}

Status RocksDbStore::ListSubjectApplications(uint64_t subject_id,
                                             std::vector<uint64_t>* out) const {
  if ((*cf_)[kRights] == nullptr) return Status::Ok();
  const std::string prefix = ApplicationSubjectKey(subject_id, 0).substr(0, 9);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), (*cf_)[kRights]));
  for (it->SeekForPrev(ApplicationSubjectKey(subject_id, UINT64_MAX)); it->Valid(); it->Prev()) {
    auto k = it->key().ToStringView();
    if (!k.starts_with(prefix)) break;
    if (k.size() != 17) return Status::DataLoss("an application index key is corrupt");
    out->push_back(coding::DecodeFixed64BE(k.data() + 9));
  }
  return FromRocks(it->status(), "listing a subject's applications");
}

Status RocksDbStore::ListPersonLinks(std::string_view person_hash,
                                     std::vector<PersonLink>* out) const {
  if (person_hash.size() != 32) return Status::InvalidArgument("a person hash has 32 bytes");
  if ((*cf_)[kPersonLinks] == nullptr) return Status::Ok();  // read-only, older store
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, (*cf_)[kPersonLinks]));
  for (it->Seek(rocksdb::Slice(person_hash.data(), person_hash.size())); it->Valid(); it->Next()) {
    auto k = it->key().ToStringView();
    if (!k.starts_with(person_hash)) break;
    if (k.size() != 32 + 17) return Status::DataLoss("a person link key is corrupt");
    PersonLink l;
    l.person_hash = std::string(person_hash);
    l.subject_id = coding::DecodeFixed64BE(k.data() + 32);
    l.record_id = coding::DecodeFixed64BE(k.data() + 40);
    l.role = static_cast<PersonRole>(static_cast<uint8_t>(k[48]));
    out->push_back(std::move(l));
  }
  return FromRocks(it->status(), "scanning person links");
}

namespace {

// Moves a forward-only iterator to the first key at or after `target` for the bulk lookups of
// dense keys (a batch of most of the store): the target is usually the next key.
void StepTo(rocksdb::Iterator* it, std::string_view target) {
  const rocksdb::Slice t(target.data(), target.size());
  if (!it->Valid() || it->key().compare(t) >= 0) return;
  it->Next();
  if (it->Valid() && it->key().compare(t) < 0) it->Seek(t);
}

// Point reads of ascending keys in groups: MultiGet shares the work of neighbouring keys (the
// index and filter probes, the blocks they fall into). fn(i, value or nullptr when absent).
constexpr size_t kMultiGetGroup = 256;
Status ReadSorted(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                  const std::vector<std::string>& keys,
                  const std::function<Status(size_t, const rocksdb::PinnableSlice*)>& fn) {
  std::vector<rocksdb::Slice> slices;
  std::vector<rocksdb::PinnableSlice> values(kMultiGetGroup);
  std::vector<rocksdb::Status> statuses(kMultiGetGroup);
  for (size_t begin = 0; begin < keys.size(); begin += kMultiGetGroup) {
    const size_t n = std::min(kMultiGetGroup, keys.size() - begin);
    slices.clear();
    for (size_t i = 0; i < n; ++i) slices.emplace_back(keys[begin + i]);
    for (auto& v : values) v.Reset();
    db->MultiGet(rocksdb::ReadOptions(), cf, n, slices.data(), values.data(), statuses.data(),
                 /*sorted_input=*/true);
    for (size_t i = 0; i < n; ++i) {
      if (statuses[i].IsNotFound()) {
        XY_RETURN_IF_ERROR(fn(begin + i, nullptr));
      } else if (!statuses[i].ok()) {
        return FromRocks(statuses[i], "reading in bulk");
      } else {
        XY_RETURN_IF_ERROR(fn(begin + i, &values[i]));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

// A pass with one iterator costs a step per key it passes, point reads a search per key read:
// the pass wins when the keys read are a good share of all there are.
bool RocksDbStore::DenseRead(size_t keys) const {
  std::lock_guard lock(stats_mu_);
  return keys * 8 >= stats_.subjects;
}


Status RocksDbStore::FindSubjects(IdentifierKind kind, std::span<const std::string_view> values,
                                  std::vector<uint64_t>* out) const {
  if (!std::is_sorted(values.begin(), values.end())) {
    return Status::InvalidArgument("FindSubjects: the codes must be in ascending order");
  }
  out->assign(values.size(), 0);
  auto take = [&](size_t i, std::string_view v) {
    if (v.size() != 8) return Status::DataLoss("identifier index entry has a bad size");
    (*out)[i] = coding::DecodeFixed64BE(v.data());
    return Status::Ok();
  };
  if (!DenseRead(values.size())) {
    std::vector<std::string> keys;
    keys.reserve(values.size());
    for (std::string_view v : values) keys.push_back(keys::Identifier(kind, v));
    return ReadSorted(db_.get(), (*cf_)[kIds], keys,
                      [&](size_t i, const rocksdb::PinnableSlice* v) {
                        return v == nullptr ? Status::Ok() : take(i, v->ToStringView());
                      });
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ScanReadOptions(), (*cf_)[kIds]));
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string key = keys::Identifier(kind, values[i]);
    if (i == 0) {
      it->Seek(key);
    } else {
      StepTo(it.get(), key);
    }
    if (!it->Valid()) break;
    if (it->key().ToStringView() == key) XY_RETURN_IF_ERROR(take(i, it->value().ToStringView()));
  }
  return FromRocks(it->status(), "looking up identifiers");
}

Status RocksDbStore::GetSubjects(std::span<const uint64_t> ids,
                                 const std::function<Status(size_t i, const Subject* s)>& fn) const {
  if (!std::is_sorted(ids.begin(), ids.end())) {
    return Status::InvalidArgument("GetSubjects: the ids must be in ascending order");
  }
  Subject subject;
  auto decode = [&](size_t i, std::string_view v) {
    if (i > 0 && ids[i] == ids[i - 1] && subject.id == ids[i]) return Status::Ok();  // a repeat
    subject = Subject();
    if (!DecodeSubject(v, &subject)) {
      return Status::DataLoss("subject " + std::to_string(ids[i]) + " is corrupt");
    }
    subject.id = ids[i];
    return Status::Ok();
  };
  if (!DenseRead(ids.size())) {
    std::vector<std::string> keys;
    keys.reserve(ids.size());
    for (uint64_t id : ids) keys.push_back(keys::SubjectKey(id));
    return ReadSorted(db_.get(), (*cf_)[kSubjects], keys,
                      [&](size_t i, const rocksdb::PinnableSlice* v) -> Status {
                        if (v == nullptr) return fn(i, nullptr);
                        XY_RETURN_IF_ERROR(decode(i, v->ToStringView()));
                        return fn(i, &subject);
                      });
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ScanReadOptions(), (*cf_)[kSubjects]));
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string key = keys::SubjectKey(ids[i]);
    if (i == 0) {
      it->Seek(key);
    } else {
      StepTo(it.get(), key);
    }
    if (it->Valid() && it->key().ToStringView() == key) {
      XY_RETURN_IF_ERROR(decode(i, it->value().ToStringView()));
      XY_RETURN_IF_ERROR(fn(i, &subject));
    } else {
      XY_RETURN_IF_ERROR(FromRocks(it->status(), "reading subjects"));
      XY_RETURN_IF_ERROR(fn(i, nullptr));
    }
  }
  return FromRocks(it->status(), "reading subjects");
}

Status RocksDbStore::FindCodesByPrefix(std::span<const IdentifierKind> kinds,
                                       std::string_view prefix, size_t limit,
                                       std::vector<std::pair<std::string, uint64_t>>* out) const {
  // One iterator sought once per kind: creating an iterator costs more than a seek.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), (*cf_)[kIds]));
  for (IdentifierKind kind : kinds) {
    const std::string start = keys::Identifier(kind, prefix);
    for (it->Seek(start); it->Valid() && out->size() < limit; it->Next()) {
      auto k = it->key().ToStringView();
      if (!k.starts_with(start)) break;
      auto v = it->value().ToStringView();
      if (v.size() != 8) return Status::DataLoss("identifier entry is corrupt");
      out->emplace_back(std::string(k.substr(1)), coding::DecodeFixed64BE(v.data()));
    }
    XY_RETURN_IF_ERROR(FromRocks(it->status(), "scanning codes"));
  }
  return Status::Ok();
}

Status RocksDbStore::ScanSubjects(const std::function<Status(const Subject&)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ScanReadOptions(), (*cf_)[kSubjects]));
  Subject subject;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto k = it->key().ToStringView();
    if (k.size() != 8) return Status::DataLoss("subject key is corrupt");
    subject = Subject();
    if (!DecodeSubject(it->value().ToStringView(), &subject)) {
      return Status::DataLoss("subject " + std::to_string(coding::DecodeFixed64BE(k.data())) +
                              " is corrupt");
    }
    subject.id = coding::DecodeFixed64BE(k.data());
    XY_RETURN_IF_ERROR(fn(subject));
  }
  return FromRocks(it->status(), "scanning subjects");
}

// The answer of a read of the natural_keys column family: none, an error, or the entry.
static Result<std::optional<NaturalKeyHit>> NaturalKeyHitOf(const rocksdb::Status& s,
                                                            const rocksdb::PinnableSlice& v) {
  if (s.IsNotFound()) return std::optional<NaturalKeyHit>();
  if (!s.ok()) return FromRocks(s, "looking up natural key");
  NaturalKeyHit hit;
  if (!keys::DecodeNaturalKeyValue(v.ToStringView(), &hit.record_id, &hit.version,
                                   &hit.content_hash)) {
    return Status::DataLoss("natural key entry is corrupt");
  }
  return std::optional<NaturalKeyHit>(hit);
}

Result<std::optional<NaturalKeyHit>> RocksDbStore::FindNaturalKey(uint64_t subject_id,
                                                                  std::string_view indicator,
                                                                  std::string_view key) const {
  rocksdb::PinnableSlice v;
  auto s = db_->Get(rocksdb::ReadOptions(), (*cf_)[kNaturalKeys],
                    keys::NaturalKey(subject_id, indicator, key), &v);
  return NaturalKeyHitOf(s, v);
}

Status RocksDbStore::FindNaturalKeys(std::span<const NaturalKeyQuery> queries,
                                     std::vector<std::optional<NaturalKeyHit>>* out) const {
  out->assign(queries.size(), std::nullopt);
  if (queries.empty()) return Status::Ok();
  // MultiGet probes each level-0 file's filter for all keys in turn, with one table-cache
  // lookup per file instead of one per key and file: most ingested rows are new records, whose
  // lookups end in those filters.
  std::vector<std::string> key_bytes;
  key_bytes.reserve(queries.size());
  for (const NaturalKeyQuery& q : queries) {
    key_bytes.push_back(keys::NaturalKey(q.subject_id, q.indicator, q.key));
  }
  std::vector<rocksdb::Slice> slices(key_bytes.begin(), key_bytes.end());
  std::vector<rocksdb::PinnableSlice> values(slices.size());
  std::vector<rocksdb::Status> statuses(slices.size());
  db_->MultiGet(rocksdb::ReadOptions(), (*cf_)[kNaturalKeys], slices.size(), slices.data(),
                values.data(), statuses.data());
  for (size_t i = 0; i < queries.size(); ++i) {
    XY_ASSIGN_OR_RETURN((*out)[i], NaturalKeyHitOf(statuses[i], values[i]));
  }
  return Status::Ok();
}

// Decodes one entry of the records column family: ids and version from the key, the rest from
// the value.
static Status DecodeRecordEntry(std::string_view key, std::string_view value, Record* r) {
  if (!keys::DecodeRecordKey(key, &r->subject_id, &r->record_id, &r->version)) {
    return Status::DataLoss("record key is corrupt");
  }
  if (!DecodeRecordValue(value, r)) {
    return Status::DataLoss("record " + std::to_string(r->record_id) + " is corrupt");
  }
  return Status::Ok();
}

namespace {

const Record& AsRecord(const Record& r) { return r; }
const Record& AsRecord(const RecordHeader& h) { return h.record; }

// The current version of each of a subject's records, newest decision date first (ties: newest
// record first), appended to *out; `decode(key, value, T*)` makes one element of a version.
template <typename T, typename Decode>
Status ScanCurrentRecords(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* records,
                          uint64_t subject_id, Decode&& decode, std::vector<T>* out) {
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, records));
  const std::string prefix = keys::SubjectKey(subject_id);
  const size_t first = out->size();
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    auto k = it->key().ToStringView();
    if (!k.starts_with(prefix)) break;
    T t;
    XY_RETURN_IF_ERROR(decode(k, it->value().ToStringView(), &t));
    // Versions of one record are adjacent and ascending: a later one replaces the previous.
    if (out->size() > first && AsRecord(out->back()).record_id == AsRecord(t).record_id) {
      out->pop_back();
    }
    out->push_back(std::move(t));
  }
  XY_RETURN_IF_ERROR(FromRocks(it->status(), "scanning records"));
  std::sort(out->begin() + static_cast<std::ptrdiff_t>(first), out->end(),
            [](const T& x, const T& y) {
              const Record& a = AsRecord(x);
              const Record& b = AsRecord(y);
              if (a.decision_date != b.decision_date) return a.decision_date > b.decision_date;
              return a.record_id > b.record_id;
            });
  return Status::Ok();
}

}  // namespace

Status RocksDbStore::ListRecords(uint64_t subject_id, std::string_view indicator,
                                 std::vector<Record>* out) const {
  const size_t first = out->size();
  XY_RETURN_IF_ERROR(ScanCurrentRecords(db_.get(), (*cf_)[kRecords], subject_id,
                                        DecodeRecordEntry, out));
  if (!indicator.empty()) {
    out->erase(std::remove_if(out->begin() + static_cast<std::ptrdiff_t>(first), out->end(),
                              [&](const Record& r) { return r.indicator != indicator; }),
               out->end());
  }
  return Status::Ok();
}

Status RocksDbStore::ListRecordHeaders(uint64_t subject_id,
                                       std::vector<RecordHeader>* out) const {
  auto decode = [](std::string_view k, std::string_view v, RecordHeader* h) -> Status {
    if (!keys::DecodeRecordKey(k, &h->record.subject_id, &h->record.record_id,
                               &h->record.version)) {
      return Status::DataLoss("record key is corrupt");
    }
    if (!DecodeRecordHeader(v, &h->record)) {
      return Status::DataLoss("record " + std::to_string(h->record.record_id) + " is corrupt");
    }
    h->encoded.assign(v);
    return Status::Ok();
  };
  return ScanCurrentRecords(db_.get(), (*cf_)[kRecords], subject_id, decode, out);
}

Status RocksDbStore::ScanIndicator(
    std::string_view indicator,
    const std::function<Result<bool>(uint64_t subject_id, uint64_t record_id, Date decided)>& fn)
    const {
  std::string prefix(indicator);
  prefix.push_back('\0');
  return ScanIndicatorKeys(indicator, prefix + std::string(20, '\xff'), fn);
}

Status RocksDbStore::ScanIndicatorFrom(
    std::string_view indicator, const IndicatorPosition& start,
    const std::function<Result<bool>(uint64_t subject_id, uint64_t record_id, Date decided)>& fn)
    const {
  return ScanIndicatorKeys(
      indicator, keys::ByIndicator(indicator, start.decided, start.subject_id, start.record_id), fn);
}

Status RocksDbStore::ScanIndicatorKeys(
    std::string_view indicator, const std::string& last,
    const std::function<Result<bool>(uint64_t subject_id, uint64_t record_id, Date decided)>& fn)
    const {
  std::string prefix(indicator);
  prefix.push_back('\0');
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), (*cf_)[kByIndicator]));
  for (it->SeekForPrev(last); it->Valid(); it->Prev()) {
    auto k = it->key().ToStringView();
    if (!k.starts_with(prefix)) break;
    if (k.size() != prefix.size() + 20) return Status::DataLoss("indicator index entry is corrupt");
    const char* p = k.data() + prefix.size();
    uint32_t ymd = coding::DecodeFixed32BE(p);
    auto decided = Date::FromYmd(static_cast<int>(ymd / 10000), static_cast<int>(ymd / 100 % 100),
                                 static_cast<int>(ymd % 100));
    if (!decided.ok()) return Status::DataLoss("indicator index entry has a bad date");
    XY_ASSIGN_OR_RETURN(bool more, fn(coding::DecodeFixed64BE(p + 4),
                                      coding::DecodeFixed64BE(p + 12), *decided));
    if (!more) return Status::Ok();
  }
  return FromRocks(it->status(), "scanning records of " + std::string(indicator));
}

Status RocksDbStore::ListRecordVersions(uint64_t subject_id, uint64_t record_id,
                                        std::vector<Record>* out) const {
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, (*cf_)[kRecords]));
  const std::string prefix = keys::RecordPrefix(subject_id, record_id);
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    auto k = it->key().ToStringView();
    if (!k.starts_with(prefix)) break;
    Record r;
    XY_RETURN_IF_ERROR(DecodeRecordEntry(k, it->value().ToStringView(), &r));
    out->push_back(std::move(r));
  }
  // Every version but the newest is superseded; the stored status describes the version itself.
  for (size_t i = 0; i + 1 < out->size(); ++i) (*out)[i].status = RecordStatus::kSuperseded;
  return FromRocks(it->status(), "scanning record versions");
}

namespace {

// Moves a forward-only iterator to the first key at or after `target`: a few Next() first (the
// target is usually close by in a pass in key order), then a Seek.
void AdvanceTo(rocksdb::Iterator* it, std::string_view target) {
  const rocksdb::Slice t(target.data(), target.size());
  for (int steps = 0; it->Valid() && it->key().compare(t) < 0; ++steps) {
    if (steps == 8) {
      it->Seek(t);
      return;
    }
    it->Next();
  }
}

// Reads the selected current records of one subject after another for the bulk reads, reusing
// its Record objects so that a pass over millions of records allocates next to nothing.
class SubjectRecordReader {
 public:
  // `sequential`: subjects come in ascending order from one pass (total-order iterator, moved
  // forward); otherwise each subject is a prefix seek of its own (prefix bloom filters apply).
  SubjectRecordReader(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* records,
                      const rocksdb::Snapshot* snapshot, const RecordSelection& selection,
                      bool sequential)
      : selection_(selection), sequential_(sequential) {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    if (sequential) {
      ro.total_order_seek = true;
      ro.fill_cache = false;  // one pass: keep the block cache for point reads
      ro.readahead_size = 2u << 20;
    } else {
      ro.prefix_same_as_start = true;
    }
    it_.reset(db->NewIterator(ro, records));
  }

  // The subject's selected records, ordered as ListRecords orders them.
  Result<std::span<const Record>> Read(uint64_t subject_id) {
    const std::string prefix = keys::SubjectKey(subject_id);
    if (sequential_ && positioned_) {
      AdvanceTo(it_.get(), prefix);
    } else {
      it_->Seek(prefix);
      positioned_ = true;
    }
    used_ = 0;
    for (; it_->Valid(); it_->Next()) {
      auto k = it_->key().ToStringView();
      if (!k.starts_with(prefix)) break;
      auto v = it_->value().ToStringView();
      std::string_view indicator;
      if (!PeekRecordIndicator(v, &indicator)) return Status::DataLoss("record value is corrupt");
      if (!Listed(selection_.indicators, indicator, true)) continue;
      uint64_t record_id = 0;
      uint32_t version = 0;
      if (!keys::DecodeRecordKey(k, nullptr, &record_id, &version)) {
        return Status::DataLoss("record key is corrupt");
      }
      // Versions of one record are adjacent and ascending: a later one replaces the previous.
      const bool newer_version = used_ > 0 && pool_[used_ - 1].record_id == record_id;
      Record& r = newer_version ? pool_[used_ - 1] : Next();
      r.subject_id = subject_id;
      r.record_id = record_id;
      r.version = version;
      bool ok = false;
      if (Listed(selection_.with_values, indicator, false)) {
        ok = DecodeRecordValue(v, &r);
      } else {
        ok = DecodeRecordHeader(v, &r);
        r.values.clear();
        r.personal.clear();
      }
      if (!ok) return Status::DataLoss("record " + std::to_string(record_id) + " is corrupt");
    }
    XY_RETURN_IF_ERROR(FromRocks(it_->status(), "reading records"));
    std::sort(pool_.begin(), pool_.begin() + static_cast<std::ptrdiff_t>(used_),
              [](const Record& a, const Record& b) {
                if (a.decision_date != b.decision_date) return a.decision_date > b.decision_date;
                return a.record_id > b.record_id;
              });
    return std::span<const Record>(pool_.data(), used_);
  }

 private:
  static bool Listed(const std::vector<std::string>& list, std::string_view code, bool empty_all) {
    if (list.empty()) return empty_all;
    return std::find(list.begin(), list.end(), code) != list.end();
  }
  Record& Next() {
    if (used_ == pool_.size()) pool_.emplace_back();
    return pool_[used_++];
  }

  const RecordSelection& selection_;
  const bool sequential_;
  bool positioned_ = false;
  std::unique_ptr<rocksdb::Iterator> it_;
  std::vector<Record> pool_;
  size_t used_ = 0;
};

// A consistent view for the length of a bulk read.
class ScopedSnapshot {
 public:
  explicit ScopedSnapshot(rocksdb::DB* db) : db_(db), snapshot_(db->GetSnapshot()) {}
  ~ScopedSnapshot() { db_->ReleaseSnapshot(snapshot_); }
  ScopedSnapshot(const ScopedSnapshot&) = delete;
  ScopedSnapshot& operator=(const ScopedSnapshot&) = delete;
  const rocksdb::Snapshot* get() const { return snapshot_; }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
};

Status DecodeSubjectEntry(std::string_view key, std::string_view value, Subject* s) {
  if (key.size() != 8) return Status::DataLoss("subject key is corrupt");
  *s = Subject();
  s->id = coding::DecodeFixed64BE(key.data());
  if (!DecodeSubject(value, s)) {
    return Status::DataLoss("subject " + std::to_string(s->id) + " is corrupt");
  }
  return Status::Ok();
}

}  // namespace

Result<uint64_t> RocksDbStore::HighestSubjectId() const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ScanReadOptions(), (*cf_)[kSubjects]));
  it->SeekToLast();
  XY_RETURN_IF_ERROR(FromRocks(it->status(), "reading the highest subject id"));
  if (!it->Valid()) return uint64_t{0};
  if (it->key().size() != 8) return Status::DataLoss("subject key is corrupt");
  return coding::DecodeFixed64BE(it->key().data());
}

Status RocksDbStore::ScanSubjectRecords(const SubjectPart& part,
                                        const RecordSelection& selection,
                                        const SubjectRecordsFn& fn) const {
  if (part.part >= part.parts) {
    return Status::InvalidArgument("part " + std::to_string(part.part) + " of " +
                                   std::to_string(part.parts) + " does not exist");
  }
  ScopedSnapshot snapshot(db_.get());
  rocksdb::ReadOptions ro = ScanReadOptions();
  ro.snapshot = snapshot.get();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, (*cf_)[kSubjects]));
  // Ids are handed out in sequence, so equal id ranges hold about equal shares of the subjects.
  const unsigned __int128 bound = part.bound;
  const uint64_t lo =
      part.part == 0 ? 0 : static_cast<uint64_t>(1 + bound * part.part / part.parts);
  const uint64_t hi = part.part + 1 == part.parts  // exclusive
                          ? UINT64_MAX
                          : static_cast<uint64_t>(1 + bound * (part.part + 1) / part.parts);
  SubjectRecordReader reader(db_.get(), (*cf_)[kRecords], snapshot.get(), selection, true);
  Subject subject;
  for (it->Seek(keys::SubjectKey(lo)); it->Valid(); it->Next()) {
    auto k = it->key().ToStringView();
    if (k.size() == 8 && coding::DecodeFixed64BE(k.data()) >= hi) break;
    XY_RETURN_IF_ERROR(DecodeSubjectEntry(k, it->value().ToStringView(), &subject));
    if (selection.skip_natural_persons && subject.type == SubjectType::kNaturalPerson) continue;
    XY_ASSIGN_OR_RETURN(std::span<const Record> records, reader.Read(subject.id));
    XY_RETURN_IF_ERROR(fn(subject, records));
  }
  return FromRocks(it->status(), "scanning subjects");
}

Status RocksDbStore::ReadSubjectRecords(std::span<const uint64_t> subject_ids,
                                        const RecordSelection& selection,
                                        const SubjectRecordsFn& fn) const {
  std::vector<uint64_t> ids(subject_ids.begin(), subject_ids.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (ids.empty()) return Status::Ok();
  ScopedSnapshot snapshot(db_.get());
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot.get();
  // Many subjects that fill at least half of their id range (every subject a bulk load
  // touched) are read in one forward pass, as ScanSubjectRecords reads: a prefix seek per
  // subject would seek every level-0 file of a fresh load again for each. A few, or sparse
  // ones, get a prefix seek each (prefix bloom filters, the block cache).
  constexpr size_t kDenseSubjects = 64;
  const bool dense =
      ids.size() >= kDenseSubjects && 2 * ids.size() >= ids.back() - ids.front() + 1;
  SubjectRecordReader reader(db_.get(), (*cf_)[kRecords], snapshot.get(), selection, dense);
  Subject subject;
  rocksdb::PinnableSlice v;
  for (uint64_t id : ids) {
    const std::string key = keys::SubjectKey(id);
    v.Reset();
    auto s = db_->Get(ro, (*cf_)[kSubjects], key, &v);
    if (s.IsNotFound()) continue;
    XY_RETURN_IF_ERROR(FromRocks(s, "reading subject"));
    XY_RETURN_IF_ERROR(DecodeSubjectEntry(key, v.ToStringView(), &subject));
    if (selection.skip_natural_persons && subject.type == SubjectType::kNaturalPerson) continue;
    XY_ASSIGN_OR_RETURN(std::span<const Record> records, reader.Read(id));
    XY_RETURN_IF_ERROR(fn(subject, records));
  }
  return Status::Ok();
}

namespace {

// A current grade: format byte, history entries, then the grade as EncodeSubjectGrade wrote it.
std::string EncodeCurrentGrade(std::string_view encoded_grade, uint32_t history) {
  std::string v(1, '\x01');
  coding::PutVarint(&v, history);
  v.append(encoded_grade);
  return v;
}

// With `encoded_grade`, decodes all but the explanation (SubjectGrade::reasons is left empty)
// and points it at the encoded grade; without, decodes everything.
bool DecodeCurrentGrade(std::string_view v, CurrentGrade* c,
                        std::string_view* encoded_grade = nullptr) {
  uint64_t history = 0;
  if (v.empty() || v[0] != '\x01') return false;
  v.remove_prefix(1);
  if (!coding::GetVarint(&v, &history) || history > UINT32_MAX) return false;
  c->history = static_cast<uint32_t>(history);
  if (encoded_grade == nullptr) return DecodeSubjectGrade(v, &c->grade);
  *encoded_grade = v;
  return DecodeSubjectGradeHead(v, &c->grade);
}

constexpr std::string_view kGradingRunKey = "grading_run";

// A key of the grades column family: its subject and whether it is the current grade.
bool DecodeGradeKey(std::string_view k, uint64_t* subject, bool* current) {
  if (k.size() == 9 && k[8] == '\0') {
    *current = true;
  } else if (k.size() == 13 && k[8] == '\1') {
    *current = false;
  } else {
    return false;
  }
  *subject = coding::DecodeFixed64BE(k.data());
  return true;
}

}  // namespace

Result<uint64_t> RocksDbStore::SaveGrades(std::span<const GradeWrite> writes) {
  OnReturn changed{[&] {
    for (const GradeWrite& w : writes) Changed(w.subject_id);
  }};
  if (options_.read_only || (*cf_)[kGrades] == nullptr) {
    return Status::FailedPrecondition("the store is read-only");
  }
  std::vector<const GradeWrite*> order;
  order.reserve(writes.size());
  for (const GradeWrite& w : writes) order.push_back(&w);
  std::sort(order.begin(), order.end(), [](const GradeWrite* a, const GradeWrite* b) {
    return a->subject_id < b->subject_id;
  });
  for (size_t i = 1; i < order.size(); ++i) {
    if (order[i]->subject_id == order[i - 1]->subject_id) {
      return Status::InvalidArgument("subject " + std::to_string(order[i]->subject_id) +
                                     " is graded twice in one write");
    }
  }
  // The current grades being replaced: batched point reads in key order (bloom filters skip the
  // files without a key, and a block serves all the keys it holds).
  constexpr size_t kReadBatch = 1024;
  std::vector<std::string> wanted(std::min(order.size(), kReadBatch));
  std::vector<rocksdb::Slice> slices(wanted.size());
  std::vector<rocksdb::PinnableSlice> values(wanted.size());
  std::vector<rocksdb::Status> statuses(wanted.size());
  std::vector<keys::CommitOp> ops;
  ops.reserve(order.size() * 2);
  uint64_t appended = 0;
  CurrentGrade current;
  for (size_t first = 0; first < order.size(); first += kReadBatch) {
    const size_t n = std::min(kReadBatch, order.size() - first);
    for (size_t i = 0; i < n; ++i) {
      wanted[i] = keys::GradeCurrentKey(order[first + i]->subject_id);
      slices[i] = wanted[i];
      values[i].Reset();
    }
    db_->MultiGet(rocksdb::ReadOptions(), (*cf_)[kGrades], n, slices.data(), values.data(),
                  statuses.data(), /*sorted_input=*/true);
    for (size_t i = 0; i < n; ++i) {
      const GradeWrite* w = order[first + i];
      uint32_t history = 0;
      bool changed = true;
      std::string encoded = EncodeSubjectGrade(w->grade);
      if (statuses[i].ok()) {
        std::string_view stored;
        if (!DecodeCurrentGrade(values[i].ToStringView(), &current, &stored)) {
          return Status::DataLoss("the grade of subject " + std::to_string(w->subject_id) +
                                  " is corrupt");
        }
        if (SubjectGradeResult(stored) == SubjectGradeResult(encoded)) continue;  // the same
        history = current.history;
        changed = !current.grade.SameResult(w->grade);
      } else if (!statuses[i].IsNotFound()) {
        return FromRocks(statuses[i], "reading grades");
      }
      if (changed) {
        ++history;
        ++appended;
        ops.push_back({kGrades, false, keys::GradeHistoryKey(w->subject_id, history), encoded});
      }
      ops.push_back({kGrades, false, std::move(wanted[i]), EncodeCurrentGrade(encoded, history)});
    }
  }
  if (ops.size() >= kBulkCommitRecords) {
    XY_RETURN_IF_ERROR(CommitByIngestion(&ops).WithContext("saving grades"));
    return appended;
  }
  rocksdb::WriteBatch wb;
  for (const keys::CommitOp& op : ops) wb.Put((*cf_)[op.cf], op.key, op.value);
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  XY_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &wb), "saving grades"));
  return appended;
}

constexpr std::string_view kKeyFingerprintKey = "key_fingerprint";

Result<std::optional<std::string>> RocksDbStore::KeyFingerprint() const {
  std::string v;
  auto s = db_->Get(rocksdb::ReadOptions(), (*cf_)[kMeta], kKeyFingerprintKey, &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "reading the personal-data key's fingerprint");
  if (v.size() < 2 || v[0] != '\x01') {
    return Status::DataLoss("the personal-data key's fingerprint in the store is corrupt");
  }
  return std::optional<std::string>(v.substr(1));
}

Status RocksDbStore::SetKeyFingerprint(std::string_view fingerprint) {
  if (options_.read_only) return Status::FailedPrecondition("the store is read-only");
  if (fingerprint.empty()) return Status::InvalidArgument("an empty key fingerprint");
  // So that two callers cannot both find none and record different ones (another process
  // cannot open the store for writing at the same time: RocksDB's LOCK file).
  std::lock_guard lock(mu_);
  XY_ASSIGN_OR_RETURN(std::optional<std::string> recorded, KeyFingerprint());
  if (recorded) {
    if (*recorded == fingerprint) return Status::Ok();
    return Status::AlreadyExists("the store already records another personal-data key");
  }
  std::string v(1, '\x01');  // format byte
  v.append(fingerprint);
  rocksdb::WriteOptions wo;
  wo.sync = true;  // a key's fingerprint is worth an fsync whatever the store's sync setting
  return FromRocks(db_->Put(wo, (*cf_)[kMeta], kKeyFingerprintKey, v),
                   "recording the personal-data key's fingerprint");
}

Status RocksDbStore::SetGradingRun(const GradingRun& run) {
  if (options_.read_only) return Status::FailedPrecondition("the store is read-only");
  std::string v(1, '\x01');  // format byte
  coding::PutSignedVarint(&v, run.as_of.days());
  coding::PutSignedVarint(&v, run.unix_ms);
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Put(wo, (*cf_)[kMeta], kGradingRunKey, v), "recording the grading run");
}

Result<std::optional<GradingRun>> RocksDbStore::LastGradingRun() const {
  std::string v;
  auto s = db_->Get(rocksdb::ReadOptions(), (*cf_)[kMeta], kGradingRunKey, &v);
  if (s.IsNotFound()) return std::optional<GradingRun>();
  if (!s.ok()) return FromRocks(s, "reading the grading run");
  std::string_view in = v;
  int64_t as_of = 0;
  GradingRun run;
  if (in.empty() || in[0] != '\x01') return Status::DataLoss("the grading run is corrupt");
  in.remove_prefix(1);
  if (!coding::GetSignedVarint(&in, &as_of) || !coding::GetSignedVarint(&in, &run.unix_ms) ||
      !in.empty()) {
    return Status::DataLoss("the grading run is corrupt");
  }
  run.as_of = Date::FromDays(static_cast<int32_t>(as_of));
  return std::optional<GradingRun>(run);
}

Status RocksDbStore::PutRegradeMark(uint64_t token, uint64_t from_seq) {
  if (options_.read_only) return Status::FailedPrecondition("the store is read-only");
  std::string v;
  coding::PutFixed64BE(&v, from_seq);
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Put(wo, (*cf_)[kMeta], RegradeMarkKey(token), v), "marking a regrade");
}

Status RocksDbStore::DeleteRegradeMark(uint64_t token) {
  if (options_.read_only) return Status::FailedPrecondition("the store is read-only");
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Delete(wo, (*cf_)[kMeta], RegradeMarkKey(token)),
                   "clearing a regrade mark");
}

Status RocksDbStore::ListRegradeMarks(std::vector<std::pair<uint64_t, uint64_t>>* out) const {
  out->clear();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), (*cf_)[kMeta]));
  const rocksdb::Slice prefix(kRegradePrefix.data(), kRegradePrefix.size());
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->key().size() != kRegradePrefix.size() + 8 || it->value().size() != 8) {
      return Status::DataLoss("a regrade mark is corrupt");
    }
    out->emplace_back(coding::DecodeFixed64BE(it->key().data() + kRegradePrefix.size()),
                      coding::DecodeFixed64BE(it->value().data()));
  }
  return FromRocks(it->status(), "reading regrade marks");
}

Result<std::optional<CurrentGrade>> RocksDbStore::GetGrade(uint64_t subject_id) const {
  if ((*cf_)[kGrades] == nullptr) return std::optional<CurrentGrade>();
  rocksdb::PinnableSlice v;
  auto s = db_->Get(rocksdb::ReadOptions(), (*cf_)[kGrades], keys::GradeCurrentKey(subject_id), &v);
  if (s.IsNotFound()) return std::optional<CurrentGrade>();
  if (!s.ok()) return FromRocks(s, "reading grade");
  CurrentGrade c;
  if (!DecodeCurrentGrade(v.ToStringView(), &c)) {
    return Status::DataLoss("the grade of subject " + std::to_string(subject_id) + " is corrupt");
  }
  return std::optional<CurrentGrade>(std::move(c));
}

Status RocksDbStore::ListGradeHistory(uint64_t subject_id, size_t offset, size_t limit,
                                      std::vector<SubjectGrade>* out) const {
  if ((*cf_)[kGrades] == nullptr) return Status::Ok();
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), (*cf_)[kGrades]));
  const std::string prefix = keys::GradeHistoryPrefix(subject_id);
  size_t seen = 0;
  for (it->Seek(prefix); it->Valid() && seen < offset + limit; it->Next(), ++seen) {
    auto k = it->key().ToStringView();
    if (!k.starts_with(prefix)) break;
    if (seen < offset) continue;
    SubjectGrade g;
    if (k.size() != prefix.size() + 4 || !DecodeSubjectGrade(it->value().ToStringView(), &g)) {
      return Status::DataLoss("a grade history entry of subject " + std::to_string(subject_id) +
                              " is corrupt");
    }
    out->push_back(std::move(g));
  }
  return FromRocks(it->status(), "reading grade history");
}

Status RocksDbStore::ScanGrades(
    uint64_t first_subject,
    const std::function<Result<bool>(uint64_t subject_id, const CurrentGrade&)>& fn) const {
  if ((*cf_)[kGrades] == nullptr) return Status::Ok();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ScanReadOptions(), (*cf_)[kGrades]));
  CurrentGrade c;
  it->Seek(keys::SubjectKey(first_subject));
  while (it->Valid()) {
    uint64_t subject = 0;
    bool current = false;
    if (!DecodeGradeKey(it->key().ToStringView(), &subject, &current)) {
      return Status::DataLoss("grade key is corrupt");
    }
    if (current) {
      if (!DecodeCurrentGrade(it->value().ToStringView(), &c)) {
        return Status::DataLoss("the grade of subject " + std::to_string(subject) + " is corrupt");
      }
      XY_ASSIGN_OR_RETURN(bool more, fn(subject, c));
      if (!more) return Status::Ok();
    }
    // The history entries that follow: a few steps, or one seek past a long history.
    AdvanceTo(it.get(), keys::SubjectKey(subject + 1));
  }
  return FromRocks(it->status(), "scanning grades");
}

// Turns a WriteSet into the key-value changes of every column family, and the statistics delta.
static void BuildOps(const WriteSet& ws, StoreStats* delta, std::vector<keys::CommitOp>* ops) {
  ops->reserve(ws.subjects.size() * 4 + ws.records.size() * 3 + ws.batch.rejections.size() + 4);
  for (const Subject& s : ws.subjects) {
    std::string key = keys::SubjectKey(s.id);
    for (const Identifier& i : s.identifiers) {
      ops->push_back({kIds, false, keys::Identifier(i.kind, i.value), key});
    }
    ops->push_back({kNames, false, keys::Name(s.name, s.id), ""});
    for (const auto& former : s.former_names) {
      ops->push_back({kNames, false, keys::Name(former, s.id), ""});
    }
    ops->push_back({kSubjects, false, std::move(key), EncodeSubject(s)});
    if (s.first_batch == ws.batch.id) ++delta->subjects;
  }
  for (const auto& [id, name] : ws.dropped_names) {
    ops->push_back({kNames, true, keys::Name(name, id), ""});
  }
  for (const RecordWrite& w : ws.records) {
    const Record& r = w.record;
    ops->push_back({kRecords, false, keys::RecordKey(r.subject_id, r.record_id, r.version),
                    EncodeRecordValue(r)});
    ops->push_back({kNaturalKeys, false, keys::NaturalKey(r.subject_id, r.indicator, w.natural_key),
                    keys::NaturalKeyValue(r.record_id, r.version, r.content_hash)});
    ops->push_back({kByIndicator, false,
                    keys::ByIndicator(r.indicator, r.decision_date, r.subject_id, r.record_id), ""});
    for (const PersonLink& l : w.person_links) {
      ops->push_back({kPersonLinks, false,
                      keys::PersonLinkKey(l.person_hash, r.subject_id, r.record_id,
                                          static_cast<uint8_t>(l.role)),
                      ""});
    }
    ++delta->record_versions;
    if (r.version == 1) {
      ++delta->records;
      ++delta->records_by_indicator[r.indicator];
    }
  }
  const BatchReport& b = ws.batch;
  ops->push_back({kBatches, false, keys::BatchKey(b.id), EncodeBatchReport(b)});
  uint32_t seq = 0;
  for (const RowIssue& i : b.rejections) {
    ops->push_back({kBatchIssues, false, keys::BatchIssue(b.id, 'r', seq++), EncodeRowIssue(i)});
  }
  seq = 0;
  for (const RowIssue& i : b.warnings) {
    ops->push_back({kBatchIssues, false, keys::BatchIssue(b.id, 'w', seq++), EncodeRowIssue(i)});
  }
  delta->batches = 1;
}

std::string RocksDbStore::EncodeCounters() const {
  std::string counters;
  for (const auto& c : next_id_) coding::PutVarint(&counters, c.load());
  return counters;
}

// The check log does not take mu_: a check must not wait for a bulk commit of an ingest. Its id
// space is therefore not persisted with the counters (a concurrent Commit could write an older
// value over a newer one) but recovered at open from the highest logged id (CheckLogEnd).
//
// Keys of `checks`: id(8) for a check logged alone (format 1, stores written before runs) or for
// the first check of a stretch of a run (format 2, at most kRunStretch checks); id(8) ‖ 'f' for
// the feedback on a check of a run. No other id(8) key lies inside a stretch.
namespace {

constexpr size_t kRunStretch = 1024;

std::string FeedbackKey(uint64_t id) { return keys::SubjectKey(id) + 'f'; }

// The checks of one id(8) entry, feedback not yet merged.
Status DecodeCheckEntry(uint64_t first, std::string_view value, std::vector<CheckLog>* out) {
  if (IsCheckRun(value)) {
    if (!DecodeCheckRun(value, first, out)) {
      return Status::DataLoss("checks from " + std::to_string(first) + " are corrupt");
    }
    return Status::Ok();
  }
  CheckLog c;
  if (!DecodeCheckLog(value, &c)) return Status::DataLoss("check " + std::to_string(first) + " is corrupt");
  c.id = first;
  out->push_back(std::move(c));
  return Status::Ok();
}

}  // namespace

Result<uint64_t> RocksDbStore::CheckLogEnd() const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), (*cf_)[kChecks]));
  for (it->SeekToLast(); it->Valid() && it->key().size() != 8; it->Prev()) {
  }
  XY_RETURN_IF_ERROR(FromRocks(it->status(), "reading the id space of the check log"));
  if (!it->Valid()) return uint64_t{0};
  const uint64_t first = coding::DecodeFixed64BE(it->key().data());
  std::vector<CheckLog> checks;
  XY_RETURN_IF_ERROR(DecodeCheckEntry(first, it->value().ToStringView(), &checks));
  return first + checks.size();
}

// The checks of a subject: subject_logs keys (keys::SubjectLogKey, kind 'c'), written with the
// checks by a small LogCheckRuns, else by IndexChecks after them. check_subjects: kCheckIndexMark
// → the id(8) of the first check not yet indexed; subject(8) ‖ check id(8) → empty, the index as
// written before it moved to subject_logs (still read).
namespace {
const std::string kCheckIndexMark(16, '\xff');
constexpr size_t kInlineIndexChecks = 256;

void PutCheckIndex(rocksdb::WriteBatch* wb, rocksdb::ColumnFamilyHandle* cf, uint64_t subject_id,
                   uint64_t check_id) {
  wb->Put(cf, keys::SubjectLogKey(subject_id, keys::kSubjectLogCheck, check_id), "");
}

void PutCheckIndexMark(rocksdb::WriteBatch* wb, rocksdb::ColumnFamilyHandle* cf, uint64_t next) {
  wb->Put(cf, kCheckIndexMark, keys::SubjectKey(next));
}
}  // namespace

Result<uint64_t> RocksDbStore::ReadCheckIndexMark(const rocksdb::Snapshot* snapshot) const {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::string v;
  auto s = db_->Get(ro, (*cf_)[kCheckSubjects], kCheckIndexMark, &v);
  if (s.IsNotFound()) return uint64_t{0};
  if (!s.ok()) return FromRocks(s, "reading the check index mark");
  if (v.size() != 8) return Status::DataLoss("the check index mark is corrupt");
  return coding::DecodeFixed64BE(v.data());
}

Result<uint64_t> RocksDbStore::CheckIndexMark() {
  if (check_index_mark_ != 0) return check_index_mark_;
  if ((*cf_)[kCheckSubjects] == nullptr) return Status::FailedPrecondition("the store is read-only");
  XY_ASSIGN_OR_RETURN(const uint64_t mark, ReadCheckIndexMark(nullptr));
  check_index_mark_ = std::max<uint64_t>(mark, 1);  // check ids start at 1
  return check_index_mark_;
}

Result<std::vector<uint64_t>> RocksDbStore::LogCheckRuns(std::span<const CheckRun* const> runs,
                                                         const AuditAppend* audit) {
  if (options_.read_only || (*cf_)[kChecks] == nullptr || (*cf_)[kSubjectLogs] == nullptr ||
      (audit != nullptr && (*cf_)[kAudit] == nullptr)) {
    return Status::FailedPrecondition("the store is read-only");
  }
  std::lock_guard lock(check_index_mu_);
  // The index is derived: a mark that cannot be read only means no inline indexing (0 matches
  // no id); IndexChecks reports the error.
  const Result<uint64_t> read_mark = CheckIndexMark();
  const uint64_t mark = read_mark.ok() ? *read_mark : 0;
  std::vector<uint64_t> firsts;
  rocksdb::WriteBatch wb;
  size_t total = 0;
  for (const CheckRun* run : runs) {
    const size_t n = run->entries.size();
    if (n == 0) return Status::InvalidArgument("a run of checks needs at least one");
    const uint64_t first = next_id_[static_cast<size_t>(IdSpace::kCheck)].fetch_add(n);
    for (size_t begin = 0; begin < n; begin += kRunStretch) {
      const size_t end = std::min(n, begin + kRunStretch);
      wb.Put((*cf_)[kChecks], keys::SubjectKey(first + begin), EncodeCheckRun(*run, begin, end));
    }
    firsts.push_back(first);
    total += n;
  }
  // Few checks, and every earlier one indexed: their index entries go in the same write and the
  // mark moves past them, so that single checks never leave IndexChecks a step to take (a step
  // of a few thousand checks holds up the checks queued behind it for ~10 ms).
  const bool index = total <= kInlineIndexChecks && !firsts.empty() && firsts.front() == mark;
  uint64_t next = mark;
  if (index) {
    for (size_t r = 0; r < runs.size(); ++r) {
      for (size_t i = 0; i < runs[r]->entries.size(); ++i) {
        PutCheckIndex(&wb, (*cf_)[kSubjectLogs], runs[r]->entries[i].subject_id, firsts[r] + i);
      }
      next = firsts[r] + runs[r]->entries.size();
    }
    PutCheckIndexMark(&wb, (*cf_)[kCheckSubjects], next);
  }
  if (audit != nullptr) PutAudit(&wb, *audit);
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  XY_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &wb), "logging credit checks"));
  if (index) check_index_mark_ = next;
  return firsts;
}

Result<std::optional<CheckLog>> RocksDbStore::GetCheck(uint64_t id) const {
  if ((*cf_)[kChecks] == nullptr) return std::optional<CheckLog>();
  // The id(8) entry at or before the id: the check itself, or the stretch that holds it.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), (*cf_)[kChecks]));
  const std::string key = keys::SubjectKey(id);
  for (it->SeekForPrev(key); it->Valid() && it->key().size() != 8; it->Prev()) {
  }
  XY_RETURN_IF_ERROR(FromRocks(it->status(), "reading check"));
  if (!it->Valid()) return std::optional<CheckLog>();
  const uint64_t first = coding::DecodeFixed64BE(it->key().data());
  std::string_view value = it->value().ToStringView();
  if (first != id && !IsCheckRun(value)) return std::optional<CheckLog>();
  std::vector<CheckLog> checks;
  XY_RETURN_IF_ERROR(DecodeCheckEntry(first, value, &checks));
  if (id - first >= checks.size()) return std::optional<CheckLog>();
  CheckLog c = std::move(checks[id - first]);
  rocksdb::PinnableSlice f;
  auto s = db_->Get(rocksdb::ReadOptions(), (*cf_)[kChecks], FeedbackKey(id), &f);
  if (s.ok()) {
    if (!DecodeCheckFeedback(f.ToStringView(), &c)) {
      return Status::DataLoss("feedback on check " + std::to_string(id) + " is corrupt");
    }
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading check feedback");
  }
  return std::optional<CheckLog>(std::move(c));
}

Status RocksDbStore::SetCheckFeedback(uint64_t id, std::string_view action,
                                      std::string_view reason, int64_t unix_ms) {
  if (options_.read_only) return Status::FailedPrecondition("the store is read-only");
  std::lock_guard lock(checks_mu_);  // read-modify-write: one at a time
  XY_ASSIGN_OR_RETURN(auto c, GetCheck(id));
  if (!c) return Status::NotFound("no credit check has the id " + std::to_string(id));
  if (!c->feedback_action.empty()) {
    return Status::FailedPrecondition("check " + std::to_string(id) + " already has feedback");
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Put(wo, (*cf_)[kChecks], FeedbackKey(id),
                            EncodeCheckFeedback(action, reason, unix_ms)),
                   "recording check feedback");
}

Status RocksDbStore::ScanChecks(const std::function<Status(const CheckLog&)>& fn) const {
  if ((*cf_)[kChecks] == nullptr) return Status::Ok();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), (*cf_)[kChecks]));
  // The checks of the last id(8) entry, held back until the feedback keys after it are merged.
  std::vector<CheckLog> pending;
  auto flush = [&]() -> Status {
    for (const CheckLog& c : pending) XY_RETURN_IF_ERROR(fn(c));
    pending.clear();
    return Status::Ok();
  };
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto k = it->key().ToStringView();
    const std::string_view v = it->value().ToStringView();
    if (k.size() == 8) {
      XY_RETURN_IF_ERROR(flush());
      XY_RETURN_IF_ERROR(DecodeCheckEntry(coding::DecodeFixed64BE(k.data()), v, &pending));
    } else if (k.size() == 9 && k[8] == 'f') {
      const uint64_t id = coding::DecodeFixed64BE(k.data());
      if (!pending.empty() && id >= pending.front().id && id - pending.front().id < pending.size()) {
        if (!DecodeCheckFeedback(v, &pending[id - pending.front().id])) {
          return Status::DataLoss("feedback on check " + std::to_string(id) + " is corrupt");
        }
      }
    } else {
      return Status::DataLoss("check key is corrupt");
    }
  }
  XY_RETURN_IF_ERROR(FromRocks(it->status(), "scanning checks"));
  return flush();
}


Status RocksDbStore::ForEachCheckFrom(uint64_t from, const rocksdb::Snapshot* snapshot,
                                      const std::function<bool(const CheckLog&)>& fn) const {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, (*cf_)[kChecks]));
  // The stretch holding `from` starts at the last id(8) key at or before it.
  for (it->SeekForPrev(keys::SubjectKey(from)); it->Valid() && it->key().size() != 8; it->Prev()) {
  }
  if (!it->Valid()) it->Seek(keys::SubjectKey(from));
  std::vector<CheckLog> checks;
  for (; it->Valid(); it->Next()) {
    if (it->key().size() != 8) continue;  // feedback
    const uint64_t first = coding::DecodeFixed64BE(it->key().data());
    checks.clear();
    XY_RETURN_IF_ERROR(DecodeCheckEntry(first, it->value().ToStringView(), &checks));
    for (const CheckLog& c : checks) {
      if (c.id >= from && !fn(c)) return Status::Ok();
    }
  }
  return FromRocks(it->status(), "reading the check log");
}

Status RocksDbStore::ListSubjectChecks(uint64_t subject_id, size_t limit,
                                       std::vector<uint64_t>* out) const {
  if ((*cf_)[kChecks] == nullptr || limit == 0) return Status::Ok();
  // One snapshot for the mark, the index and the checks after the mark: an index that catches
  // up meanwhile neither hides a check nor shows one twice.
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~Release() { db->ReleaseSnapshot(s); }
  } release{db_.get(), snapshot};
  uint64_t mark = 0;
  if ((*cf_)[kCheckSubjects] != nullptr) {
    XY_ASSIGN_OR_RETURN(mark, ReadCheckIndexMark(snapshot));
  }
  // Not yet indexed: newer than everything indexed, so they come first (newest first).
  std::vector<uint64_t> recent;
  XY_RETURN_IF_ERROR(ForEachCheckFrom(mark, snapshot, [&](const CheckLog& c) {
    if (c.subject_id == subject_id) recent.push_back(c.id);
    return true;
  }));
  for (auto i = recent.rbegin(); i != recent.rend() && out->size() < limit; ++i) {
    out->push_back(*i);
  }
  return ListSubjectLog(subject_id, keys::kSubjectLogCheck, kCheckSubjects,
                        keys::SubjectKey(subject_id), snapshot, limit, out);
}

Result<uint64_t> RocksDbStore::IndexChecks(size_t max_checks) {
  if (options_.read_only || (*cf_)[kCheckSubjects] == nullptr ||
      (*cf_)[kSubjectLogs] == nullptr) {
    return Status::FailedPrecondition("the store is read-only");
  }
  std::lock_guard lock(check_index_mu_);
  XY_ASSIGN_OR_RETURN(const uint64_t mark, CheckIndexMark());
  rocksdb::WriteBatch wb;
  uint64_t n = 0, next = mark;
  XY_RETURN_IF_ERROR(ForEachCheckFrom(mark, nullptr, [&](const CheckLog& c) {
    if (n >= max_checks) return false;
    PutCheckIndex(&wb, (*cf_)[kSubjectLogs], c.subject_id, c.id);
    next = c.id + 1;
    ++n;
    return true;
  }));
  if (n == 0) return uint64_t{0};
  PutCheckIndexMark(&wb, (*cf_)[kCheckSubjects], next);
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  XY_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &wb), "indexing checks by subject"));
  check_index_mark_ = next;
  return n;
}

Status RocksDbStore::SaveInspection(uint64_t id, std::string_view document,
                                    std::span<const uint64_t> subjects) {
  if (options_.read_only || (*cf_)[kInspections] == nullptr ||
      (*cf_)[kInspectionSubjects] == nullptr) {
    return Status::FailedPrecondition("the store is read-only");
  }
  rocksdb::WriteBatch batch;
  std::string value(1, '\x01');  // format byte
  value.append(document);
  XY_RETURN_IF_ERROR(FromRocks(batch.Put((*cf_)[kInspections], keys::SubjectKey(id), value),
                               "saving inspection draw"));
  for (uint64_t subject : subjects) {
    XY_RETURN_IF_ERROR(FromRocks(
        batch.Put((*cf_)[kInspectionSubjects], keys::InspectionSubjectKey(subject, id), ""),
        "saving inspection draw"));
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Write(wo, &batch), "saving inspection draw " + std::to_string(id));
}

Status RocksDbStore::ListSubjectInspections(uint64_t subject_id, std::vector<uint64_t>* out) const {
  if ((*cf_)[kInspectionSubjects] == nullptr) return Status::Ok();  // read-only, older store
  const std::string prefix = keys::SubjectKey(subject_id);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), (*cf_)[kInspectionSubjects]));
  const size_t first = out->size();
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->key().size() != 16) return Status::DataLoss("an inspection index key is corrupt");
    out->push_back(coding::DecodeFixed64BE(it->key().data() + 8));
  }
  std::reverse(out->begin() + static_cast<std::ptrdiff_t>(first), out->end());  // newest first
  return FromRocks(it->status(), "listing a subject's inspection draws");
}

Result<std::optional<std::string>> RocksDbStore::GetInspection(uint64_t id) const {
  if ((*cf_)[kInspections] == nullptr) return std::optional<std::string>();
  std::string v;
  auto s = db_->Get(rocksdb::ReadOptions(), (*cf_)[kInspections], keys::SubjectKey(id), &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "reading inspection draw");
  if (v.empty() || v[0] != '\x01') return Status::DataLoss("inspection draw " + std::to_string(id) + " is corrupt");
  return std::optional<std::string>(v.substr(1));
}

Status RocksDbStore::ListInspections(
    const std::function<bool(uint64_t id, std::string_view document)>& fn) const {
  if ((*cf_)[kInspections] == nullptr) return Status::Ok();
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), (*cf_)[kInspections]));
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    auto k = it->key().ToStringView();
    auto v = it->value().ToStringView();
    if (k.size() != 8 || v.empty() || v[0] != '\x01') return Status::DataLoss("inspection draw is corrupt");
    if (!fn(coding::DecodeFixed64BE(k.data()), v.substr(1))) break;
  }
  return FromRocks(it->status(), "listing inspection draws");
}

Status RocksDbStore::Commit(const WriteSet& ws) {
  if (options_.read_only) return Status::FailedPrecondition("the store is read-only");
  OnReturn changed{[&] {
    for (const Subject& s : ws.subjects) Changed(s.id);
    for (const auto& dropped : ws.dropped_names) Changed(dropped.first);
    for (const RecordWrite& w : ws.records) Changed(w.record.subject_id);
  }};
  std::lock_guard lock(mu_);
  StoreStats delta;
  std::vector<keys::CommitOp> ops;
  BuildOps(ws, &delta, &ops);

  StoreStats next;
  {
    std::lock_guard slock(stats_mu_);
    next = stats_;
  }
  next.subjects += delta.subjects;
  next.records += delta.records;
  next.record_versions += delta.record_versions;
  next.batches += delta.batches;
  for (const auto& [k, v] : delta.records_by_indicator) next.records_by_indicator[k] += v;
  ops.push_back({kMeta, false, std::string(kCountersKey), EncodeCounters()});
  ops.push_back({kMeta, false, std::string(kStatsKey), EncodeStats(next)});
  // The change feed: the next sequence numbers for the batch's record versions, in its order.
  uint64_t change_seq = next_change_.load();
  if ((*cf_)[kChanges] != nullptr) {
    for (const RecordWrite& w : ws.records) {
      ops.push_back({kChanges, false, keys::SubjectKey(change_seq++),
                     ChangeValue(w.record.subject_id, w.record.record_id, w.record.version)});
    }
  }
  if (ws.exchange_cursor) {
    std::string v;
    coding::PutFixed64BE(&v, ws.exchange_cursor->seq);
    ops.push_back({kMeta, false, std::string(kExchangeCursorPrefix) + ws.exchange_cursor->source,
                   std::move(v)});
  }
  if (!ws.file_digest.empty()) {
    std::string v;
    coding::PutFixed64BE(&v, ws.file_first_batch);
    coding::PutFixed64BE(&v, ws.file_rows_through);
    ops.push_back({kMeta, false, std::string(kFileDigestPrefix) + ws.file_digest, std::move(v)});
  }

  const std::string what = "committing batch " + std::to_string(ws.batch.id);
  if (ws.records.size() >= kBulkCommitRecords) {
    XY_RETURN_IF_ERROR(CommitByIngestion(&ops).WithContext(what));
  } else {
    rocksdb::WriteBatch wb;
    for (const keys::CommitOp& op : ops) {
      if (op.del) {
        wb.Delete((*cf_)[op.cf], op.key);
      } else {
        wb.Put((*cf_)[op.cf], op.key, op.value);
      }
    }
    rocksdb::WriteOptions wo;
    wo.sync = options_.sync;
    XY_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &wb), what));
  }
  next_change_.store(change_seq);
  std::lock_guard slock(stats_mu_);
  stats_ = std::move(next);
  return Status::Ok();
}

Status RocksDbStore::ReadChanges(uint64_t from, size_t limit, bool with_records,
                                 std::vector<Change>* out) const {
  if ((*cf_)[kChanges] == nullptr || limit == 0) return Status::Ok();
  // One snapshot for the feed and the records it names.
  const rocksdb::Snapshot* snap = db_->GetSnapshot();
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~Release() { db->ReleaseSnapshot(s); }
  } release{db_.get(), snap};
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  const size_t first = out->size();
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, (*cf_)[kChanges]));
    size_t n = 0;
    for (it->Seek(keys::SubjectKey(from)); it->Valid() && n < limit; it->Next(), ++n) {
      auto k = it->key().ToStringView();
      auto v = it->value().ToStringView();
      if (k.size() != 8 || v.size() != 20) return Status::DataLoss("a change-feed entry is corrupt");
      Change c;
      c.seq = coding::DecodeFixed64BE(k.data());
      c.subject_id = coding::DecodeFixed64BE(v.data());
      c.record_id = coding::DecodeFixed64BE(v.data() + 8);
      c.version = coding::DecodeFixed32BE(v.data() + 16);
      out->push_back(std::move(c));
    }
    XY_RETURN_IF_ERROR(FromRocks(it->status(), "reading the change feed"));
  }
  if (!with_records) return Status::Ok();
  // The versions by batched point reads (MultiGet), skipping deletion events.
  std::vector<size_t> which;
  std::vector<std::string> key_bytes;
  for (size_t i = first; i < out->size(); ++i) {
    const Change& c = (*out)[i];
    if (c.version == 0) continue;
    which.push_back(i);
    key_bytes.push_back(keys::RecordKey(c.subject_id, c.record_id, c.version));
  }
  std::vector<rocksdb::Slice> slices(key_bytes.begin(), key_bytes.end());
  std::vector<rocksdb::PinnableSlice> values(slices.size());
  std::vector<rocksdb::Status> statuses(slices.size());
  if (!slices.empty()) {
    db_->MultiGet(ro, (*cf_)[kRecords], slices.size(), slices.data(), values.data(),
                  statuses.data());
  }
  for (size_t j = 0; j < which.size(); ++j) {
    Change& c = (*out)[which[j]];
    if (statuses[j].IsNotFound()) continue;  // erased since
    XY_RETURN_IF_ERROR(FromRocks(statuses[j], "reading the records of the change feed"));
    Record r;
    if (!DecodeRecordValue(values[j].ToStringView(), &r)) {
      return Status::DataLoss("record " + std::to_string(c.record_id) + " is corrupt");
    }
    r.subject_id = c.subject_id;
    r.record_id = c.record_id;
    r.version = c.version;
    c.record = std::move(r);
  }
  return Status::Ok();
}

Result<uint64_t> RocksDbStore::LastChangeSeq() const { return next_change_.load() - 1; }

Result<uint64_t> RocksDbStore::ExchangeCursorOf(std::string_view source) const {
  std::string v;
  auto s = db_->Get(rocksdb::ReadOptions(), (*cf_)[kMeta],
                    std::string(kExchangeCursorPrefix) + std::string(source), &v);
  if (s.IsNotFound()) return uint64_t{0};
  if (!s.ok()) return FromRocks(s, "reading the exchange cursor of " + std::string(source));
  if (v.size() != 8) return Status::DataLoss("the exchange cursor of " + std::string(source) + " is corrupt");
  return coding::DecodeFixed64BE(v.data());
}

Result<std::optional<FileDigestHit>> RocksDbStore::FindFileDigest(std::string_view digest) const {
  std::string v;
  auto s = db_->Get(rocksdb::ReadOptions(), (*cf_)[kMeta],
                    std::string(kFileDigestPrefix) + std::string(digest), &v);
  if (s.IsNotFound()) return std::optional<FileDigestHit>();
  if (!s.ok()) return FromRocks(s, "reading a file digest");
  if (v.size() != 8 && v.size() != 16) return Status::DataLoss("a file digest entry is corrupt");
  FileDigestHit hit;
  hit.first_batch = coding::DecodeFixed64BE(v.data());
  hit.rows_through = v.size() == 16 ? coding::DecodeFixed64BE(v.data() + 8)
                                    : std::numeric_limits<uint64_t>::max();  // an older entry
  return std::optional<FileDigestHit>(hit);
}

// Large batches bypass the memtable and the write-ahead log: each column family's changes are
// sorted into an SST file and all files are ingested in one atomic, durable MANIFEST update
// (DB::IngestExternalFiles). After a crash either every file of the batch is part of the
// database or none is.
Status RocksDbStore::CommitByIngestion(std::vector<keys::CommitOp>* ops_ptr) {
  auto& ops = *ops_ptr;
  std::vector<std::vector<uint32_t>> by_cf(kCfCount);
  for (uint32_t i = 0; i < ops.size(); ++i) by_cf[ops[i].cf].push_back(i);
  const std::string dir = path_ + "/ingest";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Unavailable("cannot create " + dir + ": " + ec.message());
  static std::atomic<uint64_t> file_seq{0};
  std::vector<rocksdb::IngestExternalFileArg> args;
  std::vector<std::string> written;
  auto cleanup = [&] {
    for (const auto& f : written) std::filesystem::remove(f, ec);
  };
  for (size_t cf = 0; cf < kCfCount; ++cf) {
    auto& idx = by_cf[cf];
    if (idx.empty()) continue;
    // Sorted by key; among equal keys the last change wins (a record corrected twice in a batch).
    std::stable_sort(idx.begin(), idx.end(),
                     [&](uint32_t a, uint32_t b) { return ops[a].key < ops[b].key; });
    rocksdb::Options cf_options(db_->GetDBOptions(), db_->GetOptions((*cf_)[cf]));
    // Ingested files land in level 0 and are rewritten by compaction, which applies the
    // column family's real compression; here only speed matters.
    cf_options.compression = rocksdb::kNoCompression;
    cf_options.bottommost_compression = rocksdb::kNoCompression;
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), cf_options, (*cf_)[cf]);
    std::string file = dir + "/" + std::to_string(::getpid()) + "-" +
                       std::to_string(file_seq.fetch_add(1)) + ".sst";
    auto s = writer.Open(file);
    if (!s.ok()) {
      cleanup();
      return FromRocks(s, "opening " + file);
    }
    written.push_back(file);
    for (size_t k = 0; k < idx.size(); ++k) {
      if (k + 1 < idx.size() && ops[idx[k + 1]].key == ops[idx[k]].key) continue;
      const keys::CommitOp& op = ops[idx[k]];
      s = op.del ? writer.Delete(op.key) : writer.Put(op.key, op.value);
      if (!s.ok()) {
        cleanup();
        return FromRocks(s, "writing " + file);
      }
    }
    s = writer.Finish();  // syncs the file
    if (!s.ok()) {
      cleanup();
      return FromRocks(s, "finishing " + file);
    }
    rocksdb::IngestExternalFileArg arg;
    arg.column_family = (*cf_)[cf];
    arg.external_files = {file};
    arg.options.move_files = true;
    arg.options.write_global_seqno = false;
    arg.options.verify_file_checksum = false;
    args.push_back(std::move(arg));
  }
  if (options_.sync) {
    // Writes made without a sync of their own (an audit entry's group, AppendAudit) wait in the
    // write-ahead log for the next synced write; ingestion bypasses the log, so it is synced
    // first: what survives a crash is always a prefix of what was written.
    auto synced = db_->SyncWAL();
    if (!synced.ok()) {
      cleanup();
      return FromRocks(synced, "syncing the write-ahead log before a batch");
    }
  }
  auto s = db_->IngestExternalFiles(args);
  cleanup();  // moved files are hard links now; the originals go
  return FromRocks(s, "ingesting batch files");
}

Status RocksDbStore::PutToken(uint64_t id, std::string_view secret_hash, std::string_view value) {
  if ((*cf_)[kAccess] == nullptr || options_.read_only) {
    return Status::FailedPrecondition("the store is read-only");
  }
  if (secret_hash.empty()) return Status::InvalidArgument("a token needs the hash of its secret");
  std::string id_bytes;
  coding::PutFixed64BE(&id_bytes, id);
  rocksdb::WriteBatch batch;
  XY_RETURN_IF_ERROR(
      FromRocks(batch.Put((*cf_)[kAccess], keys::TokenKey(id), value), "saving token"));
  XY_RETURN_IF_ERROR(FromRocks(
      batch.Put((*cf_)[kAccess], keys::TokenHashKey(secret_hash), id_bytes), "saving token"));
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Write(wo, &batch), "saving token " + std::to_string(id));
}

Result<std::optional<std::pair<uint64_t, std::string>>> RocksDbStore::FindTokenByHash(
    std::string_view secret_hash) const {
  using Found = std::optional<std::pair<uint64_t, std::string>>;
  if ((*cf_)[kAccess] == nullptr || secret_hash.empty()) return Found();
  rocksdb::PinnableSlice id_bytes;
  auto s = db_->Get(rocksdb::ReadOptions(), (*cf_)[kAccess], keys::TokenHashKey(secret_hash),
                    &id_bytes);
  if (s.IsNotFound()) return Found();
  if (!s.ok()) return FromRocks(s, "looking up token");
  if (id_bytes.size() != 8) return Status::DataLoss("a token hash entry has a bad size");
  const uint64_t id = coding::DecodeFixed64BE(id_bytes.data());
  std::string v;
  s = db_->Get(rocksdb::ReadOptions(), (*cf_)[kAccess], keys::TokenKey(id), &v);
  if (s.IsNotFound()) {
    return Status::DataLoss("a token hash entry names token " + std::to_string(id) +
                            ", which is missing");
  }
  if (!s.ok()) return FromRocks(s, "reading token");
  return Found(std::pair<uint64_t, std::string>(id, std::move(v)));
}

Status RocksDbStore::ScanTokens(
    const std::function<bool(uint64_t id, std::string_view value)>& fn) const {
  if ((*cf_)[kAccess] == nullptr) return Status::Ok();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), (*cf_)[kAccess]));
  for (it->Seek("t"); it->Valid() && it->key().starts_with("t"); it->Next()) {
    auto k = it->key().ToStringView();
    if (k.size() != 9) return Status::DataLoss("a token key is corrupt");
    if (!fn(coding::DecodeFixed64BE(k.data() + 1), it->value().ToStringView())) break;
  }
  return FromRocks(it->status(), "listing tokens");
}

Status RocksDbStore::PutConsent(uint64_t subject_id, uint64_t consent_id, std::string_view value) {
  OnReturn changed{[&] { Changed(subject_id); }};
  if ((*cf_)[kAccess] == nullptr || options_.read_only) {
    return Status::FailedPrecondition("the store is read-only");
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Put(wo, (*cf_)[kAccess], keys::ConsentKey(subject_id, consent_id), value),
                   "saving consent");
}

Status RocksDbStore::ListConsents(
    uint64_t subject_id,
    const std::function<bool(uint64_t id, std::string_view value)>& fn) const {
  if ((*cf_)[kAccess] == nullptr) return Status::Ok();
  const std::string prefix = keys::ConsentPrefix(subject_id);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), (*cf_)[kAccess]));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto k = it->key().ToStringView();
    if (k.size() != prefix.size() + 8) return Status::DataLoss("a consent key is corrupt");
    if (!fn(coding::DecodeFixed64BE(k.data() + prefix.size()), it->value().ToStringView())) break;
  }
  return FromRocks(it->status(), "listing consents");
}

Result<std::optional<BatchReport>> RocksDbStore::GetBatch(uint64_t id) const {
  std::string v;
  auto s = db_->Get(rocksdb::ReadOptions(), (*cf_)[kBatches], keys::BatchKey(id), &v);
  if (s.IsNotFound()) return std::optional<BatchReport>();
  if (!s.ok()) return FromRocks(s, "reading batch");
  BatchReport b;
  if (!DecodeBatchReport(v, &b)) return Status::DataLoss("batch " + std::to_string(id) + " is corrupt");
  b.id = id;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), (*cf_)[kBatchIssues]));
  const std::string prefix = keys::BatchKey(id);
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    auto k = it->key().ToStringView();
    if (!k.starts_with(prefix)) break;
    RowIssue issue;
    if (k.size() != 13 || !DecodeRowIssue(it->value().ToStringView(), &issue)) {
      return Status::DataLoss("batch issue is corrupt");
    }
    (k[8] == 'r' ? b.rejections : b.warnings).push_back(std::move(issue));
  }
  XY_RETURN_IF_ERROR(FromRocks(it->status(), "reading batch issues"));
  return std::optional<BatchReport>(std::move(b));
}

Status RocksDbStore::ListBatches(size_t limit, std::string_view dept,
                                 std::vector<BatchSummary>* out) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), (*cf_)[kBatches]));
  for (it->SeekToLast(); it->Valid() && out->size() < limit; it->Prev()) {
    BatchReport b;
    if (it->key().size() != 8 || !DecodeBatchReport(it->value().ToStringView(), &b)) {
      return Status::DataLoss("batch entry is corrupt");
    }
    if (!dept.empty() && b.dept != dept) continue;
    out->push_back({coding::DecodeFixed64BE(it->key().data()), b.file, b.indicator, b.dept, b.rows,
                    b.accepted, b.rejected, b.duplicates, b.late});
  }
  return FromRocks(it->status(), "listing batches");
}

Result<StoreStats> RocksDbStore::Stats() const {
  StoreStats s;
  {
    std::lock_guard lock(stats_mu_);
    s = stats_;
  }
  // Table files only (the write-ahead log and memtables are transient); a property RocksDB
  // keeps up to date, so health checks do not walk the directory.
  uint64_t sst = 0;
  if (db_->GetAggregatedIntProperty("rocksdb.total-sst-files-size", &sst)) s.disk_bytes = sst;
  return s;
}

Status RocksDbStore::CompactAll() {
  rocksdb::CompactRangeOptions options;
  // Rewrite the bottom level too, so that changed compression settings take effect.
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  for (auto* h : cf_->h) {
    if (h == nullptr) continue;  // a column family an older read-only store lacks
    XY_RETURN_IF_ERROR(FromRocks(db_->Flush(rocksdb::FlushOptions(), h), "flush"));
    XY_RETURN_IF_ERROR(
        FromRocks(db_->CompactRange(options, h, nullptr, nullptr), "compact"));
  }
  return WaitForCompactions();
}

Status RocksDbStore::WaitForCompactions() {
  // RocksDB rewrites bottommost files whose sequence numbers could be zeroed only once the oldest
  // snapshot moves past them — on the release of a snapshot. Taking and releasing one here gets
  // that work scheduled now rather than in the middle of the next long scan.
  db_->ReleaseSnapshot(db_->GetSnapshot());
  for (;;) {
    uint64_t pending = 0, running = 0;
    if (!db_->GetAggregatedIntProperty("rocksdb.compaction-pending", &pending) ||
        !db_->GetAggregatedIntProperty("rocksdb.num-running-compactions", &running)) {
      return Status::Internal("the store does not report its compactions");
    }
    if (pending == 0 && running == 0) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace xinyong::storage

namespace xinyong::storage {

Status RocksDbStore::SaveReport(uint64_t id, std::string_view value) {
  if ((*cf_)[kReports] == nullptr || options_.read_only) {
    return Status::FailedPrecondition("the store is read-only");
  }
  const std::string key = keys::SubjectKey(id);  // the report id, 8 bytes big-endian
  std::string existing;
  auto s = db_->Get(rocksdb::ReadOptions(), (*cf_)[kReports], key, &existing);
  if (s.ok()) return Status::AlreadyExists("report " + std::to_string(id) + " is already issued");
  if (!s.IsNotFound()) return FromRocks(s, "reading report " + std::to_string(id));
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Put(wo, (*cf_)[kReports], key, rocksdb::Slice(value.data(), value.size())),
                   "saving report " + std::to_string(id));
}

Result<std::optional<std::string>> RocksDbStore::GetReport(uint64_t id) const {
  if ((*cf_)[kReports] == nullptr) return std::optional<std::string>();  // read-only, older store
  std::string v;
  auto s = db_->Get(rocksdb::ReadOptions(), (*cf_)[kReports], keys::SubjectKey(id), &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "reading report " + std::to_string(id));
  return std::optional<std::string>(std::move(v));
}

Status RocksDbStore::ScanReports(
    ScanOrder order, const std::function<bool(uint64_t id, std::string_view value)>& fn) const {
  if ((*cf_)[kReports] == nullptr) return Status::Ok();  // read-only, older store
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), (*cf_)[kReports]));
  const bool newest_first = order == ScanOrder::kNewestFirst;
  for (newest_first ? it->SeekToLast() : it->SeekToFirst(); it->Valid();
       newest_first ? it->Prev() : it->Next()) {
    auto k = it->key().ToStringView();
    if (k.size() != 8) return Status::DataLoss("a report key is corrupt");
    if (!fn(coding::DecodeFixed64BE(k.data()), it->value().ToStringView())) break;
  }
  return FromRocks(it->status(), "scanning reports");
}

}  // namespace xinyong::storage
