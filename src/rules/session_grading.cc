#include "rules/session_grading.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

namespace xinyong::rules {

using Clock = std::chrono::steady_clock;

SessionGrading::SessionGrading(Grader& grader, std::chrono::milliseconds idle,
                               std::chrono::milliseconds max_lag)
    : grader_(grader), idle_(idle), max_lag_(max_lag), thread_([this] { Loop(); }) {}

SessionGrading::~SessionGrading() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  thread_.join();
}

SessionGrading::Batch::Batch(SessionGrading* sessions) : sessions_(sessions) {
  if (sessions_ == nullptr) return;
  session_ = sessions_->Begin();
  deferral_ = session_->deferral->id();
}

SessionGrading::Batch::~Batch() {
  if (sessions_ != nullptr) sessions_->End(*session_);
}

std::shared_ptr<SessionGrading::Session> SessionGrading::Begin() {
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  if (open_ && now >= open_->opened + max_lag_) closed_.push_back(std::move(open_));
  if (!open_) {
    open_ = std::make_shared<Session>();
    open_->deferral = std::make_unique<Grader::Deferral>(grader_);
    open_->opened = now;
  }
  ++open_->applying;
  open_->last = now;
  cv_.notify_all();
  return open_;
}

void SessionGrading::End(Session& session) {
  std::lock_guard lock(mu_);
  --session.applying;
  session.last = Clock::now();
  cv_.notify_all();
}

uint64_t SessionGrading::finished() const {
  std::lock_guard lock(mu_);
  return finished_;
}

void SessionGrading::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    const auto now = Clock::now();
    // A session to regrade now: a closed one whose batches are all applied, else the open one
    // once it is idle or old (or the object is going) and no batch of it is being applied.
    std::shared_ptr<Session> ready;
    auto done = std::find_if(closed_.begin(), closed_.end(),
                             [](const auto& s) { return s->applying == 0; });
    if (done != closed_.end()) {
      ready = std::move(*done);
      closed_.erase(done);
    } else if (open_ && open_->applying == 0 &&
               (stop_ || now >= std::min(open_->last + idle_, open_->opened + max_lag_))) {
      ready = std::move(open_);
    }
    if (ready) {
      // Regrade outside the lock: batches that arrive meanwhile go to another session.
      lock.unlock();
      try {
        if (auto r = ready->deferral->Finish(); !r.ok()) {
          spdlog::error("grades of a push session not recomputed (its regrade mark stays for "
                        "the next start; or run `xinyong grade --all`): {}",
                        r.status().ToString());
        }
      } catch (const std::exception& e) {
        spdlog::error("grades of a push session not recomputed: {}", e.what());
      }
      ready.reset();
      lock.lock();
      ++finished_;
      continue;
    }
    if (stop_ && !open_ && closed_.empty()) return;
    if (open_ && open_->applying == 0 && !stop_) {
      cv_.wait_until(lock, std::min(open_->last + idle_, open_->opened + max_lag_));
    } else {
      cv_.wait(lock);  // woken by Begin, End or the destructor
    }
  }
}

}  // namespace xinyong::rules
