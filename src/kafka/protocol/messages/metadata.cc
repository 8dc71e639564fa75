#include "kafka/protocol/messages/metadata.h"

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

namespace {

void read(reader& r, int16_t /*version*/, bool flex, metadata_request::metadata_request_topic& x) {
    x.name = r.string(flex);
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t /*version*/, bool flex,
           const metadata_request::metadata_request_topic& x) {
    w.string(x.name, flex);
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex, metadata_response::metadata_response_broker& x) {
    x.node_id = r.i32();
    x.host = r.string(flex);
    x.port = r.i32();
    if (version >= 1) {
        x.rack = r.nullable_string(flex);
    }
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const metadata_response::metadata_response_broker& x) {
    w.i32(x.node_id);
    w.string(x.host, flex);
    w.i32(x.port);
    if (version >= 1) {
        w.nullable_string(x.rack, flex);
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex,
          metadata_response::metadata_response_partition& x) {
    x.error_code = read_error_code(r);
    x.partition_index = r.i32();
    x.leader_id = r.i32();
    if (version >= 7) {
        x.leader_epoch = r.i32();
    }
    read_array(r, flex, x.replica_nodes, [&](int32_t& e) { e = r.i32(); });
    read_array(r, flex, x.isr_nodes, [&](int32_t& e) { e = r.i32(); });
    if (version >= 5) {
        read_array(r, flex, x.offline_replicas, [&](int32_t& e) { e = r.i32(); });
    }
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const metadata_response::metadata_response_partition& x) {
    write_error_code(w, x.error_code);
    w.i32(x.partition_index);
    w.i32(x.leader_id);
    if (version >= 7) {
        w.i32(x.leader_epoch);
    }
    write_array(w, flex, x.replica_nodes, [&](int32_t e) { w.i32(e); });
    write_array(w, flex, x.isr_nodes, [&](int32_t e) { w.i32(e); });
    if (version >= 5) {
        write_array(w, flex, x.offline_replicas, [&](int32_t e) { w.i32(e); });
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex, metadata_response::metadata_response_topic& x) {
    x.error_code = read_error_code(r);
    x.name = r.string(flex);
    if (version >= 1) {
        x.is_internal = r.boolean();
    }
    read_array(r, flex, x.partitions, [&](auto& e) { read(r, version, flex, e); });
    if (version >= 8) {
        x.topic_authorized_operations = r.i32();
    }
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const metadata_response::metadata_response_topic& x) {
    write_error_code(w, x.error_code);
    w.string(x.name, flex);
    if (version >= 1) {
        w.boolean(x.is_internal);
    }
    write_array(w, flex, x.partitions, [&](const auto& e) { write(w, version, flex, e); });
    if (version >= 8) {
        w.i32(x.topic_authorized_operations);
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace

bool metadata_request::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::metadata, version);
    auto& x = *this;
    read_nullable_array(r, flex, version >= 1, x.topics,
                        [&](auto& e) { read(r, version, flex, e); });
    if (version >= 4) {
        x.allow_auto_topic_creation = r.boolean();
    }
    if (version >= 8) {
        x.include_cluster_authorized_operations = r.boolean();
    }
    if (version >= 8) {
        x.include_topic_authorized_operations = r.boolean();
    }
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void metadata_request::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::metadata, version);
    const auto& x = *this;
    write_nullable_array(w, flex, version >= 1, x.topics,
                         [&](const auto& e) { write(w, version, flex, e); });
    if (version >= 4) {
        w.boolean(x.allow_auto_topic_creation);
    }
    if (version >= 8) {
        w.boolean(x.include_cluster_authorized_operations);
    }
    if (version >= 8) {
        w.boolean(x.include_topic_authorized_operations);
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

bool metadata_response::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::metadata, version);
    auto& x = *this;
    if (version >= 3) {
        x.throttle_time_ms = r.i32();
    }
    read_array(r, flex, x.brokers, [&](auto& e) { read(r, version, flex, e); });
    if (version >= 2) {
        x.cluster_id = r.nullable_string(flex);
    }
    if (version >= 1) {
        x.controller_id = r.i32();
    }
    read_array(r, flex, x.topics, [&](auto& e) { read(r, version, flex, e); });
    if (version >= 8) {
        x.cluster_authorized_operations = r.i32();
    }
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void metadata_response::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::metadata, version);
    const auto& x = *this;
    if (version >= 3) {
        w.i32(x.throttle_time_ms);
    }
    write_array(w, flex, x.brokers, [&](const auto& e) { write(w, version, flex, e); });
    if (version >= 2) {
        w.nullable_string(x.cluster_id, flex);
    }
    if (version >= 1) {
        w.i32(x.controller_id);
    }
    write_array(w, flex, x.topics, [&](const auto& e) { write(w, version, flex, e); });
    if (version >= 8) {
        w.i32(x.cluster_authorized_operations);
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace otter::kafka
