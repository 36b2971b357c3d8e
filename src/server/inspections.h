// Random inspection (双随机、一公开) as a service of the platform: the draw over a scope with the
// organizations' stored composite-evaluation grades, saved and published with everything needed
// to re-run it; the inspecting department's results (抽查检查结果) for the drawn subjects, kept
// with every correction; and the draws a subject was drawn in. The API (inspection_handlers.cc)
// and `xinyong inspect` both go through these functions, so they publish the same documents.
//
// A draw is one JSON document in the store (Store::SaveInspection), indexed under every drawn
// subject. Results are written into it by a read-modify-write under the platform's inspection
// mutex, so concurrent result posts for one draw never lose each other's writes.
// Thread-safety: every function may be called from any thread.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/platform.h"

namespace xinyong::server {

struct DrawRequest {
  std::string region;    // GB/T 2260 prefix, "" = all
  std::string industry;  // GB/T 4754 section or division as given ("C", "C13", "13"), "" = all
  std::optional<SubjectType> type;
  double base_ratio = 0;
  uint64_t seed = 0;  // 0: a new one, recorded in the document
  std::string purpose, department;
};

// Draws from every organization in scope (region code prefix, industry section/division,
// subject type; natural persons are never drawn): a subject is drawn iff rules::Drawn(seed, its
// display code, its grade, base_ratio). The grade is the one stored for it under the loaded
// evaluation model — as of the last grading run (`xinyong grade --all`) or its own later
// regrading — never a re-evaluation of its records; a subject without one is ungraded
// (multiplier 1). Saved and returned as the published document:
//   {"id", "date", "department", "purpose", "scope": {region, industry, industry_name, type},
//    "base_ratio", "seed" (decimal text), "multipliers", "legal_basis", "rule",
//    "grades": {source, model, last_full_run: {date, unix_ms} | null, newest_unix_ms,
//               by_grade: {A, B, C, D, none}},
//    "in_scope", "scope_digest", "drawn": [{code, name, industry, grade, grade_date, ratio}]}
// `scope_digest` is the BLAKE2b-256 (hex) of the in-scope subjects' "code<TAB>grade<LF>" lines
// in code order: who re-runs the draw from the published seed checks with it that they started
// from the same subjects and grades. InvalidArgument for a bad ratio, industry or missing
// purpose/department; the store's errors.
Result<boost::json::object> DrawInspection(Platform& p, const DrawRequest& r, Date today);

// One result as the inspecting department reports it.
struct InspectionResultItem {
  std::string code;      // the subject's code (the one published, or any code of the subject)
  std::string result;    // a category name or its label (rules::InspectionResults)
  std::string checked;   // the day of the inspection (YYYY-MM-DD and the other date forms)
  std::string findings;  // what was found; required for a result that found a problem
};

struct InspectionResultsRequest {
  uint64_t draw = 0;
  std::string department;  // who records them
  std::vector<InspectionResultItem> items;
  // Only the department that drew may record (a department's own token); the operator may
  // record or correct on any draw.
  bool drawing_department_only = false;
};

// What RecordInspectionResults did: items new, corrected (the previous value kept in the
// result's history) and unchanged (the same result again), and the updated entries.
struct RecordedResults {
  uint64_t recorded = 0, corrected = 0, unchanged = 0;
  boost::json::array entries;  // the drawn entries the items touched, as now published
  boost::json::object counts;  // InspectionCounts of the draw afterwards
};

// Records the results of a draw, all or none: every item must name a drawn subject (once), a
// known result category, a checked day neither before the draw nor after `today`, and findings
// when the result found a problem. NotFound for an unknown draw; InvalidArgument naming the
// item's field in `*bad_field` (e.g. "items[2].code") and the value in the message;
// PermissionDenied when `drawing_department_only` and the draw is another department's; the
// store's errors. `unix_ms` is when they were recorded.
Result<RecordedResults> RecordInspectionResults(Platform& p, const InspectionResultsRequest& r,
                                                Date today, int64_t unix_ms,
                                                std::string* bad_field);

// The published draw with its results and their counts (the document plus "counts"); nullopt
// for an unknown id; DataLoss for a corrupt document.
Result<std::optional<boost::json::object>> GetInspectionDocument(Platform& p, uint64_t id);

// A stored draw document (Store::GetInspection, ListInspections) parsed, with resident ID numbers
// masked in its published free text — its purpose, each result's findings and their history — so
// that documents stored before texts were masked when written are served (and saved again)
// masked too; DataLoss naming the draw when it is corrupt.
Result<boost::json::object> ParseInspectionDocument(uint64_t id, std::string_view text);

// {"drawn", "recorded", "pending", "with_problems", "by_result": [{result, label, count}]} over
// the document's drawn entries, by_result in the order of rules::InspectionResults.
boost::json::object InspectionCounts(const boost::json::object& doc);

// The newest `limit` draws `subject` was drawn in, newest first, each as {"id", "date",
// "department", "purpose", "scope", "grade", "grade_date", "ratio", "result" (null until
// recorded)}. The store's errors; DataLoss for a corrupt document.
Result<boost::json::array> SubjectInspections(Platform& p, const Subject& subject, size_t limit);

}  // namespace xinyong::server
