// Produce (API key 0): request and response, versions 3-7.
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

struct produce_request {
    struct partition_produce_data {
        int32_t index = 0;                  // v0+
        std::optional<bytes_view> records;  // v0+ nullable
        bool operator==(const partition_produce_data& o) const {
            return index == o.index && same_bytes(records, o.records);
        }
    };

    struct topic_produce_data {
        std::string name;                                    // v0+
        std::vector<partition_produce_data> partition_data;  // v0+
        bool operator==(const topic_produce_data&) const = default;
    };

    std::optional<std::string> transactional_id;  // v3+ nullable
    int16_t acks = 0;                             // v0+
    int32_t timeout_ms = 0;                       // v0+
    std::vector<topic_produce_data> topic_data;   // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const produce_request&) const = default;
};

struct produce_response {
    struct partition_produce_response {
        int32_t index = 0;                                       // v0+
        kafka::error_code error_code = kafka::error_code::none;  // v0+
        int64_t base_offset = 0;                                 // v0+
        int64_t log_append_time_ms = -1;                         // v2+
        int64_t log_start_offset = -1;                           // v5+
        bool operator==(const partition_produce_response&) const = default;
    };

    struct topic_produce_response {
        std::string name;                                             // v0+
        std::vector<partition_produce_response> partition_responses;  // v0+
        bool operator==(const topic_produce_response&) const = default;
    };

    std::vector<topic_produce_response> responses;  // v0+
    int32_t throttle_time_ms = 0;                   // v1+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const produce_response&) const = default;
};

}  // namespace otter::kafka
