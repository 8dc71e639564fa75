// Byte buffer vocabulary: owned `bytes` and non-owning `bytes_view`, plus big-endian helpers
// used by every binary format in Otter (Kafka wire, record batches, segment indexes).
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace otter {

using bytes = std::vector<uint8_t>;
using bytes_view = std::span<const uint8_t>;

template <typename T>
inline T load_be(const uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    if constexpr (sizeof(T) == 2) {
        return static_cast<T>(__builtin_bswap16(static_cast<uint16_t>(v)));
    } else if constexpr (sizeof(T) == 4) {
        return static_cast<T>(__builtin_bswap32(static_cast<uint32_t>(v)));
    } else if constexpr (sizeof(T) == 8) {
        return static_cast<T>(__builtin_bswap64(static_cast<uint64_t>(v)));
    } else {
        return v;
    }
}

template <typename T>
inline void store_be(uint8_t* p, T v) {
    if constexpr (sizeof(T) == 2) {
        v = static_cast<T>(__builtin_bswap16(static_cast<uint16_t>(v)));
    } else if constexpr (sizeof(T) == 4) {
        v = static_cast<T>(__builtin_bswap32(static_cast<uint32_t>(v)));
    } else if constexpr (sizeof(T) == 8) {
        v = static_cast<T>(__builtin_bswap64(static_cast<uint64_t>(v)));
    }
    std::memcpy(p, &v, sizeof(T));
}

template <typename T>
inline void append_be(bytes& out, T v) {
    size_t n = out.size();
    out.resize(n + sizeof(T));
    store_be<T>(out.data() + n, v);
}

}  // namespace otter
