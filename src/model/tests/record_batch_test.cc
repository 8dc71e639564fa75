#include "model/record_batch.h"

#include <random>

#include <gtest/gtest.h>

namespace otter::model {
namespace {

bytes_view sv(const std::string& s) {
    return bytes_view(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

bytes sample(codec c) {
    std::string k = "key", v1 = "hello", v2 = "world";
    batch_builder b(c, 1000);
    b.add(sv(k), sv(v1), 1000, {{"h", "x"}}).add(std::nullopt, sv(v2), 1005);
    return b.build();
}

class batch_codec_test : public ::testing::TestWithParam<codec> {};

TEST_P(batch_codec_test, builder_output_validates_and_decodes) {
    bytes b = sample(GetParam());
    auto s = validate_batch(b, {});
    ASSERT_TRUE(s) << s.error().detail;
    EXPECT_EQ(s->record_count, 2);
    EXPECT_EQ(s->max_timestamp, 1005);
    bytes scratch;
    auto recs = decode_records(b, scratch);
    ASSERT_TRUE(recs);
    ASSERT_EQ(recs->size(), 2u);
    EXPECT_EQ(std::string(recs->at(0).value->begin(), recs->at(0).value->end()), "hello");
    EXPECT_FALSE(recs->at(1).key.has_value());
    EXPECT_EQ(recs->at(0).headers.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(all, batch_codec_test,
                         ::testing::Values(codec::none, codec::gzip, codec::snappy, codec::lz4,
                                           codec::zstd));

TEST(record_batch, base_offset_is_outside_crc) {
    bytes b = sample(codec::none);
    set_base_offset(b.data(), 12345);
    ASSERT_TRUE(validate_batch(b, {}));
    EXPECT_EQ(batch_header_view(b.data()).base_offset(), 12345);
}

TEST(record_batch, log_append_time_rewrites_crc) {
    bytes b = sample(codec::none);
    set_log_append_time(b.data(), 99999);
    ASSERT_TRUE(validate_batch(b, {}));
    EXPECT_EQ(batch_header_view(b.data()).max_timestamp(), 99999);
    EXPECT_TRUE(batch_header_view(b.data()).log_append_time());
}

TEST(record_batch, flipped_byte_is_corrupt) {
    bytes b = sample(codec::none);
    b[b.size() - 3] ^= 0x40;
    auto s = validate_batch(b, {});
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().kind, batch_error::corrupt);
}

TEST(record_batch, too_large) {
    bytes b = sample(codec::none);
    validate_options o;
    o.max_batch_bytes = 50;
    auto s = validate_batch(b, o);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().kind, batch_error::too_large);
}

TEST(record_batch, keyless_refused_when_keys_required) {
    bytes b = sample(codec::none);
    validate_options o;
    o.require_keys = true;
    auto s = validate_batch(b, o);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().kind, batch_error::invalid_record);
}

TEST(record_batch, random_mutations_never_crash) {
    std::mt19937 rng(11);
    bytes base = sample(codec::gzip);
    for (int i = 0; i < 2000; ++i) {
        bytes b = base;
        int flips = 1 + rng() % 4;
        for (int f = 0; f < flips; ++f)
            b[rng() % b.size()] = static_cast<uint8_t>(rng());
        if (rng() % 3 == 0)
            b.resize(rng() % b.size());
        (void)validate_batch(b, {});
    }
}

}  // namespace
}  // namespace otter::model
