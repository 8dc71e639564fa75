// Internal helpers shared by the message codecs (included only by messages/*.cc): arrays,
// strings whose nullability depends on the version, error codes, owned record sets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/protocol/error_code.h"
#include "kafka/protocol/wire.h"

namespace otter::kafka {

inline error_code read_error_code(reader& r) {
    return static_cast<error_code>(r.i16());
}
inline void write_error_code(writer& w, error_code e) {
    w.i16(static_cast<int16_t>(e));
}

// A nullable string field; `nullable` is false in versions where null is a protocol error.
inline std::optional<std::string> read_string_or_null(reader& r, bool flex, bool nullable) {
    if (nullable)
        return r.nullable_string(flex);
    return r.string(flex);
}

// Writes an empty string for a null value in versions where the field is not nullable.
inline void write_string_or_null(writer& w, const std::optional<std::string>& s, bool flex,
                                 bool nullable) {
    if (nullable) {
        w.nullable_string(s, flex);
    } else {
        w.string(s ? std::string_view(*s) : std::string_view(), flex);
    }
}

// Records in a response we decode: owned; null decodes as empty.
inline bytes read_records(reader& r, bool flex) {
    auto v = r.nullable_bytes_view(flex);
    if (!v)
        return {};
    return bytes(v->begin(), v->end());
}

// Array count; a null array (-1) fails the reader unless `nullable`.
inline int32_t read_array_len(reader& r, bool flex, bool nullable) {
    int32_t n = r.array_len(flex);
    if (n < 0 && !nullable)
        r.fail();
    return r.ok() ? n : 0;
}

template <typename T, typename F>
void read_array(reader& r, bool flex, std::vector<T>& out, F&& read_one) {
    int32_t n = read_array_len(r, flex, false);
    out.clear();
    for (int32_t i = 0; i < n && r.ok(); ++i)
        read_one(out.emplace_back());
}

template <typename T, typename F>
void read_nullable_array(reader& r, bool flex, bool nullable, std::optional<std::vector<T>>& out,
                         F&& read_one) {
    int32_t n = read_array_len(r, flex, nullable);
    if (n < 0) {
        out.reset();
        return;
    }
    out.emplace();
    for (int32_t i = 0; i < n && r.ok(); ++i)
        read_one(out->emplace_back());
}

template <typename T, typename F>
void write_array(writer& w, bool flex, const std::vector<T>& v, F&& write_one) {
    w.array_len(static_cast<int32_t>(v.size()), flex);
    for (const auto& e : v)
        write_one(e);
}

// A null array is written as empty in versions where the field is not nullable.
template <typename T, typename F>
void write_nullable_array(writer& w, bool flex, bool nullable,
                          const std::optional<std::vector<T>>& v, F&& write_one) {
    if (!v) {
        w.array_len(nullable ? -1 : 0, flex);
        return;
    }
    write_array(w, flex, *v, write_one);
}

}  // namespace otter::kafka
