#include "rules/commitment.h"

#include <algorithm>
#include <array>

#include "rules/record_fields.h"

namespace xinyong::rules {

namespace {

using catalog::FieldRole;

struct StateName {
  CommitmentState state;
  std::string_view name, label;
};
constexpr std::array<StateName, 5> kStates{{
    {CommitmentState::kOpen, "open", "履约中"},
    {CommitmentState::kFulfilled, "fulfilled", "全部履行"},
    {CommitmentState::kPartiallyFulfilled, "partially_fulfilled", "部分履行"},
    {CommitmentState::kUnfulfilled, "unfulfilled", "全部未履行"},
    {CommitmentState::kOverdue, "overdue", "逾期未认定"},
}};

// Field codes of credit_commitment without a role of their own (FACTS §7).
constexpr std::string_view kType = "CN_CNLX";
constexpr std::string_view kFoundBy = "CN_LXZTRDDW";
constexpr std::string_view kFoundByCode = kFindingUnitCodeField;
constexpr std::string_view kUnfulfilled = "CN_WLXNR";
constexpr std::string_view kLiability = "CN_WNZRZJNR";
constexpr std::string_view kAcceptingUnit = "CN_CNSLDW";
constexpr std::string_view kAcceptingUnitCode = "CN_CNSLDWDM";
constexpr std::string_view kFalse = "CN_XJCN";

std::string_view FieldOfRole(const catalog::Indicator& ind, FieldRole role) {
  const int i = ind.FieldIndexByRole(role);
  return i < 0 ? std::string_view() : std::string_view(ind.fields[static_cast<size_t>(i)].code);
}

Status Fail(std::string* bad_field, std::string_view field, Status s) {
  *bad_field = std::string(field);
  return s;
}

}  // namespace

std::string_view CommitmentStateName(CommitmentState s) {
  for (const auto& e : kStates) {
    if (e.state == s) return e.name;
  }
  return "unknown";
}

std::string_view CommitmentStateLabel(CommitmentState s) {
  for (const auto& e : kStates) {
    if (e.state == s) return e.label;
  }
  return "未知";
}

std::optional<CommitmentState> ParseCommitmentState(std::string_view name) {
  for (const auto& e : kStates) {
    if (e.name == name) return e.state;
  }
  return std::nullopt;
}

CommitmentView ViewCommitment(const Record& r, const catalog::Indicator& ind, Date today) {
  CommitmentView v;
  v.code = r.document_number;
  v.type = std::string(r.Get(kType));
  v.made = r.decision_date;
  v.deadline = DateByRole(r, ind, FieldRole::kDeadline);
  v.status = std::string(ValueByRole(r, ind, FieldRole::kFulfilmentStatus));
  v.found = DateByRole(r, ind, FieldRole::kFulfilmentDate);
  v.found_by = std::string(r.Get(kFoundBy));
  v.accepting_unit = std::string(r.Get(kAcceptingUnit));
  v.accepting_unit_code = std::string(r.Get(kAcceptingUnitCode));
  v.publicity = std::string(ValueByRole(r, ind, FieldRole::kPublicityType));
  v.false_commitment = r.Get(kFalse) == "是";
  if (v.status == "全部履行") {
    v.state = CommitmentState::kFulfilled;
  } else if (v.status == "部分履行") {
    v.state = CommitmentState::kPartiallyFulfilled;
  } else if (v.status == "全部未履行") {
    v.state = CommitmentState::kUnfulfilled;
  } else {
    v.state = v.deadline && *v.deadline < today ? CommitmentState::kOverdue
                                                 : CommitmentState::kOpen;
  }
  return v;
}

Result<Row> FulfilmentRow(const Record& r, const catalog::Indicator& ind, const Fulfilment& f,
                          const PersonalDataVault& vault, Date today, std::string* bad_field) {
  bad_field->clear();
  if (r.status != RecordStatus::kActive) {
    return Status::FailedPrecondition("commitment " + r.document_number + " is " +
                                      std::string(RecordStatusName(r.status)) +
                                      ", not in force; its fulfilment cannot be set");
  }
  const std::string_view unit = r.Get(kAcceptingUnit), unit_code = r.Get(kAcceptingUnitCode);
  const bool by_name = !f.unit.empty() && f.unit == unit;
  const bool by_code = !f.unit_code.empty() && !unit_code.empty() && f.unit_code == unit_code;
  // A code given must be the accepting unit's as the commitment states it (a matching name must
  // not carry another unit's code, or one nobody can check, into 履行状态认定单位代码).
  const bool code_contradicts = !f.unit_code.empty() && f.unit_code != unit_code;
  if ((!by_name && !by_code) || code_contradicts) {
    return Fail(bad_field, f.unit.empty() || code_contradicts ? "unit_code" : "unit",
                Status::PermissionDenied("only the accepting unit of commitment " +
                                         r.document_number + " (" + std::string(unit) +
                                         ") may set its fulfilment status"));
  }

  const std::string_view status_field = FieldOfRole(ind, FieldRole::kFulfilmentStatus);
  const std::string_view date_field = FieldOfRole(ind, FieldRole::kFulfilmentDate);
  const int si = ind.FieldIndexByRole(FieldRole::kFulfilmentStatus);
  if (si < 0 || date_field.empty()) {
    return Status::FailedPrecondition("indicator " + ind.code +
                                      " has no fields with roles fulfilment_status and "
                                      "fulfilment_date");
  }
  const auto& statuses = ind.fields[static_cast<size_t>(si)].enum_values;
  if (std::find(statuses.begin(), statuses.end(), f.status) == statuses.end()) {
    std::string allowed;
    for (const auto& s : statuses) allowed += (allowed.empty() ? "" : ", ") + s;
    return Fail(bad_field, "status",
                Status::InvalidArgument("status '" + f.status.substr(0, 60) + "' is not one of " +
                                        allowed));
  }
  if (f.found > today) {
    return Fail(bad_field, "date",
                Status::InvalidArgument("the finding is dated " + f.found.ToString() +
                                        ", after today (" + today.ToString() + ")"));
  }
  if (f.found < r.decision_date) {
    return Fail(bad_field, "date",
                Status::InvalidArgument("the finding is dated " + f.found.ToString() +
                                        ", before the commitment was made (" +
                                        r.decision_date.ToString() + ")"));
  }
  const bool breach = f.status != "全部履行" || f.false_commitment;
  // A finding of breach stands: it made a negative record and its measures, which end by
  // credit repair or an upheld objection, not by a second finding. A fulfilled commitment may
  // still be found breached later (a commitment found false).
  if (const std::string_view before = r.Get(status_field); catalog::IsBreachStatus(before)) {
    return Fail(bad_field, "status",
                Status::FailedPrecondition(
                    "commitment " + r.document_number + " was found " + std::string(before) +
                    "; that finding is changed only through an objection (异议) or credit repair "
                    "(信用修复), not by another finding"));
  } else if (before == "全部履行" && !breach) {
    return Fail(bad_field, "status",
                Status::FailedPrecondition("commitment " + r.document_number +
                                           " was already found 全部履行"));
  }
  if (breach && f.unfulfilled.empty()) {
    return Fail(bad_field, "unfulfilled",
                Status::InvalidArgument("a commitment found " + f.status +
                                        (f.false_commitment ? " (虚假承诺)" : "") +
                                        " must say what was not fulfilled (未履行的承诺内容)"));
  }
  if (f.false_commitment && f.status == "全部履行") {
    return Fail(bad_field, "false_commitment",
                Status::InvalidArgument("a false commitment (虚假承诺) cannot be 全部履行"));
  }
  Row row;
  auto set = [&row](std::string_view code, std::string value) {
    for (auto& [k, v] : row) {
      if (k == code) {
        v = std::move(value);
        return;
      }
    }
    row.emplace_back(std::string(code), std::move(value));
  };
  for (const catalog::Field& field : ind.fields) {
    std::string value(r.Get(field.code));
    if (field.type == catalog::FieldType::kIdNumber) {
      value.clear();
      for (const PersonalValue& pv : r.personal) {
        if (pv.field != field.code) continue;
        XY_ASSIGN_OR_RETURN(std::string plain, vault.Decrypt(pv.sealed));
        value = CertificateNumber(plain);
      }
    }
    if (!value.empty()) row.emplace_back(field.code, std::move(value));
  }
  set(status_field, f.status);
  set(date_field, f.found.ToString());
  set(kFoundBy, by_name ? f.unit : std::string(unit));
  if (!f.unit_code.empty() || !unit_code.empty()) {
    set(kFoundByCode, f.unit_code.empty() ? std::string(unit_code) : f.unit_code);
  }
  set(kUnfulfilled, breach ? f.unfulfilled : std::string());
  set(kLiability, breach ? f.liability : std::string());
  set(kFalse, f.false_commitment ? "是" : "否");
  return row;
}

}  // namespace xinyong::rules
