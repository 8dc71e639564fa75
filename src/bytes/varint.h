// Variable-length integers as Kafka uses them:
// - unsigned LEB128 ("uvarint") for flexible-version lengths and tagged fields;
// - zig-zag signed varints ("varint"/"varlong") inside record batches v2.
// Decoders never read past `end` and return false on truncated or over-long input.
#pragma once

#include <cstdint>

#include "bytes/bytes.h"

namespace otter {

inline void put_uvarint(bytes& out, uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<uint8_t>(v | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<uint8_t>(v));
}

inline void put_varint(bytes& out, int64_t v) {
    put_uvarint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

inline size_t uvarint_size(uint64_t v) {
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        ++n;
    }
    return n;
}

inline size_t varint_size(int64_t v) {
    return uvarint_size((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

// Reads an unsigned varint of at most `max_bytes` bytes (5 for 32-bit, 10 for 64-bit values).
inline bool get_uvarint(const uint8_t*& p, const uint8_t* end, uint64_t& out, int max_bytes = 10) {
    uint64_t v = 0;
    for (int i = 0; i < max_bytes; ++i) {
        if (p >= end) {
            return false;
        }
        uint8_t b = *p++;
        v |= static_cast<uint64_t>(b & 0x7F) << (7 * i);
        if ((b & 0x80) == 0) {
            out = v;
            return true;
        }
    }
    return false;
}

inline bool get_varint(const uint8_t*& p, const uint8_t* end, int64_t& out, int max_bytes = 10) {
    uint64_t u;
    if (!get_uvarint(p, end, u, max_bytes)) {
        return false;
    }
    out = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
    return true;
}

}  // namespace otter
