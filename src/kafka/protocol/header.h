// Request and response headers.
//
// Request header v1: api_key i16, api_version i16, correlation_id i32, client_id NULLABLE_STRING
// (always an int16 length, even in flexible versions). Header v2, used by flexible request
// versions, appends a tagged-field section. Response header v0 is the correlation id; v1 (flexible
// versions) appends a tagged-field section, except for ApiVersions whose response header is always
// v0 (KIP-511).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/wire.h"

namespace otter::kafka {

struct request_header {
    api_key key = api_key::api_versions;
    int16_t version = 0;
    int32_t correlation_id = 0;
    std::optional<std::string> client_id;

    bool operator==(const request_header&) const = default;
};

// Decodes a request header. For an API key Otter does not know, key, version and correlation id
// are decoded and the call still succeeds (client_id is filled in if it parses; no tagged section
// is read), so the server can answer or close the connection. Returns r.ok().
bool decode_request_header(reader& r, request_header& h);
void encode_request_header(writer& w, const request_header& h);

// The response header for a response to `key` at `version`.
void encode_response_header(writer& w, api_key key, int16_t version, int32_t correlation_id);

// Decodes a response header (for clients and tests). Returns r.ok().
bool decode_response_header(reader& r, api_key key, int16_t version, int32_t& correlation_id);

// True if `key` is one of the values of `api_key`.
bool is_known_api(api_key key);

}  // namespace otter::kafka
