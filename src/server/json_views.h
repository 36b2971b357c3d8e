// JSON views of the model, shared by the HTTP API and the CLI's --json output, so both speak
// exactly the same shapes (documented in docs/openapi.yaml). Personal certificate numbers appear
// only as masks here; decryption for authorized display is a separate, logged path.
// Pure functions, thread-safe. The optional `sp` is where the result allocates (the HTTP handlers
// pass a per-request monotonic resource); the default is the heap.
#pragma once

#include <boost/json.hpp>

#include "catalog/catalog.h"
#include "ingest/ingester.h"
#include "model/batch.h"
#include "model/record.h"
#include "model/subject.h"
#include "server/json_writer.h"
#include "storage/store.h"

namespace xinyong::server {

// Subjects and records are written straight to text (the API's hot path); the boost::json
// versions parse that text, so both have the same members in the same order.
void WriteSubject(JsonWriter& w, const Subject& s);
// `indicator` may be null (record of an indicator no longer in the catalog). `under_objection`:
// an objection to the record is open (workflow::Service::UnderObjection) — the record stays
// published, marked "under_objection": true and "objection_label": "异议处理中" (both absent
// otherwise).
void WriteRecord(JsonWriter& w, const Record& r, const catalog::Indicator* indicator,
                 bool under_objection = false);
boost::json::object SubjectJson(const Subject& s, boost::json::storage_ptr sp = {});
boost::json::object RecordJson(const Record& r, const catalog::Indicator* indicator,
                               boost::json::storage_ptr sp = {}, bool under_objection = false);
boost::json::object IndicatorJson(const catalog::Indicator& i, boost::json::storage_ptr sp = {});
boost::json::object BatchReportJson(const BatchReport& b, bool with_issues);
boost::json::object FileReportJson(const ingest::FileReport& f);
boost::json::object StatsJson(const storage::StoreStats& s);
boost::json::object RowIssueJson(const RowIssue& i);

// What the public may see of a record: it is in force (not revoked, repaired or expired) and
// disclosed to the public — by its indicator (社会公开) or, for indicators with a 公开类型 field
// (credit commitments), by its own value of it (rules::DisclosedToPublic). The API and the CLI
// both decide with this; it needs the record's values when VisibilityNeedsValues(indicator).
bool PubliclyVisible(const Record& r, const catalog::Indicator* indicator);
// Whether the record's publicity has ended by itself on `today` (FACTS §4): its indicator has a
// maximum publicity period (publicity_max_months) and it ran out — counted from the decision
// date — on or before `today`. Such a record is no longer published to the public; the
// government, the subject and the credit checks' own windows are not affected by this.
bool PublicityEnded(const Record& r, const catalog::Indicator* indicator, Date today);
bool VisibilityNeedsValues(const catalog::Indicator* indicator);

}  // namespace xinyong::server
