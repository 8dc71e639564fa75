// Avro: schemas, a generic datum, and the Object Container File format (Avro 1.11 spec,
// "Object Container Files"), written and read without avro-c.
//
// Why not avro-c: its writer drops unknown schema attributes (`field-id`, `element-id`,
// `adjust-to-utc`) and cannot add header metadata, both of which Iceberg requires. Here the
// schema JSON given by the caller is written verbatim into `avro.schema`, and any extra header
// keys are written as given.
//
// Records and maps are `datum::object` (name → value pairs; for records, looked up by field
// name, so order is free); arrays are `datum::list`; int/long are int64_t; float/double are
// double; string/bytes/fixed/enum are std::string. A union takes the first branch matching the
// datum's alternative (null → "null").
// Thread-safety: schemas are immutable after parse and may be shared; writers/readers are not
// thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/result.h"
#include "bytes/bytes.h"

namespace otter::avro {

struct datum {
    using list = std::vector<datum>;
    using object = std::vector<std::pair<std::string, datum>>;
    std::variant<std::monostate, bool, int64_t, double, std::string, list, object> v;

    datum() = default;
    datum(bool b) : v(b) {}                           // NOLINT
    datum(int64_t i) : v(i) {}                        // NOLINT
    datum(int32_t i) : v(static_cast<int64_t>(i)) {}  // NOLINT
    datum(double d) : v(d) {}                         // NOLINT
    datum(std::string s) : v(std::move(s)) {}         // NOLINT
    datum(const char* s) : v(std::string(s)) {}       // NOLINT
    datum(list l) : v(std::move(l)) {}                // NOLINT
    datum(object o) : v(std::move(o)) {}              // NOLINT

    bool is_null() const { return std::holds_alternative<std::monostate>(v); }
    // Field or map entry `key` of an object; nullptr if absent or not an object.
    const datum* get(std::string_view key) const;
    // Typed accessors: nullopt / nullptr on a different alternative.
    std::optional<int64_t> as_long() const;
    const std::string* as_string() const;
    const list* as_list() const;
    const object* as_object() const;
};

enum class kind : uint8_t {
    null,
    boolean,
    int_,
    long_,
    float_,
    double_,
    bytes,
    string,
    record,
    enum_,
    array,
    map,
    union_,
    fixed,
};

// A parsed schema: nodes in an arena; named types may be referenced (also recursively).
class schema {
  public:
    struct node {
        kind k = kind::null;
        std::string name;                      // record/enum/fixed full name
        std::vector<std::string> field_names;  // record
        std::vector<int> children;  // record fields, union branches, array items / map values
        std::vector<std::string> symbols;  // enum
        int64_t size = 0;                  // fixed
    };

    // Parses a schema JSON document. Errors name the offending part.
    static result<schema, std::string> parse(std::string_view json);

    const std::string& json() const { return json_; }
    const node& at(int i) const { return nodes_[static_cast<size_t>(i)]; }
    int root() const { return root_; }

  private:
    friend class schema_parser;
    std::vector<node> nodes_;
    int root_ = 0;
    std::string json_;
};

enum class codec : uint8_t { null, deflate };

// Encodes `d` as `s` (the node `node`) into `out`. Fails on a datum that does not fit.
result<void, std::string> encode(const schema& s, int node, const datum& d, bytes& out);

// Writes an Object Container File into memory. Usage: create, append records, finish.
class container_writer {
  public:
    // `metadata`: extra header keys (written after avro.schema and avro.codec).
    container_writer(const schema& s, codec c,
                     std::vector<std::pair<std::string, std::string>> metadata);
    result<void, std::string> append(const datum& record);
    // Flushes the last block and returns the complete file.
    bytes finish();

  private:
    void flush_block();
    const schema& schema_;
    codec codec_;
    bytes out_;
    bytes block_;
    int64_t block_count_ = 0;
    uint8_t sync_[16];
};

// Reads an Object Container File held in memory. Robust to arbitrary bytes: every length is
// bounds-checked and errors are returned, never thrown or asserted.
class container_reader {
  public:
    static result<container_reader, std::string> open(bytes_view file);

    const std::map<std::string, std::string>& metadata() const { return meta_; }
    const schema& writer_schema() const { return *schema_; }
    // Decodes all records.
    result<std::vector<datum>, std::string> read_all();

  private:
    container_reader() = default;
    bytes_view file_;
    size_t pos_ = 0;  // first block
    std::map<std::string, std::string> meta_;
    std::shared_ptr<schema> schema_;  // shared: the reader is movable and cheap to copy
    codec codec_ = codec::null;
    uint8_t sync_[16] = {};
};

// Raw DEFLATE (RFC 1951, no zlib/gzip header), as Avro's "deflate" codec stores blocks.
bytes deflate_raw(bytes_view in);
result<bytes, std::string> inflate_raw(bytes_view in, size_t max_out);

}  // namespace otter::avro
