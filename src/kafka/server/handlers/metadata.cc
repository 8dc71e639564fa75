#include "kafka/protocol/messages/metadata.h"

#include <climits>

#include "kafka/server/handlers/handler.h"
#include "kafka/server/topic_access.h"
#include "storage/log_manager.h"

namespace otter::kafka {

handler_response handle_metadata(request_ctx& ctx) {
    metadata_request req;
    if (!req.decode(ctx.body, ctx.hdr.version))
        return handler_response::close_connection();
    const int16_t v = ctx.hdr.version;
    const auto& cfg = ctx.broker.cfg;

    metadata_response resp;
    metadata_response::metadata_response_broker b;
    b.node_id = cfg.node_id;
    b.host = cfg.advertised_kafka_addr.host;
    b.port = cfg.advertised_kafka_addr.port;
    resp.brokers.push_back(b);
    resp.cluster_id = cfg.cluster_id;
    resp.controller_id = cfg.node_id;

    auto describe = [&](const std::string& name, error_code ec, int32_t partitions) {
        metadata_response::metadata_response_topic t;
        t.error_code = ec;
        t.name = name;
        t.is_internal = name.rfind("__", 0) == 0;
        for (int32_t p = 0; p < partitions; ++p) {
            metadata_response::metadata_response_partition mp;
            mp.error_code = error_code::none;
            mp.partition_index = p;
            mp.leader_id = cfg.node_id;
            mp.leader_epoch = 0;
            mp.replica_nodes = {cfg.node_id};
            mp.isr_nodes = {cfg.node_id};
            t.partitions.push_back(std::move(mp));
        }
        t.topic_authorized_operations = INT32_MIN;
        resp.topics.push_back(std::move(t));
    };

    // v0: an empty list means all topics; v1+: null means all, empty means none.
    bool all = !req.topics.has_value() || (v == 0 && req.topics->empty());
    if (all) {
        for (const auto& t : ctx.broker.logs.list_topics())
            describe(t.name, error_code::none, t.partitions);
    } else {
        // Before v4 there is no flag and Kafka auto-creates.
        bool may_create =
            ctx.broker.cfg.auto_create_topics && (v < 4 || req.allow_auto_topic_creation);
        for (const auto& rt : *req.topics) {
            auto info = ensure_topic(ctx.broker, rt.name, may_create);
            if (info.error != error_code::none) {
                describe(rt.name, info.error, 0);
            } else {
                describe(rt.name, error_code::none, info.partitions);
            }
        }
    }
    resp.cluster_authorized_operations = INT32_MIN;
    return handler_response::of(encode_body(resp, v));
}

}  // namespace otter::kafka
