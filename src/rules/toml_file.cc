#include "rules/toml_file.h"

#include <fstream>
#include <sstream>

namespace xinyong::rules {

namespace {

// "[error] toml::parse_key_value_pair: missing value ..." (first line) -> "missing value ...".
std::string TomlMessage(const std::string& what) {
  std::string first = what.substr(0, what.find('\n'));
  if (first.starts_with("[error] ")) first.erase(0, 8);
  const size_t colon = first.find(": ");
  if (first.starts_with("toml::") && colon != std::string::npos) first.erase(0, colon + 2);
  return first;
}

}  // namespace

Status FileError(const std::string& file, int line, std::string_view message) {
  return Status::InvalidArgument(file + ":" + std::to_string(line) + ": " + std::string(message));
}

Status FileError(const std::string& file, const toml::value& at, std::string_view message) {
  return FileError(file, static_cast<int>(at.location().line()), message);
}

Status ParseTomlFile(const std::string& file, std::string_view what, toml::value* root) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::Unavailable("cannot open " + std::string(what) + " '" + file + "'");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::Unavailable("cannot read " + std::string(what) + " '" + file + "'");
  try {
    std::istringstream stream(text.str());
    *root = toml::parse(stream, file);
  } catch (const toml::exception& e) {
    return FileError(file, static_cast<int>(e.location().line()),
                     "not valid TOML: " + TomlMessage(e.what()));
  } catch (const std::exception& e) {
    return FileError(file, 1, std::string("not valid TOML: ") + e.what());
  }
  return Status::Ok();
}

}  // namespace xinyong::rules
