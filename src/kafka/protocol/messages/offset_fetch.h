// OffsetFetch (API key 9): request and response, versions 1-5.
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

struct offset_fetch_request {
    struct offset_fetch_request_topic {
        std::string name;                        // v0-7
        std::vector<int32_t> partition_indexes;  // v0-7
        bool operator==(const offset_fetch_request_topic&) const = default;
    };

    std::string group_id;  // v0-7
    std::optional<std::vector<offset_fetch_request_topic>>
        topics;  // v0-7 nullable when version >= 2

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const offset_fetch_request&) const = default;
};

struct offset_fetch_response {
    struct offset_fetch_response_partition {
        int32_t partition_index = 0;                             // v0-7
        int64_t committed_offset = 0;                            // v0-7
        int32_t committed_leader_epoch = -1;                     // v5-7
        std::optional<std::string> metadata;                     // v0-7 nullable
        kafka::error_code error_code = kafka::error_code::none;  // v0-7
        bool operator==(const offset_fetch_response_partition&) const = default;
    };

    struct offset_fetch_response_topic {
        std::string name;                                         // v0-7
        std::vector<offset_fetch_response_partition> partitions;  // v0-7
        bool operator==(const offset_fetch_response_topic&) const = default;
    };

    int32_t throttle_time_ms = 0;                            // v3+
    std::vector<offset_fetch_response_topic> topics;         // v0-7
    kafka::error_code error_code = kafka::error_code::none;  // v2-7

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const offset_fetch_response&) const = default;
};

}  // namespace otter::kafka
