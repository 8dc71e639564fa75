#include "kafka/server/dispatch.h"

#include <algorithm>

#include "kafka/protocol/api_versions_table.h"

namespace otter::kafka {
namespace {

using handler_fn = handler_response (*)(request_ctx&);

struct entry {
    api_key key;
    handler_fn fn;  // nullptr for Fetch, which the connection drives as a fetch_op
};

constexpr entry handlers[] = {
    {api_key::produce, handle_produce},
    {api_key::fetch, nullptr},
    {api_key::list_offsets, handle_list_offsets},
    {api_key::metadata, handle_metadata},
    {api_key::api_versions, handle_api_versions},
    {api_key::create_topics, handle_create_topics},
    {api_key::delete_topics, handle_delete_topics},
    {api_key::describe_configs, handle_describe_configs},
    {api_key::alter_configs, handle_alter_configs},
    {api_key::create_partitions, handle_create_partitions},
    {api_key::incremental_alter_configs, handle_incremental_alter_configs},
    {api_key::find_coordinator, handle_find_coordinator},
    {api_key::join_group, handle_join_group},
    {api_key::sync_group, handle_sync_group},
    {api_key::heartbeat, handle_heartbeat},
    {api_key::leave_group, handle_leave_group},
    {api_key::offset_commit, handle_offset_commit},
    {api_key::offset_fetch, handle_offset_fetch},
    {api_key::describe_groups, handle_describe_groups},
    {api_key::list_groups, handle_list_groups},
    {api_key::delete_groups, handle_delete_groups},
    {api_key::offset_delete, handle_offset_delete},
};

std::vector<served_api> build_served() {
    std::vector<served_api> out;
    for (const auto& e : handlers) {
        for (const auto& r : supported_apis()) {
            if (r.key == e.key)
                out.push_back({r.key, r.min, r.max});
        }
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.key < b.key; });
    return out;
}

}  // namespace

const std::vector<served_api>& served_apis() {
    static const std::vector<served_api> apis = build_served();
    return apis;
}

std::optional<served_api> find_served_api(api_key key) {
    for (const auto& a : served_apis()) {
        if (a.key == key)
            return a;
    }
    return std::nullopt;
}

handler_response dispatch(request_ctx& ctx) {
    if (ctx.hdr.key == api_key::api_versions) {
        // ApiVersions answers any version, with UNSUPPORTED_VERSION above its range (KIP-511).
        return handle_api_versions(ctx);
    }
    auto api = find_served_api(ctx.hdr.key);
    if (!api || ctx.hdr.version < api->min_version || ctx.hdr.version > api->max_version) {
        // Kafka closes the connection for versions it cannot parse.
        return handler_response::close_connection();
    }
    for (const auto& e : handlers) {
        if (e.key == ctx.hdr.key && e.fn)
            return e.fn(ctx);
    }
    return handler_response::close_connection();
}

}  // namespace otter::kafka
