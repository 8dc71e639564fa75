#include "kafka/protocol/header.h"

#include <cstring>

namespace otter::kafka {

bool is_known_api(api_key key) {
    return std::strcmp(api_name(key), "Unknown") != 0;
}

static bool response_header_flexible(api_key key, int16_t version) {
    return key != api_key::api_versions && is_flexible(key, version);
}

bool decode_request_header(reader& r, request_header& h) {
    h.key = static_cast<api_key>(r.i16());
    h.version = r.i16();
    h.correlation_id = r.i32();
    if (!r.ok())
        return false;
    if (!is_known_api(h.key)) {
        reader probe = r;
        auto client_id = probe.nullable_string(false);
        if (probe.ok()) {
            h.client_id = std::move(client_id);
            r = probe;
        }
        return true;
    }
    h.client_id = r.nullable_string(false);
    if (is_flexible(h.key, h.version))
        r.skip_tagged_fields();
    return r.ok();
}

void encode_request_header(writer& w, const request_header& h) {
    w.i16(static_cast<int16_t>(h.key));
    w.i16(h.version);
    w.i32(h.correlation_id);
    w.nullable_string(h.client_id, false);
    if (is_flexible(h.key, h.version))
        w.empty_tagged_fields();
}

void encode_response_header(writer& w, api_key key, int16_t version, int32_t correlation_id) {
    w.i32(correlation_id);
    if (response_header_flexible(key, version))
        w.empty_tagged_fields();
}

bool decode_response_header(reader& r, api_key key, int16_t version, int32_t& correlation_id) {
    correlation_id = r.i32();
    if (response_header_flexible(key, version))
        r.skip_tagged_fields();
    return r.ok();
}

}  // namespace otter::kafka
