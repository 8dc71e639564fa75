// key_hash<K>: the stable hash that partitions keys between subtasks and indexes keyed state.
//
// Stable across processes and builds (unlike std::hash), because the key-group of a key decides
// which subtask owns its state in a checkpoint. Integers are mixed with the splitmix64 finaliser,
// strings with 64-bit FNV-1a followed by the same finaliser. Specialise key_hash for your own key
// types (combine members with hash_combine).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace otter::stream {

inline uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

inline uint64_t hash_bytes(const void* data, size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; ++i) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return mix64(h);
}

inline uint64_t hash_combine(uint64_t seed, uint64_t h) {
    return mix64(seed ^ (h + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2)));
}

template <typename K, typename = void>
struct key_hash;

template <typename K>
struct key_hash<K, std::enable_if_t<std::is_integral_v<K> || std::is_enum_v<K>>> {
    uint64_t operator()(K k) const { return mix64(static_cast<uint64_t>(k)); }
};

template <>
struct key_hash<std::string> {
    uint64_t operator()(const std::string& s) const { return hash_bytes(s.data(), s.size()); }
};

template <typename A, typename B>
struct key_hash<std::pair<A, B>> {
    uint64_t operator()(const std::pair<A, B>& p) const {
        return hash_combine(key_hash<A>{}(p.first), key_hash<B>{}(p.second));
    }
};

template <typename... Ts>
struct key_hash<std::tuple<Ts...>> {
    uint64_t operator()(const std::tuple<Ts...>& t) const {
        uint64_t h = 0;
        std::apply(
            [&](const auto&... x) {
                ((h = hash_combine(h, key_hash<std::decay_t<decltype(x)>>{}(x))), ...);
            },
            t);
        return h;
    }
};

// Number of key groups: the unit of key ownership (and of future rescaling). A key belongs to
// key group hash % max_parallelism; key group g belongs to subtask g * parallelism /
// max_parallelism.
inline constexpr uint32_t max_parallelism = 128;

inline uint32_t subtask_for_hash(uint64_t h, uint32_t parallelism) {
    uint32_t group = static_cast<uint32_t>(h % max_parallelism);
    return group * parallelism / max_parallelism;
}

}  // namespace otter::stream
