// Handlers of exchange between platform levels (src/exchange): the receiving side (a lower
// instance's change feed applied here, and the cursor it resumes from) and this instance's own
// feed. An upper-level instance issues each lower one a lower_platform token, which pushes as the
// source id and region it names and reaches nothing else that is not public; operator tokens may
// push as any source.
#include <boost/json.hpp>

#include "exchange/receiver.h"
#include "server/handlers.h"
#include "server/http_server.h"

namespace xinyong::server {

namespace json = boost::json;

namespace {

// Pushed batches are parsed where they lie in the request body.
static_assert(kRequestBodyPadding >= exchange::kLinePadding);

// Seconds a busy receiver asks the pusher to wait.
constexpr const char* kRetryAfterSeconds = "1";

// A query parameter a lower_platform token fixes: absent means the token's own value, another
// value is refused. Operator tokens give any valid one.
bool BoundParam(const ApiCall& call, const char* name, const std::string& own,
                bool (*valid)(std::string_view), std::string_view what, std::string* out,
                Response* error) {
  const std::string* v = call.target.Query(name);
  const bool lower = call.principal.role() == security::Role::kLowerPlatform;
  if (v == nullptr && lower) {
    *out = own;
    return true;
  }
  if (v == nullptr || !valid(*v)) {
    *error = BadParameter(name, what);
    return false;
  }
  if (lower && *v != own) {
    *error = Forbidden(call, "this lower_platform token pushes as " + std::string(name) + " " +
                                 own + " only, not " + *v);
    return false;
  }
  *out = *v;
  return true;
}

bool SourceParam(const ApiCall& call, std::string* out, Response* error) {
  return BoundParam(call, "source", call.principal.source(), exchange::ValidSourceId,
                    "source must be the sending instance's id (1-64 of A-Z a-z 0-9 . _ -)", out,
                    error);
}

bool RegionParam(const ApiCall& call, std::string* out, Response* error) {
  return BoundParam(call, "region", call.principal.region(), exchange::ValidRegion,
                    "region must be the sending instance's 6-digit division code", out, error);
}

}  // namespace

Response HandlePostExchangeChanges(Platform& p, const ApiCall& call) {
  std::string source;
  Response error;
  std::string region;
  if (!SourceParam(call, &source, &error) || !RegionParam(call, &region, &error)) return error;
  exchange::ApplyOptions options;
  if (call.target.Query("after") != nullptr) {
    int64_t after = 0;
    if (!IntParam(call, "after", 0, 0, INT64_MAX, &after, &error)) return error;
    options.after = static_cast<uint64_t>(after);
  }
  // The batches of a push session regrade their subjects once, when the pusher pauses (at most
  // ~10 s behind): the answer does not wait for grades (rules::SessionGrading). The session is
  // held open until the batch's commits, which may end after the answer, have noted them.
  auto grading = std::make_shared<rules::SessionGrading::Batch>(p.push_grading());
  options.grading_deferral = grading->deferral();
  options.hold_until_committed = std::move(grading);
  // A lower platform changes only what its region sent; an operator may push as anyone.
  options.own_records_only = call.principal.role() == security::Role::kLowerPlatform;
  auto report = p.exchange().Apply(source, region, call.request.body, options);
  call.request.body.clear();
  if (!report.ok()) {
    if (report.status().code() == StatusCode::kResourceExhausted) {
      // Back-pressure: busy applying another batch. The pusher waits and sends it again.
      Response r = ErrorResponse(429, "busy", report.status().message());
      r.headers.emplace_back("Retry-After", kRetryAfterSeconds);
      return r;
    }
    return StatusResponse(report.status(), json::object{{"source", source}});
  }
  json::array batches;
  for (uint64_t b : report->batches) batches.push_back(b);
  json::object o;
  o["source"] = report->source;
  o["region"] = report->region;
  o["lines"] = report->lines;
  o["skipped"] = report->skipped;
  o["accepted"] = report->accepted;
  o["rejected"] = report->rejected;
  o["duplicates"] = report->duplicates;
  o["corrected"] = report->corrected;
  o["status_changes"] = report->status_changes;
  o["unmatched"] = report->unmatched;
  o["erasures"] = report->erasures;
  o["derived"] = report->derived;
  o["batches"] = std::move(batches);
  o["cursor"] = report->cursor;
  return JsonResponse(200, o);
}

Response HandleGetExchangeCursor(Platform& p, const ApiCall& call) {
  std::string source;
  Response error;
  if (!SourceParam(call, &source, &error)) return error;
  auto cursor = p.exchange().Cursor(source);
  if (!cursor.ok()) return StatusResponse(cursor.status());
  return JsonResponse(200, json::object{{"source", source}, {"cursor", *cursor}});
}

Response HandleGetExchangeFeed(Platform& p, const ApiCall& call) {
  int64_t from = 0, limit = 0;
  Response error;
  if (!IntParam(call, "from", 1, 1, INT64_MAX, &from, &error)) return error;
  if (!IntParam(call, "limit", 100, 1, 10000, &limit, &error)) return error;
  std::vector<storage::Change> changes;
  Status s = p.store().ReadChanges(static_cast<uint64_t>(from), static_cast<size_t>(limit), true,
                                   &changes);
  if (!s.ok()) return StatusResponse(s);
  auto last = p.store().LastChangeSeq();
  if (!last.ok()) return StatusResponse(last.status());
  json::array items;
  for (const storage::Change& c : changes) {
    json::object o;
    o["seq"] = c.seq;
    o["record"] = c.record_id;
    o["version"] = c.version;
    if (c.record) {
      o["indicator"] = c.record->indicator;
      o["status"] = RecordStatusName(c.record->status);
      o["batch"] = c.record->batch_id;
    } else {
      o["erased"] = true;
    }
    items.push_back(std::move(o));
  }
  return JsonResponse(200, json::object{{"from", from}, {"last", *last}, {"changes", std::move(items)}});
}

}  // namespace xinyong::server
