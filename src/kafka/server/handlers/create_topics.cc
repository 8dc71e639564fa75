#include "kafka/protocol/messages/create_topics.h"

#include "kafka/server/handlers/handler.h"
#include "kafka/server/topic_access.h"
#include "storage/log_config.h"
#include "storage/log_manager.h"

namespace otter::kafka {

handler_response handle_create_topics(request_ctx& ctx) {
    create_topics_request req;
    if (!req.decode(ctx.body, ctx.hdr.version))
        return handler_response::close_connection();
    auto& b = ctx.broker;
    create_topics_response resp;
    for (const auto& t : req.topics) {
        auto& r = resp.topics.emplace_back();
        r.name = t.name;
        auto fail = [&](error_code ec, std::string msg) {
            r.error_code = ec;
            r.error_message = std::move(msg);
        };
        int32_t partitions = t.num_partitions;
        if (!t.assignments.empty()) {
            if (partitions != -1) {
                fail(error_code::invalid_request,
                     "give either num_partitions or replica assignments, not both");
                continue;
            }
            partitions = static_cast<int32_t>(t.assignments.size());
        }
        if (partitions == -1)
            partitions = b.cfg.default_partitions;
        if (partitions < 1) {
            fail(error_code::invalid_partitions, "the number of partitions must be at least 1");
            continue;
        }
        if (t.replication_factor != -1 && t.replication_factor != 1) {
            fail(error_code::invalid_replication_factor,
                 "this is a single-node cluster: replication factor must be 1 (got " +
                     std::to_string(t.replication_factor) + ")");
            continue;
        }
        std::map<std::string, std::string> overrides;
        bool bad = false;
        for (const auto& c : t.configs) {
            if (!c.value) {
                fail(error_code::invalid_config, "config " + c.name + " has a null value");
                bad = true;
                break;
            }
            overrides[c.name] = *c.value;
        }
        if (bad)
            continue;
        if (req.validate_only) {
            auto lc = storage::make_log_config(overrides, b.cfg.topic_defaults);
            if (!lc) {
                fail(error_code::invalid_config, lc.error());
            } else if (b.logs.topic(t.name)) {
                fail(error_code::topic_already_exists, "topic '" + t.name + "' already exists");
            } else {
                r.error_code = error_code::none;
            }
            continue;
        }
        auto created = b.logs.create_topic(t.name, partitions, overrides);
        if (!created) {
            fail(to_error_code(static_cast<int>(created.error().code)), created.error().message);
            continue;
        }
        r.error_code = error_code::none;
    }
    return handler_response::of(encode_body(resp, ctx.hdr.version));
}

}  // namespace otter::kafka
