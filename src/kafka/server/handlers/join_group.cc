#include "kafka/server/groups/group_coordinator.h"
#include "kafka/server/handlers/handler.h"

namespace otter::kafka {

handler_response handle_join_group(request_ctx& ctx) {
    join_group_request req;
    if (!req.decode(ctx.body, ctx.hdr.version))
        return handler_response::close_connection();
    deferred_encoder<join_group_response> enc{std::make_shared<deferred_body>(), ctx.hdr.version};
    auto body = enc.body;
    ctx.broker.groups.join(req, ctx.hdr.version, ctx.hdr.client_id.value_or(""), ctx.client_host,
                           enc);
    return deferred(std::move(body));
}

}  // namespace otter::kafka
