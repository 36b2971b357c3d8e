#include "server/access.h"

#include <chrono>

#include "exchange/receiver.h"
#include "rules/record_fields.h"
#include "server/json_views.h"

namespace xinyong::server {

namespace json = boost::json;

catalog::Disclosure EffectiveDisclosure(const Record& r, const catalog::Indicator& ind) {
  if (rules::DisclosedToPublic(r, ind)) return catalog::Disclosure::kPublic;
  if (ind.disclosure == catalog::Disclosure::kPublic) return catalog::Disclosure::kGovShared;
  return ind.disclosure;
}

bool VisibleAt(const Record& r, const catalog::Indicator* ind, security::DisclosureSet levels) {
  if (ind == nullptr || r.status != RecordStatus::kActive) return false;
  if (levels.all()) return true;
  return levels.Has(EffectiveDisclosure(r, *ind));
}

bool ShownAt(const Record& r, const catalog::Indicator* ind, security::DisclosureSet levels,
             Date today) {
  if (!VisibleAt(r, ind, levels)) return false;
  if (levels.Has(catalog::Disclosure::kGovShared)) return true;
  return EffectiveDisclosure(r, *ind) != catalog::Disclosure::kPublic ||
         !PublicityEnded(r, ind, today);
}

Result<security::DisclosureSet> RecordView::Levels(uint64_t subject_id) {
  if (principal_.is_public()) return security::DisclosureSet::PublicOnly();
  if (subject_id == cached_subject_ && subject_id != 0) return cached_;
  bool consent = false;
  if (security::NeedsConsent(principal_)) {
    XY_ASSIGN_OR_RETURN(consent,
                        p_.consents().Stands(subject_id, principal_.institution(), today_));
  }
  cached_subject_ = subject_id;
  cached_ = security::ReadableLevels(principal_, subject_id, consent);
  return cached_;
}

Result<bool> RecordView::Sees(const Record& r, const catalog::Indicator* ind) {
  if (ind == nullptr || r.status != RecordStatus::kActive) return false;
  XY_ASSIGN_OR_RETURN(security::DisclosureSet levels, Levels(r.subject_id));
  return VisibleAt(r, ind, levels);
}

Result<security::NewToken> CreateToken(Platform& p, const TokenRequest& request, int64_t now_ms) {
  auto role = security::ParseRole(request.role);
  if (!role) {
    return Status::InvalidArgument("role: '" + request.role.substr(0, 40) +
                                   "' is not a role; give operator, source_department, "
                                   "using_department, financial_institution, subject or "
                                   "lower_platform");
  }
  if (!request.source.empty() && !exchange::ValidSourceId(request.source)) {
    return Status::InvalidArgument("source: the exchange source id is 1-64 of A-Z a-z 0-9 . _ -");
  }
  if (!request.region.empty() && !exchange::ValidRegion(request.region)) {
    return Status::InvalidArgument("region: the lower platform's 6-digit division code");
  }
  security::TokenSpec spec;
  spec.role = *role;
  spec.scope.name = request.name;
  spec.scope.department = request.dept;
  spec.scope.indicators = request.indicators;
  spec.scope.institution = request.institution;
  spec.scope.source = request.source;
  spec.scope.region = request.region;
  spec.expires_days = request.expires_days;
  spec.created_by = request.created_by;
  if (!request.subject.empty()) {
    auto subject = p.FindSubjectByCode(request.subject);
    if (!subject.ok()) {
      return Status(subject.status().code(), "subject: " + subject.status().message());
    }
    spec.scope.subject_id = subject->id;
    spec.scope.subject_code = subject->DisplayCode();
  }
  return p.tokens().Create(spec, now_ms);
}

json::object TokenJson(const security::TokenInfo& t, int64_t now_ms) {
  auto text_or_null = [](const std::string& s) {
    return s.empty() ? json::value(nullptr) : json::value(s);
  };
  json::array indicators;
  for (const auto& i : t.scope.indicators) indicators.emplace_back(i);
  json::object o;
  o["id"] = t.id;
  o["role"] = security::RoleName(t.role);
  o["name"] = text_or_null(t.scope.name);
  o["dept"] = text_or_null(t.scope.department);
  o["indicators"] = std::move(indicators);
  o["subject"] = text_or_null(t.scope.subject_code);
  o["institution"] = text_or_null(t.scope.institution);
  o["source"] = text_or_null(t.scope.source);
  o["region"] = text_or_null(t.scope.region);
  o["created"] = security::FormatUnixMs(t.created_ms);
  o["expires"] = security::FormatUnixMs(t.expires_ms);
  o["revoked"] = t.revoked() ? json::value(security::FormatUnixMs(t.revoked_ms)) : nullptr;
  o["state"] = t.State(now_ms);
  o["created_by"] = text_or_null(t.created_by);
  o["revoked_by"] = text_or_null(t.revoked_by);
  return o;
}

json::object ConsentJson(const security::Consent& c, Date today) {
  json::object o;
  o["id"] = c.id;
  o["institution"] = c.institution;
  o["purpose"] = c.purpose;
  o["granted"] = c.granted.ToString();
  o["expires"] = c.expires.ToString();
  o["withdrawn"] = c.withdrawn ? json::value(c.withdrawn->ToString()) : nullptr;
  o["state"] = c.State(today);
  o["recorded_by"] = c.recorded_by;
  o["withdrawn_by"] = c.withdrawn ? json::value(c.withdrawn_by) : nullptr;
  return o;
}

int64_t NowUnixMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace xinyong::server
