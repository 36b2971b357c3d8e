#include "model/check_log.h"

#include "core/coding.h"

namespace xinyong {

namespace {

constexpr char kCheckFormat = 1;

bool GetStr(std::string_view* in, std::string* out) {
  std::string_view v;
  if (!coding::GetString(in, &v)) return false;
  out->assign(v);
  return true;
}

bool GetSignedVarint(std::string_view* in, int64_t* out) {
  uint64_t u = 0;
  if (!coding::GetVarint(in, &u)) return false;
  *out = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
  return true;
}

void PutSignedVarint(std::string* out, int64_t v) {
  coding::PutVarint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

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

}  // namespace xinyong
