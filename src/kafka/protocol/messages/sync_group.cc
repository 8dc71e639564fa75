#include "kafka/protocol/messages/sync_group.h"

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

namespace {

void read(reader& r, int16_t /*version*/, bool flex,
          sync_group_request::sync_group_request_assignment& x) {
    x.member_id = r.string(flex);
    x.assignment = r.bytes_field(flex);
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t /*version*/, bool flex,
           const sync_group_request::sync_group_request_assignment& x) {
    w.string(x.member_id, flex);
    w.bytes_field(x.assignment, flex);
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace

bool sync_group_request::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::sync_group, version);
    auto& x = *this;
    x.group_id = r.string(flex);
    x.generation_id = r.i32();
    x.member_id = r.string(flex);
    if (version >= 3) {
        x.group_instance_id = r.nullable_string(flex);
    }
    read_array(r, flex, x.assignments, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void sync_group_request::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::sync_group, version);
    const auto& x = *this;
    w.string(x.group_id, flex);
    w.i32(x.generation_id);
    w.string(x.member_id, flex);
    if (version >= 3) {
        w.nullable_string(x.group_instance_id, flex);
    }
    write_array(w, flex, x.assignments, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

bool sync_group_response::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::sync_group, version);
    auto& x = *this;
    if (version >= 1) {
        x.throttle_time_ms = r.i32();
    }
    x.error_code = read_error_code(r);
    x.assignment = r.bytes_field(flex);
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void sync_group_response::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::sync_group, version);
    const auto& x = *this;
    if (version >= 1) {
        w.i32(x.throttle_time_ms);
    }
    write_error_code(w, x.error_code);
    w.bytes_field(x.assignment, flex);
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace otter::kafka
