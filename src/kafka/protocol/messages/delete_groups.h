// DeleteGroups (API key 42): request and response, versions 0-1.
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

struct delete_groups_request {
    std::vector<std::string> groups_names;  // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const delete_groups_request&) const = default;
};

struct delete_groups_response {
    struct deletable_group_result {
        std::string group_id;                                    // v0+
        kafka::error_code error_code = kafka::error_code::none;  // v0+
        bool operator==(const deletable_group_result&) const = default;
    };

    int32_t throttle_time_ms = 0;                 // v0+
    std::vector<deletable_group_result> results;  // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const delete_groups_response&) const = default;
};

}  // namespace otter::kafka
