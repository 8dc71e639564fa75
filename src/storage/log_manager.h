// log_manager: owns every partition log and the topic metadata of one data directory.
//
// Layout: <data_dir>/kafka/<topic>/topic.properties and <data_dir>/kafka/<topic>/<partition>/
// (docs/formats/log-segment.md). Thread-safe: admin operations (create/delete/alter) serialise
// on one mutex; lookups (partition(), topic()) take a second, briefly held mutex and never wait
// for admin I/O.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "storage/log_config.h"

namespace otter::io {
class env;
}

namespace otter::storage {

class partition_log;

class log_manager {
  public:
    // `broker_defaults`: topic-level config names (e.g. "retention.ms") and the broker-wide value
    // that replaces Otter's built-in default for topics without an override.
    log_manager(io::env& env, std::string data_dir,
                std::map<std::string, std::string> broker_defaults);
    ~log_manager();

    // Opens every topic and partition found on disk and finishes interrupted deletions.
    // Errors: I/O failures, unreadable topic.properties, invalid stored configs.
    result<void, std::string> load();

    enum class topic_errc {
        exists,              // TOPIC_ALREADY_EXISTS
        not_found,           // UNKNOWN_TOPIC_OR_PARTITION
        invalid_config,      // INVALID_CONFIG
        invalid_partitions,  // INVALID_PARTITIONS
        invalid_name,        // INVALID_TOPIC_EXCEPTION
        io,                  // KAFKA_STORAGE_ERROR
    };
    struct topic_error {
        topic_errc code;
        std::string message;
    };

    // Creates a topic with `partitions` (1..max_partitions) empty partitions and the given config
    // overrides, durably (topic.properties is written atomically before the partitions).
    result<void, topic_error> create_topic(const std::string& name, int32_t partitions,
                                           const std::map<std::string, std::string>& overrides);
    // Renames the topic directory to "<name>~<n>.deleted" (durably), forgets the topic, then
    // removes the directory; load() removes such leftovers. Logs still referenced by callers stay
    // readable (open files), but appends that need a new segment fail.
    result<void, topic_error> delete_topic(const std::string& name);
    // Grows the topic to `new_total` partitions (must be larger than the current count).
    result<void, topic_error> add_partitions(const std::string& name, int32_t new_total);
    // Replaces the topic's overrides (AlterConfigs semantics) and applies them to every partition.
    result<void, topic_error> alter_config(const std::string& name,
                                           const std::map<std::string, std::string>& overrides);

    struct topic_info {
        std::string name;
        int32_t partitions;
        std::map<std::string, std::string> overrides;
    };
    std::vector<topic_info> list_topics() const;  // sorted by name
    std::optional<topic_info> topic(const std::string& name) const;
    const std::map<std::string, std::string>& broker_defaults() const { return broker_defaults_; }

    // nullptr if unknown. shared_ptr: the log stays usable by the caller even if the topic is
    // deleted concurrently.
    std::shared_ptr<partition_log> partition(const std::string& topic, int32_t p) const;
    std::vector<std::shared_ptr<partition_log>> all_partitions() const;

    // Kafka's rule: [a-zA-Z0-9._-]{1,249}, not "." or "..".
    static bool valid_topic_name(const std::string& name);
    static constexpr int32_t max_partitions = 100000;

  private:
    struct topic_state {
        std::map<std::string, std::string> overrides;
        log_config config;
        std::vector<std::shared_ptr<partition_log>> partitions;
    };
    std::string topic_dir(const std::string& name) const;
    result<void, topic_error> write_properties(const std::string& name, int32_t partitions,
                                               const std::map<std::string, std::string>& overrides);
    // Opens partitions [from, to) of a topic into `st`.
    result<void, topic_error> open_partitions(const std::string& name, topic_state& st,
                                              int32_t from, int32_t to);

    io::env& env_;
    const std::string data_dir_;
    const std::map<std::string, std::string> broker_defaults_;

    std::mutex admin_mu_;      // serialises load and admin operations (held across their I/O)
    uint64_t delete_seq_ = 0;  // guarded by admin_mu_
    mutable std::mutex mu_;
    std::map<std::string, topic_state> topics_;  // guarded by mu_
};

}  // namespace otter::storage
