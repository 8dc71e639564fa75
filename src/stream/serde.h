// serde<T>: how state values, keys and committables are turned into bytes for checkpoints.
//
// Encoding: integers as zig-zag/unsigned varints, doubles as 8 little-endian bytes, strings and
// containers length-prefixed. Decoding never reads past the end: a truncated or corrupt input makes
// the reader fail (ok() == false) and leaves values default-constructed, so restore can refuse it.
// Supported: arithmetic types, enums, std::string, pair, tuple, optional, vector, map,
// unordered_map, time_window, and any struct with a `members()` method returning std::tie(...) of
// its fields. Specialise serde<T> for anything else.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bytes/bytes.h"
#include "bytes/varint.h"
#include "stream/time.h"

namespace otter::stream {

class writer {
  public:
    explicit writer(bytes& out) : out_(&out) {}
    void u64(uint64_t v) { put_uvarint(*out_, v); }
    void i64(int64_t v) { put_varint(*out_, v); }
    void raw(const void* p, size_t n) {
        const auto* b = static_cast<const uint8_t*>(p);
        out_->insert(out_->end(), b, b + n);
    }
    void str(std::string_view s) {
        u64(s.size());
        raw(s.data(), s.size());
    }
    bytes& buffer() { return *out_; }

  private:
    bytes* out_;
};

class reader {
  public:
    explicit reader(bytes_view in) : p_(in.data()), end_(in.data() + in.size()) {}
    uint64_t u64() {
        uint64_t v = 0;
        if (ok_ && !get_uvarint(p_, end_, v)) {
            ok_ = false;
        }
        return ok_ ? v : 0;
    }
    int64_t i64() {
        int64_t v = 0;
        if (ok_ && !get_varint(p_, end_, v)) {
            ok_ = false;
        }
        return ok_ ? v : 0;
    }
    bool raw(void* dst, size_t n) {
        if (!ok_ || static_cast<size_t>(end_ - p_) < n) {
            ok_ = false;
            return false;
        }
        std::memcpy(dst, p_, n);
        p_ += n;
        return true;
    }
    // A length read from input, checked against the bytes left (each element takes >= 1 byte),
    // so corrupt lengths cannot trigger huge allocations.
    size_t length() {
        uint64_t n = u64();
        if (n > static_cast<uint64_t>(end_ - p_)) {
            ok_ = false;
            return 0;
        }
        return static_cast<size_t>(n);
    }
    std::string str() {
        size_t n = length();
        std::string s(n, '\0');
        raw(s.data(), n);
        return s;
    }
    bytes_view take(size_t n) {
        if (!ok_ || static_cast<size_t>(end_ - p_) < n) {
            ok_ = false;
            return {};
        }
        bytes_view v(p_, n);
        p_ += n;
        return v;
    }
    void fail() { ok_ = false; }
    bool ok() const { return ok_; }
    bool at_end() const { return p_ == end_; }

  private:
    const uint8_t* p_;
    const uint8_t* end_;
    bool ok_ = true;
};

template <typename T, typename = void>
struct serde;

template <typename T>
void write_value(writer& w, const T& v) {
    serde<T>::write(w, v);
}
template <typename T>
void read_value(reader& r, T& v) {
    serde<T>::read(r, v);
}

template <typename T>
struct serde<T, std::enable_if_t<std::is_integral_v<T> && std::is_signed_v<T>>> {
    static void write(writer& w, T v) { w.i64(v); }
    static void read(reader& r, T& v) { v = static_cast<T>(r.i64()); }
};
template <typename T>
struct serde<T, std::enable_if_t<std::is_integral_v<T> && !std::is_signed_v<T>>> {
    static void write(writer& w, T v) { w.u64(v); }
    static void read(reader& r, T& v) { v = static_cast<T>(r.u64()); }
};
template <typename T>
struct serde<T, std::enable_if_t<std::is_floating_point_v<T>>> {
    static void write(writer& w, T v) { w.raw(&v, sizeof v); }
    static void read(reader& r, T& v) { r.raw(&v, sizeof v); }
};
template <typename T>
struct serde<T, std::enable_if_t<std::is_enum_v<T>>> {
    static void write(writer& w, T v) { w.i64(static_cast<int64_t>(v)); }
    static void read(reader& r, T& v) { v = static_cast<T>(r.i64()); }
};
template <>
struct serde<std::string> {
    static void write(writer& w, const std::string& v) { w.str(v); }
    static void read(reader& r, std::string& v) { v = r.str(); }
};
template <>
struct serde<time_window> {
    static void write(writer& w, const time_window& v) {
        w.i64(v.start);
        w.i64(v.end);
    }
    static void read(reader& r, time_window& v) {
        v.start = r.i64();
        v.end = r.i64();
    }
};
template <typename A, typename B>
struct serde<std::pair<A, B>> {
    static void write(writer& w, const std::pair<A, B>& v) {
        write_value(w, v.first);
        write_value(w, v.second);
    }
    static void read(reader& r, std::pair<A, B>& v) {
        read_value(r, v.first);
        read_value(r, v.second);
    }
};
template <typename... Ts>
struct serde<std::tuple<Ts...>> {
    static void write(writer& w, const std::tuple<Ts...>& v) {
        std::apply([&](const auto&... x) { (write_value(w, x), ...); }, v);
    }
    static void read(reader& r, std::tuple<Ts...>& v) {
        std::apply([&](auto&... x) { (read_value(r, x), ...); }, v);
    }
};
template <typename T>
struct serde<std::optional<T>> {
    static void write(writer& w, const std::optional<T>& v) {
        w.u64(v ? 1 : 0);
        if (v) {
            write_value(w, *v);
        }
    }
    static void read(reader& r, std::optional<T>& v) {
        if (r.u64() != 0) {
            T x{};
            read_value(r, x);
            v = std::move(x);
        } else {
            v.reset();
        }
    }
};
template <typename T>
struct serde<std::vector<T>> {
    static void write(writer& w, const std::vector<T>& v) {
        w.u64(v.size());
        for (const auto& x : v) {
            write_value(w, x);
        }
    }
    static void read(reader& r, std::vector<T>& v) {
        size_t n = r.length();
        v.clear();
        v.reserve(n);
        for (size_t i = 0; i < n && r.ok(); ++i) {
            T x{};
            read_value(r, x);
            v.push_back(std::move(x));
        }
    }
};
template <typename M>
struct map_serde {
    static void write(writer& w, const M& m) {
        w.u64(m.size());
        for (const auto& [k, v] : m) {
            write_value(w, k);
            write_value(w, v);
        }
    }
    static void read(reader& r, M& m) {
        size_t n = r.length();
        m.clear();
        for (size_t i = 0; i < n && r.ok(); ++i) {
            typename M::key_type k{};
            typename M::mapped_type v{};
            read_value(r, k);
            read_value(r, v);
            m.emplace(std::move(k), std::move(v));
        }
    }
};
template <typename K, typename V, typename C, typename A>
struct serde<std::map<K, V, C, A>> : map_serde<std::map<K, V, C, A>> {};
template <typename K, typename V, typename H, typename E, typename A>
struct serde<std::unordered_map<K, V, H, E, A>> : map_serde<std::unordered_map<K, V, H, E, A>> {};

// Structs that expose `auto members() { return std::tie(a, b, c); }`.
template <typename T>
struct serde<T, std::void_t<decltype(std::declval<T&>().members())>> {
    static void write(writer& w, const T& v) {
        auto t = const_cast<T&>(v).members();
        std::apply([&](auto&... x) { (write_value(w, x), ...); }, t);
    }
    static void read(reader& r, T& v) {
        auto t = v.members();
        std::apply([&](auto&... x) { (read_value(r, x), ...); }, t);
    }
};

}  // namespace otter::stream
