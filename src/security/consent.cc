#include "security/consent.h"

#include <algorithm>

#include "core/coding.h"
#include "core/identifiers.h"

namespace xinyong::security {

namespace {

constexpr char kFormat = '\x01';
constexpr size_t kMaxInstitution = 200;
constexpr size_t kMaxPurpose = 1000;

bool OneLine(std::string_view s) {
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

}  // namespace

std::string_view Consent::State(Date day) const {
  if (withdrawn) return "withdrawn";
  if (day > expires) return "expired";
  if (day < granted) return "pending";
  return "standing";
}

std::string EncodeConsent(const Consent& c) {
  std::string out(1, kFormat);
  coding::PutString(&out, c.institution);
  coding::PutString(&out, c.purpose);
  coding::PutSignedVarint(&out, c.granted.days());
  coding::PutSignedVarint(&out, c.expires.days());
  out.push_back(c.withdrawn ? '\x01' : '\x00');
  coding::PutSignedVarint(&out, c.withdrawn ? c.withdrawn->days() : 0);
  coding::PutSignedVarint(&out, c.recorded_ms);
  coding::PutSignedVarint(&out, c.withdrawn_ms);
  coding::PutString(&out, c.recorded_by);
  coding::PutString(&out, c.withdrawn_by);
  return out;
}

bool DecodeConsent(uint64_t subject_id, uint64_t id, std::string_view in, Consent* out) {
  if (in.empty() || in[0] != kFormat) return false;
  in.remove_prefix(1);
  Consent c;
  c.id = id;
  c.subject_id = subject_id;
  std::string_view s;
  auto str = [&](std::string* dst) {
    if (!coding::GetString(&in, &s)) return false;
    dst->assign(s);
    return true;
  };
  int64_t granted = 0, expires = 0, withdrawn = 0;
  if (!str(&c.institution) || !str(&c.purpose) || !coding::GetSignedVarint(&in, &granted) ||
      !coding::GetSignedVarint(&in, &expires) || in.empty()) {
    return false;
  }
  const bool has_withdrawn = in[0] == '\x01';
  in.remove_prefix(1);
  if (!coding::GetSignedVarint(&in, &withdrawn) || !coding::GetSignedVarint(&in, &c.recorded_ms) ||
      !coding::GetSignedVarint(&in, &c.withdrawn_ms) || !str(&c.recorded_by) ||
      !str(&c.withdrawn_by) || !in.empty()) {
    return false;
  }
  c.granted = Date::FromDays(static_cast<int32_t>(granted));
  c.expires = Date::FromDays(static_cast<int32_t>(expires));
  if (has_withdrawn) c.withdrawn = Date::FromDays(static_cast<int32_t>(withdrawn));
  *out = std::move(c);
  return true;
}

Result<Consent> ConsentStore::Grant(uint64_t subject_id, std::string_view institution,
                                    std::string_view purpose, Date expires, Date today,
                                    int64_t now_ms, std::string_view by) {
  if (institution.empty() || institution.size() > kMaxInstitution || !OneLine(institution)) {
    return Status::InvalidArgument("institution: the financial institution, as its token names "
                                   "it, at most 200 bytes on one line");
  }
  // The same test as the institution's token (TokenStore::Create): with a plausible birth date, so
  // that an institution named by an all-digit USCC, whose token is accepted, can be consented to.
  if (ident::MaskResidentIdsIn(institution, /*require_birth_date=*/true) != institution) {
    return Status::InvalidArgument("institution: a resident ID number is not part of an "
                                   "institution's name");
  }
  if (purpose.empty() || purpose.size() > kMaxPurpose) {
    return Status::InvalidArgument("purpose: what the institution may read the records for "
                                   "(at most 1000 bytes)");
  }
  if (expires < today) {
    return Status::InvalidArgument("expires: " + expires.ToString() + " is before today (" +
                                   today.ToString() + ")");
  }
  if (expires > today.AddMonths(12 * kMaxConsentYears)) {
    return Status::InvalidArgument("expires: a consent lasts at most " +
                                   std::to_string(kMaxConsentYears) + " years");
  }
  std::lock_guard lock(write_mu_);
  uint64_t last = 0;
  XY_RETURN_IF_ERROR(store_.ListConsents(subject_id, [&](uint64_t id, std::string_view) {
    last = std::max(last, id);
    return true;
  }));
  Consent c;
  c.id = last + 1;
  c.subject_id = subject_id;
  c.institution = std::string(institution);
  c.purpose = ident::MaskResidentIdsIn(purpose);  // personal numbers never stored in plaintext
  c.granted = today;
  c.expires = expires;
  c.recorded_ms = now_ms;
  c.recorded_by = std::string(by);
  XY_RETURN_IF_ERROR(store_.PutConsent(subject_id, c.id, EncodeConsent(c)));
  return c;
}

Status ConsentStore::List(uint64_t subject_id, std::vector<Consent>* out) const {
  Status bad = Status::Ok();
  XY_RETURN_IF_ERROR(store_.ListConsents(subject_id, [&](uint64_t id, std::string_view v) {
    Consent c;
    if (!DecodeConsent(subject_id, id, v, &c)) {
      bad = Status::DataLoss("consent " + std::to_string(id) + " of subject " +
                             std::to_string(subject_id) + " is corrupt");
      return false;
    }
    out->push_back(std::move(c));
    return true;
  }));
  return bad;
}

Result<Consent> ConsentStore::Withdraw(uint64_t subject_id, uint64_t id, Date today,
                                       int64_t now_ms, std::string_view by) {
  std::lock_guard lock(write_mu_);
  std::vector<Consent> all;
  XY_RETURN_IF_ERROR(List(subject_id, &all));
  auto it = std::find_if(all.begin(), all.end(), [&](const Consent& c) { return c.id == id; });
  if (it == all.end()) {
    return Status::NotFound("the subject has no consent with the id " + std::to_string(id));
  }
  if (it->withdrawn) {
    return Status::FailedPrecondition("consent " + std::to_string(id) + " was withdrawn on " +
                                      it->withdrawn->ToString());
  }
  it->withdrawn = today;
  it->withdrawn_ms = now_ms;
  it->withdrawn_by = std::string(by);
  XY_RETURN_IF_ERROR(store_.PutConsent(subject_id, id, EncodeConsent(*it)));
  return *it;
}

Result<bool> ConsentStore::Stands(uint64_t subject_id, std::string_view institution,
                                  Date day) const {
  if (institution.empty()) return false;
  std::vector<Consent> all;
  XY_RETURN_IF_ERROR(List(subject_id, &all));
  return std::any_of(all.begin(), all.end(), [&](const Consent& c) {
    return c.institution == institution && c.StandsOn(day);
  });
}

}  // namespace xinyong::security
