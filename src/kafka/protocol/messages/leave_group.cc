#include "kafka/protocol/messages/leave_group.h"

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

namespace {

void read(reader& r, int16_t version, bool flex, leave_group_request::member_identity& x) {
    if (version >= 3) {
        x.member_id = r.string(flex);
    }
    if (version >= 3) {
        x.group_instance_id = r.nullable_string(flex);
    }
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex, const leave_group_request::member_identity& x) {
    if (version >= 3) {
        w.string(x.member_id, flex);
    }
    if (version >= 3) {
        w.nullable_string(x.group_instance_id, flex);
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex, leave_group_response::member_response& x) {
    if (version >= 3) {
        x.member_id = r.string(flex);
    }
    if (version >= 3) {
        x.group_instance_id = r.nullable_string(flex);
    }
    if (version >= 3) {
        x.error_code = read_error_code(r);
    }
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex, const leave_group_response::member_response& x) {
    if (version >= 3) {
        w.string(x.member_id, flex);
    }
    if (version >= 3) {
        w.nullable_string(x.group_instance_id, flex);
    }
    if (version >= 3) {
        write_error_code(w, x.error_code);
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace

bool leave_group_request::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::leave_group, version);
    auto& x = *this;
    x.group_id = r.string(flex);
    if (version <= 2) {
        x.member_id = r.string(flex);
    }
    if (version >= 3) {
        read_array(r, flex, x.members, [&](auto& e) { read(r, version, flex, e); });
    }
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void leave_group_request::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::leave_group, version);
    const auto& x = *this;
    w.string(x.group_id, flex);
    if (version <= 2) {
        w.string(x.member_id, flex);
    }
    if (version >= 3) {
        write_array(w, flex, x.members, [&](const auto& e) { write(w, version, flex, e); });
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

bool leave_group_response::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::leave_group, version);
    auto& x = *this;
    if (version >= 1) {
        x.throttle_time_ms = r.i32();
    }
    x.error_code = read_error_code(r);
    if (version >= 3) {
        read_array(r, flex, x.members, [&](auto& e) { read(r, version, flex, e); });
    }
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void leave_group_response::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::leave_group, version);
    const auto& x = *this;
    if (version >= 1) {
        w.i32(x.throttle_time_ms);
    }
    write_error_code(w, x.error_code);
    if (version >= 3) {
        write_array(w, flex, x.members, [&](const auto& e) { write(w, version, flex, e); });
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace otter::kafka
