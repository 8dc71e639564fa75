// AlterConfigs (API key 33): request and response, versions 0-1.
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

struct alter_configs_request {
    struct alterable_config {
        std::string name;                  // v0+
        std::optional<std::string> value;  // v0+ nullable
        bool operator==(const alterable_config&) const = default;
    };

    struct alter_configs_resource {
        int8_t resource_type = 0;               // v0+
        std::string resource_name;              // v0+
        std::vector<alterable_config> configs;  // v0+
        bool operator==(const alter_configs_resource&) const = default;
    };

    std::vector<alter_configs_resource> resources;  // v0+
    bool validate_only = false;                     // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const alter_configs_request&) const = default;
};

struct alter_configs_response {
    struct alter_configs_resource_response {
        kafka::error_code error_code = kafka::error_code::none;  // v0+
        std::optional<std::string> error_message;                // v0+ nullable
        int8_t resource_type = 0;                                // v0+
        std::string resource_name;                               // v0+
        bool operator==(const alter_configs_resource_response&) const = default;
    };

    int32_t throttle_time_ms = 0;                            // v0+
    std::vector<alter_configs_resource_response> responses;  // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const alter_configs_response&) const = default;
};

}  // namespace otter::kafka
