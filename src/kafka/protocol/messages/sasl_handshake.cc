#include "kafka/protocol/messages/sasl_handshake.h"

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

namespace {}  // namespace

bool sasl_handshake_request::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::sasl_handshake, version);
    auto& x = *this;
    x.mechanism = r.string(flex);
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void sasl_handshake_request::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::sasl_handshake, version);
    const auto& x = *this;
    w.string(x.mechanism, flex);
    if (flex) {
        w.empty_tagged_fields();
    }
}

bool sasl_handshake_response::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::sasl_handshake, version);
    auto& x = *this;
    x.error_code = read_error_code(r);
    read_array(r, flex, x.mechanisms, [&](std::string& e) { e = r.string(flex); });
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void sasl_handshake_response::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::sasl_handshake, version);
    const auto& x = *this;
    write_error_code(w, x.error_code);
    write_array(w, flex, x.mechanisms, [&](const std::string& e) { w.string(e, flex); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace otter::kafka
