// Looking up topics for a request, creating them on first use when auto-creation is on.
#pragma once

#include <string>

#include "kafka/protocol/error_code.h"
#include "kafka/server/broker_context.h"

namespace otter::kafka {

struct topic_lookup {
    error_code error = error_code::none;
    int32_t partitions = 0;
};

// Returns the topic's partition count, creating it with the broker defaults when it does not
// exist and `may_create` is set. Invalid names give INVALID_TOPIC_EXCEPTION, unknown topics
// UNKNOWN_TOPIC_OR_PARTITION.
topic_lookup ensure_topic(broker_context& b, const std::string& name, bool may_create);

// Maps a storage topic error onto the Kafka error code.
error_code to_error_code(int storage_topic_errc);

}  // namespace otter::kafka
