// OffsetCommit (API key 8): request and response, versions 0-7.
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

struct offset_commit_request {
    struct offset_commit_request_partition {
        int32_t partition_index = 0;                    // v0+
        int64_t committed_offset = 0;                   // v0+
        int32_t committed_leader_epoch = -1;            // v6+
        int64_t commit_timestamp = -1;                  // v1
        std::optional<std::string> committed_metadata;  // v0+ nullable
        bool operator==(const offset_commit_request_partition&) const = default;
    };

    struct offset_commit_request_topic {
        std::string name;                                         // v0+
        std::vector<offset_commit_request_partition> partitions;  // v0+
        bool operator==(const offset_commit_request_topic&) const = default;
    };

    std::string group_id;                             // v0+
    int32_t generation_id_or_member_epoch = -1;       // v1+
    std::string member_id;                            // v1+
    std::optional<std::string> group_instance_id;     // v7+ nullable
    int64_t retention_time_ms = -1;                   // v2-4
    std::vector<offset_commit_request_topic> topics;  // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const offset_commit_request&) const = default;
};

struct offset_commit_response {
    struct offset_commit_response_partition {
        int32_t partition_index = 0;                             // v0+
        kafka::error_code error_code = kafka::error_code::none;  // v0+
        bool operator==(const offset_commit_response_partition&) const = default;
    };

    struct offset_commit_response_topic {
        std::string name;                                          // v0+
        std::vector<offset_commit_response_partition> partitions;  // v0+
        bool operator==(const offset_commit_response_topic&) const = default;
    };

    int32_t throttle_time_ms = 0;                      // v3+
    std::vector<offset_commit_response_topic> topics;  // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const offset_commit_response&) const = default;
};

}  // namespace otter::kafka
