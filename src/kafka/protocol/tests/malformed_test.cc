// Malformed input: bad lengths, nulls where not allowed, absurd array counts. Every case must
// fail cleanly (decode returns false; ASan/UBSan clean).
#include <gtest/gtest.h>

#include "kafka/protocol/header.h"
#include "kafka/protocol/messages/all.h"
#include "kafka/protocol/tests/round_trip.h"

namespace otter::kafka {
namespace {

template <typename T>
bool decodes(const bytes& b, int16_t version) {
    reader r(b);
    T m;
    return m.decode(r, version);
}

// Produce v3 with everything after acks/timeout supplied by the test.
bytes produce_prefix() {
    return {0xff, 0xff, 0x00, 0x01, 0x00, 0x00, 0x00, 0x10};
}

bytes with(bytes a, std::initializer_list<uint8_t> tail) {
    a.insert(a.end(), tail.begin(), tail.end());
    return a;
}

TEST(malformed, null_array_where_not_nullable) {
    EXPECT_FALSE(decodes<produce_request>(with(produce_prefix(), {0xff, 0xff, 0xff, 0xff}), 3));
    EXPECT_TRUE(decodes<produce_request>(with(produce_prefix(), {0, 0, 0, 0}), 3));
}

TEST(malformed, negative_array_count) {
    EXPECT_FALSE(decodes<produce_request>(with(produce_prefix(), {0xff, 0xff, 0xff, 0xfe}), 3));
    EXPECT_FALSE(decodes<produce_request>(with(produce_prefix(), {0x80, 0, 0, 0}), 3));
}

TEST(malformed, oversized_array_count) {
    EXPECT_FALSE(decodes<produce_request>(with(produce_prefix(), {0x7f, 0xff, 0xff, 0xff}), 3));
    // Count says 2 topics, only one follows.
    EXPECT_FALSE(
        decodes<produce_request>(with(produce_prefix(), {0, 0, 0, 2, 0, 1, 'a', 0, 0, 0, 0}), 3));
    // Compact array (ApiVersions v3 response) with a huge varint count.
    EXPECT_FALSE(decodes<api_versions_response>(bytes{0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}, 3));
}

TEST(malformed, null_string_where_not_nullable) {
    // Topic name null.
    EXPECT_FALSE(
        decodes<produce_request>(with(produce_prefix(), {0, 0, 0, 1, 0xff, 0xff, 0, 0, 0, 0}), 3));
    // Compact string null (length 0) for ApiVersions v3 client_software_name.
    EXPECT_FALSE(decodes<api_versions_request>(bytes{0x00, 0x01, 0x00}, 3));
    EXPECT_TRUE(decodes<api_versions_request>(bytes{0x01, 0x01, 0x00}, 3));
}

TEST(malformed, negative_string_length) {
    EXPECT_FALSE(
        decodes<produce_request>(with(produce_prefix(), {0, 0, 0, 1, 0xff, 0xfe, 0, 0, 0, 0}), 3));
    EXPECT_FALSE(decodes<produce_request>(bytes{0x80, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, 3));
}

TEST(malformed, string_longer_than_input) {
    EXPECT_FALSE(
        decodes<produce_request>(with(produce_prefix(), {0, 0, 0, 1, 0x7f, 0xff, 'a', 'b'}), 3));
}

TEST(malformed, negative_or_oversized_records_length) {
    const auto base = with(produce_prefix(), {0, 0, 0, 1, 0, 1, 'a', 0, 0, 0, 1, 0, 0, 0, 0});
    EXPECT_TRUE(decodes<produce_request>(with(base, {0xff, 0xff, 0xff, 0xff}), 3));  // null
    EXPECT_FALSE(decodes<produce_request>(with(base, {0xff, 0xff, 0xff, 0xfe}), 3));
    EXPECT_FALSE(decodes<produce_request>(with(base, {0x00, 0x00, 0x10, 0x00, 1, 2, 3}), 3));
}

TEST(malformed, overlong_varint) {
    EXPECT_FALSE(decodes<api_versions_request>(
        bytes{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, 3));
}

TEST(malformed, tagged_field_size_past_end) {
    // Empty names, then one tagged field claiming 100 bytes.
    EXPECT_FALSE(decodes<api_versions_request>(bytes{0x01, 0x01, 0x01, 0x00, 0x64, 1, 2}, 3));
    // A well-formed unknown tag is skipped.
    EXPECT_TRUE(decodes<api_versions_request>(bytes{0x01, 0x01, 0x01, 0x07, 0x02, 1, 2}, 3));
}

TEST(malformed, nested_nullable_array_only_in_nullable_versions) {
    // OffsetFetch: topics null means "all" from v2; not allowed in v1.
    const bytes b = {0x00, 0x01, 'g', 0xff, 0xff, 0xff, 0xff};
    EXPECT_FALSE(decodes<offset_fetch_request>(b, 1));
    EXPECT_TRUE(decodes<offset_fetch_request>(b, 2));
}

TEST(malformed, truncated_header_plus_body) {
    request_header h{api_key::fetch, 11, 77, std::string("consumer")};
    fetch_request req;
    req.max_wait_ms = 500;
    req.rack_id = "r1";
    auto& t = req.topics.emplace_back();
    t.topic = "orders";
    t.partitions.push_back({0, -1, 42, -1, 1 << 20});
    writer w;
    encode_request_header(w, h);
    req.encode(w, 11);
    const bytes full = w.take();
    for (size_t n = 0; n < full.size(); ++n) {
        reader r(bytes_view(full.data(), n));
        request_header gh;
        fetch_request got;
        bool ok = decode_request_header(r, gh) && got.decode(r, gh.version);
        EXPECT_FALSE(ok) << n;
    }
    reader r(full);
    request_header gh;
    fetch_request got;
    ASSERT_TRUE(decode_request_header(r, gh));
    ASSERT_TRUE(got.decode(r, gh.version));
    EXPECT_EQ(got, req);
}

TEST(malformed, empty_input) {
    reader r(bytes_view{});
    request_header h;
    EXPECT_FALSE(decode_request_header(r, h));
    EXPECT_TRUE(decodes<api_versions_request>(bytes{}, 0));  // v0 body is empty
    EXPECT_FALSE(decodes<metadata_request>(bytes{}, 0));
}

}  // namespace
}  // namespace otter::kafka
