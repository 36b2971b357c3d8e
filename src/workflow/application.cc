#include "workflow/application.h"

namespace xinyong::workflow {

namespace json = boost::json;

namespace {

constexpr char kFormat = '\x01';

json::value DateOrNull(const std::optional<Date>& d) {
  return d ? json::value(d->ToString()) : json::value(nullptr);
}

json::value TextOrNull(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

json::object CorrectionsJson(const Corrections& c) {
  json::object o;
  for (const auto& [k, v] : c) o[k] = v;
  return o;
}

// Readers of the stored form: false on anything not made by the encoders.
bool GetString(const json::object& o, std::string_view key, std::string* out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    out->clear();
    return true;
  }
  if (!v->is_string()) return false;
  *out = std::string(v->as_string());
  return true;
}

bool GetUint(const json::object& o, std::string_view key, uint64_t* out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return false;
  if (v->is_uint64()) {
    *out = v->as_uint64();
  } else if (v->is_int64() && v->as_int64() >= 0) {
    *out = static_cast<uint64_t>(v->as_int64());
  } else {
    return false;
  }
  return true;
}

bool GetInt(const json::object& o, std::string_view key, int64_t* out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !(v->is_int64() || v->is_uint64())) return false;
  *out = v->is_int64() ? v->as_int64() : static_cast<int64_t>(v->as_uint64());
  return true;
}

bool GetBool(const json::object& o, std::string_view key, bool* out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_bool()) return false;
  *out = v->as_bool();
  return true;
}

bool GetDate(const json::object& o, std::string_view key, std::optional<Date>* out) {
  const json::value* v = o.if_contains(key);
  out->reset();
  if (v == nullptr || v->is_null()) return true;
  if (!v->is_string()) return false;
  auto d = Date::Parse(std::string_view(v->as_string()));
  if (!d.ok()) return false;
  *out = *d;
  return true;
}

bool GetDate(const json::object& o, std::string_view key, Date* out) {
  std::optional<Date> d;
  if (!GetDate(o, key, &d) || !d) return false;
  *out = *d;
  return true;
}

bool GetStrings(const json::object& o, std::string_view key, std::vector<std::string>* out) {
  out->clear();
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return true;
  if (!v->is_array()) return false;
  for (const json::value& e : v->as_array()) {
    if (!e.is_string()) return false;
    out->emplace_back(e.as_string());
  }
  return true;
}

bool GetCorrections(const json::object& o, std::string_view key, Corrections* out) {
  out->clear();
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return true;
  if (!v->is_object()) return false;
  for (const auto& [k, val] : v->as_object()) {
    if (!val.is_string()) return false;
    out->emplace_back(std::string(k), std::string(val.as_string()));
  }
  return true;
}

json::object ParseStored(std::string_view in, bool* ok) {
  *ok = false;
  if (in.empty() || in[0] != kFormat) return {};
  boost::system::error_code ec;
  json::value v = json::parse(in.substr(1), ec);
  if (ec || !v.is_object()) return {};
  *ok = true;
  return std::move(v.as_object());
}

json::object ConditionJson(const Condition& c) {
  return json::object{{"code", c.code}, {"label", c.label}, {"met", c.met}, {"detail", c.detail}};
}

}  // namespace

Overdue OverdueOn(const Application& a, Date today) {
  Overdue o;
  if (!a.open()) return o;
  o.step = a.due && today > *a.due;
  o.overall = a.overall_due && today > *a.overall_due;
  return o;
}

std::string EncodeApplication(const Application& a) {
  json::array conditions;
  for (const Condition& c : a.conditions) conditions.push_back(ConditionJson(c));
  json::array batches;
  for (uint64_t b : a.batches) batches.emplace_back(b);
  json::object o{
      {"id", a.id},
      {"kind", KindName(a.kind)},
      {"state", StateName(a.state)},
      {"subject_id", a.subject_id},
      {"subject_code", a.subject_code},
      {"subject_name", a.subject_name},
      {"record_id", a.record_id},
      {"record_version", a.record_version},
      {"indicator", a.indicator},
      {"indicator_name", a.indicator_name},
      {"document_number", a.document_number},
      {"decision_date", a.decision_date.ToString()},
      {"filed", a.filed.ToString()},
      {"on_behalf", a.on_behalf},
      {"reason", a.reason},
      {"evidence", Strings(a.evidence)},
      {"department", a.department},
      {"departments", Strings(a.departments)},
      {"state_since", a.state_since.ToString()},
      {"due", DateOrNull(a.due)},
      {"due_clock", ClockName(a.due_clock)},
      {"overall_due", DateOrNull(a.overall_due)},
      {"deadline_note", a.deadline_note},
      {"outcome", a.outcome},
      {"answer", a.answer},
      {"reply", a.reply},
      {"corrections", CorrectionsJson(a.corrections)},
      {"extended", a.extended},
      {"commitment_code", a.commitment_code},
      {"conditions", std::move(conditions)},
      {"batches", std::move(batches)},
      {"events", a.events},
  };
  return std::string(1, kFormat) + json::serialize(o);
}

bool DecodeApplication(std::string_view in, Application* a) {
  bool ok = false;
  json::object o = ParseStored(in, &ok);
  if (!ok) return false;
  std::string kind, state, clock;
  uint64_t version = 0, events = 0;
  if (!GetUint(o, "id", &a->id) || !GetString(o, "kind", &kind) ||
      !GetString(o, "state", &state) || !GetUint(o, "subject_id", &a->subject_id) ||
      !GetString(o, "subject_code", &a->subject_code) ||
      !GetString(o, "subject_name", &a->subject_name) || !GetUint(o, "record_id", &a->record_id) ||
      !GetUint(o, "record_version", &version) || !GetString(o, "indicator", &a->indicator) ||
      !GetString(o, "indicator_name", &a->indicator_name) ||
      !GetString(o, "document_number", &a->document_number) ||
      !GetDate(o, "decision_date", &a->decision_date) || !GetDate(o, "filed", &a->filed) ||
      !GetBool(o, "on_behalf", &a->on_behalf) || !GetString(o, "reason", &a->reason) ||
      !GetStrings(o, "evidence", &a->evidence) || !GetString(o, "department", &a->department) ||
      !GetStrings(o, "departments", &a->departments) ||
      !GetDate(o, "state_since", &a->state_since) || !GetDate(o, "due", &a->due) ||
      !GetString(o, "due_clock", &clock) || !GetDate(o, "overall_due", &a->overall_due) ||
      !GetString(o, "deadline_note", &a->deadline_note) ||
      !GetString(o, "outcome", &a->outcome) || !GetString(o, "answer", &a->answer) ||
      !GetString(o, "reply", &a->reply) || !GetCorrections(o, "corrections", &a->corrections) ||
      !GetBool(o, "extended", &a->extended) ||
      !GetString(o, "commitment_code", &a->commitment_code) || !GetUint(o, "events", &events)) {
    return false;
  }
  auto k = ParseKind(kind);
  auto s = ParseState(state);
  if (!k || !s) return false;
  a->kind = *k;
  a->state = *s;
  a->record_version = static_cast<uint32_t>(version);
  a->events = static_cast<uint32_t>(events);
  a->due_clock = Clock::kNone;
  for (Clock c : {Clock::kForward, Clock::kVerify, Clock::kNotify, Clock::kAccept, Clock::kDecide}) {
    if (ClockName(c) == clock) a->due_clock = c;
  }
  a->conditions.clear();
  if (const json::value* cs = o.if_contains("conditions"); cs != nullptr) {
    if (!cs->is_array()) return false;
    for (const json::value& cv : cs->as_array()) {
      if (!cv.is_object()) return false;
      Condition c;
      if (!GetString(cv.as_object(), "code", &c.code) ||
          !GetString(cv.as_object(), "label", &c.label) ||
          !GetBool(cv.as_object(), "met", &c.met) ||
          !GetString(cv.as_object(), "detail", &c.detail)) {
        return false;
      }
      a->conditions.push_back(std::move(c));
    }
  }
  a->batches.clear();
  if (const json::value* bs = o.if_contains("batches"); bs != nullptr) {
    if (!bs->is_array()) return false;
    for (const json::value& b : bs->as_array()) {
      if (!b.is_uint64() && !b.is_int64()) return false;
      a->batches.push_back(b.is_uint64() ? b.as_uint64() : static_cast<uint64_t>(b.as_int64()));
    }
  }
  return true;
}

std::string EncodeEvent(const Event& e) {
  json::object o{
      {"seq", e.seq},
      {"action", ActionName(e.action)},
      {"from", StateName(e.from)},
      {"to", StateName(e.to)},
      {"day", e.day.ToString()},
      {"unix_ms", e.unix_ms},
      {"role", e.role},
      {"actor", e.actor},
      {"department", e.department},
      {"reason", e.reason},
      {"documents", Strings(e.documents)},
      {"outcome", e.outcome},
      {"corrections", CorrectionsJson(e.corrections)},
      {"effects", Strings(e.effects)},
  };
  return std::string(1, kFormat) + json::serialize(o);
}

bool DecodeEvent(std::string_view in, Event* e) {
  bool ok = false;
  json::object o = ParseStored(in, &ok);
  if (!ok) return false;
  uint64_t seq = 0;
  std::string action, from, to;
  if (!GetUint(o, "seq", &seq) || !GetString(o, "action", &action) ||
      !GetString(o, "from", &from) || !GetString(o, "to", &to) || !GetDate(o, "day", &e->day) ||
      !GetInt(o, "unix_ms", &e->unix_ms) || !GetString(o, "role", &e->role) ||
      !GetString(o, "actor", &e->actor) || !GetString(o, "department", &e->department) ||
      !GetString(o, "reason", &e->reason) || !GetStrings(o, "documents", &e->documents) ||
      !GetString(o, "outcome", &e->outcome) ||
      !GetCorrections(o, "corrections", &e->corrections) ||
      !GetStrings(o, "effects", &e->effects)) {
    return false;
  }
  auto a = ParseAction(action);
  auto f = ParseState(from);
  auto t = ParseState(to);
  if (!a || !f || !t) return false;
  e->seq = static_cast<uint32_t>(seq);
  e->action = *a;
  e->from = *f;
  e->to = *t;
  return true;
}

json::object EventJson(const Event& e) {
  return json::object{
      {"seq", e.seq},
      {"action", ActionName(e.action)},
      {"from", StateName(e.from)},
      {"to", StateName(e.to)},
      {"to_label", StateLabel(e.to)},
      {"day", e.day.ToString()},
      {"time_unix_ms", e.unix_ms},
      {"role", e.role},
      {"actor", e.actor},
      {"department", TextOrNull(e.department)},
      {"reason", TextOrNull(e.reason)},
      {"documents", Strings(e.documents)},
      {"outcome", TextOrNull(e.outcome)},
      {"corrections", CorrectionsJson(e.corrections)},
      {"effects", Strings(e.effects)},
  };
}

json::object ApplicationJson(const Application& a, Date today, std::span<const Event> history) {
  const Overdue overdue = OverdueOn(a, today);
  json::array overdue_steps;
  if (overdue.step) overdue_steps.emplace_back(ClockName(a.due_clock));
  if (overdue.overall) overdue_steps.emplace_back("overall");
  json::array conditions;
  for (const Condition& c : a.conditions) conditions.push_back(ConditionJson(c));
  json::array batches;
  for (uint64_t b : a.batches) batches.emplace_back(b);
  json::object o{
      {"id", a.id},
      {"kind", KindName(a.kind)},
      {"kind_label", KindLabel(a.kind)},
      {"state", StateName(a.state)},
      {"state_label", StateLabel(a.state)},
      {"open", a.open()},
      {"subject", json::object{{"code", a.subject_code}, {"name", a.subject_name}}},
      {"record",
       json::object{{"id", a.record_id},
                    {"version", a.record_version},
                    {"indicator", a.indicator},
                    {"indicator_name", a.indicator_name},
                    {"document_number", a.document_number},
                    {"decision_date", a.decision_date == Date() ? json::value(nullptr)
                                                                : json::value(a.decision_date.ToString())}}},
      {"filed", a.filed.ToString()},
      {"on_behalf", a.on_behalf},
      {"reason", a.reason},
      {"evidence", Strings(a.evidence)},
      {"department", TextOrNull(a.department)},
      {"departments", Strings(a.departments)},
      {"state_since", a.state_since.ToString()},
      {"deadline", DateOrNull(a.open() ? a.due : std::nullopt)},
      {"deadline_step", a.open() && a.due ? json::value(ClockName(a.due_clock)) : json::value(nullptr)},
      {"overall_deadline", DateOrNull(a.overall_due)},
      {"deadline_note", TextOrNull(a.deadline_note)},
      {"overdue", overdue.any()},
      {"overdue_steps", std::move(overdue_steps)},
      {"outcome", TextOrNull(a.outcome)},
      {"answer", TextOrNull(a.answer)},
      {"reply", TextOrNull(a.reply)},
      {"corrections", CorrectionsJson(a.corrections)},
  };
  if (a.kind == Kind::kRepair) {
    o["extended"] = a.extended;
    o["commitment"] = TextOrNull(a.commitment_code);
    o["conditions"] = std::move(conditions);
  }
  o["batches"] = std::move(batches);
  if (!history.empty()) {
    json::array h;
    for (const Event& e : history) h.push_back(EventJson(e));
    o["history"] = std::move(h);
  }
  return o;
}

}  // namespace xinyong::workflow
