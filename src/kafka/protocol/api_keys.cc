#include "kafka/protocol/api_keys.h"

namespace otter::kafka {

const char* api_name(api_key key) {
    switch (key) {
        case api_key::produce:
            return "Produce";
        case api_key::fetch:
            return "Fetch";
        case api_key::list_offsets:
            return "ListOffsets";
        case api_key::metadata:
            return "Metadata";
        case api_key::offset_commit:
            return "OffsetCommit";
        case api_key::offset_fetch:
            return "OffsetFetch";
        case api_key::find_coordinator:
            return "FindCoordinator";
        case api_key::join_group:
            return "JoinGroup";
        case api_key::heartbeat:
            return "Heartbeat";
        case api_key::leave_group:
            return "LeaveGroup";
        case api_key::sync_group:
            return "SyncGroup";
        case api_key::describe_groups:
            return "DescribeGroups";
        case api_key::list_groups:
            return "ListGroups";
        case api_key::sasl_handshake:
            return "SaslHandshake";
        case api_key::api_versions:
            return "ApiVersions";
        case api_key::create_topics:
            return "CreateTopics";
        case api_key::delete_topics:
            return "DeleteTopics";
        case api_key::init_producer_id:
            return "InitProducerId";
        case api_key::describe_configs:
            return "DescribeConfigs";
        case api_key::alter_configs:
            return "AlterConfigs";
        case api_key::create_partitions:
            return "CreatePartitions";
        case api_key::delete_groups:
            return "DeleteGroups";
        case api_key::incremental_alter_configs:
            return "IncrementalAlterConfigs";
        case api_key::offset_delete:
            return "OffsetDelete";
    }
    return "Unknown";
}

int16_t first_flexible_version(api_key key) {
    switch (key) {
        case api_key::produce:
            return 9;
        case api_key::fetch:
            return 12;
        case api_key::list_offsets:
            return 6;
        case api_key::metadata:
            return 9;
        case api_key::offset_commit:
            return 8;
        case api_key::offset_fetch:
            return 6;
        case api_key::find_coordinator:
            return 3;
        case api_key::join_group:
            return 6;
        case api_key::heartbeat:
            return 4;
        case api_key::leave_group:
            return 4;
        case api_key::sync_group:
            return 4;
        case api_key::describe_groups:
            return 5;
        case api_key::list_groups:
            return 3;
        case api_key::sasl_handshake:
            return -1;  // never flexible
        case api_key::api_versions:
            return 3;
        case api_key::create_topics:
            return 5;
        case api_key::delete_topics:
            return 4;
        case api_key::init_producer_id:
            return 2;
        case api_key::describe_configs:
            return 4;
        case api_key::alter_configs:
            return 2;
        case api_key::create_partitions:
            return 2;
        case api_key::delete_groups:
            return 2;
        case api_key::incremental_alter_configs:
            return 1;
        case api_key::offset_delete:
            return -1;  // never flexible
    }
    return -1;
}

bool is_flexible(api_key key, int16_t version) {
    int16_t first = first_flexible_version(key);
    return first >= 0 && version >= first;
}

}  // namespace otter::kafka
