// Invariant checks that stay on in release builds: a broken invariant in the durability path
// stops the process (TigerStyle), it is never logged and ignored.
#pragma once

#include <cstdio>
#include <cstdlib>

#define SB_CHECK(cond, ...)                                                                    \
  do {                                                                                         \
    if (!(cond)) [[unlikely]] {                                                                \
      std::fprintf(stderr, "strongbox: invariant violated at %s:%d: %s\n", __FILE__, __LINE__, \
                   #cond);                                                                     \
      std::fprintf(stderr, "  " __VA_ARGS__);                                                  \
      std::fprintf(stderr, "\n");                                                              \
      std::abort();                                                                            \
    }                                                                                          \
  } while (0)
