#include <gtest/gtest.h>

#include "connectors/s3/client.h"
#include "connectors/s3/sigv4.h"

namespace otter::s3 {
namespace {

// AWS S3 API Reference, "Signature Calculations for the Authorization Header: Transferring
// Payload in a Single Chunk", Example: GET Object (first 10 bytes of examplebucket/test.txt).
// The expected strings below are copied from that page, not produced by this code.
constexpr const char* empty_sha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

request aws_get_object_example() {
    request r;
    r.method = "GET";
    r.path = "/test.txt";
    r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                 {"Range", "bytes=0-9"},
                 {"x-amz-content-sha256", empty_sha256},
                 {"x-amz-date", "20130524T000000Z"}};
    r.payload_sha256 = empty_sha256;
    return r;
}

TEST(sigv4, aws_get_object_example_canonical_request) {
    const std::string expected =
        "GET\n"
        "/test.txt\n"
        "\n"
        "host:examplebucket.s3.amazonaws.com\n"
        "range:bytes=0-9\n"
        "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
        "x-amz-date:20130524T000000Z\n"
        "\n"
        "host;range;x-amz-content-sha256;x-amz-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    std::string names;
    EXPECT_EQ(canonical_request(aws_get_object_example(), &names), expected);
    EXPECT_EQ(names, "host;range;x-amz-content-sha256;x-amz-date");
}

TEST(sigv4, aws_get_object_example_string_to_sign) {
    const std::string expected =
        "AWS4-HMAC-SHA256\n"
        "20130524T000000Z\n"
        "20130524/us-east-1/s3/aws4_request\n"
        "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972";
    EXPECT_EQ(string_to_sign(canonical_request(aws_get_object_example()), "20130524T000000Z",
                             "us-east-1"),
              expected);
}

TEST(sigv4, aws_get_object_example_authorization) {
    credentials c{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
    EXPECT_EQ(authorization(aws_get_object_example(), c, "20130524T000000Z", "us-east-1"),
              "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
              "aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
              "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    // A different secret gives a different signature (the test can fail).
    c.secret_access_key = "wrong";
    EXPECT_EQ(authorization(aws_get_object_example(), c, "20130524T000000Z", "us-east-1")
                  .find("f0e8bdb87c96"),
              std::string::npos);
}

TEST(sigv4, sha256_of_empty_string) {
    EXPECT_EQ(sha256_hex(""), empty_sha256);
}

TEST(sigv4, uri_encoding_rules) {
    EXPECT_EQ(uri_encode("a-b_c.d~e", false), "a-b_c.d~e");
    EXPECT_EQ(uri_encode("wh/ns/t/data/x=1 2.parquet", true), "wh/ns/t/data/x%3D1%202.parquet");
    EXPECT_EQ(uri_encode("a/b", false), "a%2Fb");
    EXPECT_EQ(uri_encode("test$file+x", true), "test%24file%2Bx");
    EXPECT_EQ(uri_encode("\xc3\xa9", true), "%C3%A9");  // UTF-8 bytes, upper-case hex
}

TEST(sigv4, canonical_query_sorted_and_encoded) {
    EXPECT_EQ(canonical_query({{"prefix", "J"}, {"max-keys", "2"}}), "max-keys=2&prefix=J");
    EXPECT_EQ(canonical_query({{"list-type", "2"}, {"prefix", "wh/a b"}}),
              "list-type=2&prefix=wh%2Fa%20b");
    EXPECT_EQ(canonical_query({{"acl", ""}}), "acl=");
}

TEST(sigv4, header_values_trimmed_and_names_lowered) {
    request r;
    r.method = "PUT";
    r.path = "/b/k";
    r.headers = {{"X-Amz-Date", "  20130524T000000Z "}, {"Host", "h"}, {"x-amz-meta-a", "a   b"}};
    r.payload_sha256 = empty_sha256;
    std::string names;
    std::string c = canonical_request(r, &names);
    EXPECT_EQ(names, "host;x-amz-date;x-amz-meta-a");
    EXPECT_NE(c.find("x-amz-date:20130524T000000Z\n"), std::string::npos);
    EXPECT_NE(c.find("x-amz-meta-a:a b\n"), std::string::npos);
}

TEST(sigv4, amz_date_format) {
    EXPECT_EQ(amz_date(1369353600), "20130524T000000Z");
}

TEST(s3_xml, list_v2_with_continuation) {
    const char* xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>b</Name><Prefix>wh/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
  <Contents><Key>wh/a&amp;b.json</Key><LastModified>2013-05-24T00:00:00.000Z</LastModified>
    <ETag>&quot;abc&quot;</ETag><Size>434234</Size><StorageClass>STANDARD</StorageClass></Contents>
  <Contents><Key>wh/c&#x20AC;</Key><Size>0</Size></Contents>
</ListBucketResult>)";
    auto p = parse_list_v2_xml(xml);
    ASSERT_TRUE(p) << p.error();
    ASSERT_EQ(p->objects.size(), 2u);
    EXPECT_EQ(p->objects[0].key, "wh/a&b.json");
    EXPECT_EQ(p->objects[0].size, 434234);
    EXPECT_EQ(p->objects[0].etag, "\"abc\"");
    EXPECT_EQ(p->objects[1].key, "wh/c\xe2\x82\xac");
    EXPECT_TRUE(p->truncated);
    EXPECT_EQ(p->next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(s3_xml, list_v2_empty_and_malformed) {
    auto p = parse_list_v2_xml(
        "<ListBucketResult><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount>"
        "</ListBucketResult>");
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->objects.empty());
    EXPECT_FALSE(p->truncated);
    EXPECT_FALSE(parse_list_v2_xml("<html>nope</html>"));
    EXPECT_FALSE(
        parse_list_v2_xml("<ListBucketResult><IsTruncated>true</IsTruncated>"
                          "</ListBucketResult>"));
    EXPECT_FALSE(
        parse_list_v2_xml("<ListBucketResult><Contents><Size>1</Size></Contents>"
                          "</ListBucketResult>"));
    EXPECT_FALSE(
        parse_list_v2_xml("<ListBucketResult><Contents><Key>k</Key><Size>x</Size>"
                          "</Contents></ListBucketResult>"));
    // Truncated documents do not crash.
    EXPECT_FALSE(parse_list_v2_xml("<ListBucketResult><Contents><Key>k"));
    EXPECT_FALSE(parse_list_v2_xml("<ListBucketResult"));
}

TEST(s3_xml, error_body_and_status_fallback) {
    auto e = parse_error_xml(403, R"(<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error>)");
    EXPECT_EQ(e.http_status, 403);
    EXPECT_EQ(e.code, "SignatureDoesNotMatch");
    EXPECT_NE(e.to_string().find("SignatureDoesNotMatch"), std::string::npos);
    EXPECT_EQ(parse_error_xml(404, "").code, "NoSuchKey");
    EXPECT_EQ(parse_error_xml(412, "").code, "PreconditionFailed");
}

TEST(s3_uri, parse) {
    auto u = parse_s3_uri("s3://bucket/wh/ns/t");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->first, "bucket");
    EXPECT_EQ(u->second, "wh/ns/t");
    EXPECT_EQ(parse_s3_uri("s3://bucket")->second, "");
    EXPECT_FALSE(parse_s3_uri("s3:///k"));
    EXPECT_FALSE(parse_s3_uri("/tmp/x"));
}

TEST(s3_client, create_validates_config) {
    config c;
    c.endpoint = "127.0.0.1:9000";
    c.creds = {"a", "b", ""};
    EXPECT_FALSE(client::create(c));  // no scheme
    c.endpoint = "ftp://h";
    EXPECT_FALSE(client::create(c));
    c.endpoint = "http://127.0.0.1:9000";
    c.creds = {};
    EXPECT_FALSE(client::create(c));  // no credentials
    c.creds = {"a", "b", ""};
    auto cl = client::create(c);
    ASSERT_TRUE(cl);
    EXPECT_TRUE(*(*cl)->cfg().path_style);
}

TEST(s3_client, unreachable_endpoint_is_an_error_value) {
    config c;
    c.endpoint = "http://127.0.0.1:1";  // nothing listens on port 1
    c.creds = {"a", "b", ""};
    c.connect_timeout_ms = 2000;
    auto cl = client::create(c);
    ASSERT_TRUE(cl);
    auto r = (*cl)->get("b", "k");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().http_status, 0);
    EXPECT_EQ(r.error().code, "TransportError");
}

}  // namespace
}  // namespace otter::s3
