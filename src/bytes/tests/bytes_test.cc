#include <random>
#include <string>

#include <gtest/gtest.h>

#include "bytes/compression.h"
#include "bytes/crc32c.h"
#include "bytes/varint.h"

namespace otter {
namespace {

TEST(crc32c, known_vectors) {
    // RFC 3720 B.4 test vectors.
    uint8_t zeros[32] = {};
    EXPECT_EQ(crc32c(zeros, 32), 0x8A9136AAu);
    uint8_t ones[32];
    std::fill(std::begin(ones), std::end(ones), 0xFF);
    EXPECT_EQ(crc32c(ones, 32), 0x62A8AB43u);
    std::string s = "123456789";
    EXPECT_EQ(crc32c(reinterpret_cast<const uint8_t*>(s.data()), s.size()), 0xE3069283u);
}

TEST(crc32c, extend_equals_whole) {
    std::mt19937 rng(7);
    bytes data(1000);
    for (auto& b : data)
        b = static_cast<uint8_t>(rng());
    uint32_t whole = crc32c(data.data(), data.size());
    uint32_t part = crc32c_extend(crc32c(data.data(), 333), data.data() + 333, 667);
    EXPECT_EQ(whole, part);
}

TEST(varint, zigzag_round_trip) {
    for (int64_t v : {0L, 1L, -1L, 63L, -64L, 64L, 300L, -300L, INT64_MAX, INT64_MIN}) {
        bytes b;
        put_varint(b, v);
        EXPECT_EQ(b.size(), varint_size(v));
        const uint8_t* p = b.data();
        int64_t out;
        ASSERT_TRUE(get_varint(p, b.data() + b.size(), out));
        EXPECT_EQ(out, v);
    }
}

TEST(varint, rejects_truncated_and_overlong) {
    bytes b = {0x80, 0x80};
    const uint8_t* p = b.data();
    uint64_t out;
    EXPECT_FALSE(get_uvarint(p, b.data() + b.size(), out));
    bytes longer(11, 0x80);
    p = longer.data();
    EXPECT_FALSE(get_uvarint(p, longer.data() + longer.size(), out));
}

class codec_test : public ::testing::TestWithParam<codec> {};

TEST_P(codec_test, round_trip) {
    std::mt19937 rng(1);
    bytes data(200000);
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<uint8_t>(rng() % 16);
    bytes c = compress(GetParam(), data);
    ASSERT_FALSE(c.empty());
    auto d = decompress(GetParam(), c, 1 << 20);
    ASSERT_TRUE(d) << d.error();
    EXPECT_EQ(*d, data);
}

TEST_P(codec_test, enforces_limit) {
    bytes data(100000, 'a');
    bytes c = compress(GetParam(), data);
    auto d = decompress(GetParam(), c, 1000);
    EXPECT_FALSE(d);
}

TEST_P(codec_test, garbage_is_an_error_not_a_crash) {
    if (GetParam() == codec::none)
        GTEST_SKIP();
    std::mt19937 rng(3);
    for (int i = 0; i < 200; ++i) {
        bytes junk(rng() % 200);
        for (auto& b : junk)
            b = static_cast<uint8_t>(rng());
        (void)decompress(GetParam(), junk, 1 << 20);
    }
}

INSTANTIATE_TEST_SUITE_P(all, codec_test,
                         ::testing::Values(codec::none, codec::gzip, codec::snappy, codec::lz4,
                                           codec::zstd));

TEST(snappy, java_xerial_framing) {
    bytes data(5000, 'x');
    bytes raw = compress(codec::snappy, data);
    bytes framed = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1};
    append_be<int32_t>(framed, static_cast<int32_t>(raw.size()));
    framed.insert(framed.end(), raw.begin(), raw.end());
    auto d = decompress(codec::snappy, framed, 1 << 20);
    ASSERT_TRUE(d) << d.error();
    EXPECT_EQ(*d, data);
}

}  // namespace
}  // namespace otter
