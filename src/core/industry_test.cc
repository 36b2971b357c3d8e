#include "core/industry.h"

#include <gtest/gtest.h>

namespace xinyong::industry {
namespace {

std::string Parse(std::string_view in) {
  auto r = ParseIndustryCode(in);
  return r.ok() ? *r : "error: " + r.status().message();
}

TEST(IndustryTest, TableHasTheTwentySectionsAndNinetySevenDivisionsInOrder) {
  ASSERT_EQ(Sections().size(), 20u);
  int expected = 1;
  char letter = 'A';
  for (const Section& s : Sections()) {
    EXPECT_EQ(s.letter, letter++);
    EXPECT_FALSE(s.divisions.empty()) << s.letter;
    for (const Division& d : s.divisions) {
      EXPECT_EQ(std::stoi(std::string(d.code)), expected++) << s.letter << d.code;
      EXPECT_FALSE(d.name.empty());
    }
  }
  EXPECT_EQ(expected, 98);
  EXPECT_EQ(IndustryName("C"), "制造业");
  EXPECT_EQ(IndustryName("C13"), "农副食品加工业");
  EXPECT_EQ(IndustryName("F52"), "零售业");
  EXPECT_EQ(IndustryName("T97"), "国际组织");
  EXPECT_EQ(IndustryName("C05"), "");
  EXPECT_EQ(IndustryName(""), "");
}

TEST(IndustryTest, AcceptsSectionsDivisionsAndTheirSpellings) {
  EXPECT_EQ(Parse("C"), "C");
  EXPECT_EQ(Parse("c"), "C");
  EXPECT_EQ(Parse("Ｆ"), "F");  // full-width
  EXPECT_EQ(Parse("C13"), "C13");
  EXPECT_EQ(Parse("c-13"), "C13");
  EXPECT_EQ(Parse(" E 48 "), "E48");
  EXPECT_EQ(Parse("13"), "C13");  // the section is implied
  EXPECT_EQ(Parse("05"), "A05");
  EXPECT_EQ(Parse("5191"), "F51");  // a class code is cut to its division
  EXPECT_EQ(Parse("C131"), "C13");
  EXPECT_EQ(Parse("制造业"), "C");
  EXPECT_EQ(Parse("软件和信息技术服务业"), "I65");
}

TEST(IndustryTest, RejectsCodesTheStandardDoesNotHave) {
  EXPECT_NE(Parse("U").find("sections are A to T"), std::string::npos) << Parse("U");
  EXPECT_NE(Parse("Z13").find("sections are A to T"), std::string::npos);
  EXPECT_NE(Parse("C05").find("belongs to section A"), std::string::npos) << Parse("C05");
  EXPECT_NE(Parse("F13").find("belongs to section C"), std::string::npos);
  EXPECT_NE(Parse("98").find("does not have"), std::string::npos) << Parse("98");
  EXPECT_NE(Parse("00").find("does not have"), std::string::npos);
  for (std::string_view bad : {"", "1", "C1", "C13X", "C131415", "制造", "CC"}) {
    EXPECT_TRUE(Parse(bad).starts_with("error: ")) << bad;
  }
  // The message names the input.
  EXPECT_NE(Parse("Q99").find("'Q99'"), std::string::npos);
}

TEST(IndustryTest, ARejectedCodeIsShownMaskedAndCut) {
  const Status id = ParseIndustryCode("11010519491231002X").status();
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.message().find("491231"), std::string::npos) << id.message();
  EXPECT_NE(id.message().find("1101**********002X"), std::string::npos) << id.message();
  const Status long_code = ParseIndustryCode(std::string(1000, 'Q')).status();
  ASSERT_FALSE(long_code.ok());
  EXPECT_LT(long_code.message().size(), 200u);
  EXPECT_NE(long_code.message().find("…"), std::string::npos) << long_code.message();
}

TEST(IndustryTest, ScopeMatchesBySectionOrDivision) {
  EXPECT_TRUE(InIndustryScope("C13", ""));
  EXPECT_TRUE(InIndustryScope("", ""));
  EXPECT_TRUE(InIndustryScope("C13", "C"));
  EXPECT_TRUE(InIndustryScope("C13", "C13"));
  EXPECT_FALSE(InIndustryScope("C14", "C13"));
  EXPECT_FALSE(InIndustryScope("C", "C13"));  // only the section known: not in a division's scope
  EXPECT_FALSE(InIndustryScope("F52", "C"));
  EXPECT_FALSE(InIndustryScope("", "C"));
}

}  // namespace
}  // namespace xinyong::industry
