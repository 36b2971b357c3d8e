// The exchange wire format (docs/operations.md, "Exchange between platform levels"): one change
// of a source instance's change feed per line of NDJSON, the record in the catalog's standard
// field codes as ingestion accepts them (personal certificate numbers unsealed: the receiving
// instance hashes and seals them under its own key). Plain functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/date.h"
#include "core/personal_data.h"
#include "core/status.h"
#include "model/record.h"
#include "storage/store.h"

namespace xinyong::exchange {

// One line of an exchange batch.
struct ChangeLine {
  uint64_t seq = 0;
  bool erased = false;        // a deletion event (retention at the source): no record follows
  uint64_t record_id = 0;     // the record's id at the source (for messages only)
  uint32_t version = 0;       // the version at the source
  std::string indicator;
  RecordStatus status = RecordStatus::kActive;
  Date received;              // when the source received it
  std::vector<std::pair<std::string, std::string>> fields;  // field code → value, catalog order
};

// The line of one change read with its record (Store::ReadChanges with records). A version the
// source erased since is sent as erased. Fails (DataLoss) when a sealed number cannot be opened.
Result<ChangeLine> LineOfChange(const storage::Change& change, const PersonalDataVault& vault);

// NDJSON: one line per change, each ending in '\n'.
void AppendLine(const ChangeLine& line, std::string* out);
// Parses a batch: InvalidArgument naming the line for anything malformed, sequence numbers not
// strictly ascending, or an unknown status. Keys the format does not have are skipped whatever
// valid JSON they hold, within the reader's limits: numbers that fit a 64-bit integer or a
// double, nesting up to 32 levels. The lines are read where they lie when `body` has
// kLinePadding bytes of spare capacity past its end (the HTTP server reserves them for request
// bodies), and from one padded copy otherwise.
Status ParseLines(const std::string& body, std::vector<ChangeLine>* out);

// Spare capacity past a body's end that lets ParseLines read it in place: the JSON parser reads
// up to this many bytes past a document.
inline constexpr size_t kLinePadding = 64;

// "active", "revoked", ... as RecordStatusName; nullopt for anything else.
bool ParseStatus(std::string_view name, RecordStatus* out);

}  // namespace xinyong::exchange
