#include "core/date.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace xinyong {

int32_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

void CivilFromDays(int32_t z, int* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int>(yoe) + era * 400 + (*m <= 2);
}

bool IsValidYmd(int y, int m, int d) {
  if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int max = kDays[m - 1];
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) max = 29;
  return d <= max;
}

Result<Date> Date::FromYmd(int year, int month, int day) {
  if (!IsValidYmd(year, month, day)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d is not a real date", year, month, day);
    return Status::InvalidArgument(buf);
  }
  return Date(DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)));
}

namespace {

// Reads 1..max_digits decimal digits at text[*pos]; false if none.
bool ReadNumber(std::string_view text, size_t* pos, size_t max_digits, int* out) {
  size_t start = *pos;
  int v = 0;
  while (*pos < text.size() && *pos - start < max_digits && text[*pos] >= '0' &&
         text[*pos] <= '9') {
    v = v * 10 + (text[*pos] - '0');
    ++*pos;
  }
  *out = v;
  return *pos > start;
}

bool Consume(std::string_view text, size_t* pos, std::string_view token) {
  if (text.substr(*pos, token.size()) != token) return false;
  *pos += token.size();
  return true;
}

}  // namespace

Result<Date> Date::Parse(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  auto bad = [&] {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not a date (expected YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD)");
  };
  int y = 0, m = 0, d = 0;
  size_t pos = 0;
  if (text.size() == 8 && text.find_first_not_of("0123456789") == std::string_view::npos) {
    y = std::atoi(std::string(text.substr(0, 4)).c_str());
    m = std::atoi(std::string(text.substr(4, 2)).c_str());
    d = std::atoi(std::string(text.substr(6, 2)).c_str());
  } else {
    if (!ReadNumber(text, &pos, 4, &y) || pos != 4) return bad();
    bool chinese = false;
    if (Consume(text, &pos, "年")) {
      chinese = true;
    } else if (!Consume(text, &pos, "-") && !Consume(text, &pos, "/") &&
               !Consume(text, &pos, ".")) {
      return bad();
    }
    if (!ReadNumber(text, &pos, 2, &m)) return bad();
    if (chinese ? !Consume(text, &pos, "月")
                : !(Consume(text, &pos, "-") || Consume(text, &pos, "/") ||
                    Consume(text, &pos, "."))) {
      return bad();
    }
    if (!ReadNumber(text, &pos, 2, &d)) return bad();
    if (chinese) Consume(text, &pos, "日");
    // Tolerate a trailing time of day ("2025-03-07 00:00:00"), which spreadsheets often add.
    if (pos < text.size() && text[pos] != ' ' && text[pos] != 'T') return bad();
  }
  auto r = FromYmd(y, m, d);
  if (!r.ok()) return bad();
  return r;
}

Date Date::Today() {
  if (const char* fixed = std::getenv("XINYONG_TODAY"); fixed != nullptr && *fixed != '\0') {
    auto r = Parse(fixed);
    if (r.ok()) return *r;
  }
  using namespace std::chrono;
  auto secs = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
  secs += 8 * 3600;  // China Standard Time, no daylight saving.
  return Date(static_cast<int32_t>(secs / 86400));
}

int Date::year() const {
  int y; unsigned m, d;
  CivilFromDays(days_, &y, &m, &d);
  return y;
}
int Date::month() const {
  int y; unsigned m, d;
  CivilFromDays(days_, &y, &m, &d);
  return static_cast<int>(m);
}
int Date::day() const {
  int y; unsigned m, d;
  CivilFromDays(days_, &y, &m, &d);
  return static_cast<int>(d);
}

int Date::weekday() const {
  // 1970-01-01 was a Thursday (3 when Monday is 0).
  int w = (days_ + 3) % 7;
  return w < 0 ? w + 7 : w;
}

Date Date::AddMonths(int months) const {
  int y; unsigned m, d;
  CivilFromDays(days_, &y, &m, &d);
  int total = y * 12 + static_cast<int>(m) - 1 + months;
  int ny = total / 12, nm = total % 12 + 1;
  int nd = static_cast<int>(d);
  while (!IsValidYmd(ny, nm, nd) && nd > 28) --nd;
  return Date(DaysFromCivil(ny, static_cast<unsigned>(nm), static_cast<unsigned>(nd)));
}

std::string Date::ToString() const {
  int y; unsigned m, d;
  CivilFromDays(days_, &y, &m, &d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
  return buf;
}

uint32_t Date::ToYmdNumber() const {
  int y; unsigned m, d;
  CivilFromDays(days_, &y, &m, &d);
  return static_cast<uint32_t>(y) * 10000 + m * 100 + d;
}

}  // namespace xinyong
