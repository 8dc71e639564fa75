// The configuration of `otter serve`: defaults, then the YAML file, then command-line flags.
// A plain value type; built once at start-up and then read-only (safe to share across threads).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "base/result.h"

namespace otter::config {

struct host_port {
    std::string host;
    uint16_t port = 0;
    std::string to_string() const { return host + ":" + std::to_string(port); }
};

// Parses "host:port" (host may be empty for all interfaces). Errors name the bad value.
result<host_port, std::string> parse_host_port(const std::string& s);

struct broker_config {
    std::string data_dir = "./otter-data";
    host_port kafka_addr{"127.0.0.1", 9092};
    // Host/port clients are told to connect to; defaults to kafka_addr (0.0.0.0 → 127.0.0.1).
    host_port advertised_kafka_addr{};
    host_port admin_addr{"127.0.0.1", 9644};
    int32_t node_id = 0;
    std::string cluster_id = "otter";
    bool auto_create_topics = true;
    int32_t default_partitions = 1;
    std::string log_level = "info";
    // I/O threads serving Kafka connections; 0 = one per core.
    int io_threads = 0;
    // Largest request frame accepted; bigger frames close the connection.
    int32_t max_request_bytes = 100 << 20;
    int max_connections = 10000;
    // Periodic flush of data nobody waits on (acks=0/1), in milliseconds.
    int flush_interval_ms = 5;
    int retention_check_interval_ms = 60000;
    // How often the cleaner looks for compactable partitions (Kafka's log.cleaner.backoff.ms).
    int cleaner_interval_ms = 15000;
    // Consumer groups (Kafka's group.initial.rebalance.delay.ms, group.min.session.timeout.ms,
    // offsets.retention.minutes, offsets.topic.num.partitions).
    int group_initial_rebalance_delay_ms = 3000;
    int group_min_session_timeout_ms = 6000;
    int offsets_retention_minutes = 7 * 24 * 60;
    int32_t offsets_topic_partitions = 1;
    // Broker-wide defaults for topic configs (Kafka names, e.g. "retention.ms").
    std::map<std::string, std::string> topic_defaults;
};

// Applies a YAML file's settings onto `cfg`. Unknown keys are an error (typos should not be
// silently ignored).
result<void, std::string> apply_yaml_file(const std::string& path, broker_config& cfg);

// Fills derived fields (advertised address) and checks ranges.
result<void, std::string> finalize(broker_config& cfg);

}  // namespace otter::config
