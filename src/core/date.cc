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

// Reads exactly two digits at text[*pos] into *out.
bool ReadTwoDigits(std::string_view text, size_t* pos, int* out) {
  const size_t start = *pos;
  return ReadNumber(text, pos, 2, out) && *pos - start == 2;
}

// True for " H:MM", " HH:MM:SS", "THH:MM:SS.fff": a separator, then hours and minutes, optional
// seconds and fraction. The values are only recognized, not used.
bool IsTimeOfDay(std::string_view text) {
  size_t pos = 0;
  int hours = 0, minutes = 0, seconds = 0;
  if (!Consume(text, &pos, " ") && !Consume(text, &pos, "T")) return false;
  while (pos < text.size() && text[pos] == ' ') ++pos;
  if (!ReadNumber(text, &pos, 2, &hours) || hours > 23) return false;
  if (!Consume(text, &pos, ":") || !ReadTwoDigits(text, &pos, &minutes) || minutes > 59) {
    return false;
  }
  if (Consume(text, &pos, ":")) {
    if (!ReadTwoDigits(text, &pos, &seconds) || seconds > 60) return false;  // 60: leap second
    if (Consume(text, &pos, ".")) {
      const size_t start = pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
      if (pos == start) return false;
    }
  }
  return pos == text.size();
}

}  // namespace

Result<Date> Date::Parse(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  auto bad = [&] {
    return Status::InvalidArgument(
        "'" + std::string(text) +
        "' is not a date (expected YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD or YYYY年M月D日)");
  };
  int y = 0, m = 0, d = 0;
  size_t pos = 0;
  if (text.size() == 8 && text.find_first_not_of("0123456789") == std::string_view::npos) {
    y = std::atoi(std::string(text.substr(0, 4)).c_str());
    m = std::atoi(std::string(text.substr(4, 2)).c_str());
    d = std::atoi(std::string(text.substr(6, 2)).c_str());
  } else {
    if (!ReadNumber(text, &pos, 4, &y) || pos != 4) return bad();
    // The month and day separators must match: "2025-03/07" is a typo, not a date.
    std::string_view sep;
    for (std::string_view candidate : {"年", "-", "/", "."}) {
      if (Consume(text, &pos, candidate)) {
        sep = candidate;
        break;
      }
    }
    if (sep.empty()) return bad();
    const bool chinese = sep == "年";
    if (!ReadNumber(text, &pos, 2, &m)) return bad();
    if (!Consume(text, &pos, chinese ? "月" : sep)) return bad();
    if (!ReadNumber(text, &pos, 2, &d)) return bad();
    if (chinese) Consume(text, &pos, "日");
    // Tolerate a trailing time of day ("2025-03-07 00:00:00", "2025/3/7 0:00"), which spreadsheets
    // often add, but nothing else: "2025-03-07 abc" is not a date.
    if (pos < text.size() && !IsTimeOfDay(text.substr(pos))) return bad();
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
  int y;
  unsigned m, d;
  CivilFromDays(days_, &y, &m, &d);
  return y;
}
int Date::month() const {
  int y;
  unsigned m, d;
  CivilFromDays(days_, &y, &m, &d);
  return static_cast<int>(m);
}
int Date::day() const {
  int y;
  unsigned m, d;
  CivilFromDays(days_, &y, &m, &d);
  return static_cast<int>(d);
}

int Date::weekday() const {
  // 1970-01-01 was a Thursday (3 when Monday is 0).
  int w = (days_ + 3) % 7;
  return w < 0 ? w + 7 : w;
}

Date Date::AddMonths(int months) const {
  int y;
  unsigned m, d;
  CivilFromDays(days_, &y, &m, &d);
  const int total = y * 12 + static_cast<int>(m) - 1 + months;
  const int ny = total >= 0 ? total / 12 : (total - 11) / 12;  // floor, for completeness
  const int nm = total - ny * 12 + 1;
  // Clamp by the length of the target month itself. IsValidYmd cannot be used for this: it also
  // rejects years outside 1900..2999, which used to clamp 2999-12-31 + 1 month to 3000-01-28.
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0;
  const unsigned last = nm == 2 && leap ? 29 : kDays[nm - 1];
  return Date(DaysFromCivil(ny, static_cast<unsigned>(nm), d < last ? d : last));
}

std::string Date::ToString() const {
  int y;
  unsigned m, d;
  CivilFromDays(days_, &y, &m, &d);
  if (y < 0 || y > 9999) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
    return buf;
  }
  // The common case without snprintf: ingestion formats a date per date cell.
  std::string out(10, '-');
  const unsigned uy = static_cast<unsigned>(y);
  out[0] = static_cast<char>('0' + uy / 1000);
  out[1] = static_cast<char>('0' + uy / 100 % 10);
  out[2] = static_cast<char>('0' + uy / 10 % 10);
  out[3] = static_cast<char>('0' + uy % 10);
  out[5] = static_cast<char>('0' + m / 10);
  out[6] = static_cast<char>('0' + m % 10);
  out[8] = static_cast<char>('0' + d / 10);
  out[9] = static_cast<char>('0' + d % 10);
  return out;
}

uint32_t Date::ToYmdNumber() const {
  int y;
  unsigned m, d;
  CivilFromDays(days_, &y, &m, &d);
  return static_cast<uint32_t>(y) * 10000 + m * 100 + d;
}

}  // namespace xinyong
