#include "kafka/protocol/wire.h"

#include <cstring>

#include "bytes/varint.h"

namespace otter::kafka {

bool reader::need(size_t n) {
    if (!ok_ || remaining() < n) {
        fail();
        return false;
    }
    return true;
}

int8_t reader::i8() {
    if (!need(1))
        return 0;
    return static_cast<int8_t>(*p_++);
}

int16_t reader::i16() {
    if (!need(2))
        return 0;
    auto v = load_be<int16_t>(p_);
    p_ += 2;
    return v;
}

int32_t reader::i32() {
    if (!need(4))
        return 0;
    auto v = load_be<int32_t>(p_);
    p_ += 4;
    return v;
}

uint32_t reader::u32() {
    return static_cast<uint32_t>(i32());
}

int64_t reader::i64() {
    if (!need(8))
        return 0;
    auto v = load_be<int64_t>(p_);
    p_ += 8;
    return v;
}

double reader::f64() {
    int64_t bits = i64();
    double d;
    std::memcpy(&d, &bits, 8);
    return d;
}

uint64_t reader::uvarint() {
    if (!ok_)
        return 0;
    uint64_t v;
    if (!get_uvarint(p_, end_, v)) {
        fail();
        return 0;
    }
    return v;
}

int64_t reader::varint() {
    if (!ok_)
        return 0;
    int64_t v;
    if (!get_varint(p_, end_, v)) {
        fail();
        return 0;
    }
    return v;
}

std::string reader::uuid() {
    if (!need(16))
        return {};
    std::string s(reinterpret_cast<const char*>(p_), 16);
    p_ += 16;
    return s;
}

std::optional<std::string> reader::nullable_string(bool flexible) {
    int64_t len = flexible ? static_cast<int64_t>(uvarint()) - 1 : i16();
    if (!ok_ || len < 0) {
        if (len < -1)
            fail();
        return std::nullopt;
    }
    if (!need(static_cast<size_t>(len)))
        return std::nullopt;
    std::string s(reinterpret_cast<const char*>(p_), static_cast<size_t>(len));
    p_ += len;
    return s;
}

std::string reader::string(bool flexible) {
    bool was_ok = ok_;
    auto s = nullable_string(flexible);
    if (!s) {
        if (was_ok)
            fail();  // null where a string is required
        return {};
    }
    return std::move(*s);
}

std::optional<bytes_view> reader::nullable_bytes_view(bool flexible) {
    int64_t len = flexible ? static_cast<int64_t>(uvarint()) - 1 : i32();
    if (!ok_ || len < 0) {
        if (len < -1)
            fail();
        return std::nullopt;
    }
    if (!need(static_cast<size_t>(len)))
        return std::nullopt;
    bytes_view v(p_, static_cast<size_t>(len));
    p_ += len;
    return v;
}

std::optional<bytes> reader::nullable_bytes(bool flexible) {
    auto v = nullable_bytes_view(flexible);
    if (!v)
        return std::nullopt;
    return bytes(v->begin(), v->end());
}

bytes reader::bytes_field(bool flexible) {
    bool was_ok = ok_;
    auto b = nullable_bytes(flexible);
    if (!b) {
        if (was_ok)
            fail();
        return {};
    }
    return std::move(*b);
}

int32_t reader::array_len(bool flexible) {
    int64_t n = flexible ? static_cast<int64_t>(uvarint()) - 1 : i32();
    if (!ok_)
        return 0;
    if (n < -1 || n > static_cast<int64_t>(remaining())) {
        fail();
        return 0;
    }
    return static_cast<int32_t>(n);
}

void reader::skip_tagged_fields() {
    uint64_t n = uvarint();
    for (uint64_t i = 0; i < n && ok_; ++i) {
        uvarint();  // tag
        uint64_t size = uvarint();
        if (!need(size))
            return;
        p_ += size;
    }
}

void writer::f64(double v) {
    int64_t bits;
    std::memcpy(&bits, &v, 8);
    i64(bits);
}

void writer::uvarint(uint64_t v) {
    put_uvarint(buf_, v);
}
void writer::varint(int64_t v) {
    put_varint(buf_, v);
}

void writer::uuid(const std::string& v) {
    uint8_t z[16] = {};
    if (v.size() == 16)
        std::memcpy(z, v.data(), 16);
    buf_.insert(buf_.end(), z, z + 16);
}

void writer::string(std::string_view s, bool flexible) {
    if (flexible) {
        uvarint(s.size() + 1);
    } else {
        i16(static_cast<int16_t>(s.size()));
    }
    buf_.insert(buf_.end(), s.begin(), s.end());
}

void writer::nullable_string(const std::optional<std::string>& s, bool flexible) {
    if (!s) {
        if (flexible) {
            uvarint(0);
        } else {
            i16(-1);
        }
        return;
    }
    string(*s, flexible);
}

void writer::bytes_field(bytes_view b, bool flexible) {
    if (flexible) {
        uvarint(b.size() + 1);
    } else {
        i32(static_cast<int32_t>(b.size()));
    }
    raw(b);
}

void writer::nullable_bytes(const std::optional<bytes_view>& b, bool flexible) {
    if (!b) {
        if (flexible) {
            uvarint(0);
        } else {
            i32(-1);
        }
        return;
    }
    bytes_field(*b, flexible);
}

void writer::array_len(int32_t n, bool flexible) {
    if (flexible) {
        uvarint(static_cast<uint64_t>(n + 1));
    } else {
        i32(n);
    }
}

size_t writer::reserve_i32() {
    size_t pos = buf_.size();
    i32(0);
    return pos;
}

}  // namespace otter::kafka
