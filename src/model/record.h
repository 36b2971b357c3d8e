// Record: one piece of credit information about one subject under one catalog indicator, e.g. a
// penalty decision. Records are versioned: a correction appends version N+1 and the earlier
// version stays, marked superseded; nothing is overwritten. Personal certificate numbers in a
// record's fields are held only as a mask in `values` plus a PersonalValue (hash + sealed copy).
// Plain data.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <iterator>
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

// FieldValues: a record's field values (field code → normalized value) in one buffer, so that a
// record decodes with a couple of allocations instead of two per field. Iterating yields
// pairs of string_views valid while the FieldValues lives and is not modified.
class FieldValues {
 public:
  using value_type = std::pair<std::string_view, std::string_view>;

  FieldValues() = default;
  FieldValues(std::initializer_list<std::pair<std::string_view, std::string_view>> init) {
    for (const auto& [k, v] : init) emplace_back(k, v);
  }

  void reserve(size_t fields, size_t bytes = 0) {
    offsets_.reserve(fields * 3);
    buf_.reserve(bytes);
  }
  void emplace_back(std::string_view code, std::string_view value) {
    offsets_.push_back(static_cast<uint32_t>(buf_.size()));
    buf_.append(code);
    offsets_.push_back(static_cast<uint32_t>(buf_.size()));
    buf_.append(value);
    offsets_.push_back(static_cast<uint32_t>(buf_.size()));
  }
  void push_back(const value_type& kv) { emplace_back(kv.first, kv.second); }
  // The value of the field with this code; "" when there is none.
  std::string_view Get(std::string_view field_code) const {
    for (size_t i = 0; i < size(); ++i) {
      const auto [k, v] = (*this)[i];
      if (k == field_code) return v;
    }
    return {};
  }
  size_t size() const { return offsets_.size() / 3; }
  bool empty() const { return offsets_.empty(); }
  void clear() {
    buf_.clear();
    offsets_.clear();
  }
  value_type operator[](size_t i) const {
    const uint32_t* o = &offsets_[i * 3];
    return {std::string_view(buf_).substr(o[0], o[1] - o[0]),
            std::string_view(buf_).substr(o[1], o[2] - o[1])};
  }

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = FieldValues::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = value_type;
    const_iterator(const FieldValues* v, size_t i) : v_(v), i_(i) {}
    value_type operator*() const { return (*v_)[i_]; }
    const_iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const const_iterator& o) const { return i_ == o.i_; }
    bool operator!=(const const_iterator& o) const { return i_ != o.i_; }

   private:
    const FieldValues* v_;
    size_t i_;
  };
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size()}; }

  bool operator==(const FieldValues& o) const {
    if (size() != o.size()) return false;
    for (size_t i = 0; i < size(); ++i) {
      if ((*this)[i] != o[i]) return false;
    }
    return true;
  }

 private:
  std::string buf_;
  std::vector<uint32_t> offsets_;  // per field: code start, value start, value end
};

struct PersonalValue {
  std::string field;   // field code
  std::string hash;    // 32-byte keyed hash of the normalized number
  std::string sealed;  // encrypted number
};

// The certificate number in an unsealed PersonalValue: a resident ID is sealed as it is, any
// other certificate as "<type>:<number>" (the type has its own field, and is part of the
// hash so that a passport and a residence permit with the same digits are two persons).
inline std::string_view CertificateNumber(std::string_view unsealed) {
  const size_t colon = unsealed.find(':');
  return colon == std::string_view::npos ? unsealed : unsealed.substr(colon + 1);
}

// How a record names a person other than its subject: the persons behind an organization that
// measures may reach (落实到人). kSelf is the subject itself.
enum class PersonRole : uint8_t { kSelf = 0, kLegalRepresentative = 1, kResponsiblePerson = 2 };
std::string_view PersonRoleName(PersonRole r);   // "self", "legal_representative", ...
std::string_view PersonRoleLabel(PersonRole r);  // "本人", "法定代表人", "直接责任人员"

// A person (by the keyed hash of its certificate number) named in a role by a record of another
// subject.
struct PersonLink {
  std::string person_hash;  // 32 bytes
  uint64_t subject_id = 0;  // the record's subject
  uint64_t record_id = 0;
  PersonRole role = PersonRole::kLegalRepresentative;
};

struct Record {
  uint64_t subject_id = 0;
  uint64_t record_id = 0;  // stable across versions
  uint32_t version = 1;
  std::string indicator;
  RecordStatus status = RecordStatus::kActive;
  Date decision_date;       // the document's date; Date() (1970-01-01) when the indicator has none
  Date received_date;       // when the platform received it
  bool late = false;        // 双公示: first received more than 7 working days after the decision
                            // (every version keeps its record's first verdict)
  uint64_t batch_id = 0;
  uint64_t content_hash = 0;  // over the normalized values; equal hash = duplicate
  std::string document_number;
  FieldValues values;  // field code → normalized value
  std::vector<PersonalValue> personal;

  // The value of a field, or "" when absent.
  std::string_view Get(std::string_view field_code) const;
};

// Serialization used by every Store backend that keeps records as blobs.
std::string EncodeRecordValue(const Record& r);
// Fills everything but subject_id, record_id and version (which live in the key).
bool DecodeRecordValue(std::string_view in, Record* r);
// Decodes everything before the field values (indicator, status, dates, late flag, batch, content
// hash, document number) and leaves values and personal as they are: enough to count, filter and
// order records, at a fraction of the cost.
bool DecodeRecordHeader(std::string_view in, Record* r);
// The indicator code of an encoded record, without decoding anything else (bulk scans skip the
// records of indicators they do not need); false when the value is corrupt.
bool PeekRecordIndicator(std::string_view in, std::string_view* indicator);
std::string EncodeSubject(const Subject& s);
bool DecodeSubject(std::string_view in, Subject* s);

}  // namespace xinyong
