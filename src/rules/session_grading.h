// SessionGrading: one regrade per push session of the exchange (src/exchange) instead of one
// per pushed batch. A lower-level instance pushes its change feed in batches sent back to back;
// each batch touches thousands of subjects, most of them touched again by the next. The batches
// of a session note their subjects in one open Grader::Deferral, which a thread of this class
// finishes once no batch has been applied for `idle`, or the session has been open for
// `max_lag` (then as soon as the batch being applied is done), and when the object is
// destroyed. Grades of pushed records lag them by about that much; a crash in between is
// covered by the Deferral's regrade mark (Grader::RecoverRegrades).
//
// Thread-safety: Begin and End from any thread; the Grader must outlive this object.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "rules/grading.h"

namespace xinyong::rules {

class SessionGrading {
 public:
  SessionGrading(Grader& grader, std::chrono::milliseconds idle,
                 std::chrono::milliseconds max_lag);
  ~SessionGrading();  // finishes an open session's regrade
  SessionGrading(const SessionGrading&) = delete;
  SessionGrading& operator=(const SessionGrading&) = delete;

  // The Deferral id (IngestOptions::grading_deferral) for a batch about to be applied, opening
  // a session when none is open. Every Begin is followed by one End once the batch is applied.
  uint64_t Begin();
  void End();

  // Begin and End around one batch; with no SessionGrading (grading off), deferral 0.
  class Batch {
   public:
    explicit Batch(SessionGrading* sessions)
        : sessions_(sessions), deferral_(sessions != nullptr ? sessions->Begin() : 0) {}
    ~Batch() {
      if (sessions_ != nullptr) sessions_->End();
    }
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;
    uint64_t deferral() const { return deferral_; }

   private:
    SessionGrading* sessions_;
    uint64_t deferral_;
  };

  // Sessions whose regrade has finished (for tests and logs).
  uint64_t finished() const;

 private:
  void Loop();

  Grader& grader_;
  const std::chrono::milliseconds idle_, max_lag_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<Grader::Deferral> open_;            // GUARDED_BY(mu_)
  std::chrono::steady_clock::time_point opened_, last_;  // GUARDED_BY(mu_)
  int applying_ = 0;                                  // GUARDED_BY(mu_)
  bool stop_ = false;                                 // GUARDED_BY(mu_)
  uint64_t finished_ = 0;                             // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace xinyong::rules
