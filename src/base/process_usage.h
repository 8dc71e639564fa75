// What this process has used so far, from getrusage(RUSAGE_SELF): the basis of "events per
// CPU-second" figures, which stay meaningful on a shared, noisy machine. Thread-safe.
#pragma once

#include <cstdint>

#include <sys/resource.h>

namespace otter {

// User + system CPU seconds of all threads of this process.
inline double process_cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// Peak resident set size in bytes (Linux reports ru_maxrss in KiB).
inline int64_t peak_rss_bytes() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<int64_t>(ru.ru_maxrss) * 1024;
}

}  // namespace otter
