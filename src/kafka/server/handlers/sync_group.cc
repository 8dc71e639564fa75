#include "kafka/server/groups/group_coordinator.h"
#include "kafka/server/handlers/handler.h"

namespace otter::kafka {

handler_response handle_sync_group(request_ctx& ctx) {
    sync_group_request req;
    if (!req.decode(ctx.body, ctx.hdr.version))
        return handler_response::close_connection();
    deferred_encoder<sync_group_response> enc{std::make_shared<deferred_body>(), ctx.hdr.version};
    auto body = enc.body;
    ctx.broker.groups.sync(req, enc);
    return deferred(std::move(body));
}

}  // namespace otter::kafka
