// Key encodings of the RocksDB backend (docs/storage.md has the full layout). Big-endian fixed
// integers keep numeric order; variable-length parts end with 0x00 where something follows.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/coding.h"
#include "core/date.h"
#include "model/subject.h"

namespace xinyong::storage::keys {

// One key-value change of a commit, in a column family (index into the store's family list).
struct CommitOp {
  uint8_t cf;
  bool del;
  std::string key;
  std::string value;
};

// subjects: id(8)
inline std::string SubjectKey(uint64_t id) {
  std::string k;
  coding::PutFixed64BE(&k, id);
  return k;
}

// ids: kind(1) value
inline std::string Identifier(IdentifierKind kind, std::string_view value) {
  std::string k;
  k.push_back(static_cast<char>(kind));
  k.append(value);
  return k;
}

// names: name 0x00 id(8)
inline std::string Name(std::string_view name, uint64_t id) {
  std::string k(name);
  k.push_back('\0');
  coding::PutFixed64BE(&k, id);
  return k;
}

// records: subject(8) record(8) version(4)
inline std::string RecordPrefix(uint64_t subject, uint64_t record) {
  std::string k;
  coding::PutFixed64BE(&k, subject);
  coding::PutFixed64BE(&k, record);
  return k;
}
inline std::string RecordKey(uint64_t subject, uint64_t record, uint32_t version) {
  std::string k = RecordPrefix(subject, record);
  coding::PutFixed32BE(&k, version);
  return k;
}
inline bool DecodeRecordKey(std::string_view k, uint64_t* subject, uint64_t* record,
                            uint32_t* version) {
  if (k.size() != 20) return false;
  if (subject) *subject = coding::DecodeFixed64BE(k.data());
  if (record) *record = coding::DecodeFixed64BE(k.data() + 8);
  if (version) *version = coding::DecodeFixed32BE(k.data() + 16);
  return true;
}

// natural_keys: subject(8) indicator 0x00 key → record(8) version(4) content_hash(8)
inline std::string NaturalKey(uint64_t subject, std::string_view indicator, std::string_view key) {
  std::string k;
  coding::PutFixed64BE(&k, subject);
  k.append(indicator);
  k.push_back('\0');
  k.append(key);
  return k;
}
inline std::string NaturalKeyValue(uint64_t record, uint32_t version, uint64_t hash) {
  std::string v;
  coding::PutFixed64BE(&v, record);
  coding::PutFixed32BE(&v, version);
  coding::PutFixed64BE(&v, hash);
  return v;
}
inline bool DecodeNaturalKeyValue(std::string_view v, uint64_t* record, uint32_t* version,
                                  uint64_t* hash) {
  if (v.size() != 20) return false;
  *record = coding::DecodeFixed64BE(v.data());
  *version = coding::DecodeFixed32BE(v.data() + 8);
  *hash = coding::DecodeFixed64BE(v.data() + 12);
  return true;
}

// by_indicator: indicator 0x00 decision_ymd(4) subject(8) record(8)
inline std::string ByIndicator(std::string_view indicator, Date decision, uint64_t subject,
                               uint64_t record) {
  std::string k(indicator);
  k.push_back('\0');
  coding::PutFixed32BE(&k, decision.ToYmdNumber());
  coding::PutFixed64BE(&k, subject);
  coding::PutFixed64BE(&k, record);
  return k;
}

// person_links: person hash(32) subject(8) record(8) role(1) → ""
inline std::string PersonLinkKey(std::string_view person_hash, uint64_t subject, uint64_t record,
                                 uint8_t role) {
  std::string k(person_hash);
  coding::PutFixed64BE(&k, subject);
  coding::PutFixed64BE(&k, record);
  k.push_back(static_cast<char>(role));
  return k;
}

// inspection_subjects: subject(8) draw(8) → "": the random-inspection draws a subject was drawn in.
inline std::string InspectionSubjectKey(uint64_t subject, uint64_t draw) {
  std::string k;
  coding::PutFixed64BE(&k, subject);
  coding::PutFixed64BE(&k, draw);
  return k;
}

// subject_logs: subject(8) kind(1) ~seq(8) → "": what was logged about a subject — 'a' an audit
// entry (seq: its audit sequence number), 'c' a credit check (seq: its id). The inverted sequence
// lists a subject's newest entry first by reading forward, the only direction this column
// family's hash memtable supports.
inline constexpr char kSubjectLogAudit = 'a';
inline constexpr char kSubjectLogCheck = 'c';
inline std::string SubjectLogPrefix(uint64_t subject, char kind) {
  std::string k;
  coding::PutFixed64BE(&k, subject);
  k.push_back(kind);
  return k;
}
inline std::string SubjectLogKey(uint64_t subject, char kind, uint64_t seq) {
  std::string k = SubjectLogPrefix(subject, kind);
  coding::PutFixed64BE(&k, ~seq);
  return k;
}
inline bool DecodeSubjectLogKey(std::string_view k, uint64_t* subject, char* kind, uint64_t* seq) {
  if (k.size() != 17) return false;
  *subject = coding::DecodeFixed64BE(k.data());
  *kind = k[8];
  *seq = ~coding::DecodeFixed64BE(k.data() + 9);
  return true;
}

// grades: subject(8) 0x00 → the current grade; subject(8) 0x01 ~seq(4) → history entry `seq`
// (1 = the oldest). The inverted sequence puts a subject's newest entry first, right after its
// current grade, and every subject's entries together.
inline std::string GradeCurrentKey(uint64_t subject) {
  std::string k = SubjectKey(subject);
  k.push_back('\0');
  return k;
}
inline std::string GradeHistoryPrefix(uint64_t subject) {
  std::string k = SubjectKey(subject);
  k.push_back('\1');
  return k;
}
inline std::string GradeHistoryKey(uint64_t subject, uint32_t seq) {
  std::string k = GradeHistoryPrefix(subject);
  coding::PutFixed32BE(&k, ~seq);
  return k;
}

// batches: id(8); batch_issues: id(8) kind(1: 'r' rejection, 'w' warning) seq(4)
inline std::string BatchKey(uint64_t id) { return SubjectKey(id); }
inline std::string BatchIssue(uint64_t id, char kind, uint32_t seq) {
  std::string k = BatchKey(id);
  k.push_back(kind);
  coding::PutFixed32BE(&k, seq);
  return k;
}

// access: 't' ‖ token id(8) → token; 'h' ‖ secret hash → token id(8); 'c' ‖ subject(8) ‖
// consent id(8) → consent. Few keys (tokens by the hundred, consents per subject by the handful).
inline std::string TokenKey(uint64_t id) {
  std::string k(1, 't');
  coding::PutFixed64BE(&k, id);
  return k;
}
inline std::string TokenHashKey(std::string_view hash) {
  std::string k(1, 'h');
  k.append(hash);
  return k;
}
inline std::string ConsentPrefix(uint64_t subject) {
  std::string k(1, 'c');
  coding::PutFixed64BE(&k, subject);
  return k;
}
inline std::string ConsentKey(uint64_t subject, uint64_t consent) {
  std::string k = ConsentPrefix(subject);
  coding::PutFixed64BE(&k, consent);
  return k;
}

}  // namespace xinyong::storage::keys
