// Names for the things the broker and its clients share: offsets, partitions, topics.
#pragma once

#include <cstdint>
#include <string>

#include "base/strong_type.h"

namespace otter::model {

struct offset_tag {};
struct partition_tag {};
struct producer_id_tag {};

// A Kafka offset: the position of a record in one partition's log.
using offset = strong_type<int64_t, offset_tag>;
using partition_id = strong_type<int32_t, partition_tag>;
using producer_id = strong_type<int64_t, producer_id_tag>;

struct topic_partition {
    std::string topic;
    partition_id partition;
    bool operator==(const topic_partition&) const = default;
};

// Event or append time in milliseconds since the Unix epoch, as Kafka carries it.
using timestamp_ms = int64_t;

}  // namespace otter::model
