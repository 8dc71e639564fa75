// Owning RAII handles for librdkafka C objects, shared by every part of Otter that is a Kafka
// *client* (the `otter` CLI commands and the stream engine's Kafka connector), plus the two
// constructors whose failures need turning into one readable sentence.
// Not thread-safe beyond what librdkafka itself guarantees for the wrapped objects.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>

namespace otter::rdkafka {

struct deleter {
    void operator()(rd_kafka_t* p) const { rd_kafka_destroy(p); }
    void operator()(rd_kafka_conf_t* p) const { rd_kafka_conf_destroy(p); }
    void operator()(rd_kafka_topic_partition_list_t* p) const {
        rd_kafka_topic_partition_list_destroy(p);
    }
    void operator()(rd_kafka_queue_t* p) const { rd_kafka_queue_destroy(p); }
    void operator()(const rd_kafka_metadata_t* p) const { rd_kafka_metadata_destroy(p); }
    void operator()(rd_kafka_message_t* p) const { rd_kafka_message_destroy(p); }
    void operator()(rd_kafka_topic_t* p) const { rd_kafka_topic_destroy(p); }
    void operator()(rd_kafka_headers_t* p) const { rd_kafka_headers_destroy(p); }
    void operator()(rd_kafka_event_t* p) const { rd_kafka_event_destroy(p); }
    void operator()(rd_kafka_error_t* p) const { rd_kafka_error_destroy(p); }
    // Admin API objects.
    void operator()(rd_kafka_AdminOptions_t* p) const { rd_kafka_AdminOptions_destroy(p); }
    void operator()(rd_kafka_NewTopic_t* p) const { rd_kafka_NewTopic_destroy(p); }
    void operator()(rd_kafka_DeleteTopic_t* p) const { rd_kafka_DeleteTopic_destroy(p); }
    void operator()(rd_kafka_ConfigResource_t* p) const { rd_kafka_ConfigResource_destroy(p); }
    void operator()(rd_kafka_DeleteGroup_t* p) const { rd_kafka_DeleteGroup_destroy(p); }
    void operator()(rd_kafka_ListConsumerGroupOffsets_t* p) const {
        rd_kafka_ListConsumerGroupOffsets_destroy(p);
    }
    void operator()(rd_kafka_AlterConsumerGroupOffsets_t* p) const {
        rd_kafka_AlterConsumerGroupOffsets_destroy(p);
    }
};

using handle_ptr = std::unique_ptr<rd_kafka_t, deleter>;
using conf_ptr = std::unique_ptr<rd_kafka_conf_t, deleter>;
using partition_list_ptr = std::unique_ptr<rd_kafka_topic_partition_list_t, deleter>;
using queue_ptr = std::unique_ptr<rd_kafka_queue_t, deleter>;
using metadata_ptr = std::unique_ptr<const rd_kafka_metadata_t, deleter>;
using message_ptr = std::unique_ptr<rd_kafka_message_t, deleter>;
using topic_ptr = std::unique_ptr<rd_kafka_topic_t, deleter>;
using headers_ptr = std::unique_ptr<rd_kafka_headers_t, deleter>;
using event_ptr = std::unique_ptr<rd_kafka_event_t, deleter>;
using error_ptr = std::unique_ptr<rd_kafka_error_t, deleter>;
using admin_options_ptr = std::unique_ptr<rd_kafka_AdminOptions_t, deleter>;
using new_topic_ptr = std::unique_ptr<rd_kafka_NewTopic_t, deleter>;
using delete_topic_ptr = std::unique_ptr<rd_kafka_DeleteTopic_t, deleter>;
using config_resource_ptr = std::unique_ptr<rd_kafka_ConfigResource_t, deleter>;
using delete_group_ptr = std::unique_ptr<rd_kafka_DeleteGroup_t, deleter>;
using list_group_offsets_ptr = std::unique_ptr<rd_kafka_ListConsumerGroupOffsets_t, deleter>;
using alter_group_offsets_ptr = std::unique_ptr<rd_kafka_AlterConsumerGroupOffsets_t, deleter>;

// Client properties in order; later entries override earlier ones.
using properties = std::vector<std::pair<std::string, std::string>>;

// An empty topic-partition list.
partition_list_ptr make_partition_list(int capacity);

// Builds an rd_kafka_conf_t from `props`; on a bad key/value returns null and sets `err` to
// "kafka property k=v: <librdkafka's reason>".
conf_ptr make_conf(const properties& props, std::string& err);

// Creates a client of `type` from `conf` (ownership of conf passes to the client on success);
// on failure returns null and sets `err`.
handle_ptr make_handle(rd_kafka_type_t type, conf_ptr conf, std::string& err);

}  // namespace otter::rdkafka
