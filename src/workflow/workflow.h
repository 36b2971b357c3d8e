// The two workflows of a subject's rights as data: objections (异议, FACTS §5) and credit repair
// (信用修复, FACTS §4). Each is a table of transitions — from a state, by an action, to a state —
// naming who may take it and which deadline (in working days of the calendar) the new state runs
// under. The service (service.h) takes a step only when the table has it; nothing else in the
// module decides what may follow what. README.md shows the table.
//
// Pure data and functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace xinyong::workflow {

// Persisted as one byte: never renumber.
enum class Kind : uint8_t { kObjection = 1, kRepair = 2 };

// One state space for both kinds (each uses its own states and kWithdrawn). Persisted: never
// renumber.
enum class State : uint8_t {
  kNone = 0,  // before filing: only the source of the filing transition
  // Objections.
  kSubmitted = 1,  // filed; the credit centre forwards it to the source department
  kForwarded = 2,  // with the source department, which verifies and answers in writing
  kVerified = 3,   // the department answered (upheld: the record corrected or revoked; rejected)
  kAnswered = 4,   // the applicant was notified in writing, with reasons (final)
  // Credit repair.
  kApplied = 11,   // applied; the credit centre accepts or refuses it
  kAccepted = 12,  // accepted; the deciding body decides
  kRefused = 13,   // not accepted (final)
  kRepaired = 14,  // repaired: the record no longer published, shared or used (final)
  kDenied = 15,    // the deciding body refused the repair (final)
  // Both.
  kWithdrawn = 20,  // withdrawn by the applicant (final)
};

// Persisted in history entries by name (ActionName); the numbers are not stored.
enum class Action : uint8_t {
  kFile = 1,      // objection: file it
  kForward = 2,   // objection: forward to the source department
  kVerify = 3,    // objection: the department's answer (upheld_correct, upheld_revoke, rejected)
  kAnswer = 4,    // objection: the written answer to the applicant
  kApply = 5,     // repair: apply
  kAccept = 6,    // repair: accept (conditions met)
  kRefuse = 7,    // repair: refuse to accept
  kExtend = 8,    // repair: a complex case, the decision period extended once
  kDecide = 9,    // repair: repaired or denied
  kWithdraw = 10,
};

// Who may take a transition.
enum class Actor : uint8_t {
  kApplicant = 1,   // the subject (its own token), or the operator on its behalf
  kOperator = 2,    // the platform operator (市信用中心)
  kDepartment = 3,  // the department concerned: the source department an objection was forwarded
                    // to; the body that made the finding for a repair (谁认定、谁修复)
};

// Which deadline a state runs under (Policy gives the working days).
enum class Clock : uint8_t {
  kNone = 0,     // a final state, or no deadline
  kForward = 1,  // objection: forward within N working days of filing
  kVerify = 2,   // objection: the department verifies within N working days of forwarding
  kNotify = 3,   // objection: the applicant notified within N working days of the answer
  kAccept = 4,   // repair: accepted or refused within N working days of applying
  kDecide = 5,   // repair: decided within N working days of acceptance (+ the extension)
};

struct Transition {
  Kind kind;
  Action action;
  State from;
  State to;
  Actor actor;
  Clock clock;  // the deadline of the state reached
};

// Every transition of both workflows.
std::span<const Transition> Transitions();

// The transition of `kind` taking `action` from `from` (to `to`, when an action has several
// targets: verify, decide); nullptr when the table has none.
const Transition* FindTransition(Kind kind, Action action, State from,
                                 std::optional<State> to = std::nullopt);

// Whether a state ends its workflow (no transition leaves it).
bool IsFinal(State s);

std::string_view KindName(Kind k);        // "objection", "repair"
std::string_view KindLabel(Kind k);       // "异议", "信用修复"
std::string_view StateName(State s);      // "submitted", ...
std::string_view StateLabel(State s);     // "已提交", ...
std::string_view ActionName(Action a);    // "file", "forward", ...
std::string_view ActorName(Actor a);      // "applicant", "operator", "department"
std::string_view ClockName(Clock c);      // "forward", "verify", ... ("" for kNone)
std::optional<Kind> ParseKind(std::string_view name);
std::optional<State> ParseState(std::string_view name);
std::optional<Action> ParseAction(std::string_view name);

}  // namespace xinyong::workflow
