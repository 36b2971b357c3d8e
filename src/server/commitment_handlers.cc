// Handlers of the credit-commitment endpoints (信用承诺): the public listing (承诺公示), a subject's
// commitments, the commitment a subject makes on its own (主动承诺), and the accepting unit's
// finding of fulfilment.
#include "rules/commitment.h"
#include "server/access.h"
#include "server/commitments.h"
#include "server/declarations.h"
#include "server/handlers.h"

namespace xinyong::server {

namespace json = boost::json;

namespace {

constexpr int64_t kDefaultPageSize = 20;
constexpr int64_t kMaxPageSize = 100;
constexpr int64_t kMaxPage = 100'000;
constexpr size_t kMaxTextBytes = 12'000;  // 4,000 characters of Chinese text

// The page from ?page= and ?page_size=, the filter from ?type= and ?state=; false and a 400
// naming the parameter when one is bad.
bool ReadQuery(const ApiCall& call, int64_t* page, int64_t* page_size, CommitmentFilter* f,
               Response* error) {
  if (!IntParam(call, "page", 1, 1, kMaxPage, page, error) ||
      !IntParam(call, "page_size", kDefaultPageSize, 1, kMaxPageSize, page_size, error)) {
    return false;
  }
  if (const std::string* t = call.target.Query("type"); t != nullptr) f->type = *t;
  if (const std::string* s = call.target.Query("state"); s != nullptr && !s->empty()) {
    f->state = rules::ParseCommitmentState(*s);
    if (!f->state) {
      *error = BadParameter("state", "state must be open, fulfilled, partially_fulfilled, "
                                     "unfulfilled or overdue");
      return false;
    }
  }
  return true;
}

// The commitments of natural persons whom the caller sees as the public does, with the person's
// name masked (a person's commitment is public only as the person chose; the name stays the
// person's, as in profiles).
bool MaskPersons(Platform& p, const ApiCall& call, std::vector<CommitmentEntry>* entries,
                 Response* error) {
  for (CommitmentEntry& e : *entries) {
    bool mask = false;
    if (!PersonSeenAsPublic(p, call, e.subject, &mask, error)) return false;
    if (mask) MaskPersonForPublic(p, &e);
  }
  return true;
}

Response Page(Platform& p, const std::vector<CommitmentEntry>& entries, int64_t page,
              int64_t page_size, json::value total, bool more) {
  const catalog::Indicator* ind = p.catalog().Find(rules::kCommitmentIndicator);
  json::array items;
  for (const CommitmentEntry& e : entries) items.push_back(CommitmentJson(e, ind));
  json::object o;
  o["commitments"] = std::move(items);
  o["page"] = page;
  o["page_size"] = page_size;
  o["total"] = std::move(total);
  o["more"] = more;
  return JsonResponse(200, o);
}

}  // namespace

Response HandleListCommitments(Platform& p, const ApiCall& call) {
  int64_t page = 0, page_size = 0;
  CommitmentFilter filter;
  Response error;
  if (!ReadQuery(call, &page, &page_size, &filter, &error)) return error;
  RecordView view(p, call.principal, Date::Today());
  filter.view = &view;
  std::vector<CommitmentEntry> entries;
  bool more = false;
  Status st = ListCommitments(p, filter, Date::Today(),
                              static_cast<size_t>((page - 1) * page_size),
                              static_cast<size_t>(page_size), &entries, &more);
  if (!st.ok()) return StatusResponse(st);
  if (!MaskPersons(p, call, &entries, &error)) return error;
  // The listing reads only as far as the page: the total is not counted.
  Response r = Page(p, entries, page, page_size, nullptr, more);
  // A commitment the public may not see, shown to a token's holder, is a look at that subject's
  // non-public data: its access log shows it (the router audits one entry per subject).
  const catalog::Indicator* ind = p.catalog().Find(rules::kCommitmentIndicator);
  for (const CommitmentEntry& e : entries) {
    if (ind != nullptr && EffectiveDisclosure(e.record, *ind) != catalog::Disclosure::kPublic) {
      r.about_subjects.push_back(e.subject.id);
    }
  }
  return r;
}

Response HandleSubjectCommitments(Platform& p, const ApiCall& call) {
  int64_t page = 0, page_size = 0;
  CommitmentFilter filter;
  Response error;
  if (!ReadQuery(call, &page, &page_size, &filter, &error)) return error;
  Subject subject;
  if (!ResolveSubject(p, call, &subject, &error)) return error;
  RecordView view(p, call.principal, Date::Today());
  filter.view = &view;
  std::vector<CommitmentEntry> all;
  Status st = SubjectCommitments(p, subject, filter, Date::Today(), &all);
  if (!st.ok()) return StatusResponse(st);
  const size_t first = static_cast<size_t>((page - 1) * page_size);
  std::vector<CommitmentEntry> entries;
  for (size_t i = first; i < all.size() && entries.size() < static_cast<size_t>(page_size); ++i) {
    entries.push_back(std::move(all[i]));
  }
  const bool more = first + entries.size() < all.size();
  if (!MaskPersons(p, call, &entries, &error)) return error;
  return Page(p, entries, page, page_size, json::value(all.size()), more);
}

Response HandlePostCommitment(Platform& p, const ApiCall& call) {
  Subject subject;
  Response error;
  if (!ResolveSubject(p, call, &subject, &error) || !OwnSubjectOnly(call, subject.id, &error)) {
    return error;
  }
  json::object body;
  if (!ParseBody(call, &body, &error)) return error;
  CommitmentRequest rq;
  if (!StringField(body, "reason", &rq.reason, &error, kMaxTextBytes) ||
      !StringField(body, "content", &rq.content, &error, kMaxTextBytes) ||
      !StringField(body, "liability", &rq.liability, &error, kMaxTextBytes) ||
      !StringField(body, "valid_until", &rq.valid_until, &error) ||
      !StringField(body, "publicity", &rq.publicity, &error)) {
    return error;
  }
  std::string bad_field;
  auto made = MakeCommitment(p, subject, rq, Date::Today(), &bad_field);
  if (!made.ok()) {
    json::value details = nullptr;
    if (!bad_field.empty()) details = json::object{{"field", bad_field}};
    return StatusResponse(made.status(), std::move(details));
  }
  return JsonResponse(201, CommitmentJson(*made, p.catalog().Find(rules::kCommitmentIndicator)));
}

Response HandlePostFulfilment(Platform& p, const ApiCall& call) {
  json::object body;
  Response error;
  if (!ParseBody(call, &body, &error)) return error;
  rules::Fulfilment f;
  std::string date;
  if (!StringField(body, "status", &f.status, &error) ||
      !StringField(body, "date", &date, &error) || !StringField(body, "unit", &f.unit, &error) ||
      !StringField(body, "unit_code", &f.unit_code, &error) ||
      !StringField(body, "unfulfilled", &f.unfulfilled, &error, kMaxTextBytes) ||
      !StringField(body, "liability", &f.liability, &error, kMaxTextBytes)) {
    return error;
  }
  if (f.status.empty()) return BadField("status", "status (全部履行, 部分履行 or 全部未履行) is required");
  // A department records findings as itself: its name must be the commitment's accepting unit.
  if (call.principal.role() == security::Role::kSourceDepartment ||
      call.principal.role() == security::Role::kUsingDepartment) {
    if (!f.unit_code.empty()) {
      return Forbidden(call, "a department's token records findings under its department's "
                             "name; unit_code is for the operator");
    }
    if (!ActingDepartment(call, "unit", f.unit, &f.unit, &error)) return error;
  }
  if (f.unit.empty() && f.unit_code.empty()) {
    return BadField("unit", "unit or unit_code (the accepting unit that found it) is required");
  }
  const Date today = Date::Today();
  if (date.empty()) {
    f.found = today;
  } else {
    auto d = Date::Parse(date);
    if (!d.ok()) return BadField("date", "date must be a date (YYYY-MM-DD)");
    f.found = *d;
  }
  if (const json::value* v = body.if_contains("false_commitment"); v != nullptr && !v->is_null()) {
    if (!v->is_bool()) return BadField("false_commitment", "false_commitment must be true or false");
    f.false_commitment = v->as_bool();
  }
  Subject subject;
  if (!ResolveSubject(p, call, &subject, &error)) return error;
  std::string bad_field;
  auto done = RecordFulfilment(p, subject, call.params[1], f, today, &bad_field);
  if (!done.ok()) {
    json::value details = nullptr;
    if (!bad_field.empty()) details = json::object{{"field", bad_field}};
    if (done.status().code() == StatusCode::kNotFound) details = json::object{{"parameter", "number"}};
    return StatusResponse(done.status(), std::move(details));
  }
  const catalog::Indicator* ind = p.catalog().Find(rules::kCommitmentIndicator);
  json::object o;
  o["commitment"] = CommitmentJson(done->commitment, ind);
  o["batch"] = done->report.batches.empty() ? 0 : done->report.batches.front();
  o["changed"] = done->report.accepted > 0;
  if (done->breach) {
    const catalog::Indicator* b = p.catalog().Find(done->breach->indicator);
    o["breach"] = CommitmentJson({subject, *done->breach, {}}, b).at("record");
  } else {
    o["breach"] = nullptr;
  }
  return JsonResponse(200, o);
}

}  // namespace xinyong::server
