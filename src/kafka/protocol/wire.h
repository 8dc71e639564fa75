// Kafka wire primitives: a bounds-checked reader and a writer for the protocol's types,
// in both the classic and the "flexible" (KIP-482) encodings.
//
// The reader never throws and never reads past its end: the first failure latches `ok()` to
// false and every later read returns a zero value, so a decoder can read a whole message and
// check once. Not thread-safe; one reader/writer per message.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bytes/bytes.h"

namespace otter::kafka {

class reader {
  public:
    explicit reader(bytes_view data) : p_(data.data()), end_(data.data() + data.size()) {}

    bool ok() const { return ok_; }
    size_t remaining() const { return static_cast<size_t>(end_ - p_); }
    // Marks the message as malformed (e.g. a value out of range).
    void fail() {
        ok_ = false;
        p_ = end_;
    }

    int8_t i8();
    int16_t i16();
    int32_t i32();
    int64_t i64();
    uint32_t u32();
    double f64();
    bool boolean() { return i8() != 0; }
    uint64_t uvarint();
    int64_t varint();
    std::string uuid();  // 16 raw bytes

    // STRING / COMPACT_STRING (flexible). Null is a protocol error for non-nullable strings.
    std::string string(bool flexible);
    std::optional<std::string> nullable_string(bool flexible);
    bytes bytes_field(bool flexible);
    std::optional<bytes> nullable_bytes(bool flexible);
    // Raw view of a length-prefixed byte field (records); nullopt for null.
    std::optional<bytes_view> nullable_bytes_view(bool flexible);

    // ARRAY / COMPACT_ARRAY length; -1 for null. Guards against absurd counts: a count larger
    // than the bytes left (each element takes at least one byte) fails the reader.
    int32_t array_len(bool flexible);

    // Skips a tagged-field section (flexible versions); unknown tags are ignored.
    void skip_tagged_fields();

  private:
    bool need(size_t n);
    const uint8_t* p_;
    const uint8_t* end_;
    bool ok_ = true;
};

class writer {
  public:
    bytes& buf() { return buf_; }
    bytes take() { return std::move(buf_); }
    size_t size() const { return buf_.size(); }

    void i8(int8_t v) { buf_.push_back(static_cast<uint8_t>(v)); }
    void i16(int16_t v) { append_be<int16_t>(buf_, v); }
    void i32(int32_t v) { append_be<int32_t>(buf_, v); }
    void i64(int64_t v) { append_be<int64_t>(buf_, v); }
    void u32(uint32_t v) { append_be<uint32_t>(buf_, v); }
    void f64(double v);
    void boolean(bool v) { i8(v ? 1 : 0); }
    void uvarint(uint64_t v);
    void varint(int64_t v);
    void uuid(const std::string& v);  // writes 16 bytes (zeros if v is empty)

    void string(std::string_view s, bool flexible);
    void nullable_string(const std::optional<std::string>& s, bool flexible);
    void bytes_field(bytes_view b, bool flexible);
    void nullable_bytes(const std::optional<bytes_view>& b, bool flexible);
    void array_len(int32_t n, bool flexible);  // -1 writes a null array
    void raw(bytes_view b) { buf_.insert(buf_.end(), b.begin(), b.end()); }
    // Writes an empty tagged-field section (flexible versions only).
    void empty_tagged_fields() { uvarint(0); }

    // Reserves an i32 to be filled later (frame sizes); returns its position.
    size_t reserve_i32();
    void patch_i32(size_t pos, int32_t v) { store_be<int32_t>(buf_.data() + pos, v); }

  private:
    bytes buf_;
};

// Content equality of two optional byte views (both null, or both non-null with equal bytes).
inline bool same_bytes(const std::optional<bytes_view>& a, const std::optional<bytes_view>& b) {
    if (!a || !b)
        return !a && !b;
    return std::equal(a->begin(), a->end(), b->begin(), b->end());
}

}  // namespace otter::kafka
