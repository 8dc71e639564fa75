// DescribeConfigs (API key 32): request and response, versions 0-3.
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

struct describe_configs_request {
    struct describe_configs_resource {
        int8_t resource_type = 0;                                    // v0+
        std::string resource_name;                                   // v0+
        std::optional<std::vector<std::string>> configuration_keys;  // v0+ nullable
        bool operator==(const describe_configs_resource&) const = default;
    };

    std::vector<describe_configs_resource> resources;  // v0+
    bool include_synonyms = false;                     // v1+
    bool include_documentation = false;                // v3+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const describe_configs_request&) const = default;
};

struct describe_configs_response {
    struct describe_configs_synonym {
        std::string name;                  // v1+
        std::optional<std::string> value;  // v1+ nullable
        int8_t source = 0;                 // v1+
        bool operator==(const describe_configs_synonym&) const = default;
    };

    struct describe_configs_resource_result {
        std::string name;                                // v0+
        std::optional<std::string> value;                // v0+ nullable
        bool read_only = false;                          // v0+
        bool is_default = false;                         // v0
        int8_t config_source = -1;                       // v1+
        bool is_sensitive = false;                       // v0+
        std::vector<describe_configs_synonym> synonyms;  // v1+
        int8_t config_type = 0;                          // v3+
        std::optional<std::string> documentation;        // v3+ nullable
        bool operator==(const describe_configs_resource_result&) const = default;
    };

    struct describe_configs_result {
        kafka::error_code error_code = kafka::error_code::none;  // v0+
        std::optional<std::string> error_message;                // v0+ nullable
        int8_t resource_type = 0;                                // v0+
        std::string resource_name;                               // v0+
        std::vector<describe_configs_resource_result> configs;   // v0+
        bool operator==(const describe_configs_result&) const = default;
    };

    int32_t throttle_time_ms = 0;                  // v0+
    std::vector<describe_configs_result> results;  // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const describe_configs_response&) const = default;
};

}  // namespace otter::kafka
