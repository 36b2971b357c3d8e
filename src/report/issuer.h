// Issuing a report: a number from the store's report id space (XYBG-YYYYMMDD-NNNNNN-XXXXXXXX:
// the date of issue in Beijing time, the id, at least six digits, and 8 random base32 characters
// so that numbers cannot be enumerated; numbers issued before the random part existed,
// XYBG-YYYYMMDD-NNNNNN, stay readable), the issue time and verification URL
// set, the content signed, and the signed content kept in the store (Store::SaveReport) so that
// the verification page can say whether the report is authentic and whether the subject's
// information changed since. Thread-safe as the store's writes are (NextId and SaveReport may
// run concurrently with each other).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/date.h"
#include "report/content.h"
#include "report/envelope.h"
#include "report/signer.h"
#include "storage/store.h"

namespace xinyong::report {

// `check` is the unguessable part: 8 characters of RFC 4648 base32 (A-Z, 2-7); "" gives the old
// form without it.
std::string ReportNumber(Date issued, uint64_t id, std::string_view check = "");
// 8 base32 characters from libsodium's randombytes.
std::string RandomNumberCheck();
// The id of a well-formed number (with or without its random part); InvalidArgument
// ("number: …") otherwise. The random part is checked by LoadReport (the stored number must be
// the one asked for in full).
Result<uint64_t> ParseReportNumber(std::string_view number);
// <base_url>/verify.html?number=<number> (base_url without its trailing '/').
std::string VerifyUrl(std::string_view base_url, std::string_view number);

struct IssuedReport {
  ReportContent content;
  SignedReport signed_report;
  std::string digest;  // SHA-256 of the canonical content
};

// Numbers, signs and saves `content` (built by BuildReport) issued at `now_ms`; `to_public`: to
// a caller without a token (kept beside the signed report, for the public's daily limit).
// FailedPrecondition on a read-only store; the store's errors.
Result<IssuedReport> IssueReport(storage::Store& store, const ReportSigner& signer,
                                 ReportContent content, int64_t now_ms, std::string_view base_url,
                                 bool to_public = false);

// A report as the store keeps it.
struct StoredReport {
  SignedReport signed_report;
  std::string digest;
};
// nullopt when no report has this number; InvalidArgument for a malformed number; DataLoss when
// the stored value is corrupt.
Result<std::optional<StoredReport>> LoadReport(const storage::Store& store,
                                               std::string_view number);

// What a stored report says of its issue, read from the value Store::ScanReports gives without
// checking the signature (city monitoring counts reports by it): the number, the request it was
// built from (kind, view, special domains) and the issue time. DataLoss naming the id when the
// value is corrupt.
struct IssueFacts {
  std::string number;
  ReportRequest request;
  int64_t issued_unix_ms = 0;
  bool to_public = false;  // issued to a caller without a token
};
Result<IssueFacts> ReadIssueFacts(uint64_t id, std::string_view value);

}  // namespace xinyong::report
