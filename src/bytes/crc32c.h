// CRC-32C (Castagnoli), the checksum of Kafka record batches v2.
// Uses the SSE4.2 crc32 instruction when the CPU has it, a table otherwise.
// Written here because Debian 12 packages no crc32c library (see docs/adr/0002-dependencies.md).
#pragma once

#include <cstddef>
#include <cstdint>

namespace otter {

// Extends `crc` (0 for a fresh checksum) over [data, data + n) and returns the new value.
uint32_t crc32c_extend(uint32_t crc, const uint8_t* data, size_t n);

inline uint32_t crc32c(const uint8_t* data, size_t n) {
    return crc32c_extend(0, data, n);
}

}  // namespace otter
