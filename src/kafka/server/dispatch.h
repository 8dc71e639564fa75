// The registry of Kafka APIs this broker serves and the dispatch of one request to its handler.
// The registry drives ApiVersions: an API is advertised iff it has a handler here, with the
// version range the protocol layer can encode.
#pragma once

#include <optional>
#include <vector>

#include "kafka/protocol/api_keys.h"
#include "kafka/server/handlers/handler.h"

namespace otter::kafka {

struct served_api {
    api_key key;
    int16_t min_version;
    int16_t max_version;
};

// Every API with a handler, in api-key order.
const std::vector<served_api>& served_apis();
std::optional<served_api> find_served_api(api_key key);

// Handles one request that is not a Fetch. Unknown APIs or versions outside the served range
// get UNSUPPORTED_VERSION where the API allows (ApiVersions) or close the connection.
handler_response dispatch(request_ctx& ctx);

}  // namespace otter::kafka
