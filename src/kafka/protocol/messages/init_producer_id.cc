#include "kafka/protocol/messages/init_producer_id.h"

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

namespace {}  // namespace

bool init_producer_id_request::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::init_producer_id, version);
    auto& x = *this;
    x.transactional_id = r.nullable_string(flex);
    x.transaction_timeout_ms = r.i32();
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void init_producer_id_request::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::init_producer_id, version);
    const auto& x = *this;
    w.nullable_string(x.transactional_id, flex);
    w.i32(x.transaction_timeout_ms);
    if (flex) {
        w.empty_tagged_fields();
    }
}

bool init_producer_id_response::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::init_producer_id, version);
    auto& x = *this;
    x.throttle_time_ms = r.i32();
    x.error_code = read_error_code(r);
    x.producer_id = r.i64();
    x.producer_epoch = r.i16();
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void init_producer_id_response::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::init_producer_id, version);
    const auto& x = *this;
    w.i32(x.throttle_time_ms);
    write_error_code(w, x.error_code);
    w.i64(x.producer_id);
    w.i16(x.producer_epoch);
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace otter::kafka
