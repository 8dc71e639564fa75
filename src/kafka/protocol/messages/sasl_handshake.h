// SaslHandshake (API key 17): request and response, versions 0-1.
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

struct sasl_handshake_request {
    std::string mechanism;  // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const sasl_handshake_request&) const = default;
};

struct sasl_handshake_response {
    kafka::error_code error_code = kafka::error_code::none;  // v0+
    std::vector<std::string> mechanisms;                     // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const sasl_handshake_response&) const = default;
};

}  // namespace otter::kafka
