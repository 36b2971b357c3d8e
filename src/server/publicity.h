// 双公示 publicity: the administrative licence (行政许可) and penalty (行政处罚) decisions as the
// public reads them, newest decision date first — the listing behind GET /api/v1/publicity.
// Read from the store's by_indicator index (Store::ScanIndicatorFrom: a `to` date or a cursor
// seeks there), each entry checked against its record's current version: in force and shown at
// the public level (ShownAt, as the records endpoint's default view: revoked, repaired, expired
// records and those whose publicity ended are not listed). A natural person's decision is listed
// without the person's name: masked ("张**"), without a code, the name masked in the texts too.
//
// The work of one call is bounded: at most `max_examined` index entries are read; a listing
// stopped by the bound says so (`more`) and where to resume (`next`). Nothing older than the
// first decision past its indicator's maximum publicity period is read: older ones are past it
// too.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/platform.h"
#include "storage/store.h"

namespace xinyong::server {

// One kind of decision published under 双公示 and the fields of its indicator the listing shows
// (data/catalog/admin_licence.toml, admin_penalty.toml; FACTS §3).
struct PublicityKind {
  std::string_view name;             // "licence", "penalty"
  std::string_view indicator;        // "admin_licence", "admin_penalty"
  std::string_view authority_field;  // 许可机关 XK_XKJG / 处罚机关 CF_CFJG
  std::string_view title_field;    // 许可决定文书名称 XK_XKWS / 违法行为类型 CF_WFXW
  std::string_view content_field;  // 许可内容 XK_NR / 处罚内容 CF_NR
  std::string_view name_field;     // 行政相对人名称 XK_XDR_MC / CF_XDR_MC
};

// The kind named `name`; nullptr for any other name.
const PublicityKind* FindPublicityKind(std::string_view name);

// Where a listing resumes: just after the index entry `position` (exactly, ids included),
// skipping `skip` more matching decisions first.
struct PublicityCursor {
  storage::IndicatorPosition position;
  uint64_t skip = 0;
};

// "YYYYMMDD.subject.record.skip" — opaque to clients.
std::string EncodeCursor(const PublicityCursor& c);
// InvalidArgument for anything EncodeCursor did not write.
Result<PublicityCursor> ParseCursor(std::string_view text);

// Index entries one call reads at most, by default (each is a record read).
inline constexpr size_t kMaxPublicityExamined = 2000;

struct PublicityQuery {
  const PublicityKind* kind = nullptr;
  std::optional<Date> from, to;          // decision date bounds, inclusive
  std::string dept;                      // the deciding authority, trimmed; "" = any
  std::optional<PublicityCursor> after;  // resume after a previous listing's `next`
  uint64_t skip = 0;                     // matching decisions skipped (after the cursor's own skip)
  size_t take = 20;                      // at least 1 (0 is read as 1)
  size_t max_examined = kMaxPublicityExamined;
};

struct PublicityItem {
  Subject subject;
  Record record;  // the current version
  bool under_objection = false;
};

struct PublicityPage {
  std::vector<PublicityItem> items;
  // Whether the listing may go on: another matching decision was found, or the bound stopped
  // the scan with index entries left (which may or may not match).
  bool more = false;
  std::optional<PublicityCursor> next;  // set exactly when `more`
  bool bounded = false;                 // the scan stopped at max_examined
  size_t examined = 0;                  // index entries read
};

// One page of the listing as of `today`. NotFound when the catalog lacks the kind's indicator;
// the store's errors.
Status ListPublicity(Platform& p, const PublicityQuery& q, Date today, PublicityPage* out);

// {"subject": {code (null for a natural person), name (masked for one), type}, "record_id",
//  "document_number", "decision_date", "authority", "title", "content" (at most 200
//  characters), "content_truncated", "under_objection"}
boost::json::object PublicityItemJson(const PublicityItem& item, const PublicityKind& kind);

}  // namespace xinyong::server
