#include "kafka/protocol/messages/join_group.h"

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

namespace {

void read(reader& r, int16_t /*version*/, bool flex,
          join_group_request::join_group_request_protocol& x) {
    x.name = r.string(flex);
    x.metadata = r.bytes_field(flex);
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t /*version*/, bool flex,
           const join_group_request::join_group_request_protocol& x) {
    w.string(x.name, flex);
    w.bytes_field(x.metadata, flex);
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex,
          join_group_response::join_group_response_member& x) {
    x.member_id = r.string(flex);
    if (version >= 5) {
        x.group_instance_id = r.nullable_string(flex);
    }
    x.metadata = r.bytes_field(flex);
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const join_group_response::join_group_response_member& x) {
    w.string(x.member_id, flex);
    if (version >= 5) {
        w.nullable_string(x.group_instance_id, flex);
    }
    w.bytes_field(x.metadata, flex);
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace

bool join_group_request::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::join_group, version);
    auto& x = *this;
    x.group_id = r.string(flex);
    x.session_timeout_ms = r.i32();
    if (version >= 1) {
        x.rebalance_timeout_ms = r.i32();
    }
    x.member_id = r.string(flex);
    if (version >= 5) {
        x.group_instance_id = r.nullable_string(flex);
    }
    x.protocol_type = r.string(flex);
    read_array(r, flex, x.protocols, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void join_group_request::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::join_group, version);
    const auto& x = *this;
    w.string(x.group_id, flex);
    w.i32(x.session_timeout_ms);
    if (version >= 1) {
        w.i32(x.rebalance_timeout_ms);
    }
    w.string(x.member_id, flex);
    if (version >= 5) {
        w.nullable_string(x.group_instance_id, flex);
    }
    w.string(x.protocol_type, flex);
    write_array(w, flex, x.protocols, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

bool join_group_response::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::join_group, version);
    auto& x = *this;
    if (version >= 2) {
        x.throttle_time_ms = r.i32();
    }
    x.error_code = read_error_code(r);
    x.generation_id = r.i32();
    x.protocol_name = r.string(flex);
    x.leader = r.string(flex);
    x.member_id = r.string(flex);
    read_array(r, flex, x.members, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void join_group_response::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::join_group, version);
    const auto& x = *this;
    if (version >= 2) {
        w.i32(x.throttle_time_ms);
    }
    write_error_code(w, x.error_code);
    w.i32(x.generation_id);
    w.string(x.protocol_name, flex);
    w.string(x.leader, flex);
    w.string(x.member_id, flex);
    write_array(w, flex, x.members, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace otter::kafka
