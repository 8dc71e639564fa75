#include "kafka/server/groups/group_coordinator.h"
#include "kafka/server/handlers/handler.h"

namespace otter::kafka {

handler_response handle_offset_delete(request_ctx& ctx) {
    offset_delete_request req;
    if (!req.decode(ctx.body, ctx.hdr.version))
        return handler_response::close_connection();
    auto resp = ctx.broker.groups.delete_offsets(req);
    return handler_response::of(encode_body(resp, ctx.hdr.version));
}

}  // namespace otter::kafka
