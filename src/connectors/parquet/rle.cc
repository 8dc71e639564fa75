#include "connectors/parquet/rle.h"

#include "base/assert.h"
#include "bytes/varint.h"

namespace otter::parquet {

int bit_width_for(uint32_t max_value) {
    return max_value == 0 ? 0 : 32 - __builtin_clz(max_value);
}

namespace {

// Bit-packs values[0, n) (n a multiple of 8 except possibly at the very end) LSB-first.
template <typename T>
void pack(const T* values, size_t n, size_t padded, int bit_width, bytes& out) {
    put_uvarint(out, ((padded / 8) << 1) | 1);
    uint64_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < padded; ++i) {
        uint64_t v = i < n ? static_cast<uint64_t>(values[i]) : 0;
        acc |= v << bits;
        bits += bit_width;
        while (bits >= 8) {
            out.push_back(static_cast<uint8_t>(acc));
            acc >>= 8;
            bits -= 8;
        }
    }
    // padded * bit_width is a multiple of 8, so nothing is left over.
}

template <typename T>
void encode(std::span<const T> v, int bit_width, bytes& out) {
    OTTER_ASSERT(bit_width >= 1 && bit_width <= 32, "rle: bad bit width");
    const size_t n = v.size();
    const int value_bytes = (bit_width + 7) / 8;
    size_t i = 0, bp_start = 0;
    while (i < n) {
        size_t j = i + 1;
        while (j < n && v[j] == v[i])
            ++j;
        if (j - i >= 8) {
            size_t bp_len = i - bp_start;
            if (bp_len > 0) {
                // A bit-packed run in the middle must hold whole groups of 8: borrow the first
                // values of this RLE run (there are >= 8 of them, we take at most 7).
                size_t pad = (8 - bp_len % 8) % 8;
                pack(v.data() + bp_start, bp_len + pad, bp_len + pad, bit_width, out);
                i += pad;
            }
            put_uvarint(out, (j - i) << 1);
            uint32_t val = static_cast<uint32_t>(v[i]);
            for (int b = 0; b < value_bytes; ++b)
                out.push_back(static_cast<uint8_t>(val >> (8 * b)));
            bp_start = j;
        }
        i = j;
    }
    size_t bp_len = n - bp_start;
    if (bp_len > 0) {
        pack(v.data() + bp_start, bp_len, (bp_len + 7) / 8 * 8, bit_width, out);
    }
}

}  // namespace

void rle_hybrid_encode(std::span<const uint32_t> values, int bit_width, bytes& out) {
    encode(values, bit_width, out);
}

void rle_hybrid_encode(std::span<const uint8_t> values, int bit_width, bytes& out) {
    encode(values, bit_width, out);
}

void bit_pack_bools(std::span<const uint8_t> values, bytes& out) {
    size_t n = values.size();
    size_t base = out.size();
    out.resize(base + (n + 7) / 8, 0);
    for (size_t i = 0; i < n; ++i) {
        if (values[i])
            out[base + i / 8] |= static_cast<uint8_t>(1u << (i % 8));
    }
}

}  // namespace otter::parquet
