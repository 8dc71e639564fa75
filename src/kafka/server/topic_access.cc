#include "kafka/server/topic_access.h"

#include "base/log.h"
#include "storage/log_manager.h"

namespace otter::kafka {

error_code to_error_code(int storage_topic_errc) {
    using e = storage::log_manager::topic_errc;
    switch (static_cast<e>(storage_topic_errc)) {
        case e::exists:
            return error_code::topic_already_exists;
        case e::not_found:
            return error_code::unknown_topic_or_partition;
        case e::invalid_config:
            return error_code::invalid_config;
        case e::invalid_partitions:
            return error_code::invalid_partitions;
        case e::invalid_name:
            return error_code::invalid_topic_exception;
        case e::io:
            return error_code::kafka_storage_error;
    }
    return error_code::unknown_server_error;
}

topic_lookup ensure_topic(broker_context& b, const std::string& name, bool may_create) {
    if (auto t = b.logs.topic(name))
        return {error_code::none, t->partitions};
    if (!may_create)
        return {error_code::unknown_topic_or_partition, 0};
    auto r = b.logs.create_topic(name, b.cfg.default_partitions, {});
    if (!r && r.error().code != storage::log_manager::topic_errc::exists) {
        return {to_error_code(static_cast<int>(r.error().code)), 0};
    }
    if (r)
        spdlog::info("auto-created topic {} with {} partition(s)", name, b.cfg.default_partitions);
    if (auto t = b.logs.topic(name))
        return {error_code::none, t->partitions};
    return {error_code::unknown_topic_or_partition, 0};
}

}  // namespace otter::kafka
