#include "server/checks.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "core/identifiers.h"
#include "server/grades.h"

namespace xinyong::server {

namespace json = boost::json;

namespace {

int64_t NowUnixMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Status Validate(const Platform& p, const CheckRequest& r) {
  if (r.scenario.empty()) return Status::InvalidArgument("scenario is required");
  if (r.purpose.empty()) return Status::InvalidArgument("purpose (查询事由) is required");
  if (r.department.empty()) return Status::InvalidArgument("department is required");
  if (p.measures().FindScenario(r.scenario) == nullptr) {
    return Status::InvalidArgument("unknown scenario '" + r.scenario.substr(0, 64) +
                                   "' (see data/measures/scenarios.toml)");
  }
  return Status::Ok();
}

// What one thread reuses from check to check.
struct Scratch {
  std::string buffer;
  std::string linked_buffer;  // the trigger index's linked facts
  std::vector<rules::TriggerFact> facts;
  std::vector<Record> records;
  std::vector<PersonLink> links;
  std::vector<Record> linked;         // current versions of the linked records, parallel to links
  std::vector<Record> versions;
};

// The person's keyed certificate hash, "" for an organization.
std::string_view PersonHash(const Subject& s) {
  if (s.type != SubjectType::kNaturalPerson) return {};
  for (const Identifier& i : s.identifiers) {
    if (i.kind == IdentifierKind::kResidentIdHash || i.kind == IdentifierKind::kOtherIdHash) {
      return i.value;
    }
  }
  return {};
}

// Adds the facts of other subjects' records that name the person `s` (落实到人): from the trigger
// index when there is one, else from the current version of every linked record, counted by the
// checker only while it still names the person; either way newest decision first, as the index
// orders them.
Status AddLinkedFacts(Platform& p, const Subject& s, const rules::TriggerIndex* index,
                      Scratch* x) {
  const std::string_view hash = PersonHash(s);
  if (hash.empty()) return Status::Ok();
  if (index != nullptr) {
    index->LookupLinked(hash, &x->linked_buffer, &x->facts);
    return Status::Ok();
  }
  x->links.clear();
  XY_RETURN_IF_ERROR(p.store().ListPersonLinks(hash, &x->links));
  if (x->links.empty()) return Status::Ok();
  x->linked.clear();
  for (const PersonLink& l : x->links) {
    x->versions.clear();
    XY_RETURN_IF_ERROR(p.store().ListRecordVersions(l.subject_id, l.record_id, &x->versions));
    x->linked.push_back(x->versions.empty() ? Record() : std::move(x->versions.back()));
  }
  const size_t own = x->facts.size();
  for (size_t i = 0; i < x->links.size(); ++i) {  // after: the facts point into x->linked
    if (x->linked[i].record_id == 0) continue;
    p.checker().CollectLinked(x->linked[i], x->links[i].role, hash, &x->facts);
  }
  std::sort(x->facts.begin() + static_cast<std::ptrdiff_t>(own), x->facts.end(),
            rules::CitedBefore);
  return Status::Ok();
}

// Names the organizations whose records made a measure reach a person.
Status NameLinkedSubjects(Platform& p, rules::CheckOutcome* outcome) {
  std::map<uint64_t, std::pair<std::string, std::string>> names;
  for (auto* list : {&outcome->measures, &outcome->withheld_rewards}) {
    for (rules::AppliedMeasure& a : *list) {
      for (rules::TriggerEvidence& e : a.triggers) {
        if (e.via_subject == 0) continue;
        auto it = names.find(e.via_subject);
        if (it == names.end()) {
          XY_ASSIGN_OR_RETURN(auto via, p.store().GetSubject(e.via_subject));
          std::pair<std::string, std::string> n;
          if (via) n = {via->DisplayCode(), via->name};
          it = names.emplace(e.via_subject, std::move(n)).first;
        }
        e.via_code = it->second.first;
        e.via_name = it->second.second;
      }
    }
  }
  return Status::Ok();
}

// Where the checks of a scenario on a day take the triggers' facts from.
struct FactSource {
  bool none = false;                            // the scenario's triggers read no records
  const rules::TriggerIndex* index = nullptr;  // else from the index, or (null) the records
};

FactSource SourceFor(Platform& p, std::string_view scenario, Date today) {
  FactSource f;
  f.none = p.checker().IndicatorsOf(scenario).empty();
  const rules::TriggerIndex* index = p.built_triggers();
  if (index != nullptr && today >= index->from() && index->Covers(scenario)) f.index = index;
  return f;
}

// The measures that apply to `s` in the scenario on `today`.
Result<rules::CheckOutcome> Judge(Platform& p, const Subject& s, std::string_view scenario,
                                  Date today, const FactSource& source, Scratch* x) {
  const rules::Checker& checker = p.checker();
  x->facts.clear();
  if (source.none) {
    // Nothing to read.
  } else if (source.index != nullptr) {
    source.index->Lookup(s.id, &x->buffer, &x->facts);
  } else {
    x->records.clear();
    XY_RETURN_IF_ERROR(p.store().ListRecords(s.id, "", &x->records));
    checker.Collect(x->records, &x->facts);
  }
  if (!source.none) XY_RETURN_IF_ERROR(AddLinkedFacts(p, s, source.index, x));
  std::optional<std::string> grade;
  if (checker.NeedsGrade(s, scenario)) {
    auto g = SubjectCurrentGrade(p, s, today);
    if (g.ok()) {
      grade = std::move(g->grade.grade);
    } else if (g.status().code() != StatusCode::kFailedPrecondition) {  // persons: no grade
      return g.status();
    }
  }
  XY_ASSIGN_OR_RETURN(rules::CheckOutcome outcome,
                      checker.Evaluate(s, x->facts, grade, scenario, today));
  if (s.type == SubjectType::kNaturalPerson) {
    XY_RETURN_IF_ERROR(NameLinkedSubjects(p, &outcome));
  }
  return outcome;
}

Result<uint64_t> Log(Platform& p, const CheckRun& run) {
  CheckLogger* logger = p.check_logger();
  if (logger == nullptr) return Status::FailedPrecondition("the store is read-only");
  return logger->Log(run);
}

CheckRun RunOf(const CheckRequest& r, int64_t unix_ms) {
  CheckRun run;
  run.unix_ms = unix_ms;
  run.department = r.department;
  run.requester = r.requester;
  run.scenario = r.scenario;
  run.purpose = r.purpose;
  return run;
}

CheckRun::Entry EntryOf(uint64_t subject_id, std::string_view code,
                        const rules::CheckOutcome& outcome) {
  CheckRun::Entry e{subject_id, code, rules::CheckResultName(outcome.result), {}};
  for (const rules::AppliedMeasure& m : outcome.measures) e.measures.push_back(m.measure->code);
  return e;
}

// A batch item's subject: `found` when the bulk lookup found it, else FindSubjectIdByCode's
// answer (its other kinds, its errors).
void ResolveItem(Platform& p, std::string_view code, uint64_t found, BatchItem* item) {
  if (found != 0) {
    item->subject_id = found;
    return;
  }
  auto id = p.FindSubjectIdByCode(code);
  if (id.ok()) {
    item->subject_id = *id;
  } else {
    item->status = id.status();
  }
}

// A batch item's check of subject `s` (nullptr: none has the code).
void JudgeItem(Platform& p, std::string_view scenario, Date today, const FactSource& source,
               std::string_view code, const Subject* s, Scratch* scratch, BatchItem* item) {
  if (s == nullptr) {
    item->status = Status::NotFound("no subject has the code " + ident::NormalizeCodeInput(code));
    return;
  }
  auto outcome = Judge(p, *s, scenario, today, source, scratch);
  if (!outcome.ok()) {
    item->status = outcome.status();
    return;
  }
  item->code = s->DisplayCode();
  item->name = s->name;
  item->type = s->type;
  item->outcome = std::move(outcome).value();
}

}  // namespace

Result<CheckDone> EvaluateCheck(Platform& p, const CheckRequest& r, Date today) {
  XY_RETURN_IF_ERROR(Validate(p, r));
  CheckDone c;
  XY_ASSIGN_OR_RETURN(c.subject, p.FindSubjectByCode(r.subject));
  Scratch scratch;
  XY_ASSIGN_OR_RETURN(c.outcome,
                      Judge(p, c.subject, r.scenario, today, SourceFor(p, r.scenario, today), &scratch));
  c.log.unix_ms = NowUnixMs();
  c.log.department = r.department;
  c.log.requester = r.requester;
  c.log.scenario = r.scenario;
  c.log.purpose = r.purpose;
  c.log.subject_id = c.subject.id;
  c.log.subject_code = c.subject.DisplayCode();
  c.log.result = std::string(rules::CheckResultName(c.outcome.result));
  for (const auto& m : c.outcome.measures) c.log.measures.push_back(m.measure->code);
  return c;
}

CheckRun CheckRunOf(const CheckDone& c) {
  CheckRun run;
  run.unix_ms = c.log.unix_ms;
  run.department = c.log.department;
  run.requester = c.log.requester;
  run.scenario = c.log.scenario;
  run.purpose = c.log.purpose;
  run.entries.push_back(EntryOf(c.subject.id, c.log.subject_code, c.outcome));
  return run;
}

Status LogChecks(Platform& p, std::vector<CheckDone*>& checks) {
  if (checks.empty()) return Status::Ok();
  // The checks of one call share who, when and why: those of the first.
  CheckRun run = CheckRunOf(*checks.front());
  for (size_t i = 1; i < checks.size(); ++i) {
    const CheckDone* c = checks[i];
    run.entries.push_back(EntryOf(c->subject.id, c->log.subject_code, c->outcome));
  }
  XY_ASSIGN_OR_RETURN(uint64_t first, Log(p, run));
  for (CheckDone* c : checks) c->log.id = first++;
  return Status::Ok();
}

Result<CheckBatch> EvaluateChecks(Platform& p, const CheckRequest& request,
                                  std::span<const std::string> codes, Date today,
                                  unsigned threads) {
  XY_RETURN_IF_ERROR(Validate(p, request));
  CheckBatch b;
  b.request = request;
  b.today = today;
  b.unix_ms = NowUnixMs();
  b.items.resize(codes.size());
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  // Threads pay off only for batches of some size.
  threads = static_cast<unsigned>(std::min<size_t>(threads, 1 + codes.size() / 512));
  // fn(begin, end) over [0, n) cut into one range per thread.
  auto parallel = [threads](size_t n, const auto& fn) {
    std::vector<std::thread> workers;
    for (size_t t = 1; t < threads; ++t) {
      workers.emplace_back([&fn, n, t, threads] { fn(n * t / threads, n * (t + 1) / threads); });
    }
    fn(0, n / threads);
    for (std::thread& w : workers) w.join();
  };
  // Codes are resolved in code order and subjects read in id order, each thread its share in
  // bulk (Store::FindSubjects, GetSubjects): neighbouring keys share the store's work, and a batch
  // of most of the city is one forward pass. Codes of the common shapes — a USCC, P and 20 hex
  // digits for a person — go that way; any other code, or one not found so, is resolved by
  // FindSubjectIdByCode (its other kinds, its errors). Once the code directory is built, a code it
  // knows skips the sort and the store's identifier index: its subject is read with the others
  // and kept if it holds the code, else the code is resolved again by the store. (The keys of
  // hinted codes stay until then: 40 bytes a code, for the length of the call.)
  struct Key {
    // The code normalized, for a person without the P; kept in the key (no allocation, and no
    // second cache miss when a hinted subject is checked for it). Only bulk keys have one.
    char value[20];
    uint8_t size = 0;
    bool bulk = false;  // a USCC or a person's code
    IdentifierKind kind = IdentifierKind::kUscc;
    uint32_t index = 0;  // in codes
    uint64_t hint = 0;   // the subject the code directory names, to be checked
    std::string_view Value() const { return {value, size}; }
  };
  static_assert(sizeof(Key::value) >= 20);  // a USCC (18) or a person's code without its P (20)
  const search::CodeDirectory* directory = p.built_codes();
  std::vector<Key> keys(codes.size());
  parallel(codes.size(), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      Key& k = keys[i];
      k.index = static_cast<uint32_t>(i);
      const std::string code = ident::NormalizeCodeInput(codes[i]);
      std::string_view value;
      if (!CommonCodeShape(code, &k.kind, &value)) continue;
      k.bulk = true;
      value.copy(k.value, value.size());
      k.size = static_cast<uint8_t>(value.size());
      if (directory != nullptr) {
        k.hint = directory->Find(k.kind, value);
        b.items[i].subject_id = k.hint;
      }
    }
  });
  // The hinted keys last, unsorted: they are not looked up here.
  const size_t unhinted =
      std::partition(keys.begin(), keys.end(), [](const Key& k) { return k.hint == 0; }) -
      keys.begin();
  std::sort(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(unhinted),
            [](const Key& a, const Key& c) {
              if (a.bulk != c.bulk) return a.bulk;
              return a.kind != c.kind ? a.kind < c.kind : a.Value() < c.Value();
            });
  std::vector<std::string_view> values(unhinted);
  for (size_t k = 0; k < unhinted; ++k) values[k] = keys[k].Value();
  parallel(unhinted, [&](size_t begin, size_t end) {
    std::vector<uint64_t> found;
    for (size_t run = begin; run < end;) {  // runs of one kind
      size_t run_end = run;
      while (run_end < end && keys[run_end].bulk == keys[run].bulk &&
             keys[run_end].kind == keys[run].kind) {
        ++run_end;
      }
      found.assign(run_end - run, 0);
      if (keys[run].bulk) {
        Status st = p.store().FindSubjects(
            keys[run].kind, std::span(values).subspan(run, run_end - run), &found);
        if (!st.ok()) found.assign(run_end - run, 0);  // the slow way says why
      }
      for (size_t k = run; k < run_end; ++k) {
        ResolveItem(p, codes[keys[k].index], found[k - run], &b.items[keys[k].index]);
      }
      run = run_end;
    }
  });
  values = {};
  // Code index → its hinted key, for the check of the subject read.
  std::vector<const Key*> hinted(codes.size(), nullptr);
  for (size_t k = unhinted; k < keys.size(); ++k) hinted[keys[k].index] = &keys[k];
  std::vector<std::pair<uint64_t, uint32_t>> order;  // (subject, index in codes)
  order.reserve(codes.size());
  for (uint32_t i = 0; i < codes.size(); ++i) {
    if (b.items[i].status.ok()) order.emplace_back(b.items[i].subject_id, i);
  }
  std::sort(order.begin(), order.end());
  const FactSource source = SourceFor(p, request.scenario, today);
  std::vector<uint64_t> ids(order.size());
  for (size_t k = 0; k < order.size(); ++k) ids[k] = order[k].first;
  Status failed = Status::Ok();
  std::vector<uint32_t> misled;  // codes whose hint failed its check
  std::mutex mu;                 // for failed and misled
  parallel(order.size(), [&](size_t begin, size_t end) {
    Scratch scratch;
    std::vector<uint32_t> own_misled;
    Status st = p.store().GetSubjects(
        std::span(ids).subspan(begin, end - begin), [&](size_t k, const Subject* s) {
          const uint32_t index = order[begin + k].second;
          if (const Key* h = hinted[index];
              h != nullptr && (s == nullptr || !search::Holds(*s, h->kind, h->Value()))) {
            own_misled.push_back(index);
            return Status::Ok();
          }
          JudgeItem(p, request.scenario, today, source, codes[index], s, &scratch, &b.items[index]);
          return Status::Ok();
        });
    std::lock_guard lock(mu);
    if (!st.ok()) failed = st;
    misled.insert(misled.end(), own_misled.begin(), own_misled.end());
  });
  XY_RETURN_IF_ERROR(failed);
  // A hint that failed its check (an erased subject, a hash two codes share): the store decides,
  // one code at a time.
  Scratch scratch;
  for (uint32_t index : misled) {
    BatchItem& item = b.items[index];
    item.subject_id = 0;  // not the hint's
    ResolveItem(p, codes[index], 0, &item);
    if (!item.status.ok()) continue;
    XY_ASSIGN_OR_RETURN(auto s, p.store().GetSubject(item.subject_id));
    JudgeItem(p, request.scenario, today, source, codes[index], s ? &*s : nullptr, &scratch, &item);
  }
  return b;
}

Status LogChecks(Platform& p, CheckBatch* b) {
  CheckRun run = RunOf(b->request, b->unix_ms);
  run.entries.reserve(b->items.size());
  for (const BatchItem& item : b->items) {
    if (item.status.ok()) run.entries.push_back(EntryOf(item.subject_id, item.code, item.outcome));
  }
  if (run.entries.empty()) return Status::Ok();
  XY_ASSIGN_OR_RETURN(uint64_t id, Log(p, run));
  for (BatchItem& item : b->items) {
    if (item.status.ok()) item.id = id++;
  }
  return Status::Ok();
}

namespace {

json::array MeasuresJson(std::span<const rules::AppliedMeasure> applied) {
  json::array measures;
  for (const rules::AppliedMeasure& a : applied) {
    const rules::Measure& m = *a.measure;
    json::array triggers;
    for (const rules::TriggerEvidence& t : a.triggers) {
      json::object o{{"indicator", t.indicator}};
      if (t.record_id != 0) {
        o["record_id"] = t.record_id;
        o["document_number"] = t.document_number;
        o["date"] = t.date.ToString();
      }
      if (t.until) o["until"] = t.until->ToString();
      if (!t.detail.empty()) o["detail"] = t.detail;
      if (t.via_subject != 0) {
        // 落实到人: the organization's record that names the checked person, and in what role.
        o["via"] = json::object{{"role", PersonRoleName(t.link)},
                                {"role_label", PersonRoleLabel(t.link)},
                                {"subject", json::object{{"code", t.via_code}, {"name", t.via_name}}}};
      }
      triggers.push_back(std::move(o));
    }
    json::array targets;
    for (rules::Target t : m.targets) targets.push_back(json::string(rules::TargetName(t)));
    measures.push_back(json::object{{"code", m.code},
                                    {"kind", rules::MeasureKindName(m.kind)},
                                    {"category", rules::MeasureCategoryName(m.category)},
                                    {"content", m.content},
                                    {"targets", std::move(targets)},
                                    {"legal_basis", m.legal_basis},
                                    {"implementing_body", m.implementing_body},
                                    {"mandatory", m.mandatory},
                                    {"triggers", std::move(triggers)}});
  }
  return measures;
}

json::object CheckJsonOf(uint64_t id, std::string_view code, std::string_view name,
                         SubjectType type, const CheckRequest& r,
                         const rules::CheckOutcome& outcome, Date today) {
  json::object o;
  if (id != 0) o["id"] = id;
  o["subject"] = json::object{{"code", code}, {"name", name}, {"type", SubjectTypeName(type)}};
  o["scenario"] = r.scenario;
  o["purpose"] = r.purpose;
  o["department"] = r.department;
  o["date"] = today.ToString();
  o["result"] = rules::CheckResultName(outcome.result);
  o["result_label"] = rules::CheckResultLabel(outcome.result);
  o["measures"] = MeasuresJson(outcome.measures);
  o["withheld_rewards"] = MeasuresJson(outcome.withheld_rewards);
  if (!outcome.withheld_rewards.empty()) o["withheld_reason"] = rules::kRewardsWithheldReason;
  return o;
}

}  // namespace

json::object CheckJson(const CheckDone& c, Date today) {
  const CheckRequest r{"", c.log.scenario, c.log.purpose, c.log.department, c.log.requester};
  return CheckJsonOf(c.log.id, c.subject.DisplayCode(), c.subject.name, c.subject.type, r,
                     c.outcome, today);
}

json::object CheckJson(const CheckBatch& b, const BatchItem& item) {
  return CheckJsonOf(item.id, item.code, item.name, item.type, b.request, item.outcome, b.today);
}

Result<Graded> GradeSubject(Platform& p, std::string_view code, Date today) {
  Graded g;
  XY_ASSIGN_OR_RETURN(g.subject, p.FindSubjectByCode(code));
  std::vector<Record> records;
  XY_RETURN_IF_ERROR(p.store().ListRecords(g.subject.id, "", &records));
  auto e = p.evaluation().Evaluate(g.subject, records, p.catalog(), today);
  if (!e) return Status::FailedPrecondition("natural persons are not graded");
  g.evaluation = std::move(*e);
  return g;
}

json::object CheckLogJson(const CheckLog& c) {
  json::array measures;
  for (const auto& m : c.measures) measures.push_back(json::string(m));
  json::object o{{"id", c.id},
                 {"unix_ms", c.unix_ms},
                 {"department", c.department},
                 {"requester", c.requester},
                 {"scenario", c.scenario},
                 {"purpose", c.purpose},
                 {"subject", c.subject_code},
                 {"result", c.result},
                 {"measures", std::move(measures)}};
  if (c.feedback_action.empty()) {
    o["feedback"] = nullptr;
  } else {
    o["feedback"] = json::object{{"action", c.feedback_action},
                                 {"reason", c.feedback_reason},
                                 {"unix_ms", c.feedback_unix_ms}};
  }
  return o;
}

}  // namespace xinyong::server
