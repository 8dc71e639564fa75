#include "kafka/server/groups/group_coordinator.h"
#include "kafka/server/handlers/handler.h"

namespace otter::kafka {

handler_response handle_heartbeat(request_ctx& ctx) {
    heartbeat_request req;
    if (!req.decode(ctx.body, ctx.hdr.version))
        return handler_response::close_connection();
    heartbeat_response resp;
    resp.error_code = ctx.broker.groups.heartbeat(req);
    return handler_response::of(encode_body(resp, ctx.hdr.version));
}

}  // namespace otter::kafka
