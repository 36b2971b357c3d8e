// FUZZ_CHECK: an invariant of a fuzz target. On failure it prints the condition and the location
// and aborts, which libFuzzer reports as a crash and saves the input that caused it.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                       \
  do {                                                                              \
    if (!(condition)) {                                                             \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__,     \
                   #condition);                                                     \
      std::abort();                                                                 \
    }                                                                               \
  } while (false)
