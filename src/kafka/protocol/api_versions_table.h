// The APIs and versions Otter implements: the ApiVersions response is built from this table and
// the request dispatcher rejects anything outside it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "kafka/protocol/api_keys.h"

namespace otter::kafka {

struct api_range {
    api_key key;
    int16_t min;
    int16_t max;
};

// Sorted by api key.
std::span<const api_range> supported_apis();

// The supported range of `key`, or nullopt if Otter does not implement it.
std::optional<api_range> supported_range(api_key key);

// True if `version` of `key` is implemented.
bool is_supported(api_key key, int16_t version);

}  // namespace otter::kafka
