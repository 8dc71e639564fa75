#include "kafka/protocol/messages/create_partitions.h"

#include "kafka/server/handlers/handler.h"
#include "kafka/server/topic_access.h"
#include "storage/log_manager.h"

namespace otter::kafka {

handler_response handle_create_partitions(request_ctx& ctx) {
    create_partitions_request req;
    if (!req.decode(ctx.body, ctx.hdr.version))
        return handler_response::close_connection();
    create_partitions_response resp;
    for (const auto& t : req.topics) {
        auto& r = resp.results.emplace_back();
        r.name = t.name;
        auto info = ctx.broker.logs.topic(t.name);
        if (!info) {
            r.error_code = error_code::unknown_topic_or_partition;
            r.error_message = "topic '" + t.name + "' does not exist";
            continue;
        }
        if (t.count <= info->partitions) {
            r.error_code = error_code::invalid_partitions;
            r.error_message = "topic '" + t.name + "' already has " +
                              std::to_string(info->partitions) +
                              " partitions; the new count must be larger";
            continue;
        }
        if (req.validate_only) {
            r.error_code = error_code::none;
            continue;
        }
        auto added = ctx.broker.logs.add_partitions(t.name, t.count);
        if (!added) {
            r.error_code = to_error_code(static_cast<int>(added.error().code));
            r.error_message = added.error().message;
            continue;
        }
        r.error_code = error_code::none;
    }
    return handler_response::of(encode_body(resp, ctx.hdr.version));
}

}  // namespace otter::kafka
