#include "kafka/protocol/messages/delete_topics.h"

#include "kafka/server/groups/group_coordinator.h"
#include "kafka/server/handlers/handler.h"
#include "kafka/server/topic_access.h"
#include "storage/log_manager.h"

namespace otter::kafka {

handler_response handle_delete_topics(request_ctx& ctx) {
    delete_topics_request req;
    if (!req.decode(ctx.body, ctx.hdr.version))
        return handler_response::close_connection();
    delete_topics_response resp;
    for (const auto& name : req.topic_names) {
        auto& r = resp.responses.emplace_back();
        r.name = name;
        if (name == groups::offsets_topic) {
            r.error_code = error_code::invalid_topic_exception;  // internal topics stay
            continue;
        }
        auto deleted = ctx.broker.logs.delete_topic(name);
        r.error_code =
            deleted ? error_code::none : to_error_code(static_cast<int>(deleted.error().code));
    }
    return handler_response::of(encode_body(resp, ctx.hdr.version));
}

}  // namespace otter::kafka
