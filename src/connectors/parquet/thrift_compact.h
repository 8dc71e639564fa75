// A minimal Thrift compact-protocol encoder: just what Parquet's footer and page headers need
// (i16/i32/i64, binary, bool, nested structs and lists). Field ids inside one struct must be
// written in increasing order. Spec: apache/thrift doc/specs/thrift-compact-protocol.md.
// Not thread-safe; one writer per buffer.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/assert.h"
#include "bytes/bytes.h"
#include "bytes/varint.h"

namespace otter::parquet {

enum class ttype : uint8_t {
    bool_true = 1,
    bool_false = 2,
    i8 = 3,
    i16 = 4,
    i32 = 5,
    i64 = 6,
    dbl = 7,
    binary = 8,
    list = 9,
    set = 10,
    map = 11,
    structure = 12,
};

class compact_writer {
  public:
    explicit compact_writer(bytes& out) : out_(out) {}

    void field_i32(int16_t id, int32_t v) {
        header(id, ttype::i32);
        put_varint(out_, v);
    }
    void field_i16(int16_t id, int16_t v) {
        header(id, ttype::i16);
        put_varint(out_, v);
    }
    void field_i64(int16_t id, int64_t v) {
        header(id, ttype::i64);
        put_varint(out_, v);
    }
    void field_bool(int16_t id, bool v) { header(id, v ? ttype::bool_true : ttype::bool_false); }
    void field_binary(int16_t id, std::string_view v) {
        header(id, ttype::binary);
        elem_binary(v);
    }
    // Opens a nested struct field; close it with end_struct().
    void begin_struct(int16_t id) {
        header(id, ttype::structure);
        stack_.push_back(last_);
        last_ = 0;
    }
    void end_struct() {
        OTTER_ASSERT(!stack_.empty(), "thrift: end_struct without begin");
        out_.push_back(0);
        last_ = stack_.back();
        stack_.pop_back();
    }
    // Writes a list field header; then write `n` elements with elem_* or begin_elem_struct.
    void begin_list(int16_t id, ttype elem, size_t n) {
        header(id, ttype::list);
        if (n < 15) {
            out_.push_back(static_cast<uint8_t>((n << 4) | static_cast<uint8_t>(elem)));
        } else {
            out_.push_back(static_cast<uint8_t>(0xF0 | static_cast<uint8_t>(elem)));
            put_uvarint(out_, n);
        }
    }
    void elem_i32(int32_t v) { put_varint(out_, v); }
    void elem_binary(std::string_view v) {
        put_uvarint(out_, v.size());
        out_.insert(out_.end(), v.begin(), v.end());
    }
    // A struct element of a list; close with end_struct().
    void begin_elem_struct() {
        stack_.push_back(last_);
        last_ = 0;
    }
    // Ends the top-level struct.
    void finish() {
        OTTER_ASSERT(stack_.empty(), "thrift: unbalanced structs");
        out_.push_back(0);
    }

  private:
    void header(int16_t id, ttype t) {
        int delta = id - last_;
        if (delta > 0 && delta <= 15) {
            out_.push_back(static_cast<uint8_t>((delta << 4) | static_cast<uint8_t>(t)));
        } else {
            out_.push_back(static_cast<uint8_t>(t));
            put_varint(out_, id);
        }
        last_ = id;
    }

    bytes& out_;
    int16_t last_ = 0;
    std::vector<int16_t> stack_;
};

}  // namespace otter::parquet
