// CreateTopics (API key 19): request and response, versions 0-4.
//
// Field names are the snake_case of Apache Kafka's message definitions; the comment after each
// field gives the versions it exists in. A field absent from the version being decoded keeps its
// default. Tagged fields are skipped on decode and written empty on encode.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bytes/bytes.h"
#include "kafka/protocol/error_code.h"
#include "kafka/protocol/wire.h"

namespace otter::kafka {

struct create_topics_request {
    struct creatable_replica_assignment {
        int32_t partition_index = 0;      // v0+
        std::vector<int32_t> broker_ids;  // v0+
        bool operator==(const creatable_replica_assignment&) const = default;
    };

    struct creatable_topic_config {
        std::string name;                  // v0+
        std::optional<std::string> value;  // v0+ nullable
        bool operator==(const creatable_topic_config&) const = default;
    };

    struct creatable_topic {
        std::string name;                                       // v0+
        int32_t num_partitions = 0;                             // v0+
        int16_t replication_factor = 0;                         // v0+
        std::vector<creatable_replica_assignment> assignments;  // v0+
        std::vector<creatable_topic_config> configs;            // v0+
        bool operator==(const creatable_topic&) const = default;
    };

    std::vector<creatable_topic> topics;  // v0+
    int32_t timeout_ms = 60000;           // v0+
    bool validate_only = false;           // v1+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const create_topics_request&) const = default;
};

struct create_topics_response {
    struct creatable_topic_result {
        std::string name;                                        // v0+
        kafka::error_code error_code = kafka::error_code::none;  // v0+
        std::optional<std::string> error_message;                // v1+ nullable
        bool operator==(const creatable_topic_result&) const = default;
    };

    int32_t throttle_time_ms = 0;                // v2+
    std::vector<creatable_topic_result> topics;  // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const create_topics_response&) const = default;
};

}  // namespace otter::kafka
