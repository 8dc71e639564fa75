#include "kafka/protocol/messages/api_versions.h"

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

namespace {

void read(reader& r, int16_t /*version*/, bool flex, api_versions_response::api_version& x) {
    x.api_key = r.i16();
    x.min_version = r.i16();
    x.max_version = r.i16();
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t /*version*/, bool flex, const api_versions_response::api_version& x) {
    w.i16(x.api_key);
    w.i16(x.min_version);
    w.i16(x.max_version);
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace

bool api_versions_request::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::api_versions, version);
    auto& x = *this;
    if (version >= 3) {
        x.client_software_name = r.string(flex);
    }
    if (version >= 3) {
        x.client_software_version = r.string(flex);
    }
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void api_versions_request::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::api_versions, version);
    const auto& x = *this;
    if (version >= 3) {
        w.string(x.client_software_name, flex);
    }
    if (version >= 3) {
        w.string(x.client_software_version, flex);
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

bool api_versions_response::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::api_versions, version);
    auto& x = *this;
    x.error_code = read_error_code(r);
    read_array(r, flex, x.api_keys, [&](auto& e) { read(r, version, flex, e); });
    if (version >= 1) {
        x.throttle_time_ms = r.i32();
    }
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void api_versions_response::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::api_versions, version);
    const auto& x = *this;
    write_error_code(w, x.error_code);
    write_array(w, flex, x.api_keys, [&](const auto& e) { write(w, version, flex, e); });
    if (version >= 1) {
        w.i32(x.throttle_time_ms);
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace otter::kafka
