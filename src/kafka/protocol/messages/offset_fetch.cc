#include "kafka/protocol/messages/offset_fetch.h"

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

namespace {

void read(reader& r, int16_t /*version*/, bool flex,
          offset_fetch_request::offset_fetch_request_topic& x) {
    x.name = r.string(flex);
    read_array(r, flex, x.partition_indexes, [&](int32_t& e) { e = r.i32(); });
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t /*version*/, bool flex,
           const offset_fetch_request::offset_fetch_request_topic& x) {
    w.string(x.name, flex);
    write_array(w, flex, x.partition_indexes, [&](int32_t e) { w.i32(e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex,
          offset_fetch_response::offset_fetch_response_partition& x) {
    x.partition_index = r.i32();
    x.committed_offset = r.i64();
    if (version >= 5) {
        x.committed_leader_epoch = r.i32();
    }
    x.metadata = r.nullable_string(flex);
    x.error_code = read_error_code(r);
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const offset_fetch_response::offset_fetch_response_partition& x) {
    w.i32(x.partition_index);
    w.i64(x.committed_offset);
    if (version >= 5) {
        w.i32(x.committed_leader_epoch);
    }
    w.nullable_string(x.metadata, flex);
    write_error_code(w, x.error_code);
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex,
          offset_fetch_response::offset_fetch_response_topic& x) {
    x.name = r.string(flex);
    read_array(r, flex, x.partitions, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const offset_fetch_response::offset_fetch_response_topic& x) {
    w.string(x.name, flex);
    write_array(w, flex, x.partitions, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace

bool offset_fetch_request::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::offset_fetch, version);
    auto& x = *this;
    x.group_id = r.string(flex);
    read_nullable_array(r, flex, version >= 2, x.topics,
                        [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void offset_fetch_request::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::offset_fetch, version);
    const auto& x = *this;
    w.string(x.group_id, flex);
    write_nullable_array(w, flex, version >= 2, x.topics,
                         [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

bool offset_fetch_response::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::offset_fetch, version);
    auto& x = *this;
    if (version >= 3) {
        x.throttle_time_ms = r.i32();
    }
    read_array(r, flex, x.topics, [&](auto& e) { read(r, version, flex, e); });
    if (version >= 2) {
        x.error_code = read_error_code(r);
    }
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void offset_fetch_response::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::offset_fetch, version);
    const auto& x = *this;
    if (version >= 3) {
        w.i32(x.throttle_time_ms);
    }
    write_array(w, flex, x.topics, [&](const auto& e) { write(w, version, flex, e); });
    if (version >= 2) {
        write_error_code(w, x.error_code);
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace otter::kafka
