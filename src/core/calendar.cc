#include "core/calendar.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <toml.hpp>
#include <unordered_map>
#include <utility>

namespace xinyong {

namespace {

// std::map keeps the year tables in key order, so "the first problem" is the same on every run.
using TomlValue = toml::basic_value<toml::discard_comments, std::map, std::vector>;

constexpr std::string_view kDataFile = "data/calendar/cn_workdays.toml";

// "file:line: message" for a problem with one value of the file.
Status BadValue(const TomlValue& v, const std::string& message) {
  const toml::source_location loc = v.location();
  return Status::InvalidArgument(loc.file_name() + ":" + std::to_string(loc.line()) + ": " +
                                 message);
}

Status NotCovered(int year) {
  return Status::FailedPrecondition("the working-day calendar has no data for " +
                                    std::to_string(year) + "; add it to " + std::string(kDataFile));
}

// Converts a TOML local date (not a string, not a date-time) into a Date inside `year`.
Result<Date> ReadDate(const TomlValue& v, int year, std::string_view what) {
  if (!v.is_local_date()) {
    return BadValue(v, std::string(what) + " must be a TOML date like " + std::to_string(year) +
                           "-10-01 (no quotes, no time)");
  }
  const toml::local_date& ld = v.as_local_date();
  // toml11 numbers months from 0.
  Result<Date> d = Date::FromYmd(ld.year, ld.month + 1, ld.day);
  if (!d.ok()) return BadValue(v, d.status().message());
  if (d->year() != year) {
    return BadValue(v, d->ToString() + " is in the table of " + std::to_string(year) +
                           "; every date belongs in the table of its own year");
  }
  return d;
}

// Rejects keys other than `allowed` so that a misspelt key cannot silently drop data.
Status CheckKeys(const TomlValue& table, std::initializer_list<std::string_view> allowed,
                 std::string_view where) {
  for (const auto& [key, value] : table.as_table()) {
    bool known = false;
    for (std::string_view a : allowed) known = known || key == a;
    if (!known) {
      std::string list;
      for (std::string_view a : allowed) {
        if (!list.empty()) list += ", ";
        list += a;
      }
      return BadValue(
          value, "unknown key '" + key + "' in " + std::string(where) + " (expected " + list + ")");
    }
  }
  return Status::Ok();
}

const TomlValue* Find(const TomlValue& table, const std::string& key) {
  const auto& t = table.as_table();
  auto it = t.find(key);
  return it == t.end() ? nullptr : &it->second;
}

// How each day of the covered years was marked, with the value that marked it, for messages.
struct Marks {
  std::unordered_map<int32_t, const TomlValue*> holidays;
  std::unordered_map<int32_t, const TomlValue*> workdays;
};

std::string LineOf(const TomlValue* v) { return std::to_string(v->location().line()); }

Status ReadYear(const TomlValue& table, int year, Marks* marks) {
  const std::string where = "[" + std::to_string(year) + "]";
  if (!table.is_table()) {
    return BadValue(
        table, "'" + std::to_string(year) + "' must be a table ([" + std::to_string(year) + "])");
  }
  XY_RETURN_IF_ERROR(CheckKeys(table, {"holidays", "workdays"}, where));
  const TomlValue* holidays = Find(table, "holidays");
  const TomlValue* workdays = Find(table, "workdays");
  if (holidays == nullptr || workdays == nullptr) {
    return BadValue(table, where + " needs both 'holidays' and 'workdays' (an empty list is fine)");
  }
  if (!holidays->is_array()) return BadValue(*holidays, where + " holidays must be a list");
  if (!workdays->is_array()) return BadValue(*workdays, where + " workdays must be a list");

  for (const TomlValue& h : holidays->as_array()) {
    if (!h.is_table()) {
      return BadValue(h,
                      "each holiday must be { name = \"...\", from = YYYY-MM-DD, to = "
                      "YYYY-MM-DD }");
    }
    XY_RETURN_IF_ERROR(CheckKeys(h, {"name", "from", "to"}, "a holiday of " + where));
    const TomlValue* name = Find(h, "name");
    const TomlValue* from_v = Find(h, "from");
    const TomlValue* to_v = Find(h, "to");
    if (name == nullptr || from_v == nullptr || to_v == nullptr) {
      return BadValue(h, "a holiday needs name, from and to");
    }
    if (!name->is_string() || name->as_string().str.empty()) {
      return BadValue(*name, "a holiday's name must be a non-empty string");
    }
    XY_ASSIGN_OR_RETURN(Date from, ReadDate(*from_v, year, "from"));
    XY_ASSIGN_OR_RETURN(Date to, ReadDate(*to_v, year, "to"));
    if (to < from) {
      return BadValue(h, "holiday '" + name->as_string().str + "' ends (" + to.ToString() +
                             ") before it starts (" + from.ToString() + ")");
    }
    for (Date d = from; d <= to; d = d.AddDays(1)) {
      auto [it, inserted] = marks->holidays.emplace(d.days(), &h);
      if (!inserted) {
        return BadValue(h, "duplicate date " + d.ToString() + ": already a holiday on line " +
                               LineOf(it->second));
      }
    }
  }

  for (const TomlValue& w : workdays->as_array()) {
    XY_ASSIGN_OR_RETURN(Date d, ReadDate(w, year, "a working day"));
    if (!d.IsWeekend()) {
      return BadValue(w, d.ToString() +
                             " is a weekday; 'workdays' lists only the Saturdays "
                             "and Sundays that are worked");
    }
    auto [it, inserted] = marks->workdays.emplace(d.days(), &w);
    if (!inserted) {
      return BadValue(w, "duplicate date " + d.ToString() + ": already a working day on line " +
                             LineOf(it->second));
    }
    auto clash = marks->holidays.find(d.days());
    if (clash != marks->holidays.end()) {
      return BadValue(w, d.ToString() +
                             " is listed as a working day but is inside the holiday "
                             "on line " +
                             LineOf(clash->second));
    }
  }
  return Status::Ok();
}

// Parses a year key: exactly four digits naming a year Date supports.
bool ParseYearKey(const std::string& key, int* year) {
  if (key.size() != 4) return false;
  int y = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return false;
    y = y * 10 + (c - '0');
  }
  if (!IsValidYmd(y, 1, 1)) return false;
  *year = y;
  return true;
}

// toml11 3.7 reports syntax errors as text whose excerpt lines look like " 12 | key = ...";
// the exception's own source_location is not always filled in, so read the first excerpt line.
int FirstAnnotatedLine(std::string_view what) {
  size_t pos = 0;
  while (pos < what.size()) {
    size_t end = what.find('\n', pos);
    if (end == std::string_view::npos) end = what.size();
    std::string_view line = what.substr(pos, end - pos);
    size_t i = 0;
    while (i < line.size() && line[i] == ' ') ++i;
    int number = 0;
    size_t digits = 0;
    while (i < line.size() && line[i] >= '0' && line[i] <= '9' && digits < 9) {
      number = number * 10 + (line[i] - '0');
      ++i;
      ++digits;
    }
    if (digits > 0 && line.substr(i, 2) == " |") return number;
    pos = end + 1;
  }
  return 0;
}

}  // namespace

Result<WorkCalendar> WorkCalendar::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open working-day calendar " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::DataLoss("cannot read working-day calendar " + path);
  return Parse(text.str(), path);
}

Result<WorkCalendar> WorkCalendar::Parse(std::string_view text, std::string_view source_name) {
  const std::string source(source_name);
  TomlValue root;
  try {
    std::istringstream in{std::string(text)};
    root = toml::parse<toml::discard_comments, std::map, std::vector>(in, source);
  } catch (const std::exception& e) {
    // what() continues with toml11's annotated excerpt of the offending lines.
    std::string where = source;
    if (int line = FirstAnnotatedLine(e.what()); line > 0) where += ":" + std::to_string(line);
    return Status::InvalidArgument(where + ": not valid TOML: " + e.what());
  }

  Marks marks;
  int first = 0;
  int last = -1;
  const TomlValue* previous = nullptr;
  try {
    for (const auto& [key, table] : root.as_table()) {
      int year = 0;
      if (!ParseYearKey(key, &year)) {
        return BadValue(table, "'" + key +
                                   "' is not a year; the file holds one table per year, "
                                   "like [2025]");
      }
      if (previous != nullptr && year != last + 1) {
        return BadValue(
            table, "years must follow each other without gaps: " + std::to_string(last) +
                       " is followed by " + std::to_string(year) + " (" + std::to_string(last + 1) +
                       " is missing)");
      }
      XY_RETURN_IF_ERROR(ReadYear(table, year, &marks));
      if (previous == nullptr) first = year;
      last = year;
      previous = &table;
    }
  } catch (const std::exception& e) {
    // Every type is checked before use; this only guards against a toml11 surprise.
    return Status::InvalidArgument(source + ": " + e.what());
  }
  if (previous == nullptr) {
    return Status::InvalidArgument(source + ": no years defined; add a table like [2025]");
  }

  WorkCalendar cal;
  cal.first_year_ = first;
  cal.last_year_ = last;
  cal.first_day_ = DaysFromCivil(first, 1, 1);
  const int32_t end_day = DaysFromCivil(last + 1, 1, 1);
  cal.workday_.resize(static_cast<size_t>(end_day - cal.first_day_));
  for (int32_t day = cal.first_day_; day < end_day; ++day) {
    const bool weekday = !Date::FromDays(day).IsWeekend();
    cal.workday_[static_cast<size_t>(day - cal.first_day_)] =
        (weekday && !marks.holidays.contains(day)) || marks.workdays.contains(day);
  }
  return cal;
}

Result<bool> WorkCalendar::IsWorkday(Date d) const {
  if (!Covers(d)) return NotCovered(d.year());
  return static_cast<bool>(workday_[static_cast<size_t>(d.days() - first_day_)]);
}

Date WorkCalendar::covered_until() const {
  auto d = Date::FromYmd(last_year_, 12, 31);
  return d.ok() ? *d : Date();
}

std::string WorkCalendar::CoverageWarning(Date today, int days) const {
  const Date end = covered_until();
  if (today.AddDays(days) <= end) return "";
  const int next = std::max(last_year_ + 1, today.year());
  std::string w = today > end ? "the working-day calendar ended on " + end.ToString()
                              : "the working-day calendar ends on " + end.ToString();
  return w + ": add the State Council's " + std::to_string(next) +
         " holidays and adjusted working days (调休) to data/calendar/cn_workdays.toml; working-day "
         "deadlines (objections, repairs, 双公示 timeliness) running past that day cannot be "
         "computed until then";
}

Result<Date> WorkCalendar::AddWorkdays(Date start, int n) const {
  if (n < 1) {
    return Status::InvalidArgument("AddWorkdays needs n >= 1, got " + std::to_string(n));
  }
  Date d = start;
  while (n > 0) {
    d = d.AddDays(1);
    if (!Covers(d)) return NotCovered(d.year());
    if (workday_[static_cast<size_t>(d.days() - first_day_)]) --n;
  }
  return d;
}

Result<int> WorkCalendar::WorkdaysBetween(Date from, Date to) const {
  if (to <= from) return 0;
  const Date first = from.AddDays(1);
  if (!Covers(first)) return NotCovered(first.year());
  if (!Covers(to)) return NotCovered(last_year_ + 1);
  int count = 0;
  for (int32_t day = first.days(); day <= to.days(); ++day) {
    count += workday_[static_cast<size_t>(day - first_day_)] ? 1 : 0;
  }
  return count;
}

}  // namespace xinyong
