// Credit commitments (信用承诺, FACTS §7) as the platform shows them: a commitment record of the
// catalog's credit_commitment indicator read through its field roles — the commitment code
// (document_number), when it was made (decision_date), its deadline (承诺有效期, role deadline),
// the fulfilment status the accepting unit found (fulfilment_status / fulfilment_date) and its
// 公开类型 (publicity_type) — and the state that follows on a given day:
//
//   fulfilled            全部履行
//   partially_fulfilled  部分履行 (a breach: a commitment_breach record was derived)
//   unfulfilled          全部未履行 (a breach too)
//   overdue              no status yet and the deadline has passed (逾期未认定)
//   open                 no status yet, deadline not passed or none (履约中)
//
// Fulfilment is set by the accepting unit (承诺受理单位): FulfilmentRow turns its finding into a
// new version of the commitment row, which goes through the ordinary ingestion path, where a
// breach also derives the negative record. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/indicator.h"
#include "core/date.h"
#include "core/personal_data.h"
#include "core/status.h"
#include "model/record.h"
#include "rules/measures.h"  // kCommitmentIndicator

namespace xinyong::rules {

enum class CommitmentState : uint8_t {
  kOpen = 1,
  kFulfilled = 2,
  kPartiallyFulfilled = 3,
  kUnfulfilled = 4,
  kOverdue = 5,
};
std::string_view CommitmentStateName(CommitmentState s);   // "open", "fulfilled", ...
std::string_view CommitmentStateLabel(CommitmentState s);  // "履约中", "全部履行", ...
std::optional<CommitmentState> ParseCommitmentState(std::string_view name);

struct CommitmentView {
  std::string code;     // 承诺编码
  std::string type;     // 承诺类型
  Date made;            // 承诺作出日期
  std::optional<Date> deadline;
  CommitmentState state = CommitmentState::kOpen;
  std::string status;   // 承诺履行状态 as found, "" when none yet
  std::optional<Date> found;  // 履行状态认定日期
  std::string found_by;       // 履行状态认定单位
  std::string accepting_unit, accepting_unit_code;
  std::string publicity;      // 公开类型 as written, "" when none
  bool false_commitment = false;  // 虚假承诺
};

// The view of a commitment record (its values decoded) on `today`.
CommitmentView ViewCommitment(const Record& r, const catalog::Indicator& ind, Date today);

// What the accepting unit found.
struct Fulfilment {
  std::string status;  // 全部履行 / 部分履行 / 全部未履行
  Date found;          // when it was found
  std::string unit, unit_code;  // who found it: must be the accepting unit (name or code)
  std::string unfulfilled;      // 未履行的承诺内容 (a breach)
  std::string liability;        // 违诺责任追究内容 (a breach)
  bool false_commitment = false;
};

// The commitment row (field code → value, in the indicator's field order) that records `f` on
// the current version `r` of a commitment: every value it had, personal numbers unsealed with
// `vault` so that ingestion hashes and seals them again, and the fulfilment fields replaced.
// Fails — with *bad_field set to the request field at fault, "" when it is the record — with
// InvalidArgument for a status the indicator does not know, a finding dated before the commitment
// or after `today`, or a breach that does not say what was not fulfilled; PermissionDenied when
// the unit is not the commitment's accepting unit; FailedPrecondition when the record is not in
// force.
using Row = std::vector<std::pair<std::string, std::string>>;
// The field of a FulfilmentRow naming the code of the unit that made the finding
// (履行状态认定单位代码).
inline constexpr std::string_view kFindingUnitCodeField = "CN_LXZTRDDWDM";
Result<Row> FulfilmentRow(const Record& r, const catalog::Indicator& ind, const Fulfilment& f,
                          const PersonalDataVault& vault, Date today, std::string* bad_field);

}  // namespace xinyong::rules
