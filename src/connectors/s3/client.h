// A small S3 client on libcurl: PUT (optionally conditional), GET (optionally ranged), HEAD,
// DELETE and ListObjectsV2, each signed with SigV4 (sigv4.h). Works against AWS S3
// (virtual-host or path-style URLs) and S3-compatible stores at a custom endpoint (path-style).
//
// Errors are values: `error` carries the HTTP status and S3's error code and message (from the
// XML error body; HEAD has no body, so its code is derived from the status).
//
// Thread-safety: a client is thread-safe; requests from several threads are serialised by an
// internal mutex (one curl handle, so connections are reused). Bodies are held in memory: a
// PUT sends one buffer in a single request (no multipart upload, so objects are limited to S3's
// 5 GiB single-PUT maximum).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "connectors/s3/sigv4.h"

namespace otter::s3 {

// Where and how to reach the store.
struct config {
    // scheme://host[:port] of an S3-compatible store (e.g. http://127.0.0.1:4568). Empty: AWS,
    // https://s3.<region>.amazonaws.com.
    std::string endpoint;
    std::string region = "us-east-1";
    credentials creds;
    // Path-style URLs (endpoint/bucket/key) rather than virtual-host (bucket.endpoint/key).
    // Unset: path-style for a custom endpoint, virtual-host for AWS.
    std::optional<bool> path_style;
    int64_t connect_timeout_ms = 10'000;
    int64_t request_timeout_ms = 300'000;

    // Fills unset fields from the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
    // AWS_SESSION_TOKEN, AWS_REGION (or AWS_DEFAULT_REGION), OTTER_S3_ENDPOINT.
    // `region_set` says whether `region` was given explicitly (then the environment is ignored).
    void fill_from_env(bool region_set);
};

struct error {
    int http_status = 0;  // 0: transport failure (connect, timeout, ...)
    std::string code;     // S3 error code: NoSuchKey, NoSuchBucket, PreconditionFailed, ...
    std::string message;
    std::string to_string() const;
};

template <typename T>
using s3_result = result<T, error>;

struct object_info {
    std::string key;
    int64_t size = 0;
    std::string etag;
};

struct list_page {
    std::vector<object_info> objects;
    bool truncated = false;
    std::string next_continuation_token;
};

// Byte range of a GET: `length` bytes from `offset` (length 0: to the end).
struct byte_range {
    int64_t offset = 0;
    int64_t length = 0;
};

class client {
  public:
    static result<std::unique_ptr<client>, std::string> create(config c);
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    const config& cfg() const { return cfg_; }

    // Stores `body` as bucket/key, replacing any object there.
    s3_result<void> put(const std::string& bucket, const std::string& key, std::string_view body);
    // Stores `body` only if no object bucket/key exists (If-None-Match: *). Returns false when
    // the object exists (HTTP 412, or 409 ConditionalRequestConflict from a concurrent
    // conditional write). A store that ignores the header overwrites and returns true.
    s3_result<bool> put_if_absent(const std::string& bucket, const std::string& key,
                                  std::string_view body);
    s3_result<std::string> get(const std::string& bucket, const std::string& key,
                               std::optional<byte_range> range = std::nullopt);
    // Size and ETag; error code NoSuchKey when absent.
    s3_result<object_info> head(const std::string& bucket, const std::string& key);
    // Deleting an absent key succeeds (S3 semantics).
    s3_result<void> remove(const std::string& bucket, const std::string& key);
    // One ListObjectsV2 page (keys in lexicographic order).
    s3_result<list_page> list_page_v2(const std::string& bucket, const std::string& prefix,
                                      const std::string& continuation_token = "",
                                      int max_keys = 1000);
    // All keys under `prefix`, following continuation tokens.
    s3_result<std::vector<object_info>> list(const std::string& bucket, const std::string& prefix);
    // Creates a bucket (used by tests and set-up against local stores).
    s3_result<void> create_bucket(const std::string& bucket);

  private:
    struct response {
        long status = 0;
        std::string body;
        int64_t content_length = -1;
        std::string etag;
    };
    struct curl_handle;
    explicit client(config c);
    s3_result<response> perform(const std::string& method, const std::string& bucket,
                                const std::string& key,
                                const std::vector<std::pair<std::string, std::string>>& query,
                                const std::vector<std::pair<std::string, std::string>>& headers,
                                std::string_view body);

    config cfg_;
    std::string scheme_;  // http or https
    std::string host_;    // host[:port] as sent in Host
    std::mutex mu_;
    std::unique_ptr<curl_handle> curl_;  // guarded by mu_
};

// Parsing of S3 XML bodies (exposed for tests).
// The <Code> and <Message> of an <Error> document (empty when absent).
error parse_error_xml(int http_status, std::string_view body);
result<list_page, std::string> parse_list_v2_xml(std::string_view body);
// XML character references and the five predefined entities.
std::string xml_unescape(std::string_view s);

// Splits s3://bucket/key into bucket and key (key without a leading '/').
result<std::pair<std::string, std::string>, std::string> parse_s3_uri(std::string_view uri);

}  // namespace otter::s3
