#include "kafka/protocol/messages/find_coordinator.h"

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

namespace {}  // namespace

bool find_coordinator_request::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::find_coordinator, version);
    auto& x = *this;
    x.key = r.string(flex);
    if (version >= 1) {
        x.key_type = r.i8();
    }
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void find_coordinator_request::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::find_coordinator, version);
    const auto& x = *this;
    w.string(x.key, flex);
    if (version >= 1) {
        w.i8(x.key_type);
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

bool find_coordinator_response::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::find_coordinator, version);
    auto& x = *this;
    if (version >= 1) {
        x.throttle_time_ms = r.i32();
    }
    x.error_code = read_error_code(r);
    if (version >= 1) {
        x.error_message = r.nullable_string(flex);
    }
    x.node_id = r.i32();
    x.host = r.string(flex);
    x.port = r.i32();
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void find_coordinator_response::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::find_coordinator, version);
    const auto& x = *this;
    if (version >= 1) {
        w.i32(x.throttle_time_ms);
    }
    write_error_code(w, x.error_code);
    if (version >= 1) {
        w.nullable_string(x.error_message, flex);
    }
    w.i32(x.node_id);
    w.string(x.host, flex);
    w.i32(x.port);
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace otter::kafka
