#include "kafka/server/groups/group_coordinator.h"
#include "kafka/server/handlers/handler.h"

namespace otter::kafka {

// Answered once the commit records in __consumer_offsets are durable.
handler_response handle_offset_commit(request_ctx& ctx) {
    offset_commit_request req;
    if (!req.decode(ctx.body, ctx.hdr.version))
        return handler_response::close_connection();
    deferred_encoder<offset_commit_response> enc{std::make_shared<deferred_body>(),
                                                 ctx.hdr.version};
    auto body = enc.body;
    ctx.broker.groups.commit(req, ctx.hdr.version, enc);
    return deferred(std::move(body));
}

}  // namespace otter::kafka
