// What every Kafka request handler may use: the configuration, the logs, the group-commit
// flusher, metrics, and the notifier that wakes long-polling fetches. Built by the composition
// root (app) and outlives the server. All members are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "config/broker_config.h"

namespace otter::storage {
class log_manager;
class flusher;
}  // namespace otter::storage

namespace otter::metrics {
class registry;
class counter;
}  // namespace otter::metrics

namespace otter::kafka {

class hwm_notifier;
namespace groups {
class group_coordinator;
}

struct broker_context {
    const config::broker_config& cfg;
    storage::log_manager& logs;
    storage::flusher& flusher;
    metrics::registry& metrics;
    hwm_notifier& notifier;
    groups::group_coordinator& groups;
};

inline int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace otter::kafka
