// Metadata (API key 3): request and response, versions 0-8.
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

struct metadata_request {
    struct metadata_request_topic {
        std::string name;  // v0+
        bool operator==(const metadata_request_topic&) const = default;
    };

    std::optional<std::vector<metadata_request_topic>> topics;  // v0+ nullable when version >= 1
    bool allow_auto_topic_creation = true;                      // v4+
    bool include_cluster_authorized_operations = false;         // v8-10
    bool include_topic_authorized_operations = false;           // v8+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const metadata_request&) const = default;
};

struct metadata_response {
    struct metadata_response_broker {
        int32_t node_id = 0;              // v0+
        std::string host;                 // v0+
        int32_t port = 0;                 // v0+
        std::optional<std::string> rack;  // v1+ nullable
        bool operator==(const metadata_response_broker&) const = default;
    };

    struct metadata_response_partition {
        kafka::error_code error_code = kafka::error_code::none;  // v0+
        int32_t partition_index = 0;                             // v0+
        int32_t leader_id = 0;                                   // v0+
        int32_t leader_epoch = -1;                               // v7+
        std::vector<int32_t> replica_nodes;                      // v0+
        std::vector<int32_t> isr_nodes;                          // v0+
        std::vector<int32_t> offline_replicas;                   // v5+
        bool operator==(const metadata_response_partition&) const = default;
    };

    struct metadata_response_topic {
        kafka::error_code error_code = kafka::error_code::none;  // v0+
        std::string name;                                        // v0+
        bool is_internal = false;                                // v1+
        std::vector<metadata_response_partition> partitions;     // v0+
        int32_t topic_authorized_operations = INT32_MIN;         // v8+
        bool operator==(const metadata_response_topic&) const = default;
    };

    int32_t throttle_time_ms = 0;                       // v3+
    std::vector<metadata_response_broker> brokers;      // v0+
    std::optional<std::string> cluster_id;              // v2+ nullable
    int32_t controller_id = -1;                         // v1+
    std::vector<metadata_response_topic> topics;        // v0+
    int32_t cluster_authorized_operations = INT32_MIN;  // v8-10

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const metadata_response&) const = default;
};

}  // namespace otter::kafka
