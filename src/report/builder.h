// Building a report's content (content.h) from the store: the subject's registration facts, its
// records grouped into the report's sections by their indicators' categories (信息类别), current
// list memberships, commitments with their state, the composite grade when the view has it, and
// for a special report one section per chosen domain stating whether a negative record exists
// in the period. What the report's view may show is decided by the caller (the server's access
// rules, the same as the profile's), passed in as `shown`; this module never decides
// visibility on its own. Thread-safe as the store's const methods are.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "model/subject.h"
#include "report/content.h"
#include "report/domains.h"
#include "storage/store.h"

namespace xinyong::report {

// The subject's current composite-evaluation grade (公共信用综合评价), for a full view.
struct GradeFacts {
  std::string grade;  // "A".."D"
  std::string label;  // e.g. "A（诚信）"
  double score = 0;
  Date since;         // since when it says this; none for a grade computed when the report was built
  std::string model;  // the evaluation model's name
};

// The mark of a record under an open objection in a report (a field of its item).
inline constexpr std::string_view kObjectionLabel = "异议状态";
inline constexpr std::string_view kUnderObjection = "异议处理中（仍予公示，以核实结果为准）";

struct BuildContext {
  Date today;  // as of: list memberships, commitment states, publicity ends; the data cut-off
  // Whether the report's view shows a record of `indicator` (null: not in the catalog). Must be
  // set. The server passes its access rules (server/access.h, ShownAt at the view's levels).
  std::function<bool(const Record&, const catalog::Indicator*)> shown;
  // Whether a record is in force at all, whoever reads it (the server: ShownAt at every level —
  // not repaired, revoked, expired or superseded). A special report's conclusion per domain is
  // decided over these, whatever the view: a public-view special report never certifies "no
  // violations" while a non-public negative record exists (its summary says how many are not
  // listed). Null = `shown`.
  std::function<bool(const Record&, const catalog::Indicator*)> in_force;
  // Masks resident ID numbers in free text (server/redact.h); null = text as stored (record
  // fields of ID-number type are masks already).
  std::function<std::string(std::string_view)> redact;
  std::optional<GradeFacts> grade;  // shown only in a full view
  // The subject's records under an open objection (异议处理中), ascending: still listed, each
  // marked so (FACTS §5).
  std::vector<uint64_t> under_objection;
  std::string issuer;               // 出具机构
};

// The stable keys and Chinese titles of the public report's sections, in report order:
// basic, licences, penalties, court, lists, commitments, evaluations, honours, contracts, other,
// self_declared (自主申报信息: the subject's declarations — records of category 自愿提供的信息,
// server/declarations.h — as the view shows them; marked `placeholder` when it has none).
struct SectionSpec {
  std::string_view key, title;
};
std::span<const SectionSpec> PublicSections();
// The section of the public report an indicator's records go to.
std::string_view SectionOf(const catalog::Indicator& ind);

// Builds the content of `request` for `subject` (number, issue time and verification URL left
// for the issuer). InvalidArgument for a request ValidateRequest refuses or an unknown domain
// ("domains: …"); the store's errors.
Result<ReportContent> BuildReport(const storage::Store& store, const catalog::Catalog& catalog,
                                  const DomainCatalog& domains, const Subject& subject,
                                  const ReportRequest& request, const BuildContext& ctx);

}  // namespace xinyong::report
