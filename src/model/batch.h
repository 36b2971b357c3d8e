// BatchReport: what became of every row of one ingested batch. Every row ends up accepted,
// rejected (with row, field, code and reason) or duplicate, and the counts add up:
// rows == accepted + rejected + duplicates. Plain data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/date.h"

namespace xinyong {

struct RowIssue {
  uint32_t row = 0;      // 1-based data row number in the file (the header is row 0)
  std::string field;     // field code, or "" for the whole row
  std::string code;      // machine-readable reason, e.g. "invalid_uscc", "missing_field"
  std::string message;   // one sentence in English; never contains a personal ID in plaintext
};

struct BatchReport {
  uint64_t id = 0;
  std::string file;        // file name as given (uploads: ?name=, default "api-upload.csv")
  uint32_t part = 1;       // a large file is committed as consecutive batches (parts)
  std::string indicator;
  std::string dept;        // submitting department code, if given
  std::string encoding;    // "utf-8", "gb18030"
  // "csv", "jsonl", "exchange" (rows pushed by a lower instance), "status" (status changes),
  // "exchange_cursor" (pushed changes with nothing to apply here: IsSubmission).
  std::string format;
  Date received_date;
  int64_t started_unix_ms = 0;
  double seconds = 0;
  uint64_t first_row = 1;  // first data row of this part in the file
  uint64_t rows = 0;
  uint64_t accepted = 0;
  uint64_t rejected = 0;
  uint64_t duplicates = 0;
  uint64_t corrected = 0;       // accepted rows that became a new version of an existing record
  // Accepted 双公示 rows of new decisions received after 7 working days (a correction is not
  // counted: timeliness is the decision's, judged when it first arrived).
  uint64_t late = 0;
  uint64_t new_subjects = 0;
  std::vector<RowIssue> rejections;  // one per rejected row
  std::vector<RowIssue> warnings;    // accepted rows with something to look at (name conflicts)
};

// Whether a batch carries rows a department or a lower instance submitted. Not: a status
// change written by a workflow ("status"), an upheld objection's correction ("objection": the
// record stays the submitting department's, and the correction is no sign of life from it),
// and pushed changes that commit nothing here
// ("exchange_cursor": deletion events, derived records, status changes of records not held
// here — a batch of no rows that records them and carries the exchange cursor). Data governance
// and city monitoring count submissions only.
inline bool IsSubmission(const BatchReport& b) {
  return b.format != "status" && b.format != "objection" && b.format != "exchange_cursor";
}

std::string EncodeBatchReport(const BatchReport& b);  // without rejections/warnings
bool DecodeBatchReport(std::string_view in, BatchReport* b);
std::string EncodeRowIssue(const RowIssue& i);
bool DecodeRowIssue(std::string_view in, RowIssue* i);

}  // namespace xinyong
