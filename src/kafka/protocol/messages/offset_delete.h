// OffsetDelete (API key 47): request and response, version 0.
//
// Deletes a group's committed offsets for some partitions (KIP-496). Field names are the
// snake_case of Apache Kafka's message definitions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kafka/protocol/error_code.h"
#include "kafka/protocol/wire.h"

namespace otter::kafka {

struct offset_delete_request {
    struct offset_delete_request_partition {
        int32_t partition_index = 0;
        bool operator==(const offset_delete_request_partition&) const = default;
    };
    struct offset_delete_request_topic {
        std::string name;
        std::vector<offset_delete_request_partition> partitions;
        bool operator==(const offset_delete_request_topic&) const = default;
    };

    std::string group_id;
    std::vector<offset_delete_request_topic> topics;

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const offset_delete_request&) const = default;
};

struct offset_delete_response {
    struct offset_delete_response_partition {
        int32_t partition_index = 0;
        kafka::error_code error_code = kafka::error_code::none;
        bool operator==(const offset_delete_response_partition&) const = default;
    };
    struct offset_delete_response_topic {
        std::string name;
        std::vector<offset_delete_response_partition> partitions;
        bool operator==(const offset_delete_response_topic&) const = default;
    };

    kafka::error_code error_code = kafka::error_code::none;
    int32_t throttle_time_ms = 0;
    std::vector<offset_delete_response_topic> topics;

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const offset_delete_response&) const = default;
};

}  // namespace otter::kafka
