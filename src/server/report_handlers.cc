// Credit reports: POST /api/v1/subjects/{code}/reports (issue one and answer it as a file; the
// public gets the same day's identical report again, 200, instead of a new one),
// GET /api/v1/reports/{number}/verification (authentic? changed since? — as much as the caller
// may learn, server/reports.h VerificationDetail) and
// GET /api/v1/reports/public-key (the key that verifies every report offline). server/reports.h
// does the work, as it does for `xinyong report`.
#include <boost/json.hpp>

#include <array>
#include <mutex>

#include "server/access.h"
#include "server/handlers.h"
#include "server/reports.h"

namespace xinyong::server {

namespace json = boost::json;

namespace {

// An InvalidArgument whose message names a request member ("domains: …") as a 400 naming it.
Response RequestError(const Status& s) {
  if (s.code() == StatusCode::kInvalidArgument) {
    for (std::string_view field : {"kind", "view", "domains", "from", "to", "format"}) {
      if (s.message().starts_with(std::string(field) + ":")) return BadField(field, s.message());
    }
  }
  return StatusResponse(s);
}

bool DateField(const json::object& body, std::string_view name, std::optional<Date>* out,
               Response* error) {
  std::string text;
  if (!StringField(body, name, &text, error, 20)) return false;
  if (text.empty()) return true;
  auto d = Date::Parse(text);
  if (!d.ok()) {
    *error = BadField(name, std::string(name) + ": '" + text + "' is not a date (YYYY-MM-DD)");
    return false;
  }
  *out = *d;
  return true;
}

}  // namespace

Response HandlePostSubjectReport(Platform& p, const ApiCall& call) {
  Subject subject;
  Response error;
  if (!ResolveSubject(p, call, &subject, &error)) return error;
  json::object body;
  if (!call.request.body.empty() && !ParseBody(call, &body, &error)) return error;
  std::string kind = "public", view = "public", format;
  if (!StringField(body, "kind", &kind, &error, 20) ||
      !StringField(body, "view", &view, &error, 20) ||
      !StringField(body, "format", &format, &error, 20)) {
    return error;
  }
  if (kind.empty()) kind = "public";
  if (view.empty()) view = "public";
  if (format.empty()) {
    const std::string* q = call.target.Query("format");
    format = q != nullptr ? *q : "pdf";
  }
  report::ReportRequest request;
  auto k = report::ParseReportKind(kind);
  if (!k)
    return BadField("kind", "kind: '" + kind + "' is not a report kind; give public or special");
  auto v = report::ParseReportView(view);
  if (!v) return BadField("view", "view: '" + view + "' is not a report view; give public or full");
  request.kind = *k;
  request.view = *v;
  if (format != "pdf" && format != "html") {
    return BadField("format", "format: '" + format.substr(0, 20) +
                                  "' is not a report format; give pdf or html");
  }
  if (const json::value* d = body.if_contains("domains"); d != nullptr && !d->is_null()) {
    if (d->is_string()) {
      std::string_view all = d->get_string();
      while (!all.empty()) {
        const size_t comma = all.find(',');
        std::string_view one = all.substr(0, comma);
        if (!one.empty()) request.domains.emplace_back(one);
        if (comma == std::string_view::npos) break;
        all.remove_prefix(comma + 1);
      }
    } else if (d->is_array() && d->get_array().size() <= 100) {
      for (const json::value& e : d->get_array()) {
        if (!e.is_string() || e.get_string().size() > 100) {
          return BadField("domains", "domains: must be a list of domain codes");
        }
        request.domains.emplace_back(e.get_string());
      }
    } else {
      return BadField("domains", "domains: must be a list of domain codes");
    }
  }
  std::optional<Date> from, to;
  if (!DateField(body, "from", &from, &error) || !DateField(body, "to", &to, &error)) return error;
  const Date today = Date::Today();
  request.to = to.value_or(today);
  // Five years back by default: a special report's longest period, and the longest any negative
  // record of a natural person is kept (FACTS §10).
  request.from = from.value_or(report::EarliestPeriodStart(request.to));
  if (request.to > today) return BadField("to", "to: the period cannot end after today");
  request.subject_code = subject.DisplayCode();
  if (Status s = MayRequestReport(call.principal, subject, request); !s.ok()) {
    return Forbidden(call, s.message());
  }
  const int64_t now_ms = NowUnixMs();
  // The public (no token) gets the report already issued today for the same request, rendered
  // again, rather than a new stored and audited duplicate.
  std::optional<report::IssuedReport> again;
  const bool to_public = call.principal.is_public();
  // The public's look-up, count and issue of one subject's report happen one at a time.
  static std::array<std::mutex, 64> public_issue;
  std::unique_lock<std::mutex> one_at_a_time;
  std::string client;  // counted for a new report issued without a token
  Date client_day;
  if (to_public) {
    one_at_a_time = std::unique_lock(public_issue[subject.id % public_issue.size()]);
    auto found = FindIssuedToday(p, subject, request, today, now_ms);
    if (!found.ok()) return RequestError(found.status());
    again = std::move(found->same);
    // The default period is never refused: that report is issued once a day unless the
    // subject's information changes, so nobody can use up the subject's own report.
    const int64_t beijing_s = now_ms / 1000 + 8 * 3600;
    auto too_many = [&](const std::string& message) {
      Response r = ErrorResponse(429, "too_many_reports", message);
      r.headers.emplace_back("Retry-After", std::to_string(86400 - beijing_s % 86400));
      return r;
    };
    const bool own_period = from.has_value() || to.has_value();
    if (!again && own_period && found->count >= kPublicReportsPerSubjectDay) {
      return too_many(std::to_string(found->count) +
                      " reports of this subject with periods of their own were issued today "
                      "without a token, the most in a day; ask again tomorrow, ask for the "
                      "default period, or sign in");
    }
    // Nor may one client have new reports of subject after subject issued and stored.
    client = ClientBucket(ClientAddress(call.request, p.options().trusted_proxies));
    client_day = Date::FromDays(static_cast<int32_t>(beijing_s / 86400));
    if (!again && !p.public_reports().TryCount(client, client_day.days(),
                                               p.options().public_reports_per_client_day)) {
      return too_many(std::to_string(p.options().public_reports_per_client_day) +
                      " new reports were issued to this address today without a token, the "
                      "most in a day; ask again tomorrow, or sign in");
    }
  }
  auto issued = again ? Result<report::IssuedReport>(std::move(*again))
                      : IssueReport(p, subject, request, today, now_ms, "", to_public);
  if (!issued.ok() && to_public && !again) p.public_reports().Uncount(client, client_day.days());
  if (one_at_a_time.owns_lock()) one_at_a_time.unlock();
  if (!issued.ok()) return RequestError(issued.status());
  auto file = RenderReport(*issued, format);
  if (!file.ok()) return RequestError(file.status());
  Response r;
  r.status = again ? 200 : 201;
  r.content_type = file->content_type;
  r.body = std::move(file->body);
  const std::string& number = issued->content.number;
  r.headers.emplace_back("X-Report-Number", number);
  r.headers.emplace_back("X-Report-Digest", issued->digest);
  r.headers.emplace_back("Location", "/api/v1/reports/" + number + "/verification");
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"" + number + "." + file->extension + "\"");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response HandleReportVerification(Platform& p, const ApiCall& call) {
  const Date today = Date::Today();
  auto v = VerifyIssuedReport(p, call.params[0], today, &call.principal);
  if (!v.ok()) {
    if (v.status().code() == StatusCode::kInvalidArgument &&
        v.status().message().starts_with("number:")) {
      return BadParameter("number", v.status().message());
    }
    return StatusResponse(v.status());
  }
  if (!*v) {
    return StatusResponse(
        Status::NotFound("no report has the number " + call.params[0].substr(0, 40)));
  }
  return JsonResponse(200, VerificationJson(**v, today));
}

Response HandleReportPublicKey(Platform& p, const ApiCall& call) {
  auto key = ReportPublicKeyJson(p);
  if (!key.ok()) return StatusResponse(key.status());
  return JsonResponse(200, *key);
}

}  // namespace xinyong::server
