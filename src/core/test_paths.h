// For tests only: where the source tree (and its data/) is. Test targets get it from
// xinyong_add_test, as the XINYONG_SOURCE_DIR environment variable (ctest) and compile definition.
#pragma once

#include <cstdlib>
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

}  // namespace xinyong::test
