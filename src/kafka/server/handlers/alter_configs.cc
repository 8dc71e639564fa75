#include "kafka/protocol/messages/alter_configs.h"

#include "kafka/protocol/messages/incremental_alter_configs.h"
#include "kafka/server/handlers/handler.h"
#include "kafka/server/topic_access.h"
#include "storage/log_config.h"
#include "storage/log_manager.h"

namespace otter::kafka {
namespace {

constexpr int8_t resource_topic = 2;

struct outcome {
    error_code code = error_code::none;
    std::string message;
};

// Validates and (unless validate_only) stores a topic's complete set of overrides.
outcome apply(broker_context& b, const std::string& topic,
              const std::map<std::string, std::string>& overrides, bool validate_only) {
    if (!b.logs.topic(topic)) {
        return {error_code::unknown_topic_or_partition, "topic '" + topic + "' does not exist"};
    }
    if (auto lc = storage::make_log_config(overrides, b.cfg.topic_defaults); !lc) {
        return {error_code::invalid_config, lc.error()};
    }
    if (validate_only)
        return {};
    auto r = b.logs.alter_config(topic, overrides);
    if (!r)
        return {to_error_code(static_cast<int>(r.error().code)), r.error().message};
    return {};
}

}  // namespace

handler_response handle_alter_configs(request_ctx& ctx) {
    alter_configs_request req;
    if (!req.decode(ctx.body, ctx.hdr.version))
        return handler_response::close_connection();
    alter_configs_response resp;
    for (const auto& res : req.resources) {
        auto& out = resp.responses.emplace_back();
        out.resource_type = res.resource_type;
        out.resource_name = res.resource_name;
        if (res.resource_type != resource_topic) {
            out.error_code = error_code::invalid_request;
            out.error_message = "only topic configs can be altered";
            continue;
        }
        // AlterConfigs replaces the whole set of overrides.
        std::map<std::string, std::string> overrides;
        for (const auto& c : res.configs) {
            if (c.value)
                overrides[c.name] = *c.value;
        }
        auto o = apply(ctx.broker, res.resource_name, overrides, req.validate_only);
        out.error_code = o.code;
        if (!o.message.empty())
            out.error_message = o.message;
    }
    return handler_response::of(encode_body(resp, ctx.hdr.version));
}

handler_response handle_incremental_alter_configs(request_ctx& ctx) {
    incremental_alter_configs_request req;
    if (!req.decode(ctx.body, ctx.hdr.version))
        return handler_response::close_connection();
    incremental_alter_configs_response resp;
    for (const auto& res : req.resources) {
        auto& out = resp.responses.emplace_back();
        out.resource_type = res.resource_type;
        out.resource_name = res.resource_name;
        if (res.resource_type != resource_topic) {
            out.error_code = error_code::invalid_request;
            out.error_message = "only topic configs can be altered";
            continue;
        }
        auto info = ctx.broker.logs.topic(res.resource_name);
        if (!info) {
            out.error_code = error_code::unknown_topic_or_partition;
            out.error_message = "topic '" + res.resource_name + "' does not exist";
            continue;
        }
        auto overrides = info->overrides;
        bool bad = false;
        for (const auto& c : res.configs) {
            switch (c.config_operation) {
                case 0:  // SET
                    if (!c.value) {
                        bad = true;
                        break;
                    }
                    overrides[c.name] = *c.value;
                    break;
                case 1:  // DELETE: back to the default
                    overrides.erase(c.name);
                    break;
                default:  // APPEND/SUBTRACT apply to list configs, none of which we have
                    bad = true;
                    break;
            }
        }
        if (bad) {
            out.error_code = error_code::invalid_config;
            out.error_message = "unsupported operation or missing value";
            continue;
        }
        auto o = apply(ctx.broker, res.resource_name, overrides, req.validate_only);
        out.error_code = o.code;
        if (!o.message.empty())
            out.error_message = o.message;
    }
    return handler_response::of(encode_body(resp, ctx.hdr.version));
}

}  // namespace otter::kafka
