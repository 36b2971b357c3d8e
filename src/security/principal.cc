#include "security/principal.h"

namespace xinyong::security {

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kPublic: return "public";
    case Role::kOperator: return "operator";
    case Role::kSourceDepartment: return "source_department";
    case Role::kUsingDepartment: return "using_department";
    case Role::kFinancialInstitution: return "financial_institution";
    case Role::kSubject: return "subject";
    case Role::kLowerPlatform: return "lower_platform";
  }
  return "unknown";
}

std::string_view RoleLabel(Role r) {
  switch (r) {
    case Role::kPublic: return "公众";
    case Role::kOperator: return "平台运营方";
    case Role::kSourceDepartment: return "数源部门";
    case Role::kUsingDepartment: return "使用部门";
    case Role::kFinancialInstitution: return "金融机构";
    case Role::kSubject: return "信用主体";
    case Role::kLowerPlatform: return "下级平台";
  }
  return "未知";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role r : kAllRoles) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

std::string RoleSet::Names() const {
  std::string out;
  for (Role r : kAllRoles) {
    if (!Has(r)) continue;
    if (!out.empty()) out += ", ";
    out += RoleName(r);
  }
  return out;
}

Principal::Principal(Role role, uint64_t token_id, Scope scope)
    : role_(role), token_id_(token_id), scope_(std::make_shared<const Scope>(std::move(scope))) {}

const Principal::Scope& Principal::scope() const {
  static const Scope kNone;
  return scope_ ? *scope_ : kNone;
}

std::string Principal::Describe() const {
  std::string out(RoleName(role_));
  if (role_ == Role::kPublic) return out;
  out += " token " + std::to_string(token_id_);
  const Scope& s = scope();
  std::string detail;
  switch (role_) {
    case Role::kSourceDepartment:
      detail = s.department;
      if (!s.indicators.empty()) {
        detail += ";";
        for (size_t i = 0; i < s.indicators.size(); ++i) {
          detail += (i == 0 ? " " : ", ") + s.indicators[i];
        }
      }
      break;
    case Role::kUsingDepartment: detail = s.department; break;
    case Role::kFinancialInstitution: detail = s.institution; break;
    case Role::kSubject: detail = "subject #" + std::to_string(s.subject_id); break;
    case Role::kLowerPlatform: detail = s.source + "; " + s.region; break;
    case Role::kOperator:
    case Role::kPublic: break;
  }
  if (!detail.empty()) out += " (" + detail + ")";
  return out;
}

}  // namespace xinyong::security
