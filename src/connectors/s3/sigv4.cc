#include "connectors/s3/sigv4.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

namespace otter::s3 {

std::string hex(std::string_view raw) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(raw.size() * 2);
    for (unsigned char c : raw) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

std::string sha256_hex(std::string_view data) {
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
    return hex(std::string_view(reinterpret_cast<const char*>(md), sizeof(md)));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len);
    return std::string(reinterpret_cast<const char*>(md), len);
}

std::string uri_encode(std::string_view s, bool keep_slash) {
    static const char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
            (keep_slash && c == '/')) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(digits[c >> 4]);
            out.push_back(digits[c & 15]);
        }
    }
    return out;
}

namespace {

std::string lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Trims and collapses runs of spaces to one (canonical header value).
std::string canonical_value(std::string_view v) {
    std::string out;
    bool space = false;
    for (char c : v) {
        if (c == ' ' || c == '\t') {
            space = !out.empty();
            continue;
        }
        if (space)
            out.push_back(' ');
        space = false;
        out.push_back(c);
    }
    return out;
}

}  // namespace

std::string canonical_query(const std::vector<std::pair<std::string, std::string>>& query) {
    std::vector<std::pair<std::string, std::string>> enc;
    enc.reserve(query.size());
    for (auto& [k, v] : query)
        enc.emplace_back(uri_encode(k, false), uri_encode(v, false));
    std::sort(enc.begin(), enc.end());
    std::string out;
    for (auto& [k, v] : enc) {
        if (!out.empty())
            out.push_back('&');
        out += k + "=" + v;
    }
    return out;
}

std::string canonical_request(const request& r, std::string* signed_headers) {
    std::vector<std::pair<std::string, std::string>> h;
    for (auto& [k, v] : r.headers)
        h.emplace_back(lower(k), canonical_value(v));
    std::sort(h.begin(), h.end());
    // Repeated names are joined with commas, in order.
    std::vector<std::pair<std::string, std::string>> merged;
    for (auto& kv : h) {
        if (!merged.empty() && merged.back().first == kv.first)
            merged.back().second += "," + kv.second;
        else
            merged.push_back(kv);
    }
    std::string headers, names;
    for (auto& [k, v] : merged) {
        headers += k + ":" + v + "\n";
        if (!names.empty())
            names.push_back(';');
        names += k;
    }
    if (signed_headers)
        *signed_headers = names;
    return r.method + "\n" + (r.path.empty() ? "/" : r.path) + "\n" + canonical_query(r.query) +
           "\n" + headers + "\n" + names + "\n" + r.payload_sha256;
}

std::string string_to_sign(const std::string& creq, const std::string& amz_date,
                           const std::string& region, const std::string& service) {
    return "AWS4-HMAC-SHA256\n" + amz_date + "\n" + amz_date.substr(0, 8) + "/" + region + "/" +
           service + "/aws4_request\n" + sha256_hex(creq);
}

std::string signing_key(const std::string& secret, const std::string& yyyymmdd,
                        const std::string& region, const std::string& service) {
    std::string k = hmac_sha256("AWS4" + secret, yyyymmdd);
    k = hmac_sha256(k, region);
    k = hmac_sha256(k, service);
    return hmac_sha256(k, "aws4_request");
}

std::string authorization(const request& r, const credentials& c, const std::string& amz_date,
                          const std::string& region, const std::string& service) {
    std::string names;
    std::string creq = canonical_request(r, &names);
    std::string sts = string_to_sign(creq, amz_date, region, service);
    std::string key = signing_key(c.secret_access_key, amz_date.substr(0, 8), region, service);
    return "AWS4-HMAC-SHA256 Credential=" + c.access_key_id + "/" + amz_date.substr(0, 8) + "/" +
           region + "/" + service + "/aws4_request,SignedHeaders=" + names +
           ",Signature=" + hex(hmac_sha256(key, sts));
}

std::string amz_date(int64_t unix_seconds) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[20];
    std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

}  // namespace otter::s3
