// JoinGroup (API key 11): request and response, versions 0-5.
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

struct join_group_request {
    struct join_group_request_protocol {
        std::string name;  // v0+
        bytes metadata;    // v0+
        bool operator==(const join_group_request_protocol&) const = default;
    };

    std::string group_id;                                // v0+
    int32_t session_timeout_ms = 0;                      // v0+
    int32_t rebalance_timeout_ms = -1;                   // v1+
    std::string member_id;                               // v0+
    std::optional<std::string> group_instance_id;        // v5+ nullable
    std::string protocol_type;                           // v0+
    std::vector<join_group_request_protocol> protocols;  // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const join_group_request&) const = default;
};

struct join_group_response {
    struct join_group_response_member {
        std::string member_id;                         // v0+
        std::optional<std::string> group_instance_id;  // v5+ nullable
        bytes metadata;                                // v0+
        bool operator==(const join_group_response_member&) const = default;
    };

    int32_t throttle_time_ms = 0;                            // v2+
    kafka::error_code error_code = kafka::error_code::none;  // v0+
    int32_t generation_id = -1;                              // v0+
    std::string protocol_name;                               // v0+
    std::string leader;                                      // v0+
    std::string member_id;                                   // v0+
    std::vector<join_group_response_member> members;         // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const join_group_response&) const = default;
};

}  // namespace otter::kafka
