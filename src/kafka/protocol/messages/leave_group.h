// LeaveGroup (API key 13): request and response, versions 0-3.
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

struct leave_group_request {
    struct member_identity {
        std::string member_id;                         // v3+
        std::optional<std::string> group_instance_id;  // v3+ nullable
        bool operator==(const member_identity&) const = default;
    };

    std::string group_id;                  // v0+
    std::string member_id;                 // v0-2
    std::vector<member_identity> members;  // v3+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const leave_group_request&) const = default;
};

struct leave_group_response {
    struct member_response {
        std::string member_id;                                   // v3+
        std::optional<std::string> group_instance_id;            // v3+ nullable
        kafka::error_code error_code = kafka::error_code::none;  // v3+
        bool operator==(const member_response&) const = default;
    };

    int32_t throttle_time_ms = 0;                            // v1+
    kafka::error_code error_code = kafka::error_code::none;  // v0+
    std::vector<member_response> members;                    // v3+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const leave_group_response&) const = default;
};

}  // namespace otter::kafka
