// CreatePartitions (API key 37): request and response, versions 0-1.
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

struct create_partitions_request {
    struct create_partitions_assignment {
        std::vector<int32_t> broker_ids;  // v0+
        bool operator==(const create_partitions_assignment&) const = default;
    };

    struct create_partitions_topic {
        std::string name;                                                      // v0+
        int32_t count = 0;                                                     // v0+
        std::optional<std::vector<create_partitions_assignment>> assignments;  // v0+ nullable
        bool operator==(const create_partitions_topic&) const = default;
    };

    std::vector<create_partitions_topic> topics;  // v0+
    int32_t timeout_ms = 0;                       // v0+
    bool validate_only = false;                   // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const create_partitions_request&) const = default;
};

struct create_partitions_response {
    struct create_partitions_topic_result {
        std::string name;                                        // v0+
        kafka::error_code error_code = kafka::error_code::none;  // v0+
        std::optional<std::string> error_message;                // v0+ nullable
        bool operator==(const create_partitions_topic_result&) const = default;
    };

    int32_t throttle_time_ms = 0;                         // v0+
    std::vector<create_partitions_topic_result> results;  // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const create_partitions_response&) const = default;
};

}  // namespace otter::kafka
