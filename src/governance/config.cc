#include "governance/config.h"

#include <fstream>
#include <set>
#include <sstream>

#include <toml.hpp>

namespace xinyong::governance {

namespace {

Status At(std::string_view source, const toml::value& v, std::string_view message) {
  return Status::InvalidArgument(std::string(source) + ":" + std::to_string(v.location().line()) +
                                 ": " + std::string(message));
}

// A positive integer setting of [section] (absent: `*out` unchanged).
Status PositiveInt(std::string_view source, const toml::value& section, const char* key,
                   uint64_t* out) {
  if (!section.contains(key)) return Status::Ok();
  const toml::value& v = section.at(key);
  if (!v.is_integer() || v.as_integer() < 1) {
    return At(source, v, std::string("`") + key + "` must be an integer of at least 1");
  }
  *out = static_cast<uint64_t>(v.as_integer());
  return Status::Ok();
}

}  // namespace

std::string_view FrequencyName(Frequency f) {
  switch (f) {
    case Frequency::kDaily: return "daily";
    case Frequency::kWeekly: return "weekly";
    case Frequency::kMonthly: return "monthly";
  }
  return "monthly";
}

std::string_view FrequencyLabel(Frequency f) {
  switch (f) {
    case Frequency::kDaily: return "每个工作日";
    case Frequency::kWeekly: return "每周";
    case Frequency::kMonthly: return "每月";
  }
  return "每月";
}

Result<GovernanceConfig> GovernanceConfig::Parse(std::string_view text,
                                                 std::string_view source_name) {
  const std::string source(source_name);
  toml::value root;
  try {
    std::istringstream stream{std::string(text)};
    root = toml::parse(stream, source);
  } catch (const toml::exception& e) {
    std::string what = e.what();
    return Status::InvalidArgument(source + ":" + std::to_string(e.location().line()) +
                                   ": not valid TOML: " + what.substr(0, what.find('\n')));
  } catch (const std::exception& e) {
    return Status::InvalidArgument(source + ":1: not valid TOML: " + e.what());
  }
  GovernanceConfig c;
  if (root.contains("gaps")) {
    const toml::value& g = root.at("gaps");
    if (!g.is_table()) return At(source, g, "[gaps] must be a table");
    uint64_t listed = c.max_listed_gaps;
    XY_RETURN_IF_ERROR(PositiveInt(source, g, "max_listed", &listed));
    c.max_listed_gaps = static_cast<size_t>(listed);
    XY_RETURN_IF_ERROR(PositiveInt(source, g, "max_span", &c.max_gap_span));
    XY_RETURN_IF_ERROR(PositiveInt(source, g, "max_counted_gap", &c.max_counted_gap));
  }
  if (root.contains("report")) {
    const toml::value& r = root.at("report");
    if (!r.is_table()) return At(source, r, "[report] must be a table");
    uint64_t examples = c.max_examples;
    XY_RETURN_IF_ERROR(PositiveInt(source, r, "max_examples", &examples));
    c.max_examples = static_cast<size_t>(examples);
  }
  if (root.contains("monitoring")) {
    const toml::value& m = root.at("monitoring");
    if (!m.is_table()) return At(source, m, "[monitoring] must be a table");
    if (m.contains("approval_commitment_type")) {
      const toml::value& v = m.at("approval_commitment_type");
      if (!v.is_string() || v.as_string().str.empty()) {
        return At(source, v, "`approval_commitment_type` must be a non-empty string");
      }
      c.approval_commitment_type = v.as_string().str;
    }
  }
  if (root.contains("department")) {
    const toml::value& list = root.at("department");
    if (!list.is_array()) return At(source, list, "`department` must be an array of tables ([[department]])");
    std::set<std::string> seen;
    for (const toml::value& d : list.as_array()) {
      if (!d.is_table()) return At(source, d, "each [[department]] must be a table");
      if (!d.contains("dept") || !d.at("dept").is_string() || d.at("dept").as_string().str.empty()) {
        return At(source, d, "a [[department]] needs `dept`, the department as batches record it");
      }
      DepartmentSchedule s;
      s.dept = d.at("dept").as_string().str;
      if (!seen.insert(s.dept).second) return At(source, d, "department '" + s.dept + "' is listed twice");
      if (!d.contains("frequency") || !d.at("frequency").is_string()) {
        return At(source, d, "department '" + s.dept + "' needs `frequency` (daily, weekly or monthly)");
      }
      const std::string f = d.at("frequency").as_string().str;
      if (f == "daily") {
        s.frequency = Frequency::kDaily;
      } else if (f == "weekly") {
        s.frequency = Frequency::kWeekly;
      } else if (f == "monthly") {
        s.frequency = Frequency::kMonthly;
      } else {
        return At(source, d.at("frequency"),
                  "frequency '" + f + "' of department '" + s.dept +
                      "' is not one of daily, weekly, monthly");
      }
      c.departments.push_back(std::move(s));
    }
  }
  return c;
}

Result<GovernanceConfig> GovernanceConfig::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Unavailable("cannot open governance settings '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::Unavailable("cannot read governance settings '" + path + "'");
  return Parse(text.str(), path);
}

}  // namespace xinyong::governance
