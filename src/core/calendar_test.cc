#include "core/calendar.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace xinyong {
namespace {

std::string DataFile() {
  const char* env = std::getenv("XINYONG_SOURCE_DIR");
  std::string root = env != nullptr && *env != '\0' ? env : XINYONG_SOURCE_DIR;
  return root + "/data/calendar/cn_workdays.toml";
}

Date D(const char* text) { return Date::Parse(text).value(); }

// Loads the shipped data file once for all tests.
class WorkCalendarTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<WorkCalendar> cal = WorkCalendar::LoadFile(DataFile());
    ASSERT_TRUE(cal.ok()) << cal.status().ToString();
    calendar_ = new WorkCalendar(std::move(cal).value());
  }
  static void TearDownTestSuite() {
    delete calendar_;
    calendar_ = nullptr;
  }

  static bool Workday(const char* text) {
    Result<bool> r = calendar_->IsWorkday(D(text));
    EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
    return r.ok() && *r;
  }

  static WorkCalendar* calendar_;
};

WorkCalendar* WorkCalendarTest::calendar_ = nullptr;

TEST_F(WorkCalendarTest, ShippedFileCovers2015Through2026) {
  EXPECT_EQ(calendar_->first_year(), 2015);
  EXPECT_EQ(calendar_->last_year(), 2026);
  EXPECT_TRUE(calendar_->Covers(D("2015-01-01")));
  EXPECT_TRUE(calendar_->Covers(D("2026-12-31")));
  EXPECT_FALSE(calendar_->Covers(D("2014-12-31")));
  EXPECT_FALSE(calendar_->Covers(D("2027-01-01")));
}

TEST_F(WorkCalendarTest, OrdinaryWeekdaysWorkAndWeekendsRest) {
  EXPECT_TRUE(Workday("2025-03-12"));   // Wednesday
  EXPECT_FALSE(Workday("2025-03-15"));  // Saturday
  EXPECT_FALSE(Workday("2025-03-16"));  // Sunday
}

TEST_F(WorkCalendarTest, NationalDayIsNotAWorkday) {
  EXPECT_FALSE(Workday("2025-10-01"));
  EXPECT_FALSE(Workday("2025-10-08"));  // Mid-Autumn joined to Golden Week in 2025
  EXPECT_TRUE(Workday("2025-10-09"));
}

TEST_F(WorkCalendarTest, AdjustedWeekendDaysAreWorkdays) {
  EXPECT_TRUE(Workday("2025-09-28"));  // Sunday before Golden Week
  EXPECT_TRUE(Workday("2025-10-11"));  // Saturday after it
  EXPECT_TRUE(Workday("2024-02-04"));  // Sunday before Spring Festival
  EXPECT_TRUE(Workday("2026-02-28"));  // Saturday, from the 2026 notice
}

TEST_F(WorkCalendarTest, NewYearsEveIsAStatutoryHolidayFrom2025Only) {
  EXPECT_FALSE(Workday("2025-01-28"));  // 除夕, Tuesday
  // In 2024 除夕 (Friday 9 February) was only "encouraged" leave, officially a working day.
  EXPECT_TRUE(Workday("2024-02-09"));
}

TEST_F(WorkCalendarTest, DatesAPreviousYearNoticeMovedAreHonoured) {
  EXPECT_TRUE(Workday("2018-12-29"));   // Saturday worked for New Year 2019
  EXPECT_FALSE(Workday("2018-12-31"));  // Monday off for New Year 2019
  EXPECT_FALSE(Workday("2020-01-31"));  // Spring Festival 2020 extended (COVID-19)
  EXPECT_FALSE(Workday("2020-02-01"));  // ... which cancelled this Saturday's work
  EXPECT_FALSE(Workday("2015-09-03"));  // one-off 70th anniversary holiday
  EXPECT_TRUE(Workday("2015-09-06"));
}

TEST_F(WorkCalendarTest, AddWorkdaysSkipsGoldenWeek) {
  EXPECT_EQ(calendar_->AddWorkdays(D("2025-09-30"), 1).value(), D("2025-10-09"));
  EXPECT_EQ(calendar_->AddWorkdays(D("2025-09-26"), 1).value(), D("2025-09-28"));
  EXPECT_EQ(calendar_->AddWorkdays(D("2025-09-26"), 4).value(), D("2025-10-09"));
  EXPECT_EQ(calendar_->AddWorkdays(D("2025-09-26"), 6).value(), D("2025-10-11"));
  EXPECT_EQ(calendar_->AddWorkdays(D("2025-09-26"), 7).value(), D("2025-10-13"));
  // Starting on a holiday: the start never counts.
  EXPECT_EQ(calendar_->AddWorkdays(D("2025-10-03"), 1).value(), D("2025-10-09"));
}

TEST_F(WorkCalendarTest, AddWorkdaysCrossesYears) {
  // Friday 2025-12-26 + 5: Mon 29, Tue 30, Wed 31, (1-3 Jan 2026 off, Sun 4 Jan worked), Mon 5.
  EXPECT_EQ(calendar_->AddWorkdays(D("2025-12-26"), 4).value(), D("2026-01-04"));
  EXPECT_EQ(calendar_->AddWorkdays(D("2025-12-26"), 5).value(), D("2026-01-05"));
}

TEST_F(WorkCalendarTest, AddWorkdaysRejectsNonPositiveCounts) {
  Result<Date> r = calendar_->AddWorkdays(D("2025-06-03"), 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(WorkCalendarTest, WorkdaysBetweenCountsTheHalfOpenRange) {
  EXPECT_EQ(calendar_->WorkdaysBetween(D("2025-09-30"), D("2025-10-08")).value(), 0);
  EXPECT_EQ(calendar_->WorkdaysBetween(D("2025-09-26"), D("2025-10-12")).value(), 6);
  EXPECT_EQ(calendar_->WorkdaysBetween(D("2025-10-09"), D("2025-10-09")).value(), 0);
  EXPECT_EQ(calendar_->WorkdaysBetween(D("2025-10-10"), D("2025-10-09")).value(), 0);
}

TEST_F(WorkCalendarTest, WholeYearsHaveTheLegalNumberOfWorkdays) {
  // Weekdays minus statutory days off: 262 - 11 in 2024; 261 - 13 in 2025 (the amended Measures
  // add 除夕 and a second Labour Day); 261 - 13 in 2026. Swapped weekend days cancel out.
  EXPECT_EQ(calendar_->WorkdaysBetween(D("2023-12-31"), D("2024-12-31")).value(), 251);
  EXPECT_EQ(calendar_->WorkdaysBetween(D("2024-12-31"), D("2025-12-31")).value(), 248);
  EXPECT_EQ(calendar_->WorkdaysBetween(D("2025-12-31"), D("2026-12-31")).value(), 248);
}

TEST_F(WorkCalendarTest, YearsOutsideTheFileAreErrorsNamingTheYear) {
  Result<bool> before = calendar_->IsWorkday(D("2014-12-31"));
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(before.status().message().find("2014"), std::string::npos);

  Result<bool> after = calendar_->IsWorkday(D("2027-01-04"));
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(after.status().message(),
            "the working-day calendar has no data for 2027; add it to "
            "data/calendar/cn_workdays.toml");
}

TEST_F(WorkCalendarTest, AddWorkdaysFailsWhenItRunsPastTheLastYear) {
  // Monday 2026-12-28: Tue 29, Wed 30 and Thu 31 are the last working days the file knows.
  EXPECT_EQ(calendar_->AddWorkdays(D("2026-12-28"), 3).value(), D("2026-12-31"));
  Result<Date> r = calendar_->AddWorkdays(D("2026-12-28"), 4);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("2027"), std::string::npos);
}

TEST_F(WorkCalendarTest, WorkdaysBetweenFailsOutsideTheFile) {
  Result<int> late = calendar_->WorkdaysBetween(D("2026-12-01"), D("2027-01-05"));
  ASSERT_FALSE(late.ok());
  EXPECT_NE(late.status().message().find("2027"), std::string::npos);
  Result<int> early = calendar_->WorkdaysBetween(D("2014-12-01"), D("2015-01-05"));
  ASSERT_FALSE(early.ok());
  EXPECT_NE(early.status().message().find("2014"), std::string::npos);
  // Starting on the last day before the file is fine: that day itself is not counted.
  EXPECT_EQ(calendar_->WorkdaysBetween(D("2014-12-31"), D("2015-01-05")).value(), 2);
}

// --- Parsing small hand-written files -----------------------------------------------------

// Expects Parse to fail with InvalidArgument whose message contains every fragment.
void ExpectParseError(const std::string& text, std::initializer_list<const char*> fragments) {
  Result<WorkCalendar> r = WorkCalendar::Parse(text, "bad.toml");
  ASSERT_FALSE(r.ok()) << text;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  for (const char* f : fragments) {
    EXPECT_NE(r.status().message().find(f), std::string::npos)
        << "missing '" << f << "' in: " << r.status().message();
  }
}

TEST(WorkCalendarParseTest, SmallFileGivesTheExpectedDays) {
  Result<WorkCalendar> r = WorkCalendar::Parse(R"(
[2025]
holidays = [{ name = "国庆节", from = 2025-10-01, to = 2025-10-08 }]
workdays = [2025-09-28]
[2026]
holidays = []
workdays = []
)",
                                               "mini.toml");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->first_year(), 2025);
  EXPECT_EQ(r->last_year(), 2026);
  EXPECT_FALSE(r->IsWorkday(D("2025-10-03")).value());
  EXPECT_TRUE(r->IsWorkday(D("2025-09-28")).value());
  EXPECT_TRUE(r->IsWorkday(D("2026-01-01")).value());  // no holidays listed for 2026
}

TEST(WorkCalendarParseTest, SyntaxErrorNamesFileAndLine) {
  ExpectParseError("[2025]\nholidays = [2025-10-01\nworkdays = [2025-09-28]\n",
                   {"bad.toml:", "not valid TOML", "workdays = [2025-09-28]"});
  ExpectParseError("[2025]\nholidays = []\nworkdays = [2025-13-01]\n", {"bad.toml:3:"});
}

TEST(WorkCalendarParseTest, DateInTheWrongYearTableNamesFileLineAndDate) {
  ExpectParseError("[2025]\nholidays = []\nworkdays = [2026-01-04]\n",
                   {"bad.toml:3:", "2026-01-04", "2025"});
}

TEST(WorkCalendarParseTest, DuplicateHolidayDateIsAnError) {
  ExpectParseError(R"([2025]
holidays = [
  { name = "a", from = 2025-10-01, to = 2025-10-03 },
  { name = "b", from = 2025-10-03, to = 2025-10-04 },
]
workdays = []
)",
                   {"bad.toml:4:", "duplicate", "2025-10-03", "line 3"});
}

TEST(WorkCalendarParseTest, DuplicateWorkdayIsAnError) {
  ExpectParseError("[2025]\nholidays = []\nworkdays = [2025-09-28,\n 2025-09-28]\n",
                   {"bad.toml:4:", "duplicate", "2025-09-28"});
}

TEST(WorkCalendarParseTest, WorkdayInsideAHolidayIsAnError) {
  ExpectParseError(R"([2025]
holidays = [{ name = "国庆节", from = 2025-10-01, to = 2025-10-08 }]
workdays = [2025-10-04]
)",
                   {"bad.toml:3:", "2025-10-04", "holiday on line 2"});
}

TEST(WorkCalendarParseTest, WorkdayOnAWeekdayIsAnError) {
  ExpectParseError("[2025]\nholidays = []\nworkdays = [2025-10-09]\n",
                   {"bad.toml:3:", "2025-10-09", "weekday"});
}

TEST(WorkCalendarParseTest, GapBetweenYearsIsAnError) {
  ExpectParseError("[2024]\nholidays = []\nworkdays = []\n[2026]\nholidays = []\nworkdays = []\n",
                   {"bad.toml:", "2025 is missing"});
}

TEST(WorkCalendarParseTest, MisspeltKeyIsAnError) {
  ExpectParseError("[2025]\nholidays = []\nworkday = [2025-09-28]\n", {"bad.toml:3:", "workday"});
}

TEST(WorkCalendarParseTest, QuotedDateIsAnError) {
  ExpectParseError("[2025]\nholidays = []\nworkdays = [\"2025-09-28\"]\n",
                   {"bad.toml:3:", "TOML date"});
}

TEST(WorkCalendarParseTest, HolidayEndingBeforeItStartsIsAnError) {
  ExpectParseError(
      "[2025]\nholidays = [{ name = \"x\", from = 2025-10-08, to = 2025-10-01 }]\nworkdays = []\n",
      {"bad.toml:2:", "before it starts"});
}

TEST(WorkCalendarParseTest, NonYearTableIsAnError) {
  ExpectParseError("[calendar]\nholidays = []\nworkdays = []\n", {"bad.toml", "not a year"});
}

TEST(WorkCalendarParseTest, EmptyFileIsAnError) {
  ExpectParseError("# nothing yet\n", {"bad.toml", "no years"});
}

TEST(WorkCalendarParseTest, MissingFileIsNotFoundNamingThePath) {
  Result<WorkCalendar> r = WorkCalendar::LoadFile("/nonexistent/cn_workdays.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/cn_workdays.toml"), std::string::npos);
}

// Operators are told in time that the calendar runs out: from 60 days before its last day (or
// another margin), naming that day and the year to add — and after it, that it has ended.
TEST(WorkCalendarParseTest, WarnsBeforeItsDataRunsOut) {
  Result<WorkCalendar> r = WorkCalendar::Parse(R"(
[2025]
holidays = []
workdays = []
[2026]
holidays = []
workdays = []
)",
                                               "mini.toml");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->covered_until(), D("2026-12-31"));
  EXPECT_EQ(r->CoverageWarning(D("2026-10-31")), "");
  const std::string soon = r->CoverageWarning(D("2026-11-22"));
  EXPECT_NE(soon.find("ends on 2026-12-31"), std::string::npos) << soon;
  EXPECT_NE(soon.find("2027"), std::string::npos) << soon;
  EXPECT_EQ(r->CoverageWarning(D("2026-11-22"), 30), "");
  const std::string late = r->CoverageWarning(D("2027-03-01"));
  EXPECT_NE(late.find("ended on 2026-12-31"), std::string::npos) << late;
}

}  // namespace
}  // namespace xinyong
