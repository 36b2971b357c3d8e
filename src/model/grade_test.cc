#include "model/grade.h"

#include <gtest/gtest.h>

#include "model/record.h"

namespace xinyong {
namespace {

SubjectGrade Sample() {
  SubjectGrade g;
  g.as_of = *Date::Parse("2026-11-22");
  g.unix_ms = 1795000000123;
  g.score = 640;
  g.grade = "C";
  g.grade_label = "关注";
  g.model = "公共信用综合评价模型（示范）";
  // Newest first: ids go down and up again.
  g.reasons = {
      {"行政处罚（近三年）", "admin_penalty", -90, false, {5000000017, 5000000003, 5000000009}},
      {"行政许可（近三年）", "admin_licence", 20, true, {12, 7, 3, 2, 1, 900, 800, 70, 6, 4, 5}}};
  return g;
}

TEST(GradeEncodingTest, RoundTripsEveryMember) {
  const SubjectGrade g = Sample();
  SubjectGrade back;
  ASSERT_TRUE(DecodeSubjectGrade(EncodeSubjectGrade(g), &back));
  EXPECT_EQ(back.as_of, g.as_of);
  EXPECT_EQ(back.unix_ms, g.unix_ms);
  EXPECT_EQ(back.score, 640);
  EXPECT_EQ(back.grade, "C");
  EXPECT_EQ(back.grade_label, "关注");
  EXPECT_EQ(back.model, g.model);
  ASSERT_EQ(back.reasons.size(), 2u);
  EXPECT_EQ(back.reasons[0].label, "行政处罚（近三年）");
  EXPECT_EQ(back.reasons[0].indicator, "admin_penalty");
  EXPECT_EQ(back.reasons[0].points, -90);
  EXPECT_FALSE(back.reasons[0].capped);
  EXPECT_EQ(back.reasons[0].record_ids, g.reasons[0].record_ids);
  EXPECT_TRUE(back.reasons[1].capped);
  EXPECT_EQ(back.reasons[1].record_ids, g.reasons[1].record_ids);
}

TEST(GradeEncodingTest, RejectsTruncatedAndForeignValues) {
  const std::string v = EncodeSubjectGrade(Sample());
  SubjectGrade back;
  for (size_t n = 0; n < v.size(); ++n) {
    EXPECT_FALSE(DecodeSubjectGrade(v.substr(0, n), &back)) << "truncated to " << n;
  }
  EXPECT_FALSE(DecodeSubjectGrade(v + "x", &back));
  EXPECT_FALSE(DecodeSubjectGrade("\x02" + v.substr(1), &back));
}

TEST(GradeEncodingTest, TheHeadLeavesOutTheExplanation) {
  SubjectGrade back;
  back.reasons.resize(3);
  ASSERT_TRUE(DecodeSubjectGradeHead(EncodeSubjectGrade(Sample()), &back));
  EXPECT_EQ(back.score, 640);
  EXPECT_EQ(back.grade, "C");
  EXPECT_EQ(back.model, Sample().model);
  EXPECT_TRUE(back.reasons.empty());
  EXPECT_FALSE(DecodeSubjectGradeHead("\x01\x02", &back));
}

TEST(GradeEncodingTest, TheResultBytesLeaveOutOnlyWhenItWasComputed) {
  SubjectGrade a = Sample();
  SubjectGrade b = a;
  b.as_of = Date::FromDays(30000);
  b.unix_ms = 1;
  const std::string ea = EncodeSubjectGrade(a), eb = EncodeSubjectGrade(b);
  EXPECT_FALSE(SubjectGradeResult(ea).empty());
  EXPECT_EQ(SubjectGradeResult(ea), SubjectGradeResult(eb));
  b.reasons[1].record_ids.pop_back();  // same score, another explanation
  EXPECT_NE(SubjectGradeResult(ea), SubjectGradeResult(EncodeSubjectGrade(b)));
  EXPECT_TRUE(SubjectGradeResult("\x02").empty());
}

TEST(GradeEncodingTest, SameResultComparesScoreAndGradeOnly) {
  SubjectGrade a = Sample();
  SubjectGrade b = a;
  b.reasons.clear();
  b.as_of = Date::FromDays(1);
  EXPECT_TRUE(a.SameResult(b));
  b.score = 641;
  EXPECT_FALSE(a.SameResult(b));
  b.score = a.score;
  b.grade = "B";
  EXPECT_FALSE(a.SameResult(b));
}

TEST(RecordEncodingTest, PeeksTheIndicatorWithoutDecoding) {
  Record r;
  r.indicator = "court_dishonest_debtor";
  r.document_number = "（2025）豫0105执123号";
  const std::string encoded = EncodeRecordValue(r);
  std::string_view indicator;
  ASSERT_TRUE(PeekRecordIndicator(encoded, &indicator));
  EXPECT_EQ(indicator, "court_dishonest_debtor");
  EXPECT_FALSE(PeekRecordIndicator("", &indicator));
  EXPECT_FALSE(PeekRecordIndicator("\x01\x30", &indicator));
}

}  // namespace
}  // namespace xinyong
