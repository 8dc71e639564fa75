#include "config/broker_config.h"

#include <charconv>

#include <yaml-cpp/yaml.h>

namespace otter::config {

using err = unexpected<std::string>;

result<host_port, std::string> parse_host_port(const std::string& s) {
    auto colon = s.rfind(':');
    if (colon == std::string::npos) {
        return err{"address '" + s + "' must be host:port"};
    }
    host_port hp;
    hp.host = s.substr(0, colon);
    if (hp.host.size() >= 2 && hp.host.front() == '[' && hp.host.back() == ']') {
        hp.host = hp.host.substr(1, hp.host.size() - 2);
    }
    unsigned port = 0;
    auto ps = std::string_view(s).substr(colon + 1);
    auto [ptr, ec] = std::from_chars(ps.data(), ps.data() + ps.size(), port);
    if (ec != std::errc() || ptr != ps.data() + ps.size() || port > 65535) {
        return err{"address '" + s + "' has an invalid port"};
    }
    hp.port = static_cast<uint16_t>(port);
    return hp;
}

namespace {

std::string scalar_string(const YAML::Node& n) {
    return n.IsScalar() ? n.as<std::string>() : std::string();
}

}  // namespace

result<void, std::string> apply_yaml_file(const std::string& path, broker_config& cfg) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const std::exception& e) {
        return err{"cannot read config file " + path + ": " + e.what()};
    }
    if (root.IsNull()) {
        return {};
    }
    if (!root.IsMap()) {
        return err{"config file " + path + " must be a YAML mapping"};
    }
    try {
        for (auto it = root.begin(); it != root.end(); ++it) {
            auto key = it->first.as<std::string>();
            YAML::Node v = it->second;
            if (key == "data_dir") {
                cfg.data_dir = v.as<std::string>();
            } else if (key == "kafka_addr" || key == "admin_addr" ||
                       key == "advertised_kafka_addr") {
                auto hp = parse_host_port(v.as<std::string>());
                if (!hp)
                    return err{path + ": " + key + ": " + hp.error()};
                (key == "kafka_addr"   ? cfg.kafka_addr
                 : key == "admin_addr" ? cfg.admin_addr
                                       : cfg.advertised_kafka_addr) = *hp;
            } else if (key == "node_id") {
                cfg.node_id = v.as<int32_t>();
            } else if (key == "cluster_id") {
                cfg.cluster_id = v.as<std::string>();
            } else if (key == "auto_create_topics") {
                cfg.auto_create_topics = v.as<bool>();
            } else if (key == "default_partitions") {
                cfg.default_partitions = v.as<int32_t>();
            } else if (key == "log_level") {
                cfg.log_level = v.as<std::string>();
            } else if (key == "io_threads") {
                cfg.io_threads = v.as<int>();
            } else if (key == "max_request_bytes") {
                cfg.max_request_bytes = v.as<int32_t>();
            } else if (key == "max_connections") {
                cfg.max_connections = v.as<int>();
            } else if (key == "flush_interval_ms") {
                cfg.flush_interval_ms = v.as<int>();
            } else if (key == "retention_check_interval_ms") {
                cfg.retention_check_interval_ms = v.as<int>();
            } else if (key == "cleaner_interval_ms") {
                cfg.cleaner_interval_ms = v.as<int>();
            } else if (key == "group_initial_rebalance_delay_ms") {
                cfg.group_initial_rebalance_delay_ms = v.as<int>();
            } else if (key == "group_min_session_timeout_ms") {
                cfg.group_min_session_timeout_ms = v.as<int>();
            } else if (key == "offsets_retention_minutes") {
                cfg.offsets_retention_minutes = v.as<int>();
            } else if (key == "offsets_topic_partitions") {
                cfg.offsets_topic_partitions = v.as<int32_t>();
            } else if (key == "topic_defaults") {
                if (!v.IsMap())
                    return err{path + ": topic_defaults must be a mapping"};
                for (auto t = v.begin(); t != v.end(); ++t) {
                    cfg.topic_defaults[t->first.as<std::string>()] = scalar_string(t->second);
                }
            } else {
                return err{path + ": unknown setting '" + key + "'"};
            }
        }
    } catch (const YAML::Exception& e) {
        return err{path + ": " + e.what()};
    }
    return {};
}

result<void, std::string> finalize(broker_config& cfg) {
    if (cfg.advertised_kafka_addr.port == 0) {
        cfg.advertised_kafka_addr = cfg.kafka_addr;
    }
    if (cfg.advertised_kafka_addr.host.empty() || cfg.advertised_kafka_addr.host == "0.0.0.0" ||
        cfg.advertised_kafka_addr.host == "localhost") {
        // librdkafka may resolve "localhost" to ::1; advertise the IPv4 loopback.
        cfg.advertised_kafka_addr.host = "127.0.0.1";
    }
    if (cfg.default_partitions < 1)
        return err{"default_partitions must be at least 1"};
    if (cfg.max_request_bytes < 1024)
        return err{"max_request_bytes must be at least 1024"};
    if (cfg.offsets_topic_partitions < 1)
        return err{"offsets_topic_partitions must be at least 1"};
    if (cfg.group_initial_rebalance_delay_ms < 0) {
        return err{"group_initial_rebalance_delay_ms must not be negative"};
    }
    if (cfg.io_threads < 0)
        return err{"io_threads must not be negative"};
    if (cfg.data_dir.empty())
        return err{"data_dir must not be empty"};
    return {};
}

}  // namespace otter::config
