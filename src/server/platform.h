// Platform: one running Xinyong instance — the catalog, the measures list, the working-day
// calendar, the personal data vault, the store, the ingestion pipeline, the grader and the name
// index, opened together from a data directory.
// The CLI and the HTTP server both work through it.
// Thread-safety: the members are thread-safe as documented on each; Platform itself is immutable
// after Open.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "catalog/catalog.h"
#include "core/calendar.h"
#include "core/personal_data.h"
#include "exchange/receiver.h"
#include "ingest/ingester.h"
#include "report/domains.h"
#include "report/signer.h"
#include "rules/check.h"
#include "rules/evaluation.h"
#include "rules/grading.h"
#include "rules/inspection.h"
#include "rules/measures.h"
#include "rules/session_grading.h"
#include "rules/trigger_index.h"
#include "workflow/policy.h"
#include "workflow/service.h"
#include "search/code_directory.h"
#include "search/name_index.h"
#include "security/audit.h"
#include "security/consent.h"
#include "security/token.h"
#include "server/check_logger.h"
#include "server/response_cache.h"
#include "storage/rocksdb/rocksdb_store.h"

namespace xinyong::server {

class ListCache;  // lists.h
class ClientQuota;  // reports.h

struct PlatformOptions {
  std::string data_dir = "var/data";
  // Where catalog/ and calendar/ live; "" = $XINYONG_SHARE, else the source tree's data/.
  std::string share_dir;
  // The personal-data key file; "" = keys/xinyong.key beside (not inside) the data directory.
  std::string key_file;
  bool read_only = false;
  bool sync = true;
  // The store's block cache (uncompressed blocks); 0 = the store's default (256 MiB). Reads of
  // blocks not in it decompress them again, which dominates a subject's profile when the
  // cache is much smaller than the records.
  size_t block_cache_bytes = 0;
  // The cache of public subject profiles (ResponseCache, `serve --profile-cache-mib`): answers to
  // GET /api/v1/subjects/{code} for callers without a token, served again until the subject's
  // data, its open objections or the date change. 0: no cache.
  size_t profile_cache_bytes = 1024u << 20;
  // Regrade the subjects of every committed ingest batch (rules::Grader). Off for a bulk load
  // that a full recompute (`xinyong grade --all`) follows anyway.
  bool grade_on_ingest = true;
  // The Ed25519 key that signs credit reports (src/report); "" = beside the personal-data key,
  // its name with ".key" replaced by ".report.key" (keys/<data dir name>.report.key).
  std::string report_key_file;
  // Where reports send readers to verify them (the QR code): <base>/verify.html?number=…;
  // "" = $XINYONG_PUBLIC_URL, else http://localhost:8080.
  std::string public_base_url;
  // 出具机构 printed on every report.
  std::string report_issuer = "公共信用信息平台";
  // Addresses of reverse proxies in front of the server (`serve --trusted-proxy`): a request
  // from one is taken to come from the address it names in X-Forwarded-For (ClientAddress).
  // Loopback by default: a proxy on the same machine, the usual set-up.
  std::vector<std::string> trusted_proxies = {"127.0.0.1", "::1"};
  // New credit reports one client address (ClientAddress) may have issued without a token in a
  // Beijing day (`serve --public-reports-per-day`); more are refused (429). 0: no limit.
  size_t public_reports_per_client_day = 50;
};

// The default share directory: $XINYONG_SHARE, else <source dir>/data.
std::string DefaultShareDir();

// The codes of the common shapes, as the code directory and batch checks look them up: a
// normalized code of 18 letters and digits is a USCC (`value` the code), "P" and 20 hex digits a
// natural person's code (`value` without the P). False, and nothing set, for any other code.
bool CommonCodeShape(std::string_view code, IdentifierKind* kind, std::string_view* value);

class Platform {
 public:
  static Result<std::unique_ptr<Platform>> Open(const PlatformOptions& options);
  // Waits for a commit an exchange batch left running (its commit observer uses the members
  // below) before anything is taken down.
  ~Platform();

  const catalog::Catalog& catalog() const { return *catalog_; }
  const WorkCalendar& calendar() const { return *calendar_; }
  const PersonalDataVault& vault() const { return *vault_; }
  const rules::MeasureCatalog& measures() const { return *measures_; }
  const rules::EvaluationModel& evaluation() const { return *evaluation_; }
  const rules::InspectionRatios& inspection_ratios() const { return *inspection_ratios_; }
  storage::Store& store() { return *store_; }
  const storage::Store& store() const { return *store_; }
  storage::RocksDbStore& rocksdb() { return *store_; }
  ingest::Ingester& ingester() { return *ingester_; }
  // Exchange between platform levels: applies a lower instance's change feed (src/exchange).
  exchange::Receiver& exchange() { return *exchange_; }
  rules::Grader& grader() { return *grader_; }
  // The regrade of pushed exchange batches, once per push session; null when grading after
  // ingestion is off or the store is read-only.
  rules::SessionGrading* push_grading() { return push_grading_.get(); }
  // Credit reports (src/report): the special report's domains (<share>/report/domains.toml) and
  // the key that signs every report.
  const report::DomainCatalog& report_domains() const { return *report_domains_; }
  // The report key. FailedPrecondition on a read-only open of a store whose key file does not
  // exist (a read-only open never makes one: a new key would call every report tampered).
  Result<const report::ReportSigner*> report_signer() const;
  // Objections and credit repair (src/workflow): the policy of <share>/rights/rights.toml and the
  // service that runs both workflows, committing record changes through the ingester.
  workflow::Service& rights() { return *rights_; }
  const workflow::Service& rights() const { return *rights_; }
  // API tokens and their cache (every request with a bearer token), and subjects' consents to
  // financial institutions.
  security::TokenStore& tokens() { return *tokens_; }
  security::ConsentStore& consents() { return *consents_; }
  // The hash-chained audit log (security/audit.h): every write, and every read by a token
  // holder, appends to it; nullptr when the store is read-only.
  security::AuditLog* audit() { return audit_.get(); }
  const PlatformOptions& options() const { return options_; }
  // Public subject profiles already answered (PlatformOptions::profile_cache_bytes); nullptr
  // when off.
  ResponseCache* profile_cache() { return profile_cache_.get(); }
  // The members of the public lists, kept between requests (lists.h).
  ListCache& lists() { return *lists_; }
  // Counts of new reports issued to callers without a token, per client address and Beijing day.
  ClientQuota& public_reports() { return *public_reports_; }
  // Audit entries of requests refused for want of a valid token, per client and minute
  // (router.cc: kRefusalAuditsPerMinute).
  ClientQuota& refusal_audits() { return *refusal_audits_; }

  // Resolves a public subject code: a USCC, a legacy code (organization code, registration or
  // tax number, institution certificates) or "P<id>" for natural persons. NotFound when no
  // subject has it; InvalidArgument when it is not a code at all. Once the code directory is
  // built, a code it knows costs one read of the store (the subject), not two.
  Result<Subject> FindSubjectByCode(std::string_view code) const;
  // The same up to the subject's id (its record not read).
  Result<uint64_t> FindSubjectIdByCode(std::string_view code) const;

  // The name index, built from the store on first use (seconds for a million subjects: the
  // server builds it before it listens) and kept current by every ingest through this platform.
  Result<const search::NameIndex*> names();

  // The code directory (search/code_directory.h), built from the store on first use (the server
  // builds it before it listens) and kept current by every ingest through this platform.
  Result<const search::CodeDirectory*> codes();
  // The code directory if it has been built, else nullptr (codes are then resolved by the store).
  const search::CodeDirectory* built_codes() const {
    return codes_ptr_.load(std::memory_order_acquire);
  }

  // The credit check's rules over the catalog and the measures; immutable.
  const rules::Checker& checker() const { return *checker_; }
  // The trigger index (rules/trigger_index.h) for checks as of today or later: built from the
  // store on first use (one pass over every subject's list, record and commitment records; the
  // server builds it before it listens) and kept current by every ingest through this platform.
  // With a scenario, an index not yet built is built for that scenario's indicators only
  // (`xinyong check --file` for a large batch); the one built first stays.
  Result<const rules::TriggerIndex*> triggers(std::string_view scenario = "");
  // Writes the credit-check log, many requests' checks per durable write; nullptr when the store
  // is read-only.
  CheckLogger* check_logger() { return check_logger_.get(); }
  // Held for every read-modify-write of a published inspection draw (its results), so that
  // concurrent result posts for one draw never lose each other's writes.
  std::mutex& inspection_mutex() { return inspection_mu_; }
  // The trigger index if it has been built, else nullptr (checks then read the store).
  const rules::TriggerIndex* built_triggers() const {
    return triggers_ptr_.load(std::memory_order_acquire);
  }

 private:
  Platform() = default;
  // The subject the code directory names for a normalized code, if it holds the code; nullopt
  // leaves the code to the store (not known to the directory, or a stale hint).
  std::optional<Subject> FindSubjectInDirectory(const search::CodeDirectory& codes,
                                                std::string_view code) const;
  // FindSubjectIdByCode of `code`, code_in normalized; code_in for the error message.
  Result<uint64_t> FindSubjectIdByNormalizedCode(const std::string& code,
                                                 std::string_view code_in) const;
  PlatformOptions options_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<WorkCalendar> calendar_;
  std::unique_ptr<PersonalDataVault> vault_;
  std::unique_ptr<rules::MeasureCatalog> measures_;
  std::unique_ptr<rules::EvaluationModel> evaluation_;
  std::unique_ptr<rules::InspectionRatios> inspection_ratios_;
  std::unique_ptr<storage::RocksDbStore> store_;
  std::unique_ptr<ingest::Ingester> ingester_;
  std::unique_ptr<exchange::Receiver> exchange_;  // after ingester_
  std::unique_ptr<rules::Grader> grader_;
  std::unique_ptr<rules::SessionGrading> push_grading_;  // after grader_: finishes before it goes
  std::unique_ptr<report::DomainCatalog> report_domains_;
  std::unique_ptr<report::ReportSigner> report_signer_;
  std::unique_ptr<workflow::Policy> rights_policy_;
  std::unique_ptr<workflow::Service> rights_;  // after ingester_ and rights_policy_
  std::unique_ptr<security::TokenStore> tokens_;
  std::unique_ptr<security::ConsentStore> consents_;
  std::unique_ptr<security::AuditLog> audit_;
  // names_ is built once, under names_mu_; commits are applied under the same mutex (so none is
  // lost during the build). Searches read names_ptr_ without it once built: the index has its
  // own lock, and readers never wait for an Apply or a rebuild.
  std::mutex names_mu_;
  std::unique_ptr<search::NameIndex> names_;
  std::atomic<const search::NameIndex*> names_ptr_{nullptr};
  // The same arrangement for the code directory and the trigger index.
  std::mutex codes_mu_;
  std::unique_ptr<search::CodeDirectory> codes_;
  std::atomic<const search::CodeDirectory*> codes_ptr_{nullptr};
  std::unique_ptr<rules::Checker> checker_;
  std::mutex triggers_mu_;
  std::unique_ptr<rules::TriggerIndex> triggers_;
  std::atomic<const rules::TriggerIndex*> triggers_ptr_{nullptr};
  std::mutex inspection_mu_;
  std::unique_ptr<CheckLogger> check_logger_;  // after store_: stops before the store closes
  std::unique_ptr<ResponseCache> profile_cache_;
  std::unique_ptr<ListCache> lists_;
  std::unique_ptr<ClientQuota> public_reports_;
  std::unique_ptr<ClientQuota> refusal_audits_;
};

}  // namespace xinyong::server
