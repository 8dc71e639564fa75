#include "kafka/protocol/messages/offset_commit.h"

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

namespace {

void read(reader& r, int16_t version, bool flex,
          offset_commit_request::offset_commit_request_partition& x) {
    x.partition_index = r.i32();
    x.committed_offset = r.i64();
    if (version >= 6) {
        x.committed_leader_epoch = r.i32();
    }
    if (version == 1) {
        x.commit_timestamp = r.i64();
    }
    x.committed_metadata = r.nullable_string(flex);
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const offset_commit_request::offset_commit_request_partition& x) {
    w.i32(x.partition_index);
    w.i64(x.committed_offset);
    if (version >= 6) {
        w.i32(x.committed_leader_epoch);
    }
    if (version == 1) {
        w.i64(x.commit_timestamp);
    }
    w.nullable_string(x.committed_metadata, flex);
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex,
          offset_commit_request::offset_commit_request_topic& x) {
    x.name = r.string(flex);
    read_array(r, flex, x.partitions, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const offset_commit_request::offset_commit_request_topic& x) {
    w.string(x.name, flex);
    write_array(w, flex, x.partitions, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t /*version*/, bool flex,
          offset_commit_response::offset_commit_response_partition& x) {
    x.partition_index = r.i32();
    x.error_code = read_error_code(r);
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t /*version*/, bool flex,
           const offset_commit_response::offset_commit_response_partition& x) {
    w.i32(x.partition_index);
    write_error_code(w, x.error_code);
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex,
          offset_commit_response::offset_commit_response_topic& x) {
    x.name = r.string(flex);
    read_array(r, flex, x.partitions, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const offset_commit_response::offset_commit_response_topic& x) {
    w.string(x.name, flex);
    write_array(w, flex, x.partitions, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace

bool offset_commit_request::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::offset_commit, version);
    auto& x = *this;
    x.group_id = r.string(flex);
    if (version >= 1) {
        x.generation_id_or_member_epoch = r.i32();
    }
    if (version >= 1) {
        x.member_id = r.string(flex);
    }
    if (version >= 7) {
        x.group_instance_id = r.nullable_string(flex);
    }
    if (version >= 2 && version <= 4) {
        x.retention_time_ms = r.i64();
    }
    read_array(r, flex, x.topics, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void offset_commit_request::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::offset_commit, version);
    const auto& x = *this;
    w.string(x.group_id, flex);
    if (version >= 1) {
        w.i32(x.generation_id_or_member_epoch);
    }
    if (version >= 1) {
        w.string(x.member_id, flex);
    }
    if (version >= 7) {
        w.nullable_string(x.group_instance_id, flex);
    }
    if (version >= 2 && version <= 4) {
        w.i64(x.retention_time_ms);
    }
    write_array(w, flex, x.topics, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

bool offset_commit_response::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::offset_commit, version);
    auto& x = *this;
    if (version >= 3) {
        x.throttle_time_ms = r.i32();
    }
    read_array(r, flex, x.topics, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void offset_commit_response::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::offset_commit, version);
    const auto& x = *this;
    if (version >= 3) {
        w.i32(x.throttle_time_ms);
    }
    write_array(w, flex, x.topics, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace otter::kafka
