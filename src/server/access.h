// Access control as a service of the platform, shared by the API and the CLI: what a principal
// sees of subjects' records (RecordView), the JSON of tokens and consents, and a token request
// resolved against the platform (a subject token names its subject by code).
//
// A record's effective disclosure level is its indicator's (公开属性), except that a record the
// public may see (rules::DisclosedToPublic: a 公开类型 of 可向社会公开) is public whatever its
// indicator, and a record of a public indicator that its 公开类型 withholds from the public is
// government-shared. A principal sees a record in force whose effective level is among
// security::ReadableLevels for the record's subject.
#pragma once

#include <boost/json.hpp>

#include <string>
#include <vector>

#include "catalog/indicator.h"
#include "model/record.h"
#include "security/access.h"
#include "security/consent.h"
#include "security/principal.h"
#include "security/token.h"
#include "server/platform.h"

namespace xinyong::server {

catalog::Disclosure EffectiveDisclosure(const Record& r, const catalog::Indicator& ind);

// Whether a record is shown at these levels: in force and its effective level among them. At
// PublicOnly() this is PubliclyVisible. Needs the record's values when the indicator has a
// 公开类型 field (VisibilityNeedsValues).
bool VisibleAt(const Record& r, const catalog::Indicator* ind, security::DisclosureSet levels);
// VisibleAt on `today`, except that a public record whose publicity has ended by itself
// (PublicityEnded: its indicator's maximum period ran out) is shown only at levels that include
// government-shared records — publication ends, sharing does not (FACTS §4).
bool ShownAt(const Record& r, const catalog::Indicator* ind, security::DisclosureSet levels,
             Date today);

// What one principal sees of subjects' records, for one request (or one CLI command) as of one
// day. A financial institution's consent is looked up once per subject; nothing else reads the
// store. Not thread-safe; the platform and the principal must outlive it.
class RecordView {
 public:
  RecordView(Platform& p, const security::Principal& principal, Date today)
      : p_(p), principal_(principal), today_(today) {}

  const security::Principal& principal() const { return principal_; }
  // The levels the principal reads of this subject's records.
  Result<security::DisclosureSet> Levels(uint64_t subject_id);
  // Whether the view shows this record (of r.subject_id).
  Result<bool> Sees(const Record& r, const catalog::Indicator* ind);

 private:
  Platform& p_;
  const security::Principal& principal_;
  Date today_;
  uint64_t cached_subject_ = 0;
  security::DisclosureSet cached_;
};

// A token to create, as the API's body or the CLI's options give it.
struct TokenRequest {
  std::string role, name, dept, subject, institution;
  std::string source, region;  // lower_platform: the exchange source id and division it pushes as
  std::vector<std::string> indicators;
  int expires_days = security::kDefaultExpiryDays;
  std::string created_by;
};

// Creates a token: the role parsed, a subject code resolved to its subject. InvalidArgument naming
// the option for a bad request (the message starts with the option's name: "role: ...");
// NotFound when no subject has the code.
Result<security::NewToken> CreateToken(Platform& p, const TokenRequest& request, int64_t now_ms);

// {"id", "role", "name", "dept", "indicators", "subject", "institution", "source", "region", "created",
//  "expires", "revoked", "state", "created_by", "revoked_by"} — never the secret or its hash.
boost::json::object TokenJson(const security::TokenInfo& t, int64_t now_ms);
// {"id", "institution", "purpose", "granted", "expires", "withdrawn", "state", "recorded_by",
//  "withdrawn_by"}
boost::json::object ConsentJson(const security::Consent& c, Date today);

// The current time in Unix milliseconds.
int64_t NowUnixMs();

}  // namespace xinyong::server
