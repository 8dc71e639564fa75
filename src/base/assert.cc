#include "base/assert.h"

#include <cstdio>
#include <cstdlib>

namespace otter::detail {

void assert_failed(const char* cond, const char* msg, const char* file, int line) {
    std::fprintf(stderr, "otter: assertion failed at %s:%d: %s (%s)\n", file, line, cond, msg);
    std::fflush(stderr);
    std::abort();
}

}  // namespace otter::detail
