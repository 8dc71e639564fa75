// AWS Signature Version 4 for S3 requests signed in the Authorization header (single-chunk
// payload). Pure functions: no I/O, no clock (the caller passes the request time), so the
// documented AWS example vectors can be checked exactly (tests/s3_test.cc).
//
// Steps (AWS S3 API reference, "Signature Calculations for the Authorization Header"):
//   canonical request = method \n canonical URI \n canonical query \n canonical headers \n
//                       signed headers \n hex(sha256(payload))
//   string to sign    = "AWS4-HMAC-SHA256" \n amz-date \n scope \n hex(sha256(canonical request))
//   signing key       = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, yyyymmdd), region), "s3"),
//   "aws4_request") signature         = hex(HMAC(signing key, string to sign))
//
// Thread-safety: all functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace otter::s3 {

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);
// Raw HMAC-SHA256 (32 bytes) of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string hex(std::string_view raw);

// S3's URI encoding: unreserved characters (A-Z a-z 0-9 - _ . ~) are kept, every other byte is
// %XX with upper-case hex; '/' is kept when `keep_slash` (object key paths) and encoded
// otherwise (query names and values).
std::string uri_encode(std::string_view s, bool keep_slash);

struct credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;  // optional (x-amz-security-token)
};

// One request to sign. Header names may be in any case; values are trimmed and inner runs of
// spaces collapsed as the canonical form requires. `path` is the already URI-encoded absolute
// path (S3 does not normalise it). `query` holds decoded name/value pairs.
struct request {
    std::string method;
    std::string path;
    std::vector<std::pair<std::string, std::string>> query;
    std::vector<std::pair<std::string, std::string>> headers;  // must include host, x-amz-date
    std::string payload_sha256;                                // hex; or "UNSIGNED-PAYLOAD"
};

std::string canonical_query(const std::vector<std::pair<std::string, std::string>>& query);
std::string canonical_request(const request& r, std::string* signed_headers = nullptr);
// `amz_date` is YYYYMMDD'T'HHMMSS'Z'; the scope is <yyyymmdd>/<region>/<service>/aws4_request.
std::string string_to_sign(const std::string& canonical_request, const std::string& amz_date,
                           const std::string& region, const std::string& service = "s3");
std::string signing_key(const std::string& secret, const std::string& yyyymmdd,
                        const std::string& region, const std::string& service = "s3");

// The Authorization header value for `r`.
std::string authorization(const request& r, const credentials& c, const std::string& amz_date,
                          const std::string& region, const std::string& service = "s3");

// Request time in SigV4's basic ISO 8601 form, from Unix seconds.
std::string amz_date(int64_t unix_seconds);

}  // namespace otter::s3
