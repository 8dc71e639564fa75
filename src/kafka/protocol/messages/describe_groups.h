// DescribeGroups (API key 15): request and response, versions 0-4.
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

struct describe_groups_request {
    std::vector<std::string> groups;             // v0+
    bool include_authorized_operations = false;  // v3+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const describe_groups_request&) const = default;
};

struct describe_groups_response {
    struct described_group_member {
        std::string member_id;                         // v0+
        std::optional<std::string> group_instance_id;  // v4+ nullable
        std::string client_id;                         // v0+
        std::string client_host;                       // v0+
        bytes member_metadata;                         // v0+
        bytes member_assignment;                       // v0+
        bool operator==(const described_group_member&) const = default;
    };

    struct described_group {
        kafka::error_code error_code = kafka::error_code::none;  // v0+
        std::string group_id;                                    // v0+
        std::string group_state;                                 // v0+
        std::string protocol_type;                               // v0+
        std::string protocol_data;                               // v0+
        std::vector<described_group_member> members;             // v0+
        int32_t authorized_operations = INT32_MIN;               // v3+
        bool operator==(const described_group&) const = default;
    };

    int32_t throttle_time_ms = 0;         // v1+
    std::vector<described_group> groups;  // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const describe_groups_response&) const = default;
};

}  // namespace otter::kafka
