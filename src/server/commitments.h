// Credit commitments (信用承诺) as a service of the platform, shared by the API and the CLI:
// a subject's commitments with their state (rules::ViewCommitment), the public listing of
// commitments by 公开类型 (承诺公示), and the accepting unit's finding of fulfilment, which is
// ingested as a new version of the commitment through the ordinary pipeline — where a breach also
// derives its negative record (commitment_breach) in the same batch.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "ingest/ingester.h"
#include "rules/commitment.h"
#include "server/platform.h"

namespace xinyong::server {

struct CommitmentEntry {
  Subject subject;
  Record record;
  rules::CommitmentView view;
};

class RecordView;  // server/access.h

struct CommitmentFilter {
  std::string type;  // 承诺类型; "" = any
  std::optional<rules::CommitmentState> state;
  bool public_only = true;  // only what the public may see (PubliclyVisible)
  // When set, what this view sees instead (the API's callers); public_only is then ignored.
  RecordView* view = nullptr;
};

// A subject's commitments in force (newest first) that pass the filter, as of `today`.
Status SubjectCommitments(Platform& p, const Subject& subject, const CommitmentFilter& filter,
                          Date today, std::vector<CommitmentEntry>* out);

// Commitments of every subject that pass the filter, newest first: `skip` of them skipped, at
// most `take` returned; *more says whether any follow. Reads only as far as the page needs.
Status ListCommitments(Platform& p, const CommitmentFilter& filter, Date today, size_t skip,
                       size_t take, std::vector<CommitmentEntry>* out, bool* more);

struct FulfilmentDone {
  CommitmentEntry commitment;            // as it stands after the finding
  ingest::FileReport report;             // the batch that recorded it
  std::optional<Record> breach;          // the commitment_breach record it derived, if any
};

// The entry as the public sees it: a natural person's name masked in its subject and record
// (PersonForPublic, PersonRecordForPublic); an organization's unchanged.
void MaskPersonForPublic(const Platform& p, CommitmentEntry* e);

// Records the accepting unit's finding on commitment `number` of `subject` as of `today`.
// NotFound for an unknown commitment; the errors of rules::FulfilmentRow (with *bad_field); and
// InvalidArgument with the ingester's reason when the new version is rejected. A finding of
// breach on a declaration's truthfulness commitment is FailedPrecondition (bad_field "status")
// unless `for_declaration`: the operator finds a declaration false with the declaration itself
// (EndDeclaration), which revokes it — never a published declaration whose commitment says it
// is false.
Result<FulfilmentDone> RecordFulfilment(Platform& p, const Subject& subject,
                                        std::string_view number, const rules::Fulfilment& f,
                                        Date today, std::string* bad_field,
                                        bool for_declaration = false);

// {"code", "type", "made", "deadline", "state", "state_label", "status", "found", "found_by",
//  "accepting_unit", "publicity", "false_commitment", "subject": {code, name, type},
//  "record": the record}
boost::json::object CommitmentJson(const CommitmentEntry& e, const catalog::Indicator* indicator);

}  // namespace xinyong::server
