// RowValidator: the first, store-independent stage of ingestion. Turns one row's cells (aligned
// with the indicator's fields) into a PreparedRow: normalized values, personal numbers hashed and
// sealed, the subject's codes and type, the decision date and its timeliness, the natural key and
// the content hash — or a rejection with field and reason. It never reads the store, so it runs on
// its own thread beside the stage that resolves subjects and commits.
// Thread-compatible: one RowValidator per thread; the referenced objects must outlive it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "catalog/indicator.h"
#include "core/calendar.h"
#include "core/date.h"
#include "core/personal_data.h"
#include "model/batch.h"
#include "model/record.h"
#include "model/subject.h"

namespace xinyong::ingest {

struct PreparedRow {
  uint64_t row = 0;
  bool rejected = false;
  RowIssue issue;  // when rejected
  std::vector<RowIssue> warnings;

  std::string name;
  SubjectType type = SubjectType::kLegalPerson;
  bool type_from_row = false;  // the row said which kind of subject this is
  std::vector<Identifier> ids;  // resolution order: the USCC (and its organization code) first
  std::string uscc;
  std::string region;
  std::string status;  // registration status, when the indicator carries one
  std::string industry;  // GB/T 4754 section or division, when the indicator carries one
  std::string person_mask;    // natural persons: the masked certificate number
  std::string person_sealed;  // natural persons: the sealed certificate number

  Date decision_date;
  // The day a platform first received the row when it came from a lower-level instance earlier
  // than this one's date of receipt (Prepare's `first_received`); Date() otherwise.
  Date first_received;
  bool late = false;
  std::string document_number;
  std::string natural_key;
  uint64_t content_hash = 0;
  FieldValues values;
  std::vector<PersonalValue> personal;

  // The row of the derived indicator this row gives (Deriver), stored with it; null if none.
  std::unique_ptr<PreparedRow> derived;
};

class RowValidator {
 public:
  RowValidator(const catalog::Indicator& indicator, Date received_date,
               const WorkCalendar& calendar, const PersonalDataVault& vault);

  // Fills *out for the row (every member is reset first). `first_received`: the day a platform
  // first received the row, when before this validator's date of receipt (a row passed on by a
  // lower-level instance): its timeliness is judged by it.
  void Prepare(uint64_t row, const std::vector<std::string_view>& cells, PreparedRow* out,
               Date first_received = Date());

 private:
  bool Reject(PreparedRow* out, const std::string& field, std::string code, std::string message);
  bool Personal(size_t i, std::string_view cell, const std::vector<std::string_view>& cells,
                PersonalValue* pv, std::string* mask, IdentifierKind* kind, PreparedRow* out);
  const std::string& FieldCode(int index) const;

  const catalog::Indicator& ind_;
  Date received_;
  const WorkCalendar& calendar_;
  const PersonalDataVault& vault_;
  std::unordered_map<size_t, int> id_type_of_;  // id-number field → its certificate-type field
  int role_status_;
  int role_industry_;
  int role_name_, role_category_, role_decision_, role_document_, role_procedure_, role_report_,
      role_person_id_, role_fulfilment_, role_false_;
  std::vector<int> natural_key_;
  std::vector<std::string> norm_;  // scratch, keeps its capacity between rows
};

}  // namespace xinyong::ingest
