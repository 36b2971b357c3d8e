#include "rules/session_grading.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace xinyong::rules {

SessionGrading::SessionGrading(Grader& grader, std::chrono::milliseconds idle,
                               std::chrono::milliseconds max_lag)
    : grader_(grader), idle_(idle), max_lag_(max_lag), thread_([this] { Loop(); }) {}

SessionGrading::~SessionGrading() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

uint64_t SessionGrading::Begin() {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (!open_) {
    open_ = std::make_unique<Grader::Deferral>(grader_);
    opened_ = now;
  }
  ++applying_;
  last_ = now;
  cv_.notify_all();
  return open_->id();
}

void SessionGrading::End() {
  {
    std::lock_guard lock(mu_);
    --applying_;
    last_ = std::chrono::steady_clock::now();
  }
  cv_.notify_all();
}

uint64_t SessionGrading::finished() const {
  std::lock_guard lock(mu_);
  return finished_;
}

void SessionGrading::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    if (!open_) {
      if (stop_) return;
      cv_.wait(lock, [this] { return stop_ || open_ != nullptr; });
      continue;
    }
    const auto due = std::min(last_ + idle_, opened_ + max_lag_);
    if (!stop_ && (applying_ > 0 || std::chrono::steady_clock::now() < due)) {
      // A batch being applied ends with End, which wakes this thread; otherwise the due time.
      if (applying_ > 0) {
        cv_.wait(lock);
      } else {
        cv_.wait_until(lock, due);
      }
      continue;
    }
    if (applying_ > 0) {  // stopping: the batch being applied still notes into this session
      cv_.wait(lock);
      continue;
    }
    // Regrade outside the lock: batches that arrive meanwhile open the next session.
    std::unique_ptr<Grader::Deferral> session = std::move(open_);
    lock.unlock();
    auto r = session->Finish();
    if (!r.ok()) {
      spdlog::error("grades of a push session not recomputed (its regrade mark stays; "
                    "`xinyong grade --all` or the next start regrades them): {}",
                    r.status().ToString());
    }
    session.reset();
    lock.lock();
    ++finished_;
  }
}

}  // namespace xinyong::rules
