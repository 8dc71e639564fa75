#include "kafka/protocol/messages/api_versions.h"

#include "kafka/server/dispatch.h"
#include "kafka/server/handlers/handler.h"

namespace otter::kafka {

handler_response handle_api_versions(request_ctx& ctx) {
    auto range = find_served_api(api_key::api_versions);
    api_versions_response resp;
    for (const auto& a : served_apis()) {
        api_versions_response::api_version v;
        v.api_key = static_cast<int16_t>(a.key);
        v.min_version = a.min_version;
        v.max_version = a.max_version;
        resp.api_keys.push_back(v);
    }
    if (!range || ctx.hdr.version > range->max_version) {
        // A client newer than us: answer in the v0 body format so it can pick a version.
        resp.error_code = error_code::unsupported_version;
        return handler_response::of(encode_body(resp, 0));
    }
    api_versions_request req;
    if (!req.decode(ctx.body, ctx.hdr.version)) {
        return handler_response::close_connection();
    }
    resp.error_code = error_code::none;
    return handler_response::of(encode_body(resp, ctx.hdr.version));
}

}  // namespace otter::kafka
