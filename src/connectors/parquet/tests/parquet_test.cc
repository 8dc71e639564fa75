#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "bytes/varint.h"
#include "connectors/parquet/rle.h"
#include "connectors/parquet/thrift_compact.h"
#include "connectors/parquet/writer.h"

namespace otter::parquet {
namespace {

// Reference decoder for the RLE/bit-packed hybrid (Encodings.md).
std::vector<uint32_t> rle_decode(const bytes& in, int bw, size_t n) {
    std::vector<uint32_t> out;
    const uint8_t* p = in.data();
    const uint8_t* end = in.data() + in.size();
    while (out.size() < n && p < end) {
        uint64_t h = 0;
        EXPECT_TRUE(get_uvarint(p, end, h));
        if (h & 1) {
            size_t count = (h >> 1) * 8;
            uint64_t acc = 0;
            int bits = 0;
            for (size_t i = 0; i < count; ++i) {
                while (bits < bw) {
                    acc |= static_cast<uint64_t>(*p++) << bits;
                    bits += 8;
                }
                uint32_t v = static_cast<uint32_t>(acc & ((1ull << bw) - 1));
                acc >>= bw;
                bits -= bw;
                if (out.size() < n)
                    out.push_back(v);
            }
        } else {
            uint32_t v = 0;
            for (int b = 0; b < (bw + 7) / 8; ++b)
                v |= static_cast<uint32_t>(*p++) << (8 * b);
            for (size_t i = 0; i < (h >> 1); ++i)
                out.push_back(v);
        }
    }
    EXPECT_EQ(p, end);
    return out;
}

TEST(parquet_rle, round_trips_runs_and_literals) {
    std::mt19937 rng(3);
    for (int bw : {1, 2, 3, 7, 8, 13, 20}) {
        for (int trial = 0; trial < 50; ++trial) {
            std::vector<uint32_t> v;
            size_t n = rng() % 300;
            uint32_t mask = (1u << bw) - 1;
            while (v.size() < n) {
                uint32_t x = rng() & mask;
                size_t run = (rng() % 3 == 0) ? rng() % 40 : 1;
                for (size_t i = 0; i < run && v.size() < n; ++i)
                    v.push_back(x);
            }
            bytes out;
            rle_hybrid_encode(std::span<const uint32_t>(v), bw, out);
            EXPECT_EQ(rle_decode(out, bw, v.size()), v) << "bw=" << bw;
        }
    }
}

TEST(parquet_rle, all_equal_is_one_run) {
    std::vector<uint8_t> ones(1000, 1);
    bytes out;
    rle_hybrid_encode(std::span<const uint8_t>(ones), 1, out);
    EXPECT_EQ(out, (bytes{0xD0, 0x0F, 0x01}));  // varint(1000 << 1), value 1
}

TEST(parquet_thrift, compact_encoding) {
    bytes out;
    compact_writer w(out);
    w.field_i32(1, 1);      // delta 1, i32: 0x15, zigzag(1) = 2
    w.field_i64(17, -1);    // delta 16 > 15: long form 0x06, zigzag(17)=34, zigzag(-1)=1
    w.begin_struct(18);     // delta 1 struct: 0x1C
    w.field_bool(1, true);  // 0x11
    w.end_struct();         // 0x00
    w.begin_list(19, ttype::binary, 1);  // 0x19, 0x18
    w.elem_binary("ab");                 // 0x02 'a' 'b'
    w.finish();
    EXPECT_EQ(out, (bytes{0x15, 0x02, 0x06, 0x22, 0x01, 0x1C, 0x11, 0x00, 0x19, 0x18, 0x02, 'a',
                          'b', 0x00}));
}

TEST(parquet_writer, file_layout_and_metrics) {
    std::vector<column_spec> cols = {
        {"id", 1, column_type::int64, true},
        {"name", 2, column_type::string, false},
        {"price", 3, column_type::decimal, false, 30, 2},
        {"score", 4, column_type::float64, false},
        {"ok", 5, column_type::boolean, false},
    };
    auto out = std::make_unique<memory_output>();
    auto* mem = out.get();
    writer_options o;
    o.row_group_max_rows = 1000;
    o.page_max_bytes = 512;
    auto w = file_writer::create(cols, o, std::move(out));
    ASSERT_TRUE(w.has_value()) << w.error();
    for (int64_t i = 0; i < 2500; ++i) {
        std::vector<value> row = {
            value{i},
            i % 7 == 0 ? value{} : value{std::string("name-") + std::to_string(i % 10)},
            value{decimal_value{static_cast<int128>(i) * 100 - 5}},
            i == 3 ? value{std::nan("")} : value{static_cast<double>(i) / 2},
            value{i % 2 == 0},
        };
        auto r = (*w)->append_row(row);
        ASSERT_TRUE(r.has_value()) << r.error();
    }
    auto s = (*w)->close();
    ASSERT_TRUE(s.has_value()) << s.error();
    const bytes& f = mem->data;
    ASSERT_GT(f.size(), 12u);
    EXPECT_EQ(std::memcmp(f.data(), "PAR1", 4), 0);
    EXPECT_EQ(std::memcmp(f.data() + f.size() - 4, "PAR1", 4), 0);
    uint32_t flen;
    std::memcpy(&flen, f.data() + f.size() - 8, 4);
    EXPECT_LT(flen, f.size());
    EXPECT_EQ(s->num_rows, 2500);
    EXPECT_EQ(s->file_size, static_cast<int64_t>(f.size()));
    EXPECT_EQ(s->row_group_offsets.size(), 3u);
    EXPECT_EQ(s->row_group_offsets[0], 4);
    ASSERT_EQ(s->columns.size(), 5u);
    const auto& id = s->columns[0];
    EXPECT_EQ(id.field_id, 1);
    EXPECT_EQ(id.value_count, 2500);
    EXPECT_EQ(id.null_count, 0);
    int64_t lo, hi;
    std::memcpy(&lo, id.lower_bound.data(), 8);
    std::memcpy(&hi, id.upper_bound.data(), 8);
    EXPECT_EQ(lo, 0);
    EXPECT_EQ(hi, 2499);
    EXPECT_EQ(s->columns[1].null_count, 358);  // multiples of 7 in [0, 2500)
    EXPECT_EQ(s->columns[1].lower_bound, "name-0");
    EXPECT_EQ(s->columns[1].upper_bound, "name-9");
    EXPECT_EQ(s->columns[2].lower_bound, std::string("\xFB", 1));  // -5: one byte
    EXPECT_EQ(s->columns[3].nan_count, 1);
}

TEST(parquet_writer, rejects_bad_rows_and_schemas) {
    std::vector<column_spec> cols = {{"a", 1, column_type::int32, true}};
    auto w = file_writer::create(cols, {}, std::make_unique<memory_output>());
    ASSERT_TRUE(w.has_value());
    std::vector<value> null_row = {value{}};
    EXPECT_FALSE((*w)->append_row(null_row).has_value());
    std::vector<value> big = {value{int64_t{1} << 40}};
    EXPECT_FALSE((*w)->append_row(big).has_value());
    std::vector<value> str = {value{std::string("x")}};
    EXPECT_FALSE((*w)->append_row(str).has_value());
    std::vector<column_spec> dup = {{"a", 1, column_type::int32}, {"a", 2, column_type::int32}};
    EXPECT_FALSE(file_writer::create(dup, {}, std::make_unique<memory_output>()).has_value());
    std::vector<column_spec> dec = {{"d", 1, column_type::decimal, false, 40, 2}};
    EXPECT_FALSE(file_writer::create(dec, {}, std::make_unique<memory_output>()).has_value());
}

TEST(parquet_writer, mismatched_column_lengths_fail) {
    std::vector<column_spec> cols = {{"a", 1, column_type::int64}, {"b", 2, column_type::int64}};
    auto w = file_writer::create(cols, {}, std::make_unique<memory_output>());
    ASSERT_TRUE(w.has_value());
    (*w)->column<int64_t>(0).append(1);
    EXPECT_FALSE((*w)->end_rows().has_value());
}

TEST(parquet_writer, row_groups_cut_by_bytes_and_columnar_api) {
    std::vector<column_spec> cols = {{"s", 1, column_type::string, true},
                                     {"x", 2, column_type::float32, false}};
    writer_options o;
    o.row_group_max_bytes = 100'000;
    o.codec = compression::none;
    auto out = std::make_unique<memory_output>();
    auto w = file_writer::create(cols, o, std::move(out));
    ASSERT_TRUE(w.has_value());
    auto& s = (*w)->byte_array(0);
    auto& x = (*w)->column<float>(1);
    std::string big(1000, 'x');
    for (int i = 0; i < 1000; ++i) {
        s.append(big);
        if (i % 2)
            x.append(i == 1 ? -0.0f : static_cast<float>(i));
        else
            x.append_null();
        ASSERT_TRUE((*w)->end_rows().has_value());
    }
    auto sum = (*w)->close();
    ASSERT_TRUE(sum.has_value()) << sum.error();
    EXPECT_EQ(sum->row_group_offsets.size(), 10u);  // ~100 rows of 1 KB per group
    EXPECT_EQ(sum->columns[1].null_count, 500);
    // Bounds exclude nothing here; -0.0 is the lower bound (Iceberg orders -0.0 < 0.0).
    float lo;
    std::memcpy(&lo, sum->columns[1].lower_bound.data(), 4);
    EXPECT_TRUE(lo == 0.0f && std::signbit(lo));
    // Strings longer than 16 characters get truncated Iceberg bounds.
    EXPECT_EQ(sum->columns[0].lower_bound, std::string(16, 'x'));
    EXPECT_EQ(sum->columns[0].upper_bound, std::string(15, 'x') + "y");
}

TEST(parquet_writer, limits_are_validated) {
    std::vector<column_spec> cols = {{"a", 1, column_type::int32}};
    writer_options o;
    o.row_group_max_bytes = size_t{8} << 30;
    EXPECT_FALSE(file_writer::create(cols, o, std::make_unique<memory_output>()).has_value());
    o = {};
    o.page_max_bytes = 0;
    EXPECT_FALSE(file_writer::create(cols, o, std::make_unique<memory_output>()).has_value());
}

TEST(parquet_writer, decimal_bytes_by_precision) {
    EXPECT_EQ(decimal_bytes(9), 4);
    EXPECT_EQ(decimal_bytes(18), 8);
    EXPECT_EQ(decimal_bytes(19), 9);
    EXPECT_EQ(decimal_bytes(38), 16);
}

}  // namespace
}  // namespace otter::parquet
