// Iceberg table metadata (vN.metadata.json), manifest lists and manifests: parsing (robust to
// garbage: every error is a value) and the Avro schemas Otter writes them with.
// Spec: apache/iceberg format/spec.md, "Table Metadata", "Manifest Lists", "Manifests";
// layout notes in docs/formats/iceberg-table.md.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "connectors/avro/avro.h"
#include "connectors/iceberg/schema.h"

namespace otter::iceberg {

using ojson = nlohmann::ordered_json;

struct snapshot {
    int64_t snapshot_id = 0;
    std::optional<int64_t> parent_id;
    int64_t sequence_number = 0;
    int64_t timestamp_ms = 0;
    std::string manifest_list;
    std::map<std::string, std::string> summary;
    std::optional<int32_t> schema_id;
};

struct table_metadata {
    int32_t format_version = 2;
    std::string table_uuid;
    std::string location;
    int64_t last_sequence_number = 0;
    int64_t last_updated_ms = 0;
    int32_t last_column_id = 0;
    int32_t current_schema_id = 0;
    std::vector<schema> schemas;
    int32_t default_spec_id = 0;
    std::vector<partition_spec> specs;
    int32_t last_partition_id = 999;
    std::optional<int64_t> current_snapshot_id;
    std::vector<snapshot> snapshots;
    std::map<std::string, std::string> properties;
    std::vector<std::pair<int64_t, int64_t>> snapshot_log;      // (timestamp-ms, snapshot-id)
    std::vector<std::pair<int64_t, std::string>> metadata_log;  // (timestamp-ms, file)
    ojson raw;  // the whole document as read: written back with changes, unknown keys kept

    const schema* current_schema() const;
    const partition_spec* spec(int32_t id) const;
    const snapshot* find_snapshot(int64_t id) const;
    const snapshot* current_snapshot() const;
};

// Parses a metadata JSON document (format v1 or v2). Fails with a message on anything
// malformed; never throws or asserts.
result<table_metadata, std::string> parse_table_metadata(std::string_view json);

// Parses a schema / partition spec JSON object.
result<schema, std::string> parse_schema_json(const ojson& j);
result<partition_spec, std::string> parse_spec_json(const ojson& j);
ojson schema_to_json(const schema& s);
ojson spec_fields_to_json(const partition_spec& p);

// One row of a manifest list.
struct manifest_file {
    std::string path;
    int64_t length = 0;
    int32_t spec_id = 0;
    int32_t content = 0;  // 0 data, 1 deletes
    int64_t sequence_number = 0;
    int64_t min_sequence_number = 0;
    int64_t added_snapshot_id = 0;
    int64_t added_files = 0, existing_files = 0, deleted_files = 0;
    int64_t added_rows = 0, existing_rows = 0, deleted_rows = 0;
    avro::datum raw;  // the record as read (to copy it into a later manifest list)
};

// One data or delete file entry of a manifest.
struct manifest_entry {
    int32_t status = 0;  // 0 existing, 1 added, 2 deleted
    std::optional<int64_t> snapshot_id;
    std::optional<int64_t> sequence_number;
    int32_t content = 0;  // 0 data, 1 position deletes, 2 equality deletes
    std::string file_path;
    std::string file_format;
    avro::datum partition;
    int64_t record_count = 0;
    int64_t file_size = 0;
    std::map<int32_t, int64_t> value_counts, null_value_counts;
    std::map<int32_t, std::string> lower_bounds, upper_bounds;
};

result<std::vector<manifest_file>, std::string> parse_manifest_list(bytes_view avro_file);
result<std::vector<manifest_entry>, std::string> parse_manifest(bytes_view avro_file);

// The Avro schema (JSON) of a v2 manifest list, and of a v2 manifest for `partition_type`
// (the Avro record of the partition tuple, see partition_avro_type).
std::string manifest_list_avro_schema();
std::string manifest_avro_schema(const std::string& partition_record_json);
// The Avro record "r102" describing a partition tuple of `spec` over `s`.
result<std::string, std::string> partition_avro_type(const partition_spec& spec, const schema& s);

}  // namespace otter::iceberg
