#include "storage/log_config.h"

#include <charconv>
#include <limits>
#include <optional>

namespace otter::storage {

namespace {

std::optional<int64_t> parse_int(const std::string& s, int64_t lo, int64_t hi) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty() || v < lo || v > hi) {
        return std::nullopt;
    }
    return v;
}

// Applies a valid value to the config; returns a reason if the value is invalid.
using apply_fn = std::optional<std::string> (*)(const std::string&, log_config&);

struct config_def {
    const char* name;
    const char* default_value;
    bool read_only;
    apply_fn apply;  // nullptr for read-only keys
};

constexpr int64_t int32_max = std::numeric_limits<int32_t>::max();
constexpr int64_t int64_max = std::numeric_limits<int64_t>::max();

std::optional<std::string> int_error(int64_t lo, int64_t hi) {
    std::string r = "must be an integer >= " + std::to_string(lo);
    if (hi != int64_max) {
        r += " and <= " + std::to_string(hi);
    }
    return r;
}

std::optional<std::string> apply_cleanup_policy(const std::string& v, log_config& c) {
    bool del = false, compact = false;
    size_t start = 0;
    while (start <= v.size()) {
        size_t end = v.find(',', start);
        if (end == std::string::npos) {
            end = v.size();
        }
        std::string item = v.substr(start, end - start);
        if (item == "delete") {
            del = true;
        } else if (item == "compact") {
            compact = true;
        } else {
            return std::string("must be delete, compact or compact,delete");
        }
        start = end + 1;
    }
    c.delete_policy = del;
    c.compact = compact;
    return std::nullopt;
}

#define OTTER_INT_CONFIG(fn, lo, hi, assign)                             \
    std::optional<std::string> fn(const std::string& s, log_config& c) { \
        auto v = parse_int(s, lo, hi);                                   \
        if (!v) {                                                        \
            return int_error(lo, hi);                                    \
        }                                                                \
        assign;                                                          \
        return std::nullopt;                                             \
    }

OTTER_INT_CONFIG(apply_retention_ms, -1, int64_max, c.retention_ms = std::chrono::milliseconds(*v))
OTTER_INT_CONFIG(apply_retention_bytes, -1, int64_max, c.retention_bytes = *v)
OTTER_INT_CONFIG(apply_segment_bytes, 14, int32_max, c.segment_bytes = static_cast<uint64_t>(*v))
OTTER_INT_CONFIG(apply_segment_ms, 1, int64_max, c.segment_ms = std::chrono::milliseconds(*v))
OTTER_INT_CONFIG(apply_max_message_bytes, 0, int32_max,
                 c.max_message_bytes = static_cast<uint32_t>(*v))
OTTER_INT_CONFIG(apply_index_interval, 1, int32_max,
                 c.index_interval_bytes = static_cast<uint32_t>(*v))
OTTER_INT_CONFIG(apply_delete_retention_ms, 0, int64_max,
                 c.delete_retention_ms = std::chrono::milliseconds(*v))
OTTER_INT_CONFIG(apply_min_compaction_lag_ms, 0, int64_max,
                 c.min_compaction_lag_ms = std::chrono::milliseconds(*v))
#undef OTTER_INT_CONFIG

std::optional<std::string> apply_dirty_ratio(const std::string& s, log_config& c) {
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || !(v >= 0.0 && v <= 1.0)) {
        return std::string("must be a number >= 0 and <= 1");
    }
    c.min_cleanable_dirty_ratio = v;
    return std::nullopt;
}

std::optional<std::string> apply_timestamp_type(const std::string& v, log_config& c) {
    if (v == "CreateTime") {
        c.log_append_time = false;
    } else if (v == "LogAppendTime") {
        c.log_append_time = true;
    } else {
        return std::string("must be CreateTime or LogAppendTime");
    }
    return std::nullopt;
}

// Order is the DescribeConfigs order. Defaults are Kafka's topic defaults.
constexpr config_def defs[] = {
    {"cleanup.policy", "delete", false, apply_cleanup_policy},
    {"retention.ms", "604800000", false, apply_retention_ms},
    {"retention.bytes", "-1", false, apply_retention_bytes},
    {"segment.bytes", "1073741824", false, apply_segment_bytes},
    {"segment.ms", "604800000", false, apply_segment_ms},
    {"max.message.bytes", "1048588", false, apply_max_message_bytes},
    {"message.timestamp.type", "CreateTime", false, apply_timestamp_type},
    {"index.interval.bytes", "4096", false, apply_index_interval},
    {"min.compaction.lag.ms", "0", false, apply_min_compaction_lag_ms},
    {"delete.retention.ms", "86400000", false, apply_delete_retention_ms},
    {"min.cleanable.dirty.ratio", "0.5", false, apply_dirty_ratio},
    // Informational: Kafka clients and tools expect to see them; Otter has one replica and keeps
    // batches as produced, so only these values are meaningful.
    {"min.insync.replicas", "1", true, nullptr},
    {"compression.type", "producer", true, nullptr},
    {"max.compaction.lag.ms", "9223372036854775807", true, nullptr},
    {"message.downconversion.enable", "true", true, nullptr},
    {"unclean.leader.election.enable", "false", true, nullptr},
    {"segment.index.bytes", "10485760", true, nullptr},
    {"flush.messages", "9223372036854775807", true, nullptr},
    {"flush.ms", "9223372036854775807", true, nullptr},
    {"file.delete.delay.ms", "60000", true, nullptr},
    {"preallocate", "false", true, nullptr},
};

const config_def* find_def(const std::string& name) {
    for (const auto& d : defs) {
        if (name == d.name) {
            return &d;
        }
    }
    return nullptr;
}

std::optional<std::string> apply_one(const std::string& key, const std::string& value,
                                     log_config& c, const char* origin) {
    const config_def* d = find_def(key);
    if (d == nullptr) {
        return std::string("unknown ") + origin + " '" + key + "'";
    }
    if (d->read_only) {
        if (value != d->default_value) {
            return std::string(origin) + " '" + key + "' is read-only in Otter (only '" +
                   d->default_value + "' is accepted), got '" + value + "'";
        }
        return std::nullopt;
    }
    if (auto why = d->apply(value, c)) {
        return std::string("invalid value '") + value + "' for " + origin + " '" + key +
               "': " + *why;
    }
    return std::nullopt;
}

}  // namespace

result<log_config, std::string> make_log_config(
    const std::map<std::string, std::string>& overrides,
    const std::map<std::string, std::string>& broker_defaults) {
    log_config c;
    for (const auto& [k, v] : broker_defaults) {
        if (auto e = apply_one(k, v, c, "broker default topic config")) {
            return unexpected<std::string>{*e};
        }
    }
    for (const auto& [k, v] : overrides) {
        if (auto e = apply_one(k, v, c, "topic config")) {
            return unexpected<std::string>{*e};
        }
    }
    return c;
}

std::vector<config_entry> describe_config(
    const std::map<std::string, std::string>& overrides,
    const std::map<std::string, std::string>& broker_defaults) {
    std::vector<config_entry> out;
    for (const auto& d : defs) {
        config_entry e{d.name, d.default_value, true, d.read_only};
        if (auto it = broker_defaults.find(d.name); it != broker_defaults.end()) {
            e.value = it->second;
        }
        if (auto it = overrides.find(d.name); it != overrides.end()) {
            e.value = it->second;
            e.is_default = false;
        }
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace otter::storage
