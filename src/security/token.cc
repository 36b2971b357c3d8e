#include "security/token.h"

#include <sodium.h>

#include <algorithm>
#include <ctime>

#include "core/coding.h"
#include "core/identifiers.h"
#include "core/utf8.h"

namespace xinyong::security {

namespace {

// Format 1 ends with revoked_by; format 2 (written only for a scope with a source or region, so
// that older binaries still read every other token) adds the lower platform's source and region.
constexpr char kFormat = '\x01';
constexpr char kFormatWithSource = '\x02';
constexpr int64_t kDayMs = 86'400'000;
constexpr size_t kRandomBytes = 32;
constexpr size_t kMaxText = 200;

bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

bool IsBase64Url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

bool WellFormed(std::string_view secret) {
  return secret.size() == kTokenLength && secret.starts_with(kTokenPrefix) &&
         std::all_of(secret.begin() + kTokenPrefix.size(), secret.end(), IsBase64Url);
}

bool SourceOf(const catalog::Indicator& ind, std::string_view department) {
  return std::find(ind.source_departments.begin(), ind.source_departments.end(), department) !=
         ind.source_departments.end();
}

bool ValidText(std::string_view s) {
  // It goes into the JSON of audit entries and of rights applications' histories: UTF-8 only.
  if (s.size() > kMaxText || !IsValidUtf8(s)) return false;
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

}  // namespace

std::string_view TokenInfo::State(int64_t now_ms) const {
  if (revoked()) return "revoked";
  if (expired(now_ms)) return "expired";
  return "active";
}

std::string EncodeToken(const TokenInfo& t) {
  const bool with_source = !t.scope.source.empty() || !t.scope.region.empty();
  std::string out(1, with_source ? kFormatWithSource : kFormat);
  out.push_back(static_cast<char>(t.role));
  coding::PutString(&out, t.secret_hash);
  coding::PutString(&out, t.scope.name);
  coding::PutString(&out, t.scope.department);
  coding::PutVarint(&out, t.scope.indicators.size());
  for (const auto& i : t.scope.indicators) coding::PutString(&out, i);
  coding::PutVarint(&out, t.scope.subject_id);
  coding::PutString(&out, t.scope.subject_code);
  coding::PutString(&out, t.scope.institution);
  coding::PutSignedVarint(&out, t.created_ms);
  coding::PutSignedVarint(&out, t.expires_ms);
  coding::PutSignedVarint(&out, t.revoked_ms);
  coding::PutString(&out, t.created_by);
  coding::PutString(&out, t.revoked_by);
  if (with_source) {
    coding::PutString(&out, t.scope.source);
    coding::PutString(&out, t.scope.region);
  }
  return out;
}

bool DecodeToken(uint64_t id, std::string_view in, TokenInfo* out) {
  if (in.size() < 2 || (in[0] != kFormat && in[0] != kFormatWithSource)) return false;
  const bool with_source = in[0] == kFormatWithSource;
  const auto role = static_cast<uint8_t>(in[1]);
  if (role > static_cast<uint8_t>(kLastRole)) return false;
  in.remove_prefix(2);
  TokenInfo t;
  t.id = id;
  t.role = static_cast<Role>(role);
  std::string_view s;
  auto str = [&](std::string* dst) {
    if (!coding::GetString(&in, &s)) return false;
    dst->assign(s);
    return true;
  };
  uint64_t n = 0;
  if (!str(&t.secret_hash) || !str(&t.scope.name) || !str(&t.scope.department) ||
      !coding::GetVarint(&in, &n) || n > in.size()) {
    return false;
  }
  t.scope.indicators.resize(n);
  for (auto& i : t.scope.indicators) {
    if (!str(&i)) return false;
  }
  if (!coding::GetVarint(&in, &t.scope.subject_id) || !str(&t.scope.subject_code) ||
      !str(&t.scope.institution) || !coding::GetSignedVarint(&in, &t.created_ms) ||
      !coding::GetSignedVarint(&in, &t.expires_ms) || !coding::GetSignedVarint(&in, &t.revoked_ms) ||
      !str(&t.created_by) || !str(&t.revoked_by)) {
    return false;
  }
  if (with_source && (!str(&t.scope.source) || !str(&t.scope.region))) return false;
  if (!in.empty()) return false;
  *out = std::move(t);
  return true;
}

std::string HashSecret(std::string_view secret) {
  SodiumReady();
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()),
                     reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  return out;
}

std::string FormatUnixMs(int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::vector<std::string> SubmittableIndicators(const Principal& p, const catalog::Catalog& catalog,
                                               bool* any) {
  *any = p.role() == Role::kOperator;
  if (p.role() != Role::kSourceDepartment) return {};
  if (!p.indicators().empty()) return p.indicators();
  std::vector<std::string> out;
  for (const auto& ind : catalog.indicators()) {
    if (SourceOf(ind, p.department())) out.push_back(ind.code);
  }
  return out;
}

Status TokenStore::Validate(const TokenSpec& spec) const {
  const Role r = spec.role;
  const Principal::Scope& s = spec.scope;
  if (r == Role::kPublic) {
    return Status::InvalidArgument("role: the public needs no token; give operator, "
                                   "source_department, using_department, financial_institution, "
                                   "subject or lower_platform");
  }
  if (spec.expires_days < 1 || spec.expires_days > kMaxExpiryDays) {
    return Status::InvalidArgument("expires_days: a token expires after 1 to " +
                                   std::to_string(kMaxExpiryDays) + " days");
  }
  for (auto [name, value] : {std::pair<std::string_view, const std::string*>{"name", &s.name},
                             {"dept", &s.department},
                             {"institution", &s.institution},
                             {"source", &s.source},
                             {"region", &s.region}}) {
    if (!ValidText(*value)) {
      return Status::InvalidArgument(std::string(name) + ": at most " + std::to_string(kMaxText) +
                                     " bytes of UTF-8 text on one line");
    }
  }
  // The department and institution go into every audit entry of the token, which its subjects
  // read: a person's number there would be shown in plaintext. (The name is a label, masked.)
  for (auto [name, value] : {std::pair<std::string_view, const std::string*>{"dept", &s.department},
                             {"institution", &s.institution}}) {
    // With a plausible birth date: an all-digit USCC (some agencies' and banks') is no ID.
    if (ident::MaskResidentIdsIn(*value, /*require_birth_date=*/true) != *value) {
      return Status::InvalidArgument(std::string(name) +
                                     ": a resident ID number is not part of an organization's "
                                     "name or code");
    }
  }
  const bool department_role = r == Role::kSourceDepartment || r == Role::kUsingDepartment;
  if (department_role && s.department.empty()) {
    return Status::InvalidArgument("dept: a " + std::string(RoleName(r)) +
                                   " token names its department");
  }
  if (!department_role && !s.department.empty()) {
    return Status::InvalidArgument("dept: only department tokens name a department, not " +
                                   std::string(RoleName(r)) + " tokens");
  }
  if (r != Role::kSourceDepartment && !s.indicators.empty()) {
    return Status::InvalidArgument("indicators: only source_department tokens are limited to "
                                   "indicators");
  }
  if ((r == Role::kFinancialInstitution) != !s.institution.empty()) {
    return Status::InvalidArgument(r == Role::kFinancialInstitution
                                       ? "institution: a financial_institution token names its "
                                         "institution"
                                       : "institution: only financial_institution tokens name an "
                                         "institution");
  }
  if ((r == Role::kSubject) != (s.subject_id != 0)) {
    return Status::InvalidArgument(r == Role::kSubject
                                       ? "subject: a subject token names its subject"
                                       : "subject: only subject tokens name a subject");
  }
  const bool lower = r == Role::kLowerPlatform;
  if (lower && (s.source.empty() || s.region.empty())) {
    return Status::InvalidArgument(std::string(s.source.empty() ? "source" : "region") +
                                   ": a lower_platform token names the source id and the region "
                                   "it pushes as");
  }
  if (!lower && (!s.source.empty() || !s.region.empty())) {
    return Status::InvalidArgument(std::string(s.source.empty() ? "region" : "source") +
                                   ": only lower_platform tokens name a source and region");
  }
  if (r == Role::kSourceDepartment) {
    bool sources_any = false;
    for (const auto& ind : catalog_.indicators()) sources_any = sources_any || SourceOf(ind, s.department);
    if (!sources_any) {
      return Status::InvalidArgument("dept: '" + s.department.substr(0, 100) +
                                     "' is a source department of no catalog indicator (the "
                                     "catalog's source_departments name them)");
    }
    for (const auto& code : s.indicators) {
      const catalog::Indicator* ind = catalog_.Find(code);
      if (ind == nullptr) {
        return Status::InvalidArgument("indicators: '" + code.substr(0, 100) +
                                       "' is not a catalog indicator");
      }
      if (!SourceOf(*ind, s.department)) {
        return Status::InvalidArgument("indicators: " + code + " is not sourced by " +
                                       s.department);
      }
    }
  }
  return Status::Ok();
}

Result<NewToken> TokenStore::Create(const TokenSpec& spec, int64_t now_ms) {
  XY_RETURN_IF_ERROR(Validate(spec));
  if (!SodiumReady()) return Status::Internal("libsodium failed to initialize");
  std::lock_guard lock(write_mu_);
  uint64_t last = 0;
  XY_RETURN_IF_ERROR(store_.ScanTokens([&](uint64_t id, std::string_view) {
    last = std::max(last, id);
    return true;
  }));
  unsigned char random[kRandomBytes];
  randombytes_buf(random, sizeof random);
  char text[sodium_base64_ENCODED_LEN(kRandomBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, random, sizeof random,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(random, sizeof random);
  NewToken t;
  t.secret = std::string(kTokenPrefix) + text;
  sodium_memzero(text, sizeof text);
  t.info.id = last + 1;
  t.info.role = spec.role;
  t.info.scope = spec.scope;
  t.info.scope.name = ident::MaskResidentIdsIn(spec.scope.name);  // a label, shown in lists
  t.info.created_ms = now_ms;
  t.info.expires_ms = now_ms + static_cast<int64_t>(spec.expires_days) * kDayMs;
  t.info.created_by = spec.created_by;
  t.info.secret_hash = HashSecret(t.secret);
  XY_RETURN_IF_ERROR(store_.PutToken(t.info.id, t.info.secret_hash, EncodeToken(t.info)));
  Invalidate();
  return t;
}

Status TokenStore::List(std::vector<TokenInfo>* out) const {
  Status bad = Status::Ok();
  XY_RETURN_IF_ERROR(store_.ScanTokens([&](uint64_t id, std::string_view v) {
    TokenInfo t;
    if (!DecodeToken(id, v, &t)) {
      bad = Status::DataLoss("token " + std::to_string(id) + " is corrupt");
      return false;
    }
    out->push_back(std::move(t));
    return true;
  }));
  return bad;
}

Result<TokenInfo> TokenStore::Revoke(uint64_t id, int64_t now_ms, std::string_view by) {
  std::lock_guard lock(write_mu_);
  std::optional<TokenInfo> found;
  Status bad = Status::Ok();
  XY_RETURN_IF_ERROR(store_.ScanTokens([&](uint64_t tid, std::string_view v) {
    if (tid != id) return true;
    TokenInfo t;
    if (!DecodeToken(tid, v, &t)) {
      bad = Status::DataLoss("token " + std::to_string(id) + " is corrupt");
    } else {
      found = std::move(t);
    }
    return false;
  }));
  XY_RETURN_IF_ERROR(bad);
  if (!found) return Status::NotFound("no token has the id " + std::to_string(id));
  if (found->revoked()) {
    return Status::FailedPrecondition("token " + std::to_string(id) + " was revoked on " +
                                      FormatUnixMs(found->revoked_ms));
  }
  found->revoked_ms = now_ms;
  found->revoked_by = std::string(by);
  XY_RETURN_IF_ERROR(store_.PutToken(id, found->secret_hash, EncodeToken(*found)));
  Invalidate();
  return *found;
}

void TokenStore::Invalidate() {
  std::unique_lock lock(cache_mu_);
  cache_.clear();
  ++generation_;
}

Result<Authentication> TokenStore::Authenticate(std::string_view secret, int64_t now_ms) const {
  Authentication a;
  if (!WellFormed(secret)) {
    a.refusal = "the bearer token is not a Xinyong token (xy_ and 43 base64url characters)";
    return a;
  }
  const std::string hash = HashSecret(secret);
  std::shared_ptr<const Cached> entry;
  uint64_t generation = 0;
  {
    std::shared_lock lock(cache_mu_);
    if (auto it = cache_.find(hash); it != cache_.end()) entry = it->second;
    generation = generation_;
  }
  if (!entry) {
    XY_ASSIGN_OR_RETURN(auto found, store_.FindTokenByHash(hash));
    if (!found) {
      a.refusal = "the bearer token is unknown";
      return a;
    }
    TokenInfo t;
    if (!DecodeToken(found->first, found->second, &t)) {
      return Status::DataLoss("token " + std::to_string(found->first) + " is corrupt");
    }
    auto c = std::make_shared<Cached>();
    c->expires_ms = t.expires_ms;
    c->revoked_ms = t.revoked_ms;
    c->principal = t.ToPrincipal();
    entry = c;
    // A change since the store was read may have made this entry stale: use it this once
    // without keeping it.
    std::unique_lock lock(cache_mu_);
    if (generation == generation_) {
      if (cache_.size() >= kMaxCached) cache_.clear();
      cache_.emplace(hash, entry);
    }
  }
  const std::string id = std::to_string(entry->principal.token_id());
  if (entry->revoked_ms != 0) {
    a.refusal = "token " + id + " was revoked on " + FormatUnixMs(entry->revoked_ms);
  } else if (now_ms >= entry->expires_ms) {
    a.refusal = "token " + id + " expired on " + FormatUnixMs(entry->expires_ms);
  } else {
    a.principal = entry->principal;
  }
  return a;
}

}  // namespace xinyong::security
