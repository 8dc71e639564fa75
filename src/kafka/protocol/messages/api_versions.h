// ApiVersions (API key 18): request and response, versions 0-3.
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

struct api_versions_request {
    std::string client_software_name;     // v3+
    std::string client_software_version;  // v3+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const api_versions_request&) const = default;
};

struct api_versions_response {
    struct api_version {
        int16_t api_key = 0;      // v0+
        int16_t min_version = 0;  // v0+
        int16_t max_version = 0;  // v0+
        bool operator==(const api_version&) const = default;
    };

    kafka::error_code error_code = kafka::error_code::none;  // v0+
    std::vector<api_version> api_keys;                       // v0+
    int32_t throttle_time_ms = 0;                            // v1+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const api_versions_response&) const = default;
};

}  // namespace otter::kafka
