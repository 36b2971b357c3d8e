// SubjectGrade: a composite evaluation (公共信用综合评价) as the platform keeps it — the score and
// grade A–D an organization had as of a day, under which model, and the explanation: which rule
// moved the score, by how many points, through which records. The store keeps each subject's
// current grade and the history of its changes (docs/storage.md, `grades`). Plain data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"

namespace xinyong {

// How one rule of the model moved the score.
struct GradeReason {
  std::string label;      // the rule's label (行政处罚（近三年）)
  std::string indicator;  // the catalog indicator the rule counts
  int32_t points = 0;     // after the rule's cap
  bool capped = false;
  std::vector<uint64_t> record_ids;  // the records counted
};

struct SubjectGrade {
  Date as_of;           // the day the model was applied for
  int64_t unix_ms = 0;  // when it was computed
  int32_t score = 0;
  std::string grade;                 // "A".."D"
  std::string grade_label;           // 诚信, 良好, 关注, 失信
  std::string model;                 // the model's name
  std::vector<GradeReason> reasons;  // in model order

  // A change worth a history entry: another score or another grade.
  bool SameResult(const SubjectGrade& o) const { return score == o.score && grade == o.grade; }
};

// Everything but the subject (it is in the key). Record ids are stored as signed differences
// from the previous id of the list, so a subject's ids (close together) cost a byte or two each.
std::string EncodeSubjectGrade(const SubjectGrade& g);
bool DecodeSubjectGrade(std::string_view in, SubjectGrade* g);
// Everything but the explanation (`reasons` is cleared), without reading it: enough to compare
// results. False when what it reads is corrupt.
bool DecodeSubjectGradeHead(std::string_view in, SubjectGrade* g);
// The part of an encoded grade that is its result — everything but the day and time it was
// computed: two grades with equal bytes here say the same (score, grade, model, explanation).
// Empty when the value is corrupt.
std::string_view SubjectGradeResult(std::string_view encoded);

}  // namespace xinyong
