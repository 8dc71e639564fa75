// Iceberg table model: schemas (flat primitive columns for writing; nested types are carried as
// JSON so real tables can still be described), partition specs and transforms.
// Spec: apache/iceberg format/spec.md — "Schemas and Data Types", "Partition Transforms",
// Appendix B (32-bit hash requirements) and Appendix D (single-value serialization).
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "connectors/parquet/writer.h"

namespace otter::iceberg {

using parquet::value;

struct field {
    int32_t id = 0;
    std::string name;
    bool required = false;
    std::string
        type;  // Iceberg type string ("long", "decimal(10, 2)", ...) or "struct"/"list"/"map"
    std::string type_json;  // the JSON of a nested type (empty for primitives)
};

struct schema {
    int32_t schema_id = 0;
    std::vector<field> fields;

    const field* find(int32_t id) const;
    const field* find(std::string_view name) const;
    int32_t max_field_id() const;
};

// Parses a primitive Iceberg type string into a Parquet column type (for data files).
// Fails for nested and unsupported types (time, uuid, fixed[L], timestamp_ns, ...).
result<parquet::column_spec, std::string> to_column_spec(const field& f);

// Parses "id long required, name string, price decimal(10, 2)" (name type [required|not null],
// comma-separated; commas inside parentheses belong to the type). Ids are assigned from 1.
result<schema, std::string> parse_schema_text(std::string_view text);

enum class transform_kind : uint8_t { identity, year, month, day, hour, bucket, truncate, void_ };

struct transform {
    transform_kind kind = transform_kind::identity;
    int32_t param = 0;  // N of bucket[N], W of truncate[W]

    static result<transform, std::string> parse(std::string_view s);
    std::string to_string() const;
    // The result type for a source type, or an error if the transform does not apply to it.
    result<std::string, std::string> result_type(const std::string& source_type) const;
    // Applies the transform to a value of `source_type` (null → null).
    value apply(const std::string& source_type, const value& v) const;
};

struct partition_field {
    int32_t source_id = 0;
    int32_t field_id = 0;  // 1000, 1001, ...
    std::string name;
    transform tr;
};

struct partition_spec {
    int32_t spec_id = 0;
    std::vector<partition_field> fields;
};

// Parses "day(ts), bucket[16](id), region" against `s` (a bare column name is identity).
// Field ids start at `first_field_id`; names follow Java (`ts_day`, `id_bucket`, `region`).
result<partition_spec, std::string> parse_partition_text(std::string_view text, const schema& s,
                                                         int32_t first_field_id = 1000);

// Murmur3 x86 32-bit, seed 0 (Iceberg Appendix B).
int32_t murmur3_32(const void* data, size_t len, uint32_t seed = 0);
// Iceberg's bucket hash of a value of `type` (ints and longs hash as 8-byte longs).
std::optional<int32_t> bucket_hash(const std::string& type, const value& v);

// Single-value binary serialization (Appendix D) of `v` as `type`; nullopt for null.
std::optional<std::string> serialize_single(const std::string& type, const value& v);

// A partition value as it appears in a data file path (`ts_day=2024-01-31`).
std::string human_string(const std::string& type, const transform& tr, const value& v);

// Decimal text ("-12.5") to an unscaled value at `scale`; fails on excess digits/precision.
result<parquet::int128, std::string> parse_decimal(std::string_view text, int32_t precision,
                                                   int32_t scale);
// Days since epoch for a civil date and back; microseconds parsing of ISO-8601 timestamps.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d);
result<int32_t, std::string> parse_date(std::string_view s);
// "2024-01-31T12:34:56.123456[Z|+01:00]" or with a space; `tz` values without an offset are UTC.
result<int64_t, std::string> parse_timestamp(std::string_view s);
// Decimal precision/scale of "decimal(P, S)"; false for other types.
bool decimal_params(const std::string& type, int32_t& precision, int32_t& scale);

}  // namespace otter::iceberg
