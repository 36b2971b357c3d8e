// Retention (FACTS.md §4, issue 5): a natural person's negative records are erased when their
// indicator's retention period (retention_years, 5 in the catalog) has run from the end of the
// behaviour — the end of a list membership (the list_end field) when the record has one, else the
// decision date. Every version goes, with every index entry pointing at it; a person left with no
// records is erased too, with its keyed hash, public code and sealed certificate number (its key
// material). Organizations' records are kept.
//
// A record still in force is first marked expired through the ingester (Ingester::ChangeStatus,
// batch "retention"), so that everything derived from records — the credit check's trigger index,
// the grades — follows exactly as for a repair; then the store erases it (Store::Erase). A run
// that stops between the two leaves expired records that the next run erases. What is erased is
// written to the audit log first, durably — one entry per record and one saying how many, without
// personal data (internal ids, indicator, dates) — and the run's outcome after: an erasure never
// goes unrecorded; a run that stops halfway leaves entries whose records the next run erases.
//
// Thread-safety: one run at a time (the server's daily job and `xinyong retention` share the
// store's writer); runs beside ingestion like any batch.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "core/date.h"
#include "core/status.h"
#include "ingest/ingester.h"
#include "security/audit.h"
#include "storage/store.h"

namespace xinyong::workflow {

struct RetentionReport {
  Date as_of;
  uint64_t persons_scanned = 0;
  uint64_t records_erased = 0;
  uint64_t versions_expired = 0;  // records still in force, marked expired before erasure
  uint64_t persons_erased = 0;
  std::map<std::string, uint64_t> by_indicator;
  std::vector<storage::RecordRef> erased;  // internal ids only
  bool dry_run = false;
};

struct RetentionOptions {
  Date today;            // Date() = today
  bool dry_run = false;  // find and report, erase nothing
};

// The day a record's retention runs out, if its indicator has a retention period and it is a
// natural person's negative record whose behaviour has ended; otherwise nullopt (kept). A record
// with a list end: at that end. A list entry without one: at the end of its publicity when its
// indicator limits it (rules::MembershipEnd); with neither, not while it is in force, and from
// the version that took it off once it is not.
std::optional<Date> RetentionEnd(const Record& r, const catalog::Indicator& ind, bool natural_person);

// One pass over every natural person's negative records. `audit` may be null (a read-only
// dry run).
Result<RetentionReport> RunRetention(storage::Store& store, const catalog::Catalog& catalog,
                                     ingest::Ingester& ingester, security::AuditLog* audit,
                                     const RetentionOptions& options);

}  // namespace xinyong::workflow
