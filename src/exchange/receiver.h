// Receiver: the upper-level side of exchange between platform levels. Applies a batch of a lower
// instance's change feed (wire.h) through the ordinary ingestion path — validation, subject
// resolution, dedup by natural key, corrections as new versions, the name index and everything
// else the commit observer maintains — and keeps, per source instance, the last sequence number
// it applied in the same commit as what it applied (Store WriteSet::exchange_cursor). Anything
// at or below that cursor is skipped, so a batch sent twice (a retry after a cut link, a pusher
// restarted after a crash) changes nothing the second time.
//
// A batch is answered once its last commit has begun, not once it is durable: the commit runs
// while the answer travels and the next batch arrives and is parsed. Before it applies anything
// more or reads a cursor, the receiver waits for that commit. A sender says with each batch what
// it believes this instance holds (ApplyOptions::after); when the cursor is lower — that commit
// failed, or this instance stopped before it was durable — the batch is refused with
// Unavailable, and the pusher asks for the cursor and sends again from there. The pusher also
// asks for the cursor once it has caught up, so the last batch of a push is confirmed too. A
// batch whose last lines commit nothing (deletion events, derived records, status changes of
// records not held here) gets a batch of its own that records them and carries the cursor.
//
// Thread-safety: Apply may be called from any thread; batches are applied one at a time and a
// call that finds another in progress is refused at once with ResourceExhausted (back-pressure:
// the HTTP layer answers 429 with Retry-After).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "core/calendar.h"
#include "core/personal_data.h"
#include "core/status.h"
#include "exchange/wire.h"
#include "ingest/ingester.h"
#include "storage/store.h"

namespace xinyong::exchange {

// What one batch did.
struct ApplyReport {
  std::string source;
  std::string region;
  uint64_t lines = 0;      // changes in the batch
  uint64_t skipped = 0;    // at or below the cursor: applied before
  uint64_t accepted = 0, rejected = 0, duplicates = 0, corrected = 0;
  uint64_t status_changes = 0;
  // Status changes of records this instance does not hold (their rows were rejected here) or
  // whose current version here is no longer in force.
  uint64_t unmatched = 0;
  uint64_t erasures = 0;   // deletion events: not applied here (left to this instance's retention)
  // Versions in force of derived indicators' records (commitment breaches): made here again by
  // the ingestion of their source rows, so not applied themselves.
  uint64_t derived = 0;
  std::vector<uint64_t> batches;  // batch reports written here
  uint64_t cursor = 0;     // the last sequence number of the batch (applied or skipped)
};

struct ApplyOptions {
  // The sequence number up to which the sender believes this instance holds its feed (the
  // cursor it last learned, plus what it sent since). Refused (Unavailable) when the cursor here
  // is lower. Unset: not checked (a sender that does not say).
  std::optional<uint64_t> after;
  // The rules::Grader::Deferral that regrades the batch's subjects (IngestOptions::
  // grading_deferral), and what to keep until the batch's commits have ended, e.g. the push
  // session's hold on that deferral (IngestOptions::hold_until_committed).
  uint64_t grading_deferral = 0;
  std::shared_ptr<void> hold_until_committed;
  // The sender may change only records first stored here from its own region's batches (a
  // lower platform's token): a row that would make a new version of another record is rejected
  // (`record_of_another_department`), and a status change of one is unmatched. Off for an
  // operator, who may push as any source.
  bool own_records_only = false;
};

// A source instance's id: 1-64 of [A-Za-z0-9._-]. A region: a 6-digit 行政区划 code.
bool ValidSourceId(std::string_view id);
bool ValidRegion(std::string_view region);

class Receiver {
 public:
  Receiver(storage::Store& store, ingest::Ingester& ingester, const catalog::Catalog& catalog,
           const WorkCalendar& calendar, const PersonalDataVault& vault);

  // Applies `body` (NDJSON, wire.h) from source `source` of region `region`. The batches it
  // writes carry the region as their department (BatchReport::dept) and name the source and
  // the sequence range in their file name ("exchange:<source>:<first>-<last>"). InvalidArgument
  // for a malformed batch or an indicator this catalog does not have (nothing applied);
  // ResourceExhausted while another batch is being applied; Unavailable when this instance
  // holds less than options.after, or an earlier run of this source failed to commit.
  Result<ApplyReport> Apply(std::string_view source, std::string_view region, const std::string& body,
                            const ApplyOptions& options = {});

  // The last sequence number of `source` committed here (0: none), once the commit of the last
  // batch answered has ended.
  Result<uint64_t> Cursor(std::string_view source);

  // Tests: called with the status changes of a run once they are matched, before they are made.
  void SetBeforeStatusChangeForTesting(
      std::function<void(std::span<const ingest::StatusChange>)> hook) {
    before_status_change_ = std::move(hook);
  }

 private:
  // `lines` without the derived ones of the run `first`..`last` (sequence numbers), committed
  // with `cursor` as the source's new cursor.
  Status ApplyRows(const std::string& source, const std::string& region,
                   std::span<const ChangeLine> lines, uint64_t first, uint64_t last,
                   uint64_t cursor, const ApplyOptions& options, ApplyReport* report);
  // False when nothing was committed (no record held here was in force). Unavailable when the
  // records kept changing here while it ran (the sender retries).
  Result<bool> ApplyStatuses(const std::string& source, const std::string& region,
                             std::span<const ChangeLine> lines, const ApplyOptions& options,
                             ApplyReport* report);
  // What each of `lines` (of one indicator) names here, found as ingestion would find it: the
  // subject by its codes, then the natural key; record_id 0 when no such record is held.
  struct Held {
    uint64_t subject = 0, record_id = 0;
    uint32_t version = 0;  // the current version held, its status and content
    RecordStatus status = RecordStatus::kActive;
    uint64_t content_hash = 0;
    std::vector<uint64_t> stored_hashes;  // of every version held
    uint64_t line_hash = 0;  // of the line's content, hashed as ingestion here hashes it
  };
  // `owner` non-null: a record first stored from a batch of another department than *owner
  // counts as not held (ApplyOptions::own_records_only).
  Result<std::vector<Held>> FindHeld(std::span<const ChangeLine> lines, const std::string* owner);
  // The lines of status changes that also change the content of a record held here (a
  // correction the source stored out of force): applied as rows before the statuses. Of each
  // record the run's last line, when no version held here has its content.
  Result<std::vector<ChangeLine>> ChangedContent(std::span<const ChangeLine> lines,
                                                 const std::string* owner);
  // The status changes `lines` make to records held here, each at its current version;
  // `unmatched` counts the lines without one.
  Result<std::vector<ingest::StatusChange>> MatchStatuses(const std::string& source,
                                                          const std::string& region,
                                                          std::span<const ChangeLine> lines,
                                                          const std::string* owner,
                                                          size_t* unmatched);
  // A batch of no records for `lines`, which commit nothing else, carrying the cursor.
  Status CommitCursor(const std::string& source, const std::string& region,
                      std::span<const ChangeLine> lines, ApplyReport* report);

  // Waits for the commit the last run left running (mu_ held); a failure is kept for the source
  // it was of (failed_), and forgotten once a run holding its first change commits.
  void WaitForCommit();
  // Unavailable while a commit of `source` failed and `next`, the first change about to be
  // applied, lies past the failed run: the changes in between would be skipped for good. A batch
  // from the failed run or before it is applied; the failure is forgotten only once that run
  // has been committed (WaitForCommit, or Apply finding the cursor past the run's start), or
  // its first change has been sent again as one that commits nothing here (ForgetFailureIn).
  // Holds whatever else came in between (other sources' batches, cursor requests, a batch
  // ending before the failed run) and for a sender that does not say ApplyOptions::after.
  Status CheckFailed(const std::string& source, uint64_t next);
  // Forgets the failure of `source` if its first change lies in [first, last], which has been
  // applied.
  void ForgetFailureIn(const std::string& source, uint64_t first, uint64_t last);

  storage::Store& store_;
  ingest::Ingester& ingester_;
  const catalog::Catalog& catalog_;
  const WorkCalendar& calendar_;
  const PersonalDataVault& vault_;
  std::mutex mu_;  // one batch at a time
  std::function<void(std::span<const ingest::StatusChange>)> before_status_change_;
  std::shared_future<Status> commit_;  // GUARDED_BY(mu_): of the last run applied, maybe running
  std::string commit_source_, commit_of_;  // GUARDED_BY(mu_): that run's source and batch name
  uint64_t commit_first_ = 0, commit_last_ = 0;  // GUARDED_BY(mu_): and its sequence numbers
  // A commit that failed after its answer: the first sequence number of its run, and why.
  struct Failure {
    uint64_t first = 0;
    std::string why;
  };
  std::map<std::string, Failure, std::less<>> failed_;  // GUARDED_BY(mu_): by source
};

// What ApplyDrop did: the totals of the files it applied.
struct DropReport {
  uint64_t files = 0;          // files applied (wholly or, one already half applied, in part)
  uint64_t files_skipped = 0;  // files wholly at or below the cursor: applied before
  ApplyReport totals;          // summed over the files applied; `cursor` the last one's
};

// Applies the "_feed.<source>-<first>-<last>.ndjson" files of `source` in `dir` (a file drop
// written with DropFormat::kFeed, pusher.h) in feed order through `receiver`, each as a batch
// that says it follows <first> - 1. Files at or below the source's cursor are skipped, so running
// it again, or over a directory that keeps growing, applies each change once. Other files are
// left alone; nothing is removed. NotFound when `dir` cannot be read; FailedPrecondition when
// the next change to apply is in no file (a file missing from the drop), after applying the
// files before it; a file's malformed line fails with its file name and line.
Result<DropReport> ApplyDrop(Receiver& receiver, const std::string& dir, std::string_view source,
                             std::string_view region, const ApplyOptions& options = {});

}  // namespace xinyong::exchange
