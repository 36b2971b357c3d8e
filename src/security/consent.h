// Consents (授权): a subject's recorded permission for one financial institution (信易贷) to read
// its 授权查询 (authorized-disclosure) records, for a purpose, until a date. A consent stands from
// the day it is recorded through its expiry date unless it is withdrawn; a withdrawal keeps the
// consent in the history with the day and who withdrew it. Nothing is cached: the next request
// of the institution after a withdrawal or past the expiry is refused.
//
// Thread-safety: ConsentStore is thread-safe; the Store must outlive it.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/status.h"
#include "storage/store.h"

namespace xinyong::security {

struct Consent {
  uint64_t id = 0;  // unique within the subject
  uint64_t subject_id = 0;
  std::string institution;  // as financial_institution tokens name it
  std::string purpose;
  Date granted;
  Date expires;  // the last day it stands
  std::optional<Date> withdrawn;
  int64_t recorded_ms = 0, withdrawn_ms = 0;  // Unix time, milliseconds
  std::string recorded_by, withdrawn_by;      // Principal::Describe() of who did it

  bool StandsOn(Date day) const { return !withdrawn && granted <= day && day <= expires; }
  // "standing", "withdrawn" or "expired" on that day.
  std::string_view State(Date day) const;
};

// The stored value (format byte 1 first) and its inverse; false when corrupt.
std::string EncodeConsent(const Consent& c);
bool DecodeConsent(uint64_t subject_id, uint64_t id, std::string_view in, Consent* out);

inline constexpr int kMaxConsentYears = 5;

class ConsentStore {
 public:
  explicit ConsentStore(storage::Store& store) : store_(store) {}
  ConsentStore(const ConsentStore&) = delete;
  ConsentStore& operator=(const ConsentStore&) = delete;

  // Records a consent granted on `today` until `expires` (inclusive). InvalidArgument naming the
  // field when the institution or purpose is empty or too long, or `expires` is before today or
  // more than five years ahead.
  Result<Consent> Grant(uint64_t subject_id, std::string_view institution,
                        std::string_view purpose, Date expires, Date today, int64_t now_ms,
                        std::string_view by);
  // The subject's consents, oldest first, withdrawn and expired ones included.
  Status List(uint64_t subject_id, std::vector<Consent>* out) const;
  // Withdraws consent `id` of the subject. NotFound when it has none with that id;
  // FailedPrecondition when it was withdrawn already.
  Result<Consent> Withdraw(uint64_t subject_id, uint64_t id, Date today, int64_t now_ms,
                           std::string_view by);
  // Whether a consent of the subject for this institution stands on `day`.
  Result<bool> Stands(uint64_t subject_id, std::string_view institution, Date day) const;

 private:
  storage::Store& store_;
  std::mutex write_mu_;  // one Grant or Withdraw at a time (ids are the subject's highest + 1)
};

}  // namespace xinyong::security
