// CheckLog: one credit check (信用核查) as the platform keeps it — who asked, in which scenario and
// for what purpose, about whom, what they were told, and later what they did with it (feedback).
// Every check is logged; the log is how the use of credit information is accounted for.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace xinyong {

struct CheckLog {
  uint64_t id = 0;
  int64_t unix_ms = 0;
  std::string department;  // the using department that asked (its code or name)
  std::string requester;   // who asked: the token (Principal::Describe) and the caller's address
  std::string scenario;    // scenario code (data/measures/scenarios.toml)
  std::string purpose;     // 查询事由, in the department's words
  uint64_t subject_id = 0;
  std::string subject_code;
  std::string result;                 // pass | pass_with_reward | restricted | refused
  std::vector<std::string> measures;  // codes of the measures returned
  // Feedback (反馈): what the department did with the result. Empty action: none yet.
  std::string feedback_action;  // "applied" | "not_applied"
  std::string feedback_reason;
  int64_t feedback_unix_ms = 0;
};

// The checks of one request — one time, department, requester, scenario and purpose — logged
// together under consecutive ids. Write-side only, views: the strings must outlive the call that
// logs the run.
struct CheckRun {
  int64_t unix_ms = 0;
  std::string_view department, requester, scenario, purpose;
  struct Entry {
    uint64_t subject_id = 0;
    std::string_view subject_code;
    std::string_view result;
    std::vector<std::string_view> measures;
  };
  std::vector<Entry> entries;
};

// One check as a value of its own (format 1), without the id (it is the key). Stores written
// before check runs hold every check this way, feedback included.
std::string EncodeCheckLog(const CheckLog& c);
bool DecodeCheckLog(std::string_view in, CheckLog* c);

// Entries [begin, end) of a run as one value (format 2): the shared fields once, then per check
// its subject, result and measures, the measure codes and results as indexes into small tables of
// the distinct ones — about 30 bytes a check.
std::string EncodeCheckRun(const CheckRun& run, size_t begin, size_t end);
// Whether a stored check value is a run (else it is one check).
bool IsCheckRun(std::string_view in);
// The checks of an encoded run, the first with id `first_id`, appended to `out` without feedback.
bool DecodeCheckRun(std::string_view in, uint64_t first_id, std::vector<CheckLog>* out);

// Feedback kept beside a check logged in a run: action, reason, time.
std::string EncodeCheckFeedback(std::string_view action, std::string_view reason, int64_t unix_ms);
bool DecodeCheckFeedback(std::string_view in, CheckLog* c);

}  // namespace xinyong
