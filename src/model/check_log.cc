#include "model/check_log.h"

#include <algorithm>

#include "core/coding.h"

namespace xinyong {

namespace {

constexpr char kCheckFormat = 1;
constexpr char kRunFormat = 2;
constexpr char kFeedbackFormat = 1;

bool GetStr(std::string_view* in, std::string* out) {
  std::string_view v;
  if (!coding::GetString(in, &v)) return false;
  out->assign(v);
  return true;
}

using coding::GetSignedVarint;
using coding::PutSignedVarint;

}  // namespace

std::string EncodeCheckLog(const CheckLog& c) {
  std::string out;
  out.push_back(kCheckFormat);
  PutSignedVarint(&out, c.unix_ms);
  coding::PutString(&out, c.department);
  coding::PutString(&out, c.requester);
  coding::PutString(&out, c.scenario);
  coding::PutString(&out, c.purpose);
  coding::PutVarint(&out, c.subject_id);
  coding::PutString(&out, c.subject_code);
  coding::PutString(&out, c.result);
  coding::PutVarint(&out, c.measures.size());
  for (const auto& m : c.measures) coding::PutString(&out, m);
  coding::PutString(&out, c.feedback_action);
  coding::PutString(&out, c.feedback_reason);
  PutSignedVarint(&out, c.feedback_unix_ms);
  return out;
}

bool DecodeCheckLog(std::string_view in, CheckLog* c) {
  if (in.empty() || in[0] != kCheckFormat) return false;
  in.remove_prefix(1);
  uint64_t n = 0;
  if (!GetSignedVarint(&in, &c->unix_ms) || !GetStr(&in, &c->department) ||
      !GetStr(&in, &c->requester) || !GetStr(&in, &c->scenario) || !GetStr(&in, &c->purpose) ||
      !coding::GetVarint(&in, &c->subject_id) || !GetStr(&in, &c->subject_code) ||
      !GetStr(&in, &c->result) || !coding::GetVarint(&in, &n) || n > in.size()) {
    return false;
  }
  c->measures.resize(n);
  for (auto& m : c->measures) {
    if (!GetStr(&in, &m)) return false;
  }
  return GetStr(&in, &c->feedback_action) && GetStr(&in, &c->feedback_reason) &&
         GetSignedVarint(&in, &c->feedback_unix_ms) && in.empty();
}

std::string EncodeCheckRun(const CheckRun& run, size_t begin, size_t end) {
  // The distinct measure codes and results of the stretch, in order of first use.
  std::vector<std::string_view> measures, results;
  auto index = [](std::vector<std::string_view>* table, std::string_view v) {
    auto it = std::find(table->begin(), table->end(), v);
    if (it != table->end()) return static_cast<uint64_t>(it - table->begin());
    table->push_back(v);
    return static_cast<uint64_t>(table->size() - 1);
  };
  std::string entries;
  entries.reserve((end - begin) * 28);
  for (size_t i = begin; i < end; ++i) {
    const CheckRun::Entry& e = run.entries[i];
    coding::PutVarint(&entries, e.subject_id);
    coding::PutString(&entries, e.subject_code);
    coding::PutVarint(&entries, index(&results, e.result));
    coding::PutVarint(&entries, e.measures.size());
    for (std::string_view m : e.measures) coding::PutVarint(&entries, index(&measures, m));
  }
  std::string out;
  out.reserve(entries.size() + 256);
  out.push_back(kRunFormat);
  PutSignedVarint(&out, run.unix_ms);
  coding::PutString(&out, run.department);
  coding::PutString(&out, run.requester);
  coding::PutString(&out, run.scenario);
  coding::PutString(&out, run.purpose);
  coding::PutVarint(&out, results.size());
  for (std::string_view r : results) coding::PutString(&out, r);
  coding::PutVarint(&out, measures.size());
  for (std::string_view m : measures) coding::PutString(&out, m);
  coding::PutVarint(&out, end - begin);
  out.append(entries);
  return out;
}

bool IsCheckRun(std::string_view in) { return !in.empty() && in[0] == kRunFormat; }

bool DecodeCheckRun(std::string_view in, uint64_t first_id, std::vector<CheckLog>* out) {
  if (!IsCheckRun(in)) return false;
  in.remove_prefix(1);
  CheckLog shared;
  if (!GetSignedVarint(&in, &shared.unix_ms) || !GetStr(&in, &shared.department) ||
      !GetStr(&in, &shared.requester) || !GetStr(&in, &shared.scenario) ||
      !GetStr(&in, &shared.purpose)) {
    return false;
  }
  auto table = [&in](std::vector<std::string_view>* t) {
    uint64_t n = 0;
    if (!coding::GetVarint(&in, &n) || n > in.size()) return false;
    t->resize(n);
    for (auto& v : *t) {
      if (!coding::GetString(&in, &v)) return false;
    }
    return true;
  };
  std::vector<std::string_view> results, measures;
  uint64_t n = 0;
  if (!table(&results) || !table(&measures) || !coding::GetVarint(&in, &n) || n > in.size()) {
    return false;
  }
  for (uint64_t i = 0; i < n; ++i) {
    CheckLog c = shared;
    c.id = first_id + i;
    uint64_t result = 0, count = 0;
    if (!coding::GetVarint(&in, &c.subject_id) || !GetStr(&in, &c.subject_code) ||
        !coding::GetVarint(&in, &result) || result >= results.size() ||
        !coding::GetVarint(&in, &count) || count > in.size()) {
      return false;
    }
    c.result.assign(results[result]);
    c.measures.resize(count);
    for (auto& m : c.measures) {
      uint64_t k = 0;
      if (!coding::GetVarint(&in, &k) || k >= measures.size()) return false;
      m.assign(measures[k]);
    }
    out->push_back(std::move(c));
  }
  return in.empty();
}

std::string EncodeCheckFeedback(std::string_view action, std::string_view reason,
                                int64_t unix_ms) {
  std::string out;
  out.push_back(kFeedbackFormat);
  coding::PutString(&out, action);
  coding::PutString(&out, reason);
  PutSignedVarint(&out, unix_ms);
  return out;
}

bool DecodeCheckFeedback(std::string_view in, CheckLog* c) {
  if (in.empty() || in[0] != kFeedbackFormat) return false;
  in.remove_prefix(1);
  return GetStr(&in, &c->feedback_action) && GetStr(&in, &c->feedback_reason) &&
         GetSignedVarint(&in, &c->feedback_unix_ms) && in.empty();
}

}  // namespace xinyong
