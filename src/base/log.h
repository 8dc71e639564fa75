// Logging for all modules: spdlog, one default logger writing to stderr.
// Thread-safe (spdlog's default logger is multi-threaded).
#pragma once

#include <spdlog/spdlog.h>

namespace otter {
// Sets the default log level from a name: trace, debug, info, warn, error, off.
// Returns false for an unknown name.
bool set_log_level(const char* name);
}  // namespace otter
