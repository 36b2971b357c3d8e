#include "model/grade.h"

#include "core/coding.h"

namespace xinyong {

namespace {

constexpr char kGradeFormat = 1;

bool GetStr(std::string_view* in, std::string* out) {
  std::string_view v;
  if (!coding::GetString(in, &v)) return false;
  out->assign(v);
  return true;
}

}  // namespace

std::string EncodeSubjectGrade(const SubjectGrade& g) {
  std::string out;
  out.reserve(64 + g.reasons.size() * 48);
  out.push_back(kGradeFormat);
  coding::PutSignedVarint(&out, g.as_of.days());
  coding::PutSignedVarint(&out, g.unix_ms);
  coding::PutSignedVarint(&out, g.score);
  coding::PutString(&out, g.grade);
  coding::PutString(&out, g.grade_label);
  coding::PutString(&out, g.model);
  coding::PutVarint(&out, g.reasons.size());
  for (const GradeReason& r : g.reasons) {
    coding::PutString(&out, r.label);
    coding::PutString(&out, r.indicator);
    coding::PutSignedVarint(&out, r.points);
    out.push_back(r.capped ? 1 : 0);
    coding::PutVarint(&out, r.record_ids.size());
    uint64_t prev = 0;
    for (uint64_t id : r.record_ids) {
      coding::PutSignedVarint(&out, static_cast<int64_t>(id - prev));
      prev = id;
    }
  }
  return out;
}

namespace {

// Decodes up to the explanation and leaves `in` there.
bool DecodeHead(std::string_view* in, SubjectGrade* g) {
  if (in->empty() || (*in)[0] != kGradeFormat) return false;
  in->remove_prefix(1);
  int64_t as_of = 0, score = 0;
  if (!coding::GetSignedVarint(in, &as_of) || !coding::GetSignedVarint(in, &g->unix_ms) ||
      !coding::GetSignedVarint(in, &score) || !GetStr(in, &g->grade) ||
      !GetStr(in, &g->grade_label) || !GetStr(in, &g->model)) {
    return false;
  }
  g->as_of = Date::FromDays(static_cast<int32_t>(as_of));
  g->score = static_cast<int32_t>(score);
  return true;
}

}  // namespace

std::string_view SubjectGradeResult(std::string_view in) {
  int64_t as_of = 0, unix_ms = 0;
  if (in.empty() || in[0] != kGradeFormat) return {};
  in.remove_prefix(1);
  if (!coding::GetSignedVarint(&in, &as_of) || !coding::GetSignedVarint(&in, &unix_ms)) return {};
  return in;
}

bool DecodeSubjectGradeHead(std::string_view in, SubjectGrade* g) {
  g->reasons.clear();
  return DecodeHead(&in, g);
}

bool DecodeSubjectGrade(std::string_view in, SubjectGrade* g) {
  uint64_t n = 0;
  if (!DecodeHead(&in, g) || !coding::GetVarint(&in, &n) || n > in.size()) return false;
  g->reasons.resize(n);
  for (GradeReason& r : g->reasons) {
    int64_t points = 0;
    uint64_t ids = 0;
    if (!GetStr(&in, &r.label) || !GetStr(&in, &r.indicator) ||
        !coding::GetSignedVarint(&in, &points) || in.empty()) {
      return false;
    }
    r.points = static_cast<int32_t>(points);
    r.capped = in[0] != 0;
    in.remove_prefix(1);
    if (!coding::GetVarint(&in, &ids) || ids > in.size()) return false;
    r.record_ids.resize(ids);
    uint64_t prev = 0;
    for (uint64_t& id : r.record_ids) {
      int64_t delta = 0;
      if (!coding::GetSignedVarint(&in, &delta)) return false;
      id = prev + static_cast<uint64_t>(delta);
      prev = id;
    }
  }
  return in.empty();
}

}  // namespace xinyong
