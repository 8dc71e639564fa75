// `otter topic create|list|describe|alter-config|delete`: topic administration through the
// Kafka Admin API (CreateTopics, DeleteTopics, DescribeConfigs, AlterConfigs) and metadata.
#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "app/cli/commands.h"

namespace otter::cli {

namespace {

struct create_args {
    client_options client;
    std::string name;
    int partitions = 1;
    int replicas = 1;
    std::vector<std::string> configs;
};

struct list_args {
    client_options client;
    bool all = false;
};

struct describe_args {
    client_options client;
    std::string name;
};

struct alter_args {
    client_options client;
    std::string name;
    std::vector<std::string> set;
    std::vector<std::string> del;
};

struct delete_args {
    client_options client;
    std::vector<std::string> names;
};

// One topic configuration entry as DescribeConfigs returns it.
struct config_entry {
    std::string name;
    std::optional<std::string> value;  // nullopt for sensitive or unset values
    rd_kafka_ConfigSource_t source = RD_KAFKA_CONFIG_SOURCE_UNKNOWN_CONFIG;
    bool sensitive = false;
    bool read_only = false;
};

std::string_view source_name(rd_kafka_ConfigSource_t source) {
    switch (source) {
        case RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG:
            return "default";
        case RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG:
            return "topic";
        case RD_KAFKA_CONFIG_SOURCE_STATIC_BROKER_CONFIG:
            return "broker";
        case RD_KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG:
            return "dynamic-broker";
        case RD_KAFKA_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG:
            return "dynamic-cluster";
        default:
            return "unknown";
    }
}

// A sentence for a per-topic error of CreateTopics/DeleteTopics.
std::string topic_error(std::string_view action, std::string_view topic, rd_kafka_resp_err_t err,
                        const char* detail) {
    switch (err) {
        case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
            return fmt::format("topic '{}' already exists", topic);
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
            return fmt::format("topic '{}' does not exist; see `otter topic list`", topic);
        case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
        case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
            return fmt::format("not authorized to {} topic '{}'", action, topic);
        default:
            return fmt::format(
                "cannot {} topic '{}': {}", action, topic,
                detail != nullptr && *detail != '\0' ? detail : rd_kafka_err2str(err));
    }
}

result<kafka_client, cli_error> admin_client(const client_options& options) {
    return kafka_client::create(RD_KAFKA_PRODUCER, options, {});
}

// Reads every configuration entry of `topic`, sorted by name.
result<std::vector<config_entry>, cli_error> describe_configs(const kafka_client& client,
                                                              const std::string& topic) {
    config_resource_ptr resource(
        rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str()));
    auto event = client.admin_call(
        RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS,
        fmt::format("reading the configuration of topic '{}'", topic),
        [&](rd_kafka_t* rk, const rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
            rd_kafka_ConfigResource_t* resources[] = {resource.get()};
            rd_kafka_DescribeConfigs(rk, resources, 1, options, queue);
        });
    if (!event) {
        return unexpected(event.error());
    }
    const auto* res = rd_kafka_event_DescribeConfigs_result(event->get());
    size_t count = 0;
    const rd_kafka_ConfigResource_t** resources =
        res != nullptr ? rd_kafka_DescribeConfigs_result_resources(res, &count) : nullptr;
    if (count != 1) {
        return unexpected(
            fmt::format("reading the configuration of topic '{}' failed: the broker returned {} "
                        "resources instead of 1",
                        topic, count));
    }
    if (const auto err = rd_kafka_ConfigResource_error(resources[0]); err != 0) {
        return unexpected(topic_error("describe the configuration of", topic, err,
                                      rd_kafka_ConfigResource_error_string(resources[0])));
    }
    size_t entry_count = 0;
    const rd_kafka_ConfigEntry_t** entries =
        rd_kafka_ConfigResource_configs(resources[0], &entry_count);
    std::vector<config_entry> out;
    out.reserve(entry_count);
    for (size_t i = 0; i < entry_count; ++i) {
        const rd_kafka_ConfigEntry_t* e = entries[i];
        config_entry entry;
        entry.name = rd_kafka_ConfigEntry_name(e);
        if (const char* value = rd_kafka_ConfigEntry_value(e); value != nullptr) {
            entry.value = value;
        }
        entry.source = rd_kafka_ConfigEntry_source(e);
        entry.sensitive = rd_kafka_ConfigEntry_is_sensitive(e) != 0;
        entry.read_only = rd_kafka_ConfigEntry_is_read_only(e) != 0;
        out.push_back(std::move(entry));
    }
    std::sort(out.begin(), out.end(),
              [](const config_entry& a, const config_entry& b) { return a.name < b.name; });
    return out;
}

int run_create(const create_args& args) {
    auto configs = parse_key_values(args.configs, "-c/--config");
    if (!configs) {
        return fail(configs.error());
    }
    auto client = admin_client(args.client);
    if (!client) {
        return fail(client.error());
    }
    char errstr[512];
    new_topic_ptr topic(rd_kafka_NewTopic_new(args.name.c_str(), args.partitions, args.replicas,
                                              errstr, sizeof errstr));
    if (!topic) {
        return fail(fmt::format("cannot create topic '{}': {}", args.name, errstr));
    }
    for (const auto& c : *configs) {
        if (rd_kafka_NewTopic_set_config(topic.get(), c.key.c_str(), c.value.c_str()) != 0) {
            return fail(fmt::format("cannot create topic '{}': invalid config {}={}", args.name,
                                    c.key, c.value));
        }
    }
    auto event = client->admin_call(
        RD_KAFKA_ADMIN_OP_CREATETOPICS, fmt::format("creating topic '{}'", args.name),
        [&](rd_kafka_t* rk, const rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
            rd_kafka_NewTopic_t* topics[] = {topic.get()};
            rd_kafka_CreateTopics(rk, topics, 1, options, queue);
        });
    if (!event) {
        return fail(event.error());
    }
    size_t count = 0;
    const auto* res = rd_kafka_event_CreateTopics_result(event->get());
    const rd_kafka_topic_result_t** results =
        res != nullptr ? rd_kafka_CreateTopics_result_topics(res, &count) : nullptr;
    if (count == 0) {
        return fail(
            fmt::format("creating topic '{}' failed: the broker returned no result", args.name));
    }
    for (size_t i = 0; i < count; ++i) {
        if (const auto err = rd_kafka_topic_result_error(results[i]); err != 0) {
            return fail(topic_error("create", rd_kafka_topic_result_name(results[i]), err,
                                    rd_kafka_topic_result_error_string(results[i])));
        }
    }
    fmt::print("created topic {} (partitions: {}, replicas: {})\n", args.name, args.partitions,
               args.replicas);
    return 0;
}

int run_list(const list_args& args) {
    auto client = admin_client(args.client);
    if (!client) {
        return fail(client.error());
    }
    auto md = client->metadata("listing topics");
    if (!md) {
        return fail(md.error());
    }
    std::vector<const rd_kafka_metadata_topic_t*> topics;
    for (int i = 0; i < (*md)->topic_cnt; ++i) {
        const auto& t = (*md)->topics[i];
        if (args.all || std::string_view(t.topic).substr(0, 2) != "__") {
            topics.push_back(&t);
        }
    }
    std::sort(topics.begin(), topics.end(), [](const auto* a, const auto* b) {
        return std::string_view(a->topic) < std::string_view(b->topic);
    });
    std::vector<std::vector<std::string>> rows{{"NAME", "PARTITIONS", "REPLICAS"}};
    for (const auto* t : topics) {
        const std::string replicas =
            t->partition_cnt > 0 ? std::to_string(t->partitions[0].replica_cnt) : "-";
        rows.push_back({t->topic, std::to_string(t->partition_cnt), replicas});
    }
    fmt::print("{}", format_table(rows));
    return 0;
}

std::string join_ids(const int32_t* ids, int count) {
    std::string out;
    for (int i = 0; i < count; ++i) {
        out += (i > 0 ? "," : "") + std::to_string(ids[i]);
    }
    return out.empty() ? "-" : out;
}

int run_describe(const describe_args& args) {
    // A consumer handle reading uncommitted data, so that the high watermark is the log end
    // and not the last stable offset.
    auto client = kafka_client::create(RD_KAFKA_CONSUMER, args.client,
                                       {{"isolation.level", "read_uncommitted"}});
    if (!client) {
        return fail(client.error());
    }
    auto md = client->metadata(fmt::format("describing topic '{}'", args.name));
    if (!md) {
        return fail(md.error());
    }
    const rd_kafka_metadata_topic_t* topic = find_topic(**md, args.name);
    if (topic == nullptr || topic->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        return fail(fmt::format("topic '{}' does not exist; see `otter topic list`", args.name));
    }
    std::vector<const rd_kafka_metadata_partition_t*> partitions;
    for (int i = 0; i < topic->partition_cnt; ++i) {
        partitions.push_back(&topic->partitions[i]);
    }
    std::sort(partitions.begin(), partitions.end(),
              [](const auto* a, const auto* b) { return a->id < b->id; });

    fmt::print(
        "{}",
        format_table(
            {{"TOPIC", args.name},
             {"PARTITIONS", std::to_string(topic->partition_cnt)},
             {"REPLICAS", partitions.empty() ? "-" : std::to_string(partitions[0]->replica_cnt)}}));
    if (topic->err != 0) {
        fmt::print("STATUS      {}\n", rd_kafka_err2str(topic->err));
    }

    int status = 0;
    std::vector<std::vector<std::string>> rows{
        {"PARTITION", "LEADER", "REPLICAS", "ISR", "LOW", "HIGH"}};
    for (const auto* p : partitions) {
        int64_t low = 0;
        int64_t high = 0;
        std::string low_text = "-";
        std::string high_text = "-";
        const auto err = rd_kafka_query_watermark_offsets(
            client->get(), args.name.c_str(), p->id, &low, &high, client->options().timeout_ms());
        if (err == 0) {
            low_text = std::to_string(low);
            high_text = std::to_string(high);
        } else {
            fmt::print(
                stderr, "error: {}\n",
                client->explain(fmt::format("reading the offsets of partition {}", p->id), err));
            status = 1;
        }
        rows.push_back({std::to_string(p->id), p->leader >= 0 ? std::to_string(p->leader) : "none",
                        join_ids(p->replicas, p->replica_cnt), join_ids(p->isrs, p->isr_cnt),
                        low_text, high_text});
    }
    fmt::print("\n{}", format_table(rows));
    std::fflush(stdout);

    auto configs = describe_configs(*client, args.name);
    if (!configs) {
        return fail(configs.error());
    }
    std::vector<std::vector<std::string>> config_rows{{"CONFIG", "VALUE", "SOURCE"}};
    for (const auto& c : *configs) {
        std::string value = c.value ? *c.value : (c.sensitive ? "(sensitive)" : "-");
        config_rows.push_back({c.name, std::move(value), std::string(source_name(c.source))});
    }
    fmt::print("\n{}", format_table(config_rows));
    return status;
}

int run_alter_config(const alter_args& args) {
    auto sets = parse_key_values(args.set, "--set");
    if (!sets) {
        return fail(sets.error());
    }
    if (sets->empty() && args.del.empty()) {
        return fail("nothing to change: give --set key=value or --delete key");
    }
    const std::set<std::string> deletes(args.del.begin(), args.del.end());
    for (const auto& s : *sets) {
        if (deletes.count(s.key) != 0) {
            return fail(
                fmt::format("config '{}' is both set and deleted; keep one of them", s.key));
        }
    }
    auto client = admin_client(args.client);
    if (!client) {
        return fail(client.error());
    }
    // librdkafka 2.0 has no IncrementalAlterConfigs, and AlterConfigs replaces the whole set of
    // topic overrides. So read the current overrides, merge the change, and write them all.
    // Not atomic: a concurrent change made between the read and the write is lost.
    auto current = describe_configs(*client, args.name);
    if (!current) {
        return fail(current.error());
    }
    std::map<std::string, std::string> merged;
    for (const auto& c : *current) {
        if (c.source != RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG) {
            continue;
        }
        const bool replaced = deletes.count(c.name) != 0 ||
                              std::any_of(sets->begin(), sets->end(),
                                          [&](const key_value& s) { return s.key == c.name; });
        if (!c.value) {
            if (!replaced) {
                return fail(fmt::format(
                    "topic '{}' has a sensitive config '{}' whose value the broker does not "
                    "reveal, so it cannot be preserved; pass --set {}=VALUE or --delete {}",
                    args.name, c.name, c.name, c.name));
            }
            continue;
        }
        merged[c.name] = *c.value;
    }
    std::vector<std::string> removed;
    for (const auto& key : deletes) {
        if (merged.erase(key) != 0) {
            removed.push_back(key);
        } else {
            fmt::print(stderr, "warning: config '{}' is not set on topic '{}'; nothing to delete\n",
                       key, args.name);
        }
    }
    for (const auto& s : *sets) {
        merged[s.key] = s.value;
    }

    config_resource_ptr resource(
        rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, args.name.c_str()));
    for (const auto& [key, value] : merged) {
        if (rd_kafka_ConfigResource_set_config(resource.get(), key.c_str(), value.c_str()) != 0) {
            return fail(fmt::format("invalid config {}={}", key, value));
        }
    }
    auto event = client->admin_call(
        RD_KAFKA_ADMIN_OP_ALTERCONFIGS,
        fmt::format("changing the configuration of topic '{}'", args.name),
        [&](rd_kafka_t* rk, const rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
            rd_kafka_ConfigResource_t* resources[] = {resource.get()};
            rd_kafka_AlterConfigs(rk, resources, 1, options, queue);
        });
    if (!event) {
        return fail(event.error());
    }
    size_t count = 0;
    const auto* res = rd_kafka_event_AlterConfigs_result(event->get());
    const rd_kafka_ConfigResource_t** results =
        res != nullptr ? rd_kafka_AlterConfigs_result_resources(res, &count) : nullptr;
    for (size_t i = 0; i < count; ++i) {
        if (const auto err = rd_kafka_ConfigResource_error(results[i]); err != 0) {
            return fail(topic_error("change the configuration of", args.name, err,
                                    rd_kafka_ConfigResource_error_string(results[i])));
        }
    }
    for (const auto& s : *sets) {
        fmt::print("set {}={} on topic {}\n", s.key, s.value, args.name);
    }
    for (const auto& key : removed) {
        fmt::print("deleted {} from topic {} (back to its default)\n", key, args.name);
    }
    return 0;
}

int run_delete(const delete_args& args) {
    auto client = admin_client(args.client);
    if (!client) {
        return fail(client.error());
    }
    std::vector<delete_topic_ptr> owned;
    std::vector<rd_kafka_DeleteTopic_t*> topics;
    for (const auto& name : args.names) {
        owned.emplace_back(rd_kafka_DeleteTopic_new(name.c_str()));
        topics.push_back(owned.back().get());
    }
    auto event = client->admin_call(
        RD_KAFKA_ADMIN_OP_DELETETOPICS,
        args.names.size() == 1 ? fmt::format("deleting topic '{}'", args.names[0])
                               : fmt::format("deleting {} topics", args.names.size()),
        [&](rd_kafka_t* rk, const rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
            rd_kafka_DeleteTopics(rk, topics.data(), topics.size(), options, queue);
        });
    if (!event) {
        return fail(event.error());
    }
    size_t count = 0;
    const auto* res = rd_kafka_event_DeleteTopics_result(event->get());
    const rd_kafka_topic_result_t** results =
        res != nullptr ? rd_kafka_DeleteTopics_result_topics(res, &count) : nullptr;
    int status = count == args.names.size() ? 0 : 1;
    if (status != 0) {
        fmt::print(stderr, "error: the broker answered for {} of {} topics\n", count,
                   args.names.size());
    }
    for (size_t i = 0; i < count; ++i) {
        const char* name = rd_kafka_topic_result_name(results[i]);
        if (const auto err = rd_kafka_topic_result_error(results[i]); err != 0) {
            fmt::print(
                stderr, "error: {}\n",
                topic_error("delete", name, err, rd_kafka_topic_result_error_string(results[i])));
            status = 1;
        } else {
            fmt::print("deleted topic {}\n", name);
        }
    }
    return status;
}

}  // namespace

void add_topic_commands(CLI::App& root, action_slot& action) {
    CLI::App* topic =
        root.add_subcommand("topic", "Create, list, describe, configure and delete topics");
    topic->require_subcommand(1);

    {
        auto args = std::make_shared<create_args>();
        CLI::App* cmd = topic->add_subcommand("create", "Create a topic");
        cmd->add_option("name", args->name, "Topic name")->required();
        cmd->add_option("-p,--partitions", args->partitions, "Number of partitions")
            ->check(CLI::Range(1, 1 << 20))
            ->capture_default_str();
        cmd->add_option("-r,--replicas", args->replicas, "Replication factor")
            ->check(CLI::Range(1, 1 << 15))
            ->capture_default_str();
        cmd->add_option("-c,--config", args->configs,
                        "Topic config key=value, repeatable (e.g. -c cleanup.policy=compact)")
            ->type_name("KEY=VALUE")
            ->allow_extra_args(false);
        add_client_options(*cmd, args->client);
        bind_action(*cmd, action, args, run_create);
    }
    {
        auto args = std::make_shared<list_args>();
        CLI::App* cmd = topic->add_subcommand("list", "List topics with their partition counts");
        cmd->add_flag("-a,--all", args->all, "Include internal topics (names starting with __)");
        add_client_options(*cmd, args->client);
        bind_action(*cmd, action, args, run_list);
    }
    {
        auto args = std::make_shared<describe_args>();
        CLI::App* cmd = topic->add_subcommand(
            "describe", "Show a topic's partitions (leader, replicas, offsets) and configuration");
        cmd->add_option("name", args->name, "Topic name")->required();
        add_client_options(*cmd, args->client);
        bind_action(*cmd, action, args, run_describe);
    }
    {
        auto args = std::make_shared<alter_args>();
        CLI::App* cmd =
            topic->add_subcommand("alter-config", "Set or delete topic configuration overrides");
        cmd->add_option("name", args->name, "Topic name")->required();
        cmd->add_option("--set", args->set, "Set a config override key=value, repeatable")
            ->type_name("KEY=VALUE")
            ->allow_extra_args(false);
        cmd->add_option("--delete", args->del,
                        "Delete a config override (back to the default), repeatable")
            ->type_name("KEY")
            ->allow_extra_args(false);
        add_client_options(*cmd, args->client);
        bind_action(*cmd, action, args, run_alter_config);
    }
    {
        auto args = std::make_shared<delete_args>();
        CLI::App* cmd = topic->add_subcommand("delete", "Delete topics and all their records");
        cmd->add_option("names", args->names, "Topic names")->required();
        add_client_options(*cmd, args->client);
        bind_action(*cmd, action, args, run_delete);
    }
}

}  // namespace otter::cli
