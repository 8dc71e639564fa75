// The `otter` program: `otter serve` runs a node; the other subcommands are Kafka clients
// (they work against any Kafka-API cluster).
#include <cstdio>
#include <functional>

#include <CLI/CLI.hpp>

#include "app/cli/cli.h"
#include "app/nexmark_cmd.h"
#include "app/serve.h"
#include "app/table_cmd.h"
#include "config/broker_config.h"

namespace {

constexpr const char* version = "0.1.0";

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Otter: a Kafka-API broker and stream processor in one program"};
    app.require_subcommand(1);
    app.set_version_flag("--version", version);

    std::function<int()> action;

    auto* serve = app.add_subcommand("serve", "Run a broker node (Kafka API, admin HTTP)");
    std::string config_file, data_dir, kafka_addr, admin_addr, advertised, log_level;
    serve->add_option("--config", config_file, "YAML config file; flags override it")
        ->check(CLI::ExistingFile);
    serve->add_option("--data-dir", data_dir, "Directory for all durable data [./otter-data]");
    serve->add_option("--kafka-addr", kafka_addr, "Kafka API listen address [127.0.0.1:9092]");
    serve->add_option("--advertised-kafka-addr", advertised,
                      "Address clients are told to use [the Kafka address]");
    serve->add_option("--admin-addr", admin_addr, "Admin HTTP address (/metrics) [127.0.0.1:9644]");
    serve->add_option("--log-level", log_level, "trace, debug, info, warn or error [info]");
    serve->callback([&] {
        action = [&]() -> int {
            otter::config::broker_config cfg;
            if (!config_file.empty()) {
                if (auto r = otter::config::apply_yaml_file(config_file, cfg); !r) {
                    std::fprintf(stderr, "otter serve: %s\n", r.error().c_str());
                    return 2;
                }
            }
            if (!data_dir.empty())
                cfg.data_dir = data_dir;
            if (!log_level.empty())
                cfg.log_level = log_level;
            auto set_addr = [](const std::string& flag, const std::string& v,
                               otter::config::host_port& out) {
                if (v.empty())
                    return true;
                auto hp = otter::config::parse_host_port(v);
                if (!hp) {
                    std::fprintf(stderr, "otter serve: %s: %s\n", flag.c_str(), hp.error().c_str());
                    return false;
                }
                out = *hp;
                return true;
            };
            if (!set_addr("--kafka-addr", kafka_addr, cfg.kafka_addr) ||
                !set_addr("--admin-addr", admin_addr, cfg.admin_addr) ||
                !set_addr("--advertised-kafka-addr", advertised, cfg.advertised_kafka_addr)) {
                return 2;
            }
            if (auto r = otter::config::finalize(cfg); !r) {
                std::fprintf(stderr, "otter serve: %s\n", r.error().c_str());
                return 2;
            }
            return otter::app::run_serve(std::move(cfg));
        };
    });

    otter::cli::add_client_commands(app, action);
    otter::app::add_table_commands(app, action);
    otter::app::add_nexmark_commands(app, action);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    return action ? action() : 0;
}
