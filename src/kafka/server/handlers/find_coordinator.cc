#include "kafka/protocol/messages/find_coordinator.h"

#include "kafka/server/handlers/handler.h"

namespace otter::kafka {

// One node: it coordinates every group (key_type 0) and transaction (key_type 1).
handler_response handle_find_coordinator(request_ctx& ctx) {
    find_coordinator_request req;
    if (!req.decode(ctx.body, ctx.hdr.version))
        return handler_response::close_connection();
    find_coordinator_response resp;
    if (req.key_type != 0 && req.key_type != 1) {
        resp.error_code = error_code::invalid_request;
        resp.error_message = "unknown coordinator key type " + std::to_string(req.key_type);
        resp.node_id = -1;
        resp.port = -1;
    } else {
        resp.error_code = error_code::none;
        resp.node_id = ctx.broker.cfg.node_id;
        resp.host = ctx.broker.cfg.advertised_kafka_addr.host;
        resp.port = ctx.broker.cfg.advertised_kafka_addr.port;
    }
    return handler_response::of(encode_body(resp, ctx.hdr.version));
}

}  // namespace otter::kafka
