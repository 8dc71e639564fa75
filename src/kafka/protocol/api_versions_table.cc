#include "kafka/protocol/api_versions_table.h"

namespace otter::kafka {

namespace {

constexpr api_range k_supported[] = {
    {api_key::produce, 3, 7},
    {api_key::fetch, 4, 11},
    {api_key::list_offsets, 0, 5},
    {api_key::metadata, 0, 8},
    {api_key::offset_commit, 0, 7},
    {api_key::offset_fetch, 1, 5},
    {api_key::find_coordinator, 0, 2},
    {api_key::join_group, 0, 5},
    {api_key::heartbeat, 0, 3},
    {api_key::leave_group, 0, 3},
    {api_key::sync_group, 0, 3},
    {api_key::describe_groups, 0, 4},
    {api_key::list_groups, 0, 2},
    {api_key::sasl_handshake, 0, 1},
    {api_key::api_versions, 0, 3},
    {api_key::create_topics, 0, 4},
    {api_key::delete_topics, 0, 3},
    {api_key::init_producer_id, 0, 1},
    {api_key::describe_configs, 0, 3},
    {api_key::alter_configs, 0, 1},
    {api_key::create_partitions, 0, 1},
    {api_key::delete_groups, 0, 1},
    {api_key::incremental_alter_configs, 0, 0},
    {api_key::offset_delete, 0, 0},
};

}  // namespace

std::span<const api_range> supported_apis() {
    return k_supported;
}

std::optional<api_range> supported_range(api_key key) {
    for (const auto& a : k_supported) {
        if (a.key == key)
            return a;
    }
    return std::nullopt;
}

bool is_supported(api_key key, int16_t version) {
    auto r = supported_range(key);
    return r && version >= r->min && version <= r->max;
}

}  // namespace otter::kafka
