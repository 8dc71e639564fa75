// Kafka's own key/value formats for the records of `__consumer_offsets`, so that tools that read
// the topic directly (Burrow, kafka-console-consumer's offsets formatter) understand Otter's.
//
//   offset commit key   v1: version i16 = 1, group STRING, topic STRING, partition i32
//   offset commit value v3: version i16 = 3, offset i64, leader_epoch i32, metadata STRING,
//                           commit_timestamp i64          (v1 adds expire_timestamp, no epoch)
//   group metadata key  v2: version i16 = 2, group STRING
//   group metadata value v3: version i16 = 3, protocol_type STRING, generation i32,
//                           protocol NULLABLE_STRING, leader NULLABLE_STRING,
//                           current_state_timestamp i64, members [member_id STRING,
//                           group_instance_id NULLABLE_STRING, client_id STRING, client_host
//                           STRING, rebalance_timeout i32, session_timeout i32, subscription BYTES,
//                           assignment BYTES]
// A null value is a tombstone. See docs/formats/consumer-offsets.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bytes/bytes.h"

namespace otter::kafka::groups {

struct offset_key {
    std::string group;
    std::string topic;
    int32_t partition = 0;
};

struct offset_value {
    int64_t offset = 0;
    int32_t leader_epoch = -1;
    std::string metadata;
    int64_t commit_timestamp = 0;
};

struct group_key {
    std::string group;
};

struct member_record {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::string client_id;
    std::string client_host;
    int32_t rebalance_timeout_ms = 0;
    int32_t session_timeout_ms = 0;
    bytes subscription;
    bytes assignment;
};

struct group_value {
    std::string protocol_type;
    int32_t generation = 0;
    std::optional<std::string> protocol;
    std::optional<std::string> leader;
    int64_t current_state_timestamp = -1;
    std::vector<member_record> members;
};

bytes encode_key(const offset_key& k);
bytes encode_key(const group_key& k);
bytes encode_value(const offset_value& v);
bytes encode_value(const group_value& v);

using any_key = std::variant<offset_key, group_key>;
// Decoders return nullopt on malformed or unknown-version input (never throw or crash).
std::optional<any_key> decode_key(bytes_view b);
std::optional<offset_value> decode_offset_value(bytes_view b);
std::optional<group_value> decode_group_value(bytes_view b);

// The __consumer_offsets partition of a group: Java's String.hashCode, as Kafka does.
int32_t offsets_partition_for(const std::string& group, int32_t partitions);

}  // namespace otter::kafka::groups
