#include "kafka/protocol/messages/list_groups.h"

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

namespace {

void read(reader& r, int16_t /*version*/, bool flex, list_groups_response::listed_group& x) {
    x.group_id = r.string(flex);
    x.protocol_type = r.string(flex);
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t /*version*/, bool flex, const list_groups_response::listed_group& x) {
    w.string(x.group_id, flex);
    w.string(x.protocol_type, flex);
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace

bool list_groups_request::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::list_groups, version);
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void list_groups_request::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::list_groups, version);
    if (flex) {
        w.empty_tagged_fields();
    }
}

bool list_groups_response::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::list_groups, version);
    auto& x = *this;
    if (version >= 1) {
        x.throttle_time_ms = r.i32();
    }
    x.error_code = read_error_code(r);
    read_array(r, flex, x.groups, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void list_groups_response::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::list_groups, version);
    const auto& x = *this;
    if (version >= 1) {
        w.i32(x.throttle_time_ms);
    }
    write_error_code(w, x.error_code);
    write_array(w, flex, x.groups, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace otter::kafka
