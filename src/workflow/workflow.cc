#include "workflow/workflow.h"

#include <array>
#include <utility>

namespace xinyong::workflow {

namespace {

constexpr Kind O = Kind::kObjection;
constexpr Kind R = Kind::kRepair;

// The table (README.md shows the same).
constexpr Transition kTable[] = {
    // Objections: the city's own limits — forwarded within 5 working days, verified within 5 of
    // forwarding, the applicant notified within 2 of the answer, 12 in all (Policy).
    {O, Action::kFile, State::kNone, State::kSubmitted, Actor::kApplicant, Clock::kForward},
    {O, Action::kForward, State::kSubmitted, State::kForwarded, Actor::kOperator, Clock::kVerify},
    {O, Action::kVerify, State::kForwarded, State::kVerified, Actor::kDepartment, Clock::kNotify},
    {O, Action::kAnswer, State::kVerified, State::kAnswered, Actor::kOperator, Clock::kNone},
    {O, Action::kWithdraw, State::kSubmitted, State::kWithdrawn, Actor::kApplicant, Clock::kNone},
    {O, Action::kWithdraw, State::kForwarded, State::kWithdrawn, Actor::kApplicant, Clock::kNone},
    // Credit repair: accepted or refused within 3 working days, decided within 7 of acceptance,
    // 10 more for a complex case; the body that made the finding decides.
    {R, Action::kApply, State::kNone, State::kApplied, Actor::kApplicant, Clock::kAccept},
    {R, Action::kAccept, State::kApplied, State::kAccepted, Actor::kOperator, Clock::kDecide},
    {R, Action::kRefuse, State::kApplied, State::kRefused, Actor::kOperator, Clock::kNone},
    {R, Action::kExtend, State::kAccepted, State::kAccepted, Actor::kDepartment, Clock::kDecide},
    {R, Action::kDecide, State::kAccepted, State::kRepaired, Actor::kDepartment, Clock::kNone},
    {R, Action::kDecide, State::kAccepted, State::kDenied, Actor::kDepartment, Clock::kNone},
    {R, Action::kWithdraw, State::kApplied, State::kWithdrawn, Actor::kApplicant, Clock::kNone},
    {R, Action::kWithdraw, State::kAccepted, State::kWithdrawn, Actor::kApplicant, Clock::kNone},
};

template <typename E, size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [v, name] : table) {
    if (v == e) return name;
  }
  return "unknown";
}

template <typename E, size_t N>
std::optional<E> ValueOf(const std::array<std::pair<E, std::string_view>, N>& table,
                         std::string_view name) {
  for (const auto& [v, n] : table) {
    if (n == name) return v;
  }
  return std::nullopt;
}

constexpr std::array<std::pair<Kind, std::string_view>, 2> kKindNames{{
    {Kind::kObjection, "objection"},
    {Kind::kRepair, "repair"},
}};
constexpr std::array<std::pair<Kind, std::string_view>, 2> kKindLabels{{
    {Kind::kObjection, "异议"},
    {Kind::kRepair, "信用修复"},
}};
constexpr std::array<std::pair<State, std::string_view>, 11> kStateNames{{
    {State::kNone, "none"},
    {State::kSubmitted, "submitted"},
    {State::kForwarded, "forwarded"},
    {State::kVerified, "verified"},
    {State::kAnswered, "answered"},
    {State::kApplied, "applied"},
    {State::kAccepted, "accepted"},
    {State::kRefused, "refused"},
    {State::kRepaired, "repaired"},
    {State::kDenied, "denied"},
    {State::kWithdrawn, "withdrawn"},
}};
constexpr std::array<std::pair<State, std::string_view>, 11> kStateLabels{{
    {State::kNone, "未提交"},
    {State::kSubmitted, "已提交"},
    {State::kForwarded, "已转办数源部门"},
    {State::kVerified, "数源部门已核实"},
    {State::kAnswered, "已书面答复"},
    {State::kApplied, "已申请"},
    {State::kAccepted, "已受理"},
    {State::kRefused, "不予受理"},
    {State::kRepaired, "已修复"},
    {State::kDenied, "不予修复"},
    {State::kWithdrawn, "已撤回"},
}};
constexpr std::array<std::pair<Action, std::string_view>, 10> kActionNames{{
    {Action::kFile, "file"},
    {Action::kForward, "forward"},
    {Action::kVerify, "verify"},
    {Action::kAnswer, "answer"},
    {Action::kApply, "apply"},
    {Action::kAccept, "accept"},
    {Action::kRefuse, "refuse"},
    {Action::kExtend, "extend"},
    {Action::kDecide, "decide"},
    {Action::kWithdraw, "withdraw"},
}};
constexpr std::array<std::pair<Actor, std::string_view>, 3> kActorNames{{
    {Actor::kApplicant, "applicant"},
    {Actor::kOperator, "operator"},
    {Actor::kDepartment, "department"},
}};
constexpr std::array<std::pair<Clock, std::string_view>, 6> kClockNames{{
    {Clock::kNone, ""},
    {Clock::kForward, "forward"},
    {Clock::kVerify, "verify"},
    {Clock::kNotify, "notify"},
    {Clock::kAccept, "accept"},
    {Clock::kDecide, "decide"},
}};

}  // namespace

std::span<const Transition> Transitions() { return kTable; }

const Transition* FindTransition(Kind kind, Action action, State from, std::optional<State> to) {
  for (const Transition& t : kTable) {
    if (t.kind == kind && t.action == action && t.from == from && (!to || t.to == *to)) return &t;
  }
  return nullptr;
}

bool IsFinal(State s) {
  if (s == State::kNone) return false;
  for (const Transition& t : kTable) {
    if (t.from == s) return false;
  }
  return true;
}

std::string_view KindName(Kind k) { return NameOf(kKindNames, k); }
std::string_view KindLabel(Kind k) { return NameOf(kKindLabels, k); }
std::string_view StateName(State s) { return NameOf(kStateNames, s); }
std::string_view StateLabel(State s) { return NameOf(kStateLabels, s); }
std::string_view ActionName(Action a) { return NameOf(kActionNames, a); }
std::string_view ActorName(Actor a) { return NameOf(kActorNames, a); }
std::string_view ClockName(Clock c) { return NameOf(kClockNames, c); }
std::optional<Kind> ParseKind(std::string_view name) { return ValueOf(kKindNames, name); }
std::optional<State> ParseState(std::string_view name) { return ValueOf(kStateNames, name); }
std::optional<Action> ParseAction(std::string_view name) { return ValueOf(kActionNames, name); }

}  // namespace xinyong::workflow
