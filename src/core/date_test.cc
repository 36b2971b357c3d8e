#include "core/date.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace xinyong {
namespace {

using ::testing::HasSubstr;

Date Ymd(int y, int m, int d) {
  auto r = Date::FromYmd(y, m, d);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Date();
}

// ---------------------------------------------------------------------------------------------
// Parse

TEST(DateParseTest, ReadsEveryDocumentedFormat) {
  const Date want = Ymd(2025, 3, 7);
  for (const char* text :
       {"2025-03-07", "2025/03/07", "20250307", "2025/3/7", "2025-3-7", "2025年3月7日",
        "2025年03月07日", "2025.03.07", "  2025-03-07\t", "2025-03-07 00:00:00", "2025/3/7 0:00",
        "2025-03-07T08:30:15", "2025-03-07 23:59:59.123", "2025年3月7日 00:00"}) {
    auto r = Date::Parse(text);
    ASSERT_TRUE(r.ok()) << text << ": " << r.status().ToString();
    EXPECT_EQ(*r, want) << text;
  }
}

TEST(DateParseTest, AcceptsChineseDateWithoutFinalDayCharacter) {
  auto r = Date::Parse("2025年3月7");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, Ymd(2025, 3, 7));
}

TEST(DateParseTest, RejectsDaysThatDoNotExist) {
  for (const char* text : {"2025-02-29", "2025-02-30", "20250230", "2025-04-31", "2025-13-01",
                           "2025-00-10", "2025-01-00", "1900-02-29", "2025年2月30日"}) {
    EXPECT_FALSE(Date::Parse(text).ok()) << text;
  }
  EXPECT_TRUE(Date::Parse("2024-02-29").ok());
  EXPECT_TRUE(Date::Parse("2000-02-29").ok());
}

TEST(DateParseTest, RejectsYearsOutsideSupportedRange) {
  EXPECT_FALSE(Date::Parse("1899-12-31").ok());
  EXPECT_FALSE(Date::Parse("3000-01-01").ok());
  EXPECT_TRUE(Date::Parse("1900-01-01").ok());
  EXPECT_TRUE(Date::Parse("2999-12-31").ok());
}

TEST(DateParseTest, RejectsMalformedText) {
  for (const char* text :
       {"", "   ", "2025", "2025-03", "2025-3-", "25-03-07", "202503070", "2025030", "abcd-ef-gh",
        "2025-03-07x", "2025-003-07", "2025-03-007", "2025 03 07", "2025—03—07", "2025-03/07",
        "2025/03-07", "2025年03-07", "07/03/2025"}) {
    EXPECT_FALSE(Date::Parse(text).ok()) << "'" << text << "'";
  }
}

TEST(DateParseTest, RejectsTrailingTextThatIsNotATimeOfDay) {
  // Regression: anything after a space or 'T' used to be ignored.
  for (const char* text :
       {"2025-03-07 abc", "2025-03-07 12", "2025-03-07 24:00", "2025-03-07 12:60", "2025-03-07T",
        "2025-03-07 12:00:00 extra", "2025-03-07 12:0", "2025-03-07 12:00:00."}) {
    EXPECT_FALSE(Date::Parse(text).ok()) << "'" << text << "'";
  }
}

TEST(DateParseTest, ErrorNamesTheTextAndTheExpectedFormats) {
  auto r = Date::Parse("2025-02-30");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("'2025-02-30'"));
  EXPECT_THAT(r.status().message(), HasSubstr("YYYY-MM-DD"));
}

// ---------------------------------------------------------------------------------------------
// FromYmd and the civil-day conversion

TEST(DateTest, CountsDaysFromUnixEpoch) {
  EXPECT_EQ(Ymd(1970, 1, 1).days(), 0);
  EXPECT_EQ(Ymd(1970, 1, 2).days(), 1);
  EXPECT_EQ(Ymd(1969, 12, 31).days(), -1);
  EXPECT_EQ(Ymd(2000, 3, 1).days(), 11017);
  EXPECT_EQ(Ymd(1900, 1, 1).days(), -25567);
}

TEST(DateTest, FromYmdRejectsInvalidDays) {
  auto r = Date::FromYmd(2025, 2, 29);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "2025-02-29 is not a real date");
  EXPECT_FALSE(Date::FromYmd(2025, 0, 1).ok());
  EXPECT_FALSE(Date::FromYmd(2025, 1, 32).ok());
  EXPECT_FALSE(Date::FromYmd(1899, 12, 31).ok());
}

TEST(DateTest, KnowsWeekdaysOfKnownDates) {
  EXPECT_EQ(Ymd(1970, 1, 1).weekday(), 3);    // Thursday
  EXPECT_EQ(Ymd(1900, 1, 1).weekday(), 0);    // Monday
  EXPECT_EQ(Ymd(1949, 10, 1).weekday(), 5);   // Saturday
  EXPECT_EQ(Ymd(2000, 1, 1).weekday(), 5);    // Saturday
  EXPECT_EQ(Ymd(2008, 8, 8).weekday(), 4);    // Friday
  EXPECT_EQ(Ymd(2024, 2, 29).weekday(), 3);   // Thursday
  EXPECT_EQ(Ymd(2025, 3, 7).weekday(), 4);    // Friday
  EXPECT_EQ(Ymd(2999, 12, 31).weekday(), 1);  // Tuesday
  EXPECT_FALSE(Ymd(2025, 3, 7).IsWeekend());
  EXPECT_TRUE(Ymd(2025, 3, 8).IsWeekend());
  EXPECT_TRUE(Ymd(2025, 3, 9).IsWeekend());
  EXPECT_EQ(Date::FromDays(-1).weekday(), 2);  // before the epoch, still 0..6
}

TEST(DateTest, WeekdayAdvancesByOneEachDay) {
  Date d = Ymd(1900, 1, 1);
  for (int i = 0; i < 1000; ++i, d = d.AddDays(1)) {
    ASSERT_EQ(d.AddDays(1).weekday(), (d.weekday() + 1) % 7) << d.ToString();
  }
}

// ---------------------------------------------------------------------------------------------
// AddMonths

TEST(DateAddMonthsTest, ClampsToTheEndOfShorterMonths) {
  EXPECT_EQ(Ymd(2025, 1, 31).AddMonths(1), Ymd(2025, 2, 28));
  EXPECT_EQ(Ymd(2024, 1, 31).AddMonths(1), Ymd(2024, 2, 29));
  EXPECT_EQ(Ymd(2025, 3, 31).AddMonths(1), Ymd(2025, 4, 30));
  EXPECT_EQ(Ymd(2025, 3, 31).AddMonths(-1), Ymd(2025, 2, 28));
  EXPECT_EQ(Ymd(1900, 3, 31).AddMonths(-1), Ymd(1900, 2, 28));  // 1900 is not a leap year
  EXPECT_EQ(Ymd(2000, 3, 31).AddMonths(-1), Ymd(2000, 2, 29));  // 2000 is
  EXPECT_EQ(Ymd(2024, 2, 29).AddMonths(12), Ymd(2025, 2, 28));
}

TEST(DateAddMonthsTest, CrossesYearBoundariesBothWays) {
  EXPECT_EQ(Ymd(2025, 12, 15).AddMonths(1), Ymd(2026, 1, 15));
  EXPECT_EQ(Ymd(2025, 1, 15).AddMonths(-1), Ymd(2024, 12, 15));
  EXPECT_EQ(Ymd(2025, 3, 7).AddMonths(36), Ymd(2028, 3, 7));
  EXPECT_EQ(Ymd(2025, 3, 7).AddMonths(-27), Ymd(2022, 12, 7));
  EXPECT_EQ(Ymd(2025, 3, 7).AddMonths(0), Ymd(2025, 3, 7));
}

TEST(DateAddMonthsTest, ClampsByMonthLengthEvenOutsideSupportedYears) {
  // Regression: clamping used IsValidYmd, which rejects year 3000 outright, so the day was cut
  // to 28 although January has 31.
  const Date d = Ymd(2999, 12, 31).AddMonths(1);
  EXPECT_EQ(d.year(), 3000);
  EXPECT_EQ(d.month(), 1);
  EXPECT_EQ(d.day(), 31);
  const Date before = Ymd(1900, 1, 31).AddMonths(-1);
  EXPECT_EQ(before.ToString(), "1899-12-31");
}

TEST(DateAddMonthsTest, PublicityPeriodsLandOnExpectedDays) {
  // Three months, one year and three years from a decision (FACTS.md §4).
  const Date decided = Ymd(2026, 4, 1);
  EXPECT_EQ(decided.AddMonths(3).ToString(), "2026-07-01");
  EXPECT_EQ(decided.AddMonths(12).ToString(), "2027-04-01");
  EXPECT_EQ(decided.AddMonths(36).ToString(), "2029-04-01");
}

// ---------------------------------------------------------------------------------------------
// Formatting

TEST(DateTest, ToStringAndParseRoundTripFrom1900To2999) {
  const int32_t first = Ymd(1900, 1, 1).days();
  const int32_t last = Ymd(2999, 12, 31).days();
  int checked = 0;
  // Every day is cheap enough: 400k days, each formatted, parsed and split into fields.
  for (int32_t days = first; days <= last; ++days) {
    const Date d = Date::FromDays(days);
    const std::string text = d.ToString();
    auto parsed = Date::Parse(text);
    ASSERT_TRUE(parsed.ok()) << text;
    ASSERT_EQ(*parsed, d) << text;
    ASSERT_EQ(Date::FromYmd(d.year(), d.month(), d.day())->days(), days) << text;
    ASSERT_EQ(d.ToYmdNumber(), static_cast<uint32_t>(d.year() * 10000 + d.month() * 100 + d.day()));
    ++checked;
  }
  EXPECT_EQ(checked, 1100 * 365 + 267);  // 267 leap days between 1900 and 2999
}

TEST(DateTest, FormatsWithZeroPadding) {
  EXPECT_EQ(Ymd(2025, 3, 7).ToString(), "2025-03-07");
  EXPECT_EQ(Ymd(2025, 3, 7).ToYmdNumber(), 20250307u);
  EXPECT_EQ(Ymd(1900, 1, 1).ToString(), "1900-01-01");
}

TEST(DateTest, ComparesByDay) {
  EXPECT_LT(Ymd(2025, 3, 7), Ymd(2025, 3, 8));
  EXPECT_EQ(Ymd(2025, 3, 7).AddDays(365), Ymd(2026, 3, 7));
  EXPECT_EQ(Ymd(2025, 3, 1).AddDays(-1), Ymd(2025, 2, 28));
}

TEST(DateTest, TodayHonoursTheTestOverride) {
  ::setenv("XINYONG_TODAY", "2025-03-07", 1);
  EXPECT_EQ(Date::Today(), Ymd(2025, 3, 7));
  ::unsetenv("XINYONG_TODAY");
  const Date real = Date::Today();
  EXPECT_GE(real, Ymd(2025, 1, 1));
  EXPECT_LE(real, Ymd(2999, 12, 31));
}

}  // namespace
}  // namespace xinyong
