// Kafka API keys Otter knows, their protocol names, and the first "flexible" (KIP-482) version of
// each, as given by the "flexibleVersions" of Apache Kafka's message definitions.
#pragma once

#include <cstdint>

namespace otter::kafka {

enum class api_key : int16_t {
    produce = 0,
    fetch = 1,
    list_offsets = 2,
    metadata = 3,
    offset_commit = 8,
    offset_fetch = 9,
    find_coordinator = 10,
    join_group = 11,
    heartbeat = 12,
    leave_group = 13,
    sync_group = 14,
    describe_groups = 15,
    list_groups = 16,
    sasl_handshake = 17,
    api_versions = 18,
    create_topics = 19,
    delete_topics = 20,
    init_producer_id = 22,
    describe_configs = 32,
    alter_configs = 33,
    create_partitions = 37,
    delete_groups = 42,
    incremental_alter_configs = 44,
    offset_delete = 47,
};

// Kafka's name for the API ("Produce", "ApiVersions", ...); "Unknown" for keys not listed above.
const char* api_name(api_key key);

// True if `version` of `key` uses the flexible encoding (compact strings/arrays, tagged fields,
// request header v2 / response header v1). False for unknown keys.
bool is_flexible(api_key key, int16_t version);

// The first flexible version of `key`, or -1 if it has none (or the key is unknown).
int16_t first_flexible_version(api_key key);

}  // namespace otter::kafka
