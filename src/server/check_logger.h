// CheckLogger: group commit of the credit-check log. A check is answered only once it is logged
// durably, and one synced write of the store costs a disk flush (~0.3-1 ms here); so the runs of
// checks handed in by concurrent requests are written together, by one thread, as one durable
// write (Store::LogCheckRuns) — many checks per flush instead of one, and no contention among
// writers inside the store. A caller either waits (Log) or is called back (LogAsync), which
// lets the HTTP server answer a check without holding a thread while its log is flushed.
//
// A small write indexes its checks by subject itself (Store::LogCheckRuns); what a batch leaves
// unindexed the same thread indexes when idle, and in short steps while busy (Store::IndexChecks),
// so that a subject's listing of the checks run on it reads an index.
//
// A check handed in with its audit entry is logged with the entry in the same write
// (AuditLog::AppendWith): one write and one flush for both logs, and never the check without its
// entry or the entry without its check (the Platform gives the logger its audit log).
//
// Thread-safety: Log and LogAsync from any number of threads. The store must outlive the
// logger; the destructor writes the runs already handed in and calls their callbacks.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/status.h"
#include "model/check_log.h"
#include "security/audit.h"
#include "storage/store.h"

namespace xinyong::server {

class CheckLogger {
 public:
  // Called with the run's first id (its i-th entry has first + i) or why it was not logged.
  using Done = std::function<void(Result<uint64_t>)>;

  // `audit` (may be null: no entries are written) must outlive the logger.
  CheckLogger(storage::Store& store, security::AuditLog* audit);
  ~CheckLogger();
  CheckLogger(const CheckLogger&) = delete;
  CheckLogger& operator=(const CheckLogger&) = delete;

  // Logs the run together with the runs of other callers waiting at the same time and returns
  // when it is durable. InvalidArgument for an empty run; the store's errors, for every run of
  // the write.
  Result<uint64_t> Log(const CheckRun& run);
  // The same without waiting: `done` is called once, on the logger's thread (at once, on the
  // caller's, for an empty run). `run` and what its views point into must stay valid until then.
  // `audit`, when given, is written with the run when it is logged (not when `done` gets an
  // error: the caller records the failure).
  void LogAsync(const CheckRun* run, std::optional<security::AuditEntry> audit, Done done);

 private:
  struct Pending {
    const CheckRun* run;
    std::optional<security::AuditEntry> audit;
    Done done;
  };
  void WriteLoop();
  // When idle this long after logging, the writer indexes the checks a batch left unindexed
  // (Store::IndexChecks), step after step (kIndexPause apart) while no check comes, this many per
  // write: a short step (~10 ms), because checks arriving meanwhile wait for it (steps of 16,384
  // held single checks over HTTP up by tens of milliseconds).
  static constexpr std::chrono::milliseconds kIndexDelay{100};
  static constexpr std::chrono::milliseconds kIndexPause{20};  // between idle steps
  static constexpr size_t kIndexStep = 2048;
  // While busy, a step is taken after every this many checks logged (single checks index
  // themselves once there is no backlog; this is for a backlog a batch left, which shrinks by
  // half a step with every step).
  static constexpr size_t kIndexBacklog = kIndexStep / 2;

  storage::Store& store_;
  security::AuditLog* const audit_;
  std::mutex mu_;
  std::condition_variable work_;  // a run waits, or stopping
  std::vector<Pending> queue_;    // GUARDED_BY(mu_)
  bool stopping_ = false;         // GUARDED_BY(mu_)
  std::thread writer_;
};

}  // namespace xinyong::server
