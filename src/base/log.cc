#include "base/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace otter {

bool set_log_level(const char* name) {
    auto level = spdlog::level::from_str(name);
    if (level == spdlog::level::off && std::string_view(name) != "off") {
        return false;
    }
    spdlog::set_level(level);
    return true;
}

}  // namespace otter
