// Date: a civil (proleptic Gregorian) calendar day, stored as days since 1970-01-01.
// Used for decision dates, deadlines and publicity periods. Plain value, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace xinyong {

class Date {
 public:
  constexpr Date() = default;
  static constexpr Date FromDays(int32_t days) { return Date(days); }
  // Returns an error unless year/month/day name a real day in years 1900..2999.
  static Result<Date> FromYmd(int year, int month, int day);
  // Parses `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYYMMDD`, and `YYYY年M月D日`; single-digit month/day
  // are accepted with separators (`2025/3/7`). Surrounding spaces are ignored.
  static Result<Date> Parse(std::string_view text);
  // Today in China Standard Time (UTC+8), or the date in XINYONG_TODAY when set (for tests).
  static Date Today();

  int32_t days() const { return days_; }
  int year() const;
  int month() const;
  int day() const;
  // 0 = Monday … 6 = Sunday.
  int weekday() const;
  bool IsWeekend() const { return weekday() >= 5; }
  Date AddDays(int32_t n) const { return Date(days_ + n); }
  // Adds calendar months, clamping the day to the end of the target month (1-31 + 1 month = 2-28).
  Date AddMonths(int months) const;
  // `YYYY-MM-DD`.
  std::string ToString() const;
  // `YYYYMMDD` as an integer (20250307), handy for compact keys.
  uint32_t ToYmdNumber() const;

  auto operator<=>(const Date&) const = default;
  bool operator==(const Date&) const = default;

 private:
  constexpr explicit Date(int32_t days) : days_(days) {}
  int32_t days_ = 0;
};

// Howard Hinnant's days-from-civil algorithm (public domain description), proleptic Gregorian.
int32_t DaysFromCivil(int y, unsigned m, unsigned d);
void CivilFromDays(int32_t z, int* y, unsigned* m, unsigned* d);
bool IsValidYmd(int y, int m, int d);

}  // namespace xinyong
