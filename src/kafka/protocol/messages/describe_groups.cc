#include "kafka/protocol/messages/describe_groups.h"

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

namespace {

void read(reader& r, int16_t version, bool flex,
          describe_groups_response::described_group_member& x) {
    x.member_id = r.string(flex);
    if (version >= 4) {
        x.group_instance_id = r.nullable_string(flex);
    }
    x.client_id = r.string(flex);
    x.client_host = r.string(flex);
    x.member_metadata = r.bytes_field(flex);
    x.member_assignment = r.bytes_field(flex);
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const describe_groups_response::described_group_member& x) {
    w.string(x.member_id, flex);
    if (version >= 4) {
        w.nullable_string(x.group_instance_id, flex);
    }
    w.string(x.client_id, flex);
    w.string(x.client_host, flex);
    w.bytes_field(x.member_metadata, flex);
    w.bytes_field(x.member_assignment, flex);
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex, describe_groups_response::described_group& x) {
    x.error_code = read_error_code(r);
    x.group_id = r.string(flex);
    x.group_state = r.string(flex);
    x.protocol_type = r.string(flex);
    x.protocol_data = r.string(flex);
    read_array(r, flex, x.members, [&](auto& e) { read(r, version, flex, e); });
    if (version >= 3) {
        x.authorized_operations = r.i32();
    }
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const describe_groups_response::described_group& x) {
    write_error_code(w, x.error_code);
    w.string(x.group_id, flex);
    w.string(x.group_state, flex);
    w.string(x.protocol_type, flex);
    w.string(x.protocol_data, flex);
    write_array(w, flex, x.members, [&](const auto& e) { write(w, version, flex, e); });
    if (version >= 3) {
        w.i32(x.authorized_operations);
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace

bool describe_groups_request::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::describe_groups, version);
    auto& x = *this;
    read_array(r, flex, x.groups, [&](std::string& e) { e = r.string(flex); });
    if (version >= 3) {
        x.include_authorized_operations = r.boolean();
    }
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void describe_groups_request::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::describe_groups, version);
    const auto& x = *this;
    write_array(w, flex, x.groups, [&](const std::string& e) { w.string(e, flex); });
    if (version >= 3) {
        w.boolean(x.include_authorized_operations);
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

bool describe_groups_response::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::describe_groups, version);
    auto& x = *this;
    if (version >= 1) {
        x.throttle_time_ms = r.i32();
    }
    read_array(r, flex, x.groups, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void describe_groups_response::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::describe_groups, version);
    const auto& x = *this;
    if (version >= 1) {
        w.i32(x.throttle_time_ms);
    }
    write_array(w, flex, x.groups, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace otter::kafka
