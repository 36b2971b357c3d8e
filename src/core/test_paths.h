// For tests only: where the source tree (and its data/) is. Test targets get it from
// xinyong_add_test, as the XINYONG_SOURCE_DIR environment variable (ctest) and compile definition.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace xinyong::test {

inline std::string SourceDir() {
  if (const char* s = std::getenv("XINYONG_SOURCE_DIR"); s != nullptr && *s != '\0') return s;
#ifdef XINYONG_SOURCE_DIR
  return XINYONG_SOURCE_DIR;
#else
  return ".";
#endif
}

// A copy of the share directory (data/) at `dest` with the first `from` in its file `file`
// replaced by `to` (an operator's edit); false when `file` does not hold `from`.
inline bool CopyShareWith(const std::filesystem::path& dest, const std::string& file,
                          const std::string& from, const std::string& to) {
  std::filesystem::copy(SourceDir() + "/data", dest, std::filesystem::copy_options::recursive);
  std::string text;
  {
    std::ifstream in(dest / file);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const size_t at = text.find(from);
  if (at == std::string::npos) return false;
  text.replace(at, from.size(), to);
  std::ofstream(dest / file, std::ios::trunc) << text;
  return true;
}

}  // namespace xinyong::test
