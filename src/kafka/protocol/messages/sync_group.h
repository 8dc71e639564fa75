// SyncGroup (API key 14): request and response, versions 0-3.
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

struct sync_group_request {
    struct sync_group_request_assignment {
        std::string member_id;  // v0+
        bytes assignment;       // v0+
        bool operator==(const sync_group_request_assignment&) const = default;
    };

    std::string group_id;                                    // v0+
    int32_t generation_id = 0;                               // v0+
    std::string member_id;                                   // v0+
    std::optional<std::string> group_instance_id;            // v3+ nullable
    std::vector<sync_group_request_assignment> assignments;  // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const sync_group_request&) const = default;
};

struct sync_group_response {
    int32_t throttle_time_ms = 0;                            // v1+
    kafka::error_code error_code = kafka::error_code::none;  // v0+
    bytes assignment;                                        // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const sync_group_response&) const = default;
};

}  // namespace otter::kafka
