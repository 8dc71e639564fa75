// A Parquet file writer without Arrow: flat schemas of primitive columns, data page v1,
// PLAIN and RLE_DICTIONARY encodings, RLE definition levels, codecs none/snappy/gzip/zstd,
// chunk statistics, `field_id` on every schema element and the Iceberg schema in the footer.
// Format notes: docs/formats/parquet-writer.md.
//
// Column-oriented use (fast path, no virtual call per value):
//
//     auto w = parquet::file_writer::create(columns, options, std::move(out)).value();
//     auto& id = w->column<int64_t>(0);          // checked: column 0 stores int64
//     auto& name = w->byte_array_column(1);
//     for (...) { id.append(v); name.append(s); /* or name.append_null() */ }
//     w->end_rows();                              // all columns now hold the same number of rows
//     auto summary = w->close();                  // footer written; per-column Iceberg metrics
//
// or row by row with `append_row(std::span<const value>)`. Values are buffered per row group
// (cut by `row_group_max_bytes`/`row_group_max_rows`) and encoded when the group is cut.
// Not thread-safe: one thread owns a writer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/assert.h"
#include "base/result.h"
#include "bytes/bytes.h"

namespace otter::parquet {

using int128 = __int128;

// The logical column types supported (Iceberg primitive types minus time/uuid/fixed).
enum class column_type : uint8_t {
    boolean,
    int32,
    int64,
    float32,
    float64,
    decimal,  // unscaled value in int32 (P <= 9), int64 (P <= 18) or fixed_len_byte_array
    string,
    binary,
    date,         // days since 1970-01-01, int32
    timestamp,    // microseconds since epoch, no zone (isAdjustedToUTC = false)
    timestamptz,  // microseconds since epoch, UTC (isAdjustedToUTC = true)
};

struct column_spec {
    std::string name;
    int32_t field_id = 0;
    column_type type = column_type::int64;
    bool required = false;
    int32_t precision = 0;  // decimal only: 1..38
    int32_t scale = 0;      // decimal only: 0..precision
};

// How a column's values are held in memory (and which builder appends them).
enum class storage : uint8_t { boolean, int32, int64, float32, float64, int128, byte_array };
storage storage_of(const column_spec& c);
// Bytes of a fixed_len_byte_array decimal of this precision (the minimum that holds it).
int32_t decimal_bytes(int32_t precision);

enum class compression : uint8_t { none, snappy, gzip, zstd };
std::optional<compression> parse_compression(std::string_view name);  // "zstd", "none", ...
const char* compression_name(compression c);

struct writer_options {
    compression codec = compression::zstd;
    bool dictionary = true;
    // A column chunk whose dictionary (PLAIN-encoded) would exceed this falls back to PLAIN.
    size_t dictionary_max_bytes = 1 << 20;
    size_t page_max_bytes = 1 << 20;         // uncompressed values per data page (approximate)
    size_t row_group_max_bytes = 64u << 20;  // buffered (uncompressed) bytes per row group
    size_t row_group_max_rows = 1'000'000;
    // Written as footer key "iceberg.schema"; empty = derived from the columns (schema-id 0).
    std::string iceberg_schema_json;
    std::vector<std::pair<std::string, std::string>> key_value_metadata;
    std::string created_by = "otter version 0.1.0";
};

// Where the file's bytes go. Writes are large (one page or footer at a time).
class output_stream {
  public:
    virtual ~output_stream() = default;
    virtual result<void, std::string> write(bytes_view data) = 0;
    virtual result<void, std::string> close() = 0;
};

// Collects the file in memory (tests, small files).
class memory_output final : public output_stream {
  public:
    result<void, std::string> write(bytes_view d) override {
        data.insert(data.end(), d.begin(), d.end());
        return {};
    }
    result<void, std::string> close() override { return {}; }
    bytes data;
};

// Opens `path` for writing (O_EXCL when `exclusive`); buffered; close() fsyncs.
result<std::unique_ptr<output_stream>, std::string> open_file_output(const std::string& path,
                                                                     bool exclusive);

// Per-column metrics for Iceberg's data_file entry (spec "Data File Fields").
struct column_metrics {
    int32_t field_id = 0;
    int64_t value_count = 0;  // rows, nulls included
    int64_t null_count = 0;
    int64_t nan_count = 0;  // float/double only
    bool has_bounds = false;
    // Iceberg single-value binary serialization (spec Appendix D); strings/binary truncated to
    // 16 characters/bytes (lower: prefix, upper: prefix with the last character incremented).
    std::string lower_bound;
    std::string upper_bound;
    bool upper_bound_present = true;  // false when no truncated upper bound exists
    int64_t compressed_size = 0;      // bytes of this column's chunks, page headers included
};

struct file_summary {
    int64_t num_rows = 0;
    int64_t file_size = 0;
    std::vector<int64_t> row_group_offsets;  // Iceberg split_offsets
    std::vector<column_metrics> columns;     // in schema order
};

// A decimal's unscaled value, for the row API.
struct decimal_value {
    int128 unscaled = 0;
};

// One cell for the row API. monostate = null. Integers are range-checked against the column;
// int64 serves int32/int64/date/timestamp columns, std::string serves string and binary.
using value = std::variant<std::monostate, bool, int64_t, double, std::string, decimal_value>;

class file_writer;
class page_compressor;

// Buffers one column of the current row group. Internal base; use the typed builders.
class column_base {
  public:
    explicit column_base(const column_spec& spec) : spec_(spec), required_(spec.required) {}
    virtual ~column_base() = default;
    const column_spec& spec() const { return spec_; }
    size_t rows() const { return rows_; }
    // Appends a null (optional columns only: asserts otherwise).
    void append_null() {
        OTTER_ASSERT(!required_, "parquet: null appended to a required column");
        defs_.push_back(0);
        ++rows_;
    }

    // What the footer needs to know about one encoded column chunk (internal).
    struct chunk_info {
        int64_t start = 0;
        int64_t data_page_offset = 0;
        int64_t dict_page_offset = -1;  // -1: no dictionary page
        int64_t uncompressed = 0;       // page headers included
        int64_t compressed = 0;
        int64_t num_values = 0;  // rows, nulls included
        int64_t null_count = 0;
        bool dictionary = false;
        bool has_minmax = false;
        std::string min, max;  // Parquet PLAIN bytes (no length prefix)
    };

  protected:
    friend class file_writer;
    virtual size_t buffered_bytes() const = 0;
    virtual void clear_values() = 0;
    // Encodes the buffered rows as one column chunk into `out`, starting at file offset `pos`.
    virtual chunk_info encode_chunk(const writer_options& o, page_compressor& pc, int64_t pos,
                                    bytes& out) = 0;
    virtual void finish_metrics(column_metrics& m) const = 0;

    column_spec spec_;
    bool required_;
    size_t rows_ = 0;
    std::vector<uint8_t> defs_;  // 1 = present, 0 = null; empty for required columns
    int64_t file_nulls_ = 0, file_values_ = 0, file_nans_ = 0, file_bytes_ = 0;
};

// Builder for fixed-width values: T is uint8_t (boolean), int32_t, int64_t, float, double or
// int128 (wide decimal).
template <typename T>
class fixed_column final : public column_base {
  public:
    using column_base::column_base;
    void append(T v) {
        values_.push_back(v);
        if (!required_)
            defs_.push_back(1);
        ++rows_;
    }

  private:
    size_t buffered_bytes() const override { return values_.size() * sizeof(T) + defs_.size(); }
    void clear_values() override {
        values_.clear();
        defs_.clear();
        rows_ = 0;
    }
    chunk_info encode_chunk(const writer_options& o, page_compressor& pc, int64_t pos,
                            bytes& out) override;
    void finish_metrics(column_metrics& m) const override;

    std::vector<T> values_;  // non-null values only
    bool have_minmax_ = false;
    T file_min_{}, file_max_{};
};

// Builder for string and binary columns.
class byte_array_column final : public column_base {
  public:
    explicit byte_array_column(const column_spec& spec) : column_base(spec) {
        offsets_.push_back(0);
    }
    void append(std::string_view v) {
        blob_.insert(blob_.end(), v.begin(), v.end());
        offsets_.push_back(static_cast<uint32_t>(blob_.size()));
        if (!required_)
            defs_.push_back(1);
        ++rows_;
    }

  private:
    std::string_view at(size_t i) const {
        return {reinterpret_cast<const char*>(blob_.data()) + offsets_[i],
                offsets_[i + 1] - offsets_[i]};
    }
    size_t buffered_bytes() const override {
        return blob_.size() + offsets_.size() * 4 + defs_.size();
    }
    void clear_values() override {
        blob_.clear();
        offsets_.assign(1, 0);
        defs_.clear();
        rows_ = 0;
    }
    chunk_info encode_chunk(const writer_options& o, page_compressor& pc, int64_t pos,
                            bytes& out) override;
    void finish_metrics(column_metrics& m) const override;

    bytes blob_;
    std::vector<uint32_t> offsets_;  // value i is blob_[offsets_[i], offsets_[i+1])
    bool have_minmax_ = false;
    std::string file_min_, file_max_;
};

class file_writer {
  public:
    // Validates the schema (names unique and non-empty, decimal precision 1..38).
    static result<std::unique_ptr<file_writer>, std::string> create(
        std::vector<column_spec> columns, writer_options options,
        std::unique_ptr<output_stream> out);
    ~file_writer();

    size_t num_columns() const { return columns_.size(); }
    // Bytes of values buffered for the current row group (approximate; walks the columns).
    size_t buffered_bytes() const;
    const column_spec& spec(size_t i) const { return columns_[i]->spec(); }

    // The typed builder of column i; asserts that the column's storage matches T
    // (uint8_t: boolean, int32_t, int64_t, float, double, int128: decimal with P > 18).
    template <typename T>
    fixed_column<T>& column(size_t i) {
        OTTER_ASSERT(i < columns_.size() && storage_of(columns_[i]->spec()) == storage_for<T>(),
                     "parquet: column type mismatch");
        return static_cast<fixed_column<T>&>(*columns_[i]);
    }
    byte_array_column& byte_array(size_t i) {
        OTTER_ASSERT(i < columns_.size() && storage_of(columns_[i]->spec()) == storage::byte_array,
                     "parquet: column type mismatch");
        return static_cast<byte_array_column&>(*columns_[i]);
    }

    // Declares that every column received the same rows since the last call; cuts a row group
    // when the limits are reached. Fails if the columns' row counts differ. Call it at least
    // every few thousand rows: row-group limits are only checked here.
    result<void, std::string> end_rows();

    // Appends one row (cells in schema order); nulls only in optional columns.
    result<void, std::string> append_row(std::span<const value> row);

    // Flushes the last row group, writes the footer and closes the output.
    result<file_summary, std::string> close();

  private:
    file_writer(std::vector<column_spec> columns, writer_options options,
                std::unique_ptr<output_stream> out);
    template <typename T>
    static constexpr storage storage_for() {
        if constexpr (std::is_same_v<T, uint8_t>)
            return storage::boolean;
        else if constexpr (std::is_same_v<T, int32_t>)
            return storage::int32;
        else if constexpr (std::is_same_v<T, int64_t>)
            return storage::int64;
        else if constexpr (std::is_same_v<T, float>)
            return storage::float32;
        else if constexpr (std::is_same_v<T, double>)
            return storage::float64;
        else
            return storage::int128;
    }
    result<void, std::string> flush_row_group();
    result<void, std::string> append_cell(size_t col, const value& v);

    std::vector<std::unique_ptr<column_base>> columns_;
    writer_options options_;
    std::unique_ptr<page_compressor> compressor_;  // reused across pages (zstd context, buffers)
    bytes chunk_buf_;
    std::unique_ptr<output_stream> out_;
    int64_t pos_ = 0;
    int64_t num_rows_ = 0;
    size_t rows_since_check_ = 0;
    struct row_group_info {
        int64_t num_rows = 0;
        std::vector<column_base::chunk_info> chunks;
    };
    std::vector<row_group_info> row_groups_;
    std::vector<int64_t> row_group_offsets_;
    bool closed_ = false;
};

// The Iceberg schema JSON (schema-id 0) describing `columns`, as written to "iceberg.schema".
std::string iceberg_schema_json(std::span<const column_spec> columns);
// The Iceberg type name of a column: "long", "decimal(10, 2)", "timestamptz", ...
std::string iceberg_type_name(const column_spec& c);
// Appends `s` as a JSON string literal (with quotes) to `out`.
void append_json_string(std::string& out, std::string_view s);

}  // namespace otter::parquet
