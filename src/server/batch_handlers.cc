// Handlers of the collection endpoints: submitting a file as a request body (数据归集 by API push)
// and reading batch reports.
#include <algorithm>
#include <charconv>

#include "server/handlers.h"
#include "security/token.h"
#include "server/json_views.h"

namespace xinyong::server {

namespace json = boost::json;

namespace {

constexpr int64_t kDefaultBatchList = 20;
constexpr int64_t kMaxBatchList = 100;
constexpr size_t kMaxNameBytes = 128;

std::string LowerMediaType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  std::string out(t);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// "csv", "jsonl", or "" for a media type that is neither.
std::string FormatOfMediaType(std::string_view media_type) {
  if (media_type.empty() || media_type == "text/csv" || media_type == "application/csv" ||
      media_type == "text/plain" || media_type == "application/octet-stream") {
    return "csv";
  }
  if (media_type == "application/x-ndjson" || media_type == "application/ndjson" ||
      media_type == "application/jsonl" || media_type == "application/x-jsonlines" ||
      media_type == "application/jsonlines" || media_type == "application/json") {
    return "jsonl";
  }
  return "";
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes) return false;
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '/' || c == '\\' || c == 0x7F) return false;
  }
  return name != "." && name != "..";
}

bool ValidDept(std::string_view dept) {
  if (dept.size() > 64) return false;
  for (char c : dept) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;
  }
  return true;
}

json::object SummaryJson(const storage::BatchSummary& b) {
  json::object o;
  o["batch"] = b.id;
  o["file"] = b.file;
  o["indicator"] = b.indicator;
  o["dept"] = b.dept;
  o["rows"] = b.rows;
  o["accepted"] = b.accepted;
  o["rejected"] = b.rejected;
  o["duplicates"] = b.duplicates;
  o["late"] = b.late;
  o["report"] = "/api/v1/batches/" + std::to_string(b.id);
  return o;
}

}  // namespace

Response HandlePostBatch(Platform& p, const ApiCall& call) {
  ingest::IngestOptions options;
  if (const std::string* v = call.target.Query("indicator")) options.indicator = *v;
  if (const std::string* v = call.target.Query("dept")) {
    if (!ValidDept(*v)) return BadParameter("dept", "dept must be at most 64 bytes of text");
    options.dept = *v;
  }
  // A source department submits as itself, and only its indicators (named or detected: the
  // ingester refuses any other file before storing a row).
  Response error;
  if (!ActingDepartment(call, "dept", options.dept, &options.dept, &error)) return error;
  if (call.principal.role() == security::Role::kSourceDepartment) {
    options.own_records_only = true;
    bool any = false;
    options.allowed_indicators = security::SubmittableIndicators(call.principal, p.catalog(), &any);
    if (options.allowed_indicators.empty()) {
      return Forbidden(call, call.principal.department() + " is the source of no catalog indicator");
    }
    if (!options.indicator.empty() &&
        std::find(options.allowed_indicators.begin(), options.allowed_indicators.end(),
                  options.indicator) == options.allowed_indicators.end() &&
        p.catalog().Find(options.indicator) != nullptr) {
      return Forbidden(call, call.principal.department() + " may not submit " +
                                 options.indicator + " records");
    }
  }
  if (const std::string* v = call.target.Query("format"); v != nullptr && !v->empty()) {
    if (*v == "csv") {
      options.format = "csv";
    } else if (*v == "jsonl" || *v == "ndjson") {
      options.format = "jsonl";
    } else {
      return BadParameter("format", "format must be csv or jsonl");
    }
  } else {
    std::string media = LowerMediaType(call.request.content_type);
    options.format = FormatOfMediaType(media);
    if (options.format.empty()) {
      Response r = ErrorResponse(
          415, "unsupported_media_type",
          "send the file as text/csv or application/x-ndjson, or name its format with ?format=",
          json::object{{"header", "Content-Type"}});
      r.headers.emplace_back("Accept-Post", "text/csv, application/x-ndjson");
      return r;
    }
  }
  std::string name = options.format == "jsonl" ? "api-upload.jsonl" : "api-upload.csv";
  if (const std::string* v = call.target.Query("name")) {
    if (!ValidName(*v)) {
      return BadParameter("name", "name must be a file name of at most 128 bytes, without '/'");
    }
    name = *v;
  }
  if (call.request.body.empty()) {
    return StatusResponse(Status::InvalidArgument("the request body is empty; send the file as "
                                                  "the body"),
                          json::object{{"field", "body"}});
  }

  // A file of several batches regrades its subjects once, when all are in, before the answer.
  rules::Grader::Deferral grading(p.grader());
  options.grading_deferral = grading.id();
  auto report = p.ingester().IngestBuffer(std::move(call.request.body), name, options);
  call.request.body.clear();
  if (!report.ok()) return StatusResponse(report.status(), json::object{{"file", name}});

  json::object o = FileReportJson(*report);
  json::array reports;
  for (uint64_t id : report->batches) {
    auto batch = p.store().GetBatch(id);
    if (!batch.ok()) return StatusResponse(batch.status());
    if (batch->has_value()) reports.push_back(BatchReportJson(**batch, true));
  }
  o["reports"] = std::move(reports);
  Response r = JsonResponse(201, o);
  if (!report->batches.empty()) {
    r.headers.emplace_back("Location", "/api/v1/batches/" + std::to_string(report->batches.front()));
  }
  return r;
}

Response HandleListBatches(Platform& p, const ApiCall& call) {
  int64_t limit = 0;
  Response error;
  if (!IntParam(call, "limit", kDefaultBatchList, 1, kMaxBatchList, &limit, &error)) return error;
  // A source department sees its own batches only.
  std::string dept;
  if (call.principal.role() == security::Role::kSourceDepartment) {
    dept = call.principal.department();
  }
  std::vector<storage::BatchSummary> batches;
  Status st = p.store().ListBatches(static_cast<size_t>(limit), dept, &batches);
  if (!st.ok()) return StatusResponse(st);
  json::array out;
  for (const auto& b : batches) out.push_back(SummaryJson(b));
  json::object o;
  o["batches"] = std::move(out);
  return JsonResponse(200, o);
}

Response HandleGetBatch(Platform& p, const ApiCall& call) {
  const std::string& text = call.params.at(0);
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || id == 0) {
    return BadParameter("id", "the batch id must be a positive integer");
  }
  auto batch = p.store().GetBatch(id);
  if (!batch.ok()) return StatusResponse(batch.status());
  if (!batch->has_value()) {
    return StatusResponse(Status::NotFound("no batch has the id " + std::to_string(id)));
  }
  // Its rejected rows are the submitting department's business.
  if (call.principal.role() == security::Role::kSourceDepartment &&
      (*batch)->dept != call.principal.department()) {
    return Forbidden(call, "batch " + std::to_string(id) + " was submitted by another department");
  }
  return JsonResponse(200, BatchReportJson(**batch, true));
}

}  // namespace xinyong::server
