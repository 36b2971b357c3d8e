// WorkCalendar: China's official working-day calendar — weekends, public holidays and the
// weekend days worked in exchange (调休) as announced each year by the State Council.
// Loaded from a data file (data/calendar/cn_workdays.toml) that operators extend each December.
// A date in a year the file does not cover is an error, never a guess.
// Thread-safety: immutable after construction; safe to share between threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/status.h"

namespace xinyong {

class WorkCalendar {
 public:
  // Parses the file; InvalidArgument names the file and line of the first problem.
  static Result<WorkCalendar> LoadFile(const std::string& path);
  // `source_name` is used in error messages only.
  static Result<WorkCalendar> Parse(std::string_view text, std::string_view source_name);

  int first_year() const { return first_year_; }
  int last_year() const { return last_year_; }
  bool Covers(Date d) const { return d.year() >= first_year_ && d.year() <= last_year_; }

  // The last day the data covers: 31 December of last_year().
  Date covered_until() const;
  // When fewer than `days` calendar days of data are left after `today` (or none), a warning for
  // operators that names the last covered day and the year to add — every working-day deadline
  // that runs past it (objections: 12 working days, about 17 calendar days) cannot be computed;
  // "" otherwise.
  std::string CoverageWarning(Date today, int days = 60) const;

  // OutOfRange-style FailedPrecondition when the year is not covered.
  Result<bool> IsWorkday(Date d) const;
  // The n-th working day after `start` (n >= 1; `start` itself never counts).
  Result<Date> AddWorkdays(Date start, int n) const;
  // Number of working days in (from, to]; 0 when to <= from.
  Result<int> WorkdaysBetween(Date from, Date to) const;

 private:
  int first_year_ = 0;
  int last_year_ = -1;
  int32_t first_day_ = 0;  // days() of first_year_-01-01
  std::vector<bool> workday_;  // one entry per day from first_day_
};

}  // namespace xinyong
