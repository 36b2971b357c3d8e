#include "server/platform.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "core/identifiers.h"
#include "server/lists.h"
#include "server/reports.h"

#ifndef XINYONG_SOURCE_DIR
#define XINYONG_SOURCE_DIR "."
#endif

namespace xinyong::server {

std::string DefaultShareDir() {
  if (const char* s = std::getenv("XINYONG_SHARE"); s != nullptr && *s != '\0') return s;
  return std::string(XINYONG_SOURCE_DIR) + "/data";
}

namespace {

// A fingerprint as people compare it: its first 8 bytes in hex.
std::string FingerprintText(std::string_view fingerprint) {
  return security::HexOf(fingerprint.substr(0, 8));
}

// The store's personal values are sealed and hashed under one key; the store records its
// fingerprint, so a mistyped or swapped --key-file is refused instead of sealing new values under
// a second key (whose hashes would never match the stored ones). A key is created only for a
// store that holds nothing yet, and never by a read-only open.
Result<std::unique_ptr<PersonalDataVault>> OpenPersonalDataVault(const std::string& key_file,
                                                                 bool read_only,
                                                                 storage::Store& store) {
  XY_ASSIGN_OR_RETURN(std::optional<std::string> recorded, store.KeyFingerprint());
  auto vault = PersonalDataVault::Open(key_file);
  if (!vault.ok() && vault.status().code() != StatusCode::kNotFound) return vault.status();
  if (!vault.ok()) {  // no key file
    if (recorded) {
      return Status::FailedPrecondition(
          "key file '" + key_file + "' does not exist, but this store's personal data are sealed "
          "with the key of fingerprint " + FingerprintText(*recorded) +
          "…; give that key with --key-file, or restore it from its backup (docs/operations.md). "
          "A new key is made only for a new store");
    }
    if (read_only) {
      return Status::FailedPrecondition("key file '" + key_file +
                                        "' does not exist; a read-only open never creates a key: "
                                        "give the store's key with --key-file");
    }
    XY_ASSIGN_OR_RETURN(storage::StoreStats stats, store.Stats());
    if (stats.subjects != 0 || stats.records != 0 || stats.batches != 0) {
      return Status::FailedPrecondition(
          "key file '" + key_file + "' does not exist, but this store already holds data sealed "
          "with some key; give that key with --key-file, or restore it from its backup "
          "(docs/operations.md). A new key is made only for a new store");
    }
    vault = PersonalDataVault::OpenOrCreate(key_file);
    if (!vault.ok()) return vault.status();
  }
  const PersonalDataVault::Hash hash = (*vault)->Fingerprint();
  const std::string fingerprint(reinterpret_cast<const char*>(hash.data()), hash.size());
  if (recorded && *recorded != fingerprint) {
    return Status::FailedPrecondition(
        "key file '" + key_file + "' holds the key of fingerprint " +
        FingerprintText(fingerprint) + "…, but this store's personal data are sealed with the "
        "key of fingerprint " + FingerprintText(*recorded) +
        "…; give that key with --key-file, or restore it from its backup (docs/operations.md)");
  }
  if (!recorded && !read_only) {
    // A store from before fingerprints records the key it is opened with — once that key has
    // been shown to open what the store holds sealed (one natural person's number), so that a
    // wrong key file at the first open after an upgrade is not recorded for good.
    std::string sealed;
    Status scan = store.ScanSubjects([&](const Subject& s) {
      if (s.id_sealed.empty()) return Status::Ok();
      sealed = s.id_sealed;
      return Status::AlreadyExists("found");  // enough: stops the scan
    });
    if (!scan.ok() && scan.code() != StatusCode::kAlreadyExists) return scan;
    if (!sealed.empty() && !(*vault)->Decrypt(sealed).ok()) {
      return Status::FailedPrecondition(
          "key file '" + key_file + "' does not open the personal numbers this store holds: "
          "they were sealed under another key; give that key with --key-file, or restore it "
          "from its backup (docs/operations.md)");
    }
    XY_RETURN_IF_ERROR(store.SetKeyFingerprint(fingerprint));
  }
  return std::move(vault).value();
}

}  // namespace

Platform::~Platform() {
  if (ingester_) ingester_->Flush().IgnoreError();
}

Result<const report::ReportSigner*> Platform::report_signer() const {
  if (report_signer_ == nullptr) {
    return Status::FailedPrecondition(
        "no report key: '" + options_.report_key_file +
        "' does not exist, and a read-only open makes none (this store has issued no report "
        "with a key here; verify a file with --public-key)");
  }
  return report_signer_.get();
}

Result<std::unique_ptr<Platform>> Platform::Open(const PlatformOptions& options_in) {
  std::unique_ptr<Platform> p(new Platform());
  p->options_ = options_in;
  PlatformOptions& o = p->options_;
  if (o.data_dir.empty()) return Status::InvalidArgument("the data directory (--data) must not be empty");
  if (o.share_dir.empty()) o.share_dir = DefaultShareDir();
  if (o.key_file.empty()) {
    std::filesystem::path data = std::filesystem::absolute(o.data_dir).lexically_normal();
    if (!data.has_filename()) data = data.parent_path();
    o.key_file = (data.parent_path() / "keys" / (data.filename().string() + ".key")).string();
  }
  XY_ASSIGN_OR_RETURN(p->catalog_, catalog::Catalog::LoadDirectory(o.share_dir + "/catalog"));
  XY_ASSIGN_OR_RETURN(p->measures_,
                      rules::MeasureCatalog::LoadDirectory(o.share_dir + "/measures", *p->catalog_));
  XY_ASSIGN_OR_RETURN(p->evaluation_, rules::EvaluationModel::LoadFile(
                                          o.share_dir + "/evaluation/model.toml", *p->catalog_));
  XY_ASSIGN_OR_RETURN(p->inspection_ratios_,
                      rules::InspectionRatios::LoadFile(o.share_dir + "/inspection/ratios.toml"));
  XY_ASSIGN_OR_RETURN(WorkCalendar cal,
                      WorkCalendar::LoadFile(o.share_dir + "/calendar/cn_workdays.toml"));
  p->calendar_ = std::make_unique<WorkCalendar>(std::move(cal));
  if (o.report_key_file.empty()) {
    std::string k = o.key_file;
    if (k.ends_with(".key")) k.resize(k.size() - 4);
    o.report_key_file = k + ".report.key";
  }
  if (o.public_base_url.empty()) {
    const char* url = std::getenv("XINYONG_PUBLIC_URL");
    o.public_base_url = url != nullptr && *url != '\0' ? url : "http://localhost:8080";
  }
  XY_ASSIGN_OR_RETURN(p->report_domains_, report::DomainCatalog::LoadFile(
                                              o.share_dir + "/report/domains.toml", *p->catalog_));
  storage::RocksDbOptions ro;
  ro.read_only = o.read_only;
  ro.sync = o.sync;
  ro.create_if_missing = !o.read_only;
  if (o.block_cache_bytes != 0) ro.block_cache_bytes = o.block_cache_bytes;
  XY_ASSIGN_OR_RETURN(p->store_, storage::RocksDbStore::Open(o.data_dir, ro));
  XY_ASSIGN_OR_RETURN(p->vault_, OpenPersonalDataVault(o.key_file, o.read_only, *p->store_));
  // A new report key only for a store that has issued no report yet: with another key every
  // report issued so far would verify as tampered.
  if (std::error_code ec; !std::filesystem::exists(o.report_key_file, ec) && !ec) {
    bool issued = false;
    XY_RETURN_IF_ERROR(p->store_->ScanReports(storage::Store::ScanOrder::kOldestFirst, [&](uint64_t, std::string_view) {
      issued = true;
      return false;
    }));
    if (issued) {
      return Status::FailedPrecondition(
          "report key file '" + o.report_key_file +
          "' is missing but the store holds issued reports, which only that key verifies; "
          "restore that file from its backup (docs/operations.md); a new key is made only for "
          "a store without issued reports");
    }
  }
  if (o.read_only) {
    auto signer = report::ReportSigner::Open(o.report_key_file);
    if (signer.ok()) {
      p->report_signer_ = std::move(signer).value();
    } else if (signer.status().code() != StatusCode::kNotFound) {
      return signer.status();
    }
  } else {
    XY_ASSIGN_OR_RETURN(p->report_signer_, report::ReportSigner::OpenOrCreate(o.report_key_file));
  }
  p->ingester_ =
      std::make_unique<ingest::Ingester>(*p->store_, *p->catalog_, *p->calendar_, *p->vault_);
  p->exchange_ = std::make_unique<exchange::Receiver>(*p->store_, *p->ingester_, *p->catalog_,
                                                      *p->calendar_, *p->vault_);
  p->grader_ = std::make_unique<rules::Grader>(*p->store_, *p->catalog_, *p->evaluation_);
  if (!o.read_only && o.grade_on_ingest) {
    // An ingestion or a push session that stopped before its deferred regrade left marks.
    auto recovered = p->grader_->RecoverRegrades(Date::Today());
    if (!recovered.ok()) {
      spdlog::error("grades left behind by an interrupted ingestion not recomputed (run "
                    "`xinyong grade --all`): {}",
                    recovered.status().ToString());
    } else if (recovered->subjects > 0) {
      spdlog::info("regraded {} organizations left behind by an interrupted ingestion in {:.1f} s",
                   recovered->subjects, recovered->seconds);
    }
    // Grades of pushed records lag them by at most about the longer of these.
    p->push_grading_ = std::make_unique<rules::SessionGrading>(
        *p->grader_, std::chrono::milliseconds(500), std::chrono::seconds(10));
  }
  XY_ASSIGN_OR_RETURN(p->rights_policy_,
                      workflow::Policy::LoadFile(o.share_dir + "/rights/rights.toml", *p->catalog_));
  XY_ASSIGN_OR_RETURN(p->rights_,
                      workflow::Service::Open(*p->store_, *p->catalog_, *p->calendar_, *p->vault_,
                                            *p->ingester_, *p->rights_policy_));
  p->checker_ = std::make_unique<rules::Checker>(*p->catalog_, *p->measures_);
  p->tokens_ = std::make_unique<security::TokenStore>(*p->store_, *p->catalog_);
  p->consents_ = std::make_unique<security::ConsentStore>(*p->store_);
  if (!o.read_only) {
    XY_ASSIGN_OR_RETURN(p->audit_, security::AuditLog::Open(*p->store_));
    p->check_logger_ = std::make_unique<CheckLogger>(*p->store_, p->audit_.get());
  }
  p->lists_ = std::make_unique<ListCache>();
  p->public_reports_ = std::make_unique<ClientQuota>();
  p->refusal_audits_ = std::make_unique<ClientQuota>();
  if (o.profile_cache_bytes != 0) {
    p->profile_cache_ = std::make_unique<ResponseCache>(o.profile_cache_bytes);
  }
  // A commit before the index exists is in the store it will be built from; one during the build
  // waits for it and is applied after (applying a subject twice is harmless).
  Platform* raw = p.get();
  p->ingester_->SetCommitObserver([raw](const ingest::CommittedBatch& batch) {
    if (!batch.subjects.empty()) {
      {  // first: the name index may take seconds to rebuild its base
        std::lock_guard lock(raw->codes_mu_);
        if (raw->codes_) raw->codes_->Apply(batch.subjects);
      }
      std::lock_guard lock(raw->names_mu_);
      if (raw->names_) raw->names_->Apply(batch.subjects);
    }
    if (!batch.records.empty()) {
      std::lock_guard lock(raw->triggers_mu_);
      if (raw->triggers_) raw->triggers_->Apply(batch.records);
    }
    if (raw->options_.grade_on_ingest) {
      // The batch is committed whatever happens here: a failure leaves these grades as they
      // were until the next recompute, and is logged rather than failing the ingest.
      auto r = raw->grader_->RecomputeAfterBatch(batch.batch_id, batch.subjects, batch.records,
                                                 Date::Today(), batch.grading_deferral);
      if (!r.ok()) {
        spdlog::error("grades of batch {} not recomputed (run `xinyong grade --all`): {}",
                      batch.batch_id, r.status().ToString());
      }
    }
  });
  return p;
}

Result<const search::NameIndex*> Platform::names() {
  if (const search::NameIndex* built = names_ptr_.load(std::memory_order_acquire)) return built;
  std::lock_guard lock(names_mu_);
  if (!names_) {
    XY_ASSIGN_OR_RETURN(names_, search::NameIndex::Build(*store_, vault_.get()));
    names_ptr_.store(names_.get(), std::memory_order_release);
  }
  return names_.get();
}

Result<const search::CodeDirectory*> Platform::codes() {
  if (const search::CodeDirectory* built = codes_ptr_.load(std::memory_order_acquire)) return built;
  std::lock_guard lock(codes_mu_);
  if (!codes_) {
    XY_ASSIGN_OR_RETURN(codes_, search::CodeDirectory::Build(*store_));
    codes_ptr_.store(codes_.get(), std::memory_order_release);
  }
  return codes_.get();
}

Result<const rules::TriggerIndex*> Platform::triggers(std::string_view scenario) {
  if (const rules::TriggerIndex* built = triggers_ptr_.load(std::memory_order_acquire)) return built;
  std::lock_guard lock(triggers_mu_);
  if (!triggers_) {
    const std::vector<const catalog::Indicator*> only =
        scenario.empty() ? checker_->Indicators() : checker_->IndicatorsOf(scenario);
    if (only.empty() && !scenario.empty()) {  // nothing to read: an index of nothing is no index
      return static_cast<const rules::TriggerIndex*>(nullptr);
    }
    XY_ASSIGN_OR_RETURN(triggers_,
                        rules::TriggerIndex::Build(*store_, *checker_, Date::Today(), 0, only));
    triggers_ptr_.store(triggers_.get(), std::memory_order_release);
  }
  return triggers_.get();
}

namespace {

// The identifier kinds an organization's code is looked up as, in this order.
constexpr IdentifierKind kOrganizationCodeKinds[] = {
    IdentifierKind::kUscc,     IdentifierKind::kOrgCode,  IdentifierKind::kRegNumber,
    IdentifierKind::kTaxNumber, IdentifierKind::kInstCert, IdentifierKind::kSocialOrgCert};

// A normalized code of a natural person: "P" and 20 hex digits.
bool IsPersonCode(std::string_view code) {
  return code.size() == 21 && code[0] == 'P' &&
         code.find_first_not_of("0123456789ABCDEF", 1) == std::string_view::npos;
}

}  // namespace

bool CommonCodeShape(std::string_view code, IdentifierKind* kind, std::string_view* value) {
  if (IsPersonCode(code)) {
    *kind = IdentifierKind::kPersonCode;
    *value = code.substr(1);
    return true;
  }
  if (code.size() == 18 && std::all_of(code.begin(), code.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
      })) {
    *kind = IdentifierKind::kUscc;
    *value = code;
    return true;
  }
  return false;
}

Result<Subject> Platform::FindSubjectByCode(std::string_view code_in) const {
  const std::string code = ident::NormalizeCodeInput(code_in);
  if (const search::CodeDirectory* codes = built_codes(); codes != nullptr && !code.empty()) {
    if (auto s = FindSubjectInDirectory(*codes, code)) return std::move(*s);
  }
  XY_ASSIGN_OR_RETURN(uint64_t id, FindSubjectIdByNormalizedCode(code, code_in));
  XY_ASSIGN_OR_RETURN(auto s, store_->GetSubject(id));
  if (!s) return Status::NotFound("no subject has the code " + code);
  return std::move(*s);
}

std::optional<Subject> Platform::FindSubjectInDirectory(const search::CodeDirectory& codes,
                                                        std::string_view code) const {
  // Only a USCC (the first kind the store tries) or a person's code (its only kind): a hit is
  // then what the store would answer even while the directory lags it. Legacy codes, looked up
  // after the USCC, go to the store.
  IdentifierKind kind;
  std::string_view value;
  if (!CommonCodeShape(code, &kind, &value)) return std::nullopt;
  const uint64_t id = codes.Find(kind, value);
  if (id == 0) return std::nullopt;
  // A hint that fails its check (an erased subject, a hash two codes share) leaves the code to
  // the store.
  auto s = store_->GetSubject(id);
  if (!s.ok() || !*s || !search::Holds(**s, kind, value)) return std::nullopt;
  return std::move(**s);
}

Result<uint64_t> Platform::FindSubjectIdByCode(std::string_view code_in) const {
  return FindSubjectIdByNormalizedCode(ident::NormalizeCodeInput(code_in), code_in);
}

Result<uint64_t> Platform::FindSubjectIdByNormalizedCode(const std::string& code,
                                                         std::string_view code_in) const {
  if (code.empty() || code.size() > 40) {
    return Status::InvalidArgument("'" + std::string(code_in.substr(0, 40)) +
                                   "' is not a subject code");
  }
  std::optional<uint64_t> id;
  if (IsPersonCode(code)) {
    XY_ASSIGN_OR_RETURN(id, store_->FindSubject(IdentifierKind::kPersonCode, code.substr(1)));
  } else {
    for (auto kind : kOrganizationCodeKinds) {
      XY_ASSIGN_OR_RETURN(id, store_->FindSubject(kind, code));
      if (id) break;
    }
    // A 15-digit registration number may also read as an old resident ID, so codes are looked
    // up first; only an unmatched code that is an ID number is refused — without echoing it.
    if (!id && (code.size() == 18 || code.size() == 15) &&
        ident::ParseResidentId(code, Date::Today()).ok()) {
      return Status::PermissionDenied("lookups by resident ID number are for authorized roles only");
    }
    if (!id && code.size() == 18) {
      auto u = ident::ParseUscc(code);
      if (!u.ok()) return u.status();
    }
  }
  if (!id) return Status::NotFound("no subject has the code " + code);
  return *id;
}

}  // namespace xinyong::server
