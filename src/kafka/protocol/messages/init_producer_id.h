// InitProducerId (API key 22): request and response, versions 0-1.
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

struct init_producer_id_request {
    std::optional<std::string> transactional_id;  // v0+ nullable
    int32_t transaction_timeout_ms = 0;           // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const init_producer_id_request&) const = default;
};

struct init_producer_id_response {
    int32_t throttle_time_ms = 0;                            // v0+
    kafka::error_code error_code = kafka::error_code::none;  // v0+
    int64_t producer_id = -1;                                // v0+
    int16_t producer_epoch = 0;                              // v0+

    bool decode(reader& r, int16_t version);
    void encode(writer& w, int16_t version) const;
    bool operator==(const init_producer_id_response&) const = default;
};

}  // namespace otter::kafka
