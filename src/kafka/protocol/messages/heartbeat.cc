#include "kafka/protocol/messages/heartbeat.h"

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

namespace {}  // namespace

bool heartbeat_request::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::heartbeat, version);
    auto& x = *this;
    x.group_id = r.string(flex);
    x.generation_id = r.i32();
    x.member_id = r.string(flex);
    if (version >= 3) {
        x.group_instance_id = r.nullable_string(flex);
    }
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void heartbeat_request::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::heartbeat, version);
    const auto& x = *this;
    w.string(x.group_id, flex);
    w.i32(x.generation_id);
    w.string(x.member_id, flex);
    if (version >= 3) {
        w.nullable_string(x.group_instance_id, flex);
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

bool heartbeat_response::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::heartbeat, version);
    auto& x = *this;
    if (version >= 1) {
        x.throttle_time_ms = r.i32();
    }
    x.error_code = read_error_code(r);
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void heartbeat_response::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::heartbeat, version);
    const auto& x = *this;
    if (version >= 1) {
        w.i32(x.throttle_time_ms);
    }
    write_error_code(w, x.error_code);
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace otter::kafka
