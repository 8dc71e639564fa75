#include "kafka/protocol/messages/list_offsets.h"

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

namespace {

void read(reader& r, int16_t version, bool flex, list_offsets_request::list_offsets_partition& x) {
    x.partition_index = r.i32();
    if (version >= 4) {
        x.current_leader_epoch = r.i32();
    }
    x.timestamp = r.i64();
    if (version == 0) {
        x.max_num_offsets = r.i32();
    }
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const list_offsets_request::list_offsets_partition& x) {
    w.i32(x.partition_index);
    if (version >= 4) {
        w.i32(x.current_leader_epoch);
    }
    w.i64(x.timestamp);
    if (version == 0) {
        w.i32(x.max_num_offsets);
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex, list_offsets_request::list_offsets_topic& x) {
    x.name = r.string(flex);
    read_array(r, flex, x.partitions, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const list_offsets_request::list_offsets_topic& x) {
    w.string(x.name, flex);
    write_array(w, flex, x.partitions, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex,
          list_offsets_response::list_offsets_partition_response& x) {
    x.partition_index = r.i32();
    x.error_code = read_error_code(r);
    if (version == 0) {
        read_array(r, flex, x.old_style_offsets, [&](int64_t& e) { e = r.i64(); });
    }
    if (version >= 1) {
        x.timestamp = r.i64();
    }
    if (version >= 1) {
        x.offset = r.i64();
    }
    if (version >= 4) {
        x.leader_epoch = r.i32();
    }
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const list_offsets_response::list_offsets_partition_response& x) {
    w.i32(x.partition_index);
    write_error_code(w, x.error_code);
    if (version == 0) {
        write_array(w, flex, x.old_style_offsets, [&](int64_t e) { w.i64(e); });
    }
    if (version >= 1) {
        w.i64(x.timestamp);
    }
    if (version >= 1) {
        w.i64(x.offset);
    }
    if (version >= 4) {
        w.i32(x.leader_epoch);
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex,
          list_offsets_response::list_offsets_topic_response& x) {
    x.name = r.string(flex);
    read_array(r, flex, x.partitions, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const list_offsets_response::list_offsets_topic_response& x) {
    w.string(x.name, flex);
    write_array(w, flex, x.partitions, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace

bool list_offsets_request::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::list_offsets, version);
    auto& x = *this;
    x.replica_id = r.i32();
    if (version >= 2) {
        x.isolation_level = r.i8();
    }
    read_array(r, flex, x.topics, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void list_offsets_request::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::list_offsets, version);
    const auto& x = *this;
    w.i32(x.replica_id);
    if (version >= 2) {
        w.i8(x.isolation_level);
    }
    write_array(w, flex, x.topics, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

bool list_offsets_response::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::list_offsets, version);
    auto& x = *this;
    if (version >= 2) {
        x.throttle_time_ms = r.i32();
    }
    read_array(r, flex, x.topics, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void list_offsets_response::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::list_offsets, version);
    const auto& x = *this;
    if (version >= 2) {
        w.i32(x.throttle_time_ms);
    }
    write_array(w, flex, x.topics, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace otter::kafka
