// Always-on invariant checks. A failed OTTER_ASSERT logs the condition, the message and the
// source location to stderr and aborts. Use it for programming errors only: user input and
// I/O failures must never reach an assert (they are result<> errors or Kafka error codes).
#pragma once

namespace otter::detail {
[[noreturn]] void assert_failed(const char* cond, const char* msg, const char* file, int line);
}  // namespace otter::detail

#define OTTER_ASSERT(cond, msg)                                               \
    do {                                                                      \
        if (!(cond)) [[unlikely]] {                                           \
            ::otter::detail::assert_failed(#cond, (msg), __FILE__, __LINE__); \
        }                                                                     \
    } while (0)
