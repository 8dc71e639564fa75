// Round trip for every message at every supported version, with and without nulls: each encoding
// must decode to an equal value and consume every byte, re-encode to the same bytes, and fail
// cleanly when truncated at any length. One fill() per struct sets every field present in the
// version to a distinct non-default value.
#include "kafka/protocol/tests/round_trip.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kafka/protocol/api_versions_table.h"
#include "kafka/protocol/messages/all.h"

namespace otter::kafka {
namespace {

[[maybe_unused]] void fill(filler& f, api_versions_request& x);
[[maybe_unused]] void fill(filler& f, api_versions_response::api_version& x);
[[maybe_unused]] void fill(filler& f, api_versions_response& x);
[[maybe_unused]] void fill(filler& f, metadata_request::metadata_request_topic& x);
[[maybe_unused]] void fill(filler& f, metadata_request& x);
[[maybe_unused]] void fill(filler& f, metadata_response::metadata_response_broker& x);
[[maybe_unused]] void fill(filler& f, metadata_response::metadata_response_partition& x);
[[maybe_unused]] void fill(filler& f, metadata_response::metadata_response_topic& x);
[[maybe_unused]] void fill(filler& f, metadata_response& x);
[[maybe_unused]] void fill(filler& f, produce_request::partition_produce_data& x);
[[maybe_unused]] void fill(filler& f, produce_request::topic_produce_data& x);
[[maybe_unused]] void fill(filler& f, produce_request& x);
[[maybe_unused]] void fill(filler& f, produce_response::partition_produce_response& x);
[[maybe_unused]] void fill(filler& f, produce_response::topic_produce_response& x);
[[maybe_unused]] void fill(filler& f, produce_response& x);
[[maybe_unused]] void fill(filler& f, fetch_request::fetch_partition& x);
[[maybe_unused]] void fill(filler& f, fetch_request::fetch_topic& x);
[[maybe_unused]] void fill(filler& f, fetch_request::forgotten_topic& x);
[[maybe_unused]] void fill(filler& f, fetch_request& x);
[[maybe_unused]] void fill(filler& f, fetch_response::aborted_transaction& x);
[[maybe_unused]] void fill(filler& f, fetch_response::partition_data& x);
[[maybe_unused]] void fill(filler& f, fetch_response::fetchable_topic_response& x);
[[maybe_unused]] void fill(filler& f, fetch_response& x);
[[maybe_unused]] void fill(filler& f, list_offsets_request::list_offsets_partition& x);
[[maybe_unused]] void fill(filler& f, list_offsets_request::list_offsets_topic& x);
[[maybe_unused]] void fill(filler& f, list_offsets_request& x);
[[maybe_unused]] void fill(filler& f, list_offsets_response::list_offsets_partition_response& x);
[[maybe_unused]] void fill(filler& f, list_offsets_response::list_offsets_topic_response& x);
[[maybe_unused]] void fill(filler& f, list_offsets_response& x);
[[maybe_unused]] void fill(filler& f, create_topics_request::creatable_replica_assignment& x);
[[maybe_unused]] void fill(filler& f, create_topics_request::creatable_topic_config& x);
[[maybe_unused]] void fill(filler& f, create_topics_request::creatable_topic& x);
[[maybe_unused]] void fill(filler& f, create_topics_request& x);
[[maybe_unused]] void fill(filler& f, create_topics_response::creatable_topic_result& x);
[[maybe_unused]] void fill(filler& f, create_topics_response& x);
[[maybe_unused]] void fill(filler& f, delete_topics_request& x);
[[maybe_unused]] void fill(filler& f, delete_topics_response::deletable_topic_result& x);
[[maybe_unused]] void fill(filler& f, delete_topics_response& x);
[[maybe_unused]] void fill(filler& f, create_partitions_request::create_partitions_assignment& x);
[[maybe_unused]] void fill(filler& f, create_partitions_request::create_partitions_topic& x);
[[maybe_unused]] void fill(filler& f, create_partitions_request& x);
[[maybe_unused]] void fill(filler& f,
                           create_partitions_response::create_partitions_topic_result& x);
[[maybe_unused]] void fill(filler& f, create_partitions_response& x);
[[maybe_unused]] void fill(filler& f, describe_configs_request::describe_configs_resource& x);
[[maybe_unused]] void fill(filler& f, describe_configs_request& x);
[[maybe_unused]] void fill(filler& f, describe_configs_response::describe_configs_synonym& x);
[[maybe_unused]] void fill(filler& f,
                           describe_configs_response::describe_configs_resource_result& x);
[[maybe_unused]] void fill(filler& f, describe_configs_response::describe_configs_result& x);
[[maybe_unused]] void fill(filler& f, describe_configs_response& x);
[[maybe_unused]] void fill(filler& f, alter_configs_request::alterable_config& x);
[[maybe_unused]] void fill(filler& f, alter_configs_request::alter_configs_resource& x);
[[maybe_unused]] void fill(filler& f, alter_configs_request& x);
[[maybe_unused]] void fill(filler& f, alter_configs_response::alter_configs_resource_response& x);
[[maybe_unused]] void fill(filler& f, alter_configs_response& x);
[[maybe_unused]] void fill(filler& f, incremental_alter_configs_request::alterable_config& x);
[[maybe_unused]] void fill(filler& f, incremental_alter_configs_request::alter_configs_resource& x);
[[maybe_unused]] void fill(filler& f, incremental_alter_configs_request& x);
[[maybe_unused]] void fill(filler& f,
                           incremental_alter_configs_response::alter_configs_resource_response& x);
[[maybe_unused]] void fill(filler& f, incremental_alter_configs_response& x);
[[maybe_unused]] void fill(filler& f, find_coordinator_request& x);
[[maybe_unused]] void fill(filler& f, find_coordinator_response& x);
[[maybe_unused]] void fill(filler& f, join_group_request::join_group_request_protocol& x);
[[maybe_unused]] void fill(filler& f, join_group_request& x);
[[maybe_unused]] void fill(filler& f, join_group_response::join_group_response_member& x);
[[maybe_unused]] void fill(filler& f, join_group_response& x);
[[maybe_unused]] void fill(filler& f, sync_group_request::sync_group_request_assignment& x);
[[maybe_unused]] void fill(filler& f, sync_group_request& x);
[[maybe_unused]] void fill(filler& f, sync_group_response& x);
[[maybe_unused]] void fill(filler& f, heartbeat_request& x);
[[maybe_unused]] void fill(filler& f, heartbeat_response& x);
[[maybe_unused]] void fill(filler& f, leave_group_request::member_identity& x);
[[maybe_unused]] void fill(filler& f, leave_group_request& x);
[[maybe_unused]] void fill(filler& f, leave_group_response::member_response& x);
[[maybe_unused]] void fill(filler& f, leave_group_response& x);
[[maybe_unused]] void fill(filler& f, offset_commit_request::offset_commit_request_partition& x);
[[maybe_unused]] void fill(filler& f, offset_commit_request::offset_commit_request_topic& x);
[[maybe_unused]] void fill(filler& f, offset_commit_request& x);
[[maybe_unused]] void fill(filler& f, offset_commit_response::offset_commit_response_partition& x);
[[maybe_unused]] void fill(filler& f, offset_commit_response::offset_commit_response_topic& x);
[[maybe_unused]] void fill(filler& f, offset_commit_response& x);
[[maybe_unused]] void fill(filler& f, offset_fetch_request::offset_fetch_request_topic& x);
[[maybe_unused]] void fill(filler& f, offset_fetch_request& x);
[[maybe_unused]] void fill(filler& f, offset_fetch_response::offset_fetch_response_partition& x);
[[maybe_unused]] void fill(filler& f, offset_fetch_response::offset_fetch_response_topic& x);
[[maybe_unused]] void fill(filler& f, offset_fetch_response& x);
[[maybe_unused]] void fill(filler& f, describe_groups_request& x);
[[maybe_unused]] void fill(filler& f, describe_groups_response::described_group_member& x);
[[maybe_unused]] void fill(filler& f, describe_groups_response::described_group& x);
[[maybe_unused]] void fill(filler& f, describe_groups_response& x);
[[maybe_unused]] void fill(filler& f, list_groups_request& x);
[[maybe_unused]] void fill(filler& f, list_groups_response::listed_group& x);
[[maybe_unused]] void fill(filler& f, list_groups_response& x);
[[maybe_unused]] void fill(filler& f, delete_groups_request& x);
[[maybe_unused]] void fill(filler& f, delete_groups_response::deletable_group_result& x);
[[maybe_unused]] void fill(filler& f, delete_groups_response& x);
[[maybe_unused]] void fill(filler& f, init_producer_id_request& x);
[[maybe_unused]] void fill(filler& f, init_producer_id_response& x);
[[maybe_unused]] void fill(filler& f, sasl_handshake_request& x);
[[maybe_unused]] void fill(filler& f, sasl_handshake_response& x);

void fill([[maybe_unused]] filler& f, [[maybe_unused]] api_versions_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
    if (version >= 3) {
        x.client_software_name = f.str();
    }
    if (version >= 3) {
        x.client_software_version = f.str();
    }
}

TEST(round_trip, api_versions_request) {
    for (int16_t v = 0; v <= 3; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            api_versions_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] api_versions_response::api_version& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.api_key = static_cast<int16_t>(f.next());
    x.min_version = static_cast<int16_t>(f.next());
    x.max_version = static_cast<int16_t>(f.next());
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] api_versions_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.error_code = static_cast<kafka::error_code>(f.next());
    x.api_keys.emplace_back();
    fill(f, x.api_keys.back());
    x.api_keys.emplace_back();
    fill(f, x.api_keys.back());
    if (version >= 1) {
        x.throttle_time_ms = static_cast<int32_t>(f.next());
    }
}

TEST(round_trip, api_versions_response) {
    for (int16_t v = 0; v <= 3; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            api_versions_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] metadata_request::metadata_request_topic& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.name = f.str();
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] metadata_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
    if (!(f.nulls && (version >= 1))) {
        x.topics.emplace();
        x.topics->emplace_back();
        fill(f, x.topics->back());
        x.topics->emplace_back();
        fill(f, x.topics->back());
    }
    if (version >= 4) {
        x.allow_auto_topic_creation = !x.allow_auto_topic_creation;
    }
    if (version >= 8) {
        x.include_cluster_authorized_operations = !x.include_cluster_authorized_operations;
    }
    if (version >= 8) {
        x.include_topic_authorized_operations = !x.include_topic_authorized_operations;
    }
}

TEST(round_trip, metadata_request) {
    for (int16_t v = 0; v <= 8; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            metadata_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] metadata_response::metadata_response_broker& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.node_id = static_cast<int32_t>(f.next());
    x.host = f.str();
    x.port = static_cast<int32_t>(f.next());
    if (version >= 1) {
        if (!(f.nulls && (true))) {
            x.rack = f.str();
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] metadata_response::metadata_response_partition& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.error_code = static_cast<kafka::error_code>(f.next());
    x.partition_index = static_cast<int32_t>(f.next());
    x.leader_id = static_cast<int32_t>(f.next());
    if (version >= 7) {
        x.leader_epoch = static_cast<int32_t>(f.next());
    }
    x.replica_nodes =
        std::vector<int32_t>{static_cast<int32_t>(f.next()), static_cast<int32_t>(f.next())};
    x.isr_nodes =
        std::vector<int32_t>{static_cast<int32_t>(f.next()), static_cast<int32_t>(f.next())};
    if (version >= 5) {
        x.offline_replicas =
            std::vector<int32_t>{static_cast<int32_t>(f.next()), static_cast<int32_t>(f.next())};
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] metadata_response::metadata_response_topic& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.error_code = static_cast<kafka::error_code>(f.next());
    x.name = f.str();
    if (version >= 1) {
        x.is_internal = !x.is_internal;
    }
    x.partitions.emplace_back();
    fill(f, x.partitions.back());
    x.partitions.emplace_back();
    fill(f, x.partitions.back());
    if (version >= 8) {
        x.topic_authorized_operations = static_cast<int32_t>(f.next());
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] metadata_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    if (version >= 3) {
        x.throttle_time_ms = static_cast<int32_t>(f.next());
    }
    x.brokers.emplace_back();
    fill(f, x.brokers.back());
    x.brokers.emplace_back();
    fill(f, x.brokers.back());
    if (version >= 2) {
        if (!(f.nulls && (true))) {
            x.cluster_id = f.str();
        }
    }
    if (version >= 1) {
        x.controller_id = static_cast<int32_t>(f.next());
    }
    x.topics.emplace_back();
    fill(f, x.topics.back());
    x.topics.emplace_back();
    fill(f, x.topics.back());
    if (version >= 8) {
        x.cluster_authorized_operations = static_cast<int32_t>(f.next());
    }
}

TEST(round_trip, metadata_response) {
    for (int16_t v = 0; v <= 8; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            metadata_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] produce_request::partition_produce_data& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.index = static_cast<int32_t>(f.next());
    if (!(f.nulls && (true))) {
        x.records = bytes_view(k_records);
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] produce_request::topic_produce_data& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.name = f.str();
    x.partition_data.emplace_back();
    fill(f, x.partition_data.back());
    x.partition_data.emplace_back();
    fill(f, x.partition_data.back());
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] produce_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
    if (!(f.nulls && (true))) {
        x.transactional_id = f.str();
    }
    x.acks = static_cast<int16_t>(f.next());
    x.timeout_ms = static_cast<int32_t>(f.next());
    x.topic_data.emplace_back();
    fill(f, x.topic_data.back());
    x.topic_data.emplace_back();
    fill(f, x.topic_data.back());
}

TEST(round_trip, produce_request) {
    for (int16_t v = 3; v <= 7; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            produce_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] produce_response::partition_produce_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.index = static_cast<int32_t>(f.next());
    x.error_code = static_cast<kafka::error_code>(f.next());
    x.base_offset = static_cast<int64_t>(f.next());
    x.log_append_time_ms = static_cast<int64_t>(f.next());
    if (version >= 5) {
        x.log_start_offset = static_cast<int64_t>(f.next());
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] produce_response::topic_produce_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.name = f.str();
    x.partition_responses.emplace_back();
    fill(f, x.partition_responses.back());
    x.partition_responses.emplace_back();
    fill(f, x.partition_responses.back());
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] produce_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.responses.emplace_back();
    fill(f, x.responses.back());
    x.responses.emplace_back();
    fill(f, x.responses.back());
    x.throttle_time_ms = static_cast<int32_t>(f.next());
}

TEST(round_trip, produce_response) {
    for (int16_t v = 3; v <= 7; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            produce_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] fetch_request::fetch_partition& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.partition = static_cast<int32_t>(f.next());
    if (version >= 9) {
        x.current_leader_epoch = static_cast<int32_t>(f.next());
    }
    x.fetch_offset = static_cast<int64_t>(f.next());
    if (version >= 5) {
        x.log_start_offset = static_cast<int64_t>(f.next());
    }
    x.partition_max_bytes = static_cast<int32_t>(f.next());
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] fetch_request::fetch_topic& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.topic = f.str();
    x.partitions.emplace_back();
    fill(f, x.partitions.back());
    x.partitions.emplace_back();
    fill(f, x.partitions.back());
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] fetch_request::forgotten_topic& x) {
    [[maybe_unused]] const int16_t version = f.v;
    if (version >= 7) {
        x.topic = f.str();
    }
    if (version >= 7) {
        x.partitions =
            std::vector<int32_t>{static_cast<int32_t>(f.next()), static_cast<int32_t>(f.next())};
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] fetch_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.replica_id = static_cast<int32_t>(f.next());
    x.max_wait_ms = static_cast<int32_t>(f.next());
    x.min_bytes = static_cast<int32_t>(f.next());
    x.max_bytes = static_cast<int32_t>(f.next());
    x.isolation_level = static_cast<int8_t>(f.next());
    if (version >= 7) {
        x.session_id = static_cast<int32_t>(f.next());
    }
    if (version >= 7) {
        x.session_epoch = static_cast<int32_t>(f.next());
    }
    x.topics.emplace_back();
    fill(f, x.topics.back());
    x.topics.emplace_back();
    fill(f, x.topics.back());
    if (version >= 7) {
        x.forgotten_topics_data.emplace_back();
        fill(f, x.forgotten_topics_data.back());
        x.forgotten_topics_data.emplace_back();
        fill(f, x.forgotten_topics_data.back());
    }
    if (version >= 11) {
        x.rack_id = f.str();
    }
}

TEST(round_trip, fetch_request) {
    for (int16_t v = 4; v <= 11; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            fetch_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] fetch_response::aborted_transaction& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.producer_id = static_cast<int64_t>(f.next());
    x.first_offset = static_cast<int64_t>(f.next());
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] fetch_response::partition_data& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.partition_index = static_cast<int32_t>(f.next());
    x.error_code = static_cast<kafka::error_code>(f.next());
    x.high_watermark = static_cast<int64_t>(f.next());
    x.last_stable_offset = static_cast<int64_t>(f.next());
    if (version >= 5) {
        x.log_start_offset = static_cast<int64_t>(f.next());
    }
    if (!(f.nulls && (true))) {
        x.aborted_transactions.emplace();
        x.aborted_transactions->emplace_back();
        fill(f, x.aborted_transactions->back());
        x.aborted_transactions->emplace_back();
        fill(f, x.aborted_transactions->back());
    }
    if (version >= 11) {
        x.preferred_read_replica = static_cast<int32_t>(f.next());
    }
    x.records = f.blob();
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] fetch_response::fetchable_topic_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.topic = f.str();
    x.partitions.emplace_back();
    fill(f, x.partitions.back());
    x.partitions.emplace_back();
    fill(f, x.partitions.back());
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] fetch_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.throttle_time_ms = static_cast<int32_t>(f.next());
    if (version >= 7) {
        x.error_code = static_cast<kafka::error_code>(f.next());
    }
    if (version >= 7) {
        x.session_id = static_cast<int32_t>(f.next());
    }
    x.responses.emplace_back();
    fill(f, x.responses.back());
    x.responses.emplace_back();
    fill(f, x.responses.back());
}

TEST(round_trip, fetch_response) {
    for (int16_t v = 4; v <= 11; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            fetch_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] list_offsets_request::list_offsets_partition& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.partition_index = static_cast<int32_t>(f.next());
    if (version >= 4) {
        x.current_leader_epoch = static_cast<int32_t>(f.next());
    }
    x.timestamp = static_cast<int64_t>(f.next());
    if (version == 0) {
        x.max_num_offsets = static_cast<int32_t>(f.next());
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] list_offsets_request::list_offsets_topic& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.name = f.str();
    x.partitions.emplace_back();
    fill(f, x.partitions.back());
    x.partitions.emplace_back();
    fill(f, x.partitions.back());
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] list_offsets_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.replica_id = static_cast<int32_t>(f.next());
    if (version >= 2) {
        x.isolation_level = static_cast<int8_t>(f.next());
    }
    x.topics.emplace_back();
    fill(f, x.topics.back());
    x.topics.emplace_back();
    fill(f, x.topics.back());
}

TEST(round_trip, list_offsets_request) {
    for (int16_t v = 0; v <= 5; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            list_offsets_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] list_offsets_response::list_offsets_partition_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.partition_index = static_cast<int32_t>(f.next());
    x.error_code = static_cast<kafka::error_code>(f.next());
    if (version == 0) {
        x.old_style_offsets =
            std::vector<int64_t>{static_cast<int64_t>(f.next()), static_cast<int64_t>(f.next())};
    }
    if (version >= 1) {
        x.timestamp = static_cast<int64_t>(f.next());
    }
    if (version >= 1) {
        x.offset = static_cast<int64_t>(f.next());
    }
    if (version >= 4) {
        x.leader_epoch = static_cast<int32_t>(f.next());
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] list_offsets_response::list_offsets_topic_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.name = f.str();
    x.partitions.emplace_back();
    fill(f, x.partitions.back());
    x.partitions.emplace_back();
    fill(f, x.partitions.back());
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] list_offsets_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    if (version >= 2) {
        x.throttle_time_ms = static_cast<int32_t>(f.next());
    }
    x.topics.emplace_back();
    fill(f, x.topics.back());
    x.topics.emplace_back();
    fill(f, x.topics.back());
}

TEST(round_trip, list_offsets_response) {
    for (int16_t v = 0; v <= 5; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            list_offsets_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] create_topics_request::creatable_replica_assignment& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.partition_index = static_cast<int32_t>(f.next());
    x.broker_ids =
        std::vector<int32_t>{static_cast<int32_t>(f.next()), static_cast<int32_t>(f.next())};
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] create_topics_request::creatable_topic_config& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.name = f.str();
    if (!(f.nulls && (true))) {
        x.value = f.str();
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] create_topics_request::creatable_topic& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.name = f.str();
    x.num_partitions = static_cast<int32_t>(f.next());
    x.replication_factor = static_cast<int16_t>(f.next());
    x.assignments.emplace_back();
    fill(f, x.assignments.back());
    x.assignments.emplace_back();
    fill(f, x.assignments.back());
    x.configs.emplace_back();
    fill(f, x.configs.back());
    x.configs.emplace_back();
    fill(f, x.configs.back());
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] create_topics_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.topics.emplace_back();
    fill(f, x.topics.back());
    x.topics.emplace_back();
    fill(f, x.topics.back());
    x.timeout_ms = static_cast<int32_t>(f.next());
    if (version >= 1) {
        x.validate_only = !x.validate_only;
    }
}

TEST(round_trip, create_topics_request) {
    for (int16_t v = 0; v <= 4; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            create_topics_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] create_topics_response::creatable_topic_result& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.name = f.str();
    x.error_code = static_cast<kafka::error_code>(f.next());
    if (version >= 1) {
        if (!(f.nulls && (true))) {
            x.error_message = f.str();
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] create_topics_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    if (version >= 2) {
        x.throttle_time_ms = static_cast<int32_t>(f.next());
    }
    x.topics.emplace_back();
    fill(f, x.topics.back());
    x.topics.emplace_back();
    fill(f, x.topics.back());
}

TEST(round_trip, create_topics_response) {
    for (int16_t v = 0; v <= 4; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            create_topics_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] delete_topics_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.topic_names = std::vector<std::string>{f.str(), f.str()};
    x.timeout_ms = static_cast<int32_t>(f.next());
}

TEST(round_trip, delete_topics_request) {
    for (int16_t v = 0; v <= 3; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            delete_topics_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] delete_topics_response::deletable_topic_result& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.name = f.str();
    x.error_code = static_cast<kafka::error_code>(f.next());
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] delete_topics_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    if (version >= 1) {
        x.throttle_time_ms = static_cast<int32_t>(f.next());
    }
    x.responses.emplace_back();
    fill(f, x.responses.back());
    x.responses.emplace_back();
    fill(f, x.responses.back());
}

TEST(round_trip, delete_topics_response) {
    for (int16_t v = 0; v <= 3; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            delete_topics_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] create_partitions_request::create_partitions_assignment& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.broker_ids =
        std::vector<int32_t>{static_cast<int32_t>(f.next()), static_cast<int32_t>(f.next())};
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] create_partitions_request::create_partitions_topic& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.name = f.str();
    x.count = static_cast<int32_t>(f.next());
    if (!(f.nulls && (true))) {
        x.assignments.emplace();
        x.assignments->emplace_back();
        fill(f, x.assignments->back());
        x.assignments->emplace_back();
        fill(f, x.assignments->back());
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] create_partitions_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.topics.emplace_back();
    fill(f, x.topics.back());
    x.topics.emplace_back();
    fill(f, x.topics.back());
    x.timeout_ms = static_cast<int32_t>(f.next());
    x.validate_only = !x.validate_only;
}

TEST(round_trip, create_partitions_request) {
    for (int16_t v = 0; v <= 1; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            create_partitions_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] create_partitions_response::create_partitions_topic_result& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.name = f.str();
    x.error_code = static_cast<kafka::error_code>(f.next());
    if (!(f.nulls && (true))) {
        x.error_message = f.str();
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] create_partitions_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.throttle_time_ms = static_cast<int32_t>(f.next());
    x.results.emplace_back();
    fill(f, x.results.back());
    x.results.emplace_back();
    fill(f, x.results.back());
}

TEST(round_trip, create_partitions_response) {
    for (int16_t v = 0; v <= 1; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            create_partitions_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] describe_configs_request::describe_configs_resource& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.resource_type = static_cast<int8_t>(f.next());
    x.resource_name = f.str();
    if (!(f.nulls && (true))) {
        x.configuration_keys = std::vector<std::string>{f.str(), f.str()};
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] describe_configs_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.resources.emplace_back();
    fill(f, x.resources.back());
    x.resources.emplace_back();
    fill(f, x.resources.back());
    if (version >= 1) {
        x.include_synonyms = !x.include_synonyms;
    }
    if (version >= 3) {
        x.include_documentation = !x.include_documentation;
    }
}

TEST(round_trip, describe_configs_request) {
    for (int16_t v = 0; v <= 3; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            describe_configs_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] describe_configs_response::describe_configs_synonym& x) {
    [[maybe_unused]] const int16_t version = f.v;
    if (version >= 1) {
        x.name = f.str();
    }
    if (version >= 1) {
        if (!(f.nulls && (true))) {
            x.value = f.str();
        }
    }
    if (version >= 1) {
        x.source = static_cast<int8_t>(f.next());
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] describe_configs_response::describe_configs_resource_result& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.name = f.str();
    if (!(f.nulls && (true))) {
        x.value = f.str();
    }
    x.read_only = !x.read_only;
    if (version == 0) {
        x.is_default = !x.is_default;
    }
    if (version >= 1) {
        x.config_source = static_cast<int8_t>(f.next());
    }
    x.is_sensitive = !x.is_sensitive;
    if (version >= 1) {
        x.synonyms.emplace_back();
        fill(f, x.synonyms.back());
        x.synonyms.emplace_back();
        fill(f, x.synonyms.back());
    }
    if (version >= 3) {
        x.config_type = static_cast<int8_t>(f.next());
    }
    if (version >= 3) {
        if (!(f.nulls && (true))) {
            x.documentation = f.str();
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] describe_configs_response::describe_configs_result& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.error_code = static_cast<kafka::error_code>(f.next());
    if (!(f.nulls && (true))) {
        x.error_message = f.str();
    }
    x.resource_type = static_cast<int8_t>(f.next());
    x.resource_name = f.str();
    x.configs.emplace_back();
    fill(f, x.configs.back());
    x.configs.emplace_back();
    fill(f, x.configs.back());
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] describe_configs_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.throttle_time_ms = static_cast<int32_t>(f.next());
    x.results.emplace_back();
    fill(f, x.results.back());
    x.results.emplace_back();
    fill(f, x.results.back());
}

TEST(round_trip, describe_configs_response) {
    for (int16_t v = 0; v <= 3; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            describe_configs_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] alter_configs_request::alterable_config& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.name = f.str();
    if (!(f.nulls && (true))) {
        x.value = f.str();
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] alter_configs_request::alter_configs_resource& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.resource_type = static_cast<int8_t>(f.next());
    x.resource_name = f.str();
    x.configs.emplace_back();
    fill(f, x.configs.back());
    x.configs.emplace_back();
    fill(f, x.configs.back());
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] alter_configs_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.resources.emplace_back();
    fill(f, x.resources.back());
    x.resources.emplace_back();
    fill(f, x.resources.back());
    x.validate_only = !x.validate_only;
}

TEST(round_trip, alter_configs_request) {
    for (int16_t v = 0; v <= 1; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            alter_configs_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] alter_configs_response::alter_configs_resource_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.error_code = static_cast<kafka::error_code>(f.next());
    if (!(f.nulls && (true))) {
        x.error_message = f.str();
    }
    x.resource_type = static_cast<int8_t>(f.next());
    x.resource_name = f.str();
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] alter_configs_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.throttle_time_ms = static_cast<int32_t>(f.next());
    x.responses.emplace_back();
    fill(f, x.responses.back());
    x.responses.emplace_back();
    fill(f, x.responses.back());
}

TEST(round_trip, alter_configs_response) {
    for (int16_t v = 0; v <= 1; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            alter_configs_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] incremental_alter_configs_request::alterable_config& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.name = f.str();
    x.config_operation = static_cast<int8_t>(f.next());
    if (!(f.nulls && (true))) {
        x.value = f.str();
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] incremental_alter_configs_request::alter_configs_resource& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.resource_type = static_cast<int8_t>(f.next());
    x.resource_name = f.str();
    x.configs.emplace_back();
    fill(f, x.configs.back());
    x.configs.emplace_back();
    fill(f, x.configs.back());
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] incremental_alter_configs_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.resources.emplace_back();
    fill(f, x.resources.back());
    x.resources.emplace_back();
    fill(f, x.resources.back());
    x.validate_only = !x.validate_only;
}

TEST(round_trip, incremental_alter_configs_request) {
    for (int16_t v = 0; v <= 0; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            incremental_alter_configs_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] incremental_alter_configs_response::alter_configs_resource_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.error_code = static_cast<kafka::error_code>(f.next());
    if (!(f.nulls && (true))) {
        x.error_message = f.str();
    }
    x.resource_type = static_cast<int8_t>(f.next());
    x.resource_name = f.str();
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] incremental_alter_configs_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.throttle_time_ms = static_cast<int32_t>(f.next());
    x.responses.emplace_back();
    fill(f, x.responses.back());
    x.responses.emplace_back();
    fill(f, x.responses.back());
}

TEST(round_trip, incremental_alter_configs_response) {
    for (int16_t v = 0; v <= 0; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            incremental_alter_configs_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] find_coordinator_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.key = f.str();
    if (version >= 1) {
        x.key_type = static_cast<int8_t>(f.next());
    }
}

TEST(round_trip, find_coordinator_request) {
    for (int16_t v = 0; v <= 2; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            find_coordinator_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] find_coordinator_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    if (version >= 1) {
        x.throttle_time_ms = static_cast<int32_t>(f.next());
    }
    x.error_code = static_cast<kafka::error_code>(f.next());
    if (version >= 1) {
        if (!(f.nulls && (true))) {
            x.error_message = f.str();
        }
    }
    x.node_id = static_cast<int32_t>(f.next());
    x.host = f.str();
    x.port = static_cast<int32_t>(f.next());
}

TEST(round_trip, find_coordinator_response) {
    for (int16_t v = 0; v <= 2; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            find_coordinator_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] join_group_request::join_group_request_protocol& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.name = f.str();
    x.metadata = f.blob();
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] join_group_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.group_id = f.str();
    x.session_timeout_ms = static_cast<int32_t>(f.next());
    if (version >= 1) {
        x.rebalance_timeout_ms = static_cast<int32_t>(f.next());
    }
    x.member_id = f.str();
    if (version >= 5) {
        if (!(f.nulls && (true))) {
            x.group_instance_id = f.str();
        }
    }
    x.protocol_type = f.str();
    x.protocols.emplace_back();
    fill(f, x.protocols.back());
    x.protocols.emplace_back();
    fill(f, x.protocols.back());
}

TEST(round_trip, join_group_request) {
    for (int16_t v = 0; v <= 5; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            join_group_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] join_group_response::join_group_response_member& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.member_id = f.str();
    if (version >= 5) {
        if (!(f.nulls && (true))) {
            x.group_instance_id = f.str();
        }
    }
    x.metadata = f.blob();
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] join_group_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    if (version >= 2) {
        x.throttle_time_ms = static_cast<int32_t>(f.next());
    }
    x.error_code = static_cast<kafka::error_code>(f.next());
    x.generation_id = static_cast<int32_t>(f.next());
    x.protocol_name = f.str();
    x.leader = f.str();
    x.member_id = f.str();
    x.members.emplace_back();
    fill(f, x.members.back());
    x.members.emplace_back();
    fill(f, x.members.back());
}

TEST(round_trip, join_group_response) {
    for (int16_t v = 0; v <= 5; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            join_group_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] sync_group_request::sync_group_request_assignment& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.member_id = f.str();
    x.assignment = f.blob();
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] sync_group_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.group_id = f.str();
    x.generation_id = static_cast<int32_t>(f.next());
    x.member_id = f.str();
    if (version >= 3) {
        if (!(f.nulls && (true))) {
            x.group_instance_id = f.str();
        }
    }
    x.assignments.emplace_back();
    fill(f, x.assignments.back());
    x.assignments.emplace_back();
    fill(f, x.assignments.back());
}

TEST(round_trip, sync_group_request) {
    for (int16_t v = 0; v <= 3; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            sync_group_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] sync_group_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    if (version >= 1) {
        x.throttle_time_ms = static_cast<int32_t>(f.next());
    }
    x.error_code = static_cast<kafka::error_code>(f.next());
    x.assignment = f.blob();
}

TEST(round_trip, sync_group_response) {
    for (int16_t v = 0; v <= 3; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            sync_group_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] heartbeat_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.group_id = f.str();
    x.generation_id = static_cast<int32_t>(f.next());
    x.member_id = f.str();
    if (version >= 3) {
        if (!(f.nulls && (true))) {
            x.group_instance_id = f.str();
        }
    }
}

TEST(round_trip, heartbeat_request) {
    for (int16_t v = 0; v <= 3; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            heartbeat_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] heartbeat_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    if (version >= 1) {
        x.throttle_time_ms = static_cast<int32_t>(f.next());
    }
    x.error_code = static_cast<kafka::error_code>(f.next());
}

TEST(round_trip, heartbeat_response) {
    for (int16_t v = 0; v <= 3; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            heartbeat_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] leave_group_request::member_identity& x) {
    [[maybe_unused]] const int16_t version = f.v;
    if (version >= 3) {
        x.member_id = f.str();
    }
    if (version >= 3) {
        if (!(f.nulls && (true))) {
            x.group_instance_id = f.str();
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] leave_group_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.group_id = f.str();
    if (version <= 2) {
        x.member_id = f.str();
    }
    if (version >= 3) {
        x.members.emplace_back();
        fill(f, x.members.back());
        x.members.emplace_back();
        fill(f, x.members.back());
    }
}

TEST(round_trip, leave_group_request) {
    for (int16_t v = 0; v <= 3; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            leave_group_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] leave_group_response::member_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    if (version >= 3) {
        x.member_id = f.str();
    }
    if (version >= 3) {
        if (!(f.nulls && (true))) {
            x.group_instance_id = f.str();
        }
    }
    if (version >= 3) {
        x.error_code = static_cast<kafka::error_code>(f.next());
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] leave_group_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    if (version >= 1) {
        x.throttle_time_ms = static_cast<int32_t>(f.next());
    }
    x.error_code = static_cast<kafka::error_code>(f.next());
    if (version >= 3) {
        x.members.emplace_back();
        fill(f, x.members.back());
        x.members.emplace_back();
        fill(f, x.members.back());
    }
}

TEST(round_trip, leave_group_response) {
    for (int16_t v = 0; v <= 3; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            leave_group_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] offset_commit_request::offset_commit_request_partition& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.partition_index = static_cast<int32_t>(f.next());
    x.committed_offset = static_cast<int64_t>(f.next());
    if (version >= 6) {
        x.committed_leader_epoch = static_cast<int32_t>(f.next());
    }
    if (version == 1) {
        x.commit_timestamp = static_cast<int64_t>(f.next());
    }
    if (!(f.nulls && (true))) {
        x.committed_metadata = f.str();
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] offset_commit_request::offset_commit_request_topic& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.name = f.str();
    x.partitions.emplace_back();
    fill(f, x.partitions.back());
    x.partitions.emplace_back();
    fill(f, x.partitions.back());
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] offset_commit_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.group_id = f.str();
    if (version >= 1) {
        x.generation_id_or_member_epoch = static_cast<int32_t>(f.next());
    }
    if (version >= 1) {
        x.member_id = f.str();
    }
    if (version >= 7) {
        if (!(f.nulls && (true))) {
            x.group_instance_id = f.str();
        }
    }
    if (version >= 2 && version <= 4) {
        x.retention_time_ms = static_cast<int64_t>(f.next());
    }
    x.topics.emplace_back();
    fill(f, x.topics.back());
    x.topics.emplace_back();
    fill(f, x.topics.back());
}

TEST(round_trip, offset_commit_request) {
    for (int16_t v = 0; v <= 7; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            offset_commit_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] offset_commit_response::offset_commit_response_partition& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.partition_index = static_cast<int32_t>(f.next());
    x.error_code = static_cast<kafka::error_code>(f.next());
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] offset_commit_response::offset_commit_response_topic& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.name = f.str();
    x.partitions.emplace_back();
    fill(f, x.partitions.back());
    x.partitions.emplace_back();
    fill(f, x.partitions.back());
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] offset_commit_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    if (version >= 3) {
        x.throttle_time_ms = static_cast<int32_t>(f.next());
    }
    x.topics.emplace_back();
    fill(f, x.topics.back());
    x.topics.emplace_back();
    fill(f, x.topics.back());
}

TEST(round_trip, offset_commit_response) {
    for (int16_t v = 0; v <= 7; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            offset_commit_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] offset_fetch_request::offset_fetch_request_topic& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.name = f.str();
    x.partition_indexes =
        std::vector<int32_t>{static_cast<int32_t>(f.next()), static_cast<int32_t>(f.next())};
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] offset_fetch_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.group_id = f.str();
    if (!(f.nulls && (version >= 2))) {
        x.topics.emplace();
        x.topics->emplace_back();
        fill(f, x.topics->back());
        x.topics->emplace_back();
        fill(f, x.topics->back());
    }
}

TEST(round_trip, offset_fetch_request) {
    for (int16_t v = 1; v <= 5; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            offset_fetch_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] offset_fetch_response::offset_fetch_response_partition& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.partition_index = static_cast<int32_t>(f.next());
    x.committed_offset = static_cast<int64_t>(f.next());
    if (version >= 5) {
        x.committed_leader_epoch = static_cast<int32_t>(f.next());
    }
    if (!(f.nulls && (true))) {
        x.metadata = f.str();
    }
    x.error_code = static_cast<kafka::error_code>(f.next());
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] offset_fetch_response::offset_fetch_response_topic& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.name = f.str();
    x.partitions.emplace_back();
    fill(f, x.partitions.back());
    x.partitions.emplace_back();
    fill(f, x.partitions.back());
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] offset_fetch_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    if (version >= 3) {
        x.throttle_time_ms = static_cast<int32_t>(f.next());
    }
    x.topics.emplace_back();
    fill(f, x.topics.back());
    x.topics.emplace_back();
    fill(f, x.topics.back());
    if (version >= 2) {
        x.error_code = static_cast<kafka::error_code>(f.next());
    }
}

TEST(round_trip, offset_fetch_response) {
    for (int16_t v = 1; v <= 5; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            offset_fetch_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] describe_groups_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.groups = std::vector<std::string>{f.str(), f.str()};
    if (version >= 3) {
        x.include_authorized_operations = !x.include_authorized_operations;
    }
}

TEST(round_trip, describe_groups_request) {
    for (int16_t v = 0; v <= 4; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            describe_groups_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] describe_groups_response::described_group_member& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.member_id = f.str();
    if (version >= 4) {
        if (!(f.nulls && (true))) {
            x.group_instance_id = f.str();
        }
    }
    x.client_id = f.str();
    x.client_host = f.str();
    x.member_metadata = f.blob();
    x.member_assignment = f.blob();
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] describe_groups_response::described_group& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.error_code = static_cast<kafka::error_code>(f.next());
    x.group_id = f.str();
    x.group_state = f.str();
    x.protocol_type = f.str();
    x.protocol_data = f.str();
    x.members.emplace_back();
    fill(f, x.members.back());
    x.members.emplace_back();
    fill(f, x.members.back());
    if (version >= 3) {
        x.authorized_operations = static_cast<int32_t>(f.next());
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] describe_groups_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    if (version >= 1) {
        x.throttle_time_ms = static_cast<int32_t>(f.next());
    }
    x.groups.emplace_back();
    fill(f, x.groups.back());
    x.groups.emplace_back();
    fill(f, x.groups.back());
}

TEST(round_trip, describe_groups_response) {
    for (int16_t v = 0; v <= 4; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            describe_groups_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] list_groups_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
}

TEST(round_trip, list_groups_request) {
    for (int16_t v = 0; v <= 2; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            list_groups_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] list_groups_response::listed_group& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.group_id = f.str();
    x.protocol_type = f.str();
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] list_groups_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    if (version >= 1) {
        x.throttle_time_ms = static_cast<int32_t>(f.next());
    }
    x.error_code = static_cast<kafka::error_code>(f.next());
    x.groups.emplace_back();
    fill(f, x.groups.back());
    x.groups.emplace_back();
    fill(f, x.groups.back());
}

TEST(round_trip, list_groups_response) {
    for (int16_t v = 0; v <= 2; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            list_groups_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] delete_groups_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.groups_names = std::vector<std::string>{f.str(), f.str()};
}

TEST(round_trip, delete_groups_request) {
    for (int16_t v = 0; v <= 1; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            delete_groups_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f,
          [[maybe_unused]] delete_groups_response::deletable_group_result& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.group_id = f.str();
    x.error_code = static_cast<kafka::error_code>(f.next());
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] delete_groups_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.throttle_time_ms = static_cast<int32_t>(f.next());
    x.results.emplace_back();
    fill(f, x.results.back());
    x.results.emplace_back();
    fill(f, x.results.back());
}

TEST(round_trip, delete_groups_response) {
    for (int16_t v = 0; v <= 1; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            delete_groups_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] init_producer_id_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
    if (!(f.nulls && (true))) {
        x.transactional_id = f.str();
    }
    x.transaction_timeout_ms = static_cast<int32_t>(f.next());
}

TEST(round_trip, init_producer_id_request) {
    for (int16_t v = 0; v <= 1; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            init_producer_id_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] init_producer_id_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.throttle_time_ms = static_cast<int32_t>(f.next());
    x.error_code = static_cast<kafka::error_code>(f.next());
    x.producer_id = static_cast<int64_t>(f.next());
    x.producer_epoch = static_cast<int16_t>(f.next());
}

TEST(round_trip, init_producer_id_response) {
    for (int16_t v = 0; v <= 1; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            init_producer_id_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] sasl_handshake_request& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.mechanism = f.str();
}

TEST(round_trip, sasl_handshake_request) {
    for (int16_t v = 0; v <= 1; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            sasl_handshake_request a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

void fill([[maybe_unused]] filler& f, [[maybe_unused]] sasl_handshake_response& x) {
    [[maybe_unused]] const int16_t version = f.v;
    x.error_code = static_cast<kafka::error_code>(f.next());
    x.mechanisms = std::vector<std::string>{f.str(), f.str()};
}

TEST(round_trip, sasl_handshake_response) {
    for (int16_t v = 0; v <= 1; ++v) {
        for (bool nulls : {false, true}) {
            SCOPED_TRACE(testing::Message() << "version " << v << " nulls " << nulls);
            filler f{v, nulls};
            sasl_handshake_response a;
            fill(f, a);
            check_round_trip(a, v);
        }
    }
}

TEST(round_trip, supported_table_matches_codecs) {
    struct row {
        api_key key;
        int16_t min, max;
    };
    const row expected[] = {
        {api_key::api_versions, 0, 3},
        {api_key::metadata, 0, 8},
        {api_key::produce, 3, 7},
        {api_key::fetch, 4, 11},
        {api_key::list_offsets, 0, 5},
        {api_key::create_topics, 0, 4},
        {api_key::delete_topics, 0, 3},
        {api_key::create_partitions, 0, 1},
        {api_key::describe_configs, 0, 3},
        {api_key::alter_configs, 0, 1},
        {api_key::incremental_alter_configs, 0, 0},
        {api_key::find_coordinator, 0, 2},
        {api_key::join_group, 0, 5},
        {api_key::sync_group, 0, 3},
        {api_key::heartbeat, 0, 3},
        {api_key::leave_group, 0, 3},
        {api_key::offset_commit, 0, 7},
        {api_key::offset_fetch, 1, 5},
        {api_key::describe_groups, 0, 4},
        {api_key::list_groups, 0, 2},
        {api_key::delete_groups, 0, 1},
        {api_key::init_producer_id, 0, 1},
        {api_key::sasl_handshake, 0, 1},
        {api_key::offset_delete, 0, 0},
    };
    EXPECT_EQ(supported_apis().size(), 24u);
    for (const auto& e : expected) {
        auto r = supported_range(e.key);
        ASSERT_TRUE(r.has_value()) << api_name(e.key);
        EXPECT_EQ(r->min, e.min) << api_name(e.key);
        EXPECT_EQ(r->max, e.max) << api_name(e.key);
    }
}

}  // namespace
}  // namespace otter::kafka
