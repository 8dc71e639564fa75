// Owning RAII handles for the librdkafka C objects the Kafka connector uses, and a small
// configuration builder that turns rd_kafka_conf_set failures into one readable sentence.
// Not thread-safe beyond what librdkafka itself guarantees for the wrapped objects.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>

namespace otter::connectors::kafka {

struct rdkafka_deleter {
    void operator()(rd_kafka_t* p) const { rd_kafka_destroy(p); }
    void operator()(rd_kafka_conf_t* p) const { rd_kafka_conf_destroy(p); }
    void operator()(rd_kafka_topic_partition_list_t* p) const {
        rd_kafka_topic_partition_list_destroy(p);
    }
    void operator()(rd_kafka_queue_t* p) const { rd_kafka_queue_destroy(p); }
    void operator()(const rd_kafka_metadata_t* p) const { rd_kafka_metadata_destroy(p); }
    void operator()(rd_kafka_message_t* p) const { rd_kafka_message_destroy(p); }
    void operator()(rd_kafka_topic_t* p) const { rd_kafka_topic_destroy(p); }
};

using handle_ptr = std::unique_ptr<rd_kafka_t, rdkafka_deleter>;
using conf_ptr = std::unique_ptr<rd_kafka_conf_t, rdkafka_deleter>;
using partition_list_ptr = std::unique_ptr<rd_kafka_topic_partition_list_t, rdkafka_deleter>;
using queue_ptr = std::unique_ptr<rd_kafka_queue_t, rdkafka_deleter>;
using metadata_ptr = std::unique_ptr<const rd_kafka_metadata_t, rdkafka_deleter>;
using message_ptr = std::unique_ptr<rd_kafka_message_t, rdkafka_deleter>;
using topic_ptr = std::unique_ptr<rd_kafka_topic_t, rdkafka_deleter>;

// Client properties in order; later entries override earlier ones.
using properties = std::vector<std::pair<std::string, std::string>>;

inline partition_list_ptr make_partition_list(int capacity) {
    return partition_list_ptr(rd_kafka_topic_partition_list_new(capacity));
}

// Builds an rd_kafka_conf_t from `props`; on a bad key/value returns null and sets `err`.
inline conf_ptr make_conf(const properties& props, std::string& err) {
    conf_ptr conf(rd_kafka_conf_new());
    char buf[512];
    for (const auto& [k, v] : props) {
        if (rd_kafka_conf_set(conf.get(), k.c_str(), v.c_str(), buf, sizeof(buf)) !=
            RD_KAFKA_CONF_OK) {
            err = "kafka property " + k + "=" + v + ": " + buf;
            return nullptr;
        }
    }
    return conf;
}

// Creates a client of `type` from `conf` (ownership of conf passes to the client on success).
inline handle_ptr make_handle(rd_kafka_type_t type, conf_ptr conf, std::string& err) {
    char buf[512];
    rd_kafka_t* rk = rd_kafka_new(type, conf.get(), buf, sizeof(buf));
    if (rk == nullptr) {
        err = std::string("cannot create kafka client: ") + buf;
        return nullptr;
    }
    conf.release();  // owned by rk now
    return handle_ptr(rk);
}

}  // namespace otter::connectors::kafka
