// FindCoordinator (API key 10): request and response, versions 0-2.
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

struct find_coordinator_request {
    std::string key;      // v0-3
    int8_t key_type = 0;  // v1+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const find_coordinator_request&) const = default;
};

struct find_coordinator_response {
    int32_t throttle_time_ms = 0;                            // v1+
    kafka::error_code error_code = kafka::error_code::none;  // v0-3
    std::optional<std::string> error_message;                // v1-3 nullable
    int32_t node_id = 0;                                     // v0-3
    std::string host;                                        // v0-3
    int32_t port = 0;                                        // v0-3

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const find_coordinator_response&) const = default;
};

}  // namespace otter::kafka
