#include "connectors/s3/client.h"

#include <chrono>
#include <cstdlib>

#include <curl/curl.h>

namespace otter::s3 {

namespace {

using serr = unexpected<error>;

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

// The text of each <tag>...</tag> element directly or deeply inside `xml`, in order.
// S3 response documents never nest an element inside one of the same name, and carry no
// CDATA, so a linear scan is exact for them. `<tag/>` yields an empty string.
std::vector<std::string_view> elements(std::string_view xml, std::string_view tag) {
    std::vector<std::string_view> out;
    const std::string open = "<" + std::string(tag);
    const std::string close = "</" + std::string(tag) + ">";
    size_t pos = 0;
    while ((pos = xml.find(open, pos)) != std::string_view::npos) {
        size_t after = pos + open.size();
        if (after >= xml.size())
            break;
        char c = xml[after];
        if (c != '>' && c != ' ' && c != '/' && c != '\t' && c != '\n' && c != '\r') {
            pos = after;  // a longer tag name with this prefix
            continue;
        }
        size_t gt = xml.find('>', after);
        if (gt == std::string_view::npos)
            break;
        if (xml[gt - 1] == '/') {
            out.emplace_back();
            pos = gt + 1;
            continue;
        }
        size_t end = xml.find(close, gt + 1);
        if (end == std::string_view::npos)
            break;
        out.push_back(xml.substr(gt + 1, end - gt - 1));
        pos = end + close.size();
    }
    return out;
}

std::string first(std::string_view xml, std::string_view tag) {
    auto e = elements(xml, tag);
    return e.empty() ? std::string() : xml_unescape(e.front());
}

size_t write_body(char* p, size_t size, size_t n, void* user) {
    static_cast<std::string*>(user)->append(p, size * n);
    return size * n;
}

size_t write_header(char* p, size_t size, size_t n, void* user) {
    std::string_view line(p, size * n);
    auto* etag = static_cast<std::string*>(user);
    if (line.size() > 5 && (line.substr(0, 5) == "ETag:" || line.substr(0, 5) == "etag:")) {
        std::string_view v = line.substr(5);
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
            v.remove_prefix(1);
        while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' '))
            v.remove_suffix(1);
        *etag = std::string(v);
    }
    return size * n;
}

struct slist {
    curl_slist* l = nullptr;
    ~slist() { curl_slist_free_all(l); }
    void add(const std::string& s) { l = curl_slist_append(l, s.c_str()); }
};

std::once_flag curl_init_once;

}  // namespace

struct client::curl_handle {
    CURL* h = nullptr;
    ~curl_handle() {
        if (h)
            curl_easy_cleanup(h);
    }
};

void config::fill_from_env(bool region_set) {
    if (creds.access_key_id.empty())
        creds.access_key_id = env("AWS_ACCESS_KEY_ID");
    if (creds.secret_access_key.empty())
        creds.secret_access_key = env("AWS_SECRET_ACCESS_KEY");
    if (creds.session_token.empty())
        creds.session_token = env("AWS_SESSION_TOKEN");
    if (!region_set) {
        if (auto r = env("AWS_REGION"); !r.empty())
            region = r;
        else if (auto d = env("AWS_DEFAULT_REGION"); !d.empty())
            region = d;
    }
    if (endpoint.empty())
        endpoint = env("OTTER_S3_ENDPOINT");
}

std::string error::to_string() const {
    std::string s = "S3 ";
    s += http_status ? "HTTP " + std::to_string(http_status) : std::string("request failed");
    if (!code.empty())
        s += " " + code;
    if (!message.empty())
        s += ": " + message;
    return s;
}

std::string xml_unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '&') {
            out.push_back(s[i]);
            continue;
        }
        size_t semi = s.find(';', i);
        if (semi == std::string_view::npos || semi - i > 10) {
            out.push_back('&');
            continue;
        }
        std::string_view ent = s.substr(i + 1, semi - i - 1);
        if (ent == "amp")
            out.push_back('&');
        else if (ent == "lt")
            out.push_back('<');
        else if (ent == "gt")
            out.push_back('>');
        else if (ent == "quot")
            out.push_back('"');
        else if (ent == "apos")
            out.push_back('\'');
        else if (ent.size() > 1 && ent[0] == '#') {
            unsigned long cp = 0;
            bool hexa = ent[1] == 'x' || ent[1] == 'X';
            std::string digits(ent.substr(hexa ? 2 : 1));
            char* end = nullptr;
            cp = std::strtoul(digits.c_str(), &end, hexa ? 16 : 10);
            if (digits.empty() || *end != '\0' || cp > 0x10FFFF) {
                out.append(s.substr(i, semi - i + 1));
                i = semi;
                continue;
            }
            // UTF-8 encode.
            if (cp < 0x80) {
                out.push_back(static_cast<char>(cp));
            } else if (cp < 0x800) {
                out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
                out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
            } else if (cp < 0x10000) {
                out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
                out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
                out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
            } else {
                out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
                out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
                out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
                out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
            }
        } else {
            out.append(s.substr(i, semi - i + 1));
        }
        i = semi;
    }
    return out;
}

error parse_error_xml(int http_status, std::string_view body) {
    error e;
    e.http_status = http_status;
    auto err = elements(body, "Error");
    if (!err.empty()) {
        e.code = first(err.front(), "Code");
        e.message = first(err.front(), "Message");
    }
    if (e.code.empty()) {
        switch (http_status) {
            case 301:
                e.code = "PermanentRedirect";
                break;
            case 400:
                e.code = "BadRequest";
                break;
            case 403:
                e.code = "AccessDenied";
                break;
            case 404:
                e.code = "NoSuchKey";
                break;
            case 409:
                e.code = "Conflict";
                break;
            case 412:
                e.code = "PreconditionFailed";
                break;
            default:
                e.code = "HTTP" + std::to_string(http_status);
        }
    }
    return e;
}

result<list_page, std::string> parse_list_v2_xml(std::string_view body) {
    auto root = elements(body, "ListBucketResult");
    if (root.empty())
        return unexpected{std::string("ListObjectsV2: response has no <ListBucketResult>")};
    list_page p;
    for (auto c : elements(root.front(), "Contents")) {
        object_info o;
        auto keys = elements(c, "Key");
        if (keys.empty())
            return unexpected{std::string("ListObjectsV2: <Contents> without <Key>")};
        o.key = xml_unescape(keys.front());
        std::string size = first(c, "Size");
        char* end = nullptr;
        o.size = size.empty() ? 0 : std::strtoll(size.c_str(), &end, 10);
        if (!size.empty() && (*end != '\0' || o.size < 0))
            return unexpected{"ListObjectsV2: bad <Size> '" + size + "'"};
        o.etag = first(c, "ETag");
        p.objects.push_back(std::move(o));
    }
    p.truncated = first(root.front(), "IsTruncated") == "true";
    p.next_continuation_token = first(root.front(), "NextContinuationToken");
    if (p.truncated && p.next_continuation_token.empty())
        return unexpected{std::string("ListObjectsV2: truncated without NextContinuationToken")};
    return p;
}

result<std::pair<std::string, std::string>, std::string> parse_s3_uri(std::string_view uri) {
    if (uri.substr(0, 5) != "s3://")
        return unexpected{"not an s3:// URI: " + std::string(uri)};
    std::string_view rest = uri.substr(5);
    size_t slash = rest.find('/');
    std::string bucket(rest.substr(0, slash));
    if (bucket.empty())
        return unexpected{"s3 URI without a bucket: " + std::string(uri)};
    std::string key = slash == std::string_view::npos ? "" : std::string(rest.substr(slash + 1));
    return std::pair{bucket, key};
}

client::client(config c) : cfg_(std::move(c)), curl_(std::make_unique<curl_handle>()) {}
client::~client() = default;

result<std::unique_ptr<client>, std::string> client::create(config c) {
    if (c.region.empty())
        return unexpected{std::string("s3: no region (set AWS_REGION or --s3-region)")};
    if (c.creds.access_key_id.empty() || c.creds.secret_access_key.empty())
        return unexpected{
            std::string("s3: no credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)")};
    std::string ep = c.endpoint;
    const bool custom = !ep.empty();
    if (!custom)
        ep = "https://s3." + c.region + ".amazonaws.com";
    while (!ep.empty() && ep.back() == '/')
        ep.pop_back();
    size_t sep = ep.find("://");
    if (sep == std::string::npos)
        return unexpected{"s3: endpoint '" + c.endpoint + "' needs a scheme (http:// or https://)"};
    std::string scheme = ep.substr(0, sep);
    std::string host = ep.substr(sep + 3);
    if ((scheme != "http" && scheme != "https") || host.empty() ||
        host.find('/') != std::string::npos)
        return unexpected{"s3: bad endpoint '" + c.endpoint + "' (want http[s]://host[:port])"};
    // The Host header omits the scheme's default port, as clients and S3 do.
    if ((scheme == "http" && host.ends_with(":80")) ||
        (scheme == "https" && host.ends_with(":443")))
        host = host.substr(0, host.rfind(':'));
    if (!c.path_style)
        c.path_style = custom;
    std::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    auto cl = std::unique_ptr<client>(new client(std::move(c)));
    cl->scheme_ = scheme;
    cl->host_ = host;
    cl->curl_->h = curl_easy_init();
    if (!cl->curl_->h)
        return unexpected{std::string("s3: curl_easy_init failed")};
    return cl;
}

s3_result<client::response> client::perform(
    const std::string& method, const std::string& bucket, const std::string& key,
    const std::vector<std::pair<std::string, std::string>>& query,
    const std::vector<std::pair<std::string, std::string>>& extra, std::string_view body) {
    std::string host = host_;
    std::string path;
    if (*cfg_.path_style) {
        path = "/" + uri_encode(bucket, false);
        if (!key.empty())
            path += "/" + uri_encode(key, true);
    } else {
        host = bucket + "." + host_;
        path = "/" + uri_encode(key, true);
    }
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    request r;
    r.method = method;
    r.path = path;
    r.query = query;
    r.payload_sha256 = sha256_hex(body);
    const std::string date = amz_date(now);
    r.headers = {{"host", host}, {"x-amz-date", date}, {"x-amz-content-sha256", r.payload_sha256}};
    if (!cfg_.creds.session_token.empty())
        r.headers.emplace_back("x-amz-security-token", cfg_.creds.session_token);
    for (auto& h : extra)
        r.headers.push_back(h);
    const std::string auth = authorization(r, cfg_.creds, date, cfg_.region);

    std::string url = scheme_ + "://" + host + path;
    if (std::string q = canonical_query(query); !q.empty())
        url += "?" + q;

    std::lock_guard lock(mu_);
    CURL* h = curl_->h;
    curl_easy_reset(h);
    slist headers;
    for (auto& [k, v] : r.headers)
        headers.add(k + ": " + v);
    headers.add("Authorization: " + auth);
    headers.add("Expect:");  // no 100-continue round trip
    response resp;
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);  // the signed path must be sent unchanged
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(cfg_.connect_timeout_ms));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(cfg_.request_timeout_ms));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp.body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, write_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &resp.etag);
    if (method == "HEAD") {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (method == "PUT") {
        headers.add("Content-Type: application/octet-stream");
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    } else if (method != "GET") {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.l);
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        error e;
        e.code = "TransportError";
        e.message = method + " " + url + ": " + curl_easy_strerror(rc);
        return serr{e};
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
    curl_off_t len = -1;
    curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len);
    resp.content_length = len;
    return resp;
}

s3_result<void> client::put(const std::string& bucket, const std::string& key,
                            std::string_view body) {
    auto r = perform("PUT", bucket, key, {}, {}, body);
    if (!r)
        return serr{r.error()};
    if (r->status / 100 != 2)
        return serr{parse_error_xml(static_cast<int>(r->status), r->body)};
    return {};
}

s3_result<bool> client::put_if_absent(const std::string& bucket, const std::string& key,
                                      std::string_view body) {
    auto r = perform("PUT", bucket, key, {}, {{"if-none-match", "*"}}, body);
    if (!r)
        return serr{r.error()};
    if (r->status == 412)
        return false;
    if (r->status == 409) {
        auto e = parse_error_xml(409, r->body);
        // A concurrent conditional write to the same key is in flight: treat as lost race.
        if (e.code == "ConditionalRequestConflict")
            return false;
        return serr{e};
    }
    if (r->status / 100 != 2)
        return serr{parse_error_xml(static_cast<int>(r->status), r->body)};
    return true;
}

s3_result<std::string> client::get(const std::string& bucket, const std::string& key,
                                   std::optional<byte_range> range) {
    std::vector<std::pair<std::string, std::string>> h;
    if (range) {
        if (range->offset < 0 || range->length < 0)
            return serr{error{0, "InvalidRange", "negative offset or length"}};
        std::string v = "bytes=" + std::to_string(range->offset) + "-";
        if (range->length > 0)
            v += std::to_string(range->offset + range->length - 1);
        h.emplace_back("range", v);
    }
    auto r = perform("GET", bucket, key, {}, h, {});
    if (!r)
        return serr{r.error()};
    if (r->status / 100 != 2)
        return serr{parse_error_xml(static_cast<int>(r->status), r->body)};
    // A store that ignores Range answers 200 with the whole object: cut it here.
    if (range && r->status == 200) {
        std::string& b = r->body;
        size_t off = std::min(b.size(), static_cast<size_t>(range->offset));
        size_t n = range->length > 0 ? static_cast<size_t>(range->length) : b.size();
        return b.substr(off, n);
    }
    return std::move(r->body);
}

s3_result<object_info> client::head(const std::string& bucket, const std::string& key) {
    auto r = perform("HEAD", bucket, key, {}, {}, {});
    if (!r)
        return serr{r.error()};
    if (r->status / 100 != 2)
        return serr{parse_error_xml(static_cast<int>(r->status), {})};
    object_info o;
    o.key = key;
    o.size = r->content_length;
    o.etag = r->etag;
    return o;
}

s3_result<void> client::remove(const std::string& bucket, const std::string& key) {
    auto r = perform("DELETE", bucket, key, {}, {}, {});
    if (!r)
        return serr{r.error()};
    if (r->status / 100 != 2 && r->status != 404)
        return serr{parse_error_xml(static_cast<int>(r->status), r->body)};
    return {};
}

s3_result<list_page> client::list_page_v2(const std::string& bucket, const std::string& prefix,
                                          const std::string& token, int max_keys) {
    std::vector<std::pair<std::string, std::string>> q = {
        {"list-type", "2"}, {"prefix", prefix}, {"max-keys", std::to_string(max_keys)}};
    if (!token.empty())
        q.emplace_back("continuation-token", token);
    auto r = perform("GET", bucket, "", q, {}, {});
    if (!r)
        return serr{r.error()};
    if (r->status / 100 != 2)
        return serr{parse_error_xml(static_cast<int>(r->status), r->body)};
    auto p = parse_list_v2_xml(r->body);
    if (!p)
        return serr{error{static_cast<int>(r->status), "MalformedResponse", p.error()}};
    return std::move(*p);
}

s3_result<std::vector<object_info>> client::list(const std::string& bucket,
                                                 const std::string& prefix) {
    std::vector<object_info> out;
    std::string token;
    for (;;) {
        auto p = list_page_v2(bucket, prefix, token);
        if (!p)
            return serr{p.error()};
        for (auto& o : p->objects)
            out.push_back(std::move(o));
        if (!p->truncated)
            return out;
        if (p->next_continuation_token == token)
            return serr{error{0, "MalformedResponse", "ListObjectsV2 repeated its token"}};
        token = p->next_continuation_token;
    }
}

s3_result<void> client::create_bucket(const std::string& bucket) {
    auto r = perform("PUT", bucket, "", {}, {}, {});
    if (!r)
        return serr{r.error()};
    if (r->status / 100 != 2)
        return serr{parse_error_xml(static_cast<int>(r->status), r->body)};
    return {};
}

}  // namespace otter::s3
