// SessionGrading: one regrade per push session of the exchange (src/exchange) instead of one
// per pushed batch. A lower-level instance pushes its change feed in batches sent back to back;
// each batch touches thousands of subjects, most of them touched again by the next. The batches
// of a session note their subjects in one Grader::Deferral, which a thread of this class
// finishes once no batch has been applied for `idle`, or once the session is `max_lag` old
// (the next batch then opens a new session; the old one is finished as soon as the batches it
// holds are applied), and when the object is destroyed. Grades of pushed records lag them by
// about that much; a crash in between is covered by the Deferral's regrade mark
// (Grader::RecoverRegrades).
//
// Thread-safety: Batch from any thread; the Grader must outlive this object, and every Batch
// must end before it is destroyed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "rules/grading.h"

namespace xinyong::rules {

class SessionGrading {
  struct Session;

 public:
  SessionGrading(Grader& grader, std::chrono::milliseconds idle,
                 std::chrono::milliseconds max_lag);
  ~SessionGrading();  // finishes the regrade of every session still open
  SessionGrading(const SessionGrading&) = delete;
  SessionGrading& operator=(const SessionGrading&) = delete;

  // One batch being applied: its Deferral id (IngestOptions::grading_deferral) from the open
  // session (opened when none is, or when it is max_lag old). With no SessionGrading (grading
  // off), deferral 0.
  class Batch {
   public:
    explicit Batch(SessionGrading* sessions);
    ~Batch();
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;
    uint64_t deferral() const { return deferral_; }

   private:
    SessionGrading* sessions_;
    std::shared_ptr<Session> session_;
    uint64_t deferral_ = 0;
  };

  // Sessions whose regrade has finished (for tests and logs).
  uint64_t finished() const;

 private:
  struct Session {
    std::unique_ptr<Grader::Deferral> deferral;
    std::chrono::steady_clock::time_point opened, last;
    int applying = 0;  // batches begun and not yet ended
  };
  std::shared_ptr<Session> Begin();
  void End(Session& session);
  void Loop();

  Grader& grader_;
  const std::chrono::milliseconds idle_, max_lag_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<Session> open_;                // GUARDED_BY(mu_): takes new batches
  std::vector<std::shared_ptr<Session>> closed_;  // GUARDED_BY(mu_): max_lag old, not finished
  bool stop_ = false;                            // GUARDED_BY(mu_)
  uint64_t finished_ = 0;                        // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace xinyong::rules
