// Byte-exact encodings built by hand from the protocol specification, checked in both directions.
#include <gtest/gtest.h>

#include "kafka/protocol/header.h"
#include "kafka/protocol/messages/all.h"
#include "kafka/protocol/tests/round_trip.h"

namespace otter::kafka {
namespace {

bytes concat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const auto& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

bytes str(const char* s) {
    return bytes(s, s + std::char_traits<char>::length(s));
}

TEST(golden, api_versions_v0_request_frame) {
    request_header h{api_key::api_versions, 0, 7, std::string("c")};
    writer w;
    encode_request_header(w, h);
    api_versions_request req;
    req.client_software_name = "ignored in v0";
    req.encode(w, 0);
    // key 18, version 0, correlation 7, client_id "c"; empty body.
    const bytes expected = {0x00, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x01, 'c'};
    EXPECT_EQ(w.buf(), expected);

    reader r(expected);
    request_header got;
    ASSERT_TRUE(decode_request_header(r, got));
    EXPECT_EQ(got, h);
    api_versions_request body;
    ASSERT_TRUE(body.decode(r, 0));
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_EQ(body.client_software_name, "");
}

TEST(golden, api_versions_v3_request_frame) {
    request_header h{api_key::api_versions, 3, 1, std::string("rdkafka")};
    api_versions_request req;
    req.client_software_name = "librdkafka";
    req.client_software_version = "2.0.2";
    writer w;
    encode_request_header(w, h);
    req.encode(w, 3);
    const bytes expected = concat({
        {0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01},  // key, version, correlation id
        {0x00, 0x07},                                      // client_id: int16 length even in v2
        str("rdkafka"),
        {0x00},  // header tagged fields
        {0x0b},  // compact string: length 10 + 1
        str("librdkafka"),
        {0x06},  // length 5 + 1
        str("2.0.2"),
        {0x00},  // body tagged fields
    });
    EXPECT_EQ(w.buf(), expected);

    reader r(expected);
    request_header got_h;
    ASSERT_TRUE(decode_request_header(r, got_h));
    EXPECT_EQ(got_h, h);
    api_versions_request got;
    ASSERT_TRUE(got.decode(r, 3));
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_EQ(got, req);
}

TEST(golden, api_versions_v0_response) {
    api_versions_response resp;
    resp.api_keys.push_back({0, 3, 7});
    resp.api_keys.push_back({18, 0, 3});
    resp.throttle_time_ms = 99;  // not in v0
    writer w;
    encode_response_header(w, api_key::api_versions, 0, 5);
    resp.encode(w, 0);
    const bytes expected = {
        0x00, 0x00, 0x00, 0x05,              // correlation id
        0x00, 0x00,                          // error_code
        0x00, 0x00, 0x00, 0x02,              // api_keys count
        0x00, 0x00, 0x00, 0x03, 0x00, 0x07,  // Produce 3-7
        0x00, 0x12, 0x00, 0x00, 0x00, 0x03,  // ApiVersions 0-3
    };
    EXPECT_EQ(w.buf(), expected);

    reader r(bytes_view(expected).subspan(4));
    api_versions_response got;
    ASSERT_TRUE(got.decode(r, 0));
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_EQ(got.api_keys, resp.api_keys);
    EXPECT_EQ(got.throttle_time_ms, 0);
}

TEST(golden, api_versions_v3_response_header_stays_v0) {
    api_versions_response resp;
    resp.error_code = error_code::unsupported_version;
    resp.api_keys.push_back({18, 0, 3});
    resp.throttle_time_ms = 1;
    writer w;
    encode_response_header(w, api_key::api_versions, 3, 5);
    resp.encode(w, 3);
    const bytes expected = {
        0x00, 0x00, 0x00, 0x05,                    // correlation id, no tagged section
        0x00, 0x23,                                // error_code 35
        0x02,                                      // compact array: 1 + 1
        0x00, 0x12, 0x00, 0x00, 0x00, 0x03, 0x00,  // ApiVersions 0-3, element tagged fields
        0x00, 0x00, 0x00, 0x01,                    // throttle_time_ms
        0x00,                                      // tagged fields
    };
    EXPECT_EQ(w.buf(), expected);

    reader r(expected);
    int32_t correlation_id = 0;
    ASSERT_TRUE(decode_response_header(r, api_key::api_versions, 3, correlation_id));
    EXPECT_EQ(correlation_id, 5);
    api_versions_response got;
    ASSERT_TRUE(got.decode(r, 3));
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_EQ(got, resp);
}

TEST(golden, api_versions_v3_response_skips_unknown_tagged_fields) {
    const bytes body = {
        0x00, 0x00,                                // error_code
        0x01,                                      // empty compact array
        0x00, 0x00, 0x00, 0x00,                    // throttle_time_ms
        0x02,                                      // two tagged fields
        0x01, 0x08, 0,    0,    0, 0, 0, 0, 0, 3,  // tag 1 (FinalizedFeaturesEpoch)
        0x03, 0x01, 0x01,                          // tag 3 (ZkMigrationReady)
    };
    reader r(body);
    api_versions_response got;
    ASSERT_TRUE(got.decode(r, 3));
    EXPECT_EQ(r.remaining(), 0u);
}

TEST(golden, metadata_v1_request) {
    metadata_request req;
    req.topics.emplace();
    req.topics->push_back({"t"});
    req.allow_auto_topic_creation = false;  // v4+: not written
    EXPECT_EQ(encode_message(req, 1), (bytes{0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 't'}));

    metadata_request all;  // null = all topics in v1+
    EXPECT_EQ(encode_message(all, 1), (bytes{0xff, 0xff, 0xff, 0xff}));
    // v0 has no null: "all topics" is an empty array.
    EXPECT_EQ(encode_message(all, 0), (bytes{0x00, 0x00, 0x00, 0x00}));

    const bytes null_topics = {0xff, 0xff, 0xff, 0xff};
    reader r(null_topics);
    metadata_request got;
    ASSERT_TRUE(got.decode(r, 1));
    EXPECT_FALSE(got.topics.has_value());
    EXPECT_TRUE(got.allow_auto_topic_creation);

    reader r0(null_topics);
    metadata_request got0;
    EXPECT_FALSE(got0.decode(r0, 0));
}

TEST(golden, produce_v3_request) {
    const bytes records = {0xde, 0xad, 0xbe};
    produce_request req;
    req.acks = -1;
    req.timeout_ms = 30000;
    req.topic_data.push_back({"foo", {{0, bytes_view(records)}}});
    const bytes expected = {
        0xff, 0xff,                   // transactional_id: null
        0xff, 0xff,                   // acks -1
        0x00, 0x00, 0x75, 0x30,       // timeout_ms 30000
        0x00, 0x00, 0x00, 0x01,       // topic_data count
        0x00, 0x03, 'f',  'o',  'o',  // name
        0x00, 0x00, 0x00, 0x01,       // partition_data count
        0x00, 0x00, 0x00, 0x00,       // index
        0x00, 0x00, 0x00, 0x03,       // records size
        0xde, 0xad, 0xbe,             // records
    };
    EXPECT_EQ(encode_message(req, 3), expected);

    reader r(expected);
    produce_request got;
    ASSERT_TRUE(got.decode(r, 3));
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_EQ(got, req);
    // Zero copy: the records view points into the request buffer.
    ASSERT_TRUE(got.topic_data[0].partition_data[0].records.has_value());
    EXPECT_EQ(got.topic_data[0].partition_data[0].records->data(), expected.data() + 29);
}

TEST(golden, fetch_response_v4_empty_records_written_as_empty_not_null) {
    fetch_response resp;
    auto& t = resp.responses.emplace_back();
    t.topic = "a";
    auto& p = t.partitions.emplace_back();
    p.partition_index = 2;
    bytes enc = encode_message(resp, 4);
    // throttle(4) + count(4) + name(2+1) + count(4) + index(4) + err(2) + hw(8) + lso(8)
    // + aborted (null: 4) + records size (4)
    ASSERT_EQ(enc.size(), 45u);
    EXPECT_EQ(bytes(enc.end() - 8, enc.end()), (bytes{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}));
}

TEST(header, unknown_api_key_still_decodes) {
    const bytes frame = {0x03, 0xe7, 0x00, 0x02, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x01, 'x', 0x99};
    reader r(frame);
    request_header h;
    ASSERT_TRUE(decode_request_header(r, h));
    EXPECT_EQ(static_cast<int16_t>(h.key), 999);
    EXPECT_EQ(h.version, 2);
    EXPECT_EQ(h.correlation_id, 42);
    EXPECT_EQ(h.client_id, "x");

    const bytes short_frame = {0x03, 0xe7, 0x00, 0x02, 0x00, 0x00, 0x00, 0x2a, 0x00};
    reader r2(short_frame);
    request_header h2;
    ASSERT_TRUE(decode_request_header(r2, h2));
    EXPECT_EQ(h2.correlation_id, 42);
    EXPECT_FALSE(h2.client_id.has_value());
}

TEST(header, flexible_request_header_has_tagged_fields) {
    request_header h{api_key::api_versions, 3, 9, std::nullopt};
    writer w;
    encode_request_header(w, h);
    EXPECT_EQ(w.buf(), (bytes{0x00, 0x12, 0x00, 0x03, 0, 0, 0, 9, 0xff, 0xff, 0x00}));
    request_header h0{api_key::metadata, 8, 9, std::nullopt};
    writer w0;
    encode_request_header(w0, h0);
    EXPECT_EQ(w0.size(), 10u);
}

TEST(header, response_header_versions) {
    writer w1;
    encode_response_header(w1, api_key::metadata, 8, 1);
    EXPECT_EQ(w1.size(), 4u);
    writer w2;
    encode_response_header(w2, api_key::metadata, 9, 1);
    EXPECT_EQ(w2.buf(), (bytes{0, 0, 0, 1, 0}));
    writer w3;
    encode_response_header(w3, api_key::api_versions, 3, 1);
    EXPECT_EQ(w3.size(), 4u);
}

TEST(header, truncated_header_fails) {
    request_header h{api_key::produce, 7, 123, std::string("client")};
    writer w;
    encode_request_header(w, h);
    const bytes full = w.take();
    for (size_t n = 0; n < full.size(); ++n) {
        reader r(bytes_view(full.data(), n));
        request_header got;
        EXPECT_FALSE(decode_request_header(r, got)) << n;
    }
}

TEST(names, api_and_error_names) {
    EXPECT_STREQ(api_name(api_key::produce), "Produce");
    EXPECT_STREQ(api_name(api_key::incremental_alter_configs), "IncrementalAlterConfigs");
    EXPECT_STREQ(api_name(static_cast<api_key>(1000)), "Unknown");
    EXPECT_STREQ(error_name(error_code::not_leader_or_follower), "NOT_LEADER_OR_FOLLOWER");
    EXPECT_STREQ(error_name(static_cast<error_code>(12345)), "UNKNOWN");
    EXPECT_TRUE(is_flexible(api_key::api_versions, 3));
    EXPECT_FALSE(is_flexible(api_key::api_versions, 2));
    EXPECT_FALSE(is_flexible(api_key::sasl_handshake, 100));
    EXPECT_TRUE(is_flexible(api_key::fetch, 12));
    EXPECT_FALSE(is_flexible(api_key::fetch, 11));
}

}  // namespace
}  // namespace otter::kafka
