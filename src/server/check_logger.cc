#include "server/check_logger.h"

#include <spdlog/spdlog.h>

namespace xinyong::server {

CheckLogger::CheckLogger(storage::Store& store, security::AuditLog* audit)
    : store_(store), audit_(audit), writer_([this] { WriteLoop(); }) {}

CheckLogger::~CheckLogger() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_.notify_one();
  writer_.join();
}

void CheckLogger::LogAsync(const CheckRun* run, std::optional<security::AuditEntry> audit,
                           Done done) {
  if (run->entries.empty()) {
    done(Status::InvalidArgument("a run of checks needs at least one"));
    return;
  }
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    queue_.push_back({run, std::move(audit), std::move(done)});
    // Otherwise the writer is awake already, or writing (then it takes this run next).
    wake = queue_.size() == 1;
  }
  if (wake) work_.notify_one();
}

Result<uint64_t> CheckLogger::Log(const CheckRun& run) {
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;
  Result<uint64_t> result = Status::Internal("not logged");
  LogAsync(&run, std::nullopt, [&](Result<uint64_t> r) {
    std::lock_guard lock(mu);
    result = std::move(r);
    finished = true;
    cv.notify_one();  // under mu: this frame cannot end (and destroy cv) before
  });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return finished; });
  return result;
}

void CheckLogger::WriteLoop() {
  std::vector<Pending> batch;
  std::vector<const CheckRun*> runs;
  std::vector<security::AuditEntry> entries;
  // Whether checks may have been logged that the index by subject does not have yet (at start:
  // a run before a restart may have ended before its index caught up).
  bool unindexed = true;
  size_t since_index = 0;  // checks logged since the last step taken while busy
  std::unique_lock lock(mu_);
  while (true) {
    // Idle for a moment: bring the index by subject up to date, a step at a time, giving way to
    // checks as soon as one comes.
    if (unindexed && !stopping_ && queue_.empty() &&
        !work_.wait_for(lock, kIndexDelay, [&] { return stopping_ || !queue_.empty(); })) {
      do {
        lock.unlock();
        auto n = store_.IndexChecks(kIndexStep);
        if (!n.ok()) {
          // Listings stay complete (they read what is not indexed); try again after the next run.
          spdlog::warn("indexing the check log by subject: {}", n.status().ToString());
          unindexed = false;
        } else if (*n < kIndexStep) {
          unindexed = false;
        }
        lock.lock();
        // A pause between steps leaves the cores to whatever else the server does meanwhile (a
        // batch of checks is evaluated outside this thread).
      } while (unindexed && !stopping_ && queue_.empty() &&
               !work_.wait_for(lock, kIndexPause, [&] { return stopping_ || !queue_.empty(); }));
    }
    work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    batch.swap(queue_);
    lock.unlock();
    runs.clear();
    entries.clear();
    for (Pending& p : batch) {
      runs.push_back(p.run);
      if (p.audit && audit_ != nullptr) entries.push_back(std::move(*p.audit));
    }
    Result<std::vector<uint64_t>> firsts = Status::Internal("not logged");
    if (entries.empty()) {
      firsts = store_.LogCheckRuns(runs);
    } else {
      // AppendWith returns the write's status, which `firsts` has.
      audit_->AppendWith(entries, [&](const storage::AuditAppend& a) {
        firsts = store_.LogCheckRuns(runs, &a);
        return firsts.status();
      }).IgnoreError();
    }
    if (firsts.ok()) {
      unindexed = true;
      for (const CheckRun* r : runs) since_index += r->entries.size();
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      if (firsts.ok()) {
        batch[i].done((*firsts)[i]);
      } else {
        batch[i].done(firsts.status());
      }
    }
    batch.clear();
    // Under steady traffic the logger is never idle: index a step now and then anyway, so that
    // what a listing must read beyond the index stays short.
    if (since_index >= kIndexBacklog) {
      if (auto n = store_.IndexChecks(kIndexStep); n.ok() && *n < kIndexStep) unindexed = false;
      since_index = 0;
    }
    lock.lock();
  }
}

}  // namespace xinyong::server
