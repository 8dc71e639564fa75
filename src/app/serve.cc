#include "app/serve.h"

#include <algorithm>
#include <csignal>
#include <cstdio>

#include "base/log.h"
#include "http/server.h"
#include "io/env.h"
#include "kafka/server/broker_context.h"
#include "kafka/server/groups/group_coordinator.h"
#include "kafka/server/hwm_notifier.h"
#include "kafka/server/server.h"
#include "metrics/registry.h"
#include "storage/flusher.h"
#include "storage/log_cleaner.h"
#include "storage/log_manager.h"
#include "storage/partition_log.h"
#include "storage/retention_service.h"

namespace otter::app {
namespace {

void add_storage_collector(metrics::registry& reg, storage::log_manager& logs) {
    reg.add_collector([&logs](std::string& out) {
        auto parts = logs.all_partitions();
        std::string size, hwm, start;
        for (const auto& p : parts) {
            auto lbl =
                metrics::format_labels({{"topic", p->tp().topic},
                                        {"partition", std::to_string(p->tp().partition.value())}});
            size +=
                "otter_storage_log_size_bytes" + lbl + " " + std::to_string(p->size_bytes()) + "\n";
            hwm += "otter_kafka_high_watermark" + lbl + " " +
                   std::to_string(p->high_watermark().value()) + "\n";
            start += "otter_kafka_log_start_offset" + lbl + " " +
                     std::to_string(p->log_start_offset().value()) + "\n";
        }
        out +=
            "# HELP otter_storage_log_size_bytes Bytes on disk per partition.\n"
            "# TYPE otter_storage_log_size_bytes gauge\n" +
            size;
        out +=
            "# HELP otter_kafka_high_watermark High watermark (last durable offset + 1) per "
            "partition.\n"
            "# TYPE otter_kafka_high_watermark gauge\n" +
            hwm;
        out +=
            "# HELP otter_kafka_log_start_offset First offset still in the log per partition.\n"
            "# TYPE otter_kafka_log_start_offset gauge\n" +
            start;
    });
}

void add_group_collector(metrics::registry& reg, storage::log_manager& logs,
                         kafka::groups::group_coordinator& groups) {
    reg.add_collector([&logs, &groups](std::string& out) {
        std::string committed, lag;
        for (const auto& c : groups.committed()) {
            auto lbl = metrics::format_labels({{"group", c.group},
                                               {"topic", c.topic},
                                               {"partition", std::to_string(c.partition)}});
            committed +=
                "otter_kafka_group_committed_offset" + lbl + " " + std::to_string(c.offset) + "\n";
            if (auto log = logs.partition(c.topic, c.partition)) {
                int64_t l = log->high_watermark().value() - std::max<int64_t>(c.offset, 0);
                lag += "otter_kafka_group_lag" + lbl + " " +
                       std::to_string(std::max<int64_t>(l, 0)) + "\n";
            }
        }
        out +=
            "# HELP otter_kafka_group_committed_offset Committed offset per group and partition.\n"
            "# TYPE otter_kafka_group_committed_offset gauge\n" +
            committed;
        out +=
            "# HELP otter_kafka_group_lag High watermark minus committed offset per group and "
            "partition.\n"
            "# TYPE otter_kafka_group_lag gauge\n" +
            lag;
    });
}

}  // namespace

int run_serve(config::broker_config cfg) {
    if (!set_log_level(cfg.log_level.c_str())) {
        std::fprintf(stderr,
                     "otter serve: unknown log level '%s' (use trace, debug, info, warn, error)\n",
                     cfg.log_level.c_str());
        return 2;
    }
    // Block the stop signals before any thread starts, so that only sigwait() below sees them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    auto env = io::make_posix_env();
    metrics::registry reg;
    storage::log_manager logs(*env, cfg.data_dir, cfg.topic_defaults);
    spdlog::info("otter: opening data directory {}", cfg.data_dir);
    if (auto r = logs.load(); !r) {
        std::fprintf(stderr, "otter serve: cannot open data directory %s: %s\n",
                     cfg.data_dir.c_str(), r.error().c_str());
        return 1;
    }
    add_storage_collector(reg, logs);

    kafka::hwm_notifier notifier;
    storage::flusher flusher(std::chrono::milliseconds(cfg.flush_interval_ms));
    auto& fsyncs = reg.get_counter("otter_storage_flush_rounds_total",
                                   "Group-commit rounds (one fdatasync per dirty partition each).");
    flusher.set_on_advance([&notifier, &fsyncs](const auto& advanced) {
        fsyncs.inc();
        std::vector<const storage::partition_log*> ptrs;
        ptrs.reserve(advanced.size());
        for (const auto& p : advanced)
            ptrs.push_back(p.get());
        notifier.notify(ptrs);
    });
    flusher.start();
    storage::retention_service retention;
    retention.start(logs, std::chrono::milliseconds(cfg.retention_check_interval_ms));
    storage::log_cleaner cleaner;  // compaction of cleanup.policy=compact topics
    cleaner.start(logs, std::chrono::milliseconds(cfg.cleaner_interval_ms));

    kafka::groups::coordinator_config gcfg;
    gcfg.initial_rebalance_delay = std::chrono::milliseconds(cfg.group_initial_rebalance_delay_ms);
    gcfg.min_session_timeout = std::chrono::milliseconds(cfg.group_min_session_timeout_ms);
    gcfg.offsets_retention = std::chrono::minutes(cfg.offsets_retention_minutes);
    gcfg.offsets_topic_partitions = cfg.offsets_topic_partitions;
    kafka::groups::group_coordinator groups(logs, flusher, gcfg);
    if (auto r = groups.load(); !r) {
        std::fprintf(stderr, "otter serve: %s\n", r.error().c_str());
        cleaner.stop();
        retention.stop();
        flusher.stop();
        return 1;
    }
    groups.start();
    add_group_collector(reg, logs, groups);

    kafka::broker_context ctx{cfg, logs, flusher, reg, notifier, groups};
    kafka::server kafka_server(ctx);
    if (auto r = kafka_server.start(); !r) {
        std::fprintf(stderr, "otter serve: %s\n", r.error().c_str());
        groups.stop();
        cleaner.stop();
        retention.stop();
        flusher.stop();
        return 1;
    }

    http::server admin;
    admin.get("/metrics", [&reg](const http::request&) {
        return http::response{200, "text/plain; version=0.0.4; charset=utf-8", reg.render()};
    });
    admin.get("/v1/status/ready", [](const http::request&) {
        return http::response{200, "application/json", "{\"status\":\"ready\"}\n"};
    });
    admin.get("/v1/status/live", [](const http::request&) {
        return http::response{200, "application/json", "{\"status\":\"live\"}\n"};
    });
    if (auto r = admin.start(cfg.admin_addr.host, cfg.admin_addr.port); !r) {
        std::fprintf(stderr, "otter serve: %s\n", r.error().c_str());
        kafka_server.stop();
        groups.stop();
        cleaner.stop();
        retention.stop();
        flusher.stop();
        return 1;
    }
    spdlog::info("otter: Kafka API on {} (advertised {}), admin on {}, data in {}",
                 cfg.kafka_addr.to_string(), cfg.advertised_kafka_addr.to_string(),
                 cfg.admin_addr.to_string(), cfg.data_dir);

    int sig = 0;
    sigwait(&stop_signals, &sig);
    spdlog::info("otter: received {}, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");

    // Reverse order: no new requests, then flush everything, then close logs.
    admin.stop();
    kafka_server.stop();
    groups.stop();
    cleaner.stop();
    retention.stop();
    flusher.stop();
    spdlog::info("otter: stopped cleanly");
    return 0;
}

}  // namespace otter::app
