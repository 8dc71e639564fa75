// Fetch (API key 1): request and response, versions 4-11.
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

struct fetch_request {
    struct fetch_partition {
        int32_t partition = 0;              // v0+
        int32_t current_leader_epoch = -1;  // v9+
        int64_t fetch_offset = 0;           // v0+
        int64_t log_start_offset = -1;      // v5+
        int32_t partition_max_bytes = 0;    // v0+
        bool operator==(const fetch_partition&) const = default;
    };

    struct fetch_topic {
        std::string topic;                        // v0-12
        std::vector<fetch_partition> partitions;  // v0+
        bool operator==(const fetch_topic&) const = default;
    };

    struct forgotten_topic {
        std::string topic;                // v7-12
        std::vector<int32_t> partitions;  // v7+
        bool operator==(const forgotten_topic&) const = default;
    };

    int32_t replica_id = -1;                             // v0-14
    int32_t max_wait_ms = 0;                             // v0+
    int32_t min_bytes = 0;                               // v0+
    int32_t max_bytes = 0x7fffffff;                      // v3+
    int8_t isolation_level = 0;                          // v4+
    int32_t session_id = 0;                              // v7+
    int32_t session_epoch = -1;                          // v7+
    std::vector<fetch_topic> topics;                     // v0+
    std::vector<forgotten_topic> forgotten_topics_data;  // v7+
    std::string rack_id;                                 // v11+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const fetch_request&) const = default;
};

struct fetch_response {
    struct aborted_transaction {
        int64_t producer_id = 0;   // v4+
        int64_t first_offset = 0;  // v4+
        bool operator==(const aborted_transaction&) const = default;
    };

    struct partition_data {
        int32_t partition_index = 0;                                           // v0+
        kafka::error_code error_code = kafka::error_code::none;                // v0+
        int64_t high_watermark = 0;                                            // v0+
        int64_t last_stable_offset = -1;                                       // v4+
        int64_t log_start_offset = -1;                                         // v5+
        std::optional<std::vector<aborted_transaction>> aborted_transactions;  // v4+ nullable
        int32_t preferred_read_replica = -1;                                   // v11+
        bytes records;                                                         // v0+ nullable
        bool operator==(const partition_data&) const = default;
    };

    struct fetchable_topic_response {
        std::string topic;                       // v0-12
        std::vector<partition_data> partitions;  // v0+
        bool operator==(const fetchable_topic_response&) const = default;
    };

    int32_t throttle_time_ms = 0;                            // v1+
    kafka::error_code error_code = kafka::error_code::none;  // v7+
    int32_t session_id = 0;                                  // v7+
    std::vector<fetchable_topic_response> responses;         // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const fetch_response&) const = default;
};

}  // namespace otter::kafka
