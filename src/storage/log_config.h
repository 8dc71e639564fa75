// Per-topic log settings: the table of topic configs Otter knows, their validation, and the parsed
// form (`log_config`) that partition_log uses. Stateless; all functions are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"

namespace otter::storage {

struct log_config {
    uint64_t segment_bytes = 1ull << 30;
    std::chrono::milliseconds segment_ms{7 * 24 * 3600 * 1000LL};
    int64_t retention_bytes = -1;                                    // -1: unlimited
    std::chrono::milliseconds retention_ms{7 * 24 * 3600 * 1000LL};  // negative: unlimited
    uint32_t max_message_bytes = 1048588;
    bool log_append_time = false;  // message.timestamp.type=LogAppendTime
    bool compact = false;          // cleanup.policy contains compact
    bool delete_policy = true;     // cleanup.policy contains delete: retention applies
    uint32_t index_interval_bytes = 4096;
    // Compaction (only with `compact`; see log_cleaner.h). A partition is cleaned when its dirty
    // bytes (closed segments not yet cleaned) are at least this fraction of its cleanable bytes.
    double min_cleanable_dirty_ratio = 0.5;
    // Tombstones (null values) are kept at least this long after their timestamp.
    std::chrono::milliseconds delete_retention_ms{24 * 3600 * 1000LL};
    // A segment is cleaned only once its max timestamp is at least this old.
    std::chrono::milliseconds min_compaction_lag_ms{0};
};

// One row of DescribeConfigs.
struct config_entry {
    std::string name;
    std::string value;
    bool is_default;  // no topic override
    bool read_only;   // informational: only its fixed value is accepted
};

// Validates topic overrides (topic-level config names, e.g. "retention.ms") on top of broker
// defaults (same names; they replace Otter's built-in defaults) and returns the parsed config.
// Errors: an unknown key, a malformed or out-of-range value, or a read-only key set to anything but
// its fixed value; the message names the key and the value. Broker defaults are validated too.
result<log_config, std::string> make_log_config(
    const std::map<std::string, std::string>& overrides,
    const std::map<std::string, std::string>& broker_defaults);

// Every known topic config with its effective value, in a fixed order. Unknown keys are skipped.
std::vector<config_entry> describe_config(
    const std::map<std::string, std::string>& overrides,
    const std::map<std::string, std::string>& broker_defaults);

}  // namespace otter::storage
