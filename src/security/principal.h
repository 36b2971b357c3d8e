// Principal: who is making a request — the role an API token grants and the scope it was issued
// for (a department, a financial institution, a subject), or the public when a request carries no
// token. Handlers decide what to show from it, and the audit log records it (Describe).
// A value: copying one copies a role, an id and a shared pointer to its immutable scope, so it is
// cheap to pass around and safe to share between threads.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xinyong::security {

// The roles of DESIGN.md's users. Persisted in tokens as one byte: never renumber.
enum class Role : uint8_t {
  kPublic = 0,                // no token: what anyone may see (社会公开)
  kOperator = 1,              // the platform operator (市信用中心): everything
  kSourceDepartment = 2,      // 数源部门: submits its indicators, reads its own batches
  kUsingDepartment = 3,       // 实施部门: credit checks, feedback, inspection draws
  kFinancialInstitution = 4,  // 信易贷: 授权查询 records while the subject's consent stands
  kSubject = 5,               // a company or person: its own whole record, its consents
  kLowerPlatform = 6,         // 下级平台: pushes its change feed as one source and region, nothing more
};
inline constexpr Role kLastRole = Role::kLowerPlatform;  // the highest persisted value

inline constexpr Role kAllRoles[] = {Role::kPublic,           Role::kOperator,
                                     Role::kSourceDepartment, Role::kUsingDepartment,
                                     Role::kFinancialInstitution, Role::kSubject,
                                     Role::kLowerPlatform};

std::string_view RoleName(Role r);   // "public", "operator", "source_department", ...
std::string_view RoleLabel(Role r);  // "公众", "平台运营方", "数源部门", ...
// The inverse of RoleName; nullopt for anything else.
std::optional<Role> ParseRole(std::string_view name);

// A set of roles (the roles allowed on one route). A literal type, so route tables are constant.
class RoleSet {
 public:
  constexpr RoleSet() = default;
  constexpr RoleSet(std::initializer_list<Role> roles) {
    for (Role r : roles) bits_ |= Bit(r);
  }
  static constexpr RoleSet All() {
    RoleSet s;
    for (Role r : kAllRoles) s.bits_ |= Bit(r);
    return s;
  }
  constexpr bool Has(Role r) const { return (bits_ & Bit(r)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  // "operator, using_department" in kAllRoles order.
  std::string Names() const;

 private:
  static constexpr uint8_t Bit(Role r) { return static_cast<uint8_t>(1u << static_cast<unsigned>(r)); }
  uint8_t bits_ = 0;
};

class Principal {
 public:
  // What a token was issued for. Only the members of its role are set.
  struct Scope {
    std::string name;         // the token's label (who holds it), for people; not for logs
    std::string department;   // source and using departments
    // Source department: the indicators it may submit; empty = every catalog indicator whose
    // source_departments include `department`.
    std::vector<std::string> indicators;
    uint64_t subject_id = 0;  // subject
    std::string subject_code; // subject: its public code (USCC, legacy code or P…)
    std::string institution;  // financial institution
    // Lower platform: the exchange source id it pushes as (exchange::ValidSourceId) and its
    // 6-digit division code, which the records it sends keep.
    std::string source;
    std::string region;
  };

  // The public: no token.
  Principal() = default;
  Principal(Role role, uint64_t token_id, Scope scope);

  Role role() const { return role_; }
  // The token's id; 0 for the public.
  uint64_t token_id() const { return token_id_; }
  bool is_public() const { return role_ == Role::kPublic; }
  const std::string& name() const { return scope().name; }
  const std::string& department() const { return scope().department; }
  const std::vector<std::string>& indicators() const { return scope().indicators; }
  uint64_t subject_id() const { return scope().subject_id; }
  const std::string& subject_code() const { return scope().subject_code; }
  const std::string& institution() const { return scope().institution; }
  const std::string& source() const { return scope().source; }
  const std::string& region() const { return scope().region; }

  // One line for logs and audit entries, without personal data: the role, the token id and
  // the organization it acts for — "public", "operator token 1",
  // "source_department token 4 (郑州市市场监督管理局; admin_penalty, admin_licence)",
  // "financial_institution token 9 (郑州银行)", "subject token 12 (subject #3051)",
  // "lower_platform token 15 (zhongmou; 410122)". A subject is
  // named by its internal id, never by its name or code (a person's code derives from the ID
  // number); a token's free-text name is left out for the same reason.
  std::string Describe() const;

 private:
  const Scope& scope() const;
  Role role_ = Role::kPublic;
  uint64_t token_id_ = 0;
  std::shared_ptr<const Scope> scope_;  // null for the public
};

}  // namespace xinyong::security
