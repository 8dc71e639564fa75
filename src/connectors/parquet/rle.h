// Parquet's RLE/bit-packed hybrid encoding (Encodings.md, "Run Length Encoding / Bit-Packing
// Hybrid") for definition levels and dictionary indices, and plain bit-packing for booleans.
// Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <span>

#include "bytes/bytes.h"

namespace otter::parquet {

// Number of bits needed to store values in [0, max_value]; 0 for max_value == 0.
int bit_width_for(uint32_t max_value);

// Appends the hybrid encoding of `values` (each < 2^bit_width, bit_width in 1..32) to `out`,
// without any length prefix. Runs of 8 or more equal values become RLE runs; the rest is
// bit-packed in groups of 8 (the final group is zero-padded, which readers ignore).
void rle_hybrid_encode(std::span<const uint32_t> values, int bit_width, bytes& out);
void rle_hybrid_encode(std::span<const uint8_t> values, int bit_width, bytes& out);

// Appends `values` (0 or 1) bit-packed LSB-first, as PLAIN booleans are stored.
void bit_pack_bools(std::span<const uint8_t> values, bytes& out);

}  // namespace otter::parquet
