// Application: one objection (异议) or credit-repair application (信用修复) as it stands, and Event:
// one step of its history — who took it, when, why, with which documents, and what it changed.
// Both are stored by the Store as a format byte and JSON text (docs/storage.md, `rights`), and
// shown through the API and the CLI by ApplicationJson. Plain data.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/date.h"
#include "workflow/workflow.h"

namespace xinyong::workflow {

// One condition of a credit repair as it was checked (FACTS §4).
struct Condition {
  std::string code;   // "in_force", "negative", "repairable", "publicity_not_ended",
                      // "minimum_period", "obligations_performed", "repair_commitment"
  std::string label;  // 记录有效, 失信信息, …
  bool met = false;
  std::string detail;  // one sentence: why it is met or not
};

using Corrections = std::vector<std::pair<std::string, std::string>>;  // field code → value

struct Event {
  uint32_t seq = 0;  // 1 = the filing
  Action action = Action::kFile;
  State from = State::kNone;
  State to = State::kNone;
  Date day;             // the day the working-day clocks count from
  int64_t unix_ms = 0;  // when
  std::string role;     // the caller's role ("operator", "subject", "source_department")
  std::string actor;    // who, without personal data ("operator token 1")
  std::string department;  // the department a department's step was taken for
  std::string reason;      // the reason, the department's answer or the written reply
  std::vector<std::string> documents;  // evidence and document references
  std::string outcome;  // verify: upheld_correct, upheld_revoke, rejected; decide: repaired, denied
  Corrections corrections;           // verify upheld_correct: the corrected fields
  std::vector<std::string> effects;  // what the step changed, one sentence each
};

struct Application {
  uint64_t id = 0;
  Kind kind = Kind::kObjection;
  State state = State::kNone;
  uint64_t subject_id = 0;
  std::string subject_code, subject_name;
  // The record it is about (its id is stable across versions) as it was when filed.
  uint64_t record_id = 0;
  uint32_t record_version = 0;
  std::string indicator, indicator_name, document_number;
  Date decision_date;
  Date filed;
  bool on_behalf = false;  // filed by the operator on the subject's behalf
  // Objection: why the record is wrong. Repair: how the conduct was corrected and the obligations
  // performed (the declaration).
  std::string reason;
  std::vector<std::string> evidence;
  // Objection: the source department it was forwarded to (empty before). Repair: the body that
  // made the finding, which decides.
  std::string department;
  // Who may be that department: the record's deciding body (name, code), else the department
  // that submitted it, else the indicator's source departments (Service::DepartmentsOf).
  std::vector<std::string> departments;
  Date state_since;             // the day the current state began
  std::optional<Date> due;      // the current step's deadline (none in a final state)
  Clock due_clock = Clock::kNone;
  std::optional<Date> overall_due;  // objections: the whole answered by then
  std::string deadline_note;        // why a deadline is missing (a year the calendar lacks)
  std::string outcome;              // as the last verify or decide said
  std::string answer;               // the department's answer (verify) or decision reasons
  std::string reply;                // the written answer to the applicant, with reasons
  Corrections corrections;
  bool extended = false;            // repair: a complex case, the decision period extended
  std::string commitment_code;      // repair: the 信用修复型 commitment relied on
  std::vector<Condition> conditions;  // repair: as checked at the last step
  std::vector<uint64_t> batches;      // batches that wrote record versions for it
  uint32_t events = 0;                // history entries so far

  bool open() const { return state != State::kNone && !IsFinal(state); }
};

// Whether the current step, or the whole (objections), is past its deadline on `today`: the
// deadline day itself is still in time. Never for a final state.
struct Overdue {
  bool step = false;
  bool overall = false;
  bool any() const { return step || overall; }
};
Overdue OverdueOn(const Application& a, Date today);

std::string EncodeApplication(const Application& a);
bool DecodeApplication(std::string_view in, Application* a);
std::string EncodeEvent(const Event& e);
bool DecodeEvent(std::string_view in, Event* e);

// The JSON of an application as the API and `xinyong objection|repair show --json` give it, with
// its deadline state on `today` and, when given, its history (oldest first).
boost::json::object ApplicationJson(const Application& a, Date today,
                                    std::span<const Event> history = {});
boost::json::object EventJson(const Event& e);

}  // namespace xinyong::workflow
