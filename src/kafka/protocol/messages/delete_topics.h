// DeleteTopics (API key 20): request and response, versions 0-3.
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

struct delete_topics_request {
    std::vector<std::string> topic_names;  // v0-5
    int32_t timeout_ms = 0;                // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const delete_topics_request&) const = default;
};

struct delete_topics_response {
    struct deletable_topic_result {
        std::string name;                                        // v0+
        kafka::error_code error_code = kafka::error_code::none;  // v0+
        bool operator==(const deletable_topic_result&) const = default;
    };

    int32_t throttle_time_ms = 0;                   // v1+
    std::vector<deletable_topic_result> responses;  // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const delete_topics_response&) const = default;
};

}  // namespace otter::kafka
