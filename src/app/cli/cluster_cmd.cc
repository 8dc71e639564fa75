// `otter cluster info`: the brokers, controller and topic count the cluster reports in metadata.
#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "app/cli/commands.h"

namespace otter::cli {

namespace {

struct info_args {
    client_options client;
};

int run_info(const info_args& args) {
    auto client = kafka_client::create(RD_KAFKA_PRODUCER, args.client, {});
    if (!client) {
        return fail(client.error());
    }
    auto md = client->metadata("reading cluster metadata");
    if (!md) {
        return fail(md.error());
    }
    // Both come from the metadata just fetched; the timeout only matters if it lacked them.
    const int32_t controller = rd_kafka_controllerid(client->get(), args.client.timeout_ms());
    std::string cluster_id = "-";
    if (char* id = rd_kafka_clusterid(client->get(), args.client.timeout_ms()); id != nullptr) {
        cluster_id = id;
        rd_kafka_mem_free(client->get(), id);
    }

    int internal = 0;
    for (int i = 0; i < (*md)->topic_cnt; ++i) {
        internal += std::string_view((*md)->topics[i].topic).substr(0, 2) == "__" ? 1 : 0;
    }
    fmt::print(
        "{}",
        format_table({
            {"CLUSTER", cluster_id},
            {"CONTROLLER", controller >= 0 ? std::to_string(controller) : "unknown"},
            {"TOPICS", fmt::format("{} (+{} internal)", (*md)->topic_cnt - internal, internal)},
        }));

    std::vector<const rd_kafka_metadata_broker_t*> brokers;
    for (int i = 0; i < (*md)->broker_cnt; ++i) {
        brokers.push_back(&(*md)->brokers[i]);
    }
    std::sort(brokers.begin(), brokers.end(),
              [](const auto* a, const auto* b) { return a->id < b->id; });
    std::vector<std::vector<std::string>> rows{{"BROKER", "ADDRESS", ""}};
    for (const auto* b : brokers) {
        rows.push_back({std::to_string(b->id), fmt::format("{}:{}", b->host, b->port),
                        b->id == controller ? "controller" : ""});
    }
    fmt::print("\n{}", format_table(rows));
    return 0;
}

}  // namespace

void add_cluster_commands(CLI::App& root, action_slot& action) {
    CLI::App* cluster = root.add_subcommand("cluster", "Inspect the Kafka cluster");
    cluster->require_subcommand(1);
    auto args = std::make_shared<info_args>();
    CLI::App* cmd =
        cluster->add_subcommand("info", "Show the brokers, the controller and the topic count");
    add_client_options(*cmd, args->client);
    bind_action(*cmd, action, args, run_info);
}

}  // namespace otter::cli
