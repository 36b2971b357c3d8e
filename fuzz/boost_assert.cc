// The Boost assertion handler of the fuzz build (BOOST_ENABLE_ASSERT_HANDLER, set for everything
// the fuzz build compiles): a failed BOOST_ASSERT aborts, as by default — except one assertion
// of Boost.Beast 1.81 (Debian bookworm) that is wrong, not the parser: parse_chunk_header asserts
// at least 5 bytes, but a streamed chunked body can legitimately reach it with fewer and the code
// after the assertion answers need_more correctly. Upstream corrected the assertion in Beast PR
// #2861 (2024). Release builds (NDEBUG) never evaluate it.
#include <boost/assert.hpp>

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace boost {

namespace {

bool KnownBeastFalseAlarm(std::string_view expr, std::string_view file) {
  return expr == "n >= 5" && file.ends_with("beast/http/impl/basic_parser.ipp");
}

}  // namespace

void assertion_failed(char const* expr, char const* function, char const* file, long line) {
  if (KnownBeastFalseAlarm(expr, file)) return;
  std::fprintf(stderr, "%s:%ld: %s: Boost assertion failed: %s\n", file, line, function, expr);
  std::abort();
}

void assertion_failed_msg(char const* expr, char const* msg, char const* function,
                          char const* file, long line) {
  if (KnownBeastFalseAlarm(expr, file)) return;
  std::fprintf(stderr, "%s:%ld: %s: Boost assertion failed: %s (%s)\n", file, line, function,
               expr, msg);
  std::abort();
}

}  // namespace boost
