#include "ingest/ingester.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <optional>
#include <unordered_set>
#include <span>
#include <thread>
#include <unordered_map>

#include "core/coding.h"
#include "core/identifiers.h"
#include "core/utf8.h"
#include "ingest/csv_reader.h"
#include "ingest/derivation.h"
#include "ingest/field_validation.h"
#include "ingest/jsonl_reader.h"
#include "ingest/row_validator.h"
#include "ingest/text_source.h"

namespace xinyong::ingest {

using catalog::Indicator;

namespace {

int64_t NowUnixMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Names compare equal when they differ only in bracket width or spacing: departments mix
// "（" and "(" freely, and that is no reason to flag a conflict.
// The next byte of `name` from *i as compared: full-width brackets as ASCII ones, spaces
// (ASCII and U+3000) skipped; -1 at the end.
int NextComparable(std::string_view name, size_t* i) {
  while (*i < name.size()) {
    std::string_view rest = name.substr(*i);
    if (rest.starts_with("（")) { *i += 3; return '('; }
    if (rest.starts_with("）")) { *i += 3; return ')'; }
    if (rest.starts_with("\xE3\x80\x80")) { *i += 3; continue; }
    if (name[*i] == ' ') { ++*i; continue; }
    return static_cast<unsigned char>(name[(*i)++]);
  }
  return -1;
}

// Whether the two names are the same after that normalization (per row, so without copies).
bool SameNameForComparison(std::string_view a, std::string_view b) {
  if (a == b) return true;
  size_t i = 0, j = 0;
  while (true) {
    const int x = NextComparable(a, &i), y = NextComparable(b, &j);
    if (x != y) return false;
    if (x < 0) return true;
  }
}

std::string IdKey(IdentifierKind kind, std::string_view value) {
  std::string k(1, static_cast<char>(kind));
  k.append(value);
  return k;
}

struct Pending {
  uint64_t record_id = 0;
  uint32_t version = 0;
  uint64_t content_hash = 0;
  RecordStatus status = RecordStatus::kActive;  // of that version (a version this run wrote)
  bool stored = false;  // read from the store: its status and department are still to be read
  std::string finding;  // of a version this run wrote: BreachFinding of its values
  bool late = false;    // of a version this run wrote: its record arrived late
};

// The value of the field with `role` in `values`; "" when none.
std::string_view ValueOfRole(const catalog::Indicator& ind, catalog::FieldRole role,
                             const FieldValues& values) {
  const int i = ind.FieldIndexByRole(role);
  return i < 0 ? std::string_view() : values.Get(ind.fields[static_cast<size_t>(i)].code);
}

// The finding of breach a version of a commitment records (FACTS §7): its fulfilment status
// when that is 部分履行 or 全部未履行, with the date it was found — "部分履行（2026-06-01）" —
// else "". The date is part of it: measures and publicity run from it.
std::string BreachFinding(const catalog::Indicator& ind, const FieldValues& values) {
  const std::string_view status = ValueOfRole(ind, catalog::FieldRole::kFulfilmentStatus, values);
  if (!catalog::IsBreachStatus(status)) return {};
  return std::string(status) + "（" +
         std::string(ValueOfRole(ind, catalog::FieldRole::kFulfilmentDate, values)) + "）";
}

// A row's natural key as the store held it when read ahead (Run::Prefetch); subject_id 0 when
// it was not read.
struct Prefetched {
  uint64_t subject_id = 0;
  std::optional<storage::NaturalKeyHit> hit;
};

// Rows whose natural keys are read from the store in one batched read.
constexpr size_t kPrefetchRows = 256;

// A batch's commit runs on its own thread while the next batch is built. What the next batch
// must know of the one in flight it finds in memory, never in the store: its identifiers and
// subjects in the Ingester's caches (never evicted while a commit is in flight), its natural
// keys in `inflight_keys_`. A store read may see the batch in flight partly installed (the
// store installs one column family after another); Load copes with the one dependent read it
// makes, an identifier's subject, by waiting for the commit. (2026-11-22: overlapping was
// switched off after an ingest of 1,000,000 subjects failed on a subject missing from the
// caches; the caches then could evict the batch in flight, fixed in the same hour.)

// Rows travel from the validating thread to the committing one in chunks of this many.
constexpr size_t kChunkRows = 2048;
constexpr size_t kMaxQueuedChunks = 4;

struct Chunk {
  std::vector<PreparedRow> rows;
  size_t used = 0;
};

// A bounded single-producer, single-consumer queue of chunks; the end of input (or a read error)
// is signalled by Close.
class ChunkQueue {
 public:
  void Push(std::unique_ptr<Chunk> c) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return q_.size() < kMaxQueuedChunks || cancelled_; });
    if (cancelled_) return;
    q_.push_back(std::move(c));
    not_empty_.notify_one();
  }
  // nullptr at the end.
  std::unique_ptr<Chunk> Pop() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !q_.empty() || closed_; });
    if (q_.empty()) return nullptr;
    auto c = std::move(q_.front());
    q_.pop_front();
    not_full_.notify_one();
    return c;
  }
  void Close(Status status) {
    std::lock_guard lock(mu_);
    closed_ = true;
    status_ = std::move(status);
    not_empty_.notify_all();
  }
  // The consumer gives up (a storage error): the producer stops at its next Push.
  void Cancel() {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    not_full_.notify_all();
  }
  bool cancelled() {
    std::lock_guard lock(mu_);
    return cancelled_;
  }
  Status status() {
    std::lock_guard lock(mu_);
    return status_;
  }

 private:
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<std::unique_ptr<Chunk>> q_;
  bool closed_ = false, cancelled_ = false;
  Status status_;
};

}  // namespace

// The second stage of one file's ingest: resolves or creates subjects, drops duplicates, turns
// changed content into new versions, and commits batches. Runs on the calling thread.
class Ingester::Run {
 public:
  Run(Ingester& in, const Indicator& indicator, const IngestOptions& options, std::string file,
      std::string encoding, std::string format)
      : in_(in), ind_(indicator), opt_(options) {
    // A path's bytes (a GBK file name from an unzipped archive) or a typed department name may
    // be no UTF-8: stored as such they would break JSON answers and the governance workbook.
    report_.file = SanitizeUtf8(file);
    report_.indicator = indicator.code;
    report_.encoding = std::move(encoding);
    report_.format = std::move(format);
    StartBatch();
  }

  // The input's digest (TextSource::Digest) and what an earlier delivery of it committed.
  struct DigestCheck {
    std::string digest;
    std::optional<storage::FileDigestHit> before;
  };

  // The digest is remembered with every batch, with the rows of the file committed so far.
  // When a committed batch already carried it, the input is a re-delivery: up to the last row
  // committed before, a row equal to any stored version of its record, not only the current
  // one, is a duplicate. A file that corrects a record within itself then changes nothing when
  // it is ingested again, and a rerun after a crash goes on from where the first run stopped
  // as that run would have (the rows after it are ingested as usual, even one that restores an
  // earlier content of a record the file corrected before it); a new file that restores an
  // earlier content is still a new version. The check (a whole second read of the input) runs
  // beside the first rows and is waited for when first needed: by a row that differs from its
  // stored version, a registration row under a former name, or the first commit.
  void SetDigest(std::future<Result<DigestCheck>> check) {
    digest_check_ = std::move(check);
    digest_warning_at_ = ws_.batch.warnings.size();
  }

  // Adds a file-level warning (row 0) to the batch being built: the first one for CSV header
  // problems, the last one for JSON keys (known only once every line was read).
  void Warn(std::string field, std::string code, std::string message) {
    ws_.batch.warnings.push_back({0, std::move(field), std::move(code), std::move(message)});
  }

  // Adds prepared rows in order, reading the natural keys of a stretch of them from the store
  // in one batched read first.
  Status AddRows(std::span<PreparedRow> rows) {
    for (size_t i = 0; i < rows.size(); i += kPrefetchRows) {
      auto stretch = rows.subspan(i, std::min(kPrefetchRows, rows.size() - i));
      XY_RETURN_IF_ERROR(Prefetch(stretch));
      for (size_t j = 0; j < stretch.size(); ++j) {
        XY_RETURN_IF_ERROR(Add(stretch[j], &prefetched_[j]));
      }
    }
    return Status::Ok();
  }

  Status Add(PreparedRow& p, const Prefetched* prefetched) {
    ++ws_.batch.rows;
    last_row_ = std::max(last_row_, p.row);
    const size_t warned = ws_.batch.warnings.size();
    const uint64_t accepted = ws_.batch.accepted, corrected = ws_.batch.corrected;
    for (auto& w : p.warnings) ws_.batch.warnings.push_back(std::move(w));
    if (p.rejected) {
      Reject(std::move(p.issue));
    } else {
      XY_RETURN_IF_ERROR(Accept(p, prefetched));
    }
    // Timeliness is judged of new decisions only (a correction keeps its decision's verdict):
    // a row rejected, a duplicate or a correction does not leave it undecided.
    if (ws_.batch.accepted == accepted || ws_.batch.corrected != corrected) {
      auto& w = ws_.batch.warnings;
      w.erase(std::remove_if(w.begin() + static_cast<std::ptrdiff_t>(warned), w.end(),
                             [](const RowIssue& i) { return i.code == "calendar_missing"; }),
              w.end());
    }
    if (ws_.batch.rows < opt_.batch_rows) return Status::Ok();
    XY_RETURN_IF_ERROR(CommitBatch());
    StartBatch();
    return Status::Ok();
  }

  Result<FileReport> Finish() {
    ws_.exchange_cursor = opt_.exchange_cursor;  // with the last batch only
    XY_RETURN_IF_ERROR(CommitBatch());
    if (opt_.leave_last_commit) {
      // Left running: the Ingester's next call waits for it (WaitForLeftCommit). Until then the
      // caches hold what it writes, as for any batch in flight.
      report_.commit = inflight_.share();
      in_.left_commit_ = report_.commit;
      inflight_keys_.clear();
    } else {
      XY_RETURN_IF_ERROR(WaitForCommit());
    }
    report_.seconds = static_cast<double>(NowUnixMs() - started_ms_) / 1000.0;
    return report_;
  }

  // Waits for the batch being committed in the background, if any. A failed commit leaves the
  // caches holding subjects and identifiers that were never stored, so they are dropped.
  Status WaitForCommit() {
    if (!inflight_.valid()) return Status::Ok();
    Status s = inflight_.get();
    ++commits_;
    inflight_keys_.clear();
    if (!s.ok()) {
      in_.known_ids_.clear();
      in_.known_subjects_.clear();
    }
    return s;
  }

  ~Run() {
    WaitForCommit().IgnoreError();
    if (digest_check_.valid()) digest_check_.wait();  // it reads the input
  }

 private:
  void StartBatch() {
    ws_ = storage::WriteSet();
    ws_.batch.id = in_.store_.NextId(storage::IdSpace::kBatch);
    ws_.batch.file = report_.file;
    ws_.batch.part = static_cast<uint32_t>(report_.batches.size() + 1);
    ws_.batch.indicator = ind_.code;
    ws_.batch.dept = SanitizeUtf8(opt_.dept);
    ws_.batch.encoding = report_.encoding;
    ws_.batch.format = opt_.objection ? std::string("objection") : report_.format;
    ws_.batch.received_date = opt_.received_date;
    ws_.batch.started_unix_ms = NowUnixMs();
    ws_.batch.first_row = next_first_row_;
    subjects_.clear();
    write_.clear();
    subject_index_.clear();
    id_index_.clear();
    pending_keys_.clear();
  }

  // Hands the batch to a background commit, so that the next batch is built meanwhile; at most
  // one batch is in flight, and batches commit in order. Until its commit completes, the batch's
  // identifiers, subjects and natural keys stay visible to the next one through the caches and
  // inflight_keys_.
  Status CommitBatch() {
    XY_RETURN_IF_ERROR(ResolveDigest());
    if (!digest_.empty()) {
      ws_.file_digest = digest_;
      ws_.file_first_batch = report_.batches.empty() ? ws_.batch.id : report_.batches.front();
      ws_.file_rows_through = std::max(redelivered_through_, last_row_);
    }
    BatchReport& b = ws_.batch;
    b.seconds = static_cast<double>(NowUnixMs() - b.started_unix_ms) / 1000.0;
    next_first_row_ = b.first_row + b.rows;
    // Only subjects this batch created or changed are written.
    for (size_t i = 0; i < subjects_.size(); ++i) {
      if (write_[i]) ws_.subjects.push_back(subjects_[i]);
    }
    XY_RETURN_IF_ERROR(WaitForCommit());
    report_.batches.push_back(b.id);
    report_.rows += b.rows;
    report_.accepted += b.accepted;
    report_.rejected += b.rejected;
    report_.duplicates += b.duplicates;
    report_.corrected += b.corrected;
    report_.late += b.late;
    report_.new_subjects += b.new_subjects;
    report_.warnings += b.warnings.size();
    inflight_keys_ = std::move(pending_keys_);
    auto batch = std::make_shared<storage::WriteSet>(std::move(ws_));
    storage::Store* store = &in_.store_;
    const Ingester::CommitObserver* observer = &in_.observer_;
    const uint64_t deferral = opt_.grading_deferral;
    inflight_ = std::async(std::launch::async, [store, batch, observer, deferral,
                                                hold = opt_.hold_until_committed]() mutable {
      // Let go here, even if something throws, not whenever the task's state goes.
      struct Release {
        std::shared_ptr<void>& hold;
        ~Release() { hold.reset(); }
      } release{hold};
      // An exception from the store is returned as a failed commit, like any other: it must not
      // surface where the result is taken (a destructor among those places).
      Status s;
      try {
        s = store->Commit(*batch);
      } catch (const std::exception& e) {
        return Status::Internal("committing batch " + std::to_string(batch->batch.id) + ": " +
                                e.what());
      }
      if (s.ok() && *observer && (!batch->subjects.empty() || !batch->records.empty())) {
        try {
          std::vector<uint64_t> touched;
          touched.reserve(batch->records.size());
          for (const auto& w : batch->records) touched.push_back(w.record.subject_id);
          std::sort(touched.begin(), touched.end());
          touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
          (*observer)(
              CommittedBatch{batch->batch.id, batch->subjects, touched, batch->records, deferral});
        } catch (const std::exception& e) {
          // The batch is durable, but what follows from it (the code directory, the name index,
          // the grades) could not follow, and nothing would bring it back later: a resent
          // exchange batch is skipped by its cursor. The process stops, as if killed at this
          // moment, which recovery handles: a restart rebuilds the indexes from the store and
          // regrades from the marks left.
          std::fprintf(stderr,
                       "xinyong: batch %llu was committed, but updating what follows from it "
                       "failed (%s); stopping so that a restart rebuilds it\n",
                       static_cast<unsigned long long>(batch->batch.id), e.what());
          std::abort();
        }
      }
      return s;
    });
    // The batch's identifiers and subjects must stay visible until its commit completes, so they
    // are cached unconditionally, after making room (what is there was committed). Only once
    // the commit is under way: a batch that never reaches it must leave nothing here.
    in_.MakeRoom(id_index_.size(), subjects_.size());
    for (const auto& [key, id] : id_index_) in_.known_ids_.insert_or_assign(key, id);
    for (auto& s : subjects_) {
      uint64_t id = s.id;
      in_.known_subjects_.insert_or_assign(id, std::move(s));
    }
    return Status::Ok();
  }

  // Takes the digest check's result (SetDigest) into the first batch, once.
  Status ResolveDigest() {
    if (!digest_check_.valid()) return Status::Ok();
    XY_ASSIGN_OR_RETURN(DigestCheck check, digest_check_.get());
    digest_ = std::move(check.digest);
    if (!check.before) return Status::Ok();
    redelivered_through_ = check.before->rows_through;
    // Where it would have been had the check been done at once: after the warnings of the
    // header, before those of rows (warnings are only ever appended meanwhile).
    auto& w = ws_.batch.warnings;
    w.insert(w.begin() + static_cast<std::ptrdiff_t>(std::min(digest_warning_at_, w.size())),
             {0, "", "redelivered",
                  "the same file was ingested before (batch " +
                      std::to_string(check.before->first_batch) +
                      "): rows equal to a version already stored are counted as duplicates"});
    return Status::Ok();
  }

  void Reject(RowIssue issue) {
    ++ws_.batch.rejected;
    ws_.batch.rejections.push_back(std::move(issue));
  }

  void Warn(uint64_t row, std::string field, std::string code, std::string message) {
    ws_.batch.warnings.push_back(
        {static_cast<uint32_t>(row), std::move(field), std::move(code), std::move(message)});
  }

  const std::string& NameField() const {
    static const std::string kNone;
    int i = ind_.FieldIndexByRole(catalog::FieldRole::kSubjectName);
    return i >= 0 ? ind_.fields[static_cast<size_t>(i)].code : kNone;
  }

  // The subject an identifier key (IdKey) names in this batch or the caches, if they know it.
  std::optional<uint64_t> Cached(const std::string& key) const {
    if (auto p = id_index_.find(key); p != id_index_.end()) return p->second;
    if (auto q = in_.known_ids_.find(key); q != in_.known_ids_.end()) return q->second;
    return std::nullopt;
  }

  // The subject an identifier resolves to: this batch's own first, then the committed ones.
  Result<std::optional<uint64_t>> Lookup(const Identifier& id) {
    std::string key = IdKey(id.kind, id.value);
    if (auto cached = Cached(key)) return cached;
    XY_ASSIGN_OR_RETURN(auto hit, in_.store_.FindSubject(id.kind, id.value));
    if (hit) in_.RememberId(key, *hit);
    return hit;
  }

  static bool HasIdentifier(const Subject& s, const Identifier& id) {
    return std::find(s.identifiers.begin(), s.identifiers.end(), id) != s.identifiers.end();
  }

  // Index in subjects_ of a known subject, loading it (unchanged) into this batch if needed.
  Result<size_t> Load(uint64_t id) {
    if (auto it = subject_index_.find(id); it != subject_index_.end()) return it->second;
    if (auto c = in_.known_subjects_.find(id); c != in_.known_subjects_.end()) {
      subjects_.push_back(c->second);
    } else {
      XY_ASSIGN_OR_RETURN(auto stored, in_.store_.GetSubject(id));
      if (!stored && inflight_.valid()) {
        // The identifier may come from the batch in flight, its subject not yet installed.
        XY_RETURN_IF_ERROR(WaitForCommit());
        XY_ASSIGN_OR_RETURN(stored, in_.store_.GetSubject(id));
      }
      if (!stored) {
        return Status::DataLoss("identifier index names subject " + std::to_string(id) +
                                ", which is not stored");
      }
      subjects_.push_back(std::move(*stored));
    }
    subject_index_[id] = subjects_.size() - 1;
    write_.push_back(false);
    return subjects_.size() - 1;
  }

  // Index in subjects_ of the row's subject, found or created. The USCC decides: a legacy code
  // (or the organization code inside a new USCC) that belongs to a subject with another USCC is
  // a conflict, reported and not followed.
  // `known`, when not 0, is the subject the row's first code was found to name (Prefetch).
  // A known subject is not changed here: its new codes and a new name wait in `ids` for
  // UpdateSubject, once the row is accepted (a rejected row leaves the subject as stored).
  struct Resolved {
    size_t index = 0;  // in subjects_
    bool created = false;
    std::vector<Identifier> ids;  // the row's codes, conflicting ones left out
  };
  Result<Resolved> ResolveSubject(const PreparedRow& p, uint64_t known) {
    std::optional<uint64_t> found;
    std::optional<size_t> found_index;  // of `found` in subjects_
    std::vector<Identifier> ids = p.ids;
    bool first = true;
    for (size_t i = 0; i < ids.size();) {
      const Identifier& id = ids[i];
      if (id.kind == IdentifierKind::kPersonCode) {  // derived from the hash; not a key
        ++i;
        continue;
      }
      // A code the subject found already has names it (a code names one subject): no lookup.
      if (found_index && HasIdentifier(subjects_[*found_index], id)) {
        ++i;
        continue;
      }
      std::optional<uint64_t> hit;
      if (first && known != 0) {
        hit = known;
      } else {
        XY_ASSIGN_OR_RETURN(hit, Lookup(id));
      }
      first = false;
      bool conflict = false;
      if (hit && !found && id.kind != IdentifierKind::kUscc && !p.uscc.empty()) {
        // Our USCC is unknown (it is looked up first); a subject that has another one is not us.
        XY_ASSIGN_OR_RETURN(size_t other, Load(*hit));
        conflict = !subjects_[other].uscc.empty();
      } else if (hit && found && *found != *hit) {
        conflict = true;
      }
      if (conflict) {
        Warn(p.row, "", "identifier_conflict",
             std::string(IdentifierKindName(id.kind)) + " " + id.value +
                 " belongs to another subject; the USCC (or the first code given) decides");
        ids.erase(ids.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
      if (hit && !found) {
        found = hit;
        XY_ASSIGN_OR_RETURN(found_index, Load(*hit));
      }
      ++i;
    }

    if (!found) {
      Subject s;
      s.id = in_.store_.NextId(storage::IdSpace::kSubject);
      s.type = p.type;
      s.name = p.name;
      s.uscc = p.uscc;
      s.identifiers = std::move(ids);
      s.region = p.region;
      s.status = p.status;
      s.industry = p.industry;
      s.id_masked = p.person_mask;
      s.id_sealed = p.person_sealed;
      s.first_seen = opt_.received_date;
      s.first_batch = ws_.batch.id;
      ++ws_.batch.new_subjects;
      for (const Identifier& id : s.identifiers) id_index_[IdKey(id.kind, id.value)] = s.id;
      subject_index_[s.id] = subjects_.size();
      subjects_.push_back(std::move(s));
      write_.push_back(true);
      return Resolved{subjects_.size() - 1, true, {}};
    }
    XY_ASSIGN_OR_RETURN(size_t idx, Load(*found));
    return Resolved{idx, false, std::move(ids)};
  }

  // What an accepted row says of its known subject: codes first seen now (a legacy code, or
  // its new USCC) and, from registration, a new name; other indicators' names are compared.
  Status UpdateSubject(size_t idx, const PreparedRow& p, const std::vector<Identifier>& ids) {
    Subject& s = subjects_[idx];
    // New codes for a known subject (a legacy code first seen now, or its new USCC).
    for (const Identifier& id : ids) {
      if (HasIdentifier(s, id)) continue;
      if (id.kind == IdentifierKind::kPersonCode) continue;
      XY_ASSIGN_OR_RETURN(auto owner, Lookup(id));
      if (owner && *owner != s.id) continue;  // warned above
      s.identifiers.push_back(id);
      id_index_[IdKey(id.kind, id.value)] = s.id;
      if (id.kind == IdentifierKind::kUscc && s.uscc.empty()) s.uscc = id.value;
      write_[idx] = true;
    }
    if (s.type != SubjectType::kNaturalPerson &&
        !SameNameForComparison(s.name, p.name)) {
      const bool former = std::find(s.former_names.begin(), s.former_names.end(), p.name) !=
                          s.former_names.end();
      if (former) XY_RETURN_IF_ERROR(ResolveDigest());
      if (ind_.code == "reg_basic" && former && Redelivered(p)) {
        // A re-delivered file that renames within itself: its earlier name was replaced before
        // (its row is a duplicate of a stored version); the subject keeps its name.
      } else if (ind_.code == "reg_basic") {
        // Registration is the authority on names: a different name is a rename.
        Warn(p.row, NameField(), "renamed",
             "subject renamed from '" + s.name + "' to '" + p.name + "'");
        s.former_names.push_back(s.name);
        s.name = p.name;
        write_[idx] = true;
      } else {
        Warn(p.row, NameField(), former ? "former_name" : "name_conflict",
             "the name '" + p.name + "' differs from the stored name '" + s.name + "' for code " +
                 s.DisplayCode() + (former ? " (it is a former name)" : ""));
      }
    }
    return Status::Ok();
  }

  // The stored natural keys of the rows of `stretch` whose subject is already known without a
  // store read, in one batched read (prefetched_[i] for stretch[i]; subject_id 0 when not read).
  Status Prefetch(std::span<const PreparedRow> stretch) {
    prefetched_.assign(stretch.size(), Prefetched());
    prefetch_commits_ = commits_;
    std::vector<storage::NaturalKeyQuery> queries;
    std::vector<size_t> rows;
    for (size_t i = 0; i < stretch.size(); ++i) {
      const PreparedRow& p = stretch[i];
      if (p.rejected) continue;
      const uint64_t subject = KnownSubject(p);
      if (subject == 0) continue;
      if (auto it = subject_index_.find(subject);
          it != subject_index_.end() && subjects_[it->second].first_batch == ws_.batch.id) {
        continue;  // created by this batch: nothing of it is stored
      }
      queries.push_back({subject, ind_.code, p.natural_key});
      rows.push_back(i);
    }
    if (queries.size() < 2) return Status::Ok();  // a single read gains nothing
    std::vector<std::optional<storage::NaturalKeyHit>> hits;
    XY_RETURN_IF_ERROR(in_.store_.FindNaturalKeys(queries, &hits));
    for (size_t k = 0; k < rows.size(); ++k) prefetched_[rows[k]] = {queries[k].subject_id, hits[k]};
    return Status::Ok();
  }

  // The subject a row's first code names in this batch or the caches, without reading the
  // store; 0 when none does.
  uint64_t KnownSubject(const PreparedRow& p) const {
    for (const Identifier& id : p.ids) {
      if (id.kind == IdentifierKind::kPersonCode) continue;
      return Cached(IdKey(id.kind, id.value)).value_or(0);
    }
    return 0;
  }

  Status Accept(PreparedRow& p, const Prefetched* prefetched) {
    // What was read ahead holds until a commit completes: that commit may have installed keys
    // the read did not see, or failed and taken back codes the caches held.
    auto fresh = [&] {
      return prefetched != nullptr && prefetched->subject_id != 0 && prefetch_commits_ == commits_;
    };
    const size_t warned = ws_.batch.warnings.size();
    const uint64_t duplicates = ws_.batch.duplicates;
    XY_ASSIGN_OR_RETURN(Resolved subject,
                        ResolveSubject(p, fresh() ? prefetched->subject_id : 0));
    const size_t sidx = subject.index;
    // The stored natural key, read for the subject the row turned out to belong to, and still
    // fresh (resolving may have waited for a commit).
    const bool use_prefetched = fresh() && prefetched->subject_id == subjects_[sidx].id;
    XY_ASSIGN_OR_RETURN(bool accepted, AcceptRecord(sidx, ind_, p, false,
                                                    use_prefetched ? &prefetched->hit : nullptr));
    // A code conflict is a fact of a row stored: a rejected row or a duplicate (counted when
    // first stored) does not warn of it again (the 重错码率 counts rows warned).
    if ((!accepted || ws_.batch.duplicates != duplicates) && ws_.batch.warnings.size() > warned) {
      auto& w = ws_.batch.warnings;
      w.erase(std::remove_if(w.begin() + static_cast<std::ptrdiff_t>(warned), w.end(),
                             [](const RowIssue& i) { return i.code == "identifier_conflict"; }),
              w.end());
    }
    if (!accepted) return Status::Ok();
    if (!subject.created) XY_RETURN_IF_ERROR(UpdateSubject(sidx, p, subject.ids));
    if (p.derived == nullptr) return Status::Ok();
    // The derived record (a commitment breach) belongs to the same subject, in the same batch.
    const Indicator& derived = *in_.catalog_.DerivedFrom(ind_.code);
    return AcceptRecord(sidx, derived, *p.derived, true).status();
  }

  // Stores a prepared row of `ind` for subjects_[sidx]: new, a new version, or a duplicate. A
  // derived row is not a row of the file: it is counted in the file report's `derived` and noted
  // as a warning on its source row, not in the batch's row counts.
  // `stored`, when given, is what the store holds for the row's natural key (Prefetch). False
  // when the row was rejected here (IngestOptions::own_records_only).
  Result<bool> AcceptRecord(size_t sidx, const Indicator& ind, PreparedRow& p, bool derived,
                            const std::optional<storage::NaturalKeyHit>* stored = nullptr) {
    if (!derived) source_new_finding_ = false;
    const Subject& subject = subjects_[sidx];
    std::string pending_key;
    coding::PutFixed64BE(&pending_key, subject.id);
    pending_key += ind.code;
    pending_key += '\0';
    pending_key += p.natural_key;
    std::optional<Pending> prior;
    if (auto it = pending_keys_.find(pending_key); it != pending_keys_.end()) {
      prior = it->second;
    } else if (auto f = inflight_keys_.find(pending_key); f != inflight_keys_.end()) {
      prior = f->second;  // this run's previous batch, still committing
    } else if (subject.first_batch != ws_.batch.id) {
      std::optional<storage::NaturalKeyHit> hit;
      if (stored != nullptr) {
        hit = *stored;
      } else {
        XY_ASSIGN_OR_RETURN(hit, in_.store_.FindNaturalKey(subject.id, ind.code, p.natural_key));
      }
      if (hit) {
        prior = Pending{hit->record_id, hit->version, hit->content_hash, RecordStatus::kActive,
                        true, {}, false};
      }
    }
    bool duplicate = prior && prior->content_hash == p.content_hash;
    if (prior && !duplicate) XY_RETURN_IF_ERROR(ResolveDigest());
    if (prior && !duplicate && Redelivered(p)) {
      XY_ASSIGN_OR_RETURN(duplicate, HasStoredVersion(subject.id, prior->record_id, p.content_hash));
    }
    if (duplicate) {
      if (!derived) ++ws_.batch.duplicates;
      return true;
    }
    // What the store says of a prior version read from it: its status, and the department of
    // the batch that first stored the record (one read, for corrections only).
    RecordStatus status = prior ? prior->status : RecordStatus::kActive;
    std::string owner = opt_.dept;  // a version of this run: this call's department
    std::string finding = prior ? prior->finding : std::string();
    bool late = prior ? prior->late : p.late;
    std::vector<std::string> past_findings;  // of the stored versions
    if (prior && prior->stored) {
      XY_ASSIGN_OR_RETURN(StoredFacts facts, ReadStoredFacts(ind, subject.id, prior->record_id,
                                                             p.content_hash, &p.values));
      // An upheld objection's correction stands: content it replaced does not come back, as a
      // whole or field by field.
      if ((facts.replaced_by_objection || !facts.reverted_field.empty()) && !derived &&
          !opt_.objection) {
        const int fi = facts.reverted_field.empty() ? -1 : ind.FieldIndex(facts.reverted_field);
        const catalog::Field* f = fi < 0 ? nullptr : &ind.fields[static_cast<size_t>(fi)];
        Reject({static_cast<uint32_t>(p.row), facts.reverted_field, "replaced_by_objection",
                "decision " + ident::ShowMasked(p.document_number, 80) +
                    " was corrected through an upheld objection (异议); the row sends back " +
                    (f == nullptr ? std::string("what that correction replaced")
                                  : "the value of " + f->code + " (" + f->label +
                                        ") that correction replaced")});
        return false;
      }
      status = facts.status;
      finding = std::move(facts.finding);
      late = facts.late;
      past_findings = std::move(facts.past_findings);
      if (opt_.own_records_only) owner = std::move(facts.department);
    }
    if (prior && !derived && opt_.own_records_only && owner != opt_.dept) {
      Reject({static_cast<uint32_t>(p.row), "", "record_of_another_department",
              "decision " + ident::ShowMasked(p.document_number, 80) +
                  " of this subject was submitted by " +
                  (owner.empty() ? std::string("the platform's operator") : owner) +
                  "; a department corrects only the records it submitted"});
      return false;
    }
    // A commitment revoked (an objection upheld against it) holds no finding any more.
    if (status == RecordStatus::kRevoked) finding.clear();
    const std::string now = derived ? std::string() : BreachFinding(ind, p.values);
    const bool rules_hold = opt_.findings_stand && !opt_.objection;
    if (!finding.empty() && !derived && rules_hold && now != finding) {
      const std::string_view said =
          ValueOfRole(ind, catalog::FieldRole::kFulfilmentStatus, p.values);
      const int i = ind.FieldIndexByRole(catalog::FieldRole::kFulfilmentStatus);
      Reject({static_cast<uint32_t>(p.row), ind.fields[static_cast<size_t>(i)].code,
              "breach_finding_stands",
              "commitment " + ident::ShowMasked(p.document_number, 80) + " was found " + finding +
                  "; the row says " +
                  (!now.empty() ? now : said.empty() ? std::string("nothing") : std::string(said)) +
                  ". A finding of breach (its status and date) is changed only through an "
                  "objection (异议) or credit repair (信用修复), not by sending the commitment "
                  "again"});
      return false;
    }
    // A finding the record had and lost was withdrawn through an objection (nothing else may
    // change one): an old export sending it again does not restore it.
    const bool past =
        !now.empty() && std::find(past_findings.begin(), past_findings.end(), now) !=
                            past_findings.end();
    if (finding.empty() && past && !derived && rules_hold) {
      const int i = ind.FieldIndexByRole(catalog::FieldRole::kFulfilmentStatus);
      Reject({static_cast<uint32_t>(p.row), ind.fields[static_cast<size_t>(i)].code,
              "breach_finding_withdrawn",
              "commitment " + ident::ShowMasked(p.document_number, 80) + " was found " + now +
                  " before, and that finding was withdrawn (an objection upheld); sending it "
                  "again does not restore it"});
      return false;
    }
    // A source row whose finding of breach is new (its record, in force, never said it) makes a
    // new negative fact: its derived record is in force again even if an earlier finding's was
    // revoked (an objection upheld) or ended.
    if (!derived) {
      source_new_finding_ =
          finding.empty() && !now.empty() && !past && status == RecordStatus::kActive;
    } else if (status != RecordStatus::kActive && source_new_finding_) {
      Warn(p.row, "", "new_finding",
           "decision " + ident::ShowMasked(p.document_number, 80) + " was " +
               std::string(RecordStatusName(status)) +
               " here; the row is a new finding of breach, so its record is in force again");
      status = RecordStatus::kActive;
    }
    // A correction of a record taken out of force here (revoked after an objection, repaired,
    // expired) stays out of force: sending the decision again must not publish it again.
    if (status != RecordStatus::kActive) {
      Warn(p.row, "", "status_kept",
           "decision " + ident::ShowMasked(p.document_number, 80) + " is " +
               std::string(RecordStatusName(status)) +
               " here: the correction is stored as a new version, still " +
               std::string(RecordStatusName(status)));
    }
    if (!derived) UpdateRegistration(sidx, p);
    Record r;
    r.subject_id = subject.id;
    r.record_id = prior ? prior->record_id : in_.store_.NextId(storage::IdSpace::kRecord);
    r.version = prior ? prior->version + 1 : 1;
    r.indicator = ind.code;
    r.decision_date = p.decision_date;
    // A row passed on by a lower-level instance keeps the day it was first received there, so
    // that every level above judges its timeliness alike (the batch has the day it came here).
    r.received_date = p.first_received != Date() ? p.first_received : opt_.received_date;
    // Timeliness is the decision's: when it first arrived. A correction sent later is not late
    // itself, and keeps its record's verdict.
    r.late = late;
    r.batch_id = ws_.batch.id;
    r.status = status;
    r.content_hash = p.content_hash;
    r.document_number = std::move(p.document_number);
    r.values = std::move(p.values);
    r.personal = std::move(p.personal);
    pending_keys_[pending_key] =
        Pending{r.record_id, r.version, r.content_hash, r.status, false,
                BreachFinding(ind, r.values), r.late};
    if (derived) {
      ++report_.derived;
      Warn(p.row, "", "derived",
           std::string(prior ? "new version of " : "made ") + ind.name + " (" + ind.code + ") " +
               r.document_number + " from this row");
    } else {
      ++ws_.batch.accepted;
      if (prior) ++ws_.batch.corrected;
      if (r.late && !prior) ++ws_.batch.late;  // a decision counts late once, when it arrives
    }
    std::vector<PersonLink> links = PersonLinksOf(ind, r);
    ws_.records.push_back({std::move(r), std::move(p.natural_key), std::move(links)});
    return true;
  }

  // Of a stored record: its current version's status and the department of the batch that
  // first stored it ("" for none named). Batch departments are remembered for the run.
  struct StoredFacts {
    RecordStatus status = RecordStatus::kActive;
    std::string department;
    std::string finding;  // BreachFinding of the current version
    std::vector<std::string> past_findings;  // BreachFinding of every version that has one
    bool late = false;     // the record's timeliness verdict (its first version's)
    // `content_hash` is that of a version an upheld objection's correction (a later version of
    // a batch of format "objection") replaced.
    bool replaced_by_objection = false;
    // A field such a correction changed that the row sets back to the value it replaced (while
    // the record's current version no longer has it); "" when none.
    std::string reverted_field;
  };
  Result<StoredFacts> ReadStoredFacts(const Indicator& ind, uint64_t subject_id,
                                      uint64_t record_id, uint64_t content_hash,
                                      const FieldValues* row) {
    std::vector<Record> versions;
    XY_RETURN_IF_ERROR(in_.store_.ListRecordVersions(subject_id, record_id, &versions));
    StoredFacts f;
    if (versions.empty()) return f;
    size_t same = versions.size();  // the latest version with this content
    for (size_t i = 0; i < versions.size(); ++i) {
      if (versions[i].content_hash == content_hash) same = i;
    }
    auto format_of = [&](uint64_t batch) -> Result<std::string_view> {
      auto it = batch_formats_.find(batch);
      if (it == batch_formats_.end()) {
        XY_ASSIGN_OR_RETURN(std::optional<BatchReport> b, in_.store_.GetBatch(batch));
        it = batch_formats_.emplace(batch, b ? b->format : std::string()).first;
      }
      return std::string_view(it->second);
    };
    for (size_t j = same + 1; j < versions.size() && !f.replaced_by_objection; ++j) {
      XY_ASSIGN_OR_RETURN(std::string_view format, format_of(versions[j].batch_id));
      f.replaced_by_objection = format == "objection";
    }
    // Field by field: what each objection's correction changed stays changed.
    for (size_t j = 1; row != nullptr && j < versions.size() && f.reverted_field.empty(); ++j) {
      XY_ASSIGN_OR_RETURN(std::string_view format, format_of(versions[j].batch_id));
      if (format != "objection") continue;
      for (const catalog::Field& field : ind.fields) {
        const std::string_view replaced = versions[j - 1].Get(field.code);
        if (replaced == versions[j].Get(field.code)) continue;  // not what it corrected
        if (row->Get(field.code) == replaced && versions.back().Get(field.code) != replaced) {
          f.reverted_field = field.code;
          break;
        }
      }
    }
    f.status = versions.back().status;
    f.finding = BreachFinding(ind, versions.back().values);
    for (const Record& v : versions) {
      if (std::string b = BreachFinding(ind, v.values); !b.empty()) {
        f.past_findings.push_back(std::move(b));
      }
    }
    f.late = versions.front().late;  // the decision's verdict, when it first arrived
    if (!opt_.own_records_only) return f;
    const uint64_t batch = versions.front().batch_id;
    auto it = batch_departments_.find(batch);
    if (it == batch_departments_.end()) {
      XY_ASSIGN_OR_RETURN(std::optional<BatchReport> b, in_.store_.GetBatch(batch));
      it = batch_departments_.emplace(batch, b ? b->dept : std::string()).first;
    }
    f.department = it->second;
    return f;
  }

  // The registration facts a stored row carries (only reg_basic's do): the subject's status and
  // industry (行业代码). Not those of a duplicate: a re-delivered older file would turn them back.
  void UpdateRegistration(size_t sidx, const PreparedRow& p) {
    Subject& s = subjects_[sidx];
    if (!p.status.empty() && p.status != s.status) {
      s.status = p.status;
      write_[sidx] = true;
    }
    if (!p.industry.empty() && p.industry != s.industry) {
      s.industry = p.industry;
      write_[sidx] = true;
    }
  }

  // Whether `p` is a row an earlier delivery of this file committed (ResolveDigest first).
  bool Redelivered(const PreparedRow& p) const { return p.row <= redelivered_through_; }

  // Whether a stored version of the record has this content (the batch in flight may still be
  // committing one: it is waited for).
  Result<bool> HasStoredVersion(uint64_t subject_id, uint64_t record_id, uint64_t content_hash) {
    XY_RETURN_IF_ERROR(WaitForCommit());
    std::vector<Record> versions;
    XY_RETURN_IF_ERROR(in_.store_.ListRecordVersions(subject_id, record_id, &versions));
    return std::any_of(versions.begin(), versions.end(),
                       [&](const Record& v) { return v.content_hash == content_hash; });
  }

  // The persons a record of a positive or negative indicator names as legal representative or
  // responsible person (落实到人); registration and other neutral records link nobody.
  static std::vector<PersonLink> PersonLinksOf(const Indicator& ind, const Record& r) {
    std::vector<PersonLink> out;
    if (ind.nature == catalog::Nature::kNeutral) return out;
    for (const PersonalValue& pv : r.personal) {
      // pv.field is the field's code as RowValidator wrote it: compared directly, since
      // FieldIndex (which also takes labels and aliases) normalizes its argument on every call.
      const auto f = std::find_if(ind.fields.begin(), ind.fields.end(),
                                  [&](const catalog::Field& x) { return x.code == pv.field; });
      if (f == ind.fields.end()) continue;
      const catalog::FieldRole role = f->role;
      if (role == catalog::FieldRole::kLegalRepIdNumber) {
        out.push_back({pv.hash, r.subject_id, r.record_id, PersonRole::kLegalRepresentative});
      } else if (role == catalog::FieldRole::kResponsiblePersonIdNumber) {
        out.push_back({pv.hash, r.subject_id, r.record_id, PersonRole::kResponsiblePerson});
      }
    }
    return out;
  }

  Ingester& in_;
  const Indicator& ind_;
  IngestOptions opt_;
  std::future<Result<DigestCheck>> digest_check_;  // SetDigest; taken by ResolveDigest
  size_t digest_warning_at_ = 0;  // the redelivered warning's place among the first batch's
  std::string digest_;                // of the input, once ResolveDigest has it
  uint64_t redelivered_through_ = 0;  // rows an earlier delivery committed (ResolveDigest)
  uint64_t last_row_ = 0;             // the last row added
  FileReport report_;
  storage::WriteSet ws_;
  uint64_t next_first_row_ = 1;
  int64_t started_ms_ = NowUnixMs();

  // Subjects this batch has touched; write_[i] says whether subjects_[i] must be written.
  std::vector<Subject> subjects_;
  std::vector<bool> write_;
  std::unordered_map<uint64_t, size_t> subject_index_;  // subject id → subjects_ index
  std::unordered_map<std::string, uint64_t> id_index_;  // this batch's new identifiers
  std::unordered_map<std::string, Pending> pending_keys_;
  std::unordered_map<uint64_t, std::string> batch_formats_;  // batch id → format, as read
  // Whether the last source row AcceptRecord stored brought a new finding of breach (its
  // derived row, stored right after it, is then in force whatever its record's status was).
  bool source_new_finding_ = false;
  // The batch being committed in the background and its natural keys.
  std::future<Status> inflight_;
  std::unordered_map<std::string, Pending> inflight_keys_;
  std::unordered_map<uint64_t, std::string> batch_departments_;  // ReadStoredFacts
  uint64_t commits_ = 0;  // background commits completed (WaitForCommit)
  // Natural keys read ahead for the stretch of rows being added, as of `prefetch_commits_`.
  std::vector<Prefetched> prefetched_;
  uint64_t prefetch_commits_ = 0;
};

Ingester::Ingester(storage::Store& store, const catalog::Catalog& catalog,
                   const WorkCalendar& calendar, const PersonalDataVault& vault,
                   IngestCacheLimits limits)
    : store_(store), catalog_(catalog), calendar_(calendar), vault_(vault), limits_(limits) {}
Ingester::~Ingester() { Flush().IgnoreError(); }

Status Ingester::Flush() {
  std::lock_guard lock(mu_);
  return WaitForLeftCommit();
}

Status Ingester::Erase(std::span<const storage::RecordRef> records,
                       std::span<const uint64_t> subjects) {
  std::lock_guard lock(mu_);
  WaitForLeftCommit().IgnoreError();  // a failure is the last call's (FileReport::commit)
  return EraseLocked(records, subjects);
}

Result<std::vector<uint64_t>> Ingester::EraseSubjectsWithoutRecords(
    std::span<const uint64_t> subjects) {
  std::lock_guard lock(mu_);
  WaitForLeftCommit().IgnoreError();
  std::vector<uint64_t> empty;
  std::vector<storage::RecordHeader> left;
  for (uint64_t id : subjects) {
    left.clear();
    XY_RETURN_IF_ERROR(store_.ListRecordHeaders(id, &left));
    if (left.empty()) empty.push_back(id);
  }
  if (!empty.empty()) XY_RETURN_IF_ERROR(EraseLocked({}, empty));
  return empty;
}

Status Ingester::EraseLocked(std::span<const storage::RecordRef> records,
                             std::span<const uint64_t> subjects) {
  XY_RETURN_IF_ERROR(store_.Erase(records, subjects));
  if (!subjects.empty()) {
    const std::unordered_set<uint64_t> gone(subjects.begin(), subjects.end());
    std::erase_if(known_ids_, [&gone](const auto& entry) { return gone.contains(entry.second); });
    for (uint64_t id : subjects) known_subjects_.erase(id);
  }
  return Status::Ok();
}

Status Ingester::WaitForLeftCommit() {
  if (!left_commit_.valid()) return Status::Ok();
  Status s = left_commit_.get();
  left_commit_ = std::shared_future<Status>();
  if (!s.ok()) {
    known_ids_.clear();
    known_subjects_.clear();
  }
  return s;
}

void Ingester::RememberId(const std::string& key, uint64_t subject_id) {
  if (known_ids_.size() < limits_.ids) known_ids_.emplace(key, subject_id);
}

void Ingester::MakeRoom(size_t ids, size_t subjects) {
  if (known_ids_.size() + ids > limits_.ids) known_ids_.clear();
  if (known_subjects_.size() + subjects > limits_.subjects) known_subjects_.clear();
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

// PermissionDenied when `options` restrict the indicators and `i` is not one of them.
Status Refused(const Indicator& i, const std::string& name, const IngestOptions& options) {
  const auto& allowed = options.allowed_indicators;
  if (allowed.empty() || std::find(allowed.begin(), allowed.end(), i.code) != allowed.end()) {
    return Status::Ok();
  }
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  return Status::PermissionDenied(name + " holds " + i.code + " (" + i.name +
                                  ") records, which this submitter may not submit (allowed: " +
                                  list + ")");
}

// Produces rows for the validating thread: `emit(row, cells)` for a row aligned with the
// indicator's fields, `reject(row, code, message)` for one that could not be split into cells.
// Returns false at the end of input.
using RowSink = std::function<void(uint64_t, const std::vector<std::string_view>&)>;
using RejectSink = std::function<void(uint64_t, std::string, std::string)>;
using RowProducer = std::function<Result<bool>(const RowSink&, const RejectSink&)>;

// Runs `produce` and validation on a second thread and feeds the prepared rows to `run`, so that
// reading, parsing and validating overlap with subject resolution and commits.
Status Pipeline(const Indicator& ind, const Indicator* derived, const IngestOptions& options,
                const WorkCalendar& calendar, const PersonalDataVault& vault,
                const RowProducer& produce,
                const std::function<Status(std::span<PreparedRow>)>& consume) {
  ChunkQueue queue;
  std::thread producer([&] {
    Status status;
    // An exception (memory exhausted, a caller's cells_of) ends this call with an error, not the
    // process.
    try {
      RowValidator validator(ind, options.received_date, calendar, vault);
      std::optional<Deriver> deriver;
      if (derived != nullptr) {
        deriver.emplace(ind, *derived, options.received_date, calendar, vault);
      }
      auto chunk = std::make_unique<Chunk>();
      auto next = [&]() -> PreparedRow& {
        if (chunk->used == kChunkRows) {
          queue.Push(std::move(chunk));
          chunk = std::make_unique<Chunk>();
        }
        if (chunk->rows.size() <= chunk->used) chunk->rows.resize(chunk->used + 1);
        return chunk->rows[chunk->used++];
      };
      RowSink emit = [&](uint64_t row, const std::vector<std::string_view>& cells) {
        PreparedRow& p = next();
        validator.Prepare(row, cells, &p,
                          options.first_received ? options.first_received(row) : Date());
        if (deriver) deriver->Derive(cells, &p);
      };
      RejectSink reject = [&](uint64_t row, std::string code, std::string message) {
        PreparedRow& p = next();
        p = PreparedRow();
        p.row = row;
        p.rejected = true;
        p.issue = {static_cast<uint32_t>(row), "", std::move(code), std::move(message)};
      };
      while (!queue.cancelled()) {
        auto more = produce(emit, reject);
        if (!more.ok()) {
          status = more.status();
          break;
        }
        if (!*more) break;
      }
      if (chunk->used > 0) queue.Push(std::move(chunk));
    } catch (const std::exception& e) {
      status = Status::Internal(std::string("reading and validating the rows failed: ") + e.what());
    }
    queue.Close(status);
  });
  Status status;
  try {
    while (auto chunk = queue.Pop()) {
      status = consume(std::span<PreparedRow>(chunk->rows.data(), chunk->used));
      if (!status.ok()) break;
    }
  } catch (const std::exception& e) {
    status = Status::Internal(std::string("ingesting the rows failed: ") + e.what());
  }
  if (!status.ok()) {
    queue.Cancel();
    while (queue.Pop()) {
    }
  }
  producer.join();
  if (!status.ok()) return status;
  return queue.status();
}

}  // namespace

Result<FileReport> Ingester::Ingest(std::unique_ptr<TextSource> source,
                                    const IngestOptions& options_in) {
  std::lock_guard lock(mu_);
  WaitForLeftCommit().IgnoreError();  // a failure is the last call's (FileReport::commit)
  IngestOptions options = options_in;
  if (options.received_date == Date()) options.received_date = Date::Today();
  if (options.batch_rows == 0) options.batch_rows = 50000;
  const std::string name = source->name();
  const std::string encoding(EncodingName(source->encoding()));
  // The re-delivery check of the input (Run::SetDigest), started once the input is known to
  // hold rows of an indicator; the Run waits for it before the input goes away.
  const TextSource* text = source.get();
  auto check_digest = [this, text] {
    return std::async(std::launch::async, [this, text]() -> Result<Run::DigestCheck> {
      Run::DigestCheck check;
      XY_ASSIGN_OR_RETURN(check.digest, text->Digest());
      if (!check.digest.empty()) {
        XY_ASSIGN_OR_RETURN(check.before, store_.FindFileDigest(check.digest));
      }
      return check;
    });
  };

  const Indicator* ind = nullptr;
  if (!options.indicator.empty()) {
    ind = catalog_.Find(options.indicator);
    if (!ind) {
      return Status::InvalidArgument("unknown indicator '" + options.indicator +
                                     "'; the catalog (GET /api/v1/catalog, `xinyong catalog`) lists the indicators that may "
                                     "be collected");
    }
  } else {
    ind = catalog_.Find(IndicatorFromFileName(name));
  }

  auto refused = [&](const Indicator& i) { return Refused(i, name, options); };

  if (LooksLikeJsonl(name, options)) {
    auto reader = std::make_shared<JsonlReader>(std::move(source));
    std::deque<JsonRow> buffered;
    if (!ind) {
      // Decide from the keys of the first well-formed object.
      JsonRow row;
      while (true) {
        XY_ASSIGN_OR_RETURN(bool more, reader->ReadRow(&row));
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
        return Status::InvalidArgument(
            name + ": cannot tell which indicator the file holds; name the indicator (?indicator= "
                   "in the API, --indicator on the command line) or use the catalog's field codes "
                   "as keys");
      }
    }
    XY_RETURN_IF_ERROR(refused(*ind));
    Run run(*this, *ind, options, name, encoding, "jsonl");
    run.SetDigest(check_digest());
    std::unordered_map<std::string, int> key_index;
    for (const auto& f : ind->fields) key_index.emplace(f.code, ind->FieldIndex(f.code));
    std::mutex unknown_mu;
    std::vector<std::string> unknown;  // keys not in the catalog, in order of appearance
    std::vector<std::string_view> cells(ind->fields.size());
    std::vector<bool> given(ind->fields.size());
    JsonRow row;
    RowProducer produce = [&](const RowSink& emit, const RejectSink& reject) -> Result<bool> {
      const JsonRow* r = nullptr;
      if (!buffered.empty()) {
        row = std::move(buffered.front());
        buffered.pop_front();
        r = &row;
      } else {
        XY_ASSIGN_OR_RETURN(bool more, reader->ReadRow(&row));
        if (!more) return false;
        r = &row;
      }
      if (!r->error_code.empty()) {
        reject(r->number, r->error_code, r->error);
        return true;
      }
      std::fill(cells.begin(), cells.end(), std::string_view());
      std::fill(given.begin(), given.end(), false);
      for (const auto& [k, v] : r->fields) {
        auto it = key_index.find(k);
        if (it == key_index.end()) it = key_index.emplace(k, ind->FieldIndex(TrimCell(k))).first;
        if (it->second < 0) {
          std::lock_guard l(unknown_mu);
          if (std::find(unknown.begin(), unknown.end(), k) == unknown.end()) unknown.push_back(k);
          continue;
        }
        const size_t f = static_cast<size_t>(it->second);
        if (given[f]) {  // twice, or by code and by label: which one is meant is not ours to guess
          reject(r->number, "repeated_field",
                 "line " + std::to_string(r->number) + ": field " + ind->fields[f].code + " (" +
                     ind->fields[f].label + ") is given twice (key '" + ident::ShowMasked(k, 80) +
                     "')");
          return true;
        }
        given[f] = true;
        cells[f] = v;
      }
      emit(r->number, cells);
      return true;
    };
    XY_RETURN_IF_ERROR(Pipeline(*ind, catalog_.DerivedFrom(ind->code), options, calendar_, vault_,
                                produce, [&](std::span<PreparedRow> rows) { return run.AddRows(rows); }));
    for (const auto& k : unknown) {
      const std::string shown = ident::ShowMasked(k, 80);
      run.Warn(shown, "unknown_column",
               "key '" + shown + "' is not in the catalog entry for " + ind->code +
                   "; not collected");
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
        name + ": the header matches no catalog indicator; name the indicator (?indicator= in the "
               "API, --indicator on the command line), or use the standard field codes or Chinese "
               "labels as column names");
  }
  XY_RETURN_IF_ERROR(refused(*ind));
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
                                     ident::ShowMasked(header_cells[c], 80) + "') repeats field " +
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
    const std::string shown = ident::ShowMasked(u, 80);  // a header cell may hold anything
    run.Warn(shown, "unknown_column",
             "column '" + shown + "' is not in the catalog entry for " + ind->code +
                 "; not collected");
  }
  run.SetDigest(check_digest());
  std::vector<std::string_view> cells(ind->fields.size());
  CsvRow row;
  RowProducer produce = [&](const RowSink& emit, const RejectSink& reject) -> Result<bool> {
    XY_ASSIGN_OR_RETURN(bool more, reader.ReadRow(&row));
    if (!more) return false;
    if (!row.error_code.empty()) {
      reject(row.number, row.error_code, row.error);
    } else if (std::all_of(row.cells.begin(), row.cells.end(),
                           [](std::string_view c) { return TrimCell(c).empty(); })) {
      // Separators or spaces only (",,,,," — a spreadsheet's empty rows at its end): a blank
      // line, not a row.
    } else if (row.cells.size() != header_cells.size()) {
      reject(row.number, "wrong_column_count",
             "row has " + std::to_string(row.cells.size()) + " cells; the header has " +
                 std::to_string(header_cells.size()) + " (line " + std::to_string(row.line) + ")");
    } else {
      std::fill(cells.begin(), cells.end(), std::string_view());
      for (size_t c = 0; c < row.cells.size(); ++c) {
        if (column_field[c] >= 0) cells[static_cast<size_t>(column_field[c])] = row.cells[c];
      }
      emit(row.number, cells);
    }
    return true;
  };
  XY_RETURN_IF_ERROR(Pipeline(*ind, catalog_.DerivedFrom(ind->code), options, calendar_, vault_,
                              produce, [&](std::span<PreparedRow> rows) { return run.AddRows(rows); }));
  return run.Finish();
}

Result<FileReport> Ingester::IngestRows(size_t count, const CellsOf& cells_of,
                                        const std::string& name,
                                        const IngestOptions& options_in) {
  std::lock_guard lock(mu_);
  WaitForLeftCommit().IgnoreError();  // a failure is the last call's (FileReport::commit)
  IngestOptions options = options_in;
  if (options.received_date == Date()) options.received_date = Date::Today();
  if (options.batch_rows == 0) options.batch_rows = 50000;
  const Indicator* ind = catalog_.Find(options.indicator);
  if (!ind) {
    return Status::InvalidArgument(name + ": unknown indicator '" + options.indicator + "'");
  }
  XY_RETURN_IF_ERROR(Refused(*ind, name, options));
  Run run(*this, *ind, options, name, std::string(EncodingName(Encoding::kUtf8)),
          options.format.empty() ? std::string("rows") : options.format);
  std::vector<std::string_view> cells(ind->fields.size());
  size_t next = 0;
  RowProducer produce = [&](const RowSink& emit, const RejectSink& reject) -> Result<bool> {
    if (next == count) return false;
    std::fill(cells.begin(), cells.end(), std::string_view());
    cells_of(next, &cells);
    ++next;  // rows are numbered from 1, as a file's data rows are
    // A cell that is not UTF-8 is rejected by validation (invalid_encoding, naming its field).
    emit(next, cells);
    return true;
  };
  XY_RETURN_IF_ERROR(Pipeline(*ind, catalog_.DerivedFrom(ind->code), options, calendar_, vault_,
                              produce, [&](std::span<PreparedRow> rows) { return run.AddRows(rows); }));
  return run.Finish();
}

Result<std::optional<RowIssue>> FirstRejection(const storage::Store& store,
                                               const FileReport& report) {
  if (report.rejected == 0) return std::optional<RowIssue>();
  for (uint64_t id : report.batches) {
    XY_ASSIGN_OR_RETURN(auto batch, store.GetBatch(id));
    if (batch && !batch->rejections.empty()) {
      return std::optional<RowIssue>(std::move(batch->rejections.front()));
    }
  }
  return std::optional<RowIssue>();
}

std::string NaturalKeyOf(const Indicator& indicator, const Record& record) {
  std::string key;
  for (size_t i = 0; i < indicator.natural_key.size(); ++i) {
    if (i > 0) key.push_back('\x1f');
    key += record.Get(indicator.natural_key[i]);
  }
  return key;
}

Result<StatusChangeReport> Ingester::ChangeStatus(std::span<const StatusChange> changes,
                                                  const std::string& name, const std::string& dept,
                                                  Date received,
                                                  const std::optional<storage::ExchangeCursor>& cursor) {
  if (changes.empty()) return Status::InvalidArgument("no record status to change");
  std::lock_guard lock(mu_);
  WaitForLeftCommit().IgnoreError();  // a failure is the last call's (FileReport::commit)
  if (received == Date()) received = Date::Today();
  storage::WriteSet ws;
  ws.batch.id = store_.NextId(storage::IdSpace::kBatch);
  ws.batch.file = SanitizeUtf8(name);
  ws.batch.dept = SanitizeUtf8(dept);
  ws.batch.format = "status";
  ws.batch.received_date = received;
  ws.batch.started_unix_ms = NowUnixMs();
  StatusChangeReport report;
  report.batch = ws.batch.id;
  std::vector<Record> versions;
  for (const StatusChange& c : changes) {
    const std::string what = "record " + std::to_string(c.record_id);
    if (c.status != RecordStatus::kRevoked && c.status != RecordStatus::kRepaired &&
        c.status != RecordStatus::kExpired) {
      return Status::InvalidArgument(what + ": a record cannot be given the status " +
                                     std::string(RecordStatusName(c.status)) + " this way");
    }
    versions.clear();
    XY_RETURN_IF_ERROR(store_.ListRecordVersions(c.subject_id, c.record_id, &versions));
    if (versions.empty()) {
      return Status::NotFound("subject " + std::to_string(c.subject_id) + " has no " + what);
    }
    // A change of the same record earlier in this call counts as its current version.
    Record current = std::move(versions.back());
    for (const storage::RecordWrite& w : ws.records) {
      if (w.record.subject_id == c.subject_id && w.record.record_id == c.record_id) current = w.record;
    }
    if (current.version != c.version) {
      return Status::FailedPrecondition(what + " is at version " + std::to_string(current.version) +
                                        ", not " + std::to_string(c.version) +
                                        ": it changed meanwhile");
    }
    if (current.status != RecordStatus::kActive) {
      return Status::FailedPrecondition(what + " is " +
                                        std::string(RecordStatusName(current.status)) +
                                        ", not in force");
    }
    const Indicator* ind = catalog_.Find(current.indicator);
    if (ind == nullptr) {
      return Status::InvalidArgument(what + " is of indicator " + current.indicator +
                                     ", which the catalog no longer has");
    }
    if (ws.batch.indicator.empty()) ws.batch.indicator = ind->code;
    Record next = std::move(current);
    next.version += 1;
    next.status = c.status;
    next.received_date = received;
    next.batch_id = ws.batch.id;
    ws.batch.warnings.push_back(
        {0, "", "status_changed",
         what + " (" + ind->code + " " + next.document_number + ") " +
             std::string(RecordStatusName(c.status)) + (c.note.empty() ? "" : ": " + c.note)});
    std::string key = NaturalKeyOf(*ind, next);
    report.versions.push_back(next);
    ws.records.push_back({std::move(next), std::move(key), {}});
  }
  ws.batch.seconds = static_cast<double>(NowUnixMs() - ws.batch.started_unix_ms) / 1000.0;
  ws.exchange_cursor = cursor;
  XY_RETURN_IF_ERROR(store_.Commit(ws));
  if (observer_) {
    std::vector<uint64_t> touched;
    for (const storage::RecordWrite& w : ws.records) touched.push_back(w.record.subject_id);
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    observer_(CommittedBatch{ws.batch.id, {}, touched, ws.records});
  }
  return report;
}

}  // namespace xinyong::ingest
