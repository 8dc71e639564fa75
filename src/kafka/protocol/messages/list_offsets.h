// ListOffsets (API key 2): request and response, versions 0-5.
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

struct list_offsets_request {
    struct list_offsets_partition {
        int32_t partition_index = 0;        // v0+
        int32_t current_leader_epoch = -1;  // v4+
        int64_t timestamp = 0;              // v0+
        int32_t max_num_offsets = 1;        // v0
        bool operator==(const list_offsets_partition&) const = default;
    };

    struct list_offsets_topic {
        std::string name;                                // v0+
        std::vector<list_offsets_partition> partitions;  // v0+
        bool operator==(const list_offsets_topic&) const = default;
    };

    int32_t replica_id = 0;                  // v0+
    int8_t isolation_level = 0;              // v2+
    std::vector<list_offsets_topic> topics;  // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const list_offsets_request&) const = default;
};

struct list_offsets_response {
    struct list_offsets_partition_response {
        int32_t partition_index = 0;                             // v0+
        kafka::error_code error_code = kafka::error_code::none;  // v0+
        std::vector<int64_t> old_style_offsets;                  // v0
        int64_t timestamp = -1;                                  // v1+
        int64_t offset = -1;                                     // v1+
        int32_t leader_epoch = -1;                               // v4+
        bool operator==(const list_offsets_partition_response&) const = default;
    };

    struct list_offsets_topic_response {
        std::string name;                                         // v0+
        std::vector<list_offsets_partition_response> partitions;  // v0+
        bool operator==(const list_offsets_topic_response&) const = default;
    };

    int32_t throttle_time_ms = 0;                     // v2+
    std::vector<list_offsets_topic_response> topics;  // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const list_offsets_response&) const = default;
};

}  // namespace otter::kafka
