// Record: one piece of credit information about one subject under one catalog indicator, e.g. a
// penalty decision. Records are versioned: a correction appends version N+1 and the earlier
// version stays, marked superseded; nothing is overwritten. Personal certificate numbers in a
// record's fields are held only as a mask in `values` plus a PersonalValue (hash + sealed copy).
// Plain data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/date.h"
#include "model/subject.h"

namespace xinyong {

// Persisted as one byte: never renumber.
enum class RecordStatus : uint8_t {
  kActive = 1,      // current version, in force
  kSuperseded = 2,  // an older version replaced by a correction
  kRevoked = 3,     // withdrawn (e.g. an upheld objection)
  kRepaired = 4,    // credit repair: no longer published, shared or used
  kExpired = 5,     // publicity or retention ended
};
std::string_view RecordStatusName(RecordStatus s);

struct PersonalValue {
  std::string field;   // field code
  std::string hash;    // 32-byte keyed hash of the normalized number
  std::string sealed;  // encrypted number
};

struct Record {
  uint64_t subject_id = 0;
  uint64_t record_id = 0;  // stable across versions
  uint32_t version = 1;
  std::string indicator;
  RecordStatus status = RecordStatus::kActive;
  Date decision_date;       // the document's date; Date() (1970-01-01) when the indicator has none
  Date received_date;       // when the platform received it
  bool late = false;        // 双公示: received more than 7 working days after the decision
  uint64_t batch_id = 0;
  uint64_t content_hash = 0;  // over the normalized values; equal hash = duplicate
  std::string document_number;
  std::vector<std::pair<std::string, std::string>> values;  // field code → normalized value
  std::vector<PersonalValue> personal;

  // The value of a field, or "" when absent.
  std::string_view Get(std::string_view field_code) const;
};

// Serialization used by every Store backend that keeps records as blobs.
std::string EncodeRecordValue(const Record& r);
// Fills everything but subject_id, record_id and version (which live in the key).
bool DecodeRecordValue(std::string_view in, Record* r);
std::string EncodeSubject(const Subject& s);
bool DecodeSubject(std::string_view in, Subject* s);

}  // namespace xinyong
