// Credit reports (src/report) as a service of the platform, shared by the API and the CLI: who
// may have which report, the content built with the platform's access rules (the same as the
// profile's: access.h ShownAt at the report's view, ID numbers masked), issuing (number,
// signature, kept in the store), rendering, and verification of an issued report — authentic,
// and whether the subject's information changed since (the report built again with the same
// parameters, compared part by part).
#pragma once

#include <boost/json.hpp>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "report/builder.h"
#include "report/issuer.h"
#include "security/principal.h"
#include "server/http_message.h"
#include "server/platform.h"

namespace xinyong::server {

// Whether `who` may have `request` about `subject`: a public report of an organization, everyone;
// a natural person's report, a special report or a full view, only the subject itself (its
// token) or the operator. PermissionDenied saying why otherwise.
Status MayRequestReport(const security::Principal& who, const Subject& subject,
                        const report::ReportRequest& request);

// The content of `request` about `subject` as of `today` (no number yet). The errors of
// report::BuildReport and the store's.
Result<report::ReportContent> BuildReportContent(Platform& p, const Subject& subject,
                                                 const report::ReportRequest& request, Date today);

// Builds, numbers, signs and stores a report; its verification URL starts with `base_url`
// ("" = the platform's public_base_url). FailedPrecondition on a read-only platform.
Result<report::IssuedReport> IssueReport(Platform& p, const Subject& subject,
                                         const report::ReportRequest& request, Date today,
                                         int64_t now_ms, std::string_view base_url = "",
                                         bool to_public = false);

// The report as a file: "pdf" or "html". InvalidArgument for another format.
struct ReportFile {
  std::string content_type, extension, body;
};
Result<ReportFile> RenderReport(const report::IssuedReport& r, std::string_view format);

// How much a verification tells its caller (VerifyIssuedReport) beyond whether the report is
// authentic and what it said when issued, which every caller holding the number is told.
enum class VerificationDetail {
  kFull,          // the operator or the report's own subject: also which sections changed
  kChanged,       // anyone, of a public-view report of an organization: also changed or not
  kAuthenticity,  // anyone, of a full-view or a natural person's report: nothing more
};

// Reports of one subject callers without a token may have issued in one Beijing day with a
// period of their own; more are refused (HTTP 429, report_handlers.cc): an identical request
// gets the day's report again, the default period is never refused, and nobody anonymous fills
// the store.
inline constexpr size_t kPublicReportsPerSubjectDay = 20;

// An IP address in canonical form ("::ffff:10.0.0.1" as "10.0.0.1"), from an address with or
// without a port ("1.2.3.4:80", "[2001:db8::1]:443"); "" when `text` is none.
std::string CanonicalAddress(std::string_view text);
// The address a request comes from (canonical): the peer's, or — when the peer is one of
// `trusted_proxies` — the nearest address in X-Forwarded-For that is not a trusted proxy itself
// (the header's entries right to left; what a client wrote further left is not trusted; an
// entry that is no address ends the walk).
std::string ClientAddress(const Request& request, std::span<const std::string> trusted_proxies);
// What a client address is counted under: itself, or for IPv6 its /64 (a client holds one).
std::string ClientBucket(const std::string& address);

// A count per client address (ClientBucket) within a period — a Beijing day, a minute — so that
// one client cannot spend what belongs to all: new reports issued to callers without a token
// (Platform::public_reports: one client may not fill the store with reports of every subject;
// the per-subject limit above never refuses the default period), audit entries of refused
// requests without a valid token (Platform::refusal_audits: one client may not fill the audit
// log). Thread-safe; forgets the periods before the current one.
class ClientQuota {
 public:
  // Counts one more for `client` in `period` and returns true, unless it already has `limit`
  // (then false, nothing counted). `limit` 0: no limit.
  bool TryCount(const std::string& client, int64_t period, size_t limit);
  // Takes back one counted for `client` in `period` (what was counted did not happen after all).
  void Uncount(const std::string& client, int64_t period);

 private:
  std::mutex mu_;
  int64_t period_ = 0;
  std::unordered_map<std::string, size_t> counts_;  // GUARDED_BY(mu_), of period_
};

// The reports issued about `subject` on the Beijing day of `now_ms`: how many were issued to
// the public, and of all of them the one for `request` whose content built now is the same (kind, view, period, domains; nothing
// changed since), with its stored signature — to hand the public that report again instead of
// issuing a duplicate (nullopt when there is none). Goes through the day's reports, newest first.
struct IssuedToday {
  size_t count = 0;
  std::optional<report::IssuedReport> same;
};
Result<IssuedToday> FindIssuedToday(Platform& p, const Subject& subject,
                                    const report::ReportRequest& request, Date today,
                                    int64_t now_ms, std::string_view base_url = "");

struct ReportVerification {
  VerificationDetail detail = VerificationDetail::kFull;
  std::string number;
  bool signature_valid = false;  // the stored content's signature under the platform's key
  bool digest_matches = false;   // the stored digest is the content's
  // The report names the platform's key (key id): when not, a failed signature means the key
  // file was replaced (restore it), not that the report was tampered with.
  bool key_matches = false;
  bool authentic() const { return signature_valid && digest_matches; }
  std::string key_id, digest, issued_at, title, cutoff;
  report::ReportRequest request;
  std::string subject_code, subject_name;  // a natural person's name masked: "张**"
  // Whether the report built again now, with the same parameters, says something else, and
  // which parts (key, title) differ; "subject" when the subject itself changed or is gone.
  bool changed = false;
  std::vector<std::pair<std::string, std::string>> changed_parts;
  // What the issued report says, section by section: the signature covers this, not the pages
  // of a file, so the page shows it for the reader to compare.
  std::vector<report::SignedSection> sections;
  // A natural person's report: items left out of `sections` because retention erased their
  // records since the report was issued.
  bool erased_left_out = false;
};
// nullopt when no report has this number; InvalidArgument ("number: …") for a malformed one.
// `who` null = the local operator (CLI). For a caller who is neither the operator nor the
// report's subject, `detail` limits the answer (VerificationDetail): a full-view or natural
// person's report is not built again, and its subject is shown as its public version would (a
// natural person: the masked name only, no code).
Result<std::optional<ReportVerification>> VerifyIssuedReport(
    Platform& p, std::string_view number, Date today,
    const security::Principal* who = nullptr);
// The answer as JSON: what the report said when issued (its request and its signed sections,
// item by item, without those erased since: `erased_left_out`); `changed` and
// `changed_sections` only as `detail` allows.
boost::json::object VerificationJson(const ReportVerification& v, Date today);
// What a report says, section by section: title, summary, facts (the special report's 结论
// among them) and its items with their fields.
boost::json::array SectionSummariesJson(const std::vector<report::SignedSection>& sections);
// {"algorithm": "Ed25519", "public_key": Base64, "key_id", "encoding"}
// FailedPrecondition without a report key (Platform::report_signer).
Result<boost::json::object> ReportPublicKeyJson(const Platform& p);

}  // namespace xinyong::server
