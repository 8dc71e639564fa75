#include "kafka/protocol/messages/describe_configs.h"

#include <algorithm>

#include "kafka/server/handlers/handler.h"
#include "storage/log_config.h"
#include "storage/log_manager.h"

namespace otter::kafka {
namespace {

constexpr int8_t resource_topic = 2;
constexpr int8_t resource_broker = 4;
// Kafka's ConfigSource values (DescribeConfigs v1+).
constexpr int8_t source_dynamic_topic = 1;
constexpr int8_t source_static_broker = 4;
constexpr int8_t source_default = 5;

bool wanted(const std::optional<std::vector<std::string>>& keys, const std::string& name) {
    return !keys || keys->empty() || std::find(keys->begin(), keys->end(), name) != keys->end();
}

}  // namespace

handler_response handle_describe_configs(request_ctx& ctx) {
    describe_configs_request req;
    if (!req.decode(ctx.body, ctx.hdr.version))
        return handler_response::close_connection();
    auto& b = ctx.broker;
    describe_configs_response resp;
    for (const auto& res : req.resources) {
        auto& out = resp.results.emplace_back();
        out.resource_type = res.resource_type;
        out.resource_name = res.resource_name;
        out.error_code = error_code::none;
        auto add = [&](const std::string& name, const std::string& value, bool is_default,
                       bool read_only, int8_t source) {
            if (!wanted(res.configuration_keys, name))
                return;
            auto& c = out.configs.emplace_back();
            c.name = name;
            c.value = value;
            c.read_only = read_only;
            c.is_default = is_default;
            c.config_source = source;
            c.is_sensitive = false;
        };
        if (res.resource_type == resource_topic) {
            auto info = b.logs.topic(res.resource_name);
            if (!info) {
                out.error_code = error_code::unknown_topic_or_partition;
                out.error_message = "topic '" + res.resource_name + "' does not exist";
                continue;
            }
            for (const auto& e : storage::describe_config(info->overrides, b.cfg.topic_defaults)) {
                int8_t source = !e.is_default                        ? source_dynamic_topic
                                : b.cfg.topic_defaults.count(e.name) ? source_static_broker
                                                                     : source_default;
                add(e.name, e.value, e.is_default, e.read_only, source);
            }
        } else if (res.resource_type == resource_broker) {
            if (res.resource_name != std::to_string(b.cfg.node_id) && !res.resource_name.empty()) {
                out.error_code = error_code::invalid_request;
                out.error_message = "unknown broker " + res.resource_name;
                continue;
            }
            add("broker.id", std::to_string(b.cfg.node_id), false, true, source_static_broker);
            add("log.dirs", b.cfg.data_dir, false, true, source_static_broker);
            add("auto.create.topics.enable", b.cfg.auto_create_topics ? "true" : "false", false,
                true, source_static_broker);
            add("num.partitions", std::to_string(b.cfg.default_partitions), false, true,
                source_static_broker);
            add("advertised.listeners", "PLAINTEXT://" + b.cfg.advertised_kafka_addr.to_string(),
                false, true, source_static_broker);
            add("message.max.bytes", std::to_string(b.cfg.max_request_bytes), false, true,
                source_static_broker);
        } else {
            out.error_code = error_code::invalid_request;
            out.error_message = "unsupported resource type " + std::to_string(res.resource_type);
        }
    }
    return handler_response::of(encode_body(resp, ctx.hdr.version));
}

}  // namespace otter::kafka
