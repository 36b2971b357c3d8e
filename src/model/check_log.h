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
  std::string requester;   // who asked: the caller's address until accounts exist (issue 5)
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

std::string EncodeCheckLog(const CheckLog& c);  // without the id (it is the key)
bool DecodeCheckLog(std::string_view in, CheckLog* c);

}  // namespace xinyong
