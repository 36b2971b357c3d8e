// Subject: a credit subject (信用主体) — a company, an individual business, another organization
// or a natural person — and the identifiers it is known by. A natural person's resident ID is
// present only as a keyed hash, a sealed (encrypted) copy and a mask; never in plaintext.
// Plain data; not thread-safe to mutate concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "model/subject_type.h"

namespace xinyong {

// The kinds of identifier that resolve to a subject. Persisted as one byte: never renumber.
enum class IdentifierKind : uint8_t {
  kUscc = 1,           // 统一社会信用代码
  kOrgCode = 2,        // 组织机构代码 (also derived from a USCC's positions 9-17)
  kRegNumber = 3,      // 工商注册号
  kTaxNumber = 4,      // 税务登记号
  kInstCert = 5,       // 事业单位证书号
  kSocialOrgCert = 6,  // 社会组织登记证号
  kResidentIdHash = 7, // keyed hash of a resident ID (32 bytes)
  kOtherIdHash = 8,    // keyed hash of another personal certificate (type + number)
  // The public code of a natural person: 20 hex digits taken from the keyed hash of the
  // certificate, so it cannot be enumerated or computed without the key. Shown as "P" + code.
  kPersonCode = 9,
};

std::string_view IdentifierKindName(IdentifierKind k);  // "uscc", "org_code", ...

struct Identifier {
  IdentifierKind kind = IdentifierKind::kUscc;
  std::string value;  // normalized code, or the 32-byte hash for the *Hash kinds
  auto operator<=>(const Identifier&) const = default;
};

struct Subject {
  uint64_t id = 0;  // internal, dense, never reused
  SubjectType type = SubjectType::kLegalPerson;
  std::string name;
  std::vector<std::string> former_names;  // oldest first
  std::string uscc;                       // empty when the subject has none
  std::vector<Identifier> identifiers;    // every code that resolves to this subject
  std::string region;                     // GB/T 2260 division code when known
  std::string id_masked;                  // natural persons: masked certificate number
  std::string id_sealed;                  // natural persons: encrypted certificate number
  std::string status;                     // registration status (存续, 注销, ...) when known
  std::string industry;                   // GB/T 4754-2017 section or division ("C", "C13")
  Date first_seen;
  uint64_t first_batch = 0;

  // The code a person or a URL uses for this subject: the USCC, else the first legacy code, else
  // "P" + the person code for natural persons (never their ID number).
  std::string DisplayCode() const;
  // Every code of the subject that may be published: the USCC, the legacy codes, and "P" + the
  // person code of a natural person (never a hash of an ID number). DisplayCode() is among them;
  // a code shown before the subject got its USCC too.
  std::vector<std::string> PublicCodes() const;
  // RegistrationEnded(status).
  bool RegistrationEnded() const;
};

// Whether a registration status says the subject no longer exists as a business (注销, 吊销,
// 撤销): such a subject is ranked last in search and not drawn for inspection.
bool RegistrationEnded(std::string_view status);

}  // namespace xinyong
