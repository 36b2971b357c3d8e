// Grading: the composite evaluation (公共信用综合评价) kept in the store rather than computed per
// request. A Grader applies the EvaluationModel to organizations and saves each one's grade as
// its current grade unless the stored one says the same; the store appends it to the subject's
// history when the score or grade changed. Two ways in: the subjects a committed ingest batch touched (incremental), and every
// organization in one pass over the store in storage order on several threads (full — grades
// also change with time alone, as windows pass and list memberships end).
//
// Incremental grading can be deferred over the batches of one ingestion call (every file of a
// bulk load, every run of a pushed exchange batch): a subject touched by many of its batches is
// then read and graded once, at the end, instead of once per batch.
//
// Thread-safety: one recompute at a time (calls are serialized internally), since saving
// compares with the grade being replaced. The store, catalog and model must outlive the Grader.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/date.h"
#include "core/status.h"
#include "model/grade.h"
#include "rules/evaluation.h"
#include "storage/store.h"

namespace xinyong::rules {

struct GradingSummary {
  Date as_of;
  uint64_t subjects = 0;  // organizations graded
  uint64_t changed = 0;   // of which the score or grade changed (a history entry each)
  std::map<std::string, uint64_t> by_grade;  // "A".."D" → subjects
  double seconds = 0;
};

class Grader {
 public:
  Grader(storage::Store& store, const catalog::Catalog& catalog, const EvaluationModel& model);

  // Every organization as of `today`, one pass over the store on `threads` threads (0 = one per
  // core), recorded as the store's last grading run when it finishes. The store's errors; grades
  // saved before an error stay saved (each save is atomic). FailedPrecondition when `today` is
  // before the last run's day: stored grades are the current ones, never replaced by older.
  Result<GradingSummary> RecomputeAll(Date today, unsigned threads = 0);
  // The given subjects as of `today`, or of the last full run's day when that is later (a day
  // taken before midnight, a full run in between); natural persons and unknown ids are skipped.
  Result<GradingSummary> RecomputeSubjects(std::span<const uint64_t> subject_ids, Date today);
  // After an ingest batch `batch_id` committed `records` and created or changed `subjects`:
  // regrades the subjects that got records of an indicator the model reads (no other record can
  // move a grade) and grades the organizations the batch created (from no records at all when
  // none of theirs is read by the model).
  // With the id of an open Deferral, the subjects are only noted in it (an empty summary).
  Result<GradingSummary> RecomputeAfterBatch(uint64_t batch_id, std::span<const Subject> subjects,
                                             std::span<const storage::RecordWrite> records,
                                             Date today, uint64_t deferral = 0);

  // The regrade of one ingestion call's batches (the files of one `xinyong ingest`, one uploaded
  // file, one pushed exchange batch), done once at its end: the call passes id() with its batches
  // (IngestOptions::grading_deferral), RecomputeAfterBatch notes their subjects here, and Finish
  // regrades them, each once, as of the latest batch's `today`. Until then their grades lag
  // their records; batches of other calls are not affected. A Deferral ended without Finish
  // finishes in its destructor (an error is logged, never thrown).
  // Crash-safe: an open Deferral keeps a regrade mark in the store (Store::PutRegradeMark, from
  // the next change-feed number on), deleted once its regrade is saved; RecoverRegrades, when a
  // store is opened, regrades what a crash left marked.
  class Deferral {
   public:
    explicit Deferral(Grader& grader);
    ~Deferral();
    Deferral(const Deferral&) = delete;
    Deferral& operator=(const Deferral&) = delete;
    uint64_t id() const { return id_; }
    // Regrades what the batches noted. Once; later calls return an empty summary.
    Result<GradingSummary> Finish();

   private:
    Grader* grader_;  // null once finished
    uint64_t id_;
    std::optional<uint64_t> mark_;  // the store's regrade mark (token), if it could be written
  };

  // Regrades the subjects of the change-feed entries that regrade marks left by an earlier
  // process cover (a Deferral that never finished: the process stopped first), as of `today`,
  // then deletes those marks. Call once after opening a store for writing, before ingesting.
  // The feed is read `chunk` entries at a time.
  Result<GradingSummary> RecoverRegrades(Date today, size_t chunk = 65536);

  // The records the model reads: its rules' indicators, headers only except list rules' (their
  // list_end field decides whether a membership is current).
  const storage::RecordSelection& selection() const { return selection_; }
  // An evaluation in the stored form, computed at `unix_ms`.
  SubjectGrade ToStored(const Evaluation& e, Date today, int64_t unix_ms) const;

 private:
  // `today`, or the last full run's day when that is later.
  Result<Date> NotBeforeLastRun(Date today) const;
  // Evaluates subjects delivered by a bulk read, saving them in chunks.
  class Worker;
  // Runs job(t, worker, failed) for t in [0, threads) on as many threads, each with its own
  // Worker grading as of `today` at `unix_ms` (flushed after a job that succeeded); `failed`
  // turns true once any job has failed. The first error, else the workers' merged summary
  // (seconds not set).
  using WorkerJob = std::function<Status(unsigned, Worker&, const std::atomic<bool>&)>;
  Result<GradingSummary> RunWorkers(unsigned threads, Date today, int64_t unix_ms,
                                    const WorkerJob& job);

  storage::Store& store_;
  const catalog::Catalog& catalog_;
  const EvaluationModel& model_;
  storage::RecordSelection selection_;
  std::mutex mu_;  // held for the length of a recompute
  // Open Deferrals by id: what their batches would have regraded.
  struct Deferred {
    std::vector<uint64_t> subjects;
    size_t unique = 0;  // subjects.size() when last deduplicated
    Date today;
  };
  std::mutex defer_mu_;
  uint64_t next_deferral_ = 1;                 // GUARDED_BY(defer_mu_)
  std::map<uint64_t, Deferred> deferred_;      // GUARDED_BY(defer_mu_)
};

}  // namespace xinyong::rules
